"""The Messaging API subset the bot uses, at api.line.me's paths, with LINE's auth, validation and errors."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from flask import Blueprint, Response, g, jsonify, request

from .events import USER_ID_RE
from .schema import load_validator
from .state import EmulatorState, Fault, current_state

bp = Blueprint("messaging_api", __name__, url_prefix="/v2/bot")

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
TARGET_RE = re.compile(r"^[UCR][0-9a-f]{32}$")
MEMBER_IDS_PAGE = 100
FAULT_MESSAGES = {
    429: "Too many requests",
    500: "An error occurred on the server",
    503: "Service unavailable",
}


class ApiError(Exception):
    """An error response in LINE's shape: {"message", "details"?} plus optional extra fields and headers."""

    def __init__(self, status: int, message: str, details: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.details = status, message, details
        self.headers, self.extra = headers or {}, extra or {}

    def response(self) -> Response:
        """The Flask response."""
        body: dict[str, Any] = {"message": self.message, **self.extra}
        if self.details:
            body["details"] = self.details
        resp = jsonify(body)
        resp.status_code = self.status
        resp.headers.update(self.headers)
        return resp


@bp.errorhandler(ApiError)
def _api_error(err: ApiError) -> Response:
    return err.response()


@bp.before_request
def _before() -> Response | None:
    """Assign a request ID, apply injected faults, then check the channel access token."""
    g.request_id = str(uuid.uuid4())
    g.fault = False
    state = current_state()
    fault = state.take_fault(request.method, request.path)
    if fault is not None:
        if fault.delay_seconds:
            time.sleep(fault.delay_seconds)  # outside the lock: other calls go on meanwhile
        if fault.status:
            g.fault = True
            return _fault_response(fault)
    return _check_auth(state)


@bp.after_request
def _after(response: Response) -> Response:
    response.headers["x-line-request-id"] = g.get("request_id", "")
    current_state().record_request({
        "method": request.method, "path": request.path, "status": response.status_code,
        "retry_key": request.headers.get("X-Line-Retry-Key"), "request_id": g.get("request_id"),
        "fault": g.get("fault", False),
    })
    return response


def _fault_response(fault: Fault) -> Response:
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    message = FAULT_MESSAGES.get(fault.status or 500, "Injected failure")
    return ApiError(fault.status or 500, message, headers=headers).response()


def _check_auth(state: EmulatorState) -> Response | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return ApiError(401, "Authorization header required. "
                             "Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'").response()
    if header.removeprefix("Bearer ").strip() != state.settings.access_token:
        return ApiError(401, "Authentication failed. Confirm that the access token in the authorization "
                             "header is valid.").response()
    return None


def _validated(schema_name: str) -> dict[str, Any]:
    """The JSON body, or ApiError 400 with LINE-style details (and the violation recorded)."""
    state = current_state()
    body = request.get_json(silent=True)
    if body is None:
        issues = [{"message": "must be a JSON object", "property": ""}]
    else:
        issues = [i.as_detail() for i in load_validator(state.settings.spec_path).validate(schema_name, body)]
    if issues:
        state.record_violation(request.path, schema_name, issues, body)
        raise ApiError(400, f"The request body has {len(issues)} error(s)", details=issues)
    return body


def _retry_key() -> str | None:
    key = request.headers.get("X-Line-Retry-Key")
    if key is not None and not UUID_RE.match(key):
        raise ApiError(400, "The value of the X-Line-Retry-Key header is invalid. Specify a UUID.")
    return key


def _check_target(value: str, prop: str, pattern: re.Pattern[str] = TARGET_RE) -> None:
    if not pattern.match(value):
        raise ApiError(400, f"The property, '{prop}', in the request body is invalid (line: -, column: -)")


def _reject_if_retried(state: EmulatorState, key: str | None) -> None:
    accepted = state.accepted_retry(key) if key else None
    if accepted:
        raise ApiError(409, "The retry key is already accepted",
                       headers={"x-line-accepted-request-id": accepted["request_id"]},
                       extra={"sentMessages": accepted["sent_messages"]})


def _consume_quota(state: EmulatorState, count: int) -> None:
    if not state.try_consume_quota(count):
        raise ApiError(429, "You have reached your monthly limit.")


@bp.post("/message/reply")
def reply_message() -> Any:
    """Send reply message: a reply token works once, within its lifetime; replies are free."""
    state = current_state()
    body = _validated("ReplyMessageRequest")
    token = state.use_reply_token(body["replyToken"])
    if token is None:
        raise ApiError(400, "Invalid reply token")
    sent = state.deliver("reply", token.chat_id, body["messages"], g.request_id, reply_to_user=token.user_id)
    return {"sentMessages": sent}


@bp.post("/message/push")
def push_message() -> Any:
    """Send push message, idempotent per X-Line-Retry-Key, counted against the quota per recipient."""
    state = current_state()
    key = _retry_key()
    body = _validated("PushMessageRequest")
    _check_target(body["to"], "to")
    with state.lock:  # check-and-remember of the retry key must be atomic
        _reject_if_retried(state, key)
        recipients = state.recipients(body["to"])
        _consume_quota(state, recipients)
        sent = state.deliver("push", body["to"], body["messages"], g.request_id, retry_key=key, counted=recipients)
        if key:
            state.remember_retry(key, g.request_id, sent)
    return {"sentMessages": sent}


@bp.post("/message/multicast")
def multicast_message() -> Any:
    """Send the same messages to several users (one delivery record per user)."""
    state = current_state()
    key = _retry_key()
    body = _validated("MulticastRequest")
    for i, to in enumerate(body["to"]):
        _check_target(to, f"to[{i}]", USER_ID_RE)
    with state.lock:
        _reject_if_retried(state, key)
        _consume_quota(state, len(body["to"]))
        sent: list[dict[str, str]] = []
        for to in body["to"]:
            sent = state.deliver("multicast", to, body["messages"], g.request_id, retry_key=key, counted=1)
        if key:
            state.remember_retry(key, g.request_id, sent)
    return {}


@bp.post("/message/validate/<kind>")
def validate_message(kind: str) -> Any:
    """Validate message objects without sending them."""
    if kind not in {"reply", "push", "multicast", "narrowcast", "broadcast"}:
        raise ApiError(404, "Not found")
    _validated("ValidateMessageRequest")
    return {}


@bp.post("/chat/loading/start")
def loading_start() -> Any:
    """Display a loading animation in a 1:1 chat (the chat page shows it until the next message)."""
    body = _validated("ShowLoadingAnimationRequest")
    _check_target(body["chatId"], "chatId", USER_ID_RE)
    if body.get("loadingSeconds", 20) % 5:
        raise ApiError(400, "The request body has 1 error(s)",
                       details=[{"message": "must be a multiple of 5", "property": "loadingSeconds"}])
    current_state().start_loading(body["chatId"], int(body.get("loadingSeconds", 20)))
    return {}, 202


@bp.get("/message/quota")
def quota() -> Any:
    """The monthly message quota ("none": no target limit, the unlimited plan)."""
    limit = current_state().settings.monthly_quota
    return {"type": "none"} if limit < 0 else {"type": "limited", "value": limit}


@bp.get("/message/quota/consumption")
def quota_consumption() -> Any:
    """Messages counted against the quota this month."""
    return {"totalUsage": current_state().consumption}


@bp.get("/info")
def bot_info() -> Any:
    """The bot's own profile."""
    bot = current_state().settings.bot
    return {"userId": bot.user_id, "basicId": bot.basic_id, "displayName": bot.display_name,
            "chatMode": "bot", "markAsReadMode": "auto"}


@bp.get("/profile/<user_id>")
def profile(user_id: str) -> Any:
    """A user's profile (404 for users the emulator does not know)."""
    user = current_state().users.get(user_id)
    if user is None:
        raise ApiError(404, "Not found")
    return {"displayName": user.display_name, "userId": user.user_id, "language": "zh-TW"}


def _group_or_404(group_id: str) -> Any:
    group = current_state().group(group_id)
    if group is None:
        raise ApiError(404, "Not found")
    return group


@bp.get("/group/<group_id>/member/<user_id>")
def group_member_profile(group_id: str, user_id: str) -> Any:
    """A group member's profile."""
    state = current_state()
    group = _group_or_404(group_id)
    if user_id not in group.member_ids:
        raise ApiError(404, "Not found")
    return {"displayName": state.display_name(user_id), "userId": user_id}


@bp.get("/group/<group_id>/summary")
def group_summary(group_id: str) -> Any:
    """Group ID and name."""
    group = _group_or_404(group_id)
    return {"groupId": group.group_id, "groupName": group.name}


@bp.get("/group/<group_id>/members/count")
def group_members_count(group_id: str) -> Any:
    """Number of members, not counting the bot."""
    return {"count": len(_group_or_404(group_id).member_ids)}


@bp.get("/group/<group_id>/members/ids")
def group_member_ids(group_id: str) -> Any:
    """Member user IDs, 100 a page, continued with ?start=<next>."""
    members = _group_or_404(group_id).member_ids
    raw_start = request.args.get("start", "")
    start = int(raw_start) if raw_start.isdigit() else 0
    page: dict[str, Any] = {"memberIds": members[start:start + MEMBER_IDS_PAGE]}
    if start + MEMBER_IDS_PAGE < len(members):
        page["next"] = str(start + MEMBER_IDS_PAGE)
    return page


@bp.post("/group/<group_id>/leave")
def leave_group(group_id: str) -> Any:
    """The bot leaves a group."""
    state = current_state()
    _group_or_404(group_id)
    state.add_system_note(group_id, f"{state.settings.bot.display_name} 已離開群組")
    return {}
