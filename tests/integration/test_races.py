"""Two gunicorn workers at once: one claim wins, one conversation step advances once."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from datetime import datetime, timezone
from dataclasses import replace

from sqlalchemy import select

from app import create_app
from models.incidents import Incident, IncidentUpdate, UpdateKind
from tests import demo
from tests.conftest import SECRET


def postback_body(user: str, data: str, event_id: str, reply_token: str = "r" * 32) -> bytes:
    return json.dumps({"destination": "Ubot", "events": [{
        "type": "postback", "mode": "active", "timestamp": int(time.time() * 1000),
        "source": {"type": "group", "groupId": demo.GROUP, "userId": user}, "webhookEventId": event_id,
        "deliveryContext": {"isRedelivery": False}, "replyToken": reply_token,
        "postback": {"data": data}}]}).encode()


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
    emulator.join(demo.GROUP)
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 @分局 需要協助")
    with services.db.transaction() as session:
        incident_id = session.scalars(select(Incident.id)).one()
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
    out to hold personal data it writes; if another writer committed in between, the event runs again,
    taking the lock first: one unsend request, one audit row, one dedupe row."""
    from models.audit import AuditEntry
    from models.inbox import ProcessedEvent
    from models.rate_limits import RateWindow

    emulator.join(demo.GROUP)
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.reset()
    with services.db.transaction() as session:
        recorded_before = len(session.scalars(select(ProcessedEvent)).all())
    raced: list[str] = []

    def another_writer_first(conn, cursor, statement: str, *_) -> None:
        if statement.startswith("INSERT INTO audit_log") and not raced:
            raced.append(statement)
            thread = threading.Thread(target=_write_elsewhere, args=(services,))
            thread.start()
            thread.join()

    from sqlalchemy import event as sa_event
    sa_event.listen(services.db.engine, "before_cursor_execute", another_writer_first)
    try:
        response = emulator.text(demo.POLICE, "個案陳小明住中壢區新興路100號5樓，電話0933-111-222",
                                 group_id=demo.GROUP)
    finally:
        sa_event.remove(services.db.engine, "before_cursor_execute", another_writer_first)
    assert raced and response.status == 200
    [said] = emulator.texts(to=demo.GROUP)
    assert "收回" in said
    with services.db.transaction() as session:
        audits = session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy_refused")).all()
        recorded = session.scalars(select(ProcessedEvent)).all()
        other = session.scalars(select(RateWindow).where(RateWindow.user_id == "Uelsewhere")).all()
    assert len(audits) == 1 and other
    assert len(recorded) == recorded_before + 1


def _write_elsewhere(services) -> None:
    """Another worker's write, committed while the chatter's transaction has only read."""
    from bot import rate_limits
    with services.db.transaction() as session:
        rate_limits.count(session, "Uelsewhere", datetime.now(timezone.utc))
