"""Scheduled calendar messages: reminder renderers and the weekly digest job.

Every notice is a reminder row (bot/reminders.py), keyed so that it is sent once even across restarts
or with two schedulers; renderers decide at send time, so a unit that answered in the meantime is
not reminded and a cancelled activity is not announced.

Cost: each push to a group costs one message per member (bot/outbox.push_cost). A weekly digest
to a 25-member group is about 25 x 4.3 = 108 messages a month, over half of LINE Taiwan's free
200-message plan, which is why CALENDAR_DIGEST is off by default.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import reminders
from bot.messages import Outbound, push
from bot.roster import contacts_of_units
from bot.services import Services
from handlers.calendar import render, service
from models.calendar import Activity, ActivityCall, ActivityStatus, CallStatus
from models.reminders import Reminder, ReminderState
from models.roster import Contact, Group
from rules import calendar as periods
from rules.dates import to_taipei
from rules.economy import DigestFit
from rules.workdays import QuietHours, calendar_from_setting, defer_for_people

log = logging.getLogger(__name__)
DIGEST_USEFUL_FOR = timedelta(hours=6)  # a digest later than this (scheduler down) is dropped as missed


def _group_is_live(session: Session, line_group_id: str) -> bool:
    group = session.scalars(select(Group).where(Group.line_group_id == line_group_id)).first()
    return group is not None and group.left_at is None and group.district_id is not None


def announce(session: Session, row: Reminder, now: datetime) -> list[Outbound] | None:
    """Announce a joinable activity to the group, unless it was cancelled, closed to others or has begun."""
    activity = session.get(Activity, row.subject_id)
    if activity is None or not activity.is_active or not activity.joinable or activity.starts_at <= now:
        return None
    if not _group_is_live(session, row.to):
        return None
    return [push(row.to, render.announcement(activity, reminders.late_note(row)))]


def remind_call(session: Session, row: Reminder, now: datetime) -> list[Outbound] | None:
    """Remind the units that have not answered the call, mentioning their contacts."""
    call = session.get(ActivityCall, row.subject_id)
    if call is None or call.status != CallStatus.OPEN or not _group_is_live(session, row.to):
        return None
    done = service.completeness(session, call)
    if not done.missing:
        return None
    contacts: dict[int, list[Contact]] = defaultdict(list)
    for contact in contacts_of_units(session, [u.id for u in done.missing]):
        contacts[contact.unit_id].append(contact)
    return [push(row.to, render.call_reminder(call, done, contacts, reminders.late_note(row)))]


def report_call(session: Session, row: Reminder, now: datetime) -> list[Outbound] | None:
    """Report the call's completeness to the group after its deadline and close it."""
    call = session.get(ActivityCall, row.subject_id)
    if call is None or call.status != CallStatus.OPEN:
        return None
    call.status, call.closed_at = CallStatus.CLOSED, now
    if not _group_is_live(session, row.to):
        return None
    return [push(row.to, render.call_report(call, service.completeness(session, call), reminders.late_note(row)))]


def digest(session: Session, row: Reminder, now: datetime) -> list[Outbound] | None:
    """This week's and next week's activities for the group; nothing (and no cost) when none, or none is new."""
    group = session.get(Group, row.subject_id)
    if group is None or group.left_at is not None or group.district is None:
        return None
    today = to_taipei(now).date()
    last = periods.week_of(today) + timedelta(days=13)
    activities = service.window(session, group.district.id, today, last)
    if not activities or _nothing_new(session, group, activities, today, last, now):
        return None
    return [push(group.line_group_id, render.schedule(f"{group.district.name}本週與下週活動", activities, today, last))]


def _nothing_new(session: Session, group: Group, activities: list[Activity], today: date, last: date,
                 now: datetime) -> bool:
    """The previous preview to this group already showed every one of these, and none changed since."""
    previous = session.scalars(select(Reminder).where(
        Reminder.key.startswith(f"calendar:digest:{group.line_group_id}:", autoescape=True),
        Reminder.state == ReminderState.SENT, Reminder.sent_at < now).order_by(Reminder.sent_at.desc())).first()
    if previous is None or previous.sent_at is None or group.district is None:
        return False
    shown_from = to_taipei(previous.sent_at).date()
    shown_to = periods.week_of(shown_from) + timedelta(days=13)
    if any(not shown_from <= to_taipei(a.starts_at).date() <= shown_to for a in activities):
        return False
    changed = [a for a in service.window(session, group.district.id, today, last, include_cancelled=True)
               if a.updated_at > previous.sent_at]
    return not changed


def schedule_digests(services: Services, now: datetime) -> int:
    """Arm this week's and next week's digest rows for every bound group (CALENDAR_DIGEST; off when empty)."""
    try:
        setting = periods.parse_digest(services.config.calendar_digest)
    except ValueError as exc:
        log.error("calendar digest disabled: %s", exc)
        return 0
    if setting is None:
        return 0
    weekday, at = setting
    workdays = calendar_from_setting(services.config.workday_calendar)
    quiet = QuietHours.parse(services.config.quiet_hours)
    armed = 0
    with services.db.transaction() as session:
        groups = session.scalars(select(Group).where(Group.district_id.is_not(None), Group.left_at.is_(None)))
        for group in groups:
            for moment in periods.digest_moments(weekday, at, now):
                key = f"calendar:digest:{group.line_group_id}:{moment.date().isoformat()}"
                # Holidays move the digest to the next working morning; the key keeps the planned day.
                due = defer_for_people(moment, quiet=quiet, calendar=workdays)
                if due + DIGEST_USEFUL_FOR <= now or session.scalar(select(Reminder.id).where(Reminder.key == key)):
                    continue
                reminders.schedule(session, key=key, kind=service.DIGEST, subject_id=group.id,
                                   to=group.line_group_id, due_at=due, not_after=due + DIGEST_USEFUL_FOR)
                armed += 1
    return armed


def arm_announcements(services: Services, now: datetime) -> int:
    """Add missing announcement rows for upcoming joinable activities (e.g. the group was bound later)."""
    days = services.config.calendar_announce_days
    if days <= 0:
        return 0
    horizon = now + timedelta(days=days + 14)  # a working morning is never more than two weeks earlier
    armed = 0
    with services.db.transaction() as session:
        upcoming = session.scalars(select(Activity).where(
            Activity.status == ActivityStatus.ACTIVE, Activity.joinable.is_(True),
            Activity.starts_at > now, Activity.starts_at <= horizon))
        for activity in upcoming:
            armed += service.schedule_announcement(session, activity, services.config, now, backfill=True)
    return armed


# A joinable activity announced 3 days ahead may be announced up to a week ahead, riding a digest that
# goes anyway: units have more time to team up, and the group gets one push instead of two.
EARLY_ANNOUNCE = timedelta(days=4)


def may_join_digest(row: Reminder) -> DigestFit | None:
    """Announcements and call notices are days ahead: they may go in the group's morning digest."""
    if row.kind == service.ANNOUNCE:
        return DigestFit(early=EARLY_ANNOUNCE)
    return DigestFit() if row.kind in (service.CALL_REMINDER, service.CALL_REPORT) else None


RENDERERS = {service.ANNOUNCE: announce, service.CALL_REMINDER: remind_call,
             service.CALL_REPORT: report_call, service.DIGEST: digest}
