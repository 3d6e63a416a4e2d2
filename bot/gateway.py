"""The one gateway to LINE: reply, push, profiles, member counts and quota, through line-bot-sdk.

LINE's HTTP errors become typed exceptions so callers decide on retries without parsing
status codes. Only LINE's request id is logged, never a message body.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import urllib3
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    CreateRichMenuAliasRequest,
    MessagingApi,
    MessagingApiBlob,
    RichMenuRequest,
    ShowLoadingAnimationRequest,
    UpdateRichMenuAliasRequest,
)

log = logging.getLogger(__name__)


class LineError(Exception):
    """A call to LINE failed."""

    retryable = False

    def __init__(self, status: int | None, detail: str = "", retry_after: float | None = None) -> None:
        super().__init__(f"LINE answered {status}: {detail}")
        self.status = status
        self.detail = detail
        self.retry_after = retry_after


class RateLimited(LineError):
    retryable = True


class QuotaExhausted(LineError):
    """429 "You have reached your monthly limit.": retrying this month cannot help."""


class ServerError(LineError):
    retryable = True


class Unavailable(LineError):
    """Timeout or connection failure: the request may or may not have arrived, so retry with the same key."""

    retryable = True


class Rejected(LineError):
    """LINE refused the request as such (4xx); retrying the same body cannot help."""


class InvalidReplyToken(Rejected):
    pass


@dataclass(frozen=True)
class SendResult:
    request_id: str | None
    duplicate: bool = False


@dataclass(frozen=True)
class Profile:
    user_id: str
    display_name: str


@dataclass(frozen=True)
class Quota:
    limit: int | None  # None: unlimited plan
    used: int


class Gateway(Protocol):
    """What the bot needs from LINE; tests replace it with a recording fake or the local emulator."""

    def reply(self, reply_token: str, messages: list[dict[str, Any]]) -> SendResult: ...
    def push(self, to: str, messages: list[dict[str, Any]], retry_key: str) -> SendResult: ...
    def profile(self, user_id: str, group_id: str | None = None) -> Profile | None: ...
    def group_member_count(self, group_id: str) -> int | None: ...
    def quota(self) -> Quota: ...
    def show_loading(self, chat_id: str, seconds: int = 20) -> None: ...
    def link_rich_menu(self, user_id: str, alias: str) -> bool: ...


class Forwarding:
    """A gateway that passes every call to `inner`: wrappers (the shared push pace, the loading animation)
    override the calls they change and inherit the rest."""

    def __init__(self, inner: Gateway) -> None:
        self.inner = inner

    def reply(self, reply_token: str, messages: list[dict[str, Any]]) -> SendResult:
        return self.inner.reply(reply_token, messages)

    def push(self, to: str, messages: list[dict[str, Any]], retry_key: str) -> SendResult:
        return self.inner.push(to, messages, retry_key)

    def profile(self, user_id: str, group_id: str | None = None) -> Profile | None:
        return self.inner.profile(user_id, group_id)

    def group_member_count(self, group_id: str) -> int | None:
        return self.inner.group_member_count(group_id)

    def quota(self) -> Quota:
        return self.inner.quota()

    def show_loading(self, chat_id: str, seconds: int = 20) -> None:
        self.inner.show_loading(chat_id, seconds)

    def link_rich_menu(self, user_id: str, alias: str) -> bool:
        return self.inner.link_rich_menu(user_id, alias)

    def __getattr__(self, name: str) -> Any:
        # Whatever else the inner gateway offers (reads added later, close()) passes through too.
        return getattr(self.inner, name)


def data_host(host: str) -> str:
    """LINE serves uploads (rich menu images) from api-data.line.me; a stand-in serves both."""
    return host.replace("://api.line.me", "://api-data.line.me")


class SdkGateway:
    """Gateway backed by line-bot-sdk's MessagingApi, pointed at LINE_API_BASE_URL."""

    def __init__(self, host: str, access_token: str, timeout: float = 10.0) -> None:
        configuration = Configuration(host=host, access_token=access_token)
        configuration.retries = urllib3.Retry(total=0, redirect=False)  # retries are the outbox's job
        self._client = ApiClient(configuration)
        self._host = configuration.host.rstrip("/")
        self._api = MessagingApi(self._client)
        blob_configuration = Configuration(host=data_host(host), access_token=access_token)
        blob_configuration.retries = urllib3.Retry(total=0, redirect=False)
        self._blob_client = ApiClient(blob_configuration)
        self._blob = MessagingApiBlob(self._blob_client)
        self._timeout = timeout

    def close(self) -> None:
        self._client.close()
        self._blob_client.close()

    def show_loading(self, chat_id: str, seconds: int = 20) -> None:
        """The loading animation in a 1:1 chat while a slow step runs (a nicety: failures are ignored)."""
        try:
            self._call(self._api.show_loading_animation_with_http_info,
                       ShowLoadingAnimationRequest(chatId=chat_id, loadingSeconds=seconds))
        except LineError:
            pass

    def create_rich_menu(self, menu: dict[str, Any], png: bytes) -> str:
        """Create a rich menu and upload its image; return its id."""
        created = self._call(self._api.create_rich_menu_with_http_info, RichMenuRequest.from_dict(menu)).data
        self._call(self._blob.set_rich_menu_image_with_http_info, created.rich_menu_id, bytes(png),
                   _headers={"Content-Type": "image/png"})
        return created.rich_menu_id

    def point_alias(self, alias: str, rich_menu_id: str) -> None:
        """Make `alias` name this rich menu (created the first time, moved afterwards)."""
        if self.rich_menu_of(alias) is None:
            self._call(self._api.create_rich_menu_alias_with_http_info,
                       CreateRichMenuAliasRequest(richMenuAliasId=alias, richMenuId=rich_menu_id))
        else:
            self._call(self._api.update_rich_menu_alias_with_http_info, alias,
                       UpdateRichMenuAliasRequest(richMenuId=rich_menu_id))

    def rich_menu_of(self, alias: str) -> str | None:
        """The rich menu an alias names; None when there is none (setup has not run)."""
        try:
            return self._call(self._api.get_rich_menu_alias_with_http_info, alias).data.rich_menu_id
        except Rejected:
            return None

    def link_rich_menu(self, user_id: str, alias: str) -> bool:
        """Show the aliased rich menu to one user; False when it could not be linked (setup not run, LINE down)."""
        try:
            rich_menu_id = self.rich_menu_of(alias)
            if rich_menu_id is None:
                return False
            self._call(self._api.link_rich_menu_id_to_user_with_http_info, user_id, rich_menu_id)
        except LineError:
            return False
        return True

    def reply(self, reply_token: str, messages: list[dict[str, Any]]) -> SendResult:
        """Answer an event with its reply token (free of quota)."""
        response = self._post_messages("/v2/bot/message/reply", {"replyToken": reply_token, "messages": messages})
        return SendResult(_request_id(_headers(response)))

    def push(self, to: str, messages: list[dict[str, Any]], retry_key: str) -> SendResult:
        """Push to a user or group; a repeat of an accepted retry key (409) counts as delivered."""
        try:
            response = self._post_messages("/v2/bot/message/push", {"to": to, "messages": messages},
                                           {"X-Line-Retry-Key": retry_key})
        except Rejected as exc:
            if exc.status == 409:
                return SendResult(exc.detail or None, duplicate=True)
            raise
        return SendResult(_request_id(_headers(response)))

    def _post_messages(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        """POST a message request through the SDK's client, with the body as the handlers built it.

        The typed methods (reply_message, push_message) would parse every message into pydantic models
        and serialise them back, which for a Flex card costs more than the rest of the event. The bodies
        are already in the API's JSON shape, and the test suite checks each against messaging-api.yml.
        `ApiClient.request` is the SDK's public HTTP call (its typed methods end there); it adds neither
        the client's default headers (token, User-Agent) nor the host, so both are given here.
        tests/unit/test_gateway_sdk.py pins the part of the SDK this relies on.
        """
        return self._call(self._client.request, "POST", self._host + path,
                          headers={**self._client.default_headers, "Accept": "application/json",
                                   "Content-Type": "application/json", **(headers or {})},
                          body=body, _name=path.rsplit("/", 1)[-1] + "_message")

    def profile(self, user_id: str, group_id: str | None = None) -> Profile | None:
        """Return a user's display name (from the group when the user is not a friend); None if unknown."""
        try:
            if group_id:
                data = self._call(self._api.get_group_member_profile_with_http_info, group_id, user_id).data
            else:
                data = self._call(self._api.get_profile_with_http_info, user_id).data
        except LineError:  # a nicety: registration and binding go on without it
            return None
        return Profile(data.user_id, data.display_name)

    def group_member_count(self, group_id: str) -> int | None:
        """Return the group's size (what a push to it costs); None when LINE cannot tell us now."""
        try:
            return self._call(self._api.get_group_member_count_with_http_info, group_id).data.count
        except LineError:
            return None

    def quota(self) -> Quota:
        limit = self._call(self._api.get_message_quota_with_http_info).data
        used = self._call(self._api.get_message_quota_consumption_with_http_info).data
        return Quota(limit.value if limit.type == "limited" else None, used.total_usage)

    def _call(self, method: Any, *args: Any, _name: str | None = None, **kwargs: Any) -> Any:
        try:
            response = method(*args, _request_timeout=self._timeout, **kwargs)
        except ApiException as exc:
            raise _typed_error(exc) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise Unavailable(None, type(exc).__name__) from None
        log.info("LINE %s ok request_id=%s", _name or method.__name__.removesuffix("_with_http_info"),
                 _request_id(_headers(response)))
        return response


def _headers(response: Any) -> Any:
    """Response headers of a typed call (ApiResponse.headers) or of ApiClient.request (RESTResponse)."""
    return response.getheaders() if hasattr(response, "getheaders") else response.headers


def _request_id(headers: Any) -> str | None:
    if not headers:
        return None
    return headers.get("x-line-request-id") or headers.get("X-Line-Request-Id")


def _typed_error(exc: ApiException) -> LineError:
    status = exc.status or 0
    headers = exc.headers or {}
    log.warning("LINE call failed status=%s request_id=%s", status, _request_id(headers))
    if status == 409:
        return Rejected(409, headers.get("x-line-accepted-request-id", ""))
    body = exc.body.decode("utf-8", "replace") if isinstance(exc.body, bytes) else str(exc.body or "")
    if status == 429 and "monthly limit" in body.lower():
        return QuotaExhausted(status, "monthly limit reached")
    if status == 429:
        retry_after = headers.get("Retry-After")
        return RateLimited(status, "rate limited", float(retry_after) if retry_after else None)
    if status >= 500:
        return ServerError(status, "server error")
    if status == 400 and "reply token" in body.lower():
        return InvalidReplyToken(status, "invalid reply token")
    # LINE's 400 details name schema properties, not message content, so they are safe to keep.
    return Rejected(status, body[:500])
