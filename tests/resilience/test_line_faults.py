"""LINE's API answers 429 and 500 for a while, and reply tokens expire, during real request flows.

Events go through the emulator's signed webhooks; the scheduler's tick (under the fake clock)
relays what failed. Pushes must be retried with their original retry key and arrive once;
answers that must arrive (a request's confirmation) fall back to a push; others are dropped.
"""
from __future__ import annotations

from collections import defaultdict

import requests
from sqlalchemy import select

from models.incidents import Incident
from models.outbox import OutboxMessage, OutboxStatus
from scheduler.runner import tick
from tests import demo
from tests.conftest import _serve
from tests.resilience.webhooks import encode, sign, text_event

PUSH = "/v2/bot/message/push"
REPLY = "/v2/bot/message/reply"
REQUESTS = ["求助 @衛生局 長者獨居需要關懷訪視", "求助 緊急 @分局 新興路附近有長者情緒激動", "求助 一般 @就服處 個案需要就業媒合資訊"]


def numbers(services) -> list[str]:
    with services.db.transaction() as session:
        return list(session.scalars(select(Incident.number).order_by(Incident.id)))


def outbox(services) -> list[OutboxMessage]:
    with services.db.transaction() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def relay_until_drained(services, clock, step_seconds: float = 10, ticks: int = 60) -> int:
    """Tick the scheduler as time passes until no message waits; how many ticks it took."""
    for done in range(1, ticks + 1):
        clock.advance(seconds=step_seconds)
        tick(services)
        if not any(row.status in (OutboxStatus.PENDING, OutboxStatus.SENDING) for row in outbox(services)):
            return done
    raise AssertionError(f"messages still waiting after {ticks} ticks: {outbox(services)}")


def attempts_by_key(emulator, path: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    for call in emulator.api_requests():
        if call["path"] == path:
            found[call["retry_key"]].append(call["status"])
    return found


def test_pushes_survive_a_spell_of_500_and_429_with_their_retry_keys(emulator, services, clock, group):
    emulator.inject_fault(PUSH, status=500, count=3)
    emulator.inject_fault(PUSH, status=429, count=3, retry_after=30)
    for words in REQUESTS:
        assert emulator.text(demo.SOCIAL_WORKER, words).status == 200
    assert emulator.deliveries(to=demo.GROUP) == []  # every card's first attempt failed

    clock.advance(seconds=20)
    tick(services)
    throttled = [k for k, s in attempts_by_key(emulator, PUSH).items() if s[-1] == 429]
    clock.advance(seconds=5)  # 25 s after the 429s: LINE asked for 30
    tick(services)
    assert all(attempts_by_key(emulator, PUSH)[k][-1] == 429 for k in throttled)
    relay_until_drained(services, clock)

    attempts = attempts_by_key(emulator, PUSH)
    assert sorted(s for statuses in attempts.values() for s in statuses if s != 200) == [429] * 3 + [500] * 3
    assert all(statuses[-1] == 200 and statuses.count(200) == 1 for statuses in attempts.values())
    cards = [m["altText"] for m in emulator.messages(to=demo.GROUP) if m["type"] == "flex"]
    assert sorted(next(n for n in numbers(services) if n in alt) for alt in cards) == numbers(services)
    assert all(row.status == OutboxStatus.SENT for row in outbox(services))


def test_expired_reply_token_still_confirms_a_request_by_push(emulator, services, clock, group):
    emulator.configure(reply_token_ttl_seconds=0)
    assert emulator.text(demo.SOCIAL_WORKER, REQUESTS[0]).status == 200
    assert emulator.text(demo.POLICE, "說明").status == 200  # an answer nobody needs later
    assert [c["status"] for c in emulator.api_requests() if c["path"] == REPLY] == [400, 400]
    assert emulator.deliveries(to=demo.SOCIAL_WORKER) == []

    relay_until_drained(services, clock)
    [number] = numbers(services)
    [confirmation] = emulator.deliveries(to=demo.SOCIAL_WORKER)
    assert confirmation["kind"] == "push" and number in confirmation["messages"][0]["text"]
    assert emulator.deliveries(to=demo.POLICE) == []  # help is not pushed an hour later
    assert len([c for c in emulator.api_requests() if c["path"] == REPLY]) == 2  # replies are never retried


def test_reply_and_push_failing_together_still_deliver_each_once(emulator, services, clock, group):
    """LINE is down for replies and pushes at once: the confirmation becomes a push and waits it out too."""
    emulator.inject_fault(REPLY, status=500, count=1)
    emulator.inject_fault(PUSH, status=500, count=3)
    assert emulator.text(demo.SOCIAL_WORKER, REQUESTS[1]).status == 200
    relay_until_drained(services, clock)

    [number] = numbers(services)
    # The "still trying" notice lost its reply and was still waiting when the card got through: dropped,
    # so the requester reads only the confirmation, which follows the card.
    [confirmation] = emulator.texts(to=demo.SOCIAL_WORKER)
    assert confirmation.startswith(f"已將求助 {number}")
    assert len([m for m in emulator.messages(to=demo.GROUP) if m["type"] == "flex"]) == 1
    pushes = attempts_by_key(emulator, PUSH)
    assert all(s.count(200) <= 1 for s in pushes.values())


def test_a_slow_line_api_does_not_hold_up_the_webhook_answer(app, emulator, services, group):
    """LINE waits for the webhook's 200 (and redelivers after a timeout); the card push waits on LINE's API.

    The bot is served here as gunicorn serves it, without the test harness that finishes deliveries
    before answering: the webhook answers while the push is still held by LINE, and the card arrives after.
    """
    server, url = _serve(app)
    try:
        emulator.inject_fault(PUSH, status=None, delay_seconds=3.0, count=1)
        event = text_event(demo.SOCIAL_WORKER, REQUESTS[0], "01SLOWLINE0000000000000001")
        event["replyToken"] = emulator.issue_reply_token(demo.SOCIAL_WORKER, demo.SOCIAL_WORKER)
        body = encode([event])
        answered = requests.post(f"{url}/callback", data=body, timeout=2.0,  # less than LINE holds the push
                                 headers={"X-Line-Signature": sign(body), "Content-Type": "application/json"})
        assert answered.status_code == 200
        [card] = emulator.wait_for_deliveries(1, to=demo.GROUP, timeout=15)
        assert numbers(services)[0] in card["messages"][0]["altText"]
        assert [d["kind"] for d in emulator.wait_for_deliveries(1, to=demo.SOCIAL_WORKER)] == ["reply"]
    finally:
        server.shutdown()


def test_a_slow_reply_does_not_hold_up_the_webhook_answer(app, emulator, group):
    """The same for a plain answer (說明), which has no outbox row behind it."""
    server, url = _serve(app)
    try:
        emulator.inject_fault(REPLY, status=None, delay_seconds=3.0, count=1)
        event = text_event(demo.POLICE, "說明", "01SLOWLINE0000000000000002")
        event["replyToken"] = emulator.issue_reply_token(demo.POLICE, demo.POLICE)
        body = encode([event])
        answered = requests.post(f"{url}/callback", data=body, timeout=2.0,
                                 headers={"X-Line-Signature": sign(body), "Content-Type": "application/json"})
        assert answered.status_code == 200
        assert [d["kind"] for d in emulator.wait_for_deliveries(1, to=demo.POLICE, timeout=15)] == ["reply"]
    finally:
        server.shutdown()
