"""No copy kept: an unsent message takes every stored copy along, and records are pruned after a set time.

A LINE `unsend` event clears, for that message: the capability rows that stored its text (each
capability's `forget`), the outbox bodies that quoted it, the sender's conversation drafts in that
chat (a draft or a masked version waiting for a decision), and the event itself if it still waits
in the inbox. The retention purge bounds the rest: outbox rows (whose bodies quote typed text) are
pruned after OUTBOX_RETENTION_DAYS, never later than RETENTION_DAYS, so when a capability purges
its own texts after RETENTION_DAYS no quote of them is left; processed events and audit rows are
pruned after their own periods (README's configuration table).
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.context import Ctx
from bot.events import EventKind, Inbound
from bot.messages import Outbound
from bot.privacy_outbound import shown_texts
from bot.router import Capability, Job, Route
from models.audit import AuditEntry
from models.conversations import Conversation
from models.inbox import ProcessedEvent
from models.outbox import OutboxMessage, OutboxStatus

QUOTE = 24  # a body quoting this many leading characters of a forgotten text quotes that text (cards clip)


def on_unsend(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """A message the user unsent takes every stored copy of its text with it; nothing is said."""
    if not event.message_id:
        return []
    forgotten: list[str] = []
    for forget in (ctx.router.forgetters if ctx.router is not None else ()):
        forgotten.extend(forget(ctx.session, event.message_id))
    forgotten.extend(_forget_waiting_event(ctx.session, event.message_id, ctx.now))
    if event.chat_id and event.user_id:
        ctx.session.execute(delete(Conversation).where(Conversation.chat_id == event.chat_id,
                                                       Conversation.user_id == event.user_id))
    scrub_outbox(ctx.session, forgotten)
    return []


def scrub_outbox(session: Session, texts: Iterable[str]) -> int:
    """Empty every outbox body that quotes one of the texts; an unsent one is withdrawn. Returns how many."""
    # A stored request is the text after its command word (求助 ...): look for both.
    quotes = list({part.strip()[:QUOTE] for t in texts if t and t.strip()
                   for part in (t, t.split(maxsplit=1)[-1]) if part.strip()})
    if not quotes:
        return 0
    scrubbed = 0
    for row in session.scalars(select(OutboxMessage).where(OutboxMessage.messages.is_not(None))):
        shown = list(shown_texts(row.messages or []))
        if not any(q in s for q in quotes for s in shown):
            continue
        row.messages = []
        if row.status in (OutboxStatus.PENDING, OutboxStatus.SENDING):
            row.status, row.last_error = OutboxStatus.FAILED, "withdrawn: the sender unsent the message"
        scrubbed += 1
    return scrubbed


def _forget_waiting_event(session: Session, message_id: str, now: datetime) -> list[str]:
    """An acknowledged event still waiting to be handled (bot/inbox.py) is dropped with its body."""
    texts: list[str] = []
    for row in session.scalars(select(ProcessedEvent).where(ProcessedEvent.processed_at.is_(None),
                                                            ProcessedEvent.payload.is_not(None))):
        message = _message_of(row.payload)
        if message.get("id") == message_id:
            texts.append(str(message.get("text") or ""))
            row.payload, row.processed_at = None, now
    return texts


def _message_of(payload: str | None) -> dict[str, Any]:
    try:
        message = json.loads(payload or "{}").get("message")
    except (ValueError, AttributeError):
        return {}
    return message if isinstance(message, dict) else {}


def prune(services: Any, now: datetime) -> int:
    """Job: delete outbox rows, processed events and audit rows past their periods; returns how many."""
    config = services.config
    outbox_days = min(config.outbox_retention_days, config.retention_days)
    with services.db.transaction() as session:
        done = session.execute(delete(OutboxMessage).where(
            OutboxMessage.created_at < now - timedelta(days=outbox_days),
            OutboxMessage.status.in_([OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.BUNDLED]))).rowcount or 0
        done += session.execute(delete(ProcessedEvent).where(
            ProcessedEvent.received_at < now - timedelta(days=config.processed_events_retention_days),
            ProcessedEvent.processed_at.is_not(None))).rowcount or 0
        done += session.execute(delete(AuditEntry).where(
            AuditEntry.at < now - timedelta(days=config.audit_retention_days))).rowcount or 0
    return done


CAPABILITY = Capability(
    name="retention",
    routes=(Route(on_unsend, event=EventKind.UNSEND),),
    jobs=(Job("retention_prune", prune, every=timedelta(hours=1)),),
)
