"""額度, the counted-messages ledger, member counts and the reserve for urgent requests, through the emulator.

The emulator prices every push as LINE does (a group push costs one message per member, a reply is
free), so each test compares what the bot believes it spent with what the emulator counted.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from models.quota import LedgerEntry
from models.reminders import Reminder, ReminderState
from rules.dates import TAIPEI
from scheduler.runner import tick
from tests import demo

MORE_MEMBERS = [f"U{n:032x}" for n in range(1, 22)]  # 9 demo members + 21 = a 30-member group


def bind(emulator) -> None:
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)


def ledger_total(services) -> int:
    with services.db.transaction() as session:
        return int(session.scalar(select(func.coalesce(func.sum(LedgerEntry.recipients), 0))))


def request_help(emulator, body: str = "個案需要心衛社工協助訪視") -> None:
    emulator.text(demo.SOCIAL_WORKER, f"求助 緊急 @衛生局 {body}")


def test_quota_shows_used_left_and_cost_per_capability(emulator, services):
    bind(emulator)
    request_help(emulator)
    assert emulator.quota_consumption() == 9  # the card to the 9-member group; the replies were free
    assert ledger_total(services) == 9
    emulator.text(demo.SECRETARIAT, "額度")
    shown = emulator.texts(to=demo.SECRETARIAT)[-1]
    assert "訊息額度：200 則" in shown and "已用：9 則" in shown and "剩餘：191 則" in shown
    assert "求助：9 則（1 次推播）" in shown and "月底預估" in shown
    assert emulator.deliveries(to=demo.SECRETARIAT)[-1]["kind"] == "reply"  # asking costs nothing
    assert emulator.quota_consumption() == 9


def test_members_cannot_see_the_quota(emulator):
    emulator.text(demo.POLICE, "額度")
    assert "訊息額度" not in emulator.texts(to=demo.POLICE)[-1]


def test_the_plan_is_read_from_line(emulator):
    emulator.configure(plan="light")
    emulator.text(demo.ADMIN, "額度")
    assert "訊息額度：3,000 則" in emulator.texts(to=demo.ADMIN)[-1]
    emulator.configure(plan="unlimited")
    emulator.text(demo.ADMIN, "額度")
    assert "訊息額度：不限" in emulator.texts(to=demo.ADMIN)[-1]


def test_a_joined_member_raises_the_price_of_a_group_push(emulator, services):
    bind(emulator)
    emulator.member_joined(demo.GROUP, MORE_MEMBERS)
    request_help(emulator)
    assert emulator.deliveries(to=demo.GROUP)[-1]["counted"] == 30
    assert ledger_total(services) == emulator.quota_consumption() == 30


def test_forecast_counts_scheduled_reminders(emulator, services):
    bind(emulator)
    emulator.text(demo.SECRETARIAT, "會議 區級聯繫會議 115/11/27 14:00 中壢區公所3樓")  # leads 1d and 2h ahead
    with services.db.transaction() as session:
        rows = session.scalars(select(Reminder).where(Reminder.state == ReminderState.SCHEDULED)).all()
        expected = sum(9 if r.to == demo.GROUP else 1 for r in rows if r.due_at < datetime(2026, 12, 1, tzinfo=TAIPEI))
    assert expected >= 18  # at least the 1-day and 2-hour reminders to the 9-member group
    emulator.text(demo.SECRETARIAT, "額度")
    shown = emulator.texts(to=demo.SECRETARIAT)[-1]
    assert f"已排定提醒最多 {expected}" in shown


def at(clock, services, *moment: int) -> None:
    clock.set(datetime(*moment, tzinfo=TAIPEI))
    tick(services)


def test_inside_the_reserve_routine_notices_go_to_the_secretariat_who_is_told_once(emulator, services, clock):
    bind(emulator)
    emulator.configure(plan="free", consumption=175)  # 25 left; the reserve is 10% of 200 = 20
    emulator.text(demo.SECRETARIAT, "會議 區級聯繫會議 115/11/27 14:00 中壢區公所3樓")
    tick(services)
    group_before = len(emulator.deliveries(to=demo.GROUP))
    emulator.configure(consumption=185)  # someone else used the account meanwhile: 15 left
    at(clock, services, 2026, 11, 26, 14, 1)  # the 1-day reminder is due
    tick(services)
    assert len(emulator.deliveries(to=demo.GROUP)) == group_before  # the group is not charged
    told = emulator.texts(to=demo.SECRETARIAT)
    assert any("【會議提醒】" in t for t in told) and any("改為私訊秘書單位" in t for t in told)
    assert sum("只剩保留給緊急求助" in t for t in told) == 1
    at(clock, services, 2026, 11, 26, 16, 0)
    assert sum("只剩保留給緊急求助" in t for t in emulator.texts(to=demo.SECRETARIAT)) == 1  # once a month
    request_help(emulator)  # an urgent request may spend the reserve
    assert emulator.deliveries(to=demo.GROUP)[-1]["counted"] == 9


def test_with_the_quota_gone_the_requester_is_told_at_once_to_phone(emulator, services, clock):
    bind(emulator)
    emulator.configure(plan="free", consumption=195)  # 5 left: a card to 9 members cannot go
    emulator.text(demo.SECRETARIAT, "額度")
    request_help(emulator)
    answer = "\n".join(emulator.texts(to=demo.SOCIAL_WORKER)[-2:])
    assert "額度" in answer and "電話" in answer and "113" in answer
    assert "已將求助" not in answer  # never a false confirmation


def test_what_the_bot_pushed_since_lines_last_reading_counts_against_the_quota(emulator, services):
    """LINE's consumption is read at most every 10 minutes; the cards sent since count too, so the next
    request is refused at once rather than sent to fail."""
    bind(emulator)
    emulator.configure(plan="free", consumption=180)  # 20 left when read: two cards to 9 members fit, not three
    emulator.text(demo.SECRETARIAT, "額度")  # the reading, fresh for the next 10 minutes
    request_help(emulator, "長者獨居需要關懷訪視")
    request_help(emulator, "個案需要就業媒合資訊")
    assert sum(d["counted"] for d in emulator.deliveries(to=demo.GROUP)) == 18
    request_help(emulator)  # 2 left by the bot's own count, though LINE's last reading said 20
    answer = emulator.texts(to=demo.SOCIAL_WORKER)[-1]
    assert "額度" in answer and "電話" in answer and "已將求助" not in answer
    assert len([d for d in emulator.deliveries(to=demo.GROUP) if d["kind"] == "push"]) == 2


def test_a_big_send_shows_its_cost_and_sends_only_what_was_confirmed(emulator, app, tmp_path):
    from tests.webhook.test_forms import create_from_file
    bind(emulator)
    emulator.member_joined(demo.GROUP, MORE_MEMBERS)
    form_id = create_from_file(app, tmp_path, ["中壢分局", "衛生局"])
    before = len(emulator.deliveries(to=demo.GROUP))
    emulator.text(demo.SECRETARIAT, f"表單 發布 {form_id}")
    card = emulator.messages(to=demo.SECRETARIAT)[-1]
    assert "將發送到 1 個群組，共約 30 則訊息額度" in card["template"]["text"]
    assert len(emulator.deliveries(to=demo.GROUP)) == before  # nothing sent before the confirm
    confirm = next(a for a in card["template"]["actions"] if a["label"] == "確認發送")

    emulator.member_joined(demo.GROUP, ["U" + "f" * 32])  # the price changed after the card was shown
    emulator.postback(demo.SECRETARIAT, confirm["data"])
    assert "已失效" in "\n".join(emulator.texts(to=demo.SECRETARIAT)[-2:])
    assert len(emulator.deliveries(to=demo.GROUP)) == before
    fresh = emulator.messages(to=demo.SECRETARIAT)[-1]
    assert "共約 31 則" in fresh["template"]["text"]

    assert "卡片隨晨間摘要送出（最晚 115/11/26(四) 08:30）" in fresh["template"]["text"]  # it waits for a digest
    emulator.postback(demo.SECRETARIAT, next(a for a in fresh["template"]["actions"] if a["label"] == "確認發送")["data"])
    assert len(emulator.deliveries(to=demo.GROUP)) == before
    assert "已發布表單" in "\n".join(emulator.texts(to=demo.SECRETARIAT)[-2:])
    now = next(i["action"] for i in emulator.messages(to=demo.SECRETARIAT)[-1]["quickReply"]["items"]
               if i["action"]["label"] == "立即發到群組")
    emulator.postback(demo.SECRETARIAT, now["data"])
    assert emulator.deliveries(to=demo.GROUP)[-1]["counted"] == 31
