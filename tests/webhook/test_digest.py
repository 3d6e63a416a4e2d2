"""The group's morning digest and the bundling window, under a controlled clock, through the emulator.

Notices due to one group on the same working day go out as one push (one charge per member);
urgent requests never wait. The base test configuration turns the window off, so it is on here.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from sqlalchemy import select

from emulator.client import message_text
from rules.dates import TAIPEI
from scheduler.runner import tick
from tests import demo


@pytest.fixture
def config(config):
    return replace(config, bundle_window_minutes=10, digest_time="08:30")


def at(clock, services, *moment: int) -> None:
    clock.set(datetime(*moment, tzinfo=TAIPEI))
    tick(services)


def group_pushes(emulator) -> list[dict]:
    return [d for d in emulator.deliveries(to=demo.GROUP) if d["kind"] == "push"]


def said(delivery: dict) -> str:
    return "\n".join(message_text(m) for m in delivery["messages"])


def test_two_announcements_of_one_morning_share_one_push(emulator, services, clock):
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    # Both announced 3 days before (Friday 11-27): one push for the two, at the digest.
    emulator.text(demo.SOCIAL_WORKER, "活動 115/11/30 14:00-16:00 中壢區公所3樓 親職講座 可共同宣導")
    emulator.text(demo.POLICE, "活動 115/11/30 09:00-11:00 中壢分局禮堂 防詐宣導 可共同宣導")
    before = len(group_pushes(emulator))
    at(clock, services, 2026, 11, 27, 8, 29)
    assert len(group_pushes(emulator)) == before
    at(clock, services, 2026, 11, 27, 8, 30)  # the digest pulls both forward; they wait the window
    at(clock, services, 2026, 11, 27, 8, 40)
    at(clock, services, 2026, 11, 27, 12, 0)
    pushes = group_pushes(emulator)[before:]
    assert len(pushes) == 1
    assert "親職講座" in said(pushes[0]) and "防詐宣導" in said(pushes[0])
    assert pushes[0]["counted"] == 9  # one charge per member, not two
    assert pushes[0]["messages"][0]["contents"]["type"] == "carousel"


def test_a_lone_notice_keeps_its_own_time(emulator, services, clock):
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.text(demo.SOCIAL_WORKER, "活動 115/11/30 14:00-16:00 中壢區公所3樓 親職講座 可共同宣導")
    before = len(group_pushes(emulator))
    at(clock, services, 2026, 11, 27, 8, 30)
    at(clock, services, 2026, 11, 27, 8, 59)
    assert len(group_pushes(emulator)) == before  # nothing to share a push with: no reason to go early
    at(clock, services, 2026, 11, 27, 9, 0)
    at(clock, services, 2026, 11, 27, 9, 10)
    assert "親職講座" in said(group_pushes(emulator)[-1])


def test_an_urgent_card_never_waits(emulator, services):
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.text(demo.SOCIAL_WORKER, "求助 緊急 @衛生局 個案需要心衛社工協助訪視")
    cards = [d for d in group_pushes(emulator) if d["messages"][0]["type"] == "flex"]
    assert len(cards) == 1 and "求助" in cards[0]["messages"][0]["altText"]  # no tick needed


def test_the_group_chooses_its_digest_time(emulator, services, clock):
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.text(demo.POLICE, "摘要時間 10:00", group_id=demo.GROUP)
    assert "秘書單位" in emulator.texts(to=demo.GROUP)[-1]  # members cannot change it
    emulator.text(demo.SECRETARIAT, "摘要時間 10:00", group_id=demo.GROUP)
    assert "10:00" in emulator.texts(to=demo.GROUP)[-1]
    emulator.text(demo.SOCIAL_WORKER, "活動 115/11/30 14:00-16:00 中壢區公所3樓 親職講座 可共同宣導")
    emulator.text(demo.POLICE, "活動 115/11/30 09:00-11:00 中壢分局禮堂 防詐宣導 可共同宣導")
    before = len(group_pushes(emulator))
    at(clock, services, 2026, 11, 27, 9, 0)  # each would go now, but the group's digest is later: not pulled
    at(clock, services, 2026, 11, 27, 9, 10)  # the two were due together anyway: one push
    pushes = group_pushes(emulator)[before:]
    assert len(pushes) == 1 and pushes[0]["counted"] == 9


def test_a_meetings_week_reminder_rides_the_morning_announcement(emulator, services, clock):
    """A meeting's 7-day reminder may go days early in a morning push that goes anyway; the rest keep their time."""
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.text(demo.SECRETARIAT, "會議 區級聯繫會議 115/12/7 10:00 本所3樓簡報室", group_id=demo.GROUP)
    # Announced Friday 11-27 (3 days before a Monday, moved to the working day); the 7-day reminder is Monday 11-30.
    emulator.text(demo.SOCIAL_WORKER, "活動 115/11/30 14:00-16:00 中壢區公所3樓 親職講座 可共同宣導")
    before = len(group_pushes(emulator))
    at(clock, services, 2026, 11, 27, 8, 30)
    at(clock, services, 2026, 11, 27, 8, 40)
    at(clock, services, 2026, 11, 27, 12, 0)
    morning = group_pushes(emulator)[before:]
    assert len(morning) == 1 and morning[0]["counted"] == 9
    assert "共同宣導活動預告：親職講座" in said(morning[0]) and "區級聯繫會議將於10天後召開" in said(morning[0])
    at(clock, services, 2026, 11, 30, 10, 0)  # the 7-day reminder's own moment: already said, no second push
    at(clock, services, 2026, 11, 30, 12, 0)
    assert len(group_pushes(emulator)) == before + 1
    reminded = []
    for moment in ((2026, 12, 4, 8, 30), (2026, 12, 4, 10, 0), (2026, 12, 4, 10, 10), (2026, 12, 7, 8, 0),
                   (2026, 12, 7, 8, 10)):
        at(clock, services, *moment)
        reminded += [said(d) for d in group_pushes(emulator)[before + 1 + len(reminded):]]
    assert len(reminded) == 2 and all("【會議提醒】" in r for r in reminded)  # the day before and 2 hours before
    assert clock().astimezone(TAIPEI) < datetime(2026, 12, 7, 10, 0, tzinfo=TAIPEI)


def broadcast_in_chat(app, emulator) -> int:
    """The secretariat broadcasts a form in 1:1 chat (Tuesday 11-24 10:00; deadline 12-01)."""
    from tests.webhook.test_forms import create_from_template
    form_id = create_from_template(app)
    emulator.text(demo.SECRETARIAT, f"表單 發布 {form_id}")
    return form_id


def test_a_forms_group_card_goes_with_the_next_morning_digest(app, emulator, services, clock):
    """Broadcast on Tuesday morning: the group's card waits for Wednesday's digest and shares its push."""
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.text(demo.SOCIAL_WORKER, "活動 115/11/28 14:00-16:00 中壢區公所3樓 親職講座 可共同宣導")  # announced 11-25
    before = len(group_pushes(emulator))
    form_id = broadcast_in_chat(app, emulator)
    assert "隨群組晨間摘要送出" in emulator.texts(to=demo.SECRETARIAT)[-1]
    at(clock, services, 2026, 11, 24, 18, 0)
    assert len(group_pushes(emulator)) == before  # not pushed on its own
    at(clock, services, 2026, 11, 25, 8, 30)
    at(clock, services, 2026, 11, 25, 8, 40)
    at(clock, services, 2026, 11, 25, 10, 0)
    pushes = group_pushes(emulator)[before:]
    assert len(pushes) == 1 and pushes[0]["counted"] == 9
    assert f"請填寫表單 #{form_id}" in said(pushes[0]) and "共同宣導活動預告：親職講座" in said(pushes[0])
    bubbles = pushes[0]["messages"][0]["contents"]["contents"]
    assert any(b.get("footer") and "form_fill" in str(b["footer"]) for b in bubbles)  # its 填寫表單 button is there


def test_a_held_form_card_goes_alone_at_the_second_digest_when_nothing_else_is_due(app, emulator, services, clock):
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    before = len(group_pushes(emulator))
    form_id = broadcast_in_chat(app, emulator)
    at(clock, services, 2026, 11, 25, 8, 30)
    at(clock, services, 2026, 11, 25, 8, 40)
    assert len(group_pushes(emulator)) == before  # nothing goes Wednesday: it may wait one more morning
    at(clock, services, 2026, 11, 26, 8, 30)
    at(clock, services, 2026, 11, 26, 8, 40)
    pushes = group_pushes(emulator)[before:]
    assert len(pushes) == 1 and f"請填寫表單 #{form_id}" in said(pushes[0])


def test_a_new_meetings_notice_rides_the_next_morning_push(emulator, services, clock):
    """Scheduled in 1:1 weeks ahead: the group hears of it in Wednesday's digest, with the activity preview."""
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.text(demo.SOCIAL_WORKER, "活動 115/11/28 14:00-16:00 中壢區公所3樓 親職講座 可共同宣導")  # announced 11-25
    before = len(group_pushes(emulator))
    emulator.text(demo.SECRETARIAT, "會議 區級聯繫會議 115/12/15 14:00 本所3樓簡報室")
    assert "將隨群組晨間摘要通知群組（最晚 115/11/26(四) 08:30）" in emulator.texts(to=demo.SECRETARIAT)[-1]
    assert len(group_pushes(emulator)) == before
    at(clock, services, 2026, 11, 25, 8, 30)
    at(clock, services, 2026, 11, 25, 8, 40)
    at(clock, services, 2026, 11, 26, 12, 0)
    pushes = group_pushes(emulator)[before:]
    assert len(pushes) == 1 and pushes[0]["counted"] == 9
    assert "【會議通知】區級聯繫會議" in said(pushes[0]) and "共同宣導活動預告：親職講座" in said(pushes[0])
    assert "action=mtg_rsvp" in str(pushes[0]["messages"])  # the attendance buttons came with it


def test_the_days_digest_goes_with_the_meetings_two_hour_reminder(emulator, services, clock):
    """On a meeting's day the morning's notices wait for its 2-hour reminder: one push, still before the meeting."""
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.text(demo.SECRETARIAT, "會議 專案工作小組 115/11/26 14:00 本所3樓簡報室", group_id=demo.GROUP)
    emulator.text(demo.SOCIAL_WORKER, "活動 115/12/3 14:00-16:00 中壢區公所3樓 親職講座 可共同宣導")  # due 11-30
    at(clock, services, 2026, 11, 25, 14, 0)  # the day before: its own reminder
    at(clock, services, 2026, 11, 25, 14, 10)
    before = len(group_pushes(emulator))
    at(clock, services, 2026, 11, 26, 8, 30)
    at(clock, services, 2026, 11, 26, 8, 40)
    assert len(group_pushes(emulator)) == before  # the digest waits for the meeting's hour
    at(clock, services, 2026, 11, 26, 12, 0)
    at(clock, services, 2026, 11, 26, 12, 10)
    at(clock, services, 2026, 11, 27, 12, 0)
    pushes = group_pushes(emulator)[before:]
    assert len(pushes) == 1 and pushes[0]["counted"] == 9
    assert "專案工作小組將於2小時後召開" in said(pushes[0]) and "共同宣導活動預告：親職講座" in said(pushes[0])


def test_after_the_digest_each_tick_reads_two_rows_sets_not_one_per_group(emulator, services, clock):
    from sqlalchemy import event

    from bot.digest import pull_into_digests
    from models.roster import Group
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    with services.db.transaction() as session:
        district_id = session.scalars(select(Group.district_id).where(Group.district_id.is_not(None))).first()
        session.add_all(Group(line_group_id=f"C{n:032x}", district_id=district_id, member_count=9,
                              joined_at=clock(), bound_at=clock()) for n in range(1, 41))
    statements: list[str] = []
    event.listen(services.db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    at(clock, services, 2026, 11, 27, 8, 30)  # the digest moment: every group's marker is written
    statements.clear()
    clock.set(datetime(2026, 11, 27, 8, 31, tzinfo=TAIPEI))
    assert pull_into_digests(services, clock()) == 0
    assert len([s for s in statements if s.startswith("SELECT")]) == 2  # the 41 groups, and which were pulled today
