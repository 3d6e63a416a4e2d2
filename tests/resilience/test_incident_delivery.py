"""A 求助 is confirmed only once LINE accepted its card; otherwise the requester learns what to do at once.

Issue 13, finding 3: a request was confirmed ("已將求助 … 發到…群組") while LINE answered 429 until the
card was given up. Faults come from the emulator (`inject_fault`, its monthly quota).
"""
from __future__ import annotations

from sqlalchemy import select

from models.outbox import OutboxMessage, OutboxStatus
from scheduler.runner import tick
from tests import demo
from tests.resilience.test_line_faults import PUSH, REPLY, REQUESTS, numbers, relay_until_drained

SENT = "已將求助"
NOT_YET = "尚未送達"
UNDELIVERED = "未能送達"
QUOTA_GONE = "額度已用完"


def delivered(emulator) -> list[tuple[str, str, str]]:
    """Everything LINE accepted, in order: recipient, reply or push, and its texts."""
    return [(d["to"], d["kind"], " ".join(m.get("text", m.get("altText", "")) for m in d["messages"]))
            for d in emulator.deliveries()]


def test_the_confirmation_follows_the_accepted_card(emulator, services, group):
    assert emulator.text(demo.SOCIAL_WORKER, REQUESTS[0]).status == 200
    [number] = numbers(services)
    order = delivered(emulator)
    card = next(i for i, (to, _, _) in enumerate(order) if to == demo.GROUP)
    confirmation = next(i for i, (_, _, said) in enumerate(order) if SENT in said)
    assert card < confirmation and order[confirmation][1] == "reply"  # the free reply, after the card
    [said] = emulator.texts(to=demo.SOCIAL_WORKER)
    assert said.startswith(f"{SENT} {number}")


def test_a_confirmed_request_leaves_nothing_for_the_relay_to_send_again(emulator, services, clock, group):
    """The confirmation is replied at once, before the card's delivery is recorded: no row waits behind it."""
    assert emulator.text(demo.SOCIAL_WORKER, REQUESTS[0]).status == 200
    clock.advance(minutes=3)  # past any lease
    tick(services)
    [said] = emulator.texts(to=demo.SOCIAL_WORKER)
    assert said.startswith(SENT)
    assert [c["status"] for c in emulator.api_requests() if c["path"] == REPLY] == [200]
    with services.db.transaction() as session:
        assert [row.status for row in session.scalars(select(OutboxMessage))] == [OutboxStatus.SENT]  # the card


def test_a_confirmation_line_refuses_as_a_reply_arrives_once_as_a_push(emulator, services, clock, group):
    emulator.inject_fault(REPLY, status=500, count=1)  # the card gets through; its confirmation's reply does not
    assert emulator.text(demo.SOCIAL_WORKER, REQUESTS[0]).status == 200
    assert emulator.texts(to=demo.SOCIAL_WORKER) == []
    relay_until_drained(services, clock)
    [number] = numbers(services)
    [confirmation] = emulator.deliveries(to=demo.SOCIAL_WORKER)
    assert confirmation["kind"] == "push" and confirmation["messages"][0]["text"].startswith(f"{SENT} {number}")
    assert [c["status"] for c in emulator.api_requests() if c["path"] == REPLY] == [500]  # never retried as a reply


def test_a_retried_card_is_confirmed_only_when_it_arrives(emulator, services, clock, group):
    emulator.inject_fault(PUSH, status=500, count=1)
    assert emulator.text(demo.SOCIAL_WORKER, REQUESTS[1]).status == 200
    [first] = emulator.texts(to=demo.SOCIAL_WORKER)
    assert NOT_YET in first and "110" in first and "119" in first and SENT not in first
    assert emulator.deliveries(to=demo.GROUP) == []

    relay_until_drained(services, clock)
    assert len([m for m in emulator.messages(to=demo.GROUP) if m["type"] == "flex"]) == 1
    said = emulator.texts(to=demo.SOCIAL_WORKER)
    assert len(said) == 2 and said[1].startswith(SENT)
    assert emulator.texts(to=demo.SECRETARIAT) == []


def test_a_still_trying_notice_not_yet_delivered_is_dropped_once_the_card_arrives(emulator, services, clock, group):
    """The card fails once, and so does the reply saying it is being retried: the relay then sends the card
    first, and the stale "still trying" notice (waiting as a push) must never arrive after the confirmation."""
    emulator.inject_fault(PUSH, status=500, count=1)
    emulator.inject_fault(REPLY, status=500, count=1)
    assert emulator.text(demo.SOCIAL_WORKER, REQUESTS[1]).status == 200
    assert emulator.texts(to=demo.SOCIAL_WORKER) == []
    relay_until_drained(services, clock)
    assert len([m for m in emulator.messages(to=demo.GROUP) if m["type"] == "flex"]) == 1
    [said] = emulator.texts(to=demo.SOCIAL_WORKER)
    assert said.startswith(SENT) and NOT_YET not in said
    with services.db.transaction() as session:
        notice = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("%:delayed:%"))).one()
        assert notice.status == OutboxStatus.FAILED and "superseded" in (notice.last_error or "")


def test_quota_used_up_tells_requester_and_secretariat_at_once(emulator, services, clock, group):
    """The group card (one per member) no longer fits the month's quota; a 1:1 notice still does."""
    emulator.configure(monthly_quota=emulator.quota_consumption() + 3)
    tick(services)  # the scheduler reads LINE's quota (a request never calls LINE inside its transaction)
    assert emulator.text(demo.SOCIAL_WORKER, REQUESTS[0]).status == 200
    [number] = numbers(services)
    assert emulator.deliveries(to=demo.GROUP) == []
    [told] = emulator.texts(to=demo.SOCIAL_WORKER)  # known before sending: the quota LINE reports is gone
    assert QUOTA_GONE in told and number in told and "113" in told and SENT not in told
    [secretariat] = emulator.texts(to=demo.SECRETARIAT)
    assert "求助未送達" in secretariat and number in secretariat
    relay_until_drained(services, clock)
    assert len(emulator.texts(to=demo.SOCIAL_WORKER)) == 1  # nothing contradicts it later
    with services.db.transaction() as session:
        card = session.scalars(select(OutboxMessage).where(OutboxMessage.to == demo.GROUP)).one()
        assert card.status == OutboxStatus.FAILED


def test_5xx_past_the_retry_bound(emulator, services, clock, group):
    attempts = services.config.outbox_max_attempts
    emulator.inject_fault(PUSH, status=503, count=attempts)
    assert emulator.text(demo.SOCIAL_WORKER, REQUESTS[2]).status == 200
    assert NOT_YET in emulator.texts(to=demo.SOCIAL_WORKER)[0]
    relay_until_drained(services, clock)
    said = emulator.texts(to=demo.SOCIAL_WORKER)
    assert len(said) == 2 and UNDELIVERED in said[1] and not any(s.startswith(SENT) for s in said)
    assert [d["kind"] for d in emulator.deliveries(to=demo.SOCIAL_WORKER)] == ["reply", "push"]
    assert "求助未送達" in emulator.texts(to=demo.SECRETARIAT)[0]
    assert emulator.deliveries(to=demo.GROUP) == []
    tick(services)
    assert len(emulator.texts(to=demo.SOCIAL_WORKER)) == 2
