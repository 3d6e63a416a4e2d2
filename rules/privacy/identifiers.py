"""Structured identifiers: national and resident IDs, passports, NHI cards, bank accounts, plates."""
from __future__ import annotations

import re
from typing import Iterator

from rules.privacy.common import NOT_ALNUM_BEFORE, NOT_DIGIT_AFTER, SEP_NODOT, Hit, digits_of, mask_keep
from rules.privacy.kinds import Kind
from rules.privacy.phones import MOBILE

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


_ID_BARE = re.compile(
    NOT_ALNUM_BEFORE + r"([A-Za-z](?:[A-Da-d]|" + SEP_NODOT + r"[1289]))((?:" + SEP_NODOT + r"\d){8})"
    + NOT_DIGIT_AFTER
)
_ID_LABEL = re.compile(
    r"(?:身[分份]證|身證|統一證號|居留證|居留|(?<![A-Za-z])(?:ID|ARC)(?![A-Za-z])|證號)"
    r"[^0-9A-Za-z\n]{0,8}?"
    r"([A-Za-z]{1,2}(?:" + SEP_NODOT + r"\d){8,9})" + NOT_DIGIT_AFTER,
    re.IGNORECASE,
)


def _id_hit(text: str, start: int, end: int, labelled: bool) -> Hit | None:
    """Hit for an ID-looking span; unlabelled ones must pass the checksum."""
    compact = re.sub(r"[^0-9A-Za-z]", "", text[start:end]).upper()
    kind = _id_kind(compact)
    if kind is None or not (labelled or id_checksum_ok(compact)):
        return None
    return Hit(kind, start, end, mask_keep(compact, 2, 2), 90)


def find_ids(t: str) -> Iterator[Hit]:
    """National IDs and resident certificate numbers."""
    for m in _ID_LABEL.finditer(t):
        hit = _id_hit(t, m.start(1), m.end(1), labelled=True)
        if hit:
            yield hit
    for m in _ID_BARE.finditer(t):
        hit = _id_hit(t, m.start(), m.end(), labelled=False)
        if hit:
            yield hit


_PASSPORT = re.compile(
    r"(?:護照|passport)[^0-9\n]{0,10}?(?<![A-Za-z])((?:[A-Za-z]{1,2} ?)?\d(?:" + SEP_NODOT + r"\d){6,8})"
    + NOT_DIGIT_AFTER,
    re.IGNORECASE,
)
_ID_WORD = re.compile(r"身[分份]證|居留|統一證號|(?<![A-Za-z])ID(?![A-Za-z])", re.IGNORECASE)
_NHI = re.compile(
    r"健保[^0-9\n]{0,8}?(?<![0-9])(\d(?:" + SEP_NODOT + r"\d){11})" + NOT_DIGIT_AFTER
)
_BANK = re.compile(
    r"(?<![第字])(?:帳號|帳戶|戶頭|銀行|郵局|郵政|匯款|轉帳|匯入|(?<![A-Za-z])(?:account|acct)(?![A-Za-z]))"
    r"([^0-9\n]{0,14}?)"
    r"((?:\(\d{3,4}\) ?)?\d(?:" + SEP_NODOT + r"\d){9,19})" + NOT_DIGIT_AFTER,
    re.IGNORECASE,
)
# Words between a bank label and a number that show the number is something else.
_BANK_GAP_STOP = re.compile(r"電話|手機|專線|分機|傳真|客服|來電|致電|回電|聯絡|連絡|撥|[第字]|tel", re.IGNORECASE)


def find_passports(t: str) -> Iterator[Hit]:
    """Passport numbers after a 護照 label (outranking an ID reading of the same characters)."""
    for m in _PASSPORT.finditer(t):
        if _ID_WORD.search(t, m.start(), m.start(1)):
            continue  # 護照及身分證 A123456789: the nearer label decides
        compact = re.sub(r"[^0-9A-Za-z]", "", m.group(1)).upper()
        yield Hit(Kind.PASSPORT, m.start(1), m.end(1), mask_keep(compact, 1, 2), 92)


def find_nhi(t: str) -> Iterator[Hit]:
    """Twelve-digit NHI card numbers after a 健保 label."""
    for m in _NHI.finditer(t):
        yield Hit(Kind.NHI_CARD, m.start(1), m.end(1), mask_keep(digits_of(m.group(1)), 2, 2), 85)


def find_bank(t: str) -> Iterator[Hit]:
    """Bank / post-office account numbers after an account label."""
    for m in _BANK.finditer(t):
        if _BANK_GAP_STOP.search(m.group(1)):
            continue
        digits = digits_of(m.group(2))
        # A mobile number next to a bank word is still a phone number.
        if not 10 <= len(digits) <= 20 or MOBILE.fullmatch(digits):
            continue
        yield Hit(Kind.BANK_ACCOUNT, m.start(2), m.end(2), mask_keep(digits, 0, 3), 80)


# Unlabelled, only the common dashed shapes count; rarer ones (8B-2345) need a 車牌 label, since
# bare they collide with codes such as Q1-2025.
# Digits-first shapes must be upper case: 106-key is a keyboard, 106-KEY could be a plate.
_PLATE_SHAPE = r"(?:[A-Za-z]{2,3}-\d{4}|[A-Za-z]{3}-\d{3}|\d{3}-[A-Z]{3}|\d{4}-[A-Z]{2})"
# Not inside a path, URL or file name (peps/pep-0263.html).
_PLATE_BARE = re.compile(r"(?<![0-9A-Za-z\-/.])" + _PLATE_SHAPE + r"(?![0-9A-Za-z\-/]|\.[A-Za-z])")
_PLATE_LABEL = re.compile(
    r"(?:車牌|車號|牌照|車輛號碼|號牌)[^0-9A-Za-z\n]{0,8}?"
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
