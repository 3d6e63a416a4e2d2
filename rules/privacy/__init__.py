"""Personal-data screen for messages posted to the inter-agency LINE groups.

The city's ruling (seeds/000) is that case reports must not reach the group: an unmasked name, an ID
number, a phone number, a house-numbered address or a birth date is not acceptable there. `screen`
finds such items in a message so the bot can stop it; public agency details are let through.

`masked(text, findings)` gives the version a sender may send instead (rules.privacy.mask).
Kinds in `CONFIRMABLE_KINDS` (NAME, SENSITIVE_CONTEXT) are refused like the others but the sender may
confirm they point at no person; structured identifiers are never confirmable (rules.privacy.kinds).

Pure standard library; every regex uses bounded quantifiers so that long hostile input stays linear.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator

from rules.privacy.kinds import CONFIRMABLE_KINDS, KIND_LABELS, Finding, Kind, PublicDirectory
from rules.privacy.mask import masked
from rules.privacy.normalise import normalize
from rules.privacy.surnames import SURNAMES, _SURNAMES_1, _SURNAMES_2

__all__ = [
    "CONFIRMABLE_KINDS", "DEFAULT_PUBLIC", "KIND_LABELS", "SURNAMES", "Finding", "Kind", "PublicDirectory",
    "kinds_found", "masked", "normalize", "screen",
]

# --------------------------------------------------------------------------- shared pieces

_CJK = "\u4e00-\u9fff"
# One optional separator between digits: space, dash or dot, possibly padded by one space.
_SEP = r"(?: ?[\-.] ?| )?"
_SEP_NODOT = r"(?: ?- ?| )?"
_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_DIGIT_AFTER = r"(?![0-9])"


# An agency or unit name right before a number or address: its office details are public.
_AGENCY_BEFORE = re.compile(
    r"(?:分局|派出所|中心|公所|衛生所|學校|國小|國中|高中|醫院|診所|分隊|大隊|總機|辦公室|辦公處|本所|本單位|"
    r"[局課科組隊署館])"
    r"(?:的)?(?:電話|總機|專線|市話|傳真|地址|位址|位於|設於|在|TEL|tel)?(?:號碼)?[ :：為是]{0,3}$"
)
# Words right before a number that say it is an office line, never a person's.
_OFFICE_BEFORE = re.compile(r"(?:傳真|fax|FAX|Fax|總機|代表號)[ :：為是]{0,3}$")
_EXTENSION_AFTER = re.compile(r" ?(?:分機|#|ext\.?|轉) ?\d", re.IGNORECASE)


# ... or right after it: 03-4221234（中壢區公所）, 03-4221234 找社會課.
_AGENCY_AFTER = re.compile(
    r" ?[(（]?(?:找|轉)? ?[\u4e00-\u9fff]{0,4}?"
    r"(?:分局|派出所|中心|公所|衛生所|學校|國小|國中|醫院|社會課|民政課|社工|督導|承辦|[局課科組隊])"
)


def _agency_context(t: str, start: int) -> bool:
    """True if the text right before `start` names an agency or an office line."""
    before = t[max(0, start - 16):start]
    return bool(_AGENCY_BEFORE.search(before) or _OFFICE_BEFORE.search(before))


def _digits(s: str) -> str:
    """Digits of `s` only."""
    return "".join(c for c in s if c.isdigit())


def _mask_keep(value: str, head: int, tail: int) -> str:
    """Mask every character of `value` but `head` leading and `tail` trailing ones."""
    hidden = max(len(value) - head - tail, 1)
    head = min(head, max(len(value) - hidden - tail, 0))
    return value[:head] + "*" * hidden + (value[-tail:] if tail else "")


@dataclass(frozen=True)
class _Hit:
    """A candidate finding before overlap resolution; `rank` breaks ties (higher wins)."""

    kind: Kind
    start: int
    end: int
    preview: str
    rank: int


# --------------------------------------------------------------------------- ID numbers

_LETTER_CODES = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36)))


def _id_checksum_ok(value: str) -> bool:
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
    _NOT_ALNUM_BEFORE + r"([A-Za-z](?:[A-Da-d]|" + _SEP_NODOT + r"[1289]))((?:" + _SEP_NODOT + r"\d){8})"
    + _NOT_DIGIT_AFTER
)
_ID_LABEL = re.compile(
    r"(?:身[分份]證|身證|統一證號|居留證|居留|(?<![A-Za-z])(?:ID|ARC)(?![A-Za-z])|證號)"
    r"[^0-9A-Za-z\n]{0,8}?"
    r"([A-Za-z]{1,2}(?:" + _SEP_NODOT + r"\d){8,9})" + _NOT_DIGIT_AFTER,
    re.IGNORECASE,
)


def _id_hit(text: str, start: int, end: int, labelled: bool) -> _Hit | None:
    """Hit for an ID-looking span; unlabelled ones must pass the checksum."""
    compact = re.sub(r"[^0-9A-Za-z]", "", text[start:end]).upper()
    kind = _id_kind(compact)
    if kind is None or not (labelled or _id_checksum_ok(compact)):
        return None
    return _Hit(kind, start, end, _mask_keep(compact, 2, 2), 90)


def _find_ids(t: str) -> Iterator[_Hit]:
    """National IDs and resident certificate numbers."""
    for m in _ID_LABEL.finditer(t):
        hit = _id_hit(t, m.start(1), m.end(1), labelled=True)
        if hit:
            yield hit
    for m in _ID_BARE.finditer(t):
        hit = _id_hit(t, m.start(), m.end(), labelled=False)
        if hit:
            yield hit


# --------------------------------------------------------------------------- labelled numbers

_PASSPORT = re.compile(
    r"(?:護照|passport)[^0-9\n]{0,10}?(?<![A-Za-z])((?:[A-Za-z]{1,2} ?)?\d(?:" + _SEP_NODOT + r"\d){6,8})"
    + _NOT_DIGIT_AFTER,
    re.IGNORECASE,
)
_ID_WORD = re.compile(r"身[分份]證|居留|統一證號|(?<![A-Za-z])ID(?![A-Za-z])", re.IGNORECASE)
_NHI = re.compile(
    r"健保[^0-9\n]{0,8}?(?<![0-9])(\d(?:" + _SEP_NODOT + r"\d){11})" + _NOT_DIGIT_AFTER
)
_BANK = re.compile(
    r"(?<![第字])(?:帳號|帳戶|戶頭|銀行|郵局|郵政|匯款|轉帳|匯入|(?<![A-Za-z])(?:account|acct)(?![A-Za-z]))"
    r"([^0-9\n]{0,14}?)"
    r"((?:\(\d{3,4}\) ?)?\d(?:" + _SEP_NODOT + r"\d){9,19})" + _NOT_DIGIT_AFTER,
    re.IGNORECASE,
)
# Words between a bank label and a number that show the number is something else.
_BANK_GAP_STOP = re.compile(r"電話|手機|專線|分機|傳真|客服|來電|致電|回電|聯絡|連絡|撥|[第字]|tel", re.IGNORECASE)


def _find_passports(t: str) -> Iterator[_Hit]:
    """Passport numbers after a 護照 label (outranking an ID reading of the same characters)."""
    for m in _PASSPORT.finditer(t):
        if _ID_WORD.search(t, m.start(), m.start(1)):
            continue  # 護照及身分證 A123456789: the nearer label decides
        compact = re.sub(r"[^0-9A-Za-z]", "", m.group(1)).upper()
        yield _Hit(Kind.PASSPORT, m.start(1), m.end(1), _mask_keep(compact, 1, 2), 92)


def _find_nhi(t: str) -> Iterator[_Hit]:
    """Twelve-digit NHI card numbers after a 健保 label."""
    for m in _NHI.finditer(t):
        yield _Hit(Kind.NHI_CARD, m.start(1), m.end(1), _mask_keep(_digits(m.group(1)), 2, 2), 85)


def _find_bank(t: str) -> Iterator[_Hit]:
    """Bank / post-office account numbers after an account label."""
    for m in _BANK.finditer(t):
        if _BANK_GAP_STOP.search(m.group(1)):
            continue
        digits = _digits(m.group(2))
        # A mobile number next to a bank word is still a phone number.
        if not 10 <= len(digits) <= 20 or _MOBILE.fullmatch(digits):
            continue
        yield _Hit(Kind.BANK_ACCOUNT, m.start(2), m.end(2), _mask_keep(digits, 0, 3), 80)


# --------------------------------------------------------------------------- plates and e-mail

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


def _find_plates(t: str) -> Iterator[_Hit]:
    """Licence plates: labelled, or unlabelled in the dashed shape."""
    for m in _PLATE_LABEL.finditer(t):
        compact = m.group(1).upper()
        yield _Hit(Kind.PLATE, m.start(1), m.end(1), _mask_keep(compact, 1, 2), 60)
    for m in _PLATE_BARE.finditer(t):
        letters = re.sub(r"[^A-Za-z]", "", m.group())
        if letters.upper() in _PLATE_STOP or (letters.islower() and _YEAR_LIKE.search(m.group())):
            continue
        yield _Hit(Kind.PLATE, m.start(), m.end(), _mask_keep(m.group().upper(), 1, 2), 55)


_EMAIL = re.compile(
    r"(?<![0-9A-Za-z._%+\-])[0-9A-Za-z][0-9A-Za-z._%+\-]{0,63}@"
    r"(?:[0-9A-Za-z\-]{1,63}\.){1,6}[A-Za-z]{2,24}(?![0-9A-Za-z])"
)


def _find_emails(t: str) -> Iterator[_Hit]:
    """E-mail addresses."""
    if "@" not in t:
        return
    for m in _EMAIL.finditer(t):
        local, domain = m.group().split("@", 1)
        preview = local[0] + "***@***." + domain.rsplit(".", 1)[1]
        yield _Hit(Kind.EMAIL, m.start(), m.end(), preview, 95)


# --------------------------------------------------------------------------- phones

_PHONE = re.compile(
    r"(?<![0-9A-Za-z+第字])"
    r"(?:\+ ?886 ?-? ?(?:\(0\) ?)?|886 ?- ?|\(0\d{1,3}\) ?-? ?|0)"
    r"\d(?:" + _SEP + r"\d){5,9}" + _NOT_DIGIT_AFTER
)
# Local numbers without area code only count after a phone label.
_PHONE_LOCAL = re.compile(
    r"(?:電話|手機|市話|家電|室話|(?<![A-Za-z])tel(?![A-Za-z]))(?:號碼)?[ :：為是]{0,3}"
    r"(?<![0-9])(\d{3,4}(?: ?- ?| )?\d{4})" + _NOT_DIGIT_AFTER,
    re.IGNORECASE,
)
_MOBILE = re.compile(r"09\d{8}")
_LANDLINE = re.compile(r"0[2-8]\d{7,8}")
# Toll-free (0800, 0809) and premium numbers belong to services, not people.
_SERVICE_PREFIXES = ("080", "0204", "0209")


def _canonical_phone(raw: str) -> str:
    """Digits of a phone number with the +886 country code turned back into a trunk 0."""
    digits = _digits(raw)
    if digits.startswith("886"):
        digits = "0" + digits[3:]
    if digits.startswith("00"):
        digits = digits[1:]
    return digits


def _phone_preview(digits: str) -> str:
    """Mask a phone number, keeping the two leading and three trailing digits."""
    masked = _mask_keep(digits, 2, 3) if len(digits) >= 9 else _mask_keep(digits, 0, 3)
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
    digits = _canonical_phone(raw)
    if _MOBILE.fullmatch(digits):
        return digits
    if _LANDLINE.fullmatch(digits) and "." not in raw and not digits.startswith(_SERVICE_PREFIXES):
        return digits
    return None


def _phone_prefix(raw: str) -> tuple[int, str] | None:
    """Longest prefix of a digit run, cut at a separator, that is a phone number.

    The run may have swallowed a neighbouring number ("0912345678 1"), so shorter cuts are tried.
    """
    cuts = [k for k in range(len(raw) - 1, 0, -1) if raw[k] in " -." and raw[k - 1].isdigit()]
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
    if _agency_context(t, start) or _AGENCY_AFTER.match(t, end):
        return True
    has_extension = _EXTENSION_AFTER.match(t, end) is not None
    return has_extension and not _HOME_BEFORE.search(t, max(0, start - 8), start)


def _find_phones(t: str, public: PublicDirectory) -> Iterator[_Hit]:
    """Mobile and landline numbers that are not public agency or service numbers."""
    pos = 0
    while (m := _PHONE.search(t, pos)) is not None:
        found = _phone_prefix(m.group())
        if found is None:
            pos = m.start() + 1
            continue
        cut, digits = found
        pos = m.start() + cut
        if not _is_public_phone(digits, public) and not _is_office_line(t, m.start(), pos, digits):
            yield _Hit(Kind.PHONE, m.start(), m.start() + cut, _phone_preview(digits), 70)
    for m in _PHONE_LOCAL.finditer(t):
        digits = _digits(m.group(1))
        if _is_clock_range(digits) or _is_public_phone(digits, public):
            continue
        if not _is_office_line(t, m.start(), m.end(1), digits):
            yield _Hit(Kind.PHONE, m.start(1), m.end(1), _phone_preview(digits), 65)


# --------------------------------------------------------------------------- addresses

_ZH_NUM = "零〇○一二三四五六七八九十百"
_NUM = r"(?:\d{1,5}|[" + _ZH_NUM + r"]{1,5})"
_HOUSE = _NUM + r"(?: ?(?:之|-) ?\d{1,3})?"
_ADDR_TAIL = (
    r" ?號(?: ?之 ?" + _NUM + r")?"
    r"(?: ?(?:" + _NUM + r"|B\d) ?樓(?: ?之 ?" + _NUM + r")?)?"
    r"(?: ?(?:之|-) ?\d{1,3})?"
)
# Numbered things that are not homes: 一號社宅, 3號出口, 2號窗口.
_NOT_A_HOME = r"(?!社宅|公宅|出口|碼頭|倉庫|公園|基地|計畫|計劃|月台|停車|窗口|櫃|診|室|房|會議|教室|病床|床|球場|門|線)"
# A road-like marker, then optional section/lane/alley/neighbourhood numbers, then the house number.
_ADDRESS_ROAD = re.compile(
    r"(?:[路街段巷弄鄰]|大道)"
    r"(?: ?" + _NUM + r" ?(?:段|巷|弄|鄰))?(?: ?" + _NUM + r" ?(?:巷|弄))?(?: ?" + _NUM + r" ?弄)?"
    r" ?" + _HOUSE + _ADDR_TAIL
    + _NOT_A_HOME
)
# Rural addresses name a place after the district or village and go straight to the number.
_ADDRESS_PLACE = re.compile(
    r"(?:區|鄉|鎮|村|里|鄰)([" + _CJK + r"]{1,4}?)(?<![第字])(\d{1,5}(?:(?:之|-)\d{1,3})?)" + _ADDR_TAIL
    + _NOT_A_HOME
)
_PLACE_NAME_STOP = re.compile(r"[第字號公告函文令年月日時分至共計所局處館站心院校會隊組課室樓]")
_ADDR_PREFIX_STOP = frozenset("在住於到至往是為的、，,：: 與和及或從址")


def _address_start(t: str, marker: int) -> int:
    """Walk back over the road / district name before a marker (8 CJK characters, and over a 鄰 number)."""
    i = _walk_back_cjk(t, marker)
    # 大潭村8鄰15號: the neighbourhood number sits between the village and the marker.
    j = i
    while j > 0 and i - j < 3 and t[j - 1].isdigit():
        j -= 1
    if j < i and t[i:i + 1] == "鄰" and j > 0 and t[j - 1] in "村里":
        return _walk_back_cjk(t, j)
    return i


def _walk_back_cjk(t: str, marker: int) -> int:
    """Start of the run of at most 8 CJK characters (no stop words) ending at `marker`."""
    i = marker
    while i > 0 and marker - i < 8 and "\u4e00" <= t[i - 1] <= "\u9fff" and t[i - 1] not in _ADDR_PREFIX_STOP:
        i -= 1
    return i


def _canonical_address(s: str) -> str:
    """Address text without spaces, with 臺 spelled 台, for directory comparison."""
    return re.sub(r"\s", "", normalize(s)).replace("臺", "台")


_DISTRICT_END = re.compile(r"([\u4e00-\u9fff]{2}[區鄉鎮])$")


@lru_cache(maxsize=64)
def _address_keys(addresses: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """(district, road-and-number core) of public addresses, e.g. ('中壢區', '元化路159號')."""
    keys = []
    for addr in addresses:
        canon = _canonical_address(addr)
        core = canon.split("號", 1)[0] + "號" if "號" in canon else canon
        parts = re.split(r"(?<=[市縣區鄉鎮])", core)
        district = next((p for p in reversed(parts[:-1]) if p.endswith(("區", "鄉", "鎮"))), "")
        if len(parts[-1]) >= 3:
            keys.append((district[-3:], parts[-1]))
    return tuple(keys)


def _is_public_address(text: str, keys: tuple[tuple[str, str], ...]) -> bool:
    """True if `text` holds a public address core, and names no other district in front of it."""
    canon = _canonical_address(text)
    for district, core in keys:
        at = canon.find(core)
        if at < 0:
            continue
        named = _DISTRICT_END.search(canon[:at])
        if not (named and district and named.group(1) != district):
            return True
    return False


def _address_preview(span: str) -> str:
    """Mask house numbers: every digit and every Chinese numeral before 號/樓/巷/弄/之."""
    masked = re.sub(r"\d", "*", span)
    return re.sub(r"[" + _ZH_NUM + r"]+(?=[號樓巷弄之鄰])", lambda m: "*" * len(m.group()), masked)


# Event venues are public places: 活動地點：…100號, …100號（中壢國小）.
_VENUE_BEFORE = re.compile(
    r"(?:活動|會議|上課|報到|集合|開會|研習|講座|宣導|課程|場地)(?:地點|場地|地址)?[ :：在於為是]{0,3}$"
)
_VENUE_AFTER = re.compile(
    r" ?[(（]?[\u4e00-\u9fff]{0,4}?(?:國小|國中|高中|學校|中心|公所|醫院|圖書館|禮堂|體育館|會館|教會|"
    r"分局|派出所|衛生所|[局館宮廟])"
)


def _is_venue(t: str, start: int, end: int) -> bool:
    """True if an address belongs to an agency or a public venue named right before or after it."""
    before = t[max(0, start - 12):start]
    return _agency_context(t, start) or bool(_VENUE_BEFORE.search(before) or _VENUE_AFTER.match(t, end))


def _find_addresses(t: str, public: PublicDirectory) -> Iterator[_Hit]:
    """House-numbered addresses that are not public agency addresses."""
    if "號" not in t:
        return
    keys = _address_keys(public.addresses)
    spans: list[tuple[int, int]] = []
    for m in _ADDRESS_ROAD.finditer(t):
        spans.append((_address_start(t, m.start()), m.end()))
    for m in _ADDRESS_PLACE.finditer(t):
        if not _PLACE_NAME_STOP.search(m.group(1)):
            spans.append((_address_start(t, m.start()), m.end()))
    for start, end in spans:
        if _is_public_address(t[max(0, start - 6):end], keys) or _is_venue(t, start, end):
            continue
        yield _Hit(Kind.ADDRESS, start, end, _address_preview(t[start:end]), 40)


# --------------------------------------------------------------------------- birth dates

_ZH_DIGIT = "〇○零一二三四五六七八九十"
_YEAR = r"(?:(?:民國|西元) ?)?(?:\d{2,4}|[" + _ZH_DIGIT + r"]{2,4})"
_MD = r"(?:\d{1,2}|[" + _ZH_DIGIT + r"]{1,3})"
_FULL_DATE = (
    r"(?:" + _YEAR + r" ?年 ?" + _MD + r" ?月(?: ?" + _MD + r" ?[日號])?"
    r"|" + _YEAR + r" ?年"
    r"|\d{2,4}[./\-]\d{1,2}[./\-]\d{1,2}"
    r"|\d{6,8})"
)
_MONTH_DAY = r"(?:" + _MD + r" ?月 ?" + _MD + r" ?[日號]?|\d{1,2}/\d{1,2}|\d{1,2}\.\d{1,2}|\d{4})"
_BIRTH_SUFFIX = re.compile(
    r"(?<![0-9])(" + _FULL_DATE + r") ?(?:出生|生)(?=$|[^" + _CJK + r"]|[的之男女於在，、于])"
)
_BIRTH_LABEL = re.compile(
    r"(?:出生(?:日期|年月日|年月|日)?|生日|生於|(?<![A-Za-z])DOB(?![A-Za-z])|birthday)"
    r" ?[:：]? ?(?:為|是|在|於)? ?(?<![0-9])(" + _FULL_DATE + r"|" + _MONTH_DAY + r")" + _NOT_DIGIT_AFTER,
    re.IGNORECASE,
)
_ZH_VALUE = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}


def _zh_int(s: str) -> int | None:
    """Integer value of ASCII digits or simple Chinese numerals (八十五, 一九九六, 十二)."""
    if s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        hi = _ZH_VALUE.get(tens, 1) if tens else 1
        lo = _ZH_VALUE.get(ones, 0) if ones else 0
        return hi * 10 + lo
    if all(c in _ZH_VALUE for c in s):
        return int("".join(str(_ZH_VALUE[c]) for c in s))
    return None


def _plausible_date(s: str) -> bool:
    """True if the numbers in a date-like string form a plausible birth year / month / day."""
    parts = re.findall(r"\d+|[" + _ZH_DIGIT + r"]+", s)
    if s.isdigit() and len(s) == 4:  # month-day only, as in 生日 0302
        parts = [s[:2], s[2:]]
    elif s.isdigit() and len(s) > 4:  # compact 850302 / 0850302 / 19960302
        parts = [s[:-4], s[-4:-2], s[-2:]]
    values = [_zh_int(p) for p in parts]
    if any(v is None for v in values):
        return False
    if len(values) == 2 and values[0] is not None and values[0] > 12:  # year + month
        values = [values[0], values[1], 1]
    if len(values) == 2:
        month, day = values
        return 1 <= month <= 12 and 1 <= day <= 31
    year = values[0]
    if not (1 <= year <= 130 or 1900 <= year <= 2100):
        return False
    return len(values) < 3 or (1 <= values[1] <= 12 and 1 <= values[2] <= 31)


def _find_birth_dates(t: str) -> Iterator[_Hit]:
    """Birth dates: a date followed by 生/出生, or after a 生日/出生/DOB label."""
    if "生" not in t and "dob" not in t.lower() and "birth" not in t.lower():
        return
    for rx in (_BIRTH_SUFFIX, _BIRTH_LABEL):
        for m in rx.finditer(t):
            if _plausible_date(m.group(1)):
                preview = re.sub(r"[0-9" + _ZH_DIGIT + r"]", "*", m.group(1))
                yield _Hit(Kind.BIRTH_DATE, m.start(1), m.end(1), preview, 50)


# --------------------------------------------------------------------------- names

# Characters common in Taiwanese given names. Name detection asks the given name to be made of
# these, which is what keeps 高風險, 林口, 周末, 曾經, 陳情 and the like from reading as names.
_GIVEN_CHARS = frozenset(
    "明華偉志豪傑俊宏文建家冠宇承翰宗柏彥信彬凱哲瑋仁勇智國成榮輝義德正忠武仲祥瑞龍鴻峰崇剛強"
    "軍民昌盛昇興旺隆福貴富財順裕源金銀水木山川海東西南北中安平泰康健壽永世子孝賢良善勤儉恭謙"
    "禮慶祐佑晉昱晟睿皓浩鈞銘鋒鎮錦杰廷庭恩維威緯韋暐煒瑜鈺軒澤霖宸碩翔揚陽洋鵬嘉佳駿勳崴岳嶽"
    "晏泓弘煌丞程昀宥亮清秋春冬松竹梅蘭菊新生元立台益進展達雄政振耀燦光昆坤乾炳煥焜欽敏捷誠毅"
    "鑫森權楷樺樹彰章勝尚遠大小英士聖美玲麗芳芬淑惠慧娟珍珠玉秀雅婷怡君筠欣妤萱宜伶琪琦靜雯涵"
    "晴瑄綺如茹儀蓉容瑩穎潔雪霞虹紅月鳳燕鶯蓮桂貞素靖卉萍青心馨薇蕙蓁菁菱芝芷芯若苓葳瑤琳璇瑾"
    "瑛璟琇姿姵姍珊羽純絹綾婉嫻婕妍媛嬿姝妮娜亭媚宛瑀湘沛渝瀅漪沁霈霓露思憶慈愛悅恬柔璐晶曉昕"
    "晨曦彤彩薰凡依伊寧佩珮菲蕾蓓蘋萃琴瑟笙韻詩書畫墨雲霏雨霜冰瑤琬琰瓊環璋琮瑢瑋璿琛珏玟玫"
    "珈珣琁璉瑱瑄翊翎翠羿聿育胤致臻舜航芊芃芸苡茵荃莉莎菀萱葦蔚蓉蕎薏藝蘊虹蜜詠誼諭謙譽豐賓"
    "赫超軒輔辰逸道達遠邦郁鈴銓鋐錚鍵鎧鏞閔阡陞隆雁雋霆靈韶頌頤馥駒騏鳴鴒麒麟黛鼎齡禎禧秉稚"
    "竣筱箴紘紹絜維綸緹縈繡羚翔耕聰肇芹茜莞莘蓮蔓蕓薈藍蘅虔訓詒語諺謹豪貞賜賢運道郡鈞鉅銳"
    "錡鎂鑑長門閎阿陵雅雍鵑鶴麗凱勵卿厚叡啟喜堯堅塵壹奇奕姣婕嫣孟學宣容寬實寶峻巧帆平廣廷"
    "彧御忻怡恆悟惇慎懋承揚攸敦斌旭昊昌昶晃晞智暄曜朋杉棋楨榆樂槿橙櫻欽歆治泉泳浚淇淳淵湧溢"
    "滄漢澄濤灝炫烽焱然煜熙熹燁爵猷玄珞琥瑞璞甫登皇盈睿矜碧祥禹秀程穗立章竹筑紀紫綠緣縉罡"
)
# Extra given-name characters, mostly from older women's and men's names (秀枝, 阿款, 金桃).
_GIVEN_CHARS |= frozenset(
    "品侑毓敬耿紳旻昭照奎炎添嬌桃娥枝招粉款緞鑾綢琬淇甯晧嵐芮茂萌菡倫傳儒克典博友吉呈堂增"
    "壯妙孜定寰希彣徽愉憲斐朗梵楠榛槐汎沐河洲渟湄溱潤澔濬炘烈焄爾玓珉珩真竑筌群臣舒茗騰阿"
    "罔市葉添丁旺發土火花棟腰滿雀惜香以來和"
)
_NOT_GIVEN = frozenset("長道門紀藍輔齡泳鎮")  # frequent after a surname in ordinary words
_GIVEN_CHARS = _GIVEN_CHARS - _NOT_GIVEN

# Words that begin with a surname and read like one but are not names.
_NAME_BLOCK = (
    "高中", "高雄", "高職", "高齡", "高鐵", "高風", "高關", "高危", "高度", "高層", "高興", "高達",
    "高於", "白天", "夏天", "夏季", "溫柔", "溫暖", "溫度", "溫馨", "溫和", "溫情", "黎明", "關心",
    "孫子", "孫女", "王國", "王道", "韓國", "楊梅", "林口", "周一", "周二", "周三", "周四", "周五",
    "周六", "周末", "周知", "周全", "萬元", "黃金", "金門", "馬上", "康健", "方便", "曾經", "許多",
    "何時", "陳情", "甘願", "任何", "江山", "金山", "石門", "田中", "金華", "中華", "高明", "石碇",
    "林園", "高樹", "金寧", "史上", "高山", "宋朝", "唐朝", "秦朝", "毛巾", "章程", "金額", "童年",
    "洪水", "葉子", "游泳", "江南", "江西", "江北", "陸生", "康樂", "方正", "藍天", "凌晨", "林森",
    "羅東", "關西", "關山", "關東", "卓蘭", "連江", "萬華", "高雅", "高貴", "高麗", "高峰", "童書",
    "曾發", "何發", "高發", "連發", "曾來", "何來", "曾以", "何以", "溫和", "連和", "馬來", "孔雀",
)
_MASK_CHARS = frozenset("Oo0○◯〇●XxＸ×*＊某姓氏")
# Characters that end a 1-character given name: function words and title starts.
_AFTER_NAME = frozenset(
    "表說稱於在的已今昨目現因被遭與和及等曾有是也都就還又再會要想去來到至從向對將把由為並請疑"
    "近自本仍尚未不沒無先小女同老阿之住所家，、。,;；:：)）(（「」 "
)
_ROLE_WORDS = (
    "個案姓名", "案主姓名", "個案", "案主", "案父", "案母", "案妻", "案夫", "案子", "案女", "案兄", "案弟",
    "案姊", "案姐", "案妹", "案祖父", "案祖母", "案家", "住戶", "通報人", "當事人", "相對人", "被害人",
    "加害人", "受害人", "行為人", "施暴者", "受暴者", "嫌疑人", "嫌犯", "學生", "學童", "少年", "兒童",
    "兒少", "老人", "長者", "疑似", "男童", "女童", "幼童", "男子", "女子", "婦人", "民眾", "居民",
    "里民", "患者", "病患", "服務對象", "對象", "申請人", "緊急聯絡人", "監護人", "照顧者", "家屬", "家長",
    "母親", "父親", "媽媽", "爸爸", "兒子", "女兒", "丈夫", "妻子", "太太", "先生", "哥哥", "弟弟",
    "姊姊", "姐姐", "妹妹", "祖父", "祖母", "外婆", "外公", "奶奶", "爺爺", "孫子", "孫女", "同居人",
    "男友", "女友", "前夫", "前妻", "配偶", "繼父", "繼母", "養父", "養母", "舅舅", "姑姑", "叔叔",
    "房東", "房客", "鄰居", "室友", "其父", "其母", "其夫", "其妻", "其子", "其女", "其兄", "其弟",
    "其姊", "其妹", "協尋", "失蹤", "獨居", "街友", "移工", "新住民", "目睹兒", "孕婦", "產婦", "外配",
    "陸配", "外籍配偶", "看護",
)
_TITLES = (
    "先生", "小姐", "女士", "太太", "阿伯", "阿姨", "阿嬤", "阿公", "阿婆", "伯伯", "奶奶", "爺爺",
    "同學", "老師", "小朋友", "媽媽", "爸爸", "弟弟", "妹妹", "哥哥", "姊姊", "姐姐", "伯母", "伯父",
)
_NAME_LABELS = ("姓名", "名字", "名叫", "叫做", "本名", "全名")


def _alternation(words: Iterable[str]) -> str:
    """Regex alternation of literal words, longest first so that prefixes do not steal matches."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_ROLE_RE = re.compile(r"(?:" + _alternation(_ROLE_WORDS) + r")[ :：為是即係,，]{0,2}")
_LABEL_RE = re.compile(r"(?:" + _alternation(_NAME_LABELS) + r")(?:[ ]?[:：為是叫][ ]?| )?")
_TITLE_RE = re.compile(r"(?:" + _alternation(_TITLES) + r")")
# A sex or age right after a name: 王小明（男，15歲）, 陳美玲,女, 林志豪 45歲.
_AGE_RE = re.compile(
    r"([" + _CJK + r"]{3,4}) ?[(（,，、]? ?(?:[男女](?:性|生)?(?=[,，、)） ]|$)|\d{1,3} ?歲)"
)


def _surname_at(t: str, i: int) -> str | None:
    """Surname starting at index i (compound ones first)."""
    if t[i:i + 2] in _SURNAMES_2:
        return t[i:i + 2]
    if i < len(t) and t[i] in _SURNAMES_1:
        return t[i]
    return None


def _is_given_name(chars: str) -> bool:
    """True if every character is a common given-name character (阮氏玲: 氏 may open a given name)."""
    if chars[:1] == "氏":
        chars = chars[1:]
    return bool(chars) and all(c in _GIVEN_CHARS for c in chars)


def _is_masked(chars: str) -> bool:
    """True if any character of a given name is a mask (王○明, 陳OO, 李XX, 林某)."""
    return any(c in _MASK_CHARS for c in chars)


def _blocked(candidate: str) -> bool:
    """True if the candidate starts with a common word that begins with a surname."""
    return candidate.startswith(_NAME_BLOCK)


def _given_after(t: str, i: int, loose: bool) -> int:
    """Length (0, 1 or 2) of a plausible given name starting at index i."""
    two = t[i:i + 2]
    if len(two) == 2 and two[0] == "氏" and _is_given_name(two):
        return 2  # Vietnamese women's names: 阮氏芳 (王氏 alone stays a masked reference)
    if _is_masked(two[:1]) or (len(two) == 2 and _is_masked(two[1]) and two[0] in _GIVEN_CHARS):
        return 0

    def ok(c: str) -> bool:
        return c in _GIVEN_CHARS or (loose and "\u4e00" <= c <= "\u9fff" and c not in _AFTER_NAME)

    if len(two) == 2 and ok(two[0]) and ok(two[1]):
        return 2
    nxt = t[i + 1:i + 2]
    if two and ok(two[0]) and (not nxt or nxt in _AFTER_NAME or not "\u4e00" <= nxt <= "\u9fff"):
        return 1
    return 0


def _name_from(t: str, i: int, loose: bool = False) -> tuple[int, int] | None:
    """Span of a full name (surname + given name) that starts exactly at index i."""
    surname = _surname_at(t, i)
    if surname is None or _TITLE_RE.match(t, i + len(surname)):
        return None
    glen = _given_after(t, i + len(surname), loose)
    if glen == 0 and len(surname) == 2:
        # 歐陽 may also be 歐 + a one-character given name.
        surname = surname[0] if surname[0] in _SURNAMES_1 else surname
        glen = _given_after(t, i + 1, loose) if len(surname) == 1 else 0
    if glen == 0:
        return None
    end = i + len(surname) + glen
    if _blocked(t[i:end]) or _blocked(t[i:end + 1]):
        return None
    return i, end


def _name_before_title(t: str, title_start: int) -> tuple[int, int] | None:
    """Full name right before a title (王大明先生); a bare surname (王先生) does not count."""
    for length in (4, 3, 2):
        i = title_start - length
        if i < 0:
            continue
        surname = _surname_at(t, i)
        if surname is None or len(surname) + 1 > length or length - len(surname) > 2:
            continue
        given = t[i + len(surname):title_start]
        if not _is_given_name(given):  # also rejects masks: 王○明先生, 陳OO小姐
            continue
        # In 主任高先生 the 高 is the surname, not a one-character given name after 任.
        if len(given) == 1 and len(surname) == 1 and given in _SURNAMES_1:
            continue
        if not _blocked(t[i:title_start]):
            return i, title_start
    return None


# A bare full name counts only between a clear left edge and a clear right edge, e.g. 請問|徐佩君|是.
_BARE_BEFORE = frozenset(
    "請問找由和與及跟給讓叫替幫同助繫絡知心下是了說看到訪視介報尋陪見約帶送載打告轉接於在的識詢查探稱名"
)
_BARE_AFTER = frozenset(
    "的是今昨目已在於說表有因疑被遭曾和與及他她到沒不也都就還又再跟向對近自兄姊姐妹弟等家揚稱拒欲想要會能可"
    "常仍一把將打罵哭跑離失住現本"
)
_SURNAME_RE = re.compile(
    "(?:" + _alternation(_SURNAMES_2) + ")|[" + "".join(sorted(_SURNAMES_1)) + "]"
)


def _is_cjk(c: str) -> bool:
    """True for a CJK unified ideograph."""
    return "\u4e00" <= c <= "\u9fff"


# Staff named in their official capacity (記錄：吳佳玲, 科長 徐慧英) are not case data.
_STAFF_BEFORE = re.compile(
    r"(?:督導|社工|社工員|社工師|科長|主任|組長|家防官|里長|區長|局長|處長|秘書|科員|專員|課長|所長|隊長|"
    r"警員|員警|護理師|心理師|校長|輔導員|記錄|紀錄|報告人|承辦人|主席|窗口|講師|(?<!緊急)聯絡人)[ :：]{0,2}$"
)


def _bare_names(t: str) -> Iterator[tuple[int, int]]:
    """Three- or four-character full names standing alone between clear edges."""
    for m in _SURNAME_RE.finditer(t):
        i, j = m.start(), m.end()
        before = t[i - 1] if i else ""
        if before and _is_cjk(before) and before not in _BARE_BEFORE:
            continue
        if _STAFF_BEFORE.search(t, max(0, i - 6), i):
            continue
        given = t[j:j + 2]
        after = t[j + 2:j + 3]
        if len(given) < 2 or not _is_given_name(given):
            continue
        if after and _is_cjk(after) and after not in _BARE_AFTER:
            continue
        if not _blocked(t[i:j + 2]) and not _TITLE_RE.match(t, j):
            yield i, j + 2


def _name_preview(name: str) -> str:
    """Mask a name the customary way: keep the surname (and last character of longer names)."""
    if len(name) <= 2:
        return name[0] + "○"
    return name[0] + "○" * (len(name) - 2) + name[-1]


# 王小明（化名） is a made-up name, not personal data.
_PSEUDONYM_AFTER = re.compile(r" ?[(（]?(?:化名|假名)")


def _find_names(t: str) -> Iterator[_Hit]:
    """Unmasked full names in context: after a role word or label, before a title, or with sex / age."""
    spans: list[tuple[int, int]] = []
    for m in _LABEL_RE.finditer(t):
        span = _name_from(t, m.end(), loose=True)
        if span:
            spans.append(span)
    for m in _ROLE_RE.finditer(t):
        span = _name_from(t, m.end())
        if span:
            spans.append(span)
    for m in _TITLE_RE.finditer(t):
        span = _name_before_title(t, m.start())
        if span:
            spans.append(span)
    for m in _AGE_RE.finditer(t):
        word = m.group(1)
        for offset in range(len(word) - 3, -1, -1):
            span = _name_from(t, m.start(1) + offset)
            if span and span[1] == m.end(1) and span[1] - span[0] >= 3:
                spans.append(span)
                break
    spans.extend(_bare_names(t))
    for start, end in spans:
        if _PSEUDONYM_AFTER.match(t, end):
            continue
        yield _Hit(Kind.NAME, start, end, _name_preview(t[start:end]), 30)


# --------------------------------------------------------------------------- public directory

def _directory_from_seed() -> PublicDirectory:
    """Agency numbers and addresses from the seed papers (seeds/003, 004): public, not personal."""
    phones = (
        "034732320", "034970225", "034220126", "034750067", "033700886", "033883060", "033821110",
        "032182778", "033652105", "032127678", "033208485", "034333219", "034790231", "033867128",
        "033375900", "033322101", "032289582", "032726752", "034904649", "034226556",
        # Taipei agencies listed in seeds/004.
        "0223932393", "0228350247", "0228942640", "0225156222", "0225974280", "0223962340",
        "0223365700", "0227565018", "0227928701", "0227831407", "0227616515", "0227000960",
        "0229323587", "0233937885", "0223085230",
    )
    addresses = (
        "觀音區觀新路52號1樓", "新屋區中山路277號1樓", "中壢區元化路159號1樓", "楊梅區校前路324巷148號3樓",
        "桃園區國豐三街123號5樓", "大溪區中正路56號", "復興區羅浮68之6號", "桃園區陽明三街33號4樓",
        "八德區興豐路287號4樓", "蘆竹區南崁路152號3樓", "龜山區自強南路97號2樓", "內壢區文化二路219號4樓",
        "龍潭區干城路19巷30號", "大園區大觀路118號2樓", "桃園區縣府路1號4樓",
    )
    return PublicDirectory(frozenset(phones), frozenset(addresses))


DEFAULT_PUBLIC: PublicDirectory = _directory_from_seed()


def _merge(public: PublicDirectory | None) -> PublicDirectory:
    """Built-in public agency data plus the caller's directory, with phones reduced to digits."""
    if public is None:
        return DEFAULT_PUBLIC
    phones = DEFAULT_PUBLIC.phones | {_canonical_phone(p) for p in public.phones}
    return PublicDirectory(phones, DEFAULT_PUBLIC.addresses | public.addresses)


# --------------------------------------------------------------------------- screen

def _resolve(hits: list[_Hit]) -> list[Finding]:
    """Drop hits that overlap a higher-ranked (or, on a tie, longer) hit; order by position."""
    chosen: list[_Hit] = []  # disjoint, kept sorted by start (hence also by end)
    starts: list[int] = []
    for hit in sorted(hits, key=lambda h: (-h.rank, h.start - h.end, h.start)):
        at = bisect.bisect_right(starts, hit.start)
        if at and chosen[at - 1].end > hit.start:
            continue
        if at < len(chosen) and chosen[at].start < hit.end:
            continue
        chosen.insert(at, hit)
        starts.insert(at, hit.start)
    return [Finding(h.kind, h.start, h.end, h.preview) for h in chosen]


def screen(text: str, public: PublicDirectory | None = None) -> list[Finding]:
    """Find personal data in `text`; spans refer to the original text, previews are masked."""
    if not text:
        return []
    t = normalize(text)
    directory = _merge(public)
    return _resolve([
        *_find_emails(t), *_find_ids(t), *_find_passports(t), *_find_nhi(t), *_find_bank(t),
        *_find_phones(t, directory), *_find_plates(t), *_find_birth_dates(t),
        *_find_addresses(t, directory), *_find_names(t),
    ])


def kinds_found(findings: Iterable[Finding]) -> list[Kind]:
    """Kinds of the findings, unique, in order of first appearance."""
    return list(dict.fromkeys(f.kind for f in findings))
