"""Private phone numbers (mobiles and landlines), not agency or service lines."""
from __future__ import annotations

import re
from typing import Iterator

from rules.privacy.common import (
    AGENCY_AFTER,
    EXTENSION_AFTER,
    NOT_DIGIT_AFTER,
    Hit,
    agency_context,
    digits_of,
    mask_keep,
)
from rules.privacy.kinds import Kind, PublicDirectory

# Between digits of a phone number: spaces, a dash, dot, comma or line break (0912 345 678, 零九一二，三四五).
_PSEP = r"(?: {0,2}[\-.\n,，、/_~] {0,2}| {1,2})?"
_PHONE = re.compile(
    r"(?<![0-9A-Za-z+第字])"
    r"(?:(?:\+ ?)?8 ?8 ?6 ?-? ?(?:\(0\) ?)?(?=[2-9])|\(0\d{1,3}\) ?-? ?|0(?: {1,2}(?=9))?)"
    r"\d(?:" + _PSEP + r"\d){5,9}" + NOT_DIGIT_AFTER
)
# Local numbers without area code only count after a phone label.
_PHONE_LOCAL = re.compile(
    r"(?:電話|手機|市話|家電|室話|(?<![A-Za-z])tel(?![A-Za-z]))(?:號碼)?(?:是|為)?[ :：]{0,3}"
    r"(?<![0-9])(\d{3,4}(?: ?- ?| )?\d{4})" + NOT_DIGIT_AFTER,
    re.IGNORECASE,
)
MOBILE = re.compile(r"09\d{8}")
_LANDLINE = re.compile(r"0[2-8]\d{7,8}")
# Toll-free (0800, 0809) and premium numbers belong to services, not people.
_SERVICE_PREFIXES = ("080", "0204", "0209")


def canonical_phone(raw: str) -> str:
    """Digits of a phone number with the +886 country code turned back into a trunk 0."""
    digits = digits_of(raw)
    if digits.startswith("886"):
        digits = "0" + digits[3:]
    if digits.startswith("00"):
        digits = digits[1:]
    return digits


def _phone_preview(digits: str) -> str:
    """Mask a phone number, keeping the two leading and three trailing digits."""
    masked = mask_keep(digits, 2, 3) if len(digits) >= 9 else mask_keep(digits, 0, 3)
    if len(masked) == 10 and digits.startswith("09"):
        return f"{masked[:4]}-{masked[4:7]}-{masked[7:]}"
    return masked


def _is_public_phone(digits: str, public: PublicDirectory) -> bool:
    """True if `digits` is a public number, allowing the area code to be omitted."""
    if digits in public.phones:
        return True
    return len(digits) <= 8 and any(p.endswith(digits) for p in public.phones)


def _phone_digits(raw: str) -> str | None:
    """Canonical digits if `raw` is a personal mobile or landline number, else None."""
    digits = canonical_phone(raw)
    if MOBILE.fullmatch(digits):
        return digits
    if _LANDLINE.fullmatch(digits) and "." not in raw and not digits.startswith(_SERVICE_PREFIXES):
        return digits
    return None


def _phone_prefix(raw: str) -> tuple[int, str] | None:
    """Longest prefix of a digit run, cut at a separator, that is a phone number.

    The run may have swallowed a neighbouring number ("0912345678 1"), so shorter cuts are tried.
    """
    cuts = [k for k in range(len(raw) - 1, 0, -1) if raw[k] in " -.\n,，、/_~" and raw[k - 1].isdigit()]
    for cut in [len(raw), *cuts]:
        digits = _phone_digits(raw[:cut])
        if digits:
            return cut, digits
    return None


def _is_clock_range(digits: str) -> bool:
    """True for 08001200-style office hours written as HHMM-HHMM."""
    if len(digits) != 8:
        return False
    times = (digits[:4], digits[4:])
    return all(int(x[:2]) <= 24 and int(x[2:]) <= 59 for x in times)


# A home line with an extension is still a home line.
_HOME_BEFORE = re.compile(r"家|住|案|市話|手機")


def _is_office_line(t: str, start: int, end: int, digits: str) -> bool:
    """True for a landline that is plainly an agency's: after a unit name or 傳真, or with an extension."""
    if digits.startswith("09"):
        return False
    if agency_context(t, start) or AGENCY_AFTER.match(t, end):
        return True
    has_extension = EXTENSION_AFTER.match(t, end) is not None
    return has_extension and not _HOME_BEFORE.search(t, max(0, start - 8), start)


def find_phones(t: str, d: str, public: PublicDirectory) -> Iterator[Hit]:
    """Mobile and landline numbers that are not public agency or service numbers (`d` is the digit view)."""
    pos = 0
    while (m := _PHONE.search(d, pos)) is not None:
        found = _phone_prefix(m.group())
        if found is None:
            pos = m.start() + 1
            continue
        cut, digits = found
        pos = m.start() + cut
        if not _is_public_phone(digits, public) and not _is_office_line(t, m.start(), pos, digits):
            yield Hit(Kind.PHONE, m.start(), m.start() + cut, _phone_preview(digits), 70)
    for m in _PHONE_LOCAL.finditer(d):
        digits = digits_of(m.group(1))
        if _is_clock_range(digits) or _is_public_phone(digits, public):
            continue
        if not _is_office_line(t, m.start(), m.end(1), digits):
            yield Hit(Kind.PHONE, m.start(1), m.end(1), _phone_preview(digits), 65)
