"""Calendar rules that touch the database: activities, overlaps, announcements, calls and feed secrets."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import links, reminders
from bot.config import Config
from bot.roster import contact_of, groups_of_district, may_manage_district
from models.calendar import Activity, ActivityCall, ActivityStatus, CalendarFeed, CallAnswer, CallStatus
from models.reminders import Reminder, ReminderState
from models.roster import District, Unit
from rules import calendar as periods
from rules.dates import TAIPEI, to_taipei
from rules.workdays import QuietHours, calendar_from_setting, defer_for_people

FEED_PURPOSE = "calendar-feed"
ANNOUNCE = "calendar_announce"
CALL_REMINDER = "calendar_call_reminder"
CALL_REPORT = "calendar_call_report"
DIGEST = "calendar_digest"
MAX_TITLE = 60
MAX_PLACE = 60
MAX_NOTE = 300


@dataclass
class Draft:
    """An activity being written: the fields a contact gives, before it is saved."""

    title: str = ""
    place: str = ""
    day: date | None = None
    start: time | None = None
    end: time | None = None
    joinable: bool = False
    note: str | None = None

    def starts_at(self) -> datetime:
        """The start as an aware Taipei datetime."""
        assert self.day is not None and self.start is not None
        return datetime.combine(self.day, self.start, TAIPEI)

    def ends_at(self) -> datetime | None:
        """The end as an aware Taipei datetime, when known."""
        return datetime.combine(self.day, self.end, TAIPEI) if self.day and self.end else None

    @classmethod
    def of(cls, activity: Activity) -> "Draft":
        """The draft an activity would be written as (for edits)."""
        start = to_taipei(activity.starts_at)
        end = to_taipei(activity.ends_at).time() if activity.ends_at else None
        return cls(activity.title, activity.place, start.date(), start.time(), end, activity.joinable, activity.note)


@dataclass
class Completeness:
    """Who answered a call: units with activities in the period, units that said none, units missing."""

    expected: list[Unit]
    with_activities: dict[int, int] = field(default_factory=dict)  # unit id -> activities in the period
    said_none: set[int] = field(default_factory=set)

    @property
    def answered(self) -> list[Unit]:
        """Units that added an activity in the period or said they have none."""
        return [u for u in self.expected if u.id in self.with_activities or u.id in self.said_none]

    @property
    def missing(self) -> list[Unit]:
        """Units still to answer (the ones reminded)."""
        return [u for u in self.expected if u.id not in self.with_activities and u.id not in self.said_none]


# ---------------------------------------------------------------------------- checks

def length_problem(label: str, text: str, limit: int) -> str | None:
    """Explain an empty or too long field, or None."""
    if not text.strip():
        return f"請寫{label}。"
    return f"{label}請在 {limit} 字以內（目前 {len(text)} 字）。" if len(text) > limit else None


# ---------------------------------------------------------------------------- activities

def add(session: Session, unit: Unit, user_id: str, draft: Draft, now: datetime) -> Activity:
    """Save a new activity of the unit."""
    activity = Activity(district_id=unit.district_id, unit_id=unit.id, title=draft.title, place=draft.place,
                        note=draft.note or None, starts_at=draft.starts_at(), ends_at=draft.ends_at(),
                        joinable=draft.joinable, created_by=user_id, updated_by=user_id,
                        created_at=now, updated_at=now, sequence=0)
    activity.unit = unit
    session.add(activity)
    session.flush()
    return activity


def apply(activity: Activity, draft: Draft, user_id: str, now: datetime) -> bool:
    """Write a draft over an activity; bump SEQUENCE only when something changed (calendar clients need it)."""
    new = dict(title=draft.title, place=draft.place, note=draft.note or None, starts_at=draft.starts_at(),
               ends_at=draft.ends_at(), joinable=draft.joinable)
    changed = {k: v for k, v in new.items() if getattr(activity, k) != v}
    if not changed:
        return False
    for key, value in changed.items():
        setattr(activity, key, value)
    activity.sequence += 1
    activity.updated_by, activity.updated_at = user_id, now
    return True


def cancel(session: Session, activity: Activity, user_id: str, now: datetime) -> None:
    """Mark an activity cancelled (kept for feeds) and drop its pending announcement."""
    activity.status = ActivityStatus.CANCELLED
    activity.sequence += 1
    activity.updated_by, activity.updated_at = user_id, now
    reminders.cancel(session, f"calendar:announce:{activity.id}:")


def get(session: Session, activity_id: int) -> Activity | None:
    """Load one activity by id."""
    return session.get(Activity, activity_id)


def unit_activities(session: Session, unit_id: int, since: datetime, limit: int = 12) -> list[Activity]:
    """The unit's active activities from `since` on, soonest first."""
    return list(session.scalars(select(Activity).where(
        Activity.unit_id == unit_id, Activity.status == ActivityStatus.ACTIVE, Activity.starts_at >= since)
        .order_by(Activity.starts_at, Activity.id).limit(limit)))


def window(session: Session, district_id: int, first: date, last: date,
           include_cancelled: bool = False) -> list[Activity]:
    """The district's activities starting on days first..last (Taipei), in time order."""
    query = select(Activity).where(
        Activity.district_id == district_id,
        Activity.starts_at >= datetime.combine(first, time(0), TAIPEI),
        Activity.starts_at < datetime.combine(last + timedelta(days=1), time(0), TAIPEI))
    if not include_cancelled:
        query = query.where(Activity.status == ActivityStatus.ACTIVE)
    return list(session.scalars(query.order_by(Activity.starts_at, Activity.id)))


def clashes(session: Session, activity: Activity) -> list[Activity]:
    """Other active activities of the district at the same place whose times overlap (a warning, not a refusal)."""
    day = to_taipei(activity.starts_at).date()
    span = (activity.starts_at, activity.ends_at)
    return [other for other in window(session, activity.district_id, day - timedelta(days=1), day + timedelta(days=1))
            if other.id != activity.id and periods.same_place(other.place, activity.place)
            and periods.overlaps(span, (other.starts_at, other.ends_at))]


# ---------------------------------------------------------------------------- announcements

def _announce_key(activity_id: int, group_line_id: str) -> str:
    return f"calendar:announce:{activity_id}:{group_line_id}"


def schedule_announcement(session: Session, activity: Activity, config: Config, now: datetime,
                          seen_in: str | None = None, backfill: bool = False) -> int:
    """Arm the "joinable activity in N days" notice to the district's groups; never re-arm a sent one.

    `backfill` (the scheduler's sweep) only adds rows that are missing and still ahead, e.g. for a
    group bound after the activity was added; it never moves or revives a row.
    """
    if not activity.joinable or not activity.is_active or config.calendar_announce_days <= 0:
        reminders.cancel(session, f"calendar:announce:{activity.id}:")
        return 0
    workdays = calendar_from_setting(config.workday_calendar)
    moment = periods.announce_moment(to_taipei(activity.starts_at).date(), config.calendar_announce_days, workdays)
    armed = 0
    for group in groups_of_district(session, activity.district_id):
        key = _announce_key(activity.id, group.line_group_id)
        existing = session.scalars(select(Reminder).where(Reminder.key == key)).first()
        if existing is not None and (backfill or existing.state == ReminderState.SENT):
            continue  # announced once already: an edit is not a second announcement
        if backfill and moment <= now:
            continue
        if moment <= now and group.line_group_id == seen_in:
            continue  # added in that group inside the window: the group has just seen it
        due = defer_for_people(max(moment, now), quiet=QuietHours.parse(config.quiet_hours), calendar=workdays,
                               not_after=activity.starts_at)
        reminders.schedule(session, key=key, kind=ANNOUNCE, subject_id=activity.id, to=group.line_group_id,
                           due_at=due, not_after=activity.starts_at)
        armed += 1
    return armed


# ---------------------------------------------------------------------------- calls for activities

def current_call(session: Session, district_id: int) -> ActivityCall | None:
    """The district's open call for activities, if any."""
    return session.scalars(select(ActivityCall).where(
        ActivityCall.district_id == district_id, ActivityCall.status == CallStatus.OPEN)
        .order_by(ActivityCall.id.desc())).first()


def open_call(session: Session, district: District, group_line_id: str, terms: periods.CallTerms,
              user_id: str, now: datetime, config: Config) -> tuple[ActivityCall, ActivityCall | None]:
    """Open a call (replacing an open one of the district) and arm its reminders and report."""
    previous = current_call(session, district.id)
    if previous is not None:
        previous.status, previous.closed_at = CallStatus.REPLACED, now
        reminders.cancel(session, f"calendar:call:{previous.id}:")
    assert terms.period.start and terms.period.end and terms.deadline
    call = ActivityCall(district_id=district.id, group_line_id=group_line_id, period_start=terms.period.start,
                        period_end=terms.period.end, deadline=terms.deadline, opened_by=user_id, opened_at=now)
    session.add(call)
    session.flush()
    workdays = calendar_from_setting(config.workday_calendar)
    last_moment = periods.deadline_end(call.deadline)
    for moment in periods.call_reminder_moments(call.deadline, workdays):
        if moment > now:
            reminders.schedule(session, key=f"calendar:call:{call.id}:remind:{moment.date().isoformat()}",
                               kind=CALL_REMINDER, subject_id=call.id, to=group_line_id, due_at=moment,
                               not_after=last_moment)
    reminders.schedule(session, key=f"calendar:call:{call.id}:report", kind=CALL_REPORT, subject_id=call.id,
                       to=group_line_id, due_at=periods.call_report_moment(call.deadline, workdays))
    return call, previous


def completeness(session: Session, call: ActivityCall) -> Completeness:
    """Which units answered the call; secretariat units run the call and are not expected to answer."""
    expected = [u for u in call.district.units if not u.is_secretariat]
    counts = session.execute(select(Activity.unit_id, func.count(Activity.id)).where(
        Activity.district_id == call.district_id, Activity.status == ActivityStatus.ACTIVE,
        Activity.starts_at >= datetime.combine(call.period_start, time(0), TAIPEI),
        Activity.starts_at < datetime.combine(call.period_end + timedelta(days=1), time(0), TAIPEI))
        .group_by(Activity.unit_id)).all()
    said_none = set(session.scalars(select(CallAnswer.unit_id).where(CallAnswer.call_id == call.id)))
    return Completeness(expected, {unit_id: count for unit_id, count in counts}, said_none)


def answer_none(session: Session, call: ActivityCall, unit: Unit, user_id: str, now: datetime) -> bool:
    """Record "本期無活動" for the unit; False when it was recorded before."""
    exists = session.scalar(select(CallAnswer.id).where(CallAnswer.call_id == call.id,
                                                        CallAnswer.unit_id == unit.id))
    if exists:
        return False
    session.add(CallAnswer(call_id=call.id, unit_id=unit.id, answered_by=user_id, answered_at=now))
    session.flush()
    return True


def activities_in_call(session: Session, call: ActivityCall, unit_id: int) -> int:
    """How many activities the unit has in the call's period."""
    return completeness(session, call).with_activities.get(unit_id, 0)


# ---------------------------------------------------------------------------- feed secrets

def _feed(session: Session, district_id: int, now: datetime) -> CalendarFeed:
    feed = session.scalars(select(CalendarFeed).where(CalendarFeed.district_id == district_id)).first()
    if feed is None:
        feed = CalendarFeed(district_id=district_id, generation=1, rotated_at=now)
        session.add(feed)
        session.flush()
    return feed


def feed_token(session: Session, config: Config, district: District, now: datetime, person: str = "") -> str:
    """The secret path part shared by the ICS feed, month view and spreadsheet, for one person.

    The link works while `person` may still see the district (taken off the roster: it stops) and
    until the district's links are reset (活動連結 重設). An operator's link (`person` empty, from
    the CLI) only ends with a reset.
    """
    feed = _feed(session, district.id, now)
    return links.sign(config, FEED_PURPOSE, [district.id, feed.generation, person])


def rotate_feed(session: Session, district: District, now: datetime) -> None:
    """Revoke every link given out so far (e.g. after a link was posted somewhere public)."""
    feed = _feed(session, district.id, now)
    feed.generation += 1
    feed.rotated_at = now


def district_of_token(session: Session, config: Config, token: str) -> District | None:
    """The district a feed token opens, or None for a forged, foreign or revoked one."""
    return open_feed(session, config, token)[0]


def open_feed(session: Session, config: Config, token: str) -> tuple[District | None, str]:
    """The district a feed token opens and whose link it is; None when forged, revoked or its person left.

    The person's rights are checked now, not when the link was made (district-wide links of old
    are not accepted: each person asks for their own with 活動連結).
    """
    try:
        district_id, generation, person = links.verify(config, FEED_PURPOSE, token, max_age_seconds=None)
    except (links.LinkError, ValueError, TypeError):
        return None, ""
    feed = session.scalars(select(CalendarFeed).where(CalendarFeed.district_id == district_id)).first()
    if feed is None or feed.generation != generation:
        return None, ""
    district = session.get(District, district_id)
    if district is None or (person and not may_view(session, config, str(person), district)):
        return None, ""
    return district, str(person)


def may_view(session: Session, config: Config, person: str, district: District) -> bool:
    """Whether this person may still see the district's schedule: its active contacts and its managers."""
    if person in config.admin_line_user_ids:
        return True
    contact = contact_of(session, person)
    if contact is None or not contact.is_active:
        return False
    return contact.unit.district_id == district.id or may_manage_district(contact, district, False)


def feed_urls(config: Config, token: str) -> dict[str, str]:
    """Absolute URLs of the feed, the month view and the spreadsheet."""
    return {"ics": links.url(config, f"/calendar/{token}.ics"),
            "month": links.url(config, f"/calendar/{token}/month"),
            "xlsx": links.url(config, f"/calendar/{token}/schedule.xlsx")}
