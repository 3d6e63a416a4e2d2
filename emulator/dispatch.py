"""Turn /_emulator/send requests into webhook events, note their effects, and post them to the bot."""

from __future__ import annotations

import json
from typing import Any, Callable

from . import events as ev
from .state import EmulatorState


class SendError(ValueError):
    """A /_emulator/send request that cannot be turned into an event."""


Payload = dict[str, Any]


def _need(payload: Payload, key: str) -> Any:
    value = payload.get(key)
    if value in (None, ""):
        raise SendError(f"'{key}' is required")
    return value


def _user_id(payload: Payload, key: str = "user_id") -> str:
    # LINE only ever sends IDs of this shape; checking here avoids a confusing 400 on the bot's later push.
    uid = _need(payload, key)
    if not isinstance(uid, str) or not ev.USER_ID_RE.match(uid):
        raise SendError(f"'{key}' must look like a LINE user ID (U + 32 hex digits), got {uid!r}")
    return uid


def _group_id(payload: Payload) -> str | None:
    gid = payload.get("group_id")
    if gid in (None, ""):
        return None
    if not isinstance(gid, str) or not ev.GROUP_ID_RE.match(gid):
        raise SendError(f"'group_id' must look like a LINE group ID (C + 32 hex digits), got {gid!r}")
    return gid


def _required_group_id(payload: Payload) -> str:
    gid = _group_id(payload)
    if gid is None:
        raise SendError("'group_id' is required")
    return gid


def _user_ids(payload: Payload) -> list[str]:
    ids = _need(payload, "user_ids")
    if not isinstance(ids, list):
        raise SendError("'user_ids' must be a list")
    return [_user_id({"user_ids[]": uid}, "user_ids[]") for uid in ids]


def _text(payload: Payload, state: EmulatorState) -> ev.Event:
    uid, gid, text = _user_id(payload), _group_id(payload), _need(payload, "text")
    mentionees = payload.get("mentionees")
    if mentionees is None and payload.get("auto_mention", True):
        mentionees = _auto_mentions(state, text, gid)
    return ev.text_event(uid, str(text), gid, mentionees or None)


def _auto_mentions(state: EmulatorState, text: str, group_id: str | None) -> list[dict[str, Any]]:
    """LINE only creates mentions in groups; '@<display name>' of a member (or the bot) becomes one."""
    if not group_id:
        return []
    group = state.group(group_id)
    member_ids = group.member_ids if group else []
    names = {state.users[m].display_name: m for m in member_ids if m in state.users}
    bot = state.settings.bot
    return ev.find_mentions(text, names, bot.display_name, bot.user_id)


def _postback(payload: Payload, _: EmulatorState) -> ev.Event:
    params = payload.get("params")
    if params is not None and not isinstance(params, dict):
        raise SendError("'params' must be an object such as {\"datetime\": \"2026-12-05T14:00\"}")
    return ev.postback_event(_user_id(payload), str(_need(payload, "data")), _group_id(payload), params)


BUILDERS: dict[str, Callable[[Payload, EmulatorState], ev.Event]] = {
    "text": _text,
    "postback": _postback,
    "join": lambda p, s: ev.join_event(_required_group_id(p)),
    "leave": lambda p, s: ev.leave_event(_required_group_id(p)),
    "memberJoined": lambda p, s: ev.member_joined_event(_required_group_id(p), _user_ids(p)),
    "memberLeft": lambda p, s: ev.member_left_event(_required_group_id(p), _user_ids(p)),
    "follow": lambda p, s: ev.follow_event(_user_id(p), bool(p.get("is_unblocked", False))),
    "unfollow": lambda p, s: ev.unfollow_event(_user_id(p)),
    "unsend": lambda p, s: ev.unsend_event(_user_id(p), str(_need(p, "message_id")), _group_id(p)),
}


def handle_send(state: EmulatorState, payload: Payload) -> dict[str, Any]:
    """Build the webhook body a send request describes, deliver it, and summarise the outcome."""
    kind = payload.get("type")
    if kind == "raw":
        body = _need(payload, "body")
        return dispatch(state, body, _events_of(body), signature=payload.get("signature"))
    if kind == "redeliver":
        original = state.event(str(_need(payload, "webhook_event_id")))
        if original is None:
            raise SendError("no event with that webhook_event_id was sent before")
        again = ev.as_redelivery(original)
        return dispatch(state, ev.webhook_body(state.settings.bot.user_id, [again]), [again], redelivery=True)
    builder = BUILDERS.get(str(kind))
    if builder is None:
        allowed = ", ".join([*BUILDERS, "raw", "redeliver"])
        raise SendError(f"unknown type {kind!r}; use one of: {allowed}")
    event = builder(payload, state)
    body = ev.webhook_body(state.settings.bot.user_id, [event])
    return dispatch(state, body, [event], display_text=payload.get("display_text"))


def _events_of(body: dict[str, Any] | str) -> list[ev.Event]:
    """Events in a raw body (a string body is parsed only to learn its events; it is sent verbatim)."""
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return []
    events = body.get("events") if isinstance(body, dict) else None
    return [e for e in events if isinstance(e, dict)] if isinstance(events, list) else []


def dispatch(state: EmulatorState, body: dict[str, Any] | str, event_list: list[ev.Event],
             redelivery: bool = False, signature: str | None = None,
             display_text: str | None = None) -> dict[str, Any]:
    """Record the events' effects, then sign and POST the body to the bot (without holding the lock)."""
    if not redelivery:  # a redelivered event already had its effects
        for event in event_list:
            observe(state, event, display_text)
    raw = ev.encode_body(body)
    settings = state.settings
    result = ev.post_webhook(settings.bot_callback_url, raw, signature or ev.sign(settings.channel_secret, raw),
                             settings.webhook_timeout_seconds)
    state.record_webhook(body, result.status, result.error, redelivery)
    first = event_list[0] if event_list else {}
    return {
        "status": result.status,
        "error": result.error,
        "webhook_event_id": first.get("webhookEventId"),
        "message_id": (first.get("message") or {}).get("id"),
        "reply_token": first.get("replyToken"),
        "webhook_event_ids": [e.get("webhookEventId") for e in event_list],
    }


def chat_id_of(source: dict[str, Any]) -> str | None:
    """The chat an event happened in: the group, the room, or the one-to-one user chat."""
    return source.get("groupId") or source.get("roomId") or source.get("userId")


def observe(state: EmulatorState, event: ev.Event, display_text: str | None = None) -> None:
    """What the LINE app would show and remember for an event, before the bot sees it."""
    state.remember_event(event)
    source = event.get("source") or {}
    chat_id, user_id, group_id = chat_id_of(source), source.get("userId"), source.get("groupId")
    if chat_id is None:
        return
    if event.get("replyToken"):
        state.register_reply_token(event["replyToken"], chat_id, user_id)
    if group_id and user_id:
        state.add_members(group_id, [user_id])
    handler = OBSERVERS.get(event.get("type", ""))
    if handler:
        handler(state, event, chat_id, user_id, display_text)


def _member_ids(members: list[dict[str, Any]]) -> list[str]:
    return [str(m.get("userId")) for m in members if m.get("userId")]


def _on_message(state: EmulatorState, event: ev.Event, chat_id: str, user_id: str | None, _: Any) -> None:
    message = event.get("message") or {}
    shown = {k: message[k] for k in ("id", "type", "text", "mention") if k in message}
    state.add_user_message(chat_id, user_id or "", shown)


def _on_postback(state: EmulatorState, event: ev.Event, chat_id: str, user_id: str | None,
                 display_text: str | None) -> None:
    # LINE shows nothing for a postback unless the action had displayText.
    if display_text:
        state.add_user_message(chat_id, user_id or "", {"type": "text", "text": display_text, "postback": True})


def _on_member_change(state: EmulatorState, event: ev.Event, chat_id: str, *_: Any) -> None:
    joined = event["type"] == "memberJoined"
    ids = _member_ids((event.get("joined" if joined else "left") or {}).get("members", []))
    if joined:
        state.add_members(chat_id, ids)
    else:
        state.remove_members(chat_id, ids)
    who = "、".join(state.display_name(uid) for uid in ids)
    state.add_system_note(chat_id, f"{who} {'加入' if joined else '離開'}群組")


def _on_bot_membership(state: EmulatorState, event: ev.Event, chat_id: str, *_: Any) -> None:
    state.ensure_group(chat_id)
    verb = "加入" if event["type"] == "join" else "離開"
    state.add_system_note(chat_id, f"{state.settings.bot.display_name} 已{verb}群組")


def _on_follow(state: EmulatorState, event: ev.Event, chat_id: str, user_id: str | None, _: Any) -> None:
    bot = state.settings.bot.display_name
    if event["type"] == "follow":
        state.add_system_note(chat_id, f"{state.display_name(user_id)} 已將 {bot} 加為好友")
    else:
        state.add_system_note(chat_id, f"{state.display_name(user_id)} 已封鎖 {bot}")


def _on_unsend(state: EmulatorState, event: ev.Event, *_: Any) -> None:
    state.mark_unsent(str((event.get("unsend") or {}).get("messageId")))


OBSERVERS: dict[str, Callable[..., None]] = {
    "message": _on_message,
    "postback": _on_postback,
    "memberJoined": _on_member_change,
    "memberLeft": _on_member_change,
    "join": _on_bot_membership,
    "leave": _on_bot_membership,
    "follow": _on_follow,
    "unfollow": _on_follow,
    "unsend": _on_unsend,
}
