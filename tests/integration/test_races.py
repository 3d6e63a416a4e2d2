"""Two gunicorn workers at once: one claim wins, one conversation step advances once."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from app import create_app
from bot import conversations
from handlers.meetings import flow as meetings_flow
from models.incidents import Incident, IncidentUpdate, UpdateKind
from tests import demo
from tests.conftest import SECRET


def postback_body(user: str, data: str, event_id: str, reply_token: str = "r" * 32) -> bytes:
    return json.dumps({"destination": "Ubot", "events": [{
        "type": "postback", "mode": "active", "timestamp": int(time.time() * 1000),
        "source": {"type": "group", "groupId": demo.GROUP, "userId": user}, "webhookEventId": event_id,
        "deliveryContext": {"isRedelivery": False}, "replyToken": reply_token,
        "postback": {"data": data}}]}).encode()


def _request_in_bound_group(emulator, services) -> int:
    """A 求助 asking 衛生局 and 分局, posted to the district's bound group; its id."""
    emulator.join(demo.GROUP)
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 @分局 需要協助")
    with services.db.transaction() as session:
        return session.scalars(select(Incident.id)).one()


def post_together(apps_and_bodies) -> list[int]:
    barrier = threading.Barrier(len(apps_and_bodies))
    statuses: list[int] = []

    def post(flask_app, body) -> None:
        signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
        barrier.wait()
        statuses.append(flask_app.test_client().post("/callback", data=body, content_type="application/json",
                                                     headers={"X-Line-Signature": signature}).status_code)

    threads = [threading.Thread(target=post, args=pair) for pair in apps_and_bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_two_units_claim_at_the_same_moment_one_wins(app, config, clock, emulator, services):
    incident_id = _request_in_bound_group(emulator, services)
    second = create_app(replace(config, line_api_base_url=services.config.line_api_base_url), clock=clock)
    data = f"action=inc_claim&id={incident_id}"
    before = len(emulator.texts(demo.GROUP))
    health_token, police_token = (emulator.issue_reply_token(demo.GROUP, user) for user in (demo.HEALTH, demo.POLICE))
    statuses = post_together([
        (app, postback_body(demo.HEALTH, data, "01CLAIMRACE000000000000001", health_token)),
        (second, postback_body(demo.POLICE, data, "01CLAIMRACE000000000000002", police_token))])
    second.extensions["services"].db.dispose()
    assert statuses == [200, 200]
    with services.db.transaction() as session:
        claims = session.scalars(select(IncidentUpdate).where(IncidentUpdate.kind == UpdateKind.CLAIM)).all()
        winner = session.get(Incident, incident_id).claimed_unit_id
    said = emulator.texts(demo.GROUP)[before:]
    assert len(claims) == 1 and claims[0].unit_id == winner
    assert sum("已認領求助" in t for t in said) == 1 and sum("認領處理中" in t for t in said) == 1


def test_chatter_that_writes_after_another_writer_is_answered_and_recorded_once(emulator, services):
    """Group chatter begins as a read-only transaction (on SQLite: without the write lock). When it turns
    out to answer a step of the speaker's flow in progress, it writes; if another writer committed in
    between, the event runs again, taking the lock first: one answer, one step taken, one dedupe row.
    (A text with personal data no longer serves as the example: it takes the lock up front.)"""
    from models.conversations import Conversation
    from models.inbox import ProcessedEvent
    from models.rate_limits import RateWindow

    emulator.join(demo.GROUP)
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.reset()
    with services.db.transaction() as session:
        recorded_before = len(session.scalars(select(ProcessedEvent)).all())
        # A meeting being planned in the group, waiting for its place.
        conversations.start(session, demo.GROUP, demo.POLICE, meetings_flow.FLOW.name, "place", services.clock(), 60)
        before = session.scalars(select(Conversation)).one()
        step_before, version_before = before.step, before.version
    raced: list[str] = []

    def another_writer_first(conn, cursor, statement: str, *_) -> None:
        if statement.startswith("INSERT INTO rate_limits") and not raced:  # the event's first write
            raced.append(statement)
            thread = threading.Thread(target=_write_elsewhere, args=(services,))
            thread.start()
            thread.join()

    from sqlalchemy import event as sa_event
    engines = {services.db.engine, services.db.autocommit_engine}  # the count commits on its own on PostgreSQL
    for engine in engines:
        sa_event.listen(engine, "before_cursor_execute", another_writer_first)
    try:
        response = emulator.text(demo.POLICE, "三樓會議室", group_id=demo.GROUP)  # no command word: chatter
    finally:
        for engine in engines:
            sa_event.remove(engine, "before_cursor_execute", another_writer_first)
    assert raced and response.status == 200
    assert len(emulator.texts(to=demo.GROUP)) == 1  # answered once
    with services.db.transaction() as session:
        after = session.scalars(select(Conversation)).one()
        recorded = session.scalars(select(ProcessedEvent)).all()
        other = session.scalars(select(RateWindow).where(RateWindow.user_id == "Uelsewhere")).all()
    assert after.step != step_before and after.version == version_before + 1 and other  # one step taken
    assert len(recorded) == recorded_before + 1


def _write_elsewhere(services) -> None:
    """Another worker's write, committed while the chatter's transaction has only read."""
    from bot import rate_limits
    with services.db.transaction() as session:
        rate_limits.count(session, "Uelsewhere", datetime.now(timezone.utc))


def test_a_claim_waiting_for_its_request_holds_up_none_of_the_same_users_commands(app, emulator, services):
    """PostgreSQL: the tap on 我來處理 waits while another claim of the same request is being decided. The
    same person's 說明 meanwhile must not wait behind it (it once did, on the minute's rate-limit count)."""
    if not services.db.is_postgres:
        pytest.skip("SQLite takes turns on one write lock: a waiting claim holds it, by design")
    incident_id = _request_in_bound_group(emulator, services)
    token = emulator.issue_reply_token(demo.GROUP, demo.HEALTH)
    body = postback_body(demo.HEALTH, f"action=inc_claim&id={incident_id}", "01CLAIMWAIT000000000000001", token)
    with services.db.transaction() as holder:  # another worker is deciding a claim of the same request
        holder.scalars(select(Incident).where(Incident.id == incident_id).with_for_update()).one()
        claim = threading.Thread(target=post_together, args=([(app, body)],))
        claim.start()
        time.sleep(0.5)  # the claim has counted its tap and now waits for the request's lock
        started = time.monotonic()
        assert emulator.text(demo.HEALTH, "說明").status == 200
        assert time.monotonic() - started < 5  # answered while the claim still waits (the lock is ours)
        assert claim.is_alive()
    claim.join(30)
    with services.db.transaction() as session:
        assert session.get(Incident, incident_id).claimed_unit_id is not None  # and the claim went through


def test_a_tap_on_a_request_already_claimed_is_refused_without_waiting_for_its_lock(app, emulator, services):
    """PostgreSQL: in a burst, every 我來處理 after the first is refused. A request only moves forward, so the
    refusal read without the row lock stands, and it does not queue behind another transaction holding it."""
    if not services.db.is_postgres:
        pytest.skip("SQLite takes turns on one write lock: a waiting claim holds it, by design")
    incident_id = _request_in_bound_group(emulator, services)
    emulator.postback(demo.HEALTH, f"action=inc_claim&id={incident_id}", group_id=demo.GROUP)
    token = emulator.issue_reply_token(demo.GROUP, demo.POLICE)
    body = postback_body(demo.POLICE, f"action=inc_claim&id={incident_id}", "01CLAIMLATE000000000000001", token)
    with services.db.transaction() as holder:  # another worker holds the request (a close being decided)
        holder.scalars(select(Incident).where(Incident.id == incident_id).with_for_update()).one()
        tap = threading.Thread(target=post_together, args=([(app, body)],))
        tap.start()
        tap.join(5)
        assert not tap.is_alive()  # answered while the lock is still held
    assert "已由" in emulator.texts(to=demo.GROUP)[-1] and "認領處理中" in emulator.texts(to=demo.GROUP)[-1]
    with services.db.transaction() as session:
        claims = session.scalars(select(IncidentUpdate).where(IncidentUpdate.kind == UpdateKind.CLAIM)).all()
        assert len(claims) == 1  # the first claim only


def test_the_same_keyed_message_written_by_two_workers_at_once_is_kept_once_and_neither_fails(services):
    """Two transactions enqueue the message with the same dedupe key before either commits (LINE redelivering
    an event while its first delivery is still being handled). One row is kept; the second transaction is
    not rolled back for it: on PostgreSQL it waits for the first and then writes nothing."""
    from bot import outbox
    from bot.messages import push, text
    from models.outbox import OutboxMessage
    now = datetime.now(timezone.utc)
    said = push(demo.GROUP, text("同一則訊息"), dedupe_key="race:same-key")
    second: list[object] = []

    def enqueue_meanwhile() -> None:
        with services.db.transaction() as session:
            second.append(outbox.enqueue(session, said, chat_id=None, reply_token=None, now=now))
            session.add(OutboxMessage(kind="push", to=demo.GROUP, messages=[], created_at=now))  # its other work

    with services.db.transaction() as session:
        first = outbox.enqueue(session, said, chat_id=None, reply_token=None, now=now)
        other = threading.Thread(target=enqueue_meanwhile)
        if services.db.is_postgres:  # SQLite's writers take turns: the second begins once the first commits
            other.start()
            time.sleep(0.5)
    if not services.db.is_postgres:
        other.start()
    other.join(30)
    assert first is not None and second == [None]
    with services.db.transaction() as session:
        keyed = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == "race:same-key")).all()
        assert len(keyed) == 1 and keyed[0].id == first.id
        assert session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.is_(None))).all()  # kept
