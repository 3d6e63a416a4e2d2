"""The masked version of a refused text, so a sender on a phone need not retype it.

Names keep the surname and the last character (王O明, 王O, 歐陽O明), house-numbered addresses are cut
to the road or segment (中壢區新興路〔門牌已移除〕), a birth date becomes an age band when `today` is
known (else it is removed), and every structured identifier is replaced by a short bracketed label.
The result is meant to pass the screen again; tests check that on the whole corpus.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Sequence

from rules.privacy.kinds import Finding, Kind
from rules.privacy.normalise import normalize
from rules.privacy.surnames import COMPOUND_SURNAMES

REMOVED: dict[Kind, str] = {
    Kind.NATIONAL_ID: "〔身分證號已移除〕",
    Kind.RESIDENT_ID: "〔居留證號已移除〕",
    Kind.PASSPORT: "〔護照號碼已移除〕",
    Kind.NHI_CARD: "〔健保卡號已移除〕",
    Kind.BANK_ACCOUNT: "〔帳號已移除〕",
    Kind.PLATE: "〔車牌已移除〕",
    Kind.EMAIL: "〔電子郵件已移除〕",
    Kind.PHONE: "〔電話已移除〕",
    Kind.LINE_ID: "〔LINE ID已移除〕",
    Kind.MEDICAL_RECORD: "〔病歷號已移除〕",
    Kind.STUDENT: "〔班級座號已移除〕",
    Kind.BIRTH_DATE: "〔出生日期已移除〕",
    Kind.SENSITIVE_CONTEXT: "〔身分線索已移除〕",
    Kind.ADDRESS: "〔門牌已移除〕",
    Kind.NAME: "〔姓名已遮蔽〕",
}

_SEPARATORS = "·‧•・.．"
_ZH = "一二三四五六七八九十"
# What stays of an address: up to the road and its segment, else the village, else the district.
_ROAD = re.compile(r"^.*?(?:路|街|大道)(?:[0-9" + _ZH + r"]{1,3}段)?")
_BUILDING = re.compile(r"^.*?(?:社區|大樓|大廈|公寓|華廈|新村|眷村|國宅|山莊|別墅)")
_VILLAGE = re.compile(r"^.*?[村里]")
_DISTRICT = re.compile(r"^.*?[區鄉鎮市]")
_NEIGHBOURHOOD = re.compile(r"[0-9" + _ZH + r"]{1,3}鄰")
# What stays of a student finding: the school's name.
_SCHOOL = re.compile(r"^.*?(?:國小|國中|高中|高職|高工|高商|實小|附小|附中|大學|學校|幼兒園|附幼)")
# A birth date may be followed by what says it is one; that goes too when the date is replaced.
_BIRTH_TAIL = re.compile(r" ?(?:年次|出生|生)")
_YEAR_FORMS = (
    re.compile(r"(?:民國|西元)? ?(\d{2,4}|[〇○零" + _ZH + r"]{2,4}) ?(?:年|\.|/|-)"),
    re.compile(r"^(\d{2,4})(?:\d{4})$"),
)


def masked(text: str, findings: Sequence[Finding], *, today: date | None = None) -> str:
    """Return `text` with every finding masked the customary way (see the module docstring)."""
    out: list[str] = []
    pos = 0
    for f in sorted(findings, key=lambda f: (f.start, -f.end)):
        if f.start < pos or not 0 <= f.start < f.end <= len(text):
            continue  # overlapping or out-of-range spans: the earlier one already covers it
        out.append(text[pos:f.start])
        replacement, pos = _replace(text, f, today)
        out.append(replacement)
    out.append(text[pos:])
    return "".join(out)


def _replace(text: str, f: Finding, today: date | None) -> tuple[str, int]:
    """The replacement for one finding and where the original text resumes."""
    value = text[f.start:f.end]
    if f.kind == Kind.NAME:
        return mask_name(value), f.end
    if f.kind == Kind.ADDRESS:
        return _cut_address(value) + REMOVED[Kind.ADDRESS], f.end
    if f.kind == Kind.STUDENT:
        school = _SCHOOL.match(normalize(value))
        return (value[:school.end()] if school else "") + REMOVED[Kind.STUDENT], f.end
    if f.kind == Kind.BIRTH_DATE:
        tail = _BIRTH_TAIL.match(text, f.end)
        end = tail.end() if tail else f.end
        band = age_band(value, today) if today else None
        return (band or REMOVED[Kind.BIRTH_DATE]), end
    return REMOVED.get(f.kind, "〔已移除〕"), f.end


def mask_name(name: str) -> str:
    """王小明 -> 王O明, 王明 -> 王O, 歐陽小明 -> 歐陽O明, 瓦歷斯·諾幹 -> 瓦O斯·諾O, Nguyen Van -> N.V."""
    if re.search(r"[A-Za-z]", name):
        return "".join(w[0].upper() + "." for w in re.findall(r"[A-Za-z]+", name))
    parts = re.split("([" + _SEPARATORS + "])", name)
    if len(parts) > 1:
        return "".join(p if p in _SEPARATORS else _keep_ends(p) for p in parts)
    surname = name[:2] if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES else name[:1]
    given = name[len(surname):]
    if not given:
        return surname + "O"
    return surname + "O" * max(len(given) - 1, 1) + (given[-1] if len(given) > 1 else "")


def _keep_ends(part: str) -> str:
    """One part of a joined name: keep the first and last character (two-character parts keep one)."""
    if len(part) <= 1:
        return part
    if len(part) == 2:
        return part[0] + "O"
    return part[0] + "O" * (len(part) - 2) + part[-1]


def _cut_address(value: str) -> str:
    """The part of an address that names no house: road and segment, else building, village or district."""
    norm = normalize(value)
    for rx in (_ROAD, _BUILDING, _VILLAGE, _DISTRICT):
        m = rx.match(norm)
        if m:
            return _NEIGHBOURHOOD.sub("", value[:m.end()])
    return ""


def age_band(value: str, today: date) -> str | None:
    """`30多歲` for a birth date whose year can be read (ROC or Gregorian), else None."""
    norm = normalize(value).replace(" ", "")
    year = _year_value(norm.removeprefix("民國")) if len(norm) <= 5 else None  # a cohort: 80 (年次)
    for rx in () if year is not None else _YEAR_FORMS:
        m = rx.search(norm)
        if m:
            year = _year_value(m.group(1))
            break
    if year is None:
        return None
    if year < 200:
        year += 1911  # ROC year
    age = today.year - year
    if not 0 <= age <= 120:
        return None
    return "未滿10歲" if age < 10 else f"{age // 10 * 10}多歲"


def _year_value(s: str) -> int | None:
    """Integer year from ASCII digits or Chinese numerals (八十五, 一九九六)."""
    if s.isdigit():
        return int(s)
    values = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}
    if "十" in s:
        tens, _, ones = s.partition("十")
        return values.get(tens, 1) * 10 + values.get(ones, 0) if all(c in values for c in tens + ones) else None
    if all(c in values for c in s):
        return int("".join(str(values[c]) for c in s))
    return None
