"""POST /callback and GET /healthz.

An event flows one way: signature check -> router -> handler -> dedupe row and outbox (same
transaction) -> commit -> 200 to LINE -> delivery. Events that change nothing skip the dedupe row
and the outbox; routes marked acknowledge_first are stored and handled after the 200 (see
handle_event and bot/inbox.py). A database failure answers 503 so LINE redelivers; the
transaction rolls back, so nothing is half-written.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from bot import inbox, outbox
from bot.db import WroteWhileReading, has_written, lost_write_race, write
from bot.events import Inbound, from_sdk
from bot.inbox import Delivery
from bot.loading import LoadingWhileSlow
from bot.messages import Outbound
from bot.services import Services
from models.inbox import ProcessedEvent
from models.outbox import OutboxMessage

log = logging.getLogger(__name__)
blueprint = Blueprint("webhook", __name__)


@blueprint.post("/callback")
def callback() -> Response | tuple[Response, int]:
    services: Services = current_app.extensions["services"]
    signature = request.headers.get("X-Line-Signature")
    if not signature:
        return _problem("missing X-Line-Signature", 400)
    if request.mimetype != "application/json":
        return _problem("webhook bodies are application/json", 415)
    body = request.get_data(as_text=True)
    try:
        events = WebhookParser(services.config.channel_secret).parse(body, signature)
    except InvalidSignatureError:
        log.warning("webhook: bad signature")
        return _problem("invalid signature", 400)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        log.warning("webhook: malformed body")
        return _problem("malformed body", 400)
    raw_events = _raw_events(body)
    deliveries: list[Delivery] = []
    answer: tuple[Response, int] | Response = Response(_OK, mimetype="application/json")
    stale = 0
    for index, event in enumerate(events):
        if _too_old(event, services.config.event_max_age_minutes):
            stale += 1
            continue
        try:
            deliveries.append(_handle_with_fresh_connection(
                services, from_sdk(event), raw_events[index] if index < len(raw_events) else {}))
        except (OperationalError, InterfaceError, IntegrityError) as exc:
            # The database is away, or two workers collided on a unique row: both pass, so LINE redelivers.
            log.error("webhook: %s; asking LINE to redeliver", type(exc).__name__)
            answer = _problem("temporarily unavailable", 503)
            break
        except DBAPIError as exc:  # the event itself cannot be stored: redelivering it would fail the same way
            log.warning("webhook: %s event not storable (%s), skipped", event.type, type(exc).__name__)
        except Exception as exc:  # a bug in one handler must not make LINE redeliver the whole batch forever
            log.error("webhook: %s event failed with %s (rolled back)", event.type, type(exc).__name__)
    if stale:
        log.warning("webhook: %d event(s) older than %d minutes acknowledged and ignored (replay window)",
                    stale, services.config.event_max_age_minutes)
    deliveries = [d for d in deliveries if d]
    if deliveries:
        _deliver_after_response(answer[0] if isinstance(answer, tuple) else answer, services, deliveries)
    return answer


_OK = '{"status":"ok"}\n'  # what jsonify(status="ok") writes, without building it for every webhook


def _too_old(event: Any, max_age_minutes: int) -> bool:
    """Whether the event happened longer ago than LINE would still redeliver it (a replay, or far too late).

    Measured against the wall clock, not the app's clock: it is about when LINE sent the event.
    """
    timestamp = getattr(event, "timestamp", None)
    if not isinstance(timestamp, int) or max_age_minutes <= 0:
        return False
    age_ms = time.time() * 1000 - timestamp
    return age_ms > max_age_minutes * 60_000


def _deliver_after_response(response: Response, services: Services, deliveries: list[Delivery]) -> None:
    """Handle acknowledged events and send what the events produced once LINE has its answer.

    Outbox rows are leased: if this worker dies first, the scheduler's relay sends them when the lease
    ends, and the scheduler handles acknowledged events still waiting. A plain reply has no row: like a
    reply LINE refuses, it is not retried (the user asks again).
    """
    def deliver() -> None:
        for delivery in deliveries:
            loading = LoadingWhileSlow(services.gateway, delivery.loading_for) if delivery.loading_for else None
            try:
                if delivery.waiting_event_id and delivery.waiting_event:
                    delivery = inbox.handle_waiting(services, delivery.waiting_event_id, delivery.waiting_event)
                inbox.send(services, delivery, loading)
            except Exception as exc:  # leases and the inbox cover it; nothing else can be done after the response
                log.error("webhook: delivery after the response failed with %s", type(exc).__name__)
            finally:
                if loading is not None:
                    loading.settle()
    response.call_on_close(deliver)


@blueprint.get("/healthz")
def healthz() -> tuple[Response, int]:
    services: Services = current_app.extensions["services"]
    try:
        services.db.ping()
    except DBAPIError:
        return jsonify(status="database unreachable"), 503
    return jsonify(status="ok"), 200


def handle_event(services: Services, event: Inbound, raw: dict[str, Any], writes: bool = True) -> Delivery:
    """Process one event exactly once; return what it leaves to do after the response.

    An event that changed something or pushes is recorded (its webhookEventId) in the same
    transaction as its changes and its outbox rows, so a redelivery finds it and acts no more. An
    event that changed nothing and at most answers with its reply token needs neither: doing it
    again cannot show twice, because LINE accepts a reply token once. That is most of a group's
    traffic (chatter, stickers, 說明), so it costs one read-only transaction and no writes. A plain
    reply never gets an outbox row: nothing could resend it once its token is spent or expired.
    Routes marked `acknowledge_first` are only stored here and handled after the response (bot/inbox.py).
    `writes=False` opens the transaction as read-only (on SQLite: without taking the write lock first).
    """
    now = services.clock()
    event_id = _storable_id(event.webhook_event_id, raw)
    event_type = _clean(event.event_type)[:40]
    claimed: list[OutboxMessage] = []
    answer: Outbound | None = None
    try:
        with services.db.transaction(writes=writes) as session:
            if services.router.acknowledges_first(event):
                if not inbox.store(session, event_id, event_type, raw, now):
                    return _received_before(event)
                # A heavy step (求助) runs after the 200: in 1:1 chat, if it is slow, LINE shows the bot at work.
                return Delivery(waiting_event_id=event_id, waiting_event=event, loading_for=None if event.in_group else event.user_id)
            if event.is_redelivery and _recorded(session, event_id):
                log.info("webhook: redelivered event already processed, skipped")
                return Delivery()
            answer, rest = inbox.dispatch(services, session, event, now)
            if has_written(session) or rest:
                write(session, insert(ProcessedEvent), {"webhook_event_id": event_id, "event_type": event_type,
                                                        "received_at": now, "processed_at": now})
                claimed = outbox.enqueue_claimed_all(session, rest, now, chat_id=event.chat_id,
                                                     reply_token=event.reply_token,
                                                     bundle_window=services.config.bundle_window)
            delivery = Delivery.of(event, answer, claimed, session)
    except IntegrityError:
        # Two workers got the same event at once (a retry during a slow answer): the loser finds the
        # winner's record once the winner has committed, and stands down. Anything else is a real conflict.
        if not _already_received(services, event_id):
            raise
        return _received_before(event)
    return delivery


def _received_before(event: Inbound) -> Delivery:
    """Stand down: this event was received before (LINE redelivered it, or another worker has it)."""
    log.info("webhook: event already received, skipped (redelivery=%s)", event.is_redelivery)
    return Delivery()


def _already_received(services: Services, event_id: str) -> bool:
    with services.db.transaction() as session:
        return _recorded(session, event_id)


# Whether an event was recorded: its id only (loading the row would decrypt the stored event for nothing).
_RECORDED = select(ProcessedEvent.webhook_event_id).where(ProcessedEvent.webhook_event_id == bindparam("event_id"))


def _recorded(session: Session, event_id: str) -> bool:
    return session.connection().execute(_RECORDED, {"event_id": event_id}).first() is not None


def _handle_with_fresh_connection(services: Services, event: Inbound, raw: dict[str, Any]) -> Delivery:
    """A pooled connection that died (database restarted) is replaced and the event tried once more.

    So is an event expected to only read that wrote after all: on SQLite it lost the write lock to
    another writer and was rolled back; on PostgreSQL its first write was refused before it was sent.
    Either way nothing was written, and it runs again in a transaction that writes.
    """
    writes = services.router.expects_writes(event, counted_apart=services.db.is_postgres)
    try:
        return handle_event(services, event, raw, writes=writes)
    except WroteWhileReading:
        return handle_event(services, event, raw)
    except DBAPIError as exc:
        if exc.connection_invalidated:
            log.warning("webhook: database connection was stale; retrying the event once")
            services.db.replace_connections()
        elif writes or not lost_write_race(exc):
            raise
        return handle_event(services, event, raw)


def _raw_events(body: str) -> list[dict[str, Any]]:
    try:
        events = json.loads(body).get("events", [])
    except (ValueError, AttributeError, RecursionError):
        return []
    return [e if isinstance(e, dict) else {} for e in events]


def _storable_id(webhook_event_id: str | None, raw: dict[str, Any]) -> str:
    """LINE's id when it fits the column; otherwise (missing, overlong, odd bytes) a digest of the event."""
    if webhook_event_id and len(webhook_event_id) <= 64 and webhook_event_id == _clean(webhook_event_id):
        return webhook_event_id
    return _fingerprint(raw)


def _clean(value: str) -> str:
    """PostgreSQL text cannot hold NUL characters."""
    return value.replace("\x00", "")


def _fingerprint(raw: dict[str, Any]) -> str:
    """Events without a webhookEventId (very old payloads) are deduplicated by their content."""
    digest = hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest()
    return "sha256:" + digest[:48]


def _problem(message: str, status: int) -> tuple[Response, int]:
    return jsonify(message=message), status
