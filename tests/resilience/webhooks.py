"""Helpers for driving the served bot over real HTTP: signed bodies, raw posts, and what the database holds."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

import requests
from sqlalchemy import func, select

from models import Base
from tests.conftest import SECRET

BOT_USER_ID = "U6a4b6f83d889efdaa7ea4a9400b7333e"
JSON = "application/json; charset=utf-8"


def sign(body: bytes, secret: str = SECRET) -> str:
    """X-Line-Signature as LINE computes it."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def encode(events: list[Any]) -> bytes:
    """A webhook body as LINE serialises it."""
    return json.dumps({"destination": BOT_USER_ID, "events": events}, ensure_ascii=False,
                      separators=(",", ":")).encode()


def text_event(user: str, words: str, event_id: str, group: str | None = None) -> dict[str, Any]:
    """A text message event, shaped like LINE's."""
    source = {"type": "group", "groupId": group, "userId": user} if group else {"type": "user", "userId": user}
    return {"type": "message", "mode": "active", "timestamp": int(time.time() * 1000), "source": source,
            "webhookEventId": event_id, "deliveryContext": {"isRedelivery": False},
            "replyToken": secrets.token_hex(16),
            "message": {"id": str(secrets.randbits(50)), "type": "text", "text": words, "quoteToken": "q"}}


def post(bot_url: str, body: bytes, signature: str | None = "sign", content_type: str | None = JSON,
         **headers: str) -> requests.Response:
    """POST a body to the served bot's /callback; signature "sign" means a correct one, None none at all."""
    sent = dict(headers)
    if signature is not None:
        sent["X-Line-Signature"] = sign(body) if signature == "sign" else signature
    if content_type is not None:
        sent["Content-Type"] = content_type
    return requests.post(f"{bot_url}/callback", data=body, headers=sent, timeout=30)


def row_counts(services) -> dict[str, int]:
    """How many rows every table holds (so a test can show that nothing was stored)."""
    with services.db.transaction() as session:
        return {table.name: session.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables}
