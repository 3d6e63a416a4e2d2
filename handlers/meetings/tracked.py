"""Tracked items (列管事項) in the database: numbering, progress notes, 續管/除管 and the monthly progress request.

A meeting's decisions become items numbered by the meeting's ROC date and a sequence (1151215-1,
DOMAIN.md); each later meeting reviews them ("前次會議待辦事項辦理情形") and marks each 續管 or 除管.
Items under tracking report progress monthly: one reminder row per district and month asks every
owning unit's contacts for the items they own, rendered fresh at send time.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import reminders
from handlers.meetings import service
from models.meetings import ItemStatus, Meeting, ProgressNote, TrackedItem, tracked_item_owners
from models.reminders import Reminder, ReminderState
from models.roster import Unit
from rules.dates import case_number, to_taipei
from rules.meetings.plan import Kind, Policy, canonical_number, next_month, progress_key, progress_moment


def add_item(session: Session, meeting: Meeting, owners: list[Unit], subject: str, by: str, now: datetime,
             rules: Policy) -> TrackedItem:
    """Record a decision of `meeting` as a tracked item with the next number of that meeting."""
    # Lock the meeting row so two secretariat members adding items at once take turns for the next number.
    session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    last = session.scalar(select(func.max(TrackedItem.seq)).where(TrackedItem.meeting_id == meeting.id)) or 0
    seq = last + 1
    item = TrackedItem(district_id=meeting.district_id, meeting_id=meeting.id, meeting=meeting, seq=seq,
                       number=case_number(to_taipei(meeting.starts_at).date(), seq), subject=subject,
                       status=ItemStatus.OPEN, created_by=by, created_at=now, owners=list(owners))
    session.add(item)
    session.flush()
    ensure_progress(session, meeting.district_id, now, rules)
    return item


def find(session: Session, district_id: int, text: str) -> TrackedItem | None:
    """Find a district's item by its number as typed."""
    number = canonical_number(text)
    if number is None:
        return None
    return session.scalars(select(TrackedItem).where(
        TrackedItem.district_id == district_id, TrackedItem.number == number)).first()


def open_items(session: Session, district_id: int) -> list[TrackedItem]:
    """Items of a district still under tracking, oldest first."""
    return list(session.scalars(select(TrackedItem).join(Meeting, TrackedItem.meeting_id == Meeting.id).where(
        TrackedItem.district_id == district_id, TrackedItem.status == ItemStatus.OPEN)
        .order_by(Meeting.starts_at, TrackedItem.seq)))


def owned_by(items: list[TrackedItem], unit_id: int) -> list[TrackedItem]:
    """Keep the items a unit owns."""
    return [item for item in items if any(owner.id == unit_id for owner in item.owners)]


def report(session: Session, item: TrackedItem, unit: Unit | None, author: str, body: str,
           now: datetime) -> ProgressNote:
    """Add a dated progress note (the caller has screened it for personal data)."""
    note = ProgressNote(item_id=item.id, item=item, unit_id=unit.id if unit else None, unit=unit,
                        author_line_id=author, body=body, created_at=now)
    session.add(note)
    session.flush()
    return note


def close(session: Session, item: TrackedItem, by: str, now: datetime) -> None:
    """除管: stop tracking; the month's progress request is cancelled when nothing is left open."""
    item.status = ItemStatus.CLOSED
    item.closed_at, item.closed_by = now, by
    session.flush()
    if not open_items(session, item.district_id):
        reminders.cancel(session, f"tracked:{item.district_id}:progress:")


def reopen(session: Session, item: TrackedItem, now: datetime, rules: Policy) -> None:
    """續管: keep (or put back) the item under tracking."""
    item.status = ItemStatus.OPEN
    item.closed_at = item.closed_by = None
    session.flush()
    ensure_progress(session, item.district_id, now, rules)


def review_items(session: Session, meeting: Meeting) -> list[TrackedItem]:
    """What `meeting` reviews: its tier's earlier items still open, or closed since the tier's previous meeting.

    Each tier follows up its own decisions: the district liaison meeting its 主席裁示 (seeds/000, 陸),
    the case conference its cases (109 plan 參三(七)3(5)).
    """
    previous = service.previous_meeting(session, meeting)
    since = previous.starts_at if previous is not None else None
    rows = session.scalars(select(TrackedItem).join(Meeting, TrackedItem.meeting_id == Meeting.id).where(
        TrackedItem.district_id == meeting.district_id, Meeting.type_key == meeting.type_key,
        Meeting.starts_at < meeting.starts_at).order_by(Meeting.starts_at, TrackedItem.seq))
    return [item for item in rows if item.is_open or (
        since is not None and item.closed_at is not None and item.closed_at >= since)]


def ensure_progress(session: Session, district_id: int, now: datetime, rules: Policy) -> bool:
    """Make sure next month's progress request of a district exists (idempotent by key)."""
    month = next_month(to_taipei(now).date())
    key = progress_key(district_id, month)
    row = session.scalars(select(Reminder).where(Reminder.key == key)).first()
    if row is not None and row.state != ReminderState.CANCELLED:
        return False  # pending, or already sent, skipped or missed: a month is asked at most once
    to = service.district_group(session, district_id) or service.default_organiser(session, district_id)
    if to is None:
        return False
    due, useful_until = progress_moment(month, rules)
    try:
        with session.begin_nested():
            reminders.schedule(session, key=key, kind=Kind.PROGRESS, subject_id=district_id, to=to, due_at=due,
                               not_after=useful_until)
    except IntegrityError:
        return False  # a second scheduler (or an event) inserted the same key a moment ago
    return True


def districts_with_open_items(session: Session) -> list[int]:
    """Return the districts that still have items under tracking."""
    return list(session.scalars(select(TrackedItem.district_id).where(
        TrackedItem.status == ItemStatus.OPEN).distinct()))


def owning_unit_ids(session: Session, district_id: int) -> list[int]:
    """Units owning at least one open item of the district."""
    return list(session.scalars(select(tracked_item_owners.c.unit_id).join(
        TrackedItem, TrackedItem.id == tracked_item_owners.c.item_id).where(
        TrackedItem.district_id == district_id, TrackedItem.status == ItemStatus.OPEN).distinct()))
