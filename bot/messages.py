"""Builders for LINE message objects (plain dicts in the Messaging API's JSON shape).

Handlers decide what to say with these; the gateway alone sends. Keeping messages as
JSON-shaped dicts lets the outbox store them and lets tests validate them against the spec.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

Message = dict[str, Any]
Action = dict[str, Any]

MAX_TEXT = 5000
MAX_QUICK_REPLIES = 13
MAX_LABEL = 20


@dataclass(frozen=True)
class Outbound:
    """Messages for one chat: `to=None` means reply to the chat the event came from."""

    messages: list[Message]
    to: str | None = None
    dedupe_key: str | None = None
    # When a reply token has expired, some answers (e.g. the confirmation of a request) must still arrive.
    push_if_reply_fails: bool = False
    group_cost_hint: int | None = None
    follow_ups: "FollowUps | None" = None
    # For the counted-messages ledger: filled in by the router (the handler's capability) and the scheduler.
    capability: str | None = None
    purpose: str | None = None
    # Urgent pushes (a request's card, its escalations) are never held for a digest and may spend the reserve.
    urgent: bool = False


@dataclass(frozen=True)
class FollowUps:
    """What to say once the outbox knows how a message fared (bot/outbox.py), each at most once.

    `sent` once LINE accepted it (a 求助 is confirmed only then), `delayed` when its first attempt
    failed and it is being retried, `failed` when it cannot be delivered (refused, the month's quota
    used up, or still failing past the retry bound). Replies among them use the event's reply token.
    """

    sent: tuple[Outbound, ...] = ()
    delayed: tuple[Outbound, ...] = ()
    failed: tuple[Outbound, ...] = ()


def reply(*messages: Message, push_if_reply_fails: bool = False) -> Outbound:
    """Answer in the chat the event came from."""
    return Outbound(list(messages), push_if_reply_fails=push_if_reply_fails)


def push(to: str, *messages: Message, dedupe_key: str | None = None, group_cost_hint: int | None = None,
         urgent: bool = False, purpose: str | None = None, follow_ups: FollowUps | None = None) -> Outbound:
    """Send to another chat (costs quota; `group_cost_hint` is the group's size when the caller knows it)."""
    return Outbound(list(messages), to=to, dedupe_key=dedupe_key, group_cost_hint=group_cost_hint, urgent=urgent,
                    purpose=purpose, follow_ups=follow_ups)


def owner_of(function: object) -> str:
    """The capability a handler or renderer belongs to, by its module (handlers.<capability>.routes)."""
    parts = getattr(function, "__module__", "").split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "handlers" else parts[-1] or "other"


def labelled(said: list[Outbound], capability: str, purpose: str | None = None) -> list[Outbound]:
    """Name who said each push (for the ledger), keeping labels a handler set itself."""
    from dataclasses import replace
    return [o if o.to is None else replace(o, capability=o.capability or capability,
                                           purpose=o.purpose or purpose) for o in said]


def label(text: str) -> str:
    """Clip a button label to LINE's limit."""
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def postback_data(action: str, **params: Any) -> str:
    """Encode a postback as `action=...&key=value` (the router dispatches on `action`)."""
    return urlencode({"action": action, **{k: v for k, v in params.items() if v is not None}})


def postback(text: str, action: str, display: str | None = None, **params: Any) -> Action:
    """A postback action; `display` is what the chat shows as the user's tap."""
    act: Action = {"type": "postback", "label": label(text), "data": postback_data(action, **params)}
    if display:
        act["displayText"] = display
    return act


def says(text: str, words: str | None = None) -> Action:
    """A message action: tapping it makes the user say `words` (default: the label)."""
    return {"type": "message", "label": label(text), "text": words or text}


def uri(text: str, link: str) -> Action:
    return {"type": "uri", "label": label(text), "uri": link}


def datetime_picker(text: str, action: str, mode: str = "datetime", **params: Any) -> Action:
    return {"type": "datetimepicker", "label": label(text), "data": postback_data(action, **params), "mode": mode}


def text(body: str, quick: list[Action] | None = None, mention_ids: list[str] | None = None) -> Message:
    """A text message, optionally with quick replies; clipped to LINE's 5000 characters."""
    if len(body) > MAX_TEXT:
        body = body[: MAX_TEXT - 1] + "…"
    message: Message = {"type": "text", "text": body}
    if quick:
        message["quickReply"] = quick_reply(quick)
    return message


def quick_reply(actions: list[Action]) -> dict[str, Any]:
    return {"items": [{"type": "action", "action": a} for a in actions[:MAX_QUICK_REPLIES]]}


def buttons(alt: str, body: str, actions: list[Action], title: str | None = None) -> Message:
    """A buttons template (at most 4 actions; body 160 chars, 60 with a title)."""
    limit = 60 if title else 160
    template: dict[str, Any] = {"type": "buttons", "text": body[:limit], "actions": actions[:4]}
    if title:
        template["title"] = title[:40]
    return {"type": "template", "altText": alt[:400], "template": template}


def textv2_mention(body: str, mentions: dict[str, str]) -> Message:
    """A textV2 message whose `{key}` placeholders mention users (mentions: key -> LINE user id)."""
    substitution = {
        key: {"type": "mention", "mentionee": {"type": "user", "userId": user_id}}
        for key, user_id in mentions.items()
    }
    return {"type": "textV2", "text": body[:MAX_TEXT], "substitution": substitution}


@dataclass
class FlexCard:
    """A small Flex bubble: header, key-value rows, body text, footer buttons."""

    title: str
    alt: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    body: str = ""
    actions: list[Action] = field(default_factory=list)
    accent: str = "#1f6f8b"

    def bubble(self) -> dict[str, Any]:
        contents: list[dict[str, Any]] = [
            {"type": "box", "layout": "baseline", "spacing": "sm", "contents": [
                {"type": "text", "text": key, "size": "sm", "color": "#888888", "flex": 2},
                {"type": "text", "text": value or "－", "size": "sm", "wrap": True, "flex": 5},
            ]}
            for key, value in self.rows
        ]
        if self.body:
            contents.append({"type": "separator", "margin": "md"})
            contents.append({"type": "text", "text": self.body[:2000], "wrap": True, "margin": "md", "size": "sm"})
        bubble: dict[str, Any] = {
            "type": "bubble",
            "header": {"type": "box", "layout": "vertical", "backgroundColor": self.accent, "contents": [
                {"type": "text", "text": self.title, "weight": "bold", "color": "#ffffff", "wrap": True}]},
            "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": contents or [
                {"type": "text", "text": self.alt, "wrap": True}]},
        }
        if self.actions:
            bubble["footer"] = {"type": "box", "layout": "vertical", "spacing": "sm", "contents": [
                {"type": "button", "style": "primary" if i == 0 else "secondary", "height": "sm", "action": action}
                for i, action in enumerate(self.actions)]}
        return bubble

    def message(self) -> Message:
        return {"type": "flex", "altText": self.alt[:400], "contents": self.bubble()}


def carousel(alt: str, cards: list[FlexCard]) -> Message:
    """Several cards side by side (LINE allows 12 bubbles)."""
    return {"type": "flex", "altText": alt[:400], "contents": {
        "type": "carousel", "contents": [card.bubble() for card in cards[:12]]}}
