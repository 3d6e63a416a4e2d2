"""ROC (民國) dates and times formatted as officials write them, and user text normalised for parsing.

Officials write 108年3月21日, 108/03/21 or 1080321 (year + 1911 = Gregorian), weekdays as (四) (DOMAIN.md,
"Dates and numbers people write"). Pure functions: callers pass the values; nothing reads the clock.
"""

from __future__ import annotations

import calendar
import unicodedata
from datetime import date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

TAIPEI = ZoneInfo("Asia/Taipei")
ROC_OFFSET = 1911  # ROC year 1 = 1912
WEEKDAY_NAMES = "一二三四五六日"  # date.weekday() order, Monday first
DATE_HINT = "請寫成 115/12/5 或 2026-12-05"
TIME_HINT = "請寫成 14:00 或 下午2時"

RocStyle = Literal["slash", "chinese", "compact", "dot"]


# ---------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------

def roc_year(d: date) -> int:
    """Return the ROC (民國) year of a date."""
    return d.year - ROC_OFFSET


def roc_date(d: date, style: RocStyle = "slash") -> str:
    """Format a date as an ROC date: 115/12/05, 115年12月5日, 1151205 or 115.12.5."""
    y = roc_year(d)
    if y < 1:
        raise ValueError(f"{d.isoformat()} is before ROC year 1 (1912)")
    # Numeric styles pad the year to 3 digits (099/01/01) so that every numeric form this module
    # writes is one that parse_date reads back: a 2-digit leading number is ambiguous there.
    if style == "slash":
        return f"{y:03d}/{d.month:02d}/{d.day:02d}"
    if style == "chinese":
        return f"{y}年{d.month}月{d.day}日"
    if style == "compact":
        return f"{y:03d}{d.month:02d}{d.day:02d}"
    if style == "dot":
        return f"{y:03d}.{d.month}.{d.day}"
    raise ValueError(f"unknown ROC date style: {style!r}")


def weekday_name(d: date) -> str:
    """Return the one-character weekday name: 一 … 日."""
    return WEEKDAY_NAMES[d.weekday()]


def roc_weekday(d: date) -> str:
    """Return the weekday in parentheses, as written after a date: (四)."""
    return f"({weekday_name(d)})"


def to_taipei(dt: datetime) -> datetime:
    """Convert an aware datetime to Asia/Taipei; refuse naive ones so a UTC value is never misread."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("naive datetime: attach a tzinfo (e.g. TAIPEI) before using it")
    return dt.astimezone(TAIPEI)


def format_time(t: time) -> str:
    """Format a time of day as 14:00."""
    return f"{t.hour:02d}:{t.minute:02d}"


def roc_datetime(dt: datetime) -> str:
    """Format an aware datetime in Taipei time: 115/12/05(六) 14:00."""
    local = to_taipei(dt)
    return f"{roc_date(local.date())}{roc_weekday(local.date())} {format_time(local.time())}"


def roc_long(d: date) -> str:
    """Format a date as said back for confirmation: 115年12月3日(四)."""
    return f"{roc_date(d, 'chinese')}{roc_weekday(d)}"


def roc_long_datetime(dt: datetime) -> str:
    """Format an aware datetime in Taipei time as said back for confirmation: 115年12月3日(四) 14:00."""
    local = to_taipei(dt)
    return f"{roc_long(local.date())} {format_time(local.time())}"


# ---------------------------------------------------------------------------
# Normalising user text
# ---------------------------------------------------------------------------

# NFKC already folds full-width digits, ／：（）～ and the ideographic space; these are the dashes
# and waves NFKC leaves alone but people type between two times.
_EXTRA_FOLDS = str.maketrans({"〜": "~", "–": "-", "—": "-", "―": "-", "−": "-", "‐": "-"})


def normalize(text: str) -> str:
    """Fold full-width characters and dash variants (NFKC) so one set of patterns fits all."""
    return unicodedata.normalize("NFKC", text).translate(_EXTRA_FOLDS)


def add_months(d: date, months: int) -> date:
    """Move a date by whole calendar months, clamping the day to the month's end (3/31 - 1 month = 2/28)."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))
