"""Typed client of the emulator's control API, for the project's tests, plus a helper to serve apps in threads."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Iterator

import requests
from werkzeug.serving import BaseWSGIServer, make_server

DEFAULT_PUSH_PATH = "/v2/bot/message/push"
MEDIA_PLACEHOLDERS = {"sticker": "[貼圖]", "image": "[圖片]", "video": "[影片]", "audio": "[語音訊息]",
                      "coupon": "[優惠券]"}


class EmulatorError(RuntimeError):
    """The emulator refused a control request (e.g. a malformed send)."""


@dataclass(frozen=True)
class SendResult:
    """Outcome of sending one webhook to the bot."""

    status: int  # the bot's HTTP status; 0 if the bot could not be reached
    webhook_event_id: str | None
    message_id: str | None
    reply_token: str | None
    error: str | None

    @property
    def ok(self) -> bool:
        """Whether the bot answered 2xx."""
        return 200 <= self.status < 300

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SendResult":
        """Build from the /_emulator/send response."""
        return cls(int(data.get("status", 0)), data.get("webhook_event_id"), data.get("message_id"),
                   data.get("reply_token"), data.get("error"))


class EmulatorClient:
    """Drive a running emulator: act as LINE users, inspect what the bot sent, inject faults."""

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._http = requests.Session()
        self._names: dict[str, str] | None = None

    # ---- plumbing ----

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, f"{self.base_url}/_emulator{path}", timeout=self.timeout, **kwargs)
        if response.status_code >= 400:
            raise EmulatorError(f"{method} {path} -> {response.status_code}: {response.text}")
        return response.json()

    def send(self, payload: dict[str, Any]) -> SendResult:
        """Send any /_emulator/send payload."""
        return SendResult.from_json(self._call("POST", "/send", json=payload))

    # ---- acting as users ----

    def text(self, user_id: str, text: str, group_id: str | None = None,
             mentionees: list[dict[str, Any]] | None = None) -> SendResult:
        """The user sends a text ('@name' in a group becomes a mention unless `mentionees` is given)."""
        payload: dict[str, Any] = {"type": "text", "user_id": user_id, "group_id": group_id, "text": text}
        if mentionees is not None:
            payload["mentionees"] = mentionees
        return self.send(payload)

    def postback(self, user_id: str, data: str, group_id: str | None = None,
                 params: dict[str, str] | None = None, display_text: str | None = None) -> SendResult:
        """The user taps a postback or datetimepicker action."""
        return self.send({"type": "postback", "user_id": user_id, "group_id": group_id, "data": data,
                          "params": params, "display_text": display_text})

    def join(self, group_id: str) -> SendResult:
        """The bot is added to a group."""
        return self.send({"type": "join", "group_id": group_id})

    def leave(self, group_id: str) -> SendResult:
        """The bot is removed from a group."""
        return self.send({"type": "leave", "group_id": group_id})

    def member_joined(self, group_id: str, user_ids: list[str]) -> SendResult:
        """Users join a group the bot is in."""
        return self.send({"type": "memberJoined", "group_id": group_id, "user_ids": user_ids})

    def member_left(self, group_id: str, user_ids: list[str]) -> SendResult:
        """Users leave a group the bot is in."""
        return self.send({"type": "memberLeft", "group_id": group_id, "user_ids": user_ids})

    def follow(self, user_id: str, is_unblocked: bool = False) -> SendResult:
        """The user adds the bot as a friend."""
        return self.send({"type": "follow", "user_id": user_id, "is_unblocked": is_unblocked})

    def unfollow(self, user_id: str) -> SendResult:
        """The user blocks the bot."""
        return self.send({"type": "unfollow", "user_id": user_id})

    def unsend(self, user_id: str, message_id: str, group_id: str | None = None) -> SendResult:
        """The user unsends a message they sent."""
        return self.send({"type": "unsend", "user_id": user_id, "message_id": message_id, "group_id": group_id})

    def raw(self, body: dict[str, Any] | str, signature: str | None = None) -> int:
        """Post exactly this webhook body (signed correctly unless `signature` is given); the bot's status."""
        return self.send({"type": "raw", "body": body, "signature": signature}).status

    def issue_reply_token(self, chat_id: str, user_id: str | None = None) -> str:
        """A reply token LINE would hand out with an event in this chat, for events posted to the bot directly."""
        return str(self._call("POST", "/reply-tokens", json={"chat_id": chat_id, "user_id": user_id})["reply_token"])

    def redeliver(self, webhook_event_id: str) -> SendResult:
        """Resend an earlier event with deliveryContext.isRedelivery = true."""
        return self.send({"type": "redeliver", "webhook_event_id": webhook_event_id})

    # ---- what the bot sent ----

    def deliveries(self, to: str | None = None) -> list[dict[str, Any]]:
        """Delivered replies and pushes, in order, optionally to one user or group."""
        return self._call("GET", "/deliveries", params={"to": to} if to else None)

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        """Every delivered message object, in order."""
        return [m for d in self.deliveries(to) for m in d["messages"]]

    def texts(self, to: str | None = None) -> list[str]:
        """What a user saw of each delivered message, as plain text (alt text, template and flex text, labels)."""
        names = self._directory_names()
        return [message_text(m, names) for m in self.messages(to)]

    def quick_reply_labels(self, to: str | None = None) -> list[str]:
        """Labels of the quick-reply buttons of the last delivered message."""
        msgs = self.messages(to)
        items = (msgs[-1].get("quickReply") or {}).get("items", []) if msgs else []
        return [str(i.get("action", {}).get("label", "")) for i in items]

    def wait_for_deliveries(self, count: int, to: str | None = None, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Poll until at least `count` deliveries exist (for bots that answer asynchronously)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.deliveries(to)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    # ---- records and control ----

    def inject_fault(self, path_prefix: str = DEFAULT_PUSH_PATH, status: int | None = 500, count: int = 1,
                     retry_after: int | None = None, delay_seconds: float | None = None,
                     method: str | None = None) -> dict[str, Any]:
        """Make the next `count` matching API calls fail with `status` (and/or wait `delay_seconds` first)."""
        return self._call("POST", "/faults", json={
            "path_prefix": path_prefix, "status": status, "count": count, "retry_after": retry_after,
            "delay_seconds": delay_seconds, "method": method})

    def clear_faults(self) -> None:
        """Drop pending faults."""
        self._call("DELETE", "/faults")

    def reset(self) -> None:
        """Clear deliveries, requests, violations, faults, tokens, quota use and chats."""
        self._call("POST", "/reset")

    def violations(self) -> list[dict[str, Any]]:
        """Request bodies the emulator rejected, with LINE-style details."""
        return self._call("GET", "/violations")

    def api_requests(self) -> list[dict[str, Any]]:
        """Every Messaging API call: method, path, status, retry_key, request_id, fault."""
        return self._call("GET", "/requests")

    def webhooks(self) -> list[dict[str, Any]]:
        """Webhook bodies posted to the bot and its status for each."""
        return self._call("GET", "/webhooks")

    def chat(self, user_id: str | None = None, group_id: str | None = None) -> dict[str, Any]:
        """A chat as the page shows it."""
        return self._call("GET", "/chat", params={"user_id": user_id, "group_id": group_id})

    def directory(self) -> dict[str, Any]:
        """Demo users, groups and the bot."""
        return self._call("GET", "/directory")

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Change bot_callback_url, monthly_quota (or plan: free, light, heavy, unlimited), consumption or
        reply_token_ttl_seconds at run time."""
        return self._call("POST", "/config", json=settings)

    def quota_consumption(self) -> int:
        """Messages counted against the monthly quota so far."""
        return int(self._call("GET", "/quota")["used"])

    def _directory_names(self) -> dict[str, str]:
        if self._names is None:
            d = self.directory()
            self._names = {u["user_id"]: u["display_name"] for u in d["users"]}
        return self._names


# ---- plain text of message objects ----

def message_text(message: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """The text a user sees for one message object, lines joined with newlines."""
    kind = message.get("type")
    if kind == "text":
        return str(message.get("text", ""))
    if kind == "textV2":
        return _substitute(message, names or {})
    if kind == "location":
        return f"{message.get('title', '')}\n{message.get('address', '')}"
    if kind in MEDIA_PLACEHOLDERS:
        return MEDIA_PLACEHOLDERS[str(kind)]
    parts = [str(message.get("altText", ""))]
    if kind == "template":
        parts += _template_texts(message.get("template") or {})
    elif kind == "flex":
        parts += list(_flex_texts(message.get("contents") or {}))
    return "\n".join(p for p in parts if p)


def _substitute(message: dict[str, Any], names: dict[str, str]) -> str:
    subs: dict[str, Any] = message.get("substitution") or {}

    def replace(match: re.Match[str]) -> str:
        sub = subs.get(match.group(1))
        if not sub:
            return match.group(0)
        if sub.get("type") == "mention":
            target = sub.get("mentionee", {})
            return "@All" if target.get("type") == "all" else "@" + names.get(target.get("userId"), "使用者")
        return "(emoji)"

    return re.sub(r"\{([A-Za-z0-9_]+)\}", replace, str(message.get("text", "")))


def _template_texts(template: dict[str, Any]) -> list[str]:
    blocks = template.get("columns") if template.get("type") in ("carousel", "image_carousel") else [template]
    parts: list[str] = []
    for block in blocks or []:
        parts += [str(block[k]) for k in ("title", "text") if block.get(k)]
        actions = block.get("actions") or ([block["action"]] if block.get("action") else [])
        parts += [str(a["label"]) for a in actions if a.get("label")]
    return parts


def _flex_texts(node: Any) -> Iterator[str]:
    """Depth-first text of flex components: text (or its spans) and button labels."""
    if isinstance(node, list):
        for item in node:
            yield from _flex_texts(item)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "text":
        spans = node.get("contents") or []
        yield "".join(str(s.get("text", "")) for s in spans) if spans else str(node.get("text", ""))
        return
    if kind == "button":
        yield str((node.get("action") or {}).get("label", ""))
        return
    for key in ("header", "hero", "body", "footer", "contents"):
        if key in node:
            yield from _flex_texts(node[key])


# ---- serving apps on loopback ----

def run_in_thread(app: Any, port: int = 0, host: str = "127.0.0.1") -> tuple[BaseWSGIServer, str]:
    """Serve a WSGI app from a daemon thread; returns the server (call .shutdown()) and its base URL."""
    # threaded=True: the bot calls the emulator back while the emulator waits on the bot's webhook.
    server = make_server(host, port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=f"wsgi-{server.server_port}", daemon=True)
    thread.start()
    return server, f"http://{host}:{server.server_port}"
