"""Taiwan working days, quiet hours, and when a message may reach people.

Members of the liaison group are civil servants and contracted social workers: the bot should not
ping them at night or on a day off unless the matter cannot wait. The calendar follows the DGPA
(人事行政總處) government work calendar as carried by the `holidays` package: weekends are off
unless they are make-up workdays (補班), public holidays and bridge days (彈性放假) are off.

All datetimes are timezone-aware; they are read and returned in Asia/Taipei. Nothing reads the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol

import holidays

from rules.dates import TAIPEI, roc_long, to_taipei

WORK_START = time(8, 0)  # earliest a deferred notice goes out
OFFICE_OPEN = time(8, 30)  # government office hours 08:30–17:30 (DGPA standard)
OFFICE_CLOSE = time(17, 30)
_MAX_SCAN_DAYS = 60  # no Taiwan calendar has more than ~10 consecutive days off; 60 is generous

# Make-up workdays (補班, a Saturday worked to pay for a bridge day). holidays 0.109 derives them from
# its TaiwanStaticHolidays table, which it checked against the DGPA calendars up to 2026; this table
# repeats what the package carries for 2025–2027 so that a package upgrade that drops them is noticed
# by the tests, and so that the state of each year is written down.
MAKEUP_WORKDAYS: dict[int, frozenset[date]] = {
    # 2025: Mon 1/27 bridge day (before Lunar New Year's Eve), made up on Sat 2/8.
    2025: frozenset({date(2025, 2, 8)}),
    # 2026: the DGPA 2026 calendar in the package has no bridge day, hence no make-up Saturday.
    2026: frozenset(),
    # 2027: unknown. The package computes 2027 holidays from the rules only; DGPA had not published
    # (or the package had not carried) the 2027 calendar. Add bridge/make-up days via
    # TaiwanCalendar(extra_days_off=..., extra_workdays=...) or here once announced.
    2027: frozenset(),
}


class WorkCalendar(Protocol):
    """Tell which days people work and when the next working morning is."""

    def is_workday(self, d: date) -> bool:
        """Tell whether d is a working day."""
        ...

    def next_work_morning(self, after: datetime, start: time = WORK_START) -> datetime:
        """Return the first workday moment at `start` that is not before `after`."""
        ...


class _CalendarBase:
    """Share next_work_morning between calendars; subclasses define is_workday."""

    def is_workday(self, d: date) -> bool:
        """Tell whether d is a working day."""
        raise NotImplementedError

    def next_work_morning(self, after: datetime, start: time = WORK_START) -> datetime:
        """Return the first workday moment at `start` that is not before `after`."""
        local = to_taipei(after)
        day = local.date()
        if local.time() > start:
            day += timedelta(days=1)
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_workday(day):
                return datetime.combine(day, start, TAIPEI)
            day += timedelta(days=1)
        raise RuntimeError(f"no workday within {_MAX_SCAN_DAYS} days after {local.isoformat()}")

    def holiday_name(self, d: date) -> str | None:
        """Return the name of the day off, if the calendar knows one."""
        return None


class NoCalendar(_CalendarBase):
    """Treat every day as a workday (WORKDAY_CALENDAR=none)."""

    def is_workday(self, d: date) -> bool:
        """Tell whether d is a working day: always."""
        return True


@dataclass
class TaiwanCalendar(_CalendarBase):
    """Follow the DGPA government calendar: weekends and public holidays off, 補班 Saturdays on.

    Only the PUBLIC category counts: OPTIONAL days (軍人節; 勞動節 up to 2025) and observances
    (婦女節, 植樹節 …) are working days for government offices. Typhoon days (停班停課) are decided
    on the day by each city, so they are not here; pass them as `extra_days_off` if needed.
    """

    extra_workdays: frozenset[date] = frozenset()
    extra_days_off: frozenset[date] = frozenset()
    language: str = "zh_TW"
    _years: dict[int, holidays.HolidayBase] = field(default_factory=dict, init=False, repr=False)

    def _holidays(self, year: int) -> holidays.HolidayBase:
        """Build (once) the package's holiday set for a year."""
        if year not in self._years:
            self._years[year] = holidays.country_holidays(
                "TW", years=year, categories=(holidays.PUBLIC,), language=self.language
            )
        return self._years[year]

    def is_makeup_workday(self, d: date) -> bool:
        """Tell whether d is a weekend day that is worked (補班)."""
        if d.weekday() < 5:
            return False
        return d in self.extra_workdays or d in MAKEUP_WORKDAYS.get(d.year, ()) or (
            d in self._holidays(d.year).weekend_workdays
        )

    def is_workday(self, d: date) -> bool:
        """Tell whether d is a working day for government offices."""
        if d in self.extra_days_off:
            return False
        if d in self.extra_workdays:
            return True
        if d.weekday() >= 5:
            return self.is_makeup_workday(d)
        return d not in self._holidays(d.year)

    def holiday_name(self, d: date) -> str | None:
        """Return the holiday's name (zh-TW), e.g. 國慶日, or None."""
        return self._holidays(d.year).get(d)


def day_off(d: date, calendar: WorkCalendar) -> str | None:
    """Say why `d` is not a working day (週六, 國慶日, 彈性放假 ...), or None when offices are open."""
    if calendar.is_workday(d):
        return None
    name = getattr(calendar, "holiday_name", lambda _: None)(d)
    if name:
        return f"{roc_long(d)}是{name}，政府機關放假"
    if d.weekday() >= 5:
        return f"{roc_long(d)}是週{'六日'[d.weekday() - 5]}，非上班日"
    return f"{roc_long(d)}非上班日"


@lru_cache(maxsize=8)
def calendar_from_setting(value: str) -> WorkCalendar:
    """The calendar named by WORKDAY_CALENDAR: 'taiwan' (default) or 'none'.

    One per setting, kept: it builds each year's holidays once, and every 求助 and reminder asks it.
    """
    key = (value or "taiwan").strip().lower()
    if key in ("taiwan", "tw"):
        return TaiwanCalendar()
    if key == "none":
        return NoCalendar()
    raise ValueError(f"WORKDAY_CALENDAR must be 'taiwan' or 'none', not {value!r}")


# ---------------------------------------------------------------------------
# Quiet hours
# ---------------------------------------------------------------------------

_QUIET_RE = re.compile(r"(\d{1,2}):(\d{2})\s*[-~]\s*(\d{1,2}):(\d{2})")


@dataclass(frozen=True)
class QuietHours:
    """A daily window with no notices, e.g. 21:00-08:00 (may cross midnight)."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("quiet hours start and end must differ")

    @classmethod
    def parse(cls, text: str) -> QuietHours | None:
        """Read 'HH:MM-HH:MM' (e.g. 21:00-08:00); an empty string means no quiet hours."""
        text = (text or "").strip()
        if not text:
            return None
        # A setting, not chat text: strict 24-hour HH:MM so that 22:00-6:00 is not second-guessed.
        m = _QUIET_RE.fullmatch(text)
        if not m:
            raise ValueError(f"quiet hours must look like 21:00-08:00, not {text!r}")
        h1, m1, h2, m2 = (int(x) for x in m.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise ValueError(f"quiet hours must use times 00:00-23:59, not {text!r}")
        return cls(time(h1, m1), time(h2, m2))

    def contains(self, t: time) -> bool:
        """Tell whether a wall-clock time falls inside the window (start inclusive, end exclusive)."""
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end

    def is_quiet(self, dt: datetime) -> bool:
        """Tell whether an aware datetime falls inside the window, in Taipei time."""
        return self.contains(to_taipei(dt).time())

    def ends_after(self, dt: datetime) -> datetime:
        """Return when the window containing dt ends (dt itself when it is not quiet)."""
        local = to_taipei(dt)
        if not self.is_quiet(local):
            return local
        day = local.date()
        if self.start > self.end and local.time() >= self.start:
            day += timedelta(days=1)  # 22:00 inside 21:00-08:00 ends tomorrow morning
        return datetime.combine(day, self.end, TAIPEI)


# ---------------------------------------------------------------------------
# Deferral and working hours
# ---------------------------------------------------------------------------

def _is_off(local: datetime, quiet: QuietHours | None, calendar: WorkCalendar) -> bool:
    return not calendar.is_workday(local.date()) or (quiet is not None and quiet.is_quiet(local))


def _work_morning(day: date, quiet: QuietHours | None, work_start: time) -> datetime:
    """Return work_start on that day, or the end of quiet hours if that is later."""
    morning = datetime.combine(day, work_start, TAIPEI)
    return quiet.ends_after(morning) if quiet else morning


def _next_acceptable(local: datetime, quiet: QuietHours | None, calendar: WorkCalendar,
                     work_start: time) -> datetime:
    """Return the first moment at or after local that is on a workday and outside quiet hours."""
    if calendar.is_workday(local.date()) and quiet is not None:
        # Still today (06:00 → 08:00, or a lunchtime window → its end): only if today is a workday.
        same_day = max(quiet.ends_after(local), datetime.combine(local.date(), work_start, TAIPEI))
        if same_day.date() == local.date() and not quiet.is_quiet(same_day):
            return same_day
    morning = calendar.next_work_morning(_next_midnight(local), work_start)
    return _work_morning(morning.date(), quiet, work_start)


def _next_midnight(local: datetime) -> datetime:
    """Return 00:00 of the following day (Taiwan has no DST, so this is always 24h-aligned)."""
    return datetime.combine(local.date() + timedelta(days=1), time(0), TAIPEI)


def defer_for_people(
    at: datetime,
    *,
    quiet: QuietHours | None,
    calendar: WorkCalendar,
    not_after: datetime | None = None,
    work_start: time = WORK_START,
) -> datetime:
    """Move a notice out of quiet hours and days off to the next working morning, never past not_after.

    When the working morning would be after `not_after` (typically the event the notice is about),
    a reminder that arrives after the event is useless, so the notice goes out anyway:
    first choice is the end of the current quiet hours if that is still before `not_after` (a quiet
    Saturday-morning notice for a Saturday event moves to 08:00), otherwise `at` itself is kept.
    """
    local = to_taipei(at)
    if not _is_off(local, quiet, calendar):
        return local
    target = _next_acceptable(local, quiet, calendar, work_start)
    if not_after is None or target <= to_taipei(not_after):
        return target
    if quiet is not None and quiet.is_quiet(local):
        out_of_quiet = quiet.ends_after(local)
        if out_of_quiet <= to_taipei(not_after):
            return out_of_quiet
    return local


def working_hours(dt: datetime, calendar: WorkCalendar, start: time = OFFICE_OPEN,
                  end: time = OFFICE_CLOSE) -> bool:
    """Tell whether dt falls in office hours on a workday (start inclusive, end exclusive)."""
    local = to_taipei(dt)
    return calendar.is_workday(local.date()) and start <= local.time() < end


def next_working_moment(dt: datetime, calendar: WorkCalendar, start: time = OFFICE_OPEN,
                        end: time = OFFICE_CLOSE) -> datetime:
    """Return dt if it is within office hours, else the next office opening (for 一般 requests)."""
    local = to_taipei(dt)
    if working_hours(local, calendar, start, end):
        return local
    if calendar.is_workday(local.date()) and local.time() < start:
        return datetime.combine(local.date(), start, TAIPEI)
    return calendar.next_work_morning(_next_midnight(local), start)


__all__ = [
    "WORK_START", "OFFICE_OPEN", "OFFICE_CLOSE", "MAKEUP_WORKDAYS", "WorkCalendar", "NoCalendar",
    "TaiwanCalendar", "calendar_from_setting", "QuietHours", "defer_for_people", "working_hours",
    "next_working_moment",
]
