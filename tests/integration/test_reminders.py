"""Reminder rows: each sent once, a failing renderer holds back nothing else."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select, text as sql, update

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


def test_cancelling_by_prefix_reads_only_that_subjects_reminders_on_postgresql(services, clock):
    """A claim cancels its request's escalations by key prefix; with thousands of reminders scheduled (a
    whole country's meetings and forms) PostgreSQL must find them by index, whatever its collation."""
    if not services.db.is_postgres:
        pytest.skip("SQLite serves one host's trial; its prefix lookups scan, which is fine at that size")
    now = clock()
    with services.db.transaction() as session:
        session.execute(insert(Reminder), [
            {"key": f"meeting:{n}:lead:7d", "kind": "meeting", "subject_id": n, "to": demo.GROUP,
             "due_at": now + timedelta(days=7), "state": ReminderState.SCHEDULED, "late": False, "failures": 0,
             "in_digest": False, "created_at": now} for n in range(3000)])
        reminders.schedule(session, key="incident:7:repost:1", kind="incident", subject_id=7, to=demo.GROUP,
                           due_at=now + timedelta(minutes=30))
    with services.db.transaction() as session:
        session.execute(sql("ANALYZE reminders"))
        cancel = update(Reminder).where(Reminder.key.startswith("incident:7:", autoescape=True),
                                        Reminder.state == ReminderState.SCHEDULED).values(state="cancelled")
        compiled = cancel.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True})
        plan = "\n".join(session.execute(sql(f"EXPLAIN {compiled}")).scalars())
        assert "ix_reminders_key_prefix" in plan, plan
        assert reminders.cancel(session, "incident:7:") == 1
