"""Meeting rules that touch the database: schedule, move, cancel, reminders as rows, attendance, cycles."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import digest, reminders, roster
from bot.config import Config
from models.incidents import Incident
from models.meetings import Answer, Attendance, Meeting, MeetingStatus
from models.reminders import ReminderState
from models.roster import Contact, ContactStatus, District, Role, Unit
from rules.dates import to_taipei
from rules.meetings.cycles import (
    DeadlineKind,
    MeetingType,
    current_period,
    derived_deadlines,
    load_meeting_types,
    missing_cycle,
)
from rules.meetings.plan import Kind, Policy, meeting_plan, policy_from_settings

# A meeting stays in the list (and open to attendance answers) until a few hours after it began.
STILL_CURRENT = timedelta(hours=4)
# Reminders that go 1:1 to the organiser; the others go to the meeting's group.
_PRIVATE_KINDS = frozenset({Kind.MINUTES})


@lru_cache(maxsize=8)
def _types_from(path: Path) -> dict[str, MeetingType]:
    with open(path, encoding="utf-8") as handle:
        return load_meeting_types(yaml.safe_load(handle))


def meeting_types(config: Config) -> dict[str, MeetingType]:
    """The city's meeting tiers from MEETING_TYPES_FILE (read once per process: it is configuration)."""
    return _types_from(Path(config.meeting_types_file))


def policy(config: Config) -> Policy:
    """The reminder policy of this configuration."""
    return policy_from_settings(config.meeting_reminder_leads, config.quiet_hours, config.workday_calendar)


def meeting_key(meeting_id: int) -> str:
    """The prefix of every reminder of one meeting (the trailing colon keeps 1 apart from 12)."""
    return f"meeting:{meeting_id}:"


# ---------------------------------------------------------------------------
# Scheduling, moving, cancelling
# ---------------------------------------------------------------------------

def create(session: Session, *, district: District, meeting_type: MeetingType, start: datetime, place: str,
           agenda: str, organiser: str | None, group_line_id: str | None, now: datetime,
           rules: Policy) -> Meeting:
    """Record a meeting, derive its deadlines and schedule its reminders."""
    meeting = Meeting(district_id=district.id, district=district, type_key=meeting_type.key,
                      type_name=meeting_type.name, starts_at=start, place=place, agenda=agenda or None,
                      status=MeetingStatus.SCHEDULED,
                      group_line_id=group_line_id or district_group(session, district.id),
                      organiser_line_id=organiser or default_organiser(session, district.id),
                      created_at=now, updated_at=now)
    session.add(meeting)
    _derive(meeting, meeting_type, rules)
    session.flush()
    reschedule(session, meeting, now, rules)
    return meeting


def record_held(session: Session, *, district: District, meeting_type: MeetingType, start: datetime, place: str,
                agenda: str, organiser: str | None, now: datetime, rules: Policy) -> tuple[Meeting, bool]:
    """Record a meeting already held (已召開): no reminders, its decisions can be numbered after it.

    Returns the meeting and whether it is new: the same tier at the same moment is the same meeting, so a
    second tap of the confirmation records nothing twice.
    """
    same = session.scalars(select(Meeting).where(
        Meeting.district_id == district.id, Meeting.type_key == meeting_type.key, Meeting.starts_at == start,
        Meeting.status == MeetingStatus.SCHEDULED)).first()
    if same is not None:
        return same, False
    meeting = Meeting(district_id=district.id, district=district, type_key=meeting_type.key,
                      type_name=meeting_type.name, starts_at=start, place=place, agenda=agenda or None,
                      status=MeetingStatus.SCHEDULED, group_line_id=district_group(session, district.id),
                      organiser_line_id=organiser or default_organiser(session, district.id),
                      created_at=now, updated_at=now)
    session.add(meeting)
    _derive(meeting, meeting_type, rules)
    session.flush()
    return meeting, True


def _derive(meeting: Meeting, meeting_type: MeetingType, rules: Policy) -> None:
    """Copy the tier's derived deadlines (minutes, case submissions) onto the meeting."""
    meeting.minutes_due_at = meeting.minutes_label = meeting.cases_due_at = meeting.cases_label = None
    for deadline in derived_deadlines(meeting_type, meeting.starts_at, rules.calendar):
        if deadline.kind == DeadlineKind.MINUTES:
            meeting.minutes_due_at, meeting.minutes_label = deadline.due, deadline.label
        elif deadline.kind == DeadlineKind.CASE_SUBMISSION:
            meeting.cases_due_at, meeting.cases_label = deadline.due, deadline.label


ANNOUNCE_AHEAD = timedelta(days=7)  # a new meeting's notice waits for a digest only if it is this far ahead


def hold_announcement(session: Session, meeting: Meeting, config: Config, now: datetime) -> datetime | None:
    """Hold a new meeting's group notice for the group's morning digests; when it goes at the latest, or None."""
    group = roster.group_of(session, meeting.group_line_id) if meeting.group_line_id else None
    if group is None or group.left_at is not None:
        return None
    moment = digest.hold_until(group, config, now)
    if moment is None or meeting.starts_at - moment < ANNOUNCE_AHEAD:
        return None
    reminders.schedule(session, key=f"meeting-notice:{meeting.id}", kind=Kind.ANNOUNCE, subject_id=meeting.id,
                       to=group.line_group_id, due_at=moment, not_after=meeting.starts_at)
    return moment


def reschedule(session: Session, meeting: Meeting, now: datetime, rules: Policy) -> int:
    """Make the meeting's reminder rows match its plan: move those that moved, cancel those no longer due."""
    prefix = meeting_key(meeting.id)
    planned = meeting_plan(meeting.starts_at, now, rules, meeting.minutes_due_at, meeting.cases_due_at)
    keys = {prefix + p.key for p in planned}
    for row in reminders.pending(session, prefix):
        if row.key not in keys:
            row.state = ReminderState.CANCELLED
    for item in planned:
        to = meeting.organiser_line_id if item.kind in _PRIVATE_KINDS else meeting.group_line_id
        to = to or meeting.group_line_id or meeting.organiser_line_id
        if to is None:
            continue  # nobody to tell (no bound group, no secretariat contact): listed by `會議` only
        reminders.schedule(session, key=prefix + item.key, kind=item.kind, subject_id=meeting.id, to=to,
                           due_at=item.due_at, not_after=item.not_after)
    session.flush()
    return len(planned)


def move(session: Session, meeting: Meeting, start: datetime, place: str | None, meeting_type: MeetingType,
         now: datetime, rules: Policy) -> datetime:
    """Move a meeting (and its deadlines and reminders); returns the old start."""
    old = meeting.starts_at
    meeting.starts_at = start
    if place:
        meeting.place = place
    meeting.updated_at = now
    meeting.group_line_id = group_for(session, meeting)  # the group may have been bound since
    _derive(meeting, meeting_type, rules)
    session.flush()
    reschedule(session, meeting, now, rules)
    return old


def moved_key(meeting: Meeting) -> str:
    """The outbox dedupe key of a move notice: one per new time and place (the place only as a digest)."""
    place = hashlib.sha256(meeting.place.encode()).hexdigest()[:12]
    return f"meeting:{meeting.id}:moved:{to_taipei(meeting.starts_at):%Y%m%d%H%M}:{place}"


def cancel(session: Session, meeting: Meeting, now: datetime) -> int:
    """Cancel a meeting and every reminder it still had pending."""
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at = meeting.updated_at = now
    meeting.group_line_id = group_for(session, meeting)
    return reminders.cancel(session, meeting_key(meeting.id))


# ---------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------

def get(session: Session, meeting_id: int) -> Meeting | None:
    """Return a meeting by id."""
    return session.get(Meeting, meeting_id)


def upcoming(session: Session, district_id: int, now: datetime) -> list[Meeting]:
    """Scheduled meetings of a district that have not long begun, soonest first."""
    return list(session.scalars(select(Meeting).where(
        Meeting.district_id == district_id, Meeting.status == MeetingStatus.SCHEDULED,
        Meeting.starts_at >= now - STILL_CURRENT).order_by(Meeting.starts_at, Meeting.id)))


def minutes_pending(session: Session, district_id: int, now: datetime) -> list[Meeting]:
    """Meetings already held whose minutes are still due (their deadline is listed by `會議`)."""
    return list(session.scalars(select(Meeting).where(
        Meeting.district_id == district_id, Meeting.status == MeetingStatus.SCHEDULED,
        Meeting.starts_at < now - STILL_CURRENT, Meeting.minutes_due_at >= now).order_by(Meeting.minutes_due_at)))


def note_minutes_sent(meeting: Meeting, now: datetime) -> bool:
    """Record that the minutes went to 社會局 (once: a second note keeps the first day); False if not yet held."""
    if meeting.is_cancelled or meeting.starts_at > now:
        return False
    meeting.minutes_sent_at = meeting.minutes_sent_at or now
    return True


def not_cancelled(session: Session, district_ids: list[int], since: datetime) -> list[Meeting]:
    """Meetings of these districts from `since` that were not cancelled (held, or scheduled ahead)."""
    return list(session.scalars(select(Meeting).where(
        Meeting.district_id.in_(district_ids), Meeting.status == MeetingStatus.SCHEDULED,
        Meeting.starts_at >= since).order_by(Meeting.starts_at)))


def latest_held(session: Session, district_id: int, now: datetime) -> Meeting | None:
    """The most recent meeting of a district that has begun (tracked items are numbered after it)."""
    return session.scalars(select(Meeting).where(
        Meeting.district_id == district_id, Meeting.status == MeetingStatus.SCHEDULED,
        Meeting.starts_at <= now).order_by(Meeting.starts_at.desc(), Meeting.id.desc())).first()


def previous_meeting(session: Session, meeting: Meeting) -> Meeting | None:
    """The district's previous meeting of the same tier (each tier follows up its own decisions)."""
    return session.scalars(select(Meeting).where(
        Meeting.district_id == meeting.district_id, Meeting.type_key == meeting.type_key,
        Meeting.status == MeetingStatus.SCHEDULED, Meeting.starts_at < meeting.starts_at)
        .order_by(Meeting.starts_at.desc())).first()


def district_group(session: Session, district_id: int) -> str | None:
    """The district's first bound group, if any."""
    groups = roster.groups_of_district(session, district_id)
    return groups[0].line_group_id if groups else None


def group_for(session: Session, meeting: Meeting) -> str | None:
    """Where a meeting's group notices go now: its group if still bound, else the district's group."""
    groups = roster.groups_of_district(session, meeting.district_id)
    if any(g.line_group_id == meeting.group_line_id for g in groups):
        return meeting.group_line_id
    return groups[0].line_group_id if groups else None


def default_organiser(session: Session, district_id: int) -> str | None:
    """The district's first active secretariat member (for meetings scheduled from the command line)."""
    return session.scalars(select(Contact.line_user_id).join(Unit).where(
        Unit.district_id == district_id, Contact.status == ContactStatus.ACTIVE,
        Contact.role == Role.SECRETARIAT).order_by(Contact.id)).first()


@dataclass(frozen=True)
class Proposal:
    """A tier whose current cycle has no meeting yet, and the date the bot suggests."""

    meeting_type: MeetingType
    period: tuple[date, date]
    proposed: date


def proposals(session: Session, district_id: int, types: dict[str, MeetingType], now: datetime,
              rules: Policy) -> list[Proposal]:
    """Tiers with mandated due months (the plan says "by end of April..."), lacking a meeting this cycle.

    Tiers without due months (city liaison, project group) are run by 社會局 for the whole city, so
    proposing them in a district's group would be noise.
    """
    today = to_taipei(now).date()
    found = []
    for meeting_type in types.values():
        if not meeting_type.due_months:
            continue
        days = [to_taipei(m.starts_at).date() for m in session.scalars(select(Meeting).where(
            Meeting.district_id == district_id, Meeting.type_key == meeting_type.key,
            Meeting.status == MeetingStatus.SCHEDULED))]
        proposed = missing_cycle(meeting_type, today, days, rules.calendar)
        if proposed is not None:
            found.append(Proposal(meeting_type, current_period(meeting_type, today), proposed))
    return found


# ---------------------------------------------------------------------------
# Attendance
# ---------------------------------------------------------------------------

def answer(session: Session, meeting: Meeting, unit: Unit, reply: Answer, by: str, now: datetime) -> Attendance:
    """Record a unit's answer; a later tap from the same unit replaces the earlier one."""
    query = select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.unit_id == unit.id)
    row = session.scalars(query.with_for_update()).first()
    if row is None:
        try:
            with session.begin_nested():
                row = Attendance(meeting_id=meeting.id, unit_id=unit.id, unit=unit, answer=reply, answered_by=by,
                                 answered_at=now)
                session.add(row)
            return row
        except IntegrityError:  # two contacts of one unit tapped at the same moment: the later one wins
            row = session.scalars(query.with_for_update()).one()
    row.answer, row.answered_by, row.answered_at = reply, by, now
    session.flush()
    return row


def board(session: Session, meeting: Meeting) -> list[tuple[Unit, Answer | None]]:
    """Every unit of the district with its answer (None = not yet answered), in roster order."""
    answers = {a.unit_id: a.answer for a in session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting.id))}
    units = session.scalars(select(Unit).where(Unit.district_id == meeting.district_id)
                            .order_by(Unit.position, Unit.id))
    return [(unit, Answer(answers[unit.id]) if unit.id in answers else None) for unit in units]


def flagged_for_conference(session: Session, district_id: int, since: datetime | None,
                           until: datetime) -> list[Incident]:
    """Closed requests flagged 提報個案研討 since the previous case conference, for the next one's list.

    Reads the incidents table directly: capabilities share models, never each other's handlers.
    """
    query = select(Incident).where(Incident.district_id == district_id, Incident.for_case_conference.is_(True),
                                   Incident.closed_at <= until).order_by(Incident.closed_at)
    if since is not None:
        query = query.where(Incident.closed_at > since)
    return list(session.scalars(query))
