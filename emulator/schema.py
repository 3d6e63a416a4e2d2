"""Validate request bodies against LINE's OpenAPI schemas, following `discriminator` subtyping.

Plain JSON Schema validators ignore OpenAPI's `discriminator`, so a Message with `type: "flex"` would never be
checked as a FlexMessage. This validator walks the schema itself: a $ref to a schema with a discriminator is
dispatched to the mapped subtype by the `type` property, and the subtype's `allOf` back to its base is checked
without dispatching again. On top of the spec it enforces LINE's documented limits that the YAML leaves out
(emulator/limits.py), because the real API rejects those.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable

import yaml

from .limits import EXTRA_RULES, URI_RE, Issue, join_path
from .settings import default_spec_path

REF_PREFIX = "#/components/schemas/"


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


@lru_cache(maxsize=8)
def load_validator(spec_path: str | None = None) -> SpecValidator:
    """A cached validator for an OpenAPI file (messaging-api.yml by default)."""
    return SpecValidator.from_file(spec_path or default_spec_path())


def validate_request(schema_name: str, body: Any, spec_path: str | None = None) -> list[str]:
    """Problems of `body` against a messaging-api.yml schema, as 'property: message' strings."""
    return [str(issue) for issue in load_validator(spec_path).validate(schema_name, body)]
