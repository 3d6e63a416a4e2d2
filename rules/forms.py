"""Pure rules of forms: definitions, answers, deadlines and when to chase (no Flask, LINE or SQLAlchemy).

A definition is plain data (from YAML/JSON, a template or the guided chat): title, instructions and
fields of six kinds. Answers are plain JSON values per field key. Everything here takes `today` or
`now` as an argument; errors are zh-TW sentences that can be shown to the user as they are.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

import yaml

from rules.dates import TAIPEI, parse_date, roc_date, roc_weekday, to_taipei
from rules.workdays import WorkCalendar, next_working_moment

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "data" / "forms"
MAX_FIELDS = 20
MAX_OPTIONS = 10  # a quick reply holds 13 items: the options plus 完成/略過/沿用
MAX_TITLE = 60
MAX_LABEL = 60
MAX_OPTION = 20   # LINE's action label limit
MAX_INSTRUCTIONS = 500
MAX_SHORT = 200
MAX_LONG = 2000
REMIND_AT = time(10, 0)  # mid-morning of a working day: people are at their desks, not in the morning rush
_OFFSET_RE = re.compile(r"(\d{1,2})\s*d")
SPLIT_RE = re.compile(r"[、,，;；\n]+")


class FieldKind(StrEnum):
    """The six kinds of question."""

    SHORT = "short"
    LONG = "long"
    SINGLE = "single"
    MULTI = "multi"
    DATE = "date"
    NUMBER = "number"


KIND_NAMES: dict[FieldKind, str] = {
    FieldKind.SHORT: "簡答", FieldKind.LONG: "詳答", FieldKind.SINGLE: "單選",
    FieldKind.MULTI: "複選", FieldKind.DATE: "日期", FieldKind.NUMBER: "數字",
}
TEXT_KINDS = frozenset({FieldKind.SHORT, FieldKind.LONG})
CHOICE_KINDS = frozenset({FieldKind.SINGLE, FieldKind.MULTI})


class SpecError(ValueError):
    """A form definition that cannot be used; the message is zh-TW."""


@dataclass(frozen=True)
class FieldSpec:
    """One question of a form."""

    key: str
    label: str
    kind: FieldKind
    required: bool = True
    options: tuple[str, ...] = ()
    help: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON shape stored with the form."""
        data: dict[str, Any] = {"key": self.key, "label": self.label, "kind": self.kind.value,
                                "required": self.required}
        if self.options:
            data["options"] = list(self.options)
        if self.help:
            data["help"] = self.help
        return data


@dataclass(frozen=True)
class FormSpec:
    """A form's definition: what the secretariat asks every unit."""

    title: str
    instructions: str = ""
    fields: tuple[FieldSpec, ...] = field(default_factory=tuple)

    def field(self, key: str) -> FieldSpec | None:
        """Find a field by key."""
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True)
class Parsed:
    """An answer read from user input, or the zh-TW reason it could not be read."""

    value: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


# --------------------------------------------------------------------------- definitions

def parse_fields(raw: Any) -> tuple[FieldSpec, ...]:
    """Read and check the list of fields of a definition."""
    if not isinstance(raw, list) or not raw:
        raise SpecError("表單至少要有一個題目（fields）。")
    if len(raw) > MAX_FIELDS:
        raise SpecError(f"題目最多 {MAX_FIELDS} 題。")
    fields, keys = [], set()
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping):
            raise SpecError(f"第 {number} 題的格式不對。")
        spec = _field(item, number)
        if spec.key in keys:
            raise SpecError(f"題目代號「{spec.key}」重複了。")
        keys.add(spec.key)
        fields.append(spec)
    return tuple(fields)


def _field(item: Mapping[str, Any], number: int) -> FieldSpec:
    label = str(item.get("label") or "").strip()
    if not label or len(label) > MAX_LABEL:
        raise SpecError(f"第 {number} 題需要題目文字（{MAX_LABEL} 字以內）。")
    try:
        kind = FieldKind(str(item.get("kind") or "short"))
    except ValueError:
        names = "、".join(k.value for k in FieldKind)
        raise SpecError(f"第 {number} 題的類型必須是 {names} 之一。") from None
    key = str(item.get("key") or f"q{number}").strip()
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,30}", key):
        raise SpecError(f"第 {number} 題的代號（key）只能用英文字母、數字與底線。")
    options = tuple(str(o).strip() for o in item.get("options") or () if str(o).strip())
    if kind in CHOICE_KINDS:
        if not 2 <= len(options) <= MAX_OPTIONS or len(set(options)) != len(options):
            raise SpecError(f"第 {number} 題（{KIND_NAMES[kind]}）需要 2 到 {MAX_OPTIONS} 個不重複的選項。")
        if any(len(o) > MAX_OPTION for o in options):
            raise SpecError(f"第 {number} 題的選項每個最多 {MAX_OPTION} 字。")
    elif options:
        raise SpecError(f"第 {number} 題不是選擇題，不能有選項。")
    return FieldSpec(key, label, kind, bool(item.get("required", True)), options, str(item.get("help") or "").strip())


def parse_definition(data: Mapping[str, Any]) -> FormSpec:
    """Read a definition (title, instructions, fields) from YAML/JSON-shaped data."""
    if not isinstance(data, Mapping):
        raise SpecError("表單定義必須是物件（title、instructions、fields）。")
    title = str(data.get("title") or "").strip()
    if not title or len(title) > MAX_TITLE:
        raise SpecError(f"表單需要標題（{MAX_TITLE} 字以內）。")
    instructions = str(data.get("instructions") or "").strip()
    if len(instructions) > MAX_INSTRUCTIONS:
        raise SpecError(f"填寫說明最多 {MAX_INSTRUCTIONS} 字。")
    return FormSpec(title, instructions, parse_fields(data.get("fields")))


def fields_json(spec: FormSpec) -> list[dict[str, Any]]:
    """Return the fields as stored with the form."""
    return [f.as_dict() for f in spec.fields]


@lru_cache(maxsize=1)
def templates() -> dict[str, dict[str, Any]]:
    """The ready templates shipped in data/forms/, by key (read once: they are configuration)."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(TEMPLATES_DIR.glob("*.yaml")):
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        parse_definition(data)  # a broken template fails loudly, not at the first user
        found[str(data.get("key") or path.stem)] = data
    return found


# --------------------------------------------------------------------------- answers

def fold(text: str) -> str:
    """Fold full-width characters (NFKC) and trim, so 12 and １２ read alike."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_answer(spec: FieldSpec, raw: str, today: date) -> Parsed:
    """Read one typed answer for a field."""
    text = raw.strip()
    if spec.kind in TEXT_KINDS:
        limit = MAX_SHORT if spec.kind == FieldKind.SHORT else MAX_LONG
        if not text:
            return Parsed(error="請輸入內容。")
        if len(text) > limit:
            return Parsed(error=f"內容太長了，請精簡到 {limit} 字以內。")
        return Parsed(text)
    if spec.kind == FieldKind.NUMBER:
        return _number(text)
    if spec.kind == FieldKind.DATE:
        parsed = parse_date(text, today)
        return Parsed(parsed.value.isoformat()) if parsed.value else Parsed(error=parsed.error)
    if spec.kind == FieldKind.SINGLE:
        option = _option(spec, text)
        return Parsed(option) if option else Parsed(error="請從選項中選擇：" + "、".join(spec.options))
    return parse_choices(spec, [p for p in SPLIT_RE.split(text) if p.strip()])


def _number(text: str) -> Parsed:
    folded = fold(text).replace(",", "")
    try:
        value = float(folded)
    except ValueError:
        return Parsed(error="請輸入數字，例如 12。")
    if value != value or value in (float("inf"), float("-inf")):
        return Parsed(error="請輸入數字，例如 12。")
    return Parsed(int(value) if value.is_integer() and "." not in folded else value)


def _option(spec: FieldSpec, text: str) -> str | None:
    """Match an option by its words or its number (1-based)."""
    folded = fold(text)
    for option in spec.options:
        if fold(option) == folded:
            return option
    if folded.isdigit() and 1 <= int(folded) <= len(spec.options):
        return spec.options[int(folded) - 1]
    return None


def parse_choices(spec: FieldSpec, picked: list[str]) -> Parsed:
    """Read the options picked for a multiple-choice field, kept in the form's order."""
    chosen = set()
    for text in picked:
        option = _option(spec, text)
        if option is None:
            return Parsed(error=f"「{text.strip()}」不是選項。可選：" + "、".join(spec.options))
        chosen.add(option)
    return Parsed([o for o in spec.options if o in chosen])


def is_empty(value: Any) -> bool:
    """Tell whether an answer counts as not given."""
    return value is None or value == "" or value == []


def check_answers(spec: FormSpec, raw: Mapping[str, Any], today: date,
                  refuse: Callable[[FieldSpec, str], str | None]) -> tuple[dict[str, Any], dict[str, str]]:
    """Read a whole set of answers (the web page): the answers, and an error per field key.

    `refuse(field, text)` is the privacy guard's check of a typed answer (its refusal, or None).
    """
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in spec.fields:
        given = raw.get(f.key)
        if f.kind == FieldKind.MULTI:
            picked = [str(v) for v in (given or []) if str(v).strip()]
            parsed = parse_choices(f, picked) if picked else Parsed([])
        else:
            text = str(given or "").strip()
            parsed = parse_answer(f, text, today) if text else Parsed(None)
        if not parsed.ok:
            errors[f.key] = parsed.error or ""
            continue
        if f.required and is_empty(parsed.value):
            errors[f.key] = "這題必填。"
            continue
        typed = parsed.value if f.kind in TEXT_KINDS and isinstance(parsed.value, str) else None
        refusal = refuse(f, typed) if typed else None
        if refusal:
            errors[f.key] = refusal
            continue
        if not is_empty(parsed.value):
            answers[f.key] = parsed.value
    return answers, errors


def display_value(spec: FieldSpec, value: Any) -> str:
    """Show an answer as people read it (ROC dates, 、-joined choices)."""
    if is_empty(value):
        return "（未填）"
    if spec.kind == FieldKind.DATE:
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return roc_date(day) + roc_weekday(day)
    if spec.kind == FieldKind.MULTI:
        return "、".join(str(v) for v in value)
    return str(value)


def missing_required(spec: FormSpec, answers: Mapping[str, Any]) -> list[FieldSpec]:
    """Required fields without an answer."""
    return [f for f in spec.fields if f.required and is_empty(answers.get(f.key))]


# --------------------------------------------------------------------------- deadlines and chasing

def deadline_end(deadline: date) -> datetime:
    """The moment a deadline day is over (next midnight in Taipei): answers from then on are late."""
    return datetime.combine(deadline + timedelta(days=1), time(0), TAIPEI)


def is_late(at: datetime, deadline: date) -> bool:
    """Tell whether an answer given at `at` came after the deadline day."""
    return to_taipei(at) >= deadline_end(deadline)


def days_left(now: datetime, deadline: date) -> int:
    """Whole days from today (Taipei) to the deadline day; 0 on the day itself, negative after."""
    return (deadline - to_taipei(now).date()).days


def parse_offsets(raw: str) -> list[int]:
    """Read FORM_REMINDER_OFFSETS such as '3d,1d' as days before the deadline, farthest first."""
    days = set()
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        m = _OFFSET_RE.fullmatch(part)
        if not m:
            raise ValueError(f"FORM_REMINDER_OFFSETS takes whole days such as '3d,1d', not {part!r}")
        days.add(int(m.group(1)))
    return sorted(days, reverse=True)


def reminder_moments(deadline: date, offsets: list[int], cap: int, calendar: WorkCalendar,
                     now: datetime) -> list[tuple[int, datetime]]:
    """When to chase: each offset's day at REMIND_AT, moved back to a working day, future ones only.

    Moving back (not forward) keeps the promise of "at least N days' notice"; two offsets that land
    on the same working day become one reminder; the cap keeps the ones nearest the deadline.
    """
    moments: dict[datetime, int] = {}
    for offset in sorted(set(offsets), reverse=True):
        day = deadline - timedelta(days=offset)
        for _ in range(60):  # no Taiwan break is this long; the bound keeps a broken calendar finite
            if calendar.is_workday(day):
                break
            day -= timedelta(days=1)
        moment = datetime.combine(day, REMIND_AT, TAIPEI)
        if moment > now and moment < deadline_end(deadline):
            moments.setdefault(moment, offset)
    ordered = sorted(moments.items())
    kept = ordered[-cap:] if cap > 0 else []
    return [(offset, moment) for moment, offset in kept]


def summary_moment(deadline: date, calendar: WorkCalendar) -> datetime:
    """When the secretariat gets the deadline summary: the first office hour once the deadline day is over."""
    return next_working_moment(deadline_end(deadline), calendar)
