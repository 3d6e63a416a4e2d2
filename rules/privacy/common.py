"""Pieces every detector shares: separators, agency context, masking helpers, the candidate hit."""
from __future__ import annotations

import re
from dataclasses import dataclass

from rules.privacy.kinds import Kind

CJK = "\u4e00-\u9fff"
# One optional separator between digits: space, dash or dot, possibly padded by one space.
SEP = r"(?: ?[\-.] ?| )?"
SEP_NODOT = r"(?: ?- ?| )?"
NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
NOT_DIGIT_AFTER = r"(?![0-9])"


# An agency or unit name right before a number or address: its office details are public.
_AGENCY_UNIT = (
    r"(?:分局|派出所|中心|公所|衛生所|學校|國小|國中|高中|醫院|診所|門診|分隊|大隊|總機|辦公室|辦公處|本所|本單位|"
    r"[局課科組隊署館])"
)
_AGENCY_BEFORE = re.compile(
    _AGENCY_UNIT + r"(?:的)? ?(?:電話|總機|專線|市話|傳真|地址|位址|位於|設於|在|TEL|tel)? ?(?:號碼)?[ :：為是(（]{0,3}$"
)
# A unit named a few words earlier: 桃園醫院 心理諮商門診 (桃園區中山路1492號).
_AGENCY_NEAR = re.compile(_AGENCY_UNIT + r"[^，。,;；\n住家案]{0,10}?[ :：(（]{1,3}$")
# Words right before a number that say it is an office line, never a person's.
_OFFICE_BEFORE = re.compile(r"(?:傳真|fax|FAX|Fax|總機|代表號)[ :：為是]{0,3}$")
EXTENSION_AFTER = re.compile(r" ?(?:分機|#|ext\.?|轉) ?\d", re.IGNORECASE)


# ... or right after it: 03-4221234（中壢區公所）, 03-4221234 找社會課.
AGENCY_AFTER = re.compile(
    r" ?[(（]?(?:找|轉)? ?[\u4e00-\u9fff]{0,4}?"
    r"(?:分局|派出所|中心|公所|衛生所|學校|國小|國中|醫院|社會課|民政課|社工|督導|承辦|[局課科組隊])"
)


def agency_context(t: str, start: int) -> bool:
    """True if the text right before `start` names an agency or an office line."""
    before = t[max(0, start - 16):start]
    return bool(_AGENCY_BEFORE.search(before) or _OFFICE_BEFORE.search(before) or _AGENCY_NEAR.search(before))


def digits_of(s: str) -> str:
    """Digits of `s` only."""
    return "".join(c for c in s if c.isdigit())


def mask_keep(value: str, head: int, tail: int) -> str:
    """Mask every character of `value` but `head` leading and `tail` trailing ones."""
    hidden = max(len(value) - head - tail, 1)
    head = min(head, max(len(value) - hidden - tail, 0))
    return value[:head] + "*" * hidden + (value[-tail:] if tail else "")


@dataclass(frozen=True)
class Hit:
    """A candidate finding before overlap resolution; `rank` breaks ties (higher wins)."""

    kind: Kind
    start: int
    end: int
    preview: str
    rank: int
