"""Chasing and the deadline, under a controlled clock: reminders reach only units yet to answer, stop when
they answer; the secretariat's summary after the deadline; late answers accepted and marked late."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.reminders import pending
from models.forms import FormResponse
from models.reminders import Reminder, ReminderState
from rules.dates import TAIPEI
from scheduler.runner import tick
from tests import demo
from tests.webhook.test_forms import (answer_short_form, bind_group, broadcast, create_from_file, footer, last_text,
                                      tap)

UNITS = ["中壢家庭服務中心", "中壢分局", "衛生局"]  # the three units with a demo contact each


def at(services, clock, month: int, day: int, hour: int, minute: int = 0) -> None:
    """Move the clock to a Taipei wall-clock moment and run the scheduler once."""
    clock.set(datetime(2026, month, day, hour, minute, tzinfo=TAIPEI))
    tick(services)


def reminder_states(services, form_id: int) -> dict[str, str]:
    with services.db.transaction() as session:
        rows = session.scalars(select(Reminder).where(Reminder.key.startswith(f"form:{form_id}:remind:")))
        return {r.key.split(":")[3]: r.state for r in rows}


def test_reminders_reach_only_units_that_have_not_answered_and_stop_when_they_answer(emulator, app, services,
                                                                                       clock, tmp_path):
    bind_group(emulator)
    form_id = create_from_file(app, tmp_path, UNITS)  # deadline Tuesday 2026-12-01; now Tuesday 11-24 10:00
    broadcast(app, form_id)
    with services.db.transaction() as session:
        rows = pending(session, f"form:{form_id}:")
        due = sorted({r.due_at.astimezone(TAIPEI).strftime("%m-%d %H:%M") for r in rows})
    # 3 days before is Saturday 11-28, moved back to Friday; 1 day before is Monday; summary on Wednesday 08:30.
    assert due == ["11-27 10:00", "11-30 10:00", "12-02 08:30"]

    answer_short_form(emulator, demo.SOCIAL_WORKER, form_id, "親職教育宣導")
    group_messages = len(emulator.deliveries(to=demo.GROUP))
    chased = {user: len(emulator.deliveries(to=user)) for user in (demo.POLICE, demo.HEALTH, demo.SOCIAL_WORKER)}
    at(services, clock, 11, 27, 9, 59)
    assert {user: len(emulator.deliveries(to=user)) for user in chased} == chased  # not due yet

    # Two contacts are cheaper than a 9-member group: each is chased 1:1, the group is not charged.
    at(services, clock, 11, 27, 10, 0)
    for user in (demo.POLICE, demo.HEALTH):
        assert "尚未填寫" in last_text(emulator, user) and "4 天後" in last_text(emulator, user)
        assert emulator.deliveries(to=user)[-1]["counted"] == 1
    assert len(emulator.deliveries(to=demo.SOCIAL_WORKER)) == chased[demo.SOCIAL_WORKER]  # answered: not chased
    assert len(emulator.deliveries(to=demo.GROUP)) == group_messages
    at(services, clock, 11, 27, 10, 5)
    assert len(emulator.deliveries(to=demo.POLICE)) == chased[demo.POLICE] + 1  # sent exactly once

    answer_short_form(emulator, demo.POLICE, form_id, "家防官定期訪視")
    police = len(emulator.deliveries(to=demo.POLICE))
    at(services, clock, 11, 30, 10, 0)
    assert "尚未填寫" in last_text(emulator, demo.HEALTH) and "今天" not in last_text(emulator, demo.HEALTH)
    assert len(emulator.deliveries(to=demo.POLICE)) == police
    assert len(emulator.deliveries(to=demo.GROUP)) == group_messages


def test_reminders_stop_once_every_unit_answered(emulator, app, services, clock, tmp_path):
    bind_group(emulator)
    form_id = create_from_file(app, tmp_path, UNITS)
    broadcast(app, form_id)
    for user in (demo.SOCIAL_WORKER, demo.POLICE, demo.HEALTH):
        answer_short_form(emulator, user, form_id, "社區宣導")
    group_messages = len(emulator.deliveries(to=demo.GROUP))
    at(services, clock, 11, 27, 10, 0)
    at(services, clock, 11, 30, 10, 0)
    assert len(emulator.deliveries(to=demo.GROUP)) == group_messages
    assert set(reminder_states(services, form_id).values()) <= {ReminderState.CANCELLED, ReminderState.SKIPPED}


def test_deadline_summary_to_the_secretariat_then_late_answers_marked_late(emulator, app, services, clock,
                                                                            tmp_path):
    bind_group(emulator)
    form_id = create_from_file(app, tmp_path, UNITS)
    broadcast(app, form_id)
    answer_short_form(emulator, demo.SOCIAL_WORKER, form_id, "親職教育宣導")
    secretariat_messages = len(emulator.deliveries(to=demo.SECRETARIAT))

    at(services, clock, 12, 2, 8, 29)  # the deadline day is over, but the office is not open yet
    assert len(emulator.deliveries(to=demo.SECRETARIAT)) == secretariat_messages
    assert set(reminder_states(services, form_id).values()) == {ReminderState.MISSED}  # never sent after the deadline

    at(services, clock, 12, 2, 8, 30)
    summary = emulator.messages(to=demo.SECRETARIAT)[-1]
    shown = emulator.texts(to=demo.SECRETARIAT)[-1]
    assert "表單截止" in shown and "1/3 個單位" in shown and "未填寫：分局、衛生局" in shown
    assert emulator.deliveries(to=demo.SECRETARIAT)[-1]["kind"] == "push"

    answer_short_form(emulator, demo.POLICE, form_id, "家防官定期訪視")
    assert "逾期" in last_text(emulator, demo.POLICE)
    with services.db.transaction() as session:
        late = {r.unit.short_name: r.late for r in session.scalars(select(FormResponse))}
    assert late == {"家服中心": False, "分局": True}
    emulator.text(demo.HEALTH, f"表單進度 {form_id}", group_id=demo.GROUP)
    assert "✓ 分局（逾期）" in emulator.texts(to=demo.GROUP)[-1]

    tap(emulator, demo.SECRETARIAT, footer(summary)["取得匯出連結"])
    links = emulator.messages(to=demo.SECRETARIAT)[-1]["template"]["actions"]
    assert links[0]["uri"].endswith(".xlsx") and links[1]["uri"].endswith(".csv")


def test_a_unit_that_answered_on_time_stays_on_time_when_it_corrects_late(emulator, app, services, clock, tmp_path):
    bind_group(emulator)
    form_id = create_from_file(app, tmp_path, UNITS)
    broadcast(app, form_id)
    answer_short_form(emulator, demo.SOCIAL_WORKER, form_id, "親職教育宣導")
    at(services, clock, 12, 3, 10, 0)
    answer_short_form(emulator, demo.SOCIAL_WORKER, form_id, "親職教育與兒少保護宣導")
    assert "第 2 版" in last_text(emulator, demo.SOCIAL_WORKER) and "逾期" in last_text(emulator, demo.SOCIAL_WORKER)
    with services.db.transaction() as session:
        response = session.scalars(select(FormResponse)).one()
        assert response.late is False and [r.late for r in response.revisions] == [False, True]
        assert response.answers == {"plan": "親職教育與兒少保護宣導"}
