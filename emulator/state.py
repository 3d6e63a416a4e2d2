"""All mutable emulator state, in memory, behind one lock (a single-process test tool)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .events import new_message_id, new_quote_token
from .settings import DemoUser, EmulatorSettings

QUOTABLE_TYPES = {"text", "textV2", "sticker", "image", "video"}


def iso_now() -> str:
    """UTC timestamp for records."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass
class ReplyToken:
    """A reply token handed to the bot with one event."""

    token: str
    chat_id: str  # the group for group events, else the user
    user_id: str | None
    issued_at: float  # time.monotonic()
    used: bool = False


@dataclass
class Fault:
    """An injected failure for the next `remaining` matching API calls."""

    path_prefix: str
    status: int | None
    remaining: int
    retry_after: int | None = None
    delay_seconds: float = 0.0
    method: str | None = None

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to a request."""
        return (self.remaining > 0 and path.startswith(self.path_prefix)
                and (self.method is None or self.method.upper() == method.upper()))


@dataclass
class Group:
    """A group chat and who is in it."""

    group_id: str
    name: str
    member_ids: list[str] = field(default_factory=list)


class EmulatorState:
    """Chats, deliveries, tokens, quota and logs of one emulator; every method takes the lock itself."""

    def __init__(self, settings: EmulatorSettings) -> None:
        self.settings = settings
        self.lock = threading.RLock()
        self.users: dict[str, DemoUser] = {u.user_id: u for u in settings.users}
        # Run-time changes through /_emulator/config last until the next reset.
        self._initial_config = (settings.bot_callback_url, settings.monthly_quota, settings.reply_token_ttl_seconds)
        self.reset()

    # ---- lifecycle ----

    def reset(self) -> None:
        """Forget everything that happened and undo run-time config changes; keep the demo directory."""
        with self.lock:
            s = self.settings
            s.bot_callback_url, s.monthly_quota, s.reply_token_ttl_seconds = self._initial_config
            self.groups = {g.group_id: Group(g.group_id, g.name, list(g.member_ids)) for g in self.settings.groups}
            self.deliveries: list[dict[str, Any]] = []
            self.api_requests: list[dict[str, Any]] = []
            self.violations: list[dict[str, Any]] = []
            self.faults: list[Fault] = []
            self.reply_tokens: dict[str, ReplyToken] = {}
            self.retry_keys: dict[str, dict[str, Any]] = {}
            self.events: dict[str, dict[str, Any]] = {}
            self.webhooks: list[dict[str, Any]] = []
            self.chat: list[dict[str, Any]] = []
            self.login_codes: dict[str, dict[str, Any]] = {}  # LINE Login authorization codes (emulator/login.py)
            self.consumption = 0
            self.rich_menus: Any = None  # emulator/richmenus.py keeps its store here
            self.loading: dict[str, tuple[float, int]] = {}  # chat -> (until, deliveries seen at start)
            self._seq = 0
            self.version = getattr(self, "version", 0) + 1

    def _touch(self) -> None:
        self.version += 1

    def start_loading(self, chat_id: str, seconds: int) -> None:
        """The bot showed the loading animation in a 1:1 chat."""
        with self.lock:
            self.loading[chat_id] = (time.time() + seconds, self._delivered_to(chat_id))
            self._touch()

    def is_loading(self, chat_id: str) -> bool:
        """The animation runs until its time is up or the bot's next message arrives, as in LINE."""
        with self.lock:
            until, seen = self.loading.get(chat_id, (0.0, 0))
            return time.time() < until and self._delivered_to(chat_id) == seen

    def _delivered_to(self, chat_id: str) -> int:
        return sum(1 for d in self.deliveries if d.get("to") == chat_id)

    # ---- directory ----

    def display_name(self, user_id: str | None) -> str:
        """Name shown for a user ID (unknown users get a short placeholder)."""
        if user_id in self.users:
            return self.users[user_id].display_name
        return f"使用者 {user_id[-4:]}" if user_id else "（未知）"

    def group(self, group_id: str) -> Group | None:
        """A known group."""
        with self.lock:
            return self.groups.get(group_id)

    def ensure_group(self, group_id: str) -> Group:
        """The group, created on first sight (e.g. the bot was invited to a new group)."""
        with self.lock:
            if group_id not in self.groups:
                self.groups[group_id] = Group(group_id, f"群組 {group_id[-6:]}")
            return self.groups[group_id]

    def add_members(self, group_id: str, user_ids: list[str]) -> None:
        """Add users to a group if they are not in it yet."""
        with self.lock:
            group = self.ensure_group(group_id)
            for uid in user_ids:
                if uid not in group.member_ids:
                    group.member_ids.append(uid)

    def remove_members(self, group_id: str, user_ids: list[str]) -> None:
        """Remove users from a group."""
        with self.lock:
            group = self.ensure_group(group_id)
            group.member_ids = [m for m in group.member_ids if m not in user_ids]

    def recipients(self, to: str) -> int:
        """How many people a push to `to` reaches (a group counts each member; the bot is not a member)."""
        with self.lock:
            if to in self.groups:
                return max(1, len(self.groups[to].member_ids))
            return 1

    # ---- reply tokens ----

    def register_reply_token(self, token: str, chat_id: str, user_id: str | None) -> None:
        """Remember a token handed out with an event (a redelivered event keeps the first one)."""
        with self.lock:
            self.reply_tokens.setdefault(token, ReplyToken(token, chat_id, user_id, time.monotonic()))

    def use_reply_token(self, token: str) -> ReplyToken | None:
        """Spend a reply token; None if unknown, used already, or expired."""
        with self.lock:
            info = self.reply_tokens.get(token)
            if info is None or info.used:
                return None
            if time.monotonic() - info.issued_at > self.settings.reply_token_ttl_seconds:
                return None
            info.used = True
            return info

    # ---- faults ----

    def add_fault(self, fault: Fault) -> None:
        """Queue an injected failure."""
        with self.lock:
            self.faults.append(fault)

    def take_fault(self, method: str, path: str) -> Fault | None:
        """The first fault matching a request, counting it down."""
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    fault.remaining -= 1
                    return fault
            return None

    # ---- retry keys and quota ----

    def accepted_retry(self, retry_key: str) -> dict[str, Any] | None:
        """The earlier accepted request that used this retry key, if any."""
        with self.lock:
            return self.retry_keys.get(retry_key.lower())

    def remember_retry(self, retry_key: str, request_id: str, sent: list[dict[str, str]]) -> None:
        """Mark a retry key as accepted."""
        with self.lock:
            self.retry_keys[retry_key.lower()] = {"request_id": request_id, "sent_messages": sent}

    def try_consume_quota(self, count: int) -> bool:
        """Count `count` messages against the monthly quota; False (nothing counted) if it would exceed it."""
        with self.lock:
            limit = self.settings.monthly_quota
            if 0 <= limit < self.consumption + count:
                return False
            self.consumption += count
            return True

    # ---- records ----

    def record_request(self, entry: dict[str, Any]) -> None:
        """Log one Messaging API call."""
        with self.lock:
            self.api_requests.append({**entry, "at": iso_now()})

    def record_violation(self, path: str, schema: str, details: list[dict[str, str]], body: Any) -> None:
        """Log a request body that LINE would reject."""
        with self.lock:
            self.violations.append({"path": path, "schema": schema, "details": details, "body": body,
                                    "at": iso_now()})

    def record_webhook(self, body: Any, status: int, error: str | None, redelivery: bool) -> None:
        """Log one webhook POST to the bot."""
        with self.lock:
            self.webhooks.append({"body": body, "status": status, "error": error,
                                  "redelivery": redelivery, "at": iso_now()})

    def deliver(self, kind: str, to: str, messages: list[dict[str, Any]], request_id: str,
                retry_key: str | None = None, reply_to_user: str | None = None,
                counted: int = 0) -> list[dict[str, str]]:
        """Record delivered bot messages and show them in the chat; returns LINE's sentMessages.

        `counted` is what the delivery cost in quota (a push: its recipients; a reply: 0).
        """
        with self.lock:
            sent = [self._sent_message(m) for m in messages]
            self.deliveries.append({
                "kind": kind, "to": to, "messages": messages, "retry_key": retry_key, "counted": counted,
                "request_id": request_id, "at": iso_now(), "user_id": reply_to_user,
                "message_ids": [s["id"] for s in sent],
            })
            for message, ids in zip(messages, sent):
                self._add_entry(to, "bot", None, {**message, "id": ids["id"]}, kind=kind)
            return sent

    @staticmethod
    def _sent_message(message: dict[str, Any]) -> dict[str, str]:
        sent = {"id": new_message_id()}
        if message.get("type") in QUOTABLE_TYPES:
            sent["quoteToken"] = new_quote_token()
        return sent

    def _add_entry(self, chat_id: str, sender: str, user_id: str | None, message: dict[str, Any],
                   kind: str | None = None) -> None:
        self._seq += 1
        self.chat.append({"seq": self._seq, "chat_id": chat_id, "sender": sender, "user_id": user_id,
                          "message": message, "kind": kind, "unsent": False, "at": iso_now()})
        self._touch()

    def add_system_note(self, chat_id: str, text: str) -> None:
        """A grey line in the chat, such as '林社工 加入群組'."""
        with self.lock:
            self._add_entry(chat_id, "system", None, {"type": "system", "text": text})

    def add_user_message(self, chat_id: str, user_id: str, message: dict[str, Any]) -> None:
        """A message a user sent, as the chat shows it."""
        with self.lock:
            self._add_entry(chat_id, "user", user_id, message)

    def mark_unsent(self, message_id: str) -> None:
        """The user took a message back: LINE hides it from the chat."""
        with self.lock:
            for entry in self.chat:
                if entry["message"].get("id") == message_id:
                    entry["unsent"] = True
            self._touch()

    # ---- webhook events ----

    def remember_event(self, event: dict[str, Any]) -> None:
        """Keep a sent event so that it can be redelivered."""
        with self.lock:
            if event.get("webhookEventId"):
                self.events.setdefault(event["webhookEventId"], event)

    def event(self, webhook_event_id: str) -> dict[str, Any] | None:
        """An event sent earlier."""
        with self.lock:
            return self.events.get(webhook_event_id)

    # ---- views ----

    def deliveries_to(self, to: str | None) -> list[dict[str, Any]]:
        """Deliveries, optionally only those to one user or group."""
        with self.lock:
            return [dict(d) for d in self.deliveries if to is None or d["to"] == to]

    def chat_entries(self, chat_id: str) -> list[dict[str, Any]]:
        """Chat log of one chat, with names resolved."""
        with self.lock:
            return [self._view_entry(e) for e in self.chat if e["chat_id"] == chat_id]

    def _view_entry(self, entry: dict[str, Any]) -> dict[str, Any]:
        view = dict(entry)
        uid = entry["user_id"]
        if uid:
            view["display_name"] = self.display_name(uid)
            view["unit_label"] = self.users[uid].unit_label if uid in self.users else ""
        return view


EXTENSION_KEY = "line_emulator_state"


def current_state() -> EmulatorState:
    """The EmulatorState of the Flask app handling this request."""
    from flask import current_app

    return current_app.extensions[EXTENSION_KEY]
