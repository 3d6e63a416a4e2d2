"""Hypothesis strategies for LINE webhook events, built from LINE's webhook.yml (emulator/openapi/).

`valid_events()` follows the spec: `discriminator` picks a subtype (tagging its `type`), `allOf`
merges a subtype with its base, required properties are always present and optional ones
sometimes. Fields whose format LINE documents in prose (user/group/room IDs, ULID event IDs,
numeric message IDs, epoch-millisecond timestamps) are drawn in that format, and texts and
postback data are drawn partly from the bot's own commands so that handlers really run.
`broken_events()` then breaks a valid event: a required field dropped, a value of the wrong type,
an unknown type, or something that is not an event at all.
"""
from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

import yaml
from hypothesis import strategies as st

from emulator.settings import default_webhook_spec_path
from tests import demo

REF = "#/components/schemas/"
TOKEN = "<reply token>"  # replaced by a token the emulator issued before the body is signed
HEX32 = st.text(alphabet="0123456789abcdef", min_size=32, max_size=32)
USERS = [demo.SOCIAL_WORKER, demo.POLICE, demo.HEALTH, demo.FIRE, demo.SCHOOL, demo.EMPLOYMENT, demo.SECRETARIAT,
         demo.DV_CENTRE, demo.ADMIN, demo.NEWCOMER]
COMMANDS = ["說明", "求助", "求助 @衛生局 長者獨居需要關懷訪視", "求助 緊急 @分局 需要協助", "資源", "資源 中壢區",
            "註冊", "綁定 中壢區", "案件 1151124-01", "回報 1151124-01 已聯繫", "結案 1151124-01", "統計", "額度", "取消",
            "提報個案研討 1151124-01", "個案陳小明電話0912345678", "送出", "中壢區", "衛生所", "？"]
ACTIONS = ["action=inc_claim&id=1", "action=inc_info&id=1", "action=inc_close&id=1", "action=inc_flow&category=兒少",
           "action=inc_flow&done=1", "action=inc_flow&urgency=緊急", "action=inc_flow&send=1",
           "action=reg_decide&id=1&decision=approve", "action=nope", "action=inc_claim&id=notanumber"]


def _words() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(COMMANDS), st.text(max_size=120),
                     st.builds(lambda c, t: f"{c} {t}", st.sampled_from(COMMANDS), st.text(max_size=60)))


# Properties drawn in LINE's documented formats instead of as arbitrary strings.
FORMATS: dict[str, st.SearchStrategy[Any]] = {
    "destination": st.just("U6a4b6f83d889efdaa7ea4a9400b7333e"),
    "userId": st.one_of(st.sampled_from(USERS), HEX32.map("U".__add__)),
    "groupId": st.one_of(st.just(demo.GROUP), HEX32.map("C".__add__)),
    "roomId": HEX32.map("R".__add__),
    "replyToken": st.just(TOKEN),
    "webhookEventId": st.from_regex(r"\A01[0-9A-HJKMNP-TV-Z]{24}\Z"),
    "id": st.from_regex(r"\A[1-9][0-9]{5,18}\Z"),
    "messageId": st.from_regex(r"\A[1-9][0-9]{5,18}\Z"),
    "timestamp": st.integers(min_value=1_000_000_000_000, max_value=4_102_444_800_000),
    "text": _words(),
    "data": st.one_of(st.sampled_from(ACTIONS), st.text(max_size=120)),
}


class Spec:
    """Strategies for the component schemas of webhook.yml."""

    def __init__(self, schemas: dict[str, Any]) -> None:
        self.schemas = schemas
        # A subtype used directly (e.g. UserSource in a member list) still carries its tag.
        self.tags = {ref.removeprefix(REF): (schema["discriminator"]["propertyName"], tag)
                     for schema in schemas.values() if "discriminator" in schema
                     for tag, ref in schema["discriminator"]["mapping"].items()}

    def named(self, name: str, dispatch: bool = True) -> st.SearchStrategy[Any]:
        """A value of the named schema; a schema with a discriminator yields one of its subtypes."""
        schema = self.schemas[name]
        disc = schema.get("discriminator")
        if dispatch and disc:
            return st.one_of([self.named(ref.removeprefix(REF), dispatch=False) for ref in disc["mapping"].values()])
        if name in self.tags:
            return self.of(schema).map(_tag(*self.tags[name]))
        return self.of(schema)

    def of(self, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
        """A value of an inline schema."""
        if "$ref" in schema:
            name = schema["$ref"].removeprefix(REF)
            return st.deferred(lambda: self.named(name))
        if "allOf" in schema or schema.get("type") == "object" or "properties" in schema:
            return self._object(self._merged(schema))
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        return self._scalar(schema)

    def _merged(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Properties and required names of a schema and every part of its allOf (bases not dispatched)."""
        properties = dict(schema.get("properties", {}))
        required = set(schema.get("required", []))
        for part in schema.get("allOf", []):
            resolved = self.schemas[part["$ref"].removeprefix(REF)] if "$ref" in part else part
            merged = self._merged(resolved)
            properties.update(merged["properties"])
            required |= set(merged["required"])
        return {"properties": properties, "required": sorted(required),
                "additionalProperties": schema.get("additionalProperties")}

    def _object(self, schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
        properties, required = schema["properties"], set(schema["required"])
        if not properties and isinstance(schema["additionalProperties"], dict):
            return st.dictionaries(st.text(max_size=12), self.of(schema["additionalProperties"]), max_size=3)
        draw = {key: FORMATS[key] if key in FORMATS else self.of(sub) for key, sub in properties.items()}
        return st.fixed_dictionaries({k: v for k, v in draw.items() if k in required},
                                     optional={k: v for k, v in draw.items() if k not in required})

    def _scalar(self, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
        kind = schema.get("type")
        if kind == "array":
            return st.lists(self.of(schema["items"]), max_size=min(schema.get("maxItems", 3), 3))
        if kind == "integer":
            bits = 31 if schema.get("format") == "int32" else 63
            return st.integers(min_value=-(2 ** bits), max_value=2 ** bits - 1)
        if kind == "number":
            return st.floats(allow_nan=False, allow_infinity=False)
        if kind == "boolean":
            return st.booleans()
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        if schema.get("format") == "uri":
            return st.sampled_from(["https://example.com/a.jpg", "https://example.com/preview.png?x=1"])
        return st.text(max_size=schema.get("maxLength", 40))


def _tag(prop: str, value: str):
    def tagged(obj: dict[str, Any]) -> dict[str, Any]:
        return {**obj, prop: value}
    return tagged


@lru_cache(maxsize=1)
def spec() -> Spec:
    with open(default_webhook_spec_path(), encoding="utf-8") as handle:
        return Spec(yaml.safe_load(handle)["components"]["schemas"])


def valid_events() -> st.SearchStrategy[dict[str, Any]]:
    """Events that follow webhook.yml: text messages and postbacks, what the bot mostly gets, then any kind."""
    texts = st.tuples(spec().named("MessageEvent"), spec().named("TextMessageContent")).map(
        lambda pair: {**pair[0], "message": pair[1]})
    # An explicit draw: one_of would flatten the 19 event kinds into 19 equal branches beside these two.
    kinds = (texts, spec().named("PostbackEvent"), spec().named("Event"))
    return st.sampled_from(range(len(kinds))).flatmap(kinds.__getitem__)


WRONG_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.just(""),
                         st.text(min_size=1, max_size=20), st.just("x" * 10_000), st.just([]), st.just({}),
                         st.lists(st.integers(), max_size=3),
                         st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


@st.composite
def broken_events(draw: st.DrawFn) -> Any:
    """A valid event with one thing broken (or no event at all)."""
    event = copy.deepcopy(draw(valid_events()))
    how = draw(st.sampled_from(["drop", "retype", "unknown type", "not an object", "extra field"]))
    if how == "not an object":
        return draw(WRONG_VALUES)
    if how == "unknown type":
        event["type"] = draw(st.one_of(st.text(max_size=30), st.sampled_from(["messageEdited", "futureEvent", ""])))
        return event
    if how == "extra field":
        event[draw(st.text(min_size=1, max_size=12))] = draw(WRONG_VALUES)
        return event
    parent, key = draw(st.sampled_from(_slots(event)))
    if how == "drop":
        del parent[key]
    else:  # a value of another JSON type: a longer or odder string would still follow the schema
        parent[key] = draw(WRONG_VALUES.filter(lambda value: _json_type(value) not in _same(parent[key])))
    return event


def _json_type(value: Any) -> str:
    return {type(None): "null", bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
            dict: "object"}[type(value)]


def _same(value: Any) -> set[str]:
    """JSON types that would still be valid where `value` is (an integer is also a number)."""
    kind = _json_type(value)
    return {"integer", "number"} if kind == "number" else {kind}


def _slots(node: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) pair in a JSON tree, the places a value can be broken."""
    found: list[tuple[Any, Any]] = []
    keys = list(node) if isinstance(node, dict) else range(len(node)) if isinstance(node, list) else []
    for key in keys:
        found.append((node, key))
        found.extend(_slots(node[key]))
    return found
