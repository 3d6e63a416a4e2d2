"""Calls for activities, their reminders and report, announcements and the digest, under a controlled clock.

The clock starts on Tuesday 2026-11-24 10:00 Taipei (tests/conftest.py); the scheduler is one
`tick(services)`; "a restart" is a second Services built on the same database.
"""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from app import build_services
from models.calendar import ActivityCall, CallStatus
from models.reminders import Reminder, ReminderState
from rules.dates import TAIPEI
from scheduler.runner import tick
from tests import demo

CALL = "徵集活動 115/12/1-115/12/31 115/11/30"


def bind(emulator) -> None:
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)


def group_messages(emulator) -> list[dict]:
    return emulator.messages(to=demo.GROUP)


def at(clock, month: int, day: int, hour: int, minute: int = 0) -> None:
    clock.set(datetime(2026, month, day, hour, minute, tzinfo=TAIPEI))


def calendar_reminders(services, prefix: str) -> list[Reminder]:
    with services.db.transaction() as session:
        return list(session.scalars(select(Reminder).where(Reminder.key.startswith(prefix)).order_by(Reminder.id)))


def mentioned(message: dict) -> set[str]:
    return {sub["mentionee"]["userId"] for sub in message.get("substitution", {}).values()}


def test_call_reminds_only_units_yet_to_answer_then_reports(emulator, services, clock):
    bind(emulator)
    emulator.text(demo.POLICE, CALL, group_id=demo.GROUP)
    assert "限秘書單位" in emulator.texts(to=demo.GROUP)[-1]
    emulator.text(demo.SECRETARIAT, CALL, group_id=demo.GROUP)
    posted = emulator.texts(to=demo.GROUP)[-1]
    assert "【活動徵集】" in posted and "115/12/01–115/12/31" in posted and "115年11月30日(一)" in posted
    assert [r.due_at for r in calendar_reminders(services, "calendar:call:")] == [
        datetime(2026, 11, 27, 9, 30, tzinfo=TAIPEI), datetime(2026, 11, 30, 9, 30, tzinfo=TAIPEI),
        datetime(2026, 12, 1, 9, 0, tzinfo=TAIPEI)]

    emulator.text(demo.POLICE, "活動 115/12/5 14:00-16:00 中壢區公所3樓 家暴防治宣導講座")
    assert "已計入 115/12/01–115/12/31 的活動徵集" in emulator.texts(to=demo.POLICE)[-1]
    emulator.text(demo.DV_CENTRE, "本期無活動", group_id=demo.GROUP)
    assert "已記錄" in emulator.texts(to=demo.GROUP)[-1]
    emulator.text(demo.DV_CENTRE, "本期無活動")
    assert "先前已記錄" in emulator.texts(to=demo.DV_CENTRE)[-1]
    emulator.text(demo.POLICE, "本期無活動")
    assert "已登錄 1 項活動" in emulator.texts(to=demo.POLICE)[-1]

    before = len(group_messages(emulator))
    at(clock, 11, 27, 9, 29)
    tick(services)
    assert len(group_messages(emulator)) == before  # not yet
    at(clock, 11, 27, 9, 31)
    tick(services)
    reminder = group_messages(emulator)[-1]
    assert reminder["type"] == "textV2"
    assert mentioned(reminder) == {demo.SOCIAL_WORKER, demo.HEALTH, demo.FIRE, demo.SCHOOL, demo.EMPLOYMENT}
    shown = emulator.texts(to=demo.GROUP)[-1]
    assert "已回覆 2/13" in shown and "@林社工" in shown and "內壢家庭服務中心（尚無聯繫窗口）" in shown
    assert "分局" not in shown and "家防中心" not in shown
    tick(services)
    assert len(group_messages(emulator)) == before + 1  # exactly once

    emulator.text(demo.FIRE, "本期無活動")
    emulator.text(demo.HEALTH, "活動 115/12/9 09:00-12:00 中壢區衛生所 社區篩檢")
    at(clock, 11, 30, 9, 31)
    tick(services)
    second = group_messages(emulator)[-1]
    assert mentioned(second) == {demo.SOCIAL_WORKER, demo.SCHOOL, demo.EMPLOYMENT}
    assert "已回覆 4/13" in emulator.texts(to=demo.GROUP)[-1]

    emulator.text(demo.SECRETARIAT, "徵集進度")
    progress = emulator.texts(to=demo.SECRETARIAT)[-1]
    assert "有活動（2 個單位，共 2 項）" in progress and "本期無活動（2）" in progress

    at(clock, 12, 1, 9, 1)
    tick(services)
    report = emulator.texts(to=demo.GROUP)[-1]
    assert "【活動徵集結果】" in report and "已回覆 4/13" in report
    assert "✗ 未回覆（9）" in report and "學諮中心" in report
    with services.db.transaction() as session:
        assert session.scalars(select(ActivityCall)).one().status == CallStatus.CLOSED
    count = len(group_messages(emulator))
    clock.advance(days=1)
    tick(services)
    assert len(group_messages(emulator)) == count


def test_no_reminder_when_every_unit_answered(emulator, services, clock):
    bind(emulator)
    emulator.text(demo.SECRETARIAT, "徵集活動 12月 11/30", group_id=demo.GROUP)
    with services.db.transaction() as session:
        from handlers.calendar import service
        call = session.scalars(select(ActivityCall)).one()
        for unit in service.completeness(session, call).missing:
            service.answer_none(session, call, unit, demo.SECRETARIAT, clock())
    before = len(group_messages(emulator))
    at(clock, 11, 30, 10)
    tick(services)
    assert len(group_messages(emulator)) == before
    states = {r.key.rsplit(":", 1)[-1]: r.state for r in calendar_reminders(services, "calendar:call:")}
    assert states == {"2026-11-27": ReminderState.SKIPPED, "2026-11-30": ReminderState.SKIPPED,
                      "report": ReminderState.SCHEDULED}


def test_a_new_call_replaces_the_open_one(emulator, services, clock):
    bind(emulator)
    emulator.text(demo.SECRETARIAT, CALL, group_id=demo.GROUP)
    emulator.text(demo.SECRETARIAT, "徵集活動 116年1月 115/12/20", group_id=demo.GROUP)
    assert "已取代先前" in emulator.texts(to=demo.GROUP)[-1]
    pending = [r for r in calendar_reminders(services, "calendar:call:") if r.state == ReminderState.SCHEDULED]
    assert {r.subject_id for r in pending} == {2}
    emulator.text(demo.SECRETARIAT, "徵集活動 115/12/1-115/12/31", group_id=demo.GROUP)
    assert "請寫期間與截止日" in emulator.texts(to=demo.GROUP)[-1]


def test_joinable_activity_is_announced_once_also_across_restarts(emulator, services, clock, config):
    bind(emulator)
    emulator.text(demo.POLICE, "活動 115/12/8 14:00-16:00 中壢區公所3樓 家暴防治宣導講座 可共同宣導")
    emulator.text(demo.HEALTH, "活動 115/12/8 09:00 中壢區衛生所 內部會議")  # not joinable: never announced
    [row] = calendar_reminders(services, "calendar:announce:")
    assert row.due_at == datetime(2026, 12, 4, 9, 0, tzinfo=TAIPEI)  # 12/5 is a Saturday
    before = len(group_messages(emulator))
    at(clock, 12, 4, 9, 1)
    tick(services)
    announced = emulator.texts(to=demo.GROUP)[-1]
    assert "共同宣導活動預告" in announced and "家暴防治宣導講座" in announced and "內部會議" not in announced
    assert len(group_messages(emulator)) == before + 1

    # An edit after the announcement is not announced again, neither by this scheduler nor after a restart.
    card = emulator.messages(to=demo.POLICE)[0]
    edit = next(b["action"] for b in card["contents"]["footer"]["contents"] if b["action"]["label"] == "修改")
    emulator.postback(demo.POLICE, edit["data"] + "&f=day")
    emulator.text(demo.POLICE, "115/12/16")  # its announcement moment moves to Friday 12/11
    assert "已更新活動" in emulator.texts(to=demo.POLICE)[-1]
    restarted = build_services(services.config, services.gateway, clock)
    try:
        at(clock, 12, 11, 9, 30)
        tick(services)
        tick(restarted)
    finally:
        restarted.db.dispose()
    assert len(group_messages(emulator)) == before + 1


def test_deleted_or_closed_activity_is_not_announced(emulator, services, clock):
    bind(emulator)
    emulator.text(demo.POLICE, "活動 115/12/10 14:00 中壢區公所 講座 可共同宣導")
    emulator.text(demo.FIRE, "活動 115/12/10 09:00 中壢分隊 演練 可共同宣導")
    police_card = emulator.messages(to=demo.POLICE)[-1]
    delete = next(b["action"] for b in police_card["contents"]["footer"]["contents"] if b["action"]["label"] == "刪除")
    emulator.postback(demo.POLICE, delete["data"])
    emulator.postback(demo.POLICE, emulator.messages(to=demo.POLICE)[-1]["template"]["actions"][0]["data"])
    fire_card = emulator.messages(to=demo.FIRE)[-1]
    close = next(b["action"] for b in fire_card["contents"]["footer"]["contents"] if "不開放" in b["action"]["label"])
    emulator.postback(demo.FIRE, close["data"])
    before = len(group_messages(emulator))
    at(clock, 12, 7, 9, 30)
    tick(services)
    assert len(group_messages(emulator)) == before
    assert {r.state for r in calendar_reminders(services, "calendar:announce:")} == {ReminderState.CANCELLED}


def test_digest_is_off_by_default(emulator, services, clock):
    bind(emulator)
    emulator.text(demo.POLICE, "活動 115/12/1 14:00 中壢區公所 講座")
    tick(services)
    assert calendar_reminders(services, "calendar:digest:") == []


class TestWeeklyDigest:
    @pytest.fixture
    def config(self, config):
        from dataclasses import replace
        return replace(config, calendar_digest="mon 08:30")

    def test_digest_goes_out_weekly_once(self, emulator, services, clock):
        bind(emulator)
        emulator.text(demo.POLICE, "活動 115/12/1 14:00-16:00 中壢區公所3樓 家暴防治宣導講座")
        emulator.text(demo.HEALTH, "活動 115/12/9 09:00 中壢區衛生所 社區篩檢")
        emulator.text(demo.FIRE, "活動 115/12/20 09:00 中壢分隊 防災演練")  # in the third week: not in this digest
        tick(services)
        assert [r.due_at for r in calendar_reminders(services, "calendar:digest:")] == [
            datetime(2026, 11, 30, 8, 30, tzinfo=TAIPEI)]  # this Monday has passed
        before = len(group_messages(emulator))
        at(clock, 11, 30, 8, 31)
        tick(services)
        tick(services)
        assert len(group_messages(emulator)) == before + 1
        digest = emulator.texts(to=demo.GROUP)[-1]
        assert "中壢區本週與下週活動" in digest and "社區篩檢" in digest and "防災演練" not in digest

    def test_a_preview_with_nothing_new_is_skipped(self, emulator, services, clock):
        bind(emulator)
        emulator.text(demo.HEALTH, "活動 115/12/9 09:00 中壢區衛生所 社區篩檢")
        at(clock, 11, 30, 8, 31)
        tick(services)
        tick(services)
        assert "社區篩檢" in emulator.texts(to=demo.GROUP)[-1]
        before = len(group_messages(emulator))
        at(clock, 12, 7, 8, 31)  # the same screening, nothing added or changed: no push, no cost
        tick(services)
        tick(services)
        assert len(group_messages(emulator)) == before
        emulator.text(demo.FIRE, "活動 115/12/16 09:00 中壢分隊 防災演練")
        at(clock, 12, 14, 8, 31)  # something new: the preview goes
        tick(services)
        tick(services)
        assert len(group_messages(emulator)) == before + 1 and "防災演練" in emulator.texts(to=demo.GROUP)[-1]


def test_group_bound_after_the_activity_still_gets_the_announcement(emulator, services, clock):
    emulator.text(demo.POLICE, "活動 115/12/10 14:00 中壢區公所 親職講座 可共同宣導")
    assert calendar_reminders(services, "calendar:announce:") == []  # no group yet
    bind(emulator)
    tick(services)
    [row] = calendar_reminders(services, "calendar:announce:")
    assert row.to == demo.GROUP and row.due_at == datetime(2026, 12, 7, 9, 0, tzinfo=TAIPEI)
    at(clock, 12, 7, 9, 5)
    tick(services)
    assert "共同宣導活動預告：親職講座" in emulator.texts(to=demo.GROUP)[-1]


def test_added_in_the_group_inside_the_window_is_not_announced_again(emulator, services, clock):
    bind(emulator)
    emulator.text(demo.POLICE, "活動 115/11/26 14:00 中壢區公所 親職講座 可共同宣導", group_id=demo.GROUP)
    tick(services)
    assert calendar_reminders(services, "calendar:announce:") == []  # the group saw the card just now
