"""Build, sign and deliver webhook bodies shaped like LINE's (see emulator/openapi/webhook.yml)."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import itertools
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

import requests

CROCKFORD32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
USER_ID_RE = re.compile(r"^U[0-9a-f]{32}$")
GROUP_ID_RE = re.compile(r"^C[0-9a-f]{32}$")
ROOM_ID_RE = re.compile(r"^R[0-9a-f]{32}$")

# LINE message IDs are 18-digit decimal strings; start from the clock so IDs differ between runs.
_message_ids = itertools.count(int(time.time() * 1000) * 100_000)

Event = dict[str, Any]


def now_ms() -> int:
    """Current time in epoch milliseconds, as webhook timestamps are."""
    return int(time.time() * 1000)


def new_webhook_event_id(timestamp_ms: int | None = None) -> str:
    """A ULID (26 Crockford base32 chars: 48-bit time + 80 random bits), as LINE's webhookEventId is."""
    value = ((timestamp_ms if timestamp_ms is not None else now_ms()) << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(CROCKFORD32[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_message_id() -> str:
    """A unique message ID."""
    return str(next(_message_ids))


def new_reply_token() -> str:
    """An opaque reply token (32 hex chars, like LINE's)."""
    return secrets.token_hex(16)


def new_quote_token() -> str:
    """An opaque quote token."""
    return secrets.token_urlsafe(48)


def make_source(user_id: str | None, group_id: str | None = None) -> dict[str, str]:
    """Source object: a group (with the speaking user, if any) or a one-to-one user chat."""
    if group_id:
        source = {"type": "group", "groupId": group_id}
        if user_id:
            source["userId"] = user_id
        return source
    if not user_id:
        raise ValueError("a one-to-one event needs a user_id")
    return {"type": "user", "userId": user_id}


def base_event(event_type: str, source: dict[str, str], with_reply_token: bool) -> Event:
    """Fields every webhook event has."""
    timestamp = now_ms()
    event: Event = {
        "type": event_type,
        "mode": "active",
        "timestamp": timestamp,
        "source": source,
        "webhookEventId": new_webhook_event_id(timestamp),
        "deliveryContext": {"isRedelivery": False},
    }
    if with_reply_token:
        event["replyToken"] = new_reply_token()
    return event


def text_event(user_id: str, text: str, group_id: str | None = None,
               mentionees: list[dict[str, Any]] | None = None) -> Event:
    """A text message event."""
    event = base_event("message", make_source(user_id, group_id), with_reply_token=True)
    message: dict[str, Any] = {"id": new_message_id(), "type": "text", "quoteToken": new_quote_token(), "text": text}
    if mentionees:
        message["mention"] = {"mentionees": mentionees}
    event["message"] = message
    return event


def postback_event(user_id: str, data: str, group_id: str | None = None,
                   params: dict[str, str] | None = None) -> Event:
    """A postback event (from a postback or datetimepicker action)."""
    event = base_event("postback", make_source(user_id, group_id), with_reply_token=True)
    postback: dict[str, Any] = {"data": data}
    if params:
        postback["params"] = dict(params)
    event["postback"] = postback
    return event


def join_event(group_id: str) -> Event:
    """The bot was added to a group."""
    return base_event("join", make_source(None, group_id), with_reply_token=True)


def leave_event(group_id: str) -> Event:
    """The bot was removed from a group (no reply token)."""
    return base_event("leave", make_source(None, group_id), with_reply_token=False)


def member_joined_event(group_id: str, user_ids: list[str]) -> Event:
    """Users joined a group the bot is in."""
    event = base_event("memberJoined", make_source(None, group_id), with_reply_token=True)
    event["joined"] = {"members": [{"type": "user", "userId": uid} for uid in user_ids]}
    return event


def member_left_event(group_id: str, user_ids: list[str]) -> Event:
    """Users left a group the bot is in (no reply token)."""
    event = base_event("memberLeft", make_source(None, group_id), with_reply_token=False)
    event["left"] = {"members": [{"type": "user", "userId": uid} for uid in user_ids]}
    return event


def follow_event(user_id: str, is_unblocked: bool = False) -> Event:
    """A user added the bot as a friend (or unblocked it)."""
    event = base_event("follow", make_source(user_id), with_reply_token=True)
    event["follow"] = {"isUnblocked": is_unblocked}
    return event


def unfollow_event(user_id: str) -> Event:
    """A user blocked the bot (no reply token)."""
    return base_event("unfollow", make_source(user_id), with_reply_token=False)


def unsend_event(user_id: str, message_id: str, group_id: str | None = None) -> Event:
    """A user unsent one of their messages (no reply token)."""
    event = base_event("unsend", make_source(user_id, group_id), with_reply_token=False)
    event["unsend"] = {"messageId": message_id}
    return event


def as_redelivery(event: Event) -> Event:
    """The same event, flagged as redelivered; webhookEventId and replyToken are unchanged, as on LINE."""
    again = copy.deepcopy(event)
    again["deliveryContext"] = {"isRedelivery": True}
    return again


def find_mentions(text: str, names: dict[str, str], bot_name: str, bot_user_id: str) -> list[dict[str, Any]]:
    """Mentionees for every '@name' in text (longest name wins), '@All' and '@<bot name>' included."""
    candidates = {**names, bot_name: bot_user_id}
    ordered = sorted(candidates, key=len, reverse=True)
    mentionees: list[dict[str, Any]] = []
    pos = text.find("@")
    while pos != -1:
        found = _mention_at(text, pos, ordered, candidates, bot_user_id)
        if found:
            mentionees.append(found)
            pos = text.find("@", pos + found["length"])
        else:
            pos = text.find("@", pos + 1)
    return mentionees


def _mention_at(text: str, pos: int, ordered: list[str], candidates: dict[str, str],
                bot_user_id: str) -> dict[str, Any] | None:
    """The mentionee starting at text[pos] == '@', if any."""
    if text.startswith("@All", pos):
        return {"index": pos, "length": 4, "type": "all"}
    for name in ordered:
        if name and text.startswith(name, pos + 1):
            uid = candidates[name]
            return {"index": pos, "length": len(name) + 1, "type": "user", "userId": uid,
                    "isSelf": uid == bot_user_id}
    return None


def webhook_body(destination: str, events: list[Event]) -> dict[str, Any]:
    """The request body LINE posts to the bot."""
    return {"destination": destination, "events": events}


def encode_body(body: dict[str, Any] | str) -> bytes:
    """Serialise a body as LINE does: compact UTF-8 JSON (a str is sent as given)."""
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(channel_secret: str, raw_body: bytes) -> str:
    """X-Line-Signature: base64(HMAC-SHA256(channel secret, raw body))."""
    digest = hmac.new(channel_secret.encode("utf-8"), raw_body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True)
class WebhookResult:
    """What happened when the webhook was posted to the bot."""

    status: int  # the bot's HTTP status, 0 when it could not be reached
    error: str | None
    elapsed_seconds: float


def post_webhook(url: str, raw_body: bytes, signature: str, timeout: float) -> WebhookResult:
    """POST a signed webhook body to the bot."""
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Line-Signature": signature,
        "User-Agent": "LineBotWebhook/2.0",
    }
    started = time.monotonic()
    try:
        response = requests.post(url, data=raw_body, headers=headers, timeout=timeout)
    except requests.RequestException as exc:
        return WebhookResult(0, f"{type(exc).__name__}: {exc}", time.monotonic() - started)
    error = None if response.ok else response.text[:500]
    return WebhookResult(response.status_code, error, time.monotonic() - started)
