"""No copy kept: unsend and the retention purge leave no copy of a text anywhere in the database.

Each test looks at every column of every table through the ORM, so encrypted columns are read
decrypted: the text must be gone from the request row, the outbox bodies that quoted it, the
sender's conversation drafts and the inbox.
"""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from models.audit import AuditEntry
from models.inbox import ProcessedEvent
from models.outbox import OutboxMessage, OutboxStatus
from scheduler.runner import tick
from tests import demo
from tests.webhook.test_privacy_paths import stored_plaintext

BODY = "新興路附近有長者情緒激動需要心衛社工協助"


@pytest.fixture
def group(emulator):
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    return demo.GROUP


def test_unsend_removes_the_request_and_every_outbox_copy(emulator, services, group):
    sent = emulator.text(demo.SOCIAL_WORKER, f"求助 @衛生局 {BODY}")
    assert BODY in json.dumps(emulator.deliveries(to=demo.GROUP), ensure_ascii=False)
    assert BODY in stored_plaintext(services)  # the request row and the card's outbox body
    emulator.unsend(demo.SOCIAL_WORKER, sent.message_id)
    assert BODY not in stored_plaintext(services)
    with services.db.transaction() as session:
        assert session.scalars(select(OutboxMessage)).all()  # the rows stay (quota counts), their bodies went


def test_unsend_removes_a_report_and_the_group_post_quoting_it(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 需要協助")
    number = stored_number(services)
    report = "已聯繫心衛社工將於明早前往訪視評估"
    sent = emulator.text(demo.HEALTH, f"回報 {number} {report}")
    assert report in stored_plaintext(services)
    emulator.unsend(demo.HEALTH, sent.message_id)
    assert report not in stored_plaintext(services)


def test_unsend_drops_an_abandoned_draft(emulator, services, group):
    for said in ("求助", "兒少", "完成", "一般"):
        emulator.text(demo.SOCIAL_WORKER, said)
    sent = emulator.text(demo.SOCIAL_WORKER, BODY)  # the draft now holds it, waiting for 送出
    assert BODY in stored_plaintext(services)
    emulator.unsend(demo.SOCIAL_WORKER, sent.message_id)
    assert BODY not in stored_plaintext(services)


def test_unsend_drops_an_event_still_waiting_in_the_inbox_and_its_outbox_quote(emulator, services, group):
    from bot.retention import on_unsend
    from bot.inbox import context
    from bot.events import EventKind, Inbound
    raw = {"type": "message", "message": {"type": "text", "id": "m-1", "text": f"求助 {BODY}"}}
    with services.db.transaction() as session:
        session.add(ProcessedEvent(webhook_event_id="e-1", event_type="message", received_at=services.clock(),
                                   payload=json.dumps(raw, ensure_ascii=False), processed_at=None))
        session.add(OutboxMessage(kind="push", to=demo.GROUP, messages=[{"type": "text", "text": BODY}],
                                  status=OutboxStatus.PENDING, next_attempt_at=services.clock()))
    assert BODY in stored_plaintext(services)
    event = Inbound(EventKind.UNSEND, webhook_event_id="e-2", event_type="unsend", user_id=demo.SOCIAL_WORKER,
                    message_id="m-1")
    with services.db.transaction() as session:
        on_unsend(event, context(services, session, event, services.clock()))
    assert BODY not in stored_plaintext(services)
    with services.db.transaction() as session:
        [row] = session.scalars(select(OutboxMessage)).all()
        assert row.status == OutboxStatus.FAILED  # withdrawn before it went out


def test_retention_purge_leaves_no_copy_and_prunes_the_records(emulator, services, clock, app, group):
    emulator.text(demo.SOCIAL_WORKER, f"求助 @衛生局 {BODY}")
    clock.advance(minutes=16)
    tick(services)  # the scheduler ran meanwhile: the unclaimed request was re-posted, quoting it again
    assert BODY in stored_plaintext(services)
    config = services.config
    clock.advance(days=config.retention_days + 1)
    tick(services)
    stored = stored_plaintext(services)
    assert BODY not in stored
    with services.db.transaction() as session:
        assert session.scalars(select(ProcessedEvent)).all() == []
        kept = session.scalars(select(OutboxMessage.created_at)).all()  # only what this very tick said
        assert all(at >= clock() - timedelta(days=config.outbox_retention_days) for at in kept)

        assert session.scalars(select(AuditEntry)).all()  # the binding is audited, kept for a year
    clock.advance(days=config.audit_retention_days - config.retention_days)
    tick(services)
    with services.db.transaction() as session:
        assert [a.action for a in session.scalars(select(AuditEntry)) if a.at < clock() - timedelta(days=365)] == []
        assert not any(a.action == "bind_group" for a in session.scalars(select(AuditEntry)))


def test_outbox_is_never_kept_longer_than_the_text_it_quotes(emulator, services, clock, group):
    services.config = replace(services.config, retention_days=10, outbox_retention_days=45)
    emulator.text(demo.SOCIAL_WORKER, f"求助 @衛生局 {BODY}")
    clock.advance(minutes=16)
    tick(services)
    clock.advance(days=11)
    tick(services)
    assert BODY not in stored_plaintext(services)


def stored_number(services) -> str:
    from models.incidents import Incident
    with services.db.transaction() as session:
        return session.scalars(select(Incident)).one().number
