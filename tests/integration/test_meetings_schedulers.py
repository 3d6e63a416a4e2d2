"""Two scheduler processes started by mistake against one database still send each reminder once.

Each thread builds its own Services (engine, gateway) with `app.build_services`, as a second
`python -m scheduler` would, and both tick at the same moment. Runs on SQLite and PostgreSQL.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app import build_services
from emulator.client import message_text
from handlers.meetings import service, tracked
from bot import roster
from models.outbox import OutboxMessage, OutboxStatus
from models.reminders import Reminder, ReminderState
from models.roster import Group
from rules.dates import TAIPEI
from scheduler.runner import tick
from tests import demo

MEETINGS = 8


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TAIPEI)


def prepare(services, clock) -> None:
    """A bound group, eight meetings on 11/26 (their 1-day leads all due 11/25), one held meeting with an item."""
    now = clock()
    rules = service.policy(services.config)
    types = service.meeting_types(services.config)
    with services.db.transaction() as session:
        district = roster.find_district(session, "中壢區")
        session.add(Group(line_group_id=demo.GROUP, district_id=district.id, member_count=10, joined_at=now,
                          bound_at=now))
        session.flush()
        for i in range(MEETINGS):
            service.create(session, district=district, meeting_type=types["district_liaison"],
                           start=at(2026, 11, 26, 9 + i, 0), place=f"會議室{i}", agenda="",
                           organiser=demo.SECRETARIAT, group_line_id=None, now=now, rules=rules)
        held = service.create(session, district=district, meeting_type=types["district_liaison"],
                              start=at(2026, 11, 20, 10, 0), place="本所", agenda="", organiser=demo.SECRETARIAT,
                              group_line_id=None, now=now, rules=rules)
        police = roster.find_unit(session, district, "分局")
        centre = roster.find_unit(session, district, "中壢家庭服務中心")
        tracked.add_item(session, held, [police, centre], "加強高風險家庭訪視聯繫", demo.SECRETARIAT, now, rules)


def race(services, clock, moment: datetime) -> list[BaseException]:
    """Two schedulers, each with its own engine and gateway, tick together at `moment` a few times."""
    schedulers = [build_services(services.config, clock=clock) for _ in range(2)]
    barrier = threading.Barrier(len(schedulers))
    errors: list[BaseException] = []

    def run(own) -> None:
        try:
            barrier.wait(timeout=30)
            for step in range(3):
                tick(own, moment + timedelta(seconds=step))
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(own,)) for own in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for own in schedulers:
        own.db.dispose()
    return errors


def test_two_schedulers_send_each_reminder_once(emulator, services, clock):
    prepare(services, clock)
    clock.set(at(2026, 11, 25, 20, 0))
    assert race(services, clock, clock()) == []
    with services.db.transaction() as session:
        leads = session.scalars(select(Reminder).where(Reminder.key.like("meeting:%:lead:1d"))).all()
        assert len(leads) == MEETINGS
        assert {r.state for r in leads} == {ReminderState.SENT}
        outbox_rows = session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status != OutboxStatus.BUNDLED))  # reminders due together share a push
    said = [message_text(m) for d in emulator.deliveries(to=demo.GROUP) for m in d["messages"]]
    reminders_to_group = [t for t in said if "【會議提醒】" in t]
    assert len(reminders_to_group) == MEETINGS and len(set(reminders_to_group)) == MEETINGS
    pushes = [r for r in emulator.api_requests() if r["path"] == "/v2/bot/message/push"]
    assert [r["status"] for r in pushes].count(200) == outbox_rows  # no message pushed twice
    assert all(r["status"] == 200 for r in pushes)


def test_two_schedulers_send_a_monthly_progress_request_once_per_contact(emulator, services, clock):
    prepare(services, clock)
    clock.set(at(2026, 12, 1, 9, 0))
    assert race(services, clock, clock()) == []
    assert len(emulator.deliveries(to=demo.POLICE)) == 1
    assert len(emulator.deliveries(to=demo.SOCIAL_WORKER)) == 1
    with services.db.transaction() as session:
        progress = session.scalars(select(Reminder).where(Reminder.kind == "tracked_progress")
                                   .order_by(Reminder.due_at)).all()
        # December's request sent once; both schedulers' jobs agreed on one January row.
        assert [(r.key.rsplit(":", 1)[1], r.state) for r in progress] == [
            ("2026-12", ReminderState.SENT), ("2027-01", ReminderState.SCHEDULED)]
