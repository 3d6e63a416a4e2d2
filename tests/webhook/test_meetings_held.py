"""A district new to the bot records its last meeting as held (已召開) and numbers that meeting's 列管 items."""
from __future__ import annotations

from sqlalchemy import select

from models.meetings import Meeting
from scheduler.runner import tick
from tests import demo
from tests.webhook.test_meetings import at, bind, buttons_of, last, reminder_rows

PAST_LINE = "會議 區級聯繫會議 115/11/20 14:00 本所3樓簡報室"  # the clock stands at 115/11/24


def meetings(services) -> list[Meeting]:
    with services.db.transaction() as session:
        return list(session.scalars(select(Meeting).order_by(Meeting.id)))


def test_a_past_meeting_is_recorded_as_held_and_its_items_numbered(emulator, services, clock):
    bind(emulator)
    emulator.text(demo.SECRETARIAT, "列管新增 分局 加強高風險家庭訪視聯繫", group_id=demo.GROUP)
    assert "會議 已召開" in last(emulator, demo.GROUP)  # the dead end now says the way out

    emulator.text(demo.SECRETARIAT, PAST_LINE, group_id=demo.GROUP)
    offer = emulator.messages(to=demo.GROUP)[-1]
    assert "115年11月20日(五) 14:00 已經過了" in offer["text"] and meetings(services) == []
    tap = buttons_of(offer)["登錄為已召開"]
    assert tap["text"] == "會議 已召開 區級聯繫會議 115/11/20 14:00 本所3樓簡報室"
    emulator.text(demo.SECRETARIAT, tap["text"], group_id=demo.GROUP)
    said = last(emulator, demo.GROUP)
    assert "已登錄已召開的區級聯繫會議（編號1）" in said and "115年11月20日(五) 14:00（已召開，不發提醒）" in said
    assert "案號自 1151120-1 起" in said
    assert [m["type"] for m in emulator.messages(to=demo.GROUP)].count("flex") == 0  # no attendance card
    assert reminder_rows(services) == {}

    emulator.text(demo.SECRETARIAT, tap["text"], group_id=demo.GROUP)  # a second tap records nothing twice
    assert "已登錄過（編號1）" in last(emulator, demo.GROUP) and len(meetings(services)) == 1

    emulator.text(demo.SECRETARIAT, "列管新增 分局 加強高風險家庭訪視聯繫", group_id=demo.GROUP)
    assert "已新增列管事項 1151120-1：加強高風險家庭訪視聯繫" in last(emulator, demo.GROUP)
    emulator.text(demo.POLICE, "列管回報 1151120-1 已訪視3戶", group_id=demo.GROUP)
    assert "已記錄 1151120-1 辦理情形" in last(emulator, demo.GROUP)

    clock.set(at(2026, 12, 20, 9, 0))
    tick(services)
    assert not [t for t in emulator.texts(to=demo.GROUP) if "會議提醒" in t]  # a held meeting is never reminded


def test_held_lines_are_checked(emulator, services):
    bind(emulator)
    emulator.text(demo.SECRETARIAT, "會議 已召開 區級聯繫會議 115/12/20 14:00 本所", group_id=demo.GROUP)
    assert "還沒到" in last(emulator, demo.GROUP)
    emulator.text(demo.SECRETARIAT, "會議 已召開 區級聯繫會議 113/11/20 14:00 本所", group_id=demo.GROUP)
    assert "一年內" in last(emulator, demo.GROUP)
    for line in ("會議 已召開 區級聯繫會議 115/11/20 14:00 本所 議程：討論王小明 0912345678 個案",
                 "會議 區級聯繫會議 115/11/20 14:00 本所 議程：討論王小明 0912345678 個案"):  # never echoed in a button
        emulator.text(demo.SECRETARIAT, line)
        assert "「會議議程」含有個人資料：電話號碼" in emulator.texts(to=demo.SECRETARIAT)[-2]
        assert "0912345678" not in str(emulator.messages(to=demo.SECRETARIAT)[-1])
    emulator.text(demo.POLICE, "會議 已召開 區級聯繫會議 115/11/20 14:00 本所", group_id=demo.GROUP)
    assert "只有中壢區的秘書單位或管理員" in last(emulator, demo.GROUP)
    assert meetings(services) == []
    emulator.text(demo.SECRETARIAT, "會議 已召開 區級聯繫會議 115/11/20 14:00 本所")  # in 1:1 too
    assert "已登錄已召開的區級聯繫會議（編號1）" in last(emulator, demo.SECRETARIAT)
    assert {d["kind"] for d in emulator.deliveries(to=demo.GROUP)} == {"reply"}  # nothing pushed to the group
