"""/_emulator/*: drive the emulator from tests and the chat page (send events, inject faults, read records)."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, Response, jsonify, request

from .dispatch import SendError, handle_send
from .state import EmulatorState, Fault, current_state

bp = Blueprint("emulator_control", __name__, url_prefix="/_emulator")


def _bad_request(message: str) -> tuple[Response, int]:
    return jsonify({"message": message}), 400


def _json_object() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise SendError("the request body must be a JSON object")
    return body


@bp.errorhandler(SendError)
def _send_error(err: SendError) -> tuple[Response, int]:
    return _bad_request(str(err))


@bp.post("/send")
def send() -> Any:
    """Send a webhook event to the bot and wait for its HTTP response."""
    return handle_send(current_state(), _json_object())


@bp.get("/faults")
def list_faults() -> Any:
    """Faults still pending."""
    state = current_state()
    with state.lock:
        return jsonify([vars(f) for f in state.faults if f.remaining > 0])


@bp.post("/faults")
def add_fault() -> Any:
    """Make the next `count` API calls under `path_prefix` fail with `status` (and/or be delayed)."""
    body = _json_object()
    fault = _parse_fault(body)
    current_state().add_fault(fault)
    return jsonify(vars(fault)), 201


def _parse_fault(body: dict[str, Any]) -> Fault:
    try:
        status = body.get("status", 500)
        count = int(body.get("count", 1))
        retry_after = body.get("retry_after")
        fault = Fault(
            path_prefix=str(body.get("path_prefix", "/v2/bot/")),
            status=int(status) if status else None,
            remaining=count,
            retry_after=int(retry_after) if retry_after is not None else None,
            delay_seconds=float(body.get("delay_seconds") or 0.0),
            method=body.get("method"),
        )
    except (TypeError, ValueError) as exc:
        raise SendError(f"invalid fault: {exc}") from exc
    if count < 1 or (fault.status is None and not fault.delay_seconds):
        raise SendError("a fault needs count >= 1 and a status or a delay_seconds")
    return fault


@bp.delete("/faults")
def clear_faults() -> Any:
    """Drop pending faults."""
    state = current_state()
    with state.lock:
        state.faults.clear()
    return {}


@bp.get("/deliveries")
def deliveries() -> Any:
    """Delivered bot messages, in order (?to=<userId|groupId> to filter)."""
    return jsonify(current_state().deliveries_to(request.args.get("to")))


@bp.get("/requests")
def api_requests() -> Any:
    """Every Messaging API call with its status."""
    state = current_state()
    with state.lock:
        return jsonify(list(state.api_requests))


@bp.get("/violations")
def violations() -> Any:
    """Request bodies rejected by validation."""
    state = current_state()
    with state.lock:
        return jsonify(list(state.violations))


@bp.get("/webhooks")
def webhooks() -> Any:
    """Webhook bodies posted to the bot, with the bot's status."""
    state = current_state()
    with state.lock:
        return jsonify(list(state.webhooks))


@bp.post("/reset")
def reset() -> Any:
    """Clear all records, tokens, faults, quota use and chats."""
    current_state().reset()
    return {}


@bp.get("/directory")
def directory() -> Any:
    """Demo users, groups and the bot."""
    return _directory(current_state())


def _directory(state: EmulatorState) -> dict[str, Any]:
    with state.lock:
        return {
            "bot": vars(state.settings.bot),
            "users": [vars(u) for u in state.users.values()],
            "groups": [{"group_id": g.group_id, "name": g.name, "member_ids": list(g.member_ids)}
                       for g in state.groups.values()],
        }


PLANS = {"free": 200, "light": 3000, "heavy": 6000, "unlimited": -1}


@bp.get("/config")
def get_config() -> Any:
    """Settings that can change at run time."""
    s = current_state().settings
    return {"bot_callback_url": s.bot_callback_url, "monthly_quota": s.monthly_quota,
            "plan": next((name for name, value in PLANS.items() if value == s.monthly_quota), "custom"),
            "reply_token_ttl_seconds": s.reply_token_ttl_seconds}


@bp.post("/config")
def set_config() -> Any:
    """Change the bot URL, quota or reply-token lifetime (e.g. once a test's bot has a port)."""
    body = _json_object()
    state = current_state()
    with state.lock:
        s = state.settings
        s.bot_callback_url = str(body.get("bot_callback_url", s.bot_callback_url))
        s.monthly_quota = int(body.get("monthly_quota", s.monthly_quota))
        if "plan" in body:  # LINE Taiwan's plans by name: free 200, 中用量 3,000, 高用量 6,000 messages a month
            plan = str(body["plan"])
            if plan not in PLANS:
                return _bad_request(f"plan must be one of {', '.join(PLANS)}")
            s.monthly_quota = PLANS[plan]
        if "consumption" in body:  # start a test near the end of a month's quota
            state.consumption = max(int(body["consumption"]), 0)
        s.reply_token_ttl_seconds = float(body.get("reply_token_ttl_seconds", s.reply_token_ttl_seconds))
    return get_config()


@bp.post("/reply-tokens")
def issue_reply_token() -> Any:
    """Issue a reply token for an event a test posts to the bot itself (e.g. two workers at once)."""
    body = _json_object()
    chat_id = body.get("chat_id")
    if not isinstance(chat_id, str) or not chat_id:
        return jsonify(message="chat_id is required"), 400
    token = secrets.token_hex(16)
    user_id = body.get("user_id")
    current_state().register_reply_token(token, chat_id, user_id if isinstance(user_id, str) else None)
    return {"reply_token": token}


@bp.get("/quota")
def quota() -> Any:
    """Monthly quota and how much of it pushes used."""
    state = current_state()
    return {"limit": state.settings.monthly_quota, "used": state.consumption}


@bp.get("/chat")
def chat() -> Any:
    """One chat as the page shows it: the group's, or the user's one-to-one chat with the bot."""
    user_id, group_id = request.args.get("user_id"), request.args.get("group_id") or None
    if not user_id and not group_id:
        return _bad_request("user_id or group_id is required")
    state = current_state()
    chat_id = group_id or user_id or ""
    with state.lock:
        group = state.groups.get(group_id) if group_id else None
        return {
            "version": state.version,
            "chat": {"id": chat_id, "type": "group" if group_id else "user",
                     "name": group.name if group else state.settings.bot.display_name,
                     "member_count": len(group.member_ids) if group else 2},
            "entries": state.chat_entries(chat_id),
            "quota": {"limit": state.settings.monthly_quota, "used": state.consumption},
        }
