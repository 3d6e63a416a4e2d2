"""Tallies of a form's answers, question by question, for 表單進度 and 表單 摘要 (pure: plain values in, lines out).

The secretariat wants to see what units said, not only who answered: choices are counted (複選 counts
each option picked), dates are listed in order with the unit that gave them, numbers are summed, and
text questions say how many units wrote something (their words are in the export, not in a group).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from rules.forms import FieldKind, FieldSpec, FormSpec, display_value, is_empty

MAX_DATES = 8  # a chat message stays readable; the export has every row


@dataclass(frozen=True)
class Answered:
    """One unit's current answers, under the name to show."""

    unit: str
    answers: dict[str, Any]


def tally_lines(spec: FormSpec, answered: list[Answered]) -> list[str]:
    """One block of lines per question: `1. 題目（3 個單位回答）` then counts, dates or a sum."""
    lines: list[str] = []
    for number, f in enumerate(spec.fields, start=1):
        given = [(a.unit, a.answers.get(f.key)) for a in answered if not is_empty(a.answers.get(f.key))]
        lines.append(f"{number}. {f.label}（{len(given)} 個單位回答）")
        lines += [f"　{line}" for line in _detail(f, given)]
    return lines


def _detail(f: FieldSpec, given: list[tuple[str, Any]]) -> list[str]:
    if not given:
        return []
    if f.kind in (FieldKind.SINGLE, FieldKind.MULTI):
        return [_choices(f, [v for _, v in given])]
    if f.kind == FieldKind.DATE:
        return _dates(f, given)
    if f.kind == FieldKind.NUMBER:
        values = [float(v) for _, v in given if isinstance(v, (int, float))]
        total = float(sum(values))
        shown = int(total) if total.is_integer() else round(total, 2)
        return [f"合計 {shown}（{len(values)} 個單位）"] if values else []
    return []  # text: the count above says enough for a chat; the words are in the export


def _choices(f: FieldSpec, values: list[Any]) -> str:
    counts: Counter[str] = Counter()
    for value in values:
        counts.update([str(v) for v in value] if isinstance(value, list) else [str(value)])
    ordered = [o for o in f.options if counts[o]] + sorted(o for o in counts if o not in f.options)
    return "、".join(f"{o} {counts[o]}" for o in ordered)


def _dates(f: FieldSpec, given: list[tuple[str, Any]]) -> list[str]:
    def key(item: tuple[str, Any]) -> tuple[str, str]:
        try:
            return date.fromisoformat(str(item[1])).isoformat(), item[0]
        except ValueError:
            return "9999", item[0]
    ordered = sorted(given, key=key)
    lines = [f"{display_value(f, value)} {unit}" for unit, value in ordered[:MAX_DATES]]
    if len(ordered) > MAX_DATES:
        lines.append(f"…另有 {len(ordered) - MAX_DATES} 筆（見匯出檔）")
    return lines
