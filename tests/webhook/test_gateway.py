"""The gateway and outbox against the LINE stand-in: retries keep their retry key, nothing is sent twice."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot import outbox
from bot.messages import push, text
from models.outbox import OutboxMessage, OutboxStatus
from scheduler.runner import tick
from tests import demo

PUSH = "/v2/bot/message/push"


def pushes(emulator) -> list[dict]:
    return [r for r in emulator.api_requests() if r["path"] == PUSH]


def register_newcomer(emulator) -> None:
    """Registration pushes an approval card to the district secretariat."""
    emulator.text(demo.NEWCOMER, "註冊")
    emulator.text(demo.NEWCOMER, "中壢區")
    emulator.text(demo.NEWCOMER, "衛生所")


def push_now(services, clock, to: str) -> None:
    """Enqueue one push and make its first attempt, as a handler's event does after commit."""
    with services.db.transaction() as session:
        rows = outbox.enqueue_claimed_all(session, [push(to, text("請協助"))], clock())
    outbox.send_claimed(services.db, services.gateway, rows, clock())


def outbox_rows(services) -> list[OutboxMessage]:
    with services.db.transaction() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_push_retried_after_500_with_the_same_retry_key(emulator, services, clock):
    emulator.inject_fault(PUSH, status=500, count=2)
    push_now(services, clock, demo.SECRETARIAT)
    assert emulator.deliveries(to=demo.SECRETARIAT) == []
    clock.advance(seconds=6)
    tick(services)
    clock.advance(seconds=11)
    tick(services)
    clock.advance(minutes=5)
    tick(services)
    attempts = pushes(emulator)
    assert [a["status"] for a in attempts] == [500, 500, 200]
    assert len({a["retry_key"] for a in attempts}) == 1
    assert len(emulator.deliveries(to=demo.SECRETARIAT)) == 1


def test_rate_limit_429_waits_for_retry_after(emulator, services, clock):
    emulator.inject_fault(PUSH, status=429, count=1, retry_after=60)
    push_now(services, clock, demo.SECRETARIAT)
    clock.advance(seconds=30)
    tick(services)
    assert len(pushes(emulator)) == 1  # still waiting: LINE asked for 60 seconds
    clock.advance(seconds=31)
    tick(services)
    attempts = pushes(emulator)
    assert [a["status"] for a in attempts] == [429, 200]
    assert attempts[0]["retry_key"] == attempts[1]["retry_key"]
    assert len(emulator.deliveries(to=demo.SECRETARIAT)) == 1


def test_gives_up_after_the_bound_and_records_failure(emulator, services, clock):
    emulator.inject_fault(PUSH, status=500, count=50)
    push_now(services, clock, demo.SECRETARIAT)
    for _ in range(12):
        clock.advance(minutes=11)
        tick(services)
    card = [r for r in outbox_rows(services) if r.to == demo.SECRETARIAT][0]
    assert card.status == OutboxStatus.FAILED and "ServerError" in (card.last_error or "")
    assert len(pushes(emulator)) == services.config.outbox_max_attempts


def test_crash_after_send_is_not_delivered_twice(emulator, services, clock):
    """The process died after LINE accepted the push but before recording it: the resend gets 409."""
    now = clock()
    with services.db.transaction() as session:
        row = outbox.enqueue(session, push(demo.POLICE, text("測試訊息")), chat_id=None, reply_token=None, now=now)
        row.status = OutboxStatus.SENDING
        row.next_attempt_at = now + timedelta(minutes=2)
        row_id, key, messages = row.id, row.retry_key, row.messages
    services.gateway.push(demo.POLICE, messages, key)  # the send that happened before the crash
    clock.advance(minutes=3)
    tick(services)
    assert [r["status"] for r in pushes(emulator)] == [200, 409]
    assert len(emulator.deliveries(to=demo.POLICE)) == 1
    assert next(r for r in outbox_rows(services) if r.id == row_id).status == OutboxStatus.SENT


def test_group_push_costs_one_message_per_member(emulator, services, clock):
    emulator.join(demo.GROUP)
    with services.db.transaction() as session:
        row = outbox.enqueue(session, push(demo.GROUP, text("群組公告")), chat_id=None, reply_token=None,
                             now=clock())
        assert row.quota_cost >= 9
        cost = row.quota_cost
    tick(services)
    assert emulator.quota_consumption() == cost


def test_expired_reply_token_is_not_retried_but_pushes_still_arrive(emulator, services, clock):
    emulator.configure(reply_token_ttl_seconds=0)
    try:
        register_newcomer(emulator)
    finally:
        emulator.configure(reply_token_ttl_seconds=60)
    replies = [r for r in emulator.api_requests() if r["path"] == "/v2/bot/message/reply"]
    assert replies and all(r["status"] == 400 for r in replies)
    assert emulator.deliveries(to=demo.NEWCOMER) == []
    clock.advance(minutes=5)
    tick(services)
    assert len([r for r in emulator.api_requests() if r["path"] == "/v2/bot/message/reply"]) == len(replies)
    assert len(emulator.deliveries(to=demo.SECRETARIAT)) == 1  # the approval card is a push


def test_claimed_message_left_unsent_by_a_crash_goes_out_after_its_lease(emulator, services, clock):
    """The worker committed the event and died before sending: the relay sends it, once."""
    with services.db.transaction() as session:
        outbox.enqueue_claimed(session, push(demo.POLICE, text("請協助")), chat_id=None, reply_token=None,
                               now=clock())
    tick(services)
    assert emulator.deliveries(to=demo.POLICE) == []  # still leased to the worker that died
    clock.advance(minutes=3)
    tick(services)
    tick(services)
    assert len(emulator.deliveries(to=demo.POLICE)) == 1
