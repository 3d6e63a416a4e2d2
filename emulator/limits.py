"""LINE's documented limits that messaging-api.yml leaves out (text length, template and quick-reply sizes,
label lengths), checked per schema on top of the spec because the real API rejects bodies past them.

Also the shape of one problem (`Issue`) and LINE's way of naming where it is (`join_path`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable

URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")


@dataclass(frozen=True)
class Issue:
    """One validation problem, shaped like an entry of LINE's error `details`."""

    property: str
    message: str

    def __str__(self) -> str:
        return f"{self.property}: {self.message}" if self.property else self.message

    def as_detail(self) -> dict[str, str]:
        """The issue as LINE's ErrorDetail object."""
        return {"message": self.message, "property": self.property}


def join_path(base: str, key: str | int) -> str:
    """Join property paths the way LINE reports them: messages[0].quickReply.items."""
    if isinstance(key, int):
        return f"{base}[{key}]"
    return f"{base}.{key}" if base else key


Rule = Callable[[dict[str, Any], str], list[Issue]]


def _length(obj: dict[str, Any], key: str, path: str, lo: int, hi: int, required: bool = True) -> list[Issue]:
    """Check a string field's presence and character count."""
    value = obj.get(key)
    where = join_path(path, key)
    if value is None:
        return [Issue(where, "must be specified")] if required else []
    if not isinstance(value, str):
        return []  # the schema pass already reported the type
    if not lo <= len(value) <= hi:
        return [Issue(where, f"Length must be between {lo} and {hi}")]
    return []


def _size(obj: dict[str, Any], key: str, path: str, lo: int, hi: int) -> list[Issue]:
    """Check an array field's presence and item count."""
    value = obj.get(key)
    where = join_path(path, key)
    if value is None:
        return [Issue(where, "must be specified")]
    if isinstance(value, list) and not lo <= len(value) <= hi:
        return [Issue(where, f"Size must be between {lo} and {hi}")]
    return []


def _labels(actions: list[Any], path: str, hi: int) -> list[Issue]:
    """Templates and quick replies need a label on every action."""
    issues: list[Issue] = []
    for i, action in enumerate(actions):
        if isinstance(action, dict):
            issues += _length(action, "label", join_path(path, i), 1, hi)
    return issues


def _text_message(obj: dict[str, Any], path: str) -> list[Issue]:
    return _length(obj, "text", path, 1, 5000)


def _alt_text(obj: dict[str, Any], path: str) -> list[Issue]:
    return _length(obj, "altText", path, 1, 1500)


def _quick_reply(obj: dict[str, Any], path: str) -> list[Issue]:
    items = obj.get("items")
    if items is None:
        return [Issue(join_path(path, "items"), "must be specified")]
    if items == []:  # the spec only gives maxItems 13; LINE also rejects an empty list
        return [Issue(join_path(path, "items"), "Size must be between 1 and 13")]
    return []


def _quick_reply_item(obj: dict[str, Any], path: str) -> list[Issue]:
    issues: list[Issue] = []
    if obj.get("type", "action") != "action":
        issues.append(Issue(join_path(path, "type"), "must be 'action'"))
    action = obj.get("action")
    if not isinstance(action, dict):
        return issues + [Issue(join_path(path, "action"), "must be specified")]
    return issues + _length(action, "label", join_path(path, "action"), 1, 20)


def _titled(obj: dict[str, Any], path: str, long_text: int, max_actions: int) -> list[Issue]:
    """A buttons template or a carousel column: with an image or a title, its text may hold only 60 characters."""
    short = bool(obj.get("thumbnailImageUrl") or obj.get("title"))
    issues = _length(obj, "title", path, 1, 40, required=False)
    issues += _length(obj, "text", path, 1, 60 if short else long_text)
    issues += _size(obj, "actions", path, 1, max_actions)
    return issues + _labels(obj.get("actions") or [], join_path(path, "actions"), 20)


def _buttons_template(obj: dict[str, Any], path: str) -> list[Issue]:
    return _titled(obj, path, 160, 4)


def _confirm_template(obj: dict[str, Any], path: str) -> list[Issue]:
    issues = _length(obj, "text", path, 1, 240) + _size(obj, "actions", path, 2, 2)
    return issues + _labels(obj.get("actions") or [], join_path(path, "actions"), 20)


def _carousel_template(obj: dict[str, Any], path: str) -> list[Issue]:
    issues = _size(obj, "columns", path, 1, 10)
    columns = [c for c in obj.get("columns") or [] if isinstance(c, dict)]
    if len({len(c.get("actions") or []) for c in columns}) > 1:
        issues.append(Issue(join_path(path, "columns"), "All columns must have the same number of actions"))
    return issues


def _carousel_column(obj: dict[str, Any], path: str) -> list[Issue]:
    return _titled(obj, path, 120, 3)


def _image_carousel_template(obj: dict[str, Any], path: str) -> list[Issue]:
    return _size(obj, "columns", path, 1, 10)


def _image_carousel_column(obj: dict[str, Any], path: str) -> list[Issue]:
    action = obj.get("action")
    if isinstance(action, dict):
        return _length(action, "label", join_path(path, "action"), 1, 12, required=False)
    return []


def _flex_message(obj: dict[str, Any], path: str) -> list[Issue]:
    issues = _alt_text(obj, path)
    contents = obj.get("contents")
    if isinstance(contents, dict):
        limit = 50_000 if contents.get("type") == "carousel" else 30_000
        size = len(json.dumps(contents, ensure_ascii=False).encode("utf-8"))
        if size > limit:
            issues.append(Issue(join_path(path, "contents"), f"Size of the flex JSON must be at most {limit} bytes"))
    return issues


def _flex_carousel(obj: dict[str, Any], path: str) -> list[Issue]:
    return _size(obj, "contents", path, 1, 12)


def _flex_text(obj: dict[str, Any], path: str) -> list[Issue]:
    if obj.get("text") is None and not obj.get("contents"):
        return [Issue(join_path(path, "text"), "must be specified")]
    return []


def _flex_button(obj: dict[str, Any], path: str) -> list[Issue]:
    action = obj.get("action")
    if isinstance(action, dict):
        return _length(action, "label", join_path(path, "action"), 1, 40)
    return []


def _message_action(obj: dict[str, Any], path: str) -> list[Issue]:
    return _length(obj, "text", path, 1, 300)


def _postback_action(obj: dict[str, Any], path: str) -> list[Issue]:
    issues = _length(obj, "data", path, 1, 300)
    issues += _length(obj, "displayText", path, 1, 300, required=False)
    if obj.get("displayText") is not None and obj.get("text") is not None:
        issues.append(Issue(join_path(path, "text"), "displayText and text cannot be specified together"))
    return issues


def _datetime_picker_action(obj: dict[str, Any], path: str) -> list[Issue]:
    issues = _length(obj, "data", path, 1, 300)
    if obj.get("mode") is None:
        issues.append(Issue(join_path(path, "mode"), "must be specified"))
    return issues


def _uri_action(obj: dict[str, Any], path: str) -> list[Issue]:
    return _length(obj, "uri", path, 1, 1000)


EXTRA_RULES: dict[str, Rule] = {
    "TextMessage": _text_message,
    "TextMessageV2": _text_message,
    "TemplateMessage": _alt_text,
    "ImagemapMessage": _alt_text,
    "FlexMessage": _flex_message,
    "QuickReply": _quick_reply,
    "QuickReplyItem": _quick_reply_item,
    "ButtonsTemplate": _buttons_template,
    "ConfirmTemplate": _confirm_template,
    "CarouselTemplate": _carousel_template,
    "CarouselColumn": _carousel_column,
    "ImageCarouselTemplate": _image_carousel_template,
    "ImageCarouselColumn": _image_carousel_column,
    "FlexCarousel": _flex_carousel,
    "FlexText": _flex_text,
    "FlexButton": _flex_button,
    "MessageAction": _message_action,
    "PostbackAction": _postback_action,
    "DatetimePickerAction": _datetime_picker_action,
    "URIAction": _uri_action,
}
