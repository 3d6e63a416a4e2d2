"""Requests acknowledged before they are handled: LINE gets its 200 first, and nothing is lost or doubled.

A 求助 is stored (encrypted) and answered at once; the worker handles it right after the response.
If the worker dies in between, the scheduler handles it; a redelivery never handles it twice.
"""
from __future__ import annotations

import time

import requests
from sqlalchemy import event, func, select, text

from models.incidents import Incident
from models.inbox import ProcessedEvent
from scheduler.runner import tick
from tests import demo
from tests.conftest import _serve
from tests.resilience.webhooks import encode, sign, text_event

REQUEST = "求助 @衛生局 長者獨居需要關懷訪視"


def request_body(emulator, event_id: str) -> bytes:
    event = text_event(demo.SOCIAL_WORKER, REQUEST, event_id)
    event["replyToken"] = emulator.issue_reply_token(demo.SOCIAL_WORKER, demo.SOCIAL_WORKER)
    return encode([event])


def headers(body: bytes) -> dict[str, str]:
    return {"X-Line-Signature": sign(body), "Content-Type": "application/json"}


def incidents(services) -> int:
    with services.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Incident))


def cards(emulator) -> list[dict]:
    return [m for m in emulator.messages(to=demo.GROUP) if m["type"] == "flex"]


def test_line_is_answered_before_a_slow_request_is_handled(app, services, emulator, group):
    """The request's writes take seconds (a busy database): LINE still gets its 200 at once."""
    def slow_insert(conn, cursor, statement, *_):
        if statement.startswith("INSERT INTO incidents"):
            time.sleep(3)

    server, url = _serve(app)  # served as gunicorn serves it: after-response work runs after the answer
    event.listen(services.db.engine, "before_cursor_execute", slow_insert)
    try:
        body = request_body(emulator, "01ACKFIRST0000000000000001")
        answered = requests.post(f"{url}/callback", data=body, headers=headers(body), timeout=2.0)
        assert answered.status_code == 200
        assert len(emulator.wait_for_deliveries(1, to=demo.GROUP, timeout=15)) == 1
        assert incidents(services) == 1
        assert [d["kind"] for d in emulator.wait_for_deliveries(1, to=demo.SOCIAL_WORKER)] == ["reply"]
    finally:
        event.remove(services.db.engine, "before_cursor_execute", slow_insert)
        server.shutdown()


def test_a_request_whose_worker_died_is_handled_by_the_scheduler_once(app, services, emulator, clock, group):
    body = request_body(emulator, "01ACKFIRST0000000000000002")
    # buffered=False: the response is never closed, as when the worker dies right after answering LINE.
    assert app.test_client().post("/callback", data=body, headers=headers(body), buffered=False).status_code == 200
    assert incidents(services) == 0 and cards(emulator) == []
    with services.db.transaction() as session:
        stored = session.execute(text("SELECT payload FROM processed_events WHERE webhook_event_id = :id"),
                                 {"id": "01ACKFIRST0000000000000002"}).scalar_one()
    assert stored and "長者" not in stored  # the waiting event is kept encrypted

    tick(services)  # too soon: the worker may still be handling it
    assert incidents(services) == 0
    clock.advance(seconds=30)
    emulator.configure(reply_token_ttl_seconds=0)  # and the reply token has expired meanwhile
    tick(services)
    tick(services)
    assert incidents(services) == 1 and len(cards(emulator)) == 1
    # The confirmation still arrives, once: as a push, since its reply token expired.
    [confirmation] = emulator.deliveries(to=demo.SOCIAL_WORKER)
    assert confirmation["kind"] == "push" and "已將求助" in confirmation["messages"][0]["text"]

    redelivered = body.replace(b'"isRedelivery":false', b'"isRedelivery":true')
    assert app.test_client().post("/callback", data=redelivered, headers=headers(redelivered)).status_code == 200
    tick(services)
    assert incidents(services) == 1 and len(cards(emulator)) == 1
    with services.db.transaction() as session:
        row = session.get(ProcessedEvent, "01ACKFIRST0000000000000002")
        assert row.payload is None and row.processed_at is not None  # the text is gone once handled


def test_the_same_request_twice_is_handled_once(app, services, emulator, group):
    body = request_body(emulator, "01ACKFIRST0000000000000003")
    first = app.test_client().post("/callback", data=body, headers=headers(body))
    second = app.test_client().post("/callback", data=body, headers=headers(body))
    assert (first.status_code, second.status_code) == (200, 200)
    assert incidents(services) == 1 and len(cards(emulator)) == 1


def test_a_request_that_fails_is_not_retried_forever(app, services, emulator, clock, group, monkeypatch):
    """A bug in the handler drops the event (logged) instead of failing on every tick."""
    from handlers.incidents import service

    def broken(*_args, **_kwargs):
        raise RuntimeError("bug")
    monkeypatch.setattr(service, "create", broken)
    body = request_body(emulator, "01ACKFIRST0000000000000004")
    assert app.test_client().post("/callback", data=body, headers=headers(body)).status_code == 200
    with services.db.transaction() as session:
        row = session.get(ProcessedEvent, "01ACKFIRST0000000000000004")
        assert row.processed_at is not None and row.payload is None
    clock.advance(minutes=1)
    assert tick(services)["inbox"] == 0
