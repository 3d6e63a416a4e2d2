"""Pure meeting logic: when each reminder goes out, how a one-line command reads, which tier a word names.

Nothing here touches the database, Flask or LINE; callers pass `now` and the settings, so the unit
tests in tests/unit/test_meetings_plan.py run in milliseconds.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from rules.dates import TAIPEI, case_number, find_datetime_phrase, normalize, parse_case_number, to_taipei
from rules.meetings.cycles import MeetingType, parse_leads
from rules.workdays import QuietHours, WorkCalendar, calendar_from_setting, defer_for_people

REMIND_AT = time(9, 0)  # deadline and review notices go out at 09:00, once people are at their desks
MINUTES_NOTICE_DAYS = 2  # remind the secretariat this many days before the minutes are due
CASES_NOTICE_DAYS = 7  # units need about a week to pick and write up cases before the submission deadline
PROGRESS_DAY = 1  # tracked items report monthly: asked on the 1st ...
PROGRESS_USEFUL_DAYS = 10  # ... and a request reaching them after the 10th is no longer useful


class Kind:
    """Reminder kinds this capability renders (the router maps each to a renderer)."""

    LEAD = "meeting_lead"
    REVIEW = "meeting_review"
    MINUTES = "meeting_minutes"
    CASES = "meeting_cases"
    PROGRESS = "tracked_progress"
    ANNOUNCE = "meeting_announce"  # a new meeting's notice held for the group's morning digest


@dataclass(frozen=True)
class Policy:
    """The reminder settings: lead times before a meeting, quiet hours and the work calendar."""

    leads: tuple[timedelta, ...]
    quiet: QuietHours | None
    calendar: WorkCalendar

    def defer(self, at: datetime, not_after: datetime | None) -> datetime:
        """Move a notice out of quiet hours and days off, never past not_after."""
        return defer_for_people(at, quiet=self.quiet, calendar=self.calendar, not_after=not_after)


@lru_cache(maxsize=16)
def policy_from_settings(leads: str, quiet: str, calendar: str) -> Policy:
    """Build the policy from MEETING_REMINDER_LEADS, QUIET_HOURS and WORKDAY_CALENDAR (cached per setting)."""
    return Policy(tuple(parse_leads(leads)), QuietHours.parse(quiet), calendar_from_setting(calendar))


@dataclass(frozen=True)
class Planned:
    """One reminder of a meeting: its key suffix (after `meeting:{id}:`), kind, moment and usefulness limit."""

    key: str
    kind: str
    due_at: datetime
    not_after: datetime


def lead_token(lead: timedelta) -> str:
    """Name a lead for a stable reminder key: 7d, 2h, 90m."""
    minutes = int(lead.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def previous_workday(day: date, calendar: WorkCalendar) -> date:
    """Return the last workday strictly before `day` (within a month; else the day before)."""
    candidate = day - timedelta(days=1)
    for _ in range(31):
        if calendar.is_workday(candidate):
            return candidate
        candidate -= timedelta(days=1)
    return day - timedelta(days=1)


def _at(day: date, moment: time = REMIND_AT) -> datetime:
    return datetime.combine(day, moment, TAIPEI)


def meeting_plan(start: datetime, now: datetime, policy: Policy, minutes_due: datetime | None = None,
                 cases_due: datetime | None = None) -> list[Planned]:
    """Return every reminder of a meeting still ahead of `now`, earliest first.

    Leads (7d, 1d, 2h ...) and the review card (the workday before, 09:00) are useful until the
    meeting starts; the minutes notice until the minutes are due; the case-submission notice until
    submissions close. A moment already past when the meeting is (re)scheduled is left out: the
    announcement itself says what a late reminder would.
    """
    start = to_taipei(start)
    planned: list[Planned] = []
    for lead in policy.leads:
        raw = start - lead
        if raw > now:
            planned.append(Planned(f"lead:{lead_token(lead)}", Kind.LEAD, policy.defer(raw, start), start))
    review = _at(previous_workday(start.date(), policy.calendar))
    if review > now:
        planned.append(Planned("review", Kind.REVIEW, policy.defer(review, start), start))
    if minutes_due is not None:
        notice = max(_at(to_taipei(minutes_due).date() - timedelta(days=MINUTES_NOTICE_DAYS)), start)
        if notice > now:
            planned.append(Planned("minutes", Kind.MINUTES, policy.defer(notice, minutes_due), minutes_due))
    if cases_due is not None:
        notice = _at(to_taipei(cases_due).date() - timedelta(days=CASES_NOTICE_DAYS))
        if notice > now:
            planned.append(Planned("cases", Kind.CASES, policy.defer(notice, cases_due), cases_due))
    return sorted(planned, key=lambda p: (p.due_at, p.key))


def next_month(today: date) -> date:
    """Return the first day of the month after `today`."""
    return date(today.year + 1, 1, 1) if today.month == 12 else date(today.year, today.month + 1, 1)


def progress_key(district_id: int, month: date) -> str:
    """The stable key of a district's monthly tracked-item progress request."""
    return f"tracked:{district_id}:progress:{month:%Y-%m}"


def progress_moment(month: date, policy: Policy) -> tuple[datetime, datetime]:
    """Return when to ask for a month's progress reports (the 1st, 09:00, deferred) and until when it is useful."""
    useful_until = datetime.combine(month.replace(day=PROGRESS_USEFUL_DAYS), time(17, 30), TAIPEI)
    return policy.defer(_at(month.replace(day=PROGRESS_DAY)), useful_until), useful_until


def relative_phrase(start: datetime, now: datetime) -> str:
    """Say how far away a meeting is: 7天後, 明天, 2小時後."""
    delta = to_taipei(start) - to_taipei(now)
    days = (to_taipei(start).date() - to_taipei(now).date()).days
    if delta <= timedelta():
        return "已開始"
    if days >= 2:
        return f"{days}天後"
    if days == 1:
        return "明天"
    hours = int(delta.total_seconds() // 3600)
    return f"{hours}小時後" if hours >= 1 else f"{int(delta.total_seconds() // 60)}分鐘後"


# ---------------------------------------------------------------------------
# Reading what people type
# ---------------------------------------------------------------------------

def find_types(types: dict[str, MeetingType], word: str) -> list[MeetingType]:
    """Return the tiers a word names: exact name or key first, else every tier whose name contains it."""
    wanted = normalize(word).strip()
    if not wanted:
        return []
    exact = [t for t in types.values() if wanted in (t.name, t.key)]
    if exact:
        return exact
    return [t for t in types.values() if wanted in t.name or t.name in wanted]


@dataclass(frozen=True)
class ScheduleLine:
    """A one-line scheduling command, read; `error` is a zh-TW sentence for the user."""

    meeting_type: MeetingType | None = None
    start: datetime | None = None
    place: str = ""
    agenda: str = ""
    error: str | None = None
    past: bool = False  # read fine but already past: it may be a meeting already held, to record as such


_AGENDA = re.compile(r"\s*議程\s*[:：]\s*")
LINE_HINT = "請寫成「會議 區級聯繫會議 115/12/5 14:00 本所3樓簡報室」（可加「議程：…」）"
HELD_WORD = "已召開"
# A district starting with the bot records its last meeting (the liaison tier meets every 4 months) so its
# decisions can be numbered; a year back covers every tier's cycle.
HELD_MAX_DAYS = 366


def parse_schedule_line(argument: str, now: datetime, types: dict[str, MeetingType],
                        held: bool = False) -> ScheduleLine:
    """Read `區級聯繫會議 115/12/5 14:00 本所3樓簡報室 議程：…` into a tier, start, place and agenda.

    With `held`, the line records a meeting already held (`會議 已召開 …`): its start must be past.
    """
    today = to_taipei(now).date()
    before, phrase = find_datetime_phrase(argument, today)
    names = "、".join(t.name for t in types.values())
    if not before:
        return ScheduleLine(error=f"請先寫會議類型（{names}）。{LINE_HINT}")
    found = find_types(types, before)
    if len(found) != 1:
        which = "、".join(t.name for t in found) if found else names
        return ScheduleLine(error=f"「{before}」是哪一種會議？請寫：{which}。")
    if not phrase.ok:
        return ScheduleLine(error=f"{phrase.error}。{LINE_HINT}")
    start = phrase.start_at()
    if start is None:
        return ScheduleLine(error=f"請寫開始時間，例如 14:00。{LINE_HINT}")
    if held and start > now:
        return ScheduleLine(error=f"這個時間還沒到。登錄已召開的會議請寫過去的日期；排定新會議請去掉「{HELD_WORD}」。")
    if held and start < now - timedelta(days=HELD_MAX_DAYS):
        return ScheduleLine(error="只能登錄一年內已召開的會議，請確認日期（民國年請寫三位數，例如 115/11/20）。")
    place, agenda = _split_agenda(phrase.rest)
    if not place:
        return ScheduleLine(error=f"請寫開會地點。{LINE_HINT}")
    if not held and start <= now:
        return ScheduleLine(found[0], start, place, agenda, past=True,
                            error="這個時間已經過了，請確認日期（民國年請寫三位數，例如 115/12/5）。")
    return ScheduleLine(found[0], start, place, agenda)


def _split_agenda(rest: str) -> tuple[str, str]:
    parts = _AGENDA.split(rest, maxsplit=1)
    return parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")


def parse_picker(value: str) -> datetime | None:
    """Read the datetime picker's `2026-12-05T14:00` as Taipei time."""
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M").replace(tzinfo=TAIPEI)
    except (TypeError, ValueError):
        return None


def picker_value(moment: datetime) -> str:
    """Format a moment for the datetime picker's initial/min fields."""
    return to_taipei(moment).strftime("%Y-%m-%dT%H:%M")


def canonical_number(text: str) -> str | None:
    """Read a case number as typed (full-width digits, spaces, 1151215-01) into 1151215-1; None if not one."""
    parsed = parse_case_number(normalize(text))
    return case_number(*parsed) if parsed else None


def split_owners(text: str) -> list[str]:
    """Split `分局、家服中心/衛生所` into unit words."""
    return [w for w in re.split(r"[、,，/／;；]+", normalize(text)) if w.strip()]
