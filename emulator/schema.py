"""Validate request bodies against LINE's OpenAPI schemas, following `discriminator` subtyping.

Plain JSON Schema validators ignore OpenAPI's `discriminator`, so a Message with `type: "flex"` would never be
checked as a FlexMessage. This validator walks the schema itself: a $ref to a schema with a discriminator is
dispatched to the mapped subtype by the `type` property, and the subtype's `allOf` back to its base is checked
without dispatching again. On top of the spec it enforces LINE's documented limits that the YAML leaves out
(text length, template and quick-reply sizes, label lengths), because the real API rejects those.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import yaml

from .settings import default_spec_path

REF_PREFIX = "#/components/schemas/"
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


_PY_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}


class SpecValidator:
    """Validator for the component schemas of one OpenAPI document."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.schemas: dict[str, dict[str, Any]] = spec["components"]["schemas"]
        self._subtype_keys = self._index_subtypes()

    @classmethod
    def from_file(cls, path: str) -> "SpecValidator":
        """Load an OpenAPI YAML file."""
        with open(path, encoding="utf-8") as fh:
            return cls(yaml.safe_load(fh))

    def validate(self, schema_name: str, value: Any) -> list[Issue]:
        """Return every problem of `value` against the named component schema (empty when valid)."""
        if schema_name not in self.schemas:
            raise KeyError(f"unknown schema {schema_name!r}")
        issues: list[Issue] = []
        self._check_named(schema_name, value, "", issues, dispatch=True)
        # The spec and the extra rules may both flag a missing field; report it once.
        return list(dict.fromkeys(issues))

    def _index_subtypes(self) -> dict[str, tuple[str, str, str]]:
        """Map each subtype name to (base name, discriminator property, type value)."""
        index: dict[str, tuple[str, str, str]] = {}
        for base, schema in self.schemas.items():
            disc = schema.get("discriminator")
            if not disc:
                continue
            for key, ref in disc.get("mapping", {}).items():
                index[ref.removeprefix(REF_PREFIX)] = (base, disc["propertyName"], key)
        return index

    def _check_named(self, name: str, value: Any, path: str, issues: list[Issue], dispatch: bool) -> None:
        schema = self.schemas[name]
        if dispatch and "discriminator" in schema and isinstance(value, dict):
            target = self._pick_subtype(schema, value, path, issues)
            if target is None:
                return
            if target != name:
                self._check_named(target, value, path, issues, dispatch=False)
                return
        self._check_subtype_tag(name, value, path, issues)
        self._check_schema(schema, value, path, issues)
        rule = EXTRA_RULES.get(name)
        if rule and isinstance(value, dict):
            issues.extend(rule(value, path))

    def _pick_subtype(self, schema: dict[str, Any], value: dict[str, Any], path: str,
                      issues: list[Issue]) -> str | None:
        """Name of the subtype that the discriminator property selects, or None after recording an issue."""
        disc = schema["discriminator"]
        prop = disc["propertyName"]
        mapping: dict[str, str] = disc.get("mapping", {})
        tag = value.get(prop)
        if tag is None:
            issues.append(Issue(join_path(path, prop), "must be specified"))
            return None
        if tag not in mapping:
            allowed = ", ".join(mapping)
            issues.append(Issue(join_path(path, prop), f"must be one of the following values: [{allowed}]"))
            return None
        return mapping[tag].removeprefix(REF_PREFIX)

    def _check_subtype_tag(self, name: str, value: Any, path: str, issues: list[Issue]) -> None:
        """A subtype referenced directly (FlexBubble.body -> FlexBox) still needs its own type value."""
        entry = self._subtype_keys.get(name)
        if not entry or not isinstance(value, dict):
            return
        _, prop, key = entry
        if prop in value and value[prop] != key:
            issues.append(Issue(join_path(path, prop), f"must be '{key}'"))

    def _check_schema(self, schema: dict[str, Any], value: Any, path: str, issues: list[Issue]) -> None:
        if "$ref" in schema:
            self._check_named(schema["$ref"].removeprefix(REF_PREFIX), value, path, issues, dispatch=True)
            return
        if value is None and schema.get("nullable"):
            return
        for part in schema.get("allOf", []):
            self._check_all_of_part(part, value, path, issues)
        if not self._check_type(schema, value, path, issues):
            return
        self._check_alternatives(schema, value, path, issues)
        self._check_scalar(schema, value, path, issues)
        if isinstance(value, list):
            self._check_array(schema, value, path, issues)
        elif isinstance(value, dict):
            self._check_object(schema, value, path, issues)

    def _check_all_of_part(self, part: dict[str, Any], value: Any, path: str, issues: list[Issue]) -> None:
        if "$ref" in part:
            # The base of a subtype: check its fields but do not dispatch back down to the subtype.
            self._check_named(part["$ref"].removeprefix(REF_PREFIX), value, path, issues, dispatch=False)
        else:
            self._check_schema(part, value, path, issues)

    def _check_type(self, schema: dict[str, Any], value: Any, path: str, issues: list[Issue]) -> bool:
        expected = schema.get("type")
        if expected is None or _PY_TYPES[expected](value):
            return True
        issues.append(Issue(path, f"must be of type {expected}"))
        return False

    def _check_alternatives(self, schema: dict[str, Any], value: Any, path: str, issues: list[Issue]) -> None:
        for keyword in ("oneOf", "anyOf"):
            options = schema.get(keyword)
            if options and not any(not self._probe(o, value, path) for o in options):
                issues.append(Issue(path, f"must match one of the allowed shapes ({keyword})"))

    def _probe(self, schema: dict[str, Any], value: Any, path: str) -> list[Issue]:
        found: list[Issue] = []
        self._check_schema(schema, value, path, found)
        return found

    def _check_scalar(self, schema: dict[str, Any], value: Any, path: str, issues: list[Issue]) -> None:
        if "enum" in schema and value not in schema["enum"]:
            allowed = ", ".join(str(v) for v in schema["enum"])
            issues.append(Issue(path, f"must be one of the following values: [{allowed}]"))
        if isinstance(value, str):
            self._check_string(schema, value, path, issues)
        elif _PY_TYPES["number"](value):
            self._check_number(schema, value, path, issues)

    def _check_string(self, schema: dict[str, Any], value: str, path: str, issues: list[Issue]) -> None:
        lo, hi = schema.get("minLength"), schema.get("maxLength")
        if (lo is not None and len(value) < lo) or (hi is not None and len(value) > hi):
            issues.append(Issue(path, f"Length must be between {lo or 0} and {hi if hi is not None else 'unlimited'}"))
        pattern = schema.get("pattern")
        if pattern and not re.search(pattern, value):
            issues.append(Issue(path, f"must match {pattern}"))
        if schema.get("format") == "uri" and not URI_RE.match(value):
            issues.append(Issue(path, "must be a valid URI"))

    def _check_number(self, schema: dict[str, Any], value: float, path: str, issues: list[Issue]) -> None:
        hi, lo = schema.get("maximum"), schema.get("minimum")
        if hi is not None and (value > hi or (schema.get("exclusiveMaximum") and value == hi)):
            issues.append(Issue(path, f"must be less than or equal to {hi}"))
        if lo is not None and (value < lo or (schema.get("exclusiveMinimum") and value == lo)):
            issues.append(Issue(path, f"must be greater than or equal to {lo}"))

    def _check_array(self, schema: dict[str, Any], value: list[Any], path: str, issues: list[Issue]) -> None:
        lo, hi = schema.get("minItems"), schema.get("maxItems")
        if (lo is not None and len(value) < lo) or (hi is not None and len(value) > hi):
            issues.append(Issue(path, f"Size must be between {lo or 0} and {hi if hi is not None else 'unlimited'}"))
        items = schema.get("items")
        if items:
            for i, item in enumerate(value):
                self._check_schema(items, item, join_path(path, i), issues)

    def _check_object(self, schema: dict[str, Any], value: dict[str, Any], path: str, issues: list[Issue]) -> None:
        for key in schema.get("required", []):
            if key not in value or value[key] is None:
                issues.append(Issue(join_path(path, key), "must be specified"))
        props: dict[str, Any] = schema.get("properties", {})
        for key, sub in props.items():
            if key in value and value[key] is not None:
                self._check_schema(sub, value[key], join_path(path, key), issues)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key in value.keys() - props.keys():
                self._check_schema(extra, value[key], join_path(path, key), issues)


# ---- LINE's documented limits that messaging-api.yml does not encode ----

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


def _buttons_template(obj: dict[str, Any], path: str) -> list[Issue]:
    short = bool(obj.get("thumbnailImageUrl") or obj.get("title"))
    issues = _length(obj, "title", path, 1, 40, required=False)
    issues += _length(obj, "text", path, 1, 60 if short else 160)
    issues += _size(obj, "actions", path, 1, 4)
    return issues + _labels(obj.get("actions") or [], join_path(path, "actions"), 20)


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
    short = bool(obj.get("thumbnailImageUrl") or obj.get("title"))
    issues = _length(obj, "title", path, 1, 40, required=False)
    issues += _length(obj, "text", path, 1, 60 if short else 120)
    issues += _size(obj, "actions", path, 1, 3)
    return issues + _labels(obj.get("actions") or [], join_path(path, "actions"), 20)


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


@lru_cache(maxsize=8)
def load_validator(spec_path: str | None = None) -> SpecValidator:
    """A cached validator for an OpenAPI file (messaging-api.yml by default)."""
    return SpecValidator.from_file(spec_path or default_spec_path())


def validate_request(schema_name: str, body: Any, spec_path: str | None = None) -> list[str]:
    """Problems of `body` against a messaging-api.yml schema, as 'property: message' strings."""
    return [str(issue) for issue in load_validator(spec_path).validate(schema_name, body)]
