"""Meeting reminders under a controlled clock: a four-month cycle, moves, holidays, quiet hours, downtime, crashes.

`Walk` ticks the scheduler the way `python -m scheduler` would, only faster: at every moment a
reminder row is due and at checkpoints in between, recording what reached LINE and when (in Taipei
time). Tests compare that record with a table written by hand from the plan's rules.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from emulator.client import message_text
from models.incidents import Incident
from models.reminders import Reminder, ReminderState
from rules.dates import TAIPEI
from scheduler.runner import tick
from tests import demo
from tests.webhook.test_meetings import bind, buttons_of, reminder_rows

NAMES = {demo.GROUP: "group", demo.SECRETARIAT: "secretariat", demo.POLICE: "police",
         demo.SOCIAL_WORKER: "worker", demo.HEALTH: "health", demo.FIRE: "fire"}
# Only this capability's notices are recorded (other capabilities may post in the group on their own rhythm).
MARKERS = ("【會議提醒】", "前次會議待辦事項辦理情形", "【會前資料】", "【會議紀錄提醒】", "【列管事項每月進度回報",
           "【個案提報提醒】")
CHECKPOINT = timedelta(hours=6)


@pytest.fixture
def config(config):
    """The plan's own moments, without the group's morning digest (tests/webhook/test_digest.py covers it)."""
    return replace(config, digest_time="")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TAIPEI)


class Walk:
    """Tick through time and record each notice this capability delivered: (Taipei time, to whom, text)."""

    def __init__(self, emulator, services, clock) -> None:
        self.emulator, self.services, self.clock = emulator, services, clock
        self.log: list[tuple[str, str, str]] = []
        self.sync()

    def sync(self) -> None:
        """Forget deliveries made outside the scheduler (replies to what people typed)."""
        self.seen = len(self.emulator.deliveries())

    def tick(self) -> None:
        tick(self.services)
        new = self.emulator.deliveries()[self.seen:]
        self.seen += len(new)
        moment = self.clock().astimezone(TAIPEI).strftime("%m-%d %H:%M")
        for delivery in new:
            said = "\n".join(message_text(m) for m in delivery["messages"])
            if any(marker in said for marker in MARKERS):
                self.log.append((moment, NAMES.get(delivery["to"], delivery["to"]), said))

    def next_due(self) -> datetime | None:
        with self.services.db.transaction() as session:
            return session.scalar(select(func.min(Reminder.due_at)).where(Reminder.state == ReminderState.SCHEDULED))

    def until(self, moment: datetime) -> None:
        """Tick at every due moment and checkpoint up to and including `moment`."""
        while True:
            self.tick()
            now = self.clock()
            if now >= moment:
                return
            due = self.next_due()
            self.clock.set(min(m for m in (moment, now + CHECKPOINT, due) if m is not None and m > now))

    def act(self, user: str, said: str, group: bool = False) -> None:
        """Someone types in chat at the current moment (not recorded)."""
        self.emulator.text(user, said, group_id=demo.GROUP if group else None)
        self.sync()

    def summary(self) -> list[tuple[str, str]]:
        return sorted((moment, who) for moment, who, _ in self.log)

    def said(self, moment: str, who: str) -> str:
        return "\n---\n".join(text for m, w, text in self.log if m == moment and w == who)


def check(walk: Walk, expected: list[tuple[str, str, str]]) -> None:
    """Each expected notice arrived at its moment, to its reader, once; nothing else arrived."""
    assert walk.summary() == sorted((moment, who) for moment, who, _ in expected)
    for moment, who, marker in expected:
        assert marker in walk.said(moment, who), (moment, who, marker)


def test_a_whole_four_month_cycle(emulator, services, clock):
    """11/24/2026 to 3/24/2027: two liaison meetings, a case conference, tracked items, holidays on the way."""
    bind(emulator)
    walk = Walk(emulator, services, clock)
    walk.act(demo.SECRETARIAT, "會議 區級聯繫會議 115/11/26 10:00 本所3樓簡報室", group=True)
    walk.until(at(2026, 11, 26, 12, 0))
    walk.act(demo.SECRETARIAT, "列管新增 分局、中壢家庭服務中心 加強高風險家庭訪視聯繫", group=True)
    walk.act(demo.SECRETARIAT, "列管新增 家服中心 建立夜間聯繫窗口名單", group=True)
    walk.act(demo.SECRETARIAT, "會議 區級聯繫會議 115/12/15 14:00 本所3樓簡報室", group=True)
    walk.until(at(2026, 12, 9, 10, 0))
    card = buttons_of(emulator.messages(to=demo.GROUP)[-1])
    emulator.postback(demo.POLICE, card["出席"]["data"], group_id=demo.GROUP)
    walk.act(demo.POLICE, "列管回報 1151126-1 已完成轄區訪視3戶")
    walk.until(at(2026, 12, 15, 16, 0))
    walk.act(demo.SECRETARIAT, "除管 1151126-2", group=True)
    walk.act(demo.SECRETARIAT, "列管新增 衛生局 社區心理衛生資源轉介說明", group=True)
    walk.until(at(2026, 12, 16, 10, 0))
    walk.act(demo.SECRETARIAT, "會議 區級個案研討會議 116/3/16 14:00 中壢家庭服務中心會議室")
    walk.until(at(2027, 3, 24, 10, 0))

    progress = "【列管事項每月進度回報｜"
    check(walk, [
        ("11-25 10:00", "group", "區級聯繫會議將於明天召開"),
        ("11-26 08:00", "group", "【出席情形】"),  # the last reminder carries the board
        ("12-01 09:00", "secretariat", "【會議紀錄提醒】區級聯繫會議（115/11/26）：區級聯繫會議會議紀錄函送社會局：115年12月3日前"),
        ("12-01 09:00", "police", progress + "115年12月】分局主辦"),
        ("12-01 09:00", "worker", progress + "115年12月】中壢家庭服務中心"),
        ("12-08 14:00", "group", "區級聯繫會議將於7天後召開"),
        ("12-14 09:00", "group", "前次會議待辦事項辦理情形"),
        ("12-14 09:00", "secretariat", "【會前資料】"),
        ("12-14 14:00", "group", "區級聯繫會議將於明天召開"),
        ("12-15 12:00", "group", "出席（1）：分局"),
        ("12-21 08:00", "secretariat", "【會議紀錄提醒】區級聯繫會議（115/12/15）"),
        ("01-04 08:00", "police", progress + "116年1月】"),  # New Year's Day, then a weekend
        ("01-04 08:00", "worker", progress + "116年1月】"),
        ("01-04 08:00", "health", progress + "116年1月】衛生局主辦"),
        ("02-01 09:00", "police", progress + "116年2月】"),
        ("02-01 09:00", "worker", progress + "116年2月】"),
        ("02-01 09:00", "health", progress + "116年2月】"),
        ("02-11 08:00", "group", "區級個案研討會議個案提報截止：116年2月16日"),  # after the Lunar New Year break
        ("03-02 08:00", "police", progress + "116年3月】"),  # 3/1 is the observed Peace Memorial Day
        ("03-02 08:00", "worker", progress + "116年3月】"),
        ("03-02 08:00", "health", progress + "116年3月】"),
        ("03-09 14:00", "group", "區級個案研討會議將於7天後召開"),
        ("03-15 14:00", "group", "區級個案研討會議將於明天召開"),
        ("03-16 12:00", "group", "【出席情形】"),
        ("03-22 08:00", "secretariat", "【會議紀錄提醒】區級個案研討會議（116/03/16）"),
    ])
    # What each notice says, beyond its moment.
    first = walk.said("12-08 14:00", "group")
    assert "本所3樓簡報室" in first and "1151126-1 加強高風險家庭訪視聯繫" in first and "出席" in first
    assert "1151126-2" in walk.said("12-08 14:00", "group")  # still open a week before
    assert "1151126-1" in walk.said("12-01 09:00", "police") and "1151126-2" not in walk.said("12-01 09:00", "police")
    assert "1151126-2" not in walk.said("01-04 08:00", "worker")  # closed at the December meeting
    # The case conference follows up its own cases, not the liaison meeting's items: no review card on 3/15.
    assert "1151126-1" not in walk.said("03-09 14:00", "group") and "本次列管事項" not in walk.said("03-09 14:00", "group")
    assert "115/12/09 已完成轄區訪視3戶" in walk.said("12-14 09:00", "group")
    assert "補發" not in "".join(text for _, _, text in walk.log)


def test_a_moved_meeting_moves_its_reminders(emulator, services, clock):
    bind(emulator)
    walk = Walk(emulator, services, clock)
    walk.act(demo.SECRETARIAT, "會議 區級聯繫會議 115/12/15 14:00 本所3樓簡報室", group=True)
    walk.until(at(2026, 12, 1, 10, 0))
    walk.act(demo.SECRETARIAT, "會議改期 1 115/12/22 14:00", group=True)
    walk.until(at(2026, 12, 22, 15, 0))
    check(walk, [
        ("12-15 14:00", "group", "將於7天後召開"),
        ("12-21 14:00", "group", "將於明天召開"),
        ("12-22 12:00", "group", "115/12/22(二) 14:00"),
    ])


def test_a_holiday_moves_a_reminder_to_the_next_working_morning(emulator, services, clock):
    clock.set(at(2026, 10, 1, 10, 0))
    bind(emulator)
    walk = Walk(emulator, services, clock)
    walk.act(demo.SECRETARIAT, "會議 區級聯繫會議 115/10/16 14:00 本所3樓簡報室", group=True)
    walk.until(at(2026, 10, 16, 15, 0))
    # 7 days before is Friday 10/9, the observed National Day holiday: Monday 10/12 08:00 instead.
    check(walk, [
        ("10-12 08:00", "group", "將於4天後召開"),
        ("10-15 14:00", "group", "將於明天召開"),
        ("10-16 12:00", "group", "將於2小時後召開"),
    ])


def test_quiet_hours_defer_a_reminder_until_morning(emulator, services, clock):
    bind(emulator)
    walk = Walk(emulator, services, clock)
    walk.act(demo.SECRETARIAT, "會議 區級聯繫會議 115/12/2 9:00 本所3樓簡報室", group=True)
    walk.until(at(2026, 12, 2, 10, 0))
    check(walk, [
        ("11-25 09:00", "group", "將於7天後召開"),
        ("12-01 09:00", "group", "將於明天召開"),
        ("12-02 08:00", "group", "將於1小時後召開"),  # 07:00 is inside 21:00-08:00
    ])


def test_reminders_missed_while_the_scheduler_was_down(emulator, services, clock):
    bind(emulator)
    walk = Walk(emulator, services, clock)
    walk.act(demo.SECRETARIAT, "會議 區級聯繫會議 115/12/15 14:00 本所3樓簡報室", group=True)
    walk.tick()
    clock.set(at(2026, 12, 14, 15, 0))  # down from 11/24 to 12/14 15:00: the 7d and 1d moments passed
    walk.tick()
    clock.set(at(2026, 12, 15, 15, 0))  # down again past the meeting: the 2h reminder is no longer useful
    walk.tick()
    assert walk.summary() == [("12-14 15:00", "group")]
    late = walk.said("12-14 15:00", "group")
    assert late.startswith("（補發：系統暫停期間未能準時提醒）") and "將於明天召開" in late
    states = {key: state for key, (state, _) in reminder_rows(services, "meeting:1:lead:").items()}
    assert states == {"meeting:1:lead:7d": ReminderState.SKIPPED,  # superseded by the later overdue one
                      "meeting:1:lead:1d": ReminderState.SENT,
                      "meeting:1:lead:2h": ReminderState.MISSED}


def test_a_crash_before_commit_or_a_failed_push_still_delivers_once(emulator, services, clock):
    bind(emulator)
    walk = Walk(emulator, services, clock)
    walk.act(demo.SECRETARIAT, "會議 區級聯繫會議 115/11/26 10:00 本所3樓簡報室", group=True)
    renderers = services.router.renderers
    real = renderers["meeting_lead"]
    crashes = []

    def crash_once(session, row, now):
        if not crashes:
            crashes.append(row.key)
            raise RuntimeError("process died while rendering")  # the claim transaction rolls back
        return real(session, row, now)

    renderers["meeting_lead"] = crash_once
    try:
        clock.set(at(2026, 11, 25, 10, 0))
        walk.tick()
        assert walk.log == [] and crashes == ["meeting:1:lead:1d"]
        assert reminder_rows(services, "meeting:1:lead:1d")["meeting:1:lead:1d"][0] == ReminderState.SCHEDULED
        emulator.inject_fault("/v2/bot/message/push", status=500, count=1)
        clock.advance(seconds=30)
        walk.tick()  # claimed, rendered, enqueued; the push fails and waits for a retry
        assert walk.log == []
        clock.advance(seconds=30)
        walk.tick()
        clock.advance(minutes=5)
        walk.tick()
    finally:
        renderers["meeting_lead"] = real
    assert walk.summary() == [("11-25 10:01", "group")]
    pushes = [r for r in emulator.api_requests() if r["path"] == "/v2/bot/message/push" and r["status"] in (200, 500)]
    assert [r["status"] for r in pushes][-2:] == [500, 200] and pushes[-1]["retry_key"] == pushes[-2]["retry_key"]


def test_requests_flagged_for_case_conference_are_listed_in_its_reminder(emulator, services, clock):
    bind(emulator)
    clock.set(at(2026, 11, 24, 10, 0))
    walk = Walk(emulator, services, clock)
    walk.act(demo.SOCIAL_WORKER, "求助 家暴 @分局 需要員警陪同訪視")
    with services.db.transaction() as session:
        number = session.scalar(select(Incident.number))
    walk.act(demo.SOCIAL_WORKER, f"結案 {number}")
    walk.act(demo.SOCIAL_WORKER, f"提報個案研討 {number}")
    walk.act(demo.SECRETARIAT, "會議 區級個案研討會議 115/12/10 14:00 中壢家庭服務中心會議室", group=True)
    walk.until(at(2026, 12, 10, 13, 0))
    reminders_sent = [text for _, who, text in walk.log if who == "group" and "【會議提醒】" in text]
    assert reminders_sent and all(f"{number}（家暴" in text for text in reminders_sent)
