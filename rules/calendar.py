"""Pure calendar rules: periods and deadlines as people write them, weeks, overlaps and notice moments.

Nothing here imports Flask, LINE or SQLAlchemy and nothing reads the clock: callers pass `today`
or `now`. Errors are zh-TW sentences shown to users as is.
"""
from __future__ import annotations

import calendar as monthcal
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Callable, Iterable, Sequence, TypeVar

from rules.dates import (
    TAIPEI,
    format_time,
    normalize,
    parse_date,
    roc_date,
    roc_long as roc_long,  # re-exported: the calendar's renderers say periods.roc_long
    roc_weekday,
    to_taipei,
)
from rules.workdays import WorkCalendar

T = TypeVar("T")

PERIOD_HINT = "請寫成 115/12/1-115/12/31 或 115年12月"
MAX_PERIOD_DAYS = 366
MAX_AHEAD_DAYS = 400            # a date further ahead is more likely a wrong year than a plan
ANNOUNCE_AT = time(9, 0)        # joinable activities are announced on a working morning
CALL_REMINDER_AT = time(9, 30)  # after people have read the morning's mail
CALL_REPORT_AT = time(9, 0)
CALL_REMINDER_DAYS_BEFORE = (3, 0)  # three days before the deadline and the deadline's morning
ASSUMED_LENGTH = timedelta(hours=1)  # only for overlap warnings when no end time was given
JOINABLE_MARKERS = ("可共同宣導", "歡迎共同宣導", "可合作宣導", "#共同宣導", "#可宣導")
_ROOM = re.compile(r"(?:B?\d{1,2}|[一二三四五六七八九十]{1,3})(?:樓|F|f)\S{0,8}$|\S{0,6}(?:室|廳|禮堂|教室)$")
_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
             "一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}


@dataclass(frozen=True)
class Period:
    """An inclusive date range, or the reason it could not be read."""

    start: date | None
    end: date | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Tell whether the period was read."""
        return self.error is None


@dataclass(frozen=True)
class CallTerms:
    """What `徵集活動 <期間> <截止日>` asked for."""

    period: Period
    deadline: date | None
    error: str | None = None


# ---------------------------------------------------------------------------- periods

_MONTH = re.compile(r"(?:民國)?(?:(?P<y>\d{2,4})(?:年|/|-|\.))?(?P<m>\d{1,2})(?:月份?)?")


def _month_range(year: int, month: int) -> Period:
    return Period(date(year, month, 1), date(year, month, monthcal.monthrange(year, month)[1]))


def parse_month(text: str, today: date) -> Period | None:
    """Read a whole month: 115年12月, 115/12, 2026-12, 12月 (the next such month); None if it is not one."""
    s = normalize(text).strip().replace(" ", "")
    m = _MONTH.fullmatch(s)
    if not m or (m.group("y") is None and not s.endswith(("月", "月份"))):
        return None
    month = int(m.group("m"))
    if not 1 <= month <= 12:
        return None
    raw_year = m.group("y")
    if raw_year is None:
        year = today.year if month >= today.month else today.year + 1
    elif len(raw_year) == 4:
        year = int(raw_year)
    elif len(raw_year) == 3 or "年" in s:
        year = int(raw_year) + 1911
    else:
        return None  # 12/5 is a day, not a month
    return _month_range(year, month)


def parse_period(text: str, today: date) -> Period:
    """Read a period: a month, two months, or two dates joined by -, ~, 至 or 到 (the second may omit the year)."""
    s = normalize(text).strip().replace(" ", "")
    if not s:
        return Period(None, None, f"請寫期間，{PERIOD_HINT}")
    month = parse_month(s, today)
    if month is not None:
        return month
    for sep in re.finditer(r"[-~～]|至|到", s):
        left, right = s[: sep.start()], s[sep.end():]
        if not left or not right:
            continue
        found = _range(left, right, today)
        if found is not None:
            return found
    single = parse_date(s, today)
    if single.value is not None:
        example = f"{roc_date(single.value)}-{roc_date(single.value + timedelta(days=30))}"
        return Period(None, None, f"期間要有起訖，例如 {example}")
    return Period(None, None, f"看不懂期間「{s}」，{PERIOD_HINT}")


def _range(left: str, right: str, today: date) -> Period | None:
    """Read `left`-`right` as dates or months; None when this split is not a range."""
    first_month, last_month = parse_month(left, today), None
    first = parse_date(left, today)
    start = first.value if first.ok else (first_month.start if first_month else None)
    if start is None:
        return None
    last = parse_date(right, start)  # 115/12/1-1/15: the end date is the next 1/15 after the start
    if last.ok:
        end = last.value
    else:
        last_month = parse_month(right, start)
        if last_month is None:
            return None
        end = last_month.end
    assert end is not None
    if end < start:
        return Period(None, None, f"期間的結束日（{roc_date(end)}）早於開始日（{roc_date(start)}）")
    if (end - start).days >= MAX_PERIOD_DAYS:
        return Period(None, None, "期間請在一年以內")
    return Period(start, end)


def parse_call(argument: str, today: date) -> CallTerms:
    """Read `<期間> <截止日>` (e.g. `115/12/1-115/12/31 115/11/30`, `12月 截止11/25`)."""
    s = normalize(argument)
    s = re.sub(r"\s*([-~～]|至|到)\s*", r"\1", s)        # 115/12/1 - 115/12/31 is one period
    s = re.sub(r"\s+(?=\()", "", s)                         # 115/11/30 (一) is one date
    s = re.sub(r"(截止日期?|截止|期限)[:：]?", " ", s)
    tokens = [t.removesuffix("前") for t in s.split() if t.removesuffix("前")]
    example = "例如：徵集活動 115/12/1-115/12/31 115/11/30"
    if len(tokens) < 2:
        return CallTerms(Period(None, None), None, f"請寫期間與截止日，{example}")
    deadline = parse_date(tokens[-1], today)
    if not deadline.ok:
        return CallTerms(Period(None, None), None, f"截止日：{deadline.error}")
    assert deadline.value is not None
    if deadline.value < today:
        return CallTerms(Period(None, None), None, f"截止日 {roc_date(deadline.value)} 已過，請寫今天以後的日期")
    period = parse_period("".join(tokens[:-1]), today)
    if not period.ok:
        return CallTerms(period, None, f"期間：{period.error}（{example}）")
    return CallTerms(period, deadline.value)


# ---------------------------------------------------------------------------- one-line activities

def split_place_title(rest: str) -> tuple[str, str, bool] | str:
    """Split `地點 名稱 [可共同宣導]` into (place, title, joinable); a zh-TW question when it cannot."""
    words = rest.split()
    joinable = False
    if words:
        for marker in JOINABLE_MARKERS:
            last = words[-1].strip("()（）[]【】")
            if last == marker:
                words, joinable = words[:-1], True
                break
    # 中壢區公所 3樓 講座: a floor or room written apart still belongs to the place.
    while len(words) > 2 and _ROOM.match(words[1]):
        words = [f"{words[0]} {words[1]}", *words[2:]]
    if len(words) < 2:
        return "請寫地點與活動名稱，以空白分開（地點在前），例如：活動 115/12/5 14:00-16:00 中壢區公所3樓 家暴防治宣導講座"
    return words[0], " ".join(words[1:]), joinable


def check_date(value: date, today: date) -> str | None:
    """Explain why an activity date is not acceptable, or None."""
    if value < today:
        return f"{roc_date(value)}{roc_weekday(value)} 已經過了，請寫今天以後的日期"
    if (value - today).days > MAX_AHEAD_DAYS:
        return f"{roc_date(value)} 距今超過一年，請確認年份（民國年請寫三位數，例如 116/1/5）"
    return None


# ---------------------------------------------------------------------------- display

def md_weekday(d: date) -> str:
    """Month/day with weekday: 12/05(六)."""
    return f"{d.month:02d}/{d.day:02d}{roc_weekday(d)}"


def time_span(start: datetime, end: datetime | None) -> str:
    """14:00–16:00, or 14:00 起 when the end is not known."""
    s = to_taipei(start)
    return f"{format_time(s.time())}–{format_time(to_taipei(end).time())}" if end else f"{format_time(s.time())} 起"


def roc_month_title(year: int, month: int) -> str:
    """民國115年12月."""
    return f"民國{year - 1911}年{month}月"


# ---------------------------------------------------------------------------- weeks and overlaps

def week_of(d: date) -> date:
    """The Monday of d's week (weeks run Monday to Sunday, as office calendars do)."""
    return d - timedelta(days=d.weekday())


def group_by_week(items: Iterable[T], day_of: Callable[[T], date]) -> list[tuple[date, list[T]]]:
    """Group items (already in time order) by the Monday of their week."""
    weeks: dict[date, list[T]] = {}
    for item in items:
        weeks.setdefault(week_of(day_of(item)), []).append(item)
    return sorted(weeks.items())


def place_key(place: str) -> str:
    """A place reduced for comparison: NFKC, no spaces or punctuation, lower case."""
    folded = unicodedata.normalize("NFKC", place).lower()
    return "".join(c for c in folded if c.isalnum())


def same_place(a: str, b: str) -> bool:
    """Tell whether two places are probably the same (equal, or one names the other plus a room)."""
    ka, kb = place_key(a), place_key(b)
    if not ka or not kb:
        return False
    short, long_ = sorted((ka, kb), key=len)
    return ka == kb or (len(short) >= 4 and long_.startswith(short))


def overlaps(a: tuple[datetime, datetime | None], b: tuple[datetime, datetime | None]) -> bool:
    """Tell whether two time spans overlap (an unknown end counts as one hour, for warnings only)."""
    a_end = a[1] or a[0] + ASSUMED_LENGTH
    b_end = b[1] or b[0] + ASSUMED_LENGTH
    return a[0] < b_end and b[0] < a_end


# ---------------------------------------------------------------------------- notice moments

def _workday_on_or_before(d: date, workdays: WorkCalendar) -> date:
    for _ in range(30):
        if workdays.is_workday(d):
            return d
        d -= timedelta(days=1)
    return d


def announce_moment(activity_day: date, days_before: int, workdays: WorkCalendar) -> datetime:
    """When to announce a joinable activity: N days before, moved back to a working morning."""
    day = _workday_on_or_before(activity_day - timedelta(days=days_before), workdays)
    return datetime.combine(day, ANNOUNCE_AT, TAIPEI)


def call_reminder_moments(deadline: date, workdays: WorkCalendar,
                          days_before: Sequence[int] = CALL_REMINDER_DAYS_BEFORE) -> list[datetime]:
    """Reminder moments before a call's deadline, each on a working morning, without repeats."""
    days = {_workday_on_or_before(deadline - timedelta(days=n), workdays) for n in days_before}
    return [datetime.combine(d, CALL_REMINDER_AT, TAIPEI) for d in sorted(days)]


def call_report_moment(deadline: date, workdays: WorkCalendar) -> datetime:
    """The report goes out on the first working morning after the deadline day."""
    return workdays.next_work_morning(datetime.combine(deadline + timedelta(days=1), time(0), TAIPEI),
                                      CALL_REPORT_AT)


def deadline_end(deadline: date) -> datetime:
    """The last moment of the deadline day, Taipei time."""
    return datetime.combine(deadline + timedelta(days=1), time(0), TAIPEI) - timedelta(seconds=1)


# ---------------------------------------------------------------------------- weekly digest

def parse_digest(setting: str) -> tuple[int, time] | None:
    """Read CALENDAR_DIGEST ('mon 08:30', '週一 08:30'); None when empty (off); ValueError when unreadable."""
    s = normalize(setting or "").strip().lower()
    if not s:
        return None
    m = re.fullmatch(r"(?:星期|週|周|禮拜)?\s*(?P<day>[a-z]{3}|[一二三四五六日天])[a-z]*\s+(?P<h>\d{1,2}):(?P<m>\d{2})", s)
    if not m or m.group("day") not in _WEEKDAYS or int(m.group("h")) > 23 or int(m.group("m")) > 59:
        raise ValueError(f"CALENDAR_DIGEST must look like 'mon 08:30' (or empty for off), not {setting!r}")
    return _WEEKDAYS[m.group("day")], time(int(m.group("h")), int(m.group("m")))


def digest_moments(weekday: int, at: time, now: datetime, weeks: int = 2) -> list[datetime]:
    """The digest moments of this week and the next ones (past ones included; the caller drops them)."""
    monday = week_of(to_taipei(now).date())
    return [datetime.combine(monday + timedelta(days=7 * w + weekday), at, TAIPEI) for w in range(weeks)]
