"""列管 case numbers: ROC yyymmdd of the meeting, a dash and the item number (1080129-1)."""

from __future__ import annotations

import re
from datetime import date

from rules.dates.days import _build
from rules.dates.roc import ROC_OFFSET, normalize, roc_date

# ---------------------------------------------------------------------------
# 列管 case numbers: 1080129-1 = ROC 108-01-29, item 1 (DOMAIN.md; seeds/000)
# ---------------------------------------------------------------------------

_CASE_NUMBER = re.compile(r"(?<!\d)(?P<date>\d{7})\s*-\s*(?P<seq>\d{1,4})(?!\d)")


def case_number(d: date, seq: int, width: int = 1) -> str:
    """Format a tracking number: ROC yyymmdd, a dash, the item number zero-padded to width (1151122-03)."""
    if seq < 1:
        raise ValueError("case item numbers start at 1")
    # The date part is always 7 digits; ROC years below 100 are zero-padded (0990101) so it stays fixed-width.
    return f"{roc_date(d, 'compact')}-{seq:0{width}d}"


def _case_from(m: re.Match[str]) -> tuple[date, int] | None:
    digits, seq = m.group("date"), int(m.group("seq"))
    built = _build(digits, int(digits[:3]) + ROC_OFFSET, int(digits[3:5]), int(digits[5:]), roc=True)
    if built.value is None or seq < 1:
        return None
    return built.value, seq


def parse_case_number(text: str) -> tuple[date, int] | None:
    """Read a whole tracking number such as 1080129-1 into (date, item); None when it is not one."""
    m = _CASE_NUMBER.fullmatch(normalize(text).strip())
    return _case_from(m) if m else None


def find_case_numbers(text: str) -> list[tuple[str, date, int]]:
    """Find every valid tracking number in a message, as (canonical text, date, item)."""
    found = []
    for m in _CASE_NUMBER.finditer(normalize(text)):
        parsed = _case_from(m)
        if parsed:
            found.append((f"{m.group('date')}-{m.group('seq')}", *parsed))
    return found
