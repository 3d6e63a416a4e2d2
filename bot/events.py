"""Inbound events, reduced from line-bot-sdk's typed events to the few fields handlers use."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl

from linebot.v3.webhooks import (
    FollowEvent,
    GroupSource,
    JoinEvent,
    LeaveEvent,
    MemberJoinedEvent,
    MemberLeftEvent,
    MessageEvent,
    PostbackEvent,
    RoomSource,
    TextMessageContent,
    UnfollowEvent,
    UnsendEvent,
    UserSource,
)


class EventKind(StrEnum):
    TEXT = "text"
    POSTBACK = "postback"
    JOIN = "join"
    LEAVE = "leave"
    MEMBER_JOINED = "memberJoined"
    MEMBER_LEFT = "memberLeft"
    FOLLOW = "follow"
    UNFOLLOW = "unfollow"
    UNSEND = "unsend"
    OTHER = "other"


@dataclass(frozen=True)
class Inbound:
    """One webhook event as the router sees it."""

    kind: EventKind
    webhook_event_id: str
    event_type: str
    is_redelivery: bool = False
    reply_token: str | None = None
    user_id: str | None = None
    group_id: str | None = None
    text: str = ""
    message_id: str | None = None
    postback: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    mentioned_user_ids: tuple[str, ...] = ()
    left_user_ids: tuple[str, ...] = ()  # memberLeft: who left the group
    timestamp: datetime | None = None

    @property
    def in_group(self) -> bool:
        return self.group_id is not None

    @property
    def chat_id(self) -> str | None:
        """The chat a reply goes to: the group, or the user in 1:1."""
        return self.group_id or self.user_id

    @property
    def action(self) -> str | None:
        return self.postback.get("action")

    @property
    def command(self) -> str:
        """The first word of a text (the command word), without a leading slash."""
        words = self.text.strip().split(maxsplit=1)
        return words[0].lstrip("/／") if words else ""

    @property
    def argument(self) -> str:
        """What follows the command word."""
        words = self.text.strip().split(maxsplit=1)
        return words[1].strip() if len(words) > 1 else ""


def from_sdk(event: Any) -> Inbound:
    """Reduce an SDK event; unknown kinds become OTHER (LINE adds event types over time)."""
    source = getattr(event, "source", None)
    user_id, group_id = _source_ids(source)
    delivery = getattr(event, "delivery_context", None)
    base: dict[str, Any] = dict(
        webhook_event_id=getattr(event, "webhook_event_id", None) or "",
        event_type=getattr(event, "type", None) or type(event).__name__,
        is_redelivery=bool(getattr(delivery, "is_redelivery", False)),
        reply_token=getattr(event, "reply_token", None),
        user_id=user_id,
        group_id=group_id,
        timestamp=_timestamp(getattr(event, "timestamp", None)),
    )
    if isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
        mention = getattr(event.message, "mention", None)
        mentioned = tuple(m.user_id for m in (mention.mentionees if mention else []) if getattr(m, "user_id", None))
        return Inbound(EventKind.TEXT, text=event.message.text or "", message_id=event.message.id,
                       mentioned_user_ids=mentioned, **base)
    if isinstance(event, PostbackEvent):
        data = dict(parse_qsl(event.postback.data or "", keep_blank_values=True))
        params = {k: v for k, v in (event.postback.params or {}).items() if isinstance(v, str)}
        return Inbound(EventKind.POSTBACK, postback=data, params=params, **base)
    if isinstance(event, MemberLeftEvent):
        members = event.left.members if event.left else []
        return Inbound(EventKind.MEMBER_LEFT, left_user_ids=tuple(
            m.user_id for m in members if getattr(m, "user_id", None)), **base)
    if isinstance(event, UnsendEvent):
        return Inbound(EventKind.UNSEND, message_id=event.unsend.message_id, **base)
    for sdk_type, kind in _SIMPLE_KINDS:
        if isinstance(event, sdk_type):
            return Inbound(kind, **base)
    return Inbound(EventKind.OTHER, **base)


_SIMPLE_KINDS = (
    (JoinEvent, EventKind.JOIN), (LeaveEvent, EventKind.LEAVE), (MemberJoinedEvent, EventKind.MEMBER_JOINED),
    (FollowEvent, EventKind.FOLLOW), (UnfollowEvent, EventKind.UNFOLLOW),
)


def _source_ids(source: Any) -> tuple[str | None, str | None]:
    if isinstance(source, GroupSource):
        return source.user_id, source.group_id
    if isinstance(source, RoomSource):
        return source.user_id, source.room_id
    if isinstance(source, UserSource):
        return source.user_id, None
    return None, None


def _timestamp(ms: int | None) -> datetime | None:
    return datetime.fromtimestamp(ms / 1000, timezone.utc) if ms else None
