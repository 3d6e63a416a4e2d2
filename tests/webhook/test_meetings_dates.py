"""Dates as people type them, through signed events: 明天, 下週四, 下午兩點; a day off is pointed out."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from models.calendar import Activity
from models.meetings import Meeting
from tests import demo
from tests.webhook.test_meetings import bind, last

# The clock stands at Tuesday 115/11/24 10:00 in Taipei.


def test_a_meeting_said_as_next_thursday_afternoon_is_scheduled_and_echoed(emulator, services):
    bind(emulator)
    emulator.text(demo.SECRETARIAT, "會議 區級聯繫會議 下週四 下午兩點 本所3樓簡報室", group_id=demo.GROUP)
    announcement = next(t for t in emulator.texts(to=demo.GROUP) if "會議通知" in t)
    assert "時間：115/12/03(四) 14:00" in announcement
    assert not [t for t in emulator.texts(to=demo.GROUP) if "非上班日" in t or "放假" in t]  # a Thursday
    with services.db.transaction() as session:
        meeting = session.scalars(select(Meeting)).one()
        assert meeting.starts_at == datetime(2026, 12, 3, 6, 0, tzinfo=timezone.utc)


def test_a_meeting_on_a_saturday_or_a_holiday_is_pointed_out(emulator):
    bind(emulator)
    emulator.text(demo.SECRETARIAT, "會議 區級聯繫會議 115/12/5 14:00 本所3樓簡報室", group_id=demo.GROUP)
    assert last(emulator, demo.GROUP) == ("⚠ 提醒：115年12月5日(六)是週六，非上班日。"
                                          "如需改期，請輸入「會議改期 1 日期 時間」。")
    emulator.text(demo.SECRETARIAT, "會議 區級個案研討會議 116/2/8 14:00 中壢家庭服務中心")  # 1:1
    assert last(emulator, demo.SECRETARIAT) == ("⚠ 提醒：116年2月8日(一)是春節，政府機關放假。"
                                                "如需改期，請輸入「會議改期 2 日期 時間」。")


def test_an_activity_said_as_tomorrow_is_saved_on_that_day(emulator, services):
    emulator.text(demo.POLICE, "活動 明天 下午2點至4點 中壢區公所3樓 家暴防治宣導講座")
    assert "115/11/25(三) 14:00–16:00" in last(emulator, demo.POLICE)
    with services.db.transaction() as session:
        row = session.scalars(select(Activity)).one()
        assert (row.starts_at, row.ends_at) == (datetime(2026, 11, 25, 6, 0, tzinfo=timezone.utc),
                                               datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc))
