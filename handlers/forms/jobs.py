"""Reminder renderers of forms: chase only the units that have not answered; the deadline summary.

The scheduler calls these when a reminder row is due (bot/reminders.py). They decide *then* what to
say, so a unit that answered after the reminder was scheduled is not chased, and a form everyone
answered says nothing at all (the row is marked skipped).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot import roster
from bot.messages import Outbound, push
from bot.reminders import late_note
from handlers.forms import render, service
from models.forms import Form, FormStatus
from models.reminders import Reminder


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
    return [push(reminder.to, render.reminder(form, waiting, contacts, now, late_note(reminder)))]


def render_summary(session: Session, reminder: Reminder, now: datetime) -> list[Outbound] | None:
    """Tell the secretariat who answered once the deadline day is over."""
    form = session.get(Form, reminder.subject_id)
    if form is None or form.status == FormStatus.CLOSED:
        return None
    statuses = service.progress(session, form)
    return [push(reminder.to, render.deadline_summary(form, statuses, late_note(reminder)))]


RENDERERS = {service.REMINDER_KIND: render_reminder, service.SUMMARY_KIND: render_summary}
