"""Scheduling and dispatching reminders exactly once.

A capability schedules rows (`schedule`) and declares a renderer per kind; the scheduler's
job claims due rows with `FOR UPDATE SKIP LOCKED`, asks the renderer what to say *now* (so a
board of answers is current), writes it to the outbox and marks the row sent, all in one
transaction. Two schedulers therefore never take the same row, and a crash before commit
leaves the row due for the next tick. The outbox then delivers with a retry key.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from bot import outbox, privacy_outbound
from bot.db import changed_rows, write
from bot.messages import Outbound, owner_of
from bot.reserve import degrade
from models.outbox import OutboxMessage, OutboxStatus
from models.reminders import Reminder, ReminderState
from rules.privacy import PublicDirectory

log = logging.getLogger(__name__)

# A reminder sent this much after its moment is marked late in its text.
LATE_AFTER = timedelta(minutes=5)

Renderer = Callable[[Session, Reminder, datetime], list[Outbound] | None]


def schedule(session: Session, *, key: str, kind: str, subject_id: int, to: str, due_at: datetime,
             not_after: datetime | None = None) -> Reminder:
    """Create or move the reminder with this key (moving a sent one re-arms it only if it moved later)."""
    row = session.scalars(select(Reminder).where(Reminder.key == key)).first()
    if row is None:
        row = Reminder(key=key, kind=kind, subject_id=subject_id, to=to, due_at=due_at, not_after=not_after)
        session.add(row)
    elif row.state != ReminderState.SENT or due_at > (row.sent_at or row.due_at):
        row.due_at, row.not_after, row.to = due_at, not_after, to
        row.state = ReminderState.SCHEDULED
        row.late = False
    session.flush()
    return row


def add(session: Session, kind: str, subject_id: int, to: str, due: Mapping[str, datetime]) -> None:
    """Create reminders whose keys are new by construction (they name a row created in this transaction).

    One INSERT for all of them, sent at once and without RETURNING: a 求助 schedules two and needs neither
    row back (through the session's flush each came back with its id; about 0.2 ms of CPU per 求助 measured).
    """
    write(session, insert(Reminder), [{"key": key, "kind": kind, "subject_id": subject_id, "to": to, "due_at": at}
                                    for key, at in due.items()])


def cancel(session: Session, key_prefix: str) -> int:
    """Cancel every pending reminder whose key starts with the prefix (e.g. `meeting:12:`)."""
    return changed_rows(
        session,
        update(Reminder)
        .where(Reminder.key.startswith(key_prefix, autoescape=True), Reminder.state == ReminderState.SCHEDULED)
        .values(state=ReminderState.CANCELLED)
    )


def pending(session: Session, key_prefix: str) -> list[Reminder]:
    return list(session.scalars(select(Reminder).where(
        Reminder.key.startswith(key_prefix, autoescape=True), Reminder.state == ReminderState.SCHEDULED)
        .order_by(Reminder.due_at)))


Send = Callable[[list[OutboxMessage]], None]
BATCH = 100  # reminders rendered per transaction
FIRST_BATCH = 10


def dispatch_due(db, renderers: Mapping[str, Renderer], now: datetime, limit: int = 500,
                 public: PublicDirectory | None = None, send: Send | None = None,
                 clock: Callable[[], datetime] | None = None, reserve: str = "",
                 bundle_window: timedelta = timedelta(0)) -> int:
    """Turn due reminders into outbox messages, a batch per transaction; returns how many were handled.

    What a reminder says to a group is screened for personal data first (`public`: agency phones
    and addresses that pass); a blocked one goes to the district secretariat as a notice instead.
    With `send`, each batch's messages are claimed in its transaction and handed to `send` right after
    the commit, so a burst starts going out while the rest is still being rendered (the scheduler
    streams them). With `clock`, each batch is rendered at the time it is (its 補發 note included).
    `reserve` (QUOTA_RESERVE_URGENT): inside it, routine group notices go 1:1 to the secretariat
    (bot/reserve.py); `bundle_window`: routine group pushes wait that long for company in the outbox
    (bot/digest.py) instead of being claimed.
    """
    handled = 0
    while True:
        # Streaming, the first batch is small, so the first push leaves after ten renders, not a hundred.
        batch = min(limit, FIRST_BATCH if send is not None and not handled else BATCH)
        moment = max(now, clock()) if clock else now
        claimed: list[OutboxMessage] = []
        with db.transaction() as session:
            rows = list(session.scalars(
                select(Reminder).where(Reminder.state == ReminderState.SCHEDULED, Reminder.due_at <= now)
                .order_by(Reminder.due_at, Reminder.id).limit(batch)
                .with_for_update(skip_locked=True)))
            for row in rows:
                claimed.extend(_dispatch_guarded(session, row, renderers, moment, public, claim=send is not None,
                                                 reserve=reserve, bundle_window=bundle_window))
        if send is not None and claimed:
            send(claimed)
        handled += len(rows)
        if len(rows) < batch or handled >= limit:
            return handled


MAX_FAILURES = 3


def _dispatch_guarded(session: Session, row: Reminder, renderers: Mapping[str, Renderer], now: datetime,
                      public: PublicDirectory | None = None, claim: bool = False, reserve: str = "",
                      bundle_window: timedelta = timedelta(0)) -> list[OutboxMessage]:
    """Dispatch one row in a savepoint, so one failing renderer cannot hold back every other reminder."""
    try:
        with session.begin_nested():
            return _dispatch_one(session, row, renderers, now, public, claim, reserve, bundle_window)
    except Exception as exc:  # a renderer bug: retried on the next ticks, then given up for this row only
        row.failures += 1
        if row.failures >= MAX_FAILURES:
            row.state = ReminderState.FAILED
        log.error("reminder %s failed (%s), attempt %s", row.key, type(exc).__name__, row.failures)
        return []


def _dispatch_one(session: Session, row: Reminder, renderers: Mapping[str, Renderer], now: datetime,
                  public: PublicDirectory | None = None, claim: bool = False, reserve: str = "",
                  bundle_window: timedelta = timedelta(0)) -> list[OutboxMessage]:
    if row.not_after is not None and now > row.not_after:
        row.state = ReminderState.MISSED
        log.warning("reminder %s missed (due %s, useful until %s)", row.key, row.due_at, row.not_after)
        return []
    renderer = renderers.get(row.kind)
    if renderer is None:
        log.error("reminder %s has no renderer for kind %s", row.key, row.kind)
        row.state = ReminderState.SKIPPED
        return []
    row.late = now - row.due_at > LATE_AFTER
    said = renderer(session, row, now)
    said = privacy_outbound.screen_scheduled(session, public, said or [], row.to, now, row.kind)
    if not said:
        row.state = ReminderState.SKIPPED
        return []
    capability = owner_of(renderer)
    if reserve:  # only the reserve left: routine group notices go 1:1 to the secretariat (bot/reserve.py)
        said = [kept for message in said
                for kept in degrade(session, replace(message, to=message.to or row.to), reserve, now)]
    queued = []
    for index, message in enumerate(said):
        dedupe = f"reminder:{row.id}:{row.due_at.isoformat()}:{index}"
        labelled = replace(message, to=message.to or row.to, dedupe_key=message.dedupe_key or dedupe,
                           capability=message.capability or capability, purpose=message.purpose or row.kind)
        queued.append(outbox.enqueue(session, labelled, chat_id=None, reply_token=None, now=now, claimed=claim,
                                     bundle_window=bundle_window))
    row.state = ReminderState.SENT
    row.sent_at = now
    # A routine group push waiting for company is not claimed: the relay sends it (bot/digest.py).
    return [q for q in queued if q is not None and (not claim or q.status == OutboxStatus.SENDING)]


def late_note(row: Reminder) -> str:
    """A line to prepend when the scheduler was down and the reminder comes late."""
    return "（補發：系統暫停期間未能準時提醒）\n" if row.late else ""
