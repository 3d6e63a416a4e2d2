"""Reminder renderers (one per kind) and the job that keeps monthly progress requests scheduled.

Renderers run inside the scheduler's claim transaction and build fresh text at send time, so a
reminder shows the current place, answers and progress. Returning None marks the row skipped.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot import roster
from bot.digest import HELD
from bot.messages import Outbound, push, text
from bot.reminders import late_note, pending
from bot.services import Services
from handlers.meetings import render, service, tracked
from models.meetings import Meeting
from models.reminders import Reminder
from models.roster import Unit
from rules.dates import roc_year, to_taipei
from rules.economy import DigestFit
from rules.meetings.plan import Kind, relative_phrase

CASE_CONFERENCE = "case_conference"  # key in data/meeting_types/*.yaml


def _live_meeting(session: Session, row: Reminder) -> Meeting | None:
    meeting = service.get(session, row.subject_id)
    return None if meeting is None or meeting.is_cancelled else meeting


def render_lead(session: Session, row: Reminder, now: datetime) -> list[Outbound] | None:
    """Before a meeting: details, tracked items to review, the attendance card; the last one adds the board."""
    meeting = _live_meeting(session, row)
    if meeting is None:
        return None
    others = [r for r in pending(session, service.meeting_key(meeting.id) + "lead:") if r.id != row.id]
    if row.late and any(row.due_at < r.due_at <= now for r in others):
        return None  # after downtime, only the latest overdue lead is worth sending
    is_last = not any(r.due_at > row.due_at for r in others)
    items = [item for item in tracked.review_items(session, meeting) if item.is_open]
    board = render.board_text(meeting, service.board(session, meeting)) if is_last else None
    body = render.lead_text(meeting, relative_phrase(meeting.starts_at, now), late_note(row), items, board,
                            flagged_requests(session, meeting))
    to = service.group_for(session, meeting) or row.to
    return [push(to, text(body), render.attendance_card(meeting))]


def flagged_requests(session: Session, meeting: Meeting) -> list[str]:
    """For a case conference: the urgent requests units flagged 提報個案研討 since the previous one."""
    if meeting.type_key != CASE_CONFERENCE:
        return []
    previous = service.previous_meeting(session, meeting)
    found = service.flagged_for_conference(session, meeting.district_id,
                                           previous.starts_at if previous else None, meeting.starts_at)
    return [f"{i.number}（{i.category}，{i.requester_unit.card_name}提出）" for i in found]


def render_announce(session: Session, row: Reminder, now: datetime) -> list[Outbound] | None:
    """A new meeting's notice held for the group's morning digest: its details as they are now."""
    meeting = _live_meeting(session, row)
    if meeting is None:
        return None
    return [push(service.group_for(session, meeting) or row.to, render.announcement(meeting),
                 render.attendance_card(meeting), purpose="announce")]


def render_review(session: Session, row: Reminder, now: datetime) -> list[Outbound] | None:
    """The workday before: 前次會議待辦事項辦理情形 as a card in the group, and the .xlsx offer to the organiser."""
    meeting = _live_meeting(session, row)
    if meeting is None:
        return None
    items = tracked.review_items(session, meeting)
    if not items:
        return None
    said = [push(service.group_for(session, meeting) or row.to, render.review_card(meeting, items))]
    if meeting.organiser_line_id:
        said.append(push(meeting.organiser_line_id,
                         render.export_offer(meeting, render.review_offer_text(meeting, late_note(row)))))
    return said


def render_minutes(session: Session, row: Reminder, now: datetime) -> list[Outbound] | None:
    """After a meeting, in 1:1 chat to the organiser: the minutes are due, with the .xlsx offer."""
    meeting = _live_meeting(session, row)
    if meeting is None or not meeting.minutes_label:
        return None
    to = meeting.organiser_line_id or row.to
    return [push(to, render.export_offer(meeting, render.minutes_text(meeting, late_note(row))))]


def render_cases(session: Session, row: Reminder, now: datetime) -> list[Outbound] | None:
    """A week before case submissions close, to the group."""
    meeting = _live_meeting(session, row)
    if meeting is None or not meeting.cases_label:
        return None
    return [push(service.group_for(session, meeting) or row.to, text(render.cases_text(meeting, late_note(row))))]


def render_progress(session: Session, row: Reminder, now: datetime) -> list[Outbound] | None:
    """Monthly, in 1:1 chat to each contact of each unit owning open items: the items they owe a report on."""
    items = tracked.open_items(session, row.subject_id)
    month = to_taipei(row.due_at)
    label = f"{roc_year(month.date())}年{month.month}月"
    said: list[Outbound] = []
    for unit_id in tracked.owning_unit_ids(session, row.subject_id):
        unit = session.get(Unit, unit_id)
        mine = tracked.owned_by(items, unit_id)
        if unit is None or not mine:
            continue
        message = render.progress_request(unit, mine, label, late_note(row))
        said += [push(contact.line_user_id, message) for contact in roster.contacts_of_units(session, [unit_id])]
    return said or None


# How much earlier than its own time a group notice may ride a morning digest that goes anyway: a week
# ahead may be ten days ahead, a day ahead two days; the review card is for the workday before.
EARLY_LEAD_WEEK = timedelta(days=3)
EARLY_LEAD_DAY = timedelta(days=1)
EARLY_CASES = timedelta(days=3)


def may_join_digest(row: Reminder) -> DigestFit | None:
    """Reminders a day or more ahead may go in the morning digest, some days early; the hours-ahead one keeps its hour."""
    if row.kind == Kind.LEAD:  # meeting:<id>:lead:7d / 1d; 2h stays at its hour
        if not row.key.endswith("d"):
            return DigestFit(keeps_time=True)  # hours ahead: at its hour, and the day's digest goes with it
        days = int(row.key.rsplit(":", 1)[-1][:-1] or 0)
        return DigestFit(early=EARLY_LEAD_WEEK if days >= 7 else EARLY_LEAD_DAY if days >= 2 else timedelta(0))
    if row.kind == Kind.CASES:
        return DigestFit(early=EARLY_CASES)
    if row.kind == Kind.ANNOUNCE:
        return HELD
    return DigestFit() if row.kind == Kind.REVIEW else None


RENDERERS = {
    Kind.LEAD: render_lead,
    Kind.REVIEW: render_review,
    Kind.MINUTES: render_minutes,
    Kind.CASES: render_cases,
    Kind.PROGRESS: render_progress,
    Kind.ANNOUNCE: render_announce,
}


def keep_progress_scheduled(services: Services, now: datetime) -> int:
    """Job: every district with open items has next month's progress request scheduled (idempotent)."""
    rules = service.policy(services.config)
    added = 0
    with services.db.transaction() as session:
        for district_id in tracked.districts_with_open_items(session):
            added += tracked.ensure_progress(session, district_id, now, rules)
    return added
