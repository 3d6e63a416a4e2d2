"""Birth dates, birth years and lunar birthdays."""
from __future__ import annotations

import re
from typing import Iterator

from rules.privacy.common import CJK, NOT_DIGIT_AFTER, Hit
from rules.privacy.kinds import Kind

_ZH_DIGIT = "〇○零一二三四五六七八九十"
_YEAR = r"(?:(?:民國|西元) ?)?(?:\d{2,4}|[" + _ZH_DIGIT + r"百]{2,5})"
_MD = r"(?:\d{1,2}|[" + _ZH_DIGIT + r"]{1,3})"
_FULL_DATE = (
    r"(?:" + _YEAR + r" ?年 ?" + _MD + r" ?月(?: ?" + _MD + r" ?[日號])?"
    r"|" + _YEAR + r" ?年"
    r"|\d{2,4}[./\-]\d{1,2}[./\-]\d{1,2}"
    r"|\d{6,8})"
)
_MONTH_DAY = r"(?:" + _MD + r" ?月 ?" + _MD + r" ?[日號]?|\d{1,2}/\d{1,2}|\d{1,2}\.\d{1,2}|\d{4})"
_BIRTH_SUFFIX = re.compile(
    r"(?<![0-9])(" + _FULL_DATE + r") ?(?:出生|生)(?=$|[^" + CJK + r"]|[的之男女於在，、于])"
    # 113年出生的新生兒 1,023 人 is a statistic about a cohort, not someone's birth date.
    r"(?! ?的? ?(?:新生兒|嬰兒|嬰幼兒|寶寶|人數|人口|世代|兒童|幼兒|孩童|學童|數|率|人|後|前|以後|以前))"
)
_BIRTH_LABEL = re.compile(
    r"(?:出生(?:日期|年月日|年月|年|日)?|生日|生於|(?<![A-Za-z])DOB(?![A-Za-z])|birthday)"
    r" ?[:：]? ?(?:為|是|在|於)? ?(?<![0-9])(" + _FULL_DATE + r"|" + _MONTH_DAY + r")" + NOT_DIGIT_AFTER,
    re.IGNORECASE,
)
_ZH_VALUE = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}
# 80年次 / 七十五年次: the ROC year of birth, as people state their cohort.
_COHORT = re.compile(
    r"(?<![0-9])((?:民國 ?)?(?:\d{2,3}|[" + _ZH_DIGIT + r"百]{2,5})) ?年次(?! ?(?:以後|以前|之後|之前|以上|以下|後|前))"
)
# 農曆八月十五生, 農曆3/12生日, 農曆生日 八月初一: a lunar birthday needs 生 nearby (festivals do not).
_LUNAR_MD = (
    r"(?:[正一二三四五六七八九十冬臘0-9]{1,3} ?月 ?(?:初[一二三四五六七八九十]|[一二三四五六七八九十廿卅]{1,3}|\d{1,2}) ?[日號]?"
    r"|\d{1,2}/\d{1,2})"
)
_LUNAR_LABELLED = re.compile(r"農曆生日 ?[:：是為]? ?(" + _LUNAR_MD + r")")
_LUNAR_SUFFIX = re.compile(r"農曆 ?(" + _LUNAR_MD + r") ?(?:出生|生日|生)(?![活產意])")


def _zh_int(s: str) -> int | None:
    """Integer value of ASCII digits or simple Chinese numerals (八十五, 一九九六, 十二)."""
    if s.isdigit():
        return int(s)
    if "百" in s:  # 一百零一
        hundreds, _, rest = s.partition("百")
        low = _zh_int(rest.lstrip("零〇")) if rest.strip("零〇") else 0
        return None if low is None else _ZH_VALUE.get(hundreds or "一", 1) * 100 + low
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
    parts = re.findall(r"\d{1,8}|[" + _ZH_DIGIT + r"百]{1,8}", s)
    if s.isdigit() and len(s) == 4:  # month-day only, as in 生日 0302
        parts = [s[:2], s[2:]]
    elif s.isdigit() and len(s) > 4:  # compact 850302 / 0850302 / 19960302
        parts = [s[:-4], s[-4:-2], s[-2:]]
    read = [_zh_int(p) for p in parts]
    values = [v for v in read if v is not None]
    if len(values) != len(read):
        return False
    if len(values) == 2 and values[0] > 12:  # year + month
        values = [values[0], values[1], 1]
    if len(values) == 2:
        month, day = values
        return 1 <= month <= 12 and 1 <= day <= 31
    year = values[0]
    if not (1 <= year <= 130 or 1900 <= year <= 2100):
        return False
    return len(values) < 3 or (1 <= values[1] <= 12 and 1 <= values[2] <= 31)


def find_birth_dates(t: str) -> Iterator[Hit]:
    """Birth dates: a date followed by 生/出生, or after a 生日/出生/DOB label."""
    if "生" not in t and "年次" not in t and "dob" not in t.lower() and "birth" not in t.lower():
        return
    for m in _COHORT.finditer(t):
        year = _zh_int(re.sub(r"民國 ?", "", m.group(1)))
        if year is not None and 1 <= year <= 130:
            yield Hit(Kind.BIRTH_DATE, m.start(1), m.end(1), "**", 50)
    for rx, whole in ((_LUNAR_LABELLED, False), (_LUNAR_SUFFIX, True)):
        for m in rx.finditer(t):
            preview = "農曆" + re.sub(r"[0-9" + _ZH_DIGIT + r"正冬臘初廿卅]", "*", m.group(1))
            # 農曆八月十五生: the whole phrase goes; after a 農曆生日 label only the date does.
            yield Hit(Kind.BIRTH_DATE, m.start() if whole else m.start(1), m.end(1), preview, 50)
    for rx in (_BIRTH_SUFFIX, _BIRTH_LABEL):
        for m in rx.finditer(t):
            if _plausible_date(m.group(1)):
                preview = re.sub(r"[0-9" + _ZH_DIGIT + r"]", "*", m.group(1))
                yield Hit(Kind.BIRTH_DATE, m.start(1), m.end(1), preview, 50)
