"""National IDs, resident certificate numbers and passports.

An ID of the right shape is personal data even when its checksum fails (a typo is still someone's
ID): the checksum never clears a finding. Labels may come before or after the value, on the same
or the next line, in their variant spellings (身分證, 身份證, 身分証, ID, 統一證號, ARC).
"""
from __future__ import annotations

import re
from typing import Iterator

from rules.privacy.common import NOT_DIGIT_AFTER, Hit, mask_keep
from rules.privacy.kinds import Kind

_LETTER_CODES = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36)))


def id_checksum_ok(value: str) -> bool:
    """Checksum of a national ID / new resident number (letter + 9 digits) or old ARC (2 letters + 8)."""
    value = value.upper()
    if len(value) != 10 or value[0] not in _LETTER_CODES:
        return False
    head = _LETTER_CODES[value[0]]
    if value[1].isalpha():
        if value[1] not in _LETTER_CODES or not value[2:].isdigit():
            return False
        # Old ARC: the second letter counts by the last digit of its code.
        body = [_LETTER_CODES[value[1]] % 10] + [int(c) for c in value[2:]]
    elif value[1:].isdigit():
        body = [int(c) for c in value[1:]]
    else:
        return False
    total = head // 10 + (head % 10) * 9
    total += sum(d * w for d, w in zip(body[:8], range(8, 0, -1))) + body[8]
    return total % 10 == 0


def _id_kind(compact: str) -> Kind | None:
    """Kind implied by the shape of a compact ID value, or None if it has no ID shape."""
    if re.fullmatch(r"[A-Z][12]\d{8}", compact):
        return Kind.NATIONAL_ID
    if re.fullmatch(r"[A-Z][89]\d{8}|[A-Z][A-D]\d{8}", compact):
        return Kind.RESIDENT_ID
    return None


# Between the characters of an ID: a space or two, a dash, or a line break (A123 456 789, A12345⏎6789).
_ISEP = r"(?: {0,2}[\-\n] {0,2}| {1,2})?"
# Right after a letter or digit only when that is an ID label typed without a separator (IDa123456789).
_ID_START = r"(?:(?<![0-9A-Za-z])|(?<=[Ii][Dd]))"
_ID_BARE = re.compile(
    _ID_START + r"([A-Za-z](?:[A-Da-d]|" + _ISEP + r"[1289]))((?:" + _ISEP + r"\d){8})" + NOT_DIGIT_AFTER
)
_ID_LABEL = re.compile(
    r"(?:身[分份][證証]|身證|統一證號|統號|居留證|居留|(?<![A-Za-z])(?:ID|ARC)|證號)"
    r"(?:字號|號碼|號)?[^0-9A-Za-z]{0,8}?"
    r"([A-Za-z]{1,2}(?:" + _ISEP + r"\d){7,9})" + NOT_DIGIT_AFTER,
    re.IGNORECASE,
)
_RESIDENT_LABEL = re.compile(r"居留|統一證號|統號|ARC", re.IGNORECASE)
# Invoice numbers (AB-12345678) share the old resident-certificate shape.
_NOT_AN_ID_BEFORE = re.compile(r"(?:發票|收據|訂單|單號|序號|編號|代碼)[^0-9A-Za-z\n]{0,6}$")


def _id_hit(t: str, start: int, end: int, label: str | None) -> Hit | None:
    """Hit for an ID-looking span; a label lets an odd length or shape through (a typo is still an ID)."""
    compact = re.sub(r"[^0-9A-Za-z]", "", t[start:end]).upper()
    kind = _id_kind(compact)
    if kind is None and label is not None and len(compact) >= 9:
        kind = Kind.RESIDENT_ID if _RESIDENT_LABEL.search(label) else Kind.NATIONAL_ID
    if kind is None:
        return None
    return Hit(kind, start, end, mask_keep(compact, 2, 2), 90)


def find_ids(t: str) -> Iterator[Hit]:
    """National IDs and resident certificate numbers, labelled or bare."""
    for m in _ID_LABEL.finditer(t):
        hit = _id_hit(t, m.start(1), m.end(1), m.group())
        if hit:
            yield hit
    for m in _ID_BARE.finditer(t):
        if _NOT_AN_ID_BEFORE.search(t, max(0, m.start() - 10), m.start()):
            continue
        if m.group(1)[:1] in "Oo" and m.group(1)[-1:] == "9":
            continue  # O912-345-678 is a mobile typed with the letter O; the phone rule reads it

        hit = _id_hit(t, m.start(), m.end(), None)
        if hit:
            yield hit


_PP_VALUE = r"((?:[A-Za-z]{1,2} ?)?\d(?:" + _ISEP + r"\d){5,8}[A-Za-z]?)"
_PASSPORT = re.compile(
    r"(?:護照|passport)[^0-9\n]{0,10}?(?<![A-Za-z])" + _PP_VALUE + r"(?![0-9A-Za-z])",
    re.IGNORECASE,
)
# 她的 C2345678 是護照號碼: the value first, the label after it.
_PASSPORT_AFTER = re.compile(
    r"(?<![0-9A-Za-z])([A-Za-z]{1,2} ?\d{6,8}[A-Za-z]?|\d{8,9})(?![0-9A-Za-z])[^0-9A-Za-z\n]{0,8}?護照",
    re.IGNORECASE,
)
_ID_WORD = re.compile(r"身[分份][證証]|居留|統一證號|(?<![A-Za-z])ID(?![A-Za-z])", re.IGNORECASE)


def find_passports(t: str) -> Iterator[Hit]:
    """Passport numbers next to a 護照 label (outranking an ID reading of the same characters)."""
    for m in _PASSPORT.finditer(t):
        if _ID_WORD.search(t, m.start(), m.start(1)):
            continue  # 護照及身分證 A123456789: the nearer label decides
        yield _passport_hit(m)
    for m in _PASSPORT_AFTER.finditer(t):
        if not _ID_WORD.search(t, max(0, m.start() - 10), m.start()):
            yield _passport_hit(m)


def _passport_hit(m: re.Match[str]) -> Hit:
    """Hit for the value group of a passport match."""
    compact = re.sub(r"[^0-9A-Za-z]", "", m.group(1)).upper()
    return Hit(Kind.PASSPORT, m.start(1), m.end(1), mask_keep(compact, 1, 2), 92)
