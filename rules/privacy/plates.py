"""Licence plates: labelled, or unlabelled in the dashed shapes Taiwan issues."""
from __future__ import annotations

import re
from typing import Iterator

from rules.privacy.common import Hit, mask_keep
from rules.privacy.kinds import Kind

# Unlabelled, only the common dashed shapes count; rarer ones (8B-2345) need a 車牌 label, since
# bare they collide with codes such as Q1-2025.
# Digits-first shapes must be upper case: 106-key is a keyboard, 106-KEY could be a plate.
_PLATE_SHAPE = r"(?:[A-Za-z]{2,3}-\d{4}|[A-Za-z]{3}-\d{3}|\d{3}-[A-Z]{3}|\d{4}-[A-Z]{2})"
# Not inside a path, URL or file name (peps/pep-0263.html).
_PLATE_BARE = re.compile(r"(?<![0-9A-Za-z\-/.])" + _PLATE_SHAPE + r"(?![0-9A-Za-z\-/]|\.[A-Za-z])")
_PLATE_LABEL = re.compile(
    r"(?:車牌|車號|牌照|車輛號碼|號牌)(?:號碼)?[^0-9A-Za-z\n]{0,8}?"
    r"((?=[0-9A-Za-z \-]{0,5}[A-Za-z])(?=[0-9A-Za-z \-]{0,5}\d)[0-9A-Za-z]{2,4}(?: ?- ?| )?[0-9A-Za-z]{2,4})"
    r"(?![0-9A-Za-z])"
)
# Lower-case word + year (sdg-2030) is a tag, not a plate.
_YEAR_LIKE = re.compile(r"-(?:19|20)\d\d$")
# Codes people write in the plate shape that are not plates.
_PLATE_STOP = frozenset({"ISO", "SOP", "KPI", "PDF", "DOC", "API", "COVID", "ICD", "DSM", "NO", "TEL"})


def find_plates(t: str) -> Iterator[Hit]:
    """Licence plates: labelled, or unlabelled in the dashed shape."""
    for m in _PLATE_LABEL.finditer(t):
        compact = m.group(1).upper()
        yield Hit(Kind.PLATE, m.start(1), m.end(1), mask_keep(compact, 1, 2), 60)
    for m in _PLATE_BARE.finditer(t):
        letters = re.sub(r"[^A-Za-z]", "", m.group())
        if letters.upper() in _PLATE_STOP or (letters.islower() and _YEAR_LIKE.search(m.group())):
            continue
        yield Hit(Kind.PLATE, m.start(), m.end(), mask_keep(m.group().upper(), 1, 2), 55)
