"""The webhook's inbox: the record of events received, and the events acknowledged before handling.

Every event that changes something leaves a `processed_events` row with its webhookEventId, so a
redelivery acts no more. Routes marked `acknowledge_first` (a 求助, which allocates a number,
schedules escalations and posts a card) go further: the event itself is stored, encrypted, in a
short transaction of its own; LINE gets its 200 at once; the worker handles the event right after
the response. If the worker dies first, the scheduler handles what is still waiting. Either way the
row is claimed (FOR UPDATE SKIP LOCKED) and marked handled in the handler's own transaction, so the
event is handled exactly once, and its text leaves the row when it is.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Callable

from linebot.v3.webhooks import Event
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot import outbox, privacy_outbound
from bot.context import AFTER_RESPONSE, Ctx
from bot.db import insert_on_conflict, write
from bot.events import Inbound, from_sdk
from bot.gateway import Gateway
from bot.messages import Message, Outbound
from bot.services import Services
from models.inbox import ProcessedEvent
from models.outbox import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# The worker that acknowledged an event handles it within milliseconds; the scheduler waits this long first.
GRACE = timedelta(seconds=20)


@dataclass(frozen=True)
class Delivery:
    """What one event leaves to do after the response: a plain reply, leased outbox rows, or handling it."""

    reply_token: str | None = None
    reply: list[Message] = field(default_factory=list)
    claimed: list[OutboxMessage] = field(default_factory=list)
    waiting_event_id: str | None = None
    waiting_event: Inbound | None = None  # the acknowledged event as parsed, so the worker need not read it back
    followups: list[Callable[[Services], None]] = field(default_factory=list)  # Ctx.after_response
    loading_for: str | None = None  # a 1:1 chat shown LINE's loading animation if the event is slow (bot/loading.py)

    def __bool__(self) -> bool:
        return bool(self.reply or self.claimed or self.waiting_event_id or self.followups)

    @classmethod
    def of(cls, event: Inbound, answer: Outbound | None, claimed: list[OutboxMessage],
           session: Session | None = None) -> "Delivery":
        """What a handled event leaves: its plain reply (if any), its claimed outbox rows, its follow-ups."""
        followups = list(session.info.get(AFTER_RESPONSE, ())) if session is not None else []
        return cls(event.reply_token, answer.messages if answer else [], claimed, followups=followups)


def context(services: Services, session: Session, event: Inbound, now: datetime) -> Ctx:
    return Ctx(session=session, now=now, config=services.config, directory=services.directory,
               line=services.gateway, user_id=event.user_id, group_id=event.group_id,
               commands=services.router.commands, event=event, router=services.router)


def dispatch(services: Services, session: Session, event: Inbound,
             now: datetime) -> tuple[Outbound | None, list[Outbound]]:
    """Run the event through the router; split what it says into a plain reply and the rest."""
    ctx = context(services, session, event, now)
    said = outbox.merge_replies(privacy_outbound.screen_event(ctx, event, services.router.dispatch(event, ctx)))
    plain = next((o for o in said if is_plain_reply(o, event)), None)
    return plain, [o for o in said if o is not plain]


def is_plain_reply(said: Outbound, event: Inbound) -> bool:
    """A reply that may be lost with its token: no push fallback, no dedupe key.

    It needs no outbox row: a reply token is spent by its first use and expires within minutes, so
    neither a redelivery nor the relay could send it again anyway.
    """
    return (said.to is None and event.reply_token is not None and not said.push_if_reply_fails
            and said.dedupe_key is None)


def store(session: Session, event_id: str, event_type: str, raw: dict[str, Any], now: datetime) -> bool:
    """Keep an acknowledged event (encrypted) until it is handled; False if it was already received.

    A repeat (LINE's redelivery, or another worker that has it) inserts nothing rather than failing: a
    failed INSERT would roll the transaction back, and a rollback makes psycopg forget every statement
    it had prepared on that connection, so the next hundreds of statements were parsed and planned anew.
    """
    stored = write(session, _store(session.get_bind().dialect.name),
                   {"webhook_event_id": event_id, "event_type": event_type, "received_at": now,
                    "payload": json.dumps(raw, ensure_ascii=False), "processed_at": None, "attempts": 0})
    return stored.first() is not None


@lru_cache(maxsize=2)
def _store(dialect: str) -> Any:
    table = ProcessedEvent.__table__
    return insert_on_conflict(dialect, table).on_conflict_do_nothing(index_elements=[table.c.webhook_event_id]).returning(
        table.c.webhook_event_id)


def handle_waiting(services: Services, event_id: str, event: Inbound) -> Delivery:
    """Handle the event this worker acknowledged, unless the scheduler got to it first (after the response).

    The row is claimed and marked handled in one statement at the start of the handler's transaction
    (its text leaves the row there); if the handler fails, the transaction rolls back and it waits again.
    """
    try:
        with services.db.transaction() as session:
            now = services.clock()
            received_at = write(session, _CLAIM, {"event_id": event_id, "now": now}).scalar()
            if received_at is None:
                return Delivery()  # handled already, or being handled by the scheduler right now
            answer, rest = dispatch(services, session, event, received_at)
            return Delivery.of(event, answer, outbox.enqueue_claimed_all(
                session, rest, now, chat_id=event.chat_id, reply_token=event.reply_token,
                bundle_window=services.config.bundle_window), session)
    except Exception as exc:
        _note_failure(services, event_id, exc)
        return Delivery()


def send(services: Services, delivery: Delivery, gateway: Gateway | None = None) -> None:
    """Send what an event left to do (after the webhook's response), through `gateway` if given."""
    line = gateway or services.gateway
    if delivery.reply:
        outbox.reply_now(line, delivery.reply_token or "", delivery.reply)
    outbox.send_claimed(services.db, line, delivery.claimed, services.clock())
    for work in delivery.followups:
        try:
            work(services)
        except Exception as exc:  # a nicety (a member count): the event itself is done
            log.warning("after-response work failed: %s", type(exc).__name__)


def resume_waiting(services: Services, now: datetime) -> int:
    """Job: handle events whose worker died after acknowledging them; the relay sends what they say."""
    with services.db.transaction() as session:
        waiting = list(session.scalars(select(ProcessedEvent.webhook_event_id).where(
            ProcessedEvent.processed_at.is_(None), ProcessedEvent.received_at <= now - GRACE)
            .order_by(ProcessedEvent.received_at).limit(500)))
    for event_id in waiting:
        _resume(services, event_id)
    return len(waiting)


_STILL_WAITING = (ProcessedEvent.webhook_event_id == bindparam("event_id"), ProcessedEvent.processed_at.is_(None))
# Built once: the worker's claim of its own event, one statement per 求助. A row the scheduler holds is skipped.
_CLAIM = (update(ProcessedEvent)
          .where(ProcessedEvent.webhook_event_id.in_(
              select(ProcessedEvent.webhook_event_id).where(*_STILL_WAITING).with_for_update(skip_locked=True)))
          .values(payload=None, processed_at=bindparam("now"))
          .returning(ProcessedEvent.received_at))
_WAITING = select(ProcessedEvent).where(*_STILL_WAITING).with_for_update(skip_locked=True)


def _resume(services: Services, event_id: str) -> None:
    """Handle an event its worker never got to; what it says goes to the relay (too late for first-hand)."""
    try:
        with services.db.transaction() as session:
            row = session.scalars(_WAITING, {"event_id": event_id}).first()
            if row is None:
                return  # handled meanwhile, or being handled by someone else right now
            event, now = _inbound(row.payload), services.clock()
            answer, rest = dispatch(services, session, event, row.received_at)
            row.payload, row.processed_at = None, now
            for said in ([answer] if answer else []) + rest:
                outbox.enqueue(session, said, chat_id=event.chat_id, reply_token=event.reply_token, now=now,
                               bundle_window=services.config.bundle_window)
    except Exception as exc:
        _note_failure(services, event_id, exc)


def _inbound(payload: str | None) -> Inbound:
    return from_sdk(Event.from_dict(json.loads(payload or "{}")))


def _note_failure(services: Services, event_id: str, exc: Exception) -> None:
    """A database hiccup leaves the event for the scheduler to try again; a failing handler gives up."""
    retry = isinstance(exc, DBAPIError)
    log.error("inbox: event failed with %s (%s)", type(exc).__name__, "will retry" if retry else "dropped")
    try:
        with services.db.transaction() as session:
            row = session.get(ProcessedEvent, event_id)
            if row is None or row.processed_at is not None:
                return
            row.attempts += 1
            if not retry or row.attempts >= MAX_ATTEMPTS:
                row.payload, row.processed_at = None, services.clock()
    except DBAPIError:
        pass  # the database is away: the row stays waiting
