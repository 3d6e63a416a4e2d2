"""Meeting tiers of the social-safety-net liaison mechanism, their cycles and derived deadlines.

A city runs three tiers of meetings plus a project working group (DOMAIN.md, meeting tiers table).
The tiers are data (`data/meeting_types/<city>.yaml`, read by the caller and passed in as a dict)
so that another city can bring its own cadence. From a tier and a meeting start this module derives
the minutes deadline and, for case conferences, the case-submission deadline; from a tier and
today it tells whether the current cycle still lacks a meeting and proposes a date.
"""

from __future__ import annotations

import calendar as _calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from rules.dates import TAIPEI, add_months, normalize, roc_date, to_taipei
from rules.workdays import OFFICE_CLOSE, WorkCalendar

DEADLINE_TIME = OFFICE_CLOSE  # a deadline "within N days" means by close of office that day (17:30)
PROPOSAL_DAY = 15  # propose mid-month of the due month: room to move either way
PROPOSAL_NOTICE = timedelta(days=14)  # units need about two weeks to send someone and prepare reports


class DeadlineKind(StrEnum):
    """Kinds of deadline derived from a meeting."""

    MINUTES = "minutes"
    CASE_SUBMISSION = "case_submission"


@dataclass(frozen=True)
class Deadline:
    """One deadline derived from a meeting, with a zh-TW label."""

    kind: DeadlineKind
    due: datetime
    label: str


@dataclass(frozen=True)
class MeetingType:
    """One meeting tier: who runs it, how often, and what follows it."""

    key: str
    name: str
    cadence: str
    period_months: int
    due_months: tuple[int, ...] = ()
    secretariat: str = ""
    chair: str = ""
    minutes_due_days: int | None = 7
    minutes_to: str | None = None
    case_submission_lead: int | None = None  # calendar months before the meeting; case conferences only
    source: str = ""

    def cycle_months(self) -> tuple[int, ...]:
        """Return the months a cycle must be done by; without due_months, even blocks from January."""
        return self.due_months or tuple(range(self.period_months, 13, self.period_months))


# ---------------------------------------------------------------------------
# Loading tiers from plain data
# ---------------------------------------------------------------------------

def _require(key: str, raw: dict[str, Any], name: str, kind: type) -> Any:
    value = raw.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(f"meeting type {key!r}: {name} must be a {kind.__name__}, got {value!r}")
    return value


def _optional_int(key: str, raw: dict[str, Any], name: str, default: int | None) -> int | None:
    value = raw.get(name, default)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
        raise ValueError(f"meeting type {key!r}: {name} must be a positive integer or empty, got {value!r}")
    return value


def _due_months(key: str, raw: dict[str, Any], period: int) -> tuple[int, ...]:
    months = raw.get("due_months") or []
    if not isinstance(months, list) or not all(isinstance(m, int) and 1 <= m <= 12 for m in months):
        raise ValueError(f"meeting type {key!r}: due_months must be a list of months 1-12, got {months!r}")
    if months and (sorted(set(months)) != months or len(months) != 12 // period):
        raise ValueError(
            f"meeting type {key!r}: due_months must be ascending and give {12 // period} cycles "
            f"a year for period_months={period}, got {months!r}"
        )
    return tuple(months)


def _meeting_type(key: str, raw: dict[str, Any]) -> MeetingType:
    """Validate one tier's fields and build it."""
    if not isinstance(raw, dict):
        raise ValueError(f"meeting type {key!r} must be a mapping")
    period = _require(key, raw, "period_months", int)
    if period not in (1, 2, 3, 4, 6, 12):
        raise ValueError(f"meeting type {key!r}: period_months must divide 12, got {period!r}")
    return MeetingType(
        key=key,
        name=_require(key, raw, "name", str),
        cadence=str(raw.get("cadence", "")),
        period_months=period,
        due_months=_due_months(key, raw, period),
        secretariat=str(raw.get("secretariat", "")),
        chair=str(raw.get("chair", "")),
        minutes_due_days=_optional_int(key, raw, "minutes_due_days", 7),
        minutes_to=raw.get("minutes_to") or None,
        case_submission_lead=_optional_int(key, raw, "case_submission_lead", None),
        source=str(raw.get("source", "")),
    )


def load_meeting_types(data: dict[str, Any]) -> dict[str, MeetingType]:
    """Build the tiers from a plain dict such as the parsed data/meeting_types/taoyuan.yaml."""
    types = data.get("meeting_types") if isinstance(data, dict) else None
    if not isinstance(types, dict) or not types:
        raise ValueError("meeting type data needs a non-empty 'meeting_types' mapping")
    return {str(key): _meeting_type(str(key), raw) for key, raw in types.items()}


# ---------------------------------------------------------------------------
# Deadlines derived from one meeting
# ---------------------------------------------------------------------------

def _back_to_workday(d: date, calendar: WorkCalendar | None, floor: date | None = None) -> date:
    """Move a due date earlier to a workday, so it stays within the stated limit (never before floor)."""
    if calendar is None:
        return d
    lowest = floor if floor is not None else d - timedelta(days=31)
    candidate = d
    while candidate >= lowest:
        if calendar.is_workday(candidate):
            return candidate
        candidate -= timedelta(days=1)
    return d


def _due(d: date) -> datetime:
    return datetime.combine(d, DEADLINE_TIME, TAIPEI)


def derived_deadlines(meeting_type: MeetingType, start: datetime,
                      calendar: WorkCalendar | None = None) -> list[Deadline]:
    """Return the deadlines that follow from a meeting at `start`, earliest first.

    Minutes: the meeting day + minutes_due_days, at 17:30 ("會議結束後1週內", 109 plan §參二(四), 三(四)).
    Case submission: the same day one calendar month before, clamped to the month's end, at 17:30
    ("於會議前1個月提報個案", 109 plan §參三(六)2). With a calendar, a due day that is a day off moves
    earlier to the previous workday, because both limits are "within", not "on".
    """
    meeting_day = to_taipei(start).date()
    deadlines = []
    lead = meeting_type.case_submission_lead
    if lead:
        due_day = _back_to_workday(add_months(meeting_day, -lead), calendar)
        deadlines.append(Deadline(
            DeadlineKind.CASE_SUBMISSION, _due(due_day),
            f"{meeting_type.name}個案提報截止：{roc_date(due_day, 'chinese')}（會議前{lead}個月）",
        ))
    days = meeting_type.minutes_due_days
    if days:
        due_day = _back_to_workday(meeting_day + timedelta(days=days), calendar, floor=meeting_day)
        action = f"函送{meeting_type.minutes_to}" if meeting_type.minutes_to else "完成"
        deadlines.append(Deadline(
            DeadlineKind.MINUTES, _due(due_day),
            f"{meeting_type.name}會議紀錄{action}：{roc_date(due_day, 'chinese')}前（會後{days}日內）",
        ))
    return deadlines


# ---------------------------------------------------------------------------
# Cycles: is a meeting missing in the current period?
# ---------------------------------------------------------------------------

def _month_end(year: int, month: int) -> date:
    return date(year, month, _calendar.monthrange(year, month)[1])


def _first_after(year: int, month: int) -> date:
    """Return the first day of the month after (year, month)."""
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


def current_period(meeting_type: MeetingType, today: date) -> tuple[date, date]:
    """Return the first and last day of the cycle containing today.

    A cycle runs from the month after one due month to the end of the next: with due months
    4, 7, 11 (district liaison, "應於4月、7月及11月底前完成召開") the cycles are Dec–Apr, May–Jul, Aug–Nov.
    """
    months = meeting_type.cycle_months()
    upcoming = [m for m in months if m >= today.month]
    end = _month_end(today.year, upcoming[0]) if upcoming else _month_end(today.year + 1, months[0])
    earlier = [m for m in months if m < end.month]
    if earlier:
        start = _first_after(end.year, earlier[-1])
    else:
        start = _first_after(end.year - 1, months[-1])
    return start, end


def _onto_workday(d: date, start: date, end: date, calendar: WorkCalendar) -> date:
    """Move a proposal to the next workday within the period, else the previous one."""
    for step in (1, -1):
        candidate = d
        while start <= candidate <= end:
            if calendar.is_workday(candidate):
                return candidate
            candidate += timedelta(days=step)
    return d


def missing_cycle(meeting_type: MeetingType, today: date, scheduled_dates: list[date],
                  calendar: WorkCalendar | None = None) -> date | None:
    """Propose a date when no meeting is scheduled in the current cycle; None when one is.

    The proposal is the 15th of the due month, or two weeks from today if that is later, and never
    past the cycle's end. It ignores days off unless a calendar is given.
    """
    start, end = current_period(meeting_type, today)
    if any(start <= d <= end for d in scheduled_dates):
        return None
    proposal = min(max(date(end.year, end.month, PROPOSAL_DAY), today + PROPOSAL_NOTICE), end)
    if calendar is not None:
        proposal = _onto_workday(proposal, max(start, today), end, calendar)
    return proposal


# ---------------------------------------------------------------------------
# Reminder leads: "7d,1d,2h"
# ---------------------------------------------------------------------------

_LEAD_UNITS = {
    "w": timedelta(weeks=1), "週": timedelta(weeks=1), "周": timedelta(weeks=1),
    "d": timedelta(days=1), "天": timedelta(days=1), "日": timedelta(days=1),
    "h": timedelta(hours=1), "小時": timedelta(hours=1), "時": timedelta(hours=1),
    "m": timedelta(minutes=1), "min": timedelta(minutes=1), "分鐘": timedelta(minutes=1),
    "分": timedelta(minutes=1),
}
_LEAD_PART = re.compile(r"(\d+)\s*(" + "|".join(sorted(_LEAD_UNITS, key=len, reverse=True)) + ")", re.I)
LEADS_HINT = "請寫成 7d,1d,2h（w=週、d=天、h=小時、m=分鐘）"


def _parse_lead(token: str) -> timedelta:
    """Read one lead such as 2h or 1d12h."""
    total, pos = timedelta(), 0
    for m in _LEAD_PART.finditer(token):
        if m.start() != pos:
            break
        total += int(m.group(1)) * _LEAD_UNITS[m.group(2).lower()]
        pos = m.end()
    if pos != len(token) or not token:
        raise ValueError(f"看不懂提醒時間「{token}」，{LEADS_HINT}")
    if total <= timedelta():
        raise ValueError(f"提醒時間「{token}」須大於0，{LEADS_HINT}")
    return total


def parse_leads(text: str) -> list[timedelta]:
    """Read reminder leads such as "7d,1d,2h" into distinct timedeltas, longest first; "" gives []."""
    tokens = [t for t in re.split(r"[,、;\s]+", normalize(text or "").strip()) if t]
    leads = {_parse_lead(t) for t in tokens}
    return sorted(leads, reverse=True)


def reminder_times(start: datetime, leads: list[timedelta], now: datetime | None = None) -> list[datetime]:
    """Return the distinct moments `lead` before start, earliest first; with now, only those after it."""
    local = to_taipei(start)
    times = sorted({local - lead for lead in leads})
    if now is not None:
        times = [t for t in times if t > to_taipei(now)]
    return times


__all__ = [
    "DeadlineKind", "Deadline", "MeetingType", "load_meeting_types", "derived_deadlines",
    "current_period", "missing_cycle", "parse_leads", "reminder_times", "LEADS_HINT",
]
