"""The webhook as LINE uses it: signatures, sizes, unknown events, redelivery, database failure."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select

from emulator.settings import openapi_dir
from models.conversations import Conversation
from models.inbox import ProcessedEvent
from models.outbox import OutboxMessage
from tests import demo
from tests.conftest import SECRET

FIXTURE = Path(openapi_dir()) / "sdk-webhook-events.json"


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def post(client, body: bytes, secret: str = SECRET):
    """Post a body as LINE does: JSON, signed with the channel secret."""
    return client.post("/callback", data=body, content_type="application/json",
                       headers={"X-Line-Signature": sign(body, secret)})


def text_event(text: str, event_id: str = "01TESTEVENT0000000000000001", user: str = demo.SOCIAL_WORKER,
               redelivery: bool = False, reply_token: str = "r" * 32) -> bytes:
    return json.dumps({"destination": "Ubot", "events": [{
        "type": "message", "mode": "active", "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user}, "webhookEventId": event_id,
        "deliveryContext": {"isRedelivery": redelivery}, "replyToken": reply_token,
        "message": {"id": "1", "type": "text", "text": text, "quoteToken": "q"}}]}).encode()


def fresh_text(emulator, text: str, event_id: str = "01TESTEVENT0000000000000001",
               user: str = demo.SOCIAL_WORKER, redelivery: bool = False) -> bytes:
    """A text event with a reply token the emulator issued, so a reply to it really arrives."""
    return text_event(text, event_id, user, redelivery, emulator.issue_reply_token(user, user))


def processed(services) -> int:
    with services.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(ProcessedEvent))


def test_good_signature_is_accepted(client, emulator):
    response = post(client, fresh_text(emulator, "說明"))
    assert response.status_code == 200
    assert any("求助" in t for t in emulator.texts(demo.SOCIAL_WORKER))


def test_wrong_signature_is_refused_and_nothing_done(client, services, emulator):
    response = post(client, fresh_text(emulator, "註冊", user=demo.NEWCOMER), "other-secret")
    assert response.status_code == 400
    assert processed(services) == 0 and emulator.deliveries() == []


def test_missing_signature_is_refused(client, services, emulator):
    response = client.post("/callback", data=fresh_text(emulator, "註冊", user=demo.NEWCOMER))
    assert response.status_code == 400
    assert processed(services) == 0 and emulator.deliveries() == []


def test_events_that_change_nothing_store_nothing(client, services, emulator):
    """Chatter and read-only commands leave no rows behind: a busy group does not grow the database."""
    for index, text in enumerate(["說明", "資源", "今天天氣很好"]):
        assert post(client, fresh_text(emulator, text, event_id=f"01READONLY{index:016d}")).status_code == 200
    assert processed(services) == 0
    assert len(emulator.texts(demo.SOCIAL_WORKER)) >= 3
    with services.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_chatter_that_answers_a_flow_advances_it_once_and_is_answered_once(client, services, emulator):
    """Plain text is expected to only read; in a flow it writes after all, and is run again to do so."""
    assert post(client, fresh_text(emulator, "活動", event_id="01FLOWSTART0000000000000001")).status_code == 200
    said = len(emulator.texts(demo.SOCIAL_WORKER))
    assert post(client, fresh_text(emulator, "家暴防治宣導講座", event_id="01FLOWTITLE0000000000000001")).status_code == 200
    answers = emulator.texts(demo.SOCIAL_WORKER)[said:]
    assert len(answers) == 1 and "請選擇日期" in answers[0]
    with services.db.transaction() as session:
        row = session.scalars(select(Conversation).where(Conversation.user_id == demo.SOCIAL_WORKER)).one()
        assert row.step == "day" and "家暴防治宣導講座" in json.dumps(row.data, ensure_ascii=False)
    assert processed(services) == 2  # both events recorded once: a redelivery of either acts no more


def test_an_event_that_changes_something_is_recorded(client, services, emulator):
    assert post(client, fresh_text(emulator, "註冊", user=demo.NEWCOMER)).status_code == 200
    assert processed(services) == 1
    assert emulator.texts(demo.NEWCOMER)


def test_malformed_json_with_valid_signature_is_400(client, services):
    body = b'{"events": [ {"type": '
    assert post(client, body).status_code == 400
    body = b'{"destination": "U1"}'
    assert post(client, body).status_code == 400


def test_oversized_body_is_413(client, services):
    body = b'{"events": [], "pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    assert post(client, body).status_code == 413
    assert processed(services) == 0


def test_every_sdk_fixture_event_gets_200(client, emulator):
    """All 28 event types LINE sends (unsend, memberJoined, messageEdited, an unknown one...)."""
    payload = json.loads(FIXTURE.read_text())
    for index, event in enumerate(payload["events"]):
        event["webhookEventId"] = f"01FIXTURE{index:017d}"
        body = json.dumps({"destination": payload["destination"], "events": [event]}).encode()
        response = post(client, body)
        assert response.status_code == 200, (event["type"], response.data)
    body = json.dumps(payload).encode()
    assert post(client, body).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_redelivery_is_processed_once(emulator, app):
    sent = emulator.text(demo.SOCIAL_WORKER, "說明")
    assert sent.status == 200
    again = emulator.redeliver(sent.webhook_event_id)
    assert again.status == 200
    replies = [d for d in emulator.deliveries() if d["kind"] == "reply"]
    assert len(replies) == 1


def to_two_workers_at_once(app, config, clock, body: bytes) -> list[int]:
    """Post the same body to two apps (two gunicorn workers) at the same moment; their statuses."""
    from dataclasses import replace
    from app import create_app
    second = create_app(replace(config, line_api_base_url=app.extensions["services"].config.line_api_base_url),
                        clock=clock)
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def deliver(flask_app) -> None:
        barrier.wait()
        statuses.append(post(flask_app.test_client(), body).status_code)

    threads = [threading.Thread(target=deliver, args=(a,)) for a in (app, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    second.extensions["services"].db.dispose()
    return statuses


def test_same_event_to_two_workers_at_once_acts_once(app, config, clock, emulator):
    """Two gunicorn workers receive the same retried request concurrently."""
    body = fresh_text(emulator, "註冊", event_id="01RACE00000000000000000001", user=demo.NEWCOMER)
    assert to_two_workers_at_once(app, config, clock, body) == [200, 200]
    with app.extensions["services"].db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == 1
        assert session.scalar(select(func.count()).select_from(Conversation)) == 1
    assert len(emulator.deliveries(demo.NEWCOMER)) == 1


def test_same_read_only_event_to_two_workers_answers_once(app, config, clock, emulator):
    """Nothing is recorded for 說明, yet the user sees one answer: LINE takes a reply token once."""
    body = fresh_text(emulator, "說明", event_id="01RACE00000000000000000002")
    assert to_two_workers_at_once(app, config, clock, body) == [200, 200]
    assert len(emulator.deliveries(demo.SOCIAL_WORKER)) == 1


def test_database_down_answers_503_then_redelivery_succeeds_once(app, client, services, emulator):
    body = fresh_text(emulator, "註冊", event_id="01DBDOWN000000000000000001", user=demo.NEWCOMER)
    healthy_engine = services.db.engine
    services.db.engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"
                                       if services.db.is_postgres else "sqlite:////nonexistent/dir/db.sqlite3")
    services.db.sessions.configure(bind=services.db.engine)
    try:
        response = post(client, body)
        assert response.status_code == 503
        assert client.get("/healthz").status_code == 503
    finally:
        services.db.engine = healthy_engine
        services.db.sessions.configure(bind=healthy_engine)
    assert processed(services) == 0
    redelivered = text_event("註冊", event_id="01DBDOWN000000000000000001", user=demo.NEWCOMER, redelivery=True,
                             reply_token=json.loads(body)["events"][0]["replyToken"])
    assert post(client, redelivered).status_code == 200
    assert post(client, redelivered).status_code == 200
    assert processed(services) == 1
    assert len(emulator.deliveries(demo.NEWCOMER)) == 1


def test_wrong_content_type_is_415_and_nothing_stored(client, services):
    body = text_event("說明")
    response = client.post("/callback", data=body, content_type="text/plain",
                           headers={"X-Line-Signature": sign(body)})
    assert response.status_code == 415
    assert processed(services) == 0
