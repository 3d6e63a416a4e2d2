"""POST /callback and GET /healthz.

An event flows one way: signature check -> dedupe -> router -> handler -> outbox (same
transaction) -> commit -> delivery. A database failure answers 503 so LINE redelivers; the
transaction rolls back, so nothing is half-written.
"""
from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from bot import outbox
from bot.context import Ctx
from bot.events import Inbound, from_sdk
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
    for index, event in enumerate(events):
        try:
            handle_event(services, from_sdk(event), raw_events[index] if index < len(raw_events) else {})
        except (OperationalError, InterfaceError, IntegrityError) as exc:
            # The database is away, or two workers collided on a unique row: both pass, so LINE redelivers.
            log.error("webhook: %s; asking LINE to redeliver", type(exc).__name__)
            return _problem("temporarily unavailable", 503)
        except DBAPIError as exc:  # the event itself cannot be stored: redelivering it would fail the same way
            log.warning("webhook: %s event not storable (%s), skipped", event.type, type(exc).__name__)
        except Exception as exc:  # a bug in one handler must not make LINE redeliver the whole batch forever
            log.error("webhook: %s event failed with %s (rolled back)", event.type, type(exc).__name__)
    return jsonify(status="ok")


@blueprint.get("/healthz")
def healthz() -> tuple[Response, int]:
    services: Services = current_app.extensions["services"]
    try:
        services.db.ping()
    except DBAPIError:
        return jsonify(status="database unreachable"), 503
    return jsonify(status="ok"), 200


def handle_event(services: Services, event: Inbound, raw: dict[str, Any]) -> None:
    """Process one event exactly once and deliver what it produced."""
    now = services.clock()
    event_id = _storable_id(event.webhook_event_id, raw)
    claimed: list[OutboxMessage] = []
    try:
        with services.db.transaction() as session:
            session.add(ProcessedEvent(webhook_event_id=event_id, event_type=_clean(event.event_type)[:40],
                                       received_at=now))
            session.flush()
            ctx = _context(services, session, event, now)
            for said in outbox.merge_replies(services.router.dispatch(event, ctx)):
                row = outbox.enqueue_claimed(session, said, chat_id=event.chat_id, reply_token=event.reply_token,
                                             now=now)
                if row is not None:
                    claimed.append(row)
    except IntegrityError as exc:
        if "processed_events" not in str(exc.orig):
            raise
        log.info("webhook: event already processed, skipped (redelivery=%s)", event.is_redelivery)
        return
    outbox.send_claimed(services.db, services.gateway, claimed, now)


def _context(services: Services, session: Any, event: Inbound, now: Any) -> Ctx:
    return Ctx(session=session, now=now, config=services.config, directory=services.directory,
               line=services.gateway, user_id=event.user_id, group_id=event.group_id,
               commands=services.router.commands)


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
