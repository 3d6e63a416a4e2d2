"""Reminder rows: each sent once, a failing renderer holds back nothing else."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot import reminders
from bot.messages import push, text
from models.reminders import Reminder, ReminderState
from tests import demo


def _broken(session, row, now):
    raise RuntimeError("renderer bug")


def _fine(session, row, now):
    return [push(row.to, text("提醒"))]


def test_failing_renderer_does_not_block_others_and_gives_up(services, clock):
    now = clock()
    with services.db.transaction() as session:
        reminders.schedule(session, key="t:broken", kind="broken", subject_id=1, to=demo.POLICE,
                           due_at=now - timedelta(minutes=1))
        reminders.schedule(session, key="t:fine", kind="fine", subject_id=1, to=demo.POLICE, due_at=now)
    renderers = {"broken": _broken, "fine": _fine}
    reminders.dispatch_due(services.db, renderers, now)
    for _ in range(3):
        now = clock.advance(minutes=6)
        reminders.dispatch_due(services.db, renderers, now)
    with services.db.transaction() as session:
        rows = {r.key: r for r in session.scalars(select(Reminder))}
    assert rows["t:fine"].state == ReminderState.SENT
    assert rows["t:broken"].state == ReminderState.FAILED and rows["t:broken"].failures == 3


def test_rescheduling_the_same_key_moves_it_instead_of_adding(services, clock):
    now = clock()
    with services.db.transaction() as session:
        reminders.schedule(session, key="t:x", kind="fine", subject_id=1, to=demo.POLICE, due_at=now)
        reminders.schedule(session, key="t:x", kind="fine", subject_id=1, to=demo.POLICE,
                           due_at=now + timedelta(hours=1))
    assert reminders.dispatch_due(services.db, {"fine": _fine}, now) == 0
    assert reminders.dispatch_due(services.db, {"fine": _fine}, now + timedelta(hours=1)) == 1
    assert reminders.dispatch_due(services.db, {"fine": _fine}, now + timedelta(hours=2)) == 0
