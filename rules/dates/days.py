"""Dates as people type them: ROC or Gregorian, with an optional weekday that must match.

Parsers never raise on user text: they return a result whose `error` is a zh-TW sentence that can
be shown to the user as is.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from rules.dates.relative import match_relative
from rules.dates.roc import DATE_HINT, ROC_OFFSET, normalize, roc_date, weekday_name

# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class DateParse:
    """A parsed date, or the zh-TW reason it could not be read."""

    value: date | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Tell whether a date was read."""
        return self.value is not None


_ROC_PREFIX = r"(?P<roc>民國\s*)?"
# 115年12月5日 / 民國115年12月5日 / 2026年12月5日; the closing 日 may be left out.
_CHINESE_YMD = re.compile(
    _ROC_PREFIX + r"(?P<y>\d{1,4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})(?!\d)\s*[日號号]?"
)
# 115/12/5, 115-12-5, 115.12.5, 2026-12-05, 12/5/6 (the last one is refused as ambiguous).
_SEPARATED_YMD = re.compile(
    _ROC_PREFIX + r"(?P<y>\d{1,4})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d|(?P=sep)\d)"
)
# 1151205 (ROC, 7 digits) or 20261205 (Gregorian, 8 digits); 6 digits are refused as ambiguous.
_COMPACT = re.compile(_ROC_PREFIX + r"(?P<digits>\d{6,8})(?!\d)")
# 12月5日 and 12/5: month and day alone mean the next such date.
_CHINESE_MD = re.compile(r"(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日號号]")
_SLASH_MD = re.compile(r"(?P<m>\d{1,2})/(?P<d>\d{1,2})(?!\d|/\d)")
# (星期四) (週四) (周四) (四) (禮拜四), or bare 星期四 / 週四 after a space.
_WEEKDAY = re.compile(
    r"\s*(?:\(\s*(?:星期|週|周|禮拜)?\s*(?P<wd>[一二三四五六日天])\s*\)"
    r"|\s(?:星期|週|周|禮拜)(?P<wd2>[一二三四五六日天]))"
)
_DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ymd_chinese", _CHINESE_YMD),
    ("ymd_separated", _SEPARATED_YMD),
    ("compact", _COMPACT),
    ("md_chinese", _CHINESE_MD),
    ("md_slash", _SLASH_MD),
)


def _unreadable_date(raw: str) -> DateParse:
    return DateParse(None, f"看不懂日期「{raw}」，{DATE_HINT}")


def _ambiguous_year(raw: str) -> DateParse:
    return DateParse(
        None,
        f"「{raw}」的年份不明確，請寫民國三位數年份（例如 115/12/5）或西元四位數年份（例如 2026/12/5）",
    )


def _build(raw: str, gregorian_year: int, month: int, day: int, *, roc: bool) -> DateParse:
    """Check year, month and day and build the date."""
    if gregorian_year <= ROC_OFFSET:
        if roc:
            return DateParse(None, f"民國年份須從1年起，「{raw}」的年份不對")
        return DateParse(None, f"日期「{raw}」早於民國元年（1912年），請確認年份")
    if not 1 <= month <= 12:
        return DateParse(None, f"日期「{raw}」不存在（月份須為1到12），{DATE_HINT}")
    last = calendar.monthrange(gregorian_year, month)[1]
    if not 1 <= day <= last:
        roc_year_ = gregorian_year - ROC_OFFSET
        return DateParse(None, f"日期「{raw}」不存在（民國{roc_year_}年{month}月沒有{day}日）")
    return DateParse(date(gregorian_year, month, day))


def _year_from(digits: str, roc_prefix: bool, chinese: bool) -> int | None:
    """Turn the written year into a Gregorian year; None when it is ambiguous."""
    n = int(digits)
    if roc_prefix:
        # 民國 makes any width an ROC year; a 4-digit one cannot be meant (民國2026年).
        return n + ROC_OFFSET if len(digits) <= 3 else -1
    if len(digits) == 4:
        return n
    if len(digits) == 3 or chinese:
        # With 年 even 99年 is clearly ROC; in 12/5/6 a 1-2 digit lead could be a year, a month or a day.
        return n + ROC_OFFSET
    return None


def _next_month_day(raw: str, month: int, day: int, today: date) -> DateParse:
    """Resolve a month and day alone to the next such date on or after today."""
    if not 1 <= month <= 12:
        return _unreadable_date(raw)
    if not 1 <= day <= calendar.monthrange(2024, month)[1]:  # 2024 is a leap year: 2/29 exists
        return DateParse(None, f"日期「{raw}」不存在（{month}月沒有{day}日）")
    # Feb 29 may need up to 8 years (1900-style century gaps aside); other dates need at most 2.
    for year in range(today.year, today.year + 9):
        if day <= calendar.monthrange(year, month)[1]:
            candidate = date(year, month, day)
            if candidate >= today:
                return DateParse(candidate)
    return DateParse(None, f"日期「{raw}」不存在（{month}月沒有{day}日）")


def _resolve_date(kind: str, m: re.Match[str], today: date) -> DateParse:
    """Turn one date-pattern match into a date or an error."""
    raw = m.group(0).strip()
    g = m.groupdict()
    if kind in ("md_chinese", "md_slash"):
        return _next_month_day(raw, int(g["m"]), int(g["d"]), today)
    if kind == "compact":
        digits = g["digits"]
        if len(digits) == 7:  # ROC yyy mm dd, as in the case number 1080129-1
            return _build(raw, int(digits[:3]) + ROC_OFFSET, int(digits[3:5]), int(digits[5:]), roc=True)
        if len(digits) == 8 and not g["roc"]:
            return _build(raw, int(digits[:4]), int(digits[4:6]), int(digits[6:]), roc=False)
        return _ambiguous_year(raw) if len(digits) == 6 else _unreadable_date(raw)
    year = _year_from(g["y"], bool(g["roc"]), chinese=kind == "ymd_chinese")
    if year is None:
        return _ambiguous_year(raw)
    if year < 0:
        return DateParse(None, f"民國年份「{g['y']}」不對，{DATE_HINT}")
    return _build(raw, year, int(g["m"]), int(g["d"]), roc=len(g["y"]) < 4)


def _check_weekday(value: date, given: str) -> str | None:
    """Return an error when the written weekday is not the date's real weekday."""
    given = "日" if given == "天" else given
    real = weekday_name(value)
    if given == real:
        return None
    return f"{roc_date(value, 'chinese')}是星期{real}，不是星期{given}，請確認日期"


def _match_date(text: str, pos: int, today: date) -> tuple[DateParse, int] | None:
    """Match a date (and an optional weekday) at pos; None when nothing there looks like a date."""
    for kind, pattern in _DATE_PATTERNS:
        m = pattern.match(text, pos)
        if not m:
            continue
        result, end = _resolve_date(kind, m, today), m.end()
        return _with_weekday(text, result, end)
    spoken = match_relative(text, pos, today)  # 明天, 下週三, 下個月5號
    if spoken is None:
        return None
    value, error, end = spoken
    return _with_weekday(text, DateParse(value, error), end)


def _with_weekday(text: str, result: DateParse, end: int) -> tuple[DateParse, int]:
    """Take a weekday written after the date, checking that it is the date's own."""
    wd = _WEEKDAY.match(text, end)
    if wd:
        end = wd.end()
        if result.value is not None:
            error = _check_weekday(result.value, wd.group("wd") or wd.group("wd2"))
            if error:
                result = DateParse(None, error)
    return result, end


def parse_date(text: str, today: date) -> DateParse:
    """Read a date as people write it (ROC or Gregorian, optional weekday); month/day alone means the next one."""
    s = normalize(text).strip()
    if not s:
        return DateParse(None, f"請寫日期，{DATE_HINT}")
    found = _match_date(s, 0, today)
    if found is None:
        return _unreadable_date(s)
    result, end = found
    if s[end:].strip():
        return _unreadable_date(s)
    return result
