"""Reminder renderers of forms: chase only the units that have not answered; the deadline summary.

The scheduler calls these when a reminder row is due (bot/reminders.py). They decide *then* what to
say, so a unit that answered after the reminder was scheduled is not chased, and a form everyone
answered says nothing at all (the row is marked skipped).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot import roster
from bot.digest import HELD
from bot.messages import Outbound, push
from bot.reminders import late_note
from handlers.forms import render, service
from models.forms import Form, FormStatus
from models.reminders import Reminder
from rules.economy import DigestFit, one_to_one_is_cheaper


def render_reminder(session: Session, reminder: Reminder, now: datetime) -> list[Outbound] | None:
    """Mention the contacts of the units yet to answer; nothing when all have answered."""
    form = session.get(Form, reminder.subject_id)
    if form is None or form.status != FormStatus.OPEN:
        return None
    group = roster.group_of(session, reminder.to)
    if group is None or group.left_at is not None or group.district_id != form.district_id:
        return None  # the bot left the group, or it now serves another district
    waiting = service.waiting_units(session, form)
    if not waiting:
        return None
    contacts = service.contacts_by_unit(session, [u.id for u in waiting])
    people = [c for unit in waiting for c in contacts.get(unit.id, [])]
    if not reminder.in_digest and one_to_one_is_cheaper(len(people), group.member_count):
        # 1:1 to the contacts of the units yet to answer; once per form and round, however many groups.
        round_ = reminder.key.split(":")[3] if reminder.key.count(":") >= 3 else "0"
        message = render.reminder_direct(form, now, late_note(reminder))
        return [push(c.line_user_id, message, dedupe_key=f"form:{form.id}:chase:{round_}:{c.line_user_id}",
                     purpose="chase 1:1") for c in people]
    return [push(reminder.to, render.reminder(form, waiting, contacts, now, late_note(reminder)),
                 purpose="chase group")]


def render_summary(session: Session, reminder: Reminder, now: datetime) -> list[Outbound] | None:
    """Tell the secretariat who answered once the deadline day is over."""
    form = session.get(Form, reminder.subject_id)
    if form is None or form.status == FormStatus.CLOSED:
        return None
    statuses = service.progress(session, form)
    return [push(reminder.to, render.deadline_summary(form, statuses, late_note(reminder)))]


def render_card(session: Session, reminder: Reminder, now: datetime) -> list[Outbound] | None:
    """The broadcast's card, held for the group's morning digest; nothing if the form closed meanwhile."""
    form = session.get(Form, reminder.subject_id)
    if form is None or form.status != FormStatus.OPEN:
        return None
    group = roster.group_of(session, reminder.to)
    if group is None or group.left_at is not None or group.district_id != form.district_id:
        return None
    return [push(reminder.to, render.broadcast_card(form, len(service.target_units(session, form))),
                 purpose="card")]


def may_join_digest(row: Reminder) -> DigestFit | None:
    """A chaser may ride in the group's morning digest (then it mentions the units there, for free).

    Alone it goes 1:1 to a few contacts, so it is no reason to make a digest (a rider).
    """
    if row.kind == service.CARD_KIND:
        return HELD  # it rides the first digest that goes, and makes the second
    return DigestFit(rider=True) if row.kind == service.REMINDER_KIND else None


RENDERERS = {service.REMINDER_KIND: render_reminder, service.SUMMARY_KIND: render_summary,
             service.CARD_KIND: render_card}
