"""Meetings through the LINE stand-in: one-line and guided scheduling, listing, attendance, moving, cancelling, CLI."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from models.meetings import Meeting, MeetingStatus
from models.reminders import Reminder, ReminderState
from rules.dates import TAIPEI
from scheduler.runner import tick
from tests import demo

ONE_LINE = "會議 區級聯繫會議 115/12/15 14:00 本所3樓簡報室"


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TAIPEI)


def bind(emulator) -> None:
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)


def last(emulator, to: str) -> str:
    return emulator.texts(to=to)[-1]


def reminder_rows(services, prefix: str = "meeting:") -> dict[str, tuple[str, datetime]]:
    """Each reminder's state and moment (Taipei), by key."""
    with services.db.transaction() as session:
        rows = session.scalars(select(Reminder).where(Reminder.key.startswith(prefix)))
        return {r.key: (r.state, r.due_at.astimezone(TAIPEI)) for r in rows}


def pending_moments(services, prefix: str = "meeting:1:") -> dict[str, datetime]:
    return {k: due for k, (state, due) in reminder_rows(services, prefix).items() if state == ReminderState.SCHEDULED}


def buttons_of(message: dict) -> dict[str, dict]:
    """The card's buttons by label: its action (postback data, datetime picker...)."""
    if message["type"] == "flex":
        return {b["action"]["label"]: b["action"] for b in message["contents"]["footer"]["contents"]}
    if message["type"] == "template":
        return {a["label"]: a for a in message["template"]["actions"]}
    return {i["action"]["label"]: i["action"] for i in message.get("quickReply", {}).get("items", [])}


def test_one_line_schedules_announces_and_plans_reminders(emulator, services):
    bind(emulator)
    emulator.text(demo.SECRETARIAT, ONE_LINE, group_id=demo.GROUP)
    announcement, card = emulator.messages(to=demo.GROUP)[-2:]
    assert "【會議通知】區級聯繫會議" in announcement["text"]
    assert "115/12/15(二) 14:00" in announcement["text"] and "本所3樓簡報室" in announcement["text"]
    assert "會議紀錄函送社會局：115年12月22日前" in announcement["text"]
    assert set(buttons_of(card)) == {"出席", "代理出席", "請假", "出席情形"}
    assert pending_moments(services) == {
        "meeting:1:lead:7d": at(2026, 12, 8, 14, 0),
        "meeting:1:lead:1d": at(2026, 12, 14, 14, 0),
        "meeting:1:lead:2h": at(2026, 12, 15, 12, 0),
        "meeting:1:review": at(2026, 12, 14, 9, 0),
        "meeting:1:minutes": at(2026, 12, 21, 8, 0),
    }
    with services.db.transaction() as session:
        minutes = session.scalars(select(Reminder).where(Reminder.key == "meeting:1:minutes")).one()
        assert minutes.to == demo.SECRETARIAT  # 1:1 to the organiser, not the group


def test_only_the_secretariat_schedules_and_mistakes_are_explained(emulator, services):
    bind(emulator)
    emulator.text(demo.POLICE, ONE_LINE, group_id=demo.GROUP)
    assert "只有中壢區的秘書單位或管理員" in last(emulator, demo.GROUP)
    emulator.text(demo.SECRETARIAT, "會議 聯繫會議 115/12/15 14:00 本所", group_id=demo.GROUP)
    assert "府級聯繫會議、區級聯繫會議" in last(emulator, demo.GROUP)
    emulator.text(demo.SECRETARIAT, "會議 區級聯繫會議 115/12/15 本所", group_id=demo.GROUP)
    assert "開始時間" in last(emulator, demo.GROUP)
    emulator.text(demo.SECRETARIAT, ONE_LINE + " 議程：討論王小明 0912345678 個案", group_id=demo.GROUP)
    assert "個人資料" in last(emulator, demo.GROUP)  # the group-wide screen (or ours) stops it
    emulator.text(demo.SECRETARIAT, ONE_LINE + " 議程：討論王小明 0912345678 個案")
    refusal = emulator.texts(to=demo.SECRETARIAT)[-2]  # then the masked version, one tap away
    assert "「會議議程」含有個人資料：電話號碼" in refusal and "0912345678" not in refusal
    emulator.text(demo.NEWCOMER, "會議", group_id=demo.GROUP)
    assert "限已註冊" in last(emulator, demo.GROUP)
    with services.db.transaction() as session:
        assert session.scalars(select(Meeting)).all() == []


def test_guided_flow_with_the_datetime_picker(emulator, services, clock):
    bind(emulator)
    emulator.text(demo.SECRETARIAT, "新增會議")
    choices = buttons_of(emulator.messages(to=demo.SECRETARIAT)[-1])
    assert {"府級聯繫會議", "區級聯繫會議", "區級個案研討會議", "專案工作小組"} <= set(choices)
    emulator.postback(demo.SECRETARIAT, choices["區級個案研討會議"]["data"])
    picker = buttons_of(emulator.messages(to=demo.SECRETARIAT)[-1])["選擇日期時間"]
    assert picker["type"] == "datetimepicker" and picker["mode"] == "datetime"
    emulator.postback(demo.SECRETARIAT, picker["data"], params={"datetime": "2026-11-20T14:00"})
    assert "已經過了" in emulator.texts(to=demo.SECRETARIAT)[-2]  # the past is refused, the picker offered again
    emulator.postback(demo.SECRETARIAT, picker["data"], params={"datetime": "2027-03-16T14:00"})
    assert "地點" in last(emulator, demo.SECRETARIAT)
    emulator.text(demo.SECRETARIAT, "中壢家庭服務中心會議室")
    emulator.text(demo.SECRETARIAT, "略過")
    confirm = emulator.messages(to=demo.SECRETARIAT)[-1]
    assert "116/03/16(二) 14:00" in last(emulator, demo.SECRETARIAT)
    assert pending_moments(services) == {}  # nothing is scheduled before the confirmation
    emulator.postback(demo.SECRETARIAT, buttons_of(confirm)["確認排定"]["data"])
    # Months ahead: the group's notice waits for a morning digest (at the latest Thursday's; nothing else is due).
    assert "已排定區級個案研討會議（編號1）。將隨群組晨間摘要通知群組（最晚 115/11/26(四) 08:30）" in \
        last(emulator, demo.SECRETARIAT)
    assert not any("【會議通知】" in t for t in emulator.texts(to=demo.GROUP))
    clock.set(at(2026, 11, 26, 8, 30))
    tick(services)
    announcement = emulator.texts(to=demo.GROUP)[-2]
    assert "【會議通知】區級個案研討會議（編號1）" in announcement
    assert "區級個案研討會議個案提報截止：116年2月16日（會議前1個月）" in announcement
    # The case-submission notice falls inside the 2027 Lunar New Year break and moves to the next workday.
    assert pending_moments(services)["meeting:1:cases"] == at(2027, 2, 11, 8, 0)
    emulator.text(demo.SECRETARIAT, "中壢")  # the flow has ended: no answer is taken as a place
    assert "沒有看懂" in last(emulator, demo.SECRETARIAT)


def test_guided_flow_accepts_typed_dates_and_can_be_cancelled(emulator, services):
    bind(emulator)
    emulator.text(demo.SECRETARIAT, "新增會議", group_id=demo.GROUP)
    emulator.text(demo.SECRETARIAT, "區級聯繫會議", group_id=demo.GROUP)
    emulator.text(demo.POLICE, "收到", group_id=demo.GROUP)  # another member's chatter is not an answer
    emulator.text(demo.SECRETARIAT, "115/12/15 下午2時", group_id=demo.GROUP)
    assert "地點" in last(emulator, demo.GROUP)
    emulator.text(demo.SECRETARIAT, "取消", group_id=demo.GROUP)
    assert "已取消" in last(emulator, demo.GROUP)
    with services.db.transaction() as session:
        assert session.scalars(select(Meeting)).all() == []


def test_listing_shows_deadlines_and_proposes_a_date_when_a_cycle_would_be_missed(emulator, services, clock):
    bind(emulator)
    emulator.text(demo.POLICE, "會議", group_id=demo.GROUP)
    listing = last(emulator, demo.GROUP)
    assert "目前沒有排定的會議" in listing
    assert "區級聯繫會議：本期（115/08/01–115/11/30）尚未排定，建議於115年11月30日召開" in listing
    assert "區級個案研討會議：本期（115/10/01–115/11/30）尚未排定" in listing
    assert "府級聯繫會議" not in listing  # a city-wide tier is not proposed to a district
    emulator.text(demo.SECRETARIAT, "會議 區級聯繫會議 115/11/27 14:00 本所3樓簡報室", group_id=demo.GROUP)
    emulator.text(demo.POLICE, "會議")
    listing = last(emulator, demo.POLICE)
    assert "編號1｜區級聯繫會議" in listing and "115/11/27(五) 14:00" in listing
    assert "會議紀錄函送社會局：115年12月4日前" in listing
    assert "區級聯繫會議：本期" not in listing and "區級個案研討會議：本期" in listing
    assert "會議改期" not in listing  # management hints are for the secretariat
    clock.set(at(2026, 11, 30, 10, 0))  # after the meeting, its minutes are still due
    emulator.text(demo.POLICE, "會議")
    listing = last(emulator, demo.POLICE)
    assert "目前沒有排定的會議" in listing
    assert "【會議紀錄期限】\n・編號1（115/11/27）區級聯繫會議會議紀錄函送社會局：115年12月4日前" in listing


def test_attendance_per_unit_and_board_on_request(emulator, services):
    bind(emulator)
    emulator.text(demo.SECRETARIAT, ONE_LINE, group_id=demo.GROUP)
    card = buttons_of(emulator.messages(to=demo.GROUP)[-1])
    emulator.postback(demo.POLICE, card["出席"]["data"], group_id=demo.GROUP)
    assert "已登記：分局「出席」" in last(emulator, demo.GROUP)
    emulator.postback(demo.FIRE, card["請假"]["data"], group_id=demo.GROUP)
    emulator.postback(demo.SOCIAL_WORKER, card["代理出席"]["data"], group_id=demo.GROUP)
    emulator.postback(demo.POLICE, card["代理出席"]["data"], group_id=demo.GROUP)  # a later tap replaces
    emulator.postback(demo.NEWCOMER, card["出席"]["data"], group_id=demo.GROUP)
    assert "限已註冊" in last(emulator, demo.GROUP)
    emulator.text(demo.HEALTH, "出席情形", group_id=demo.GROUP)
    board = last(emulator, demo.GROUP)
    assert "出席（0）" in board
    assert "代理出席（2）：中壢家庭服務中心、分局" in board
    assert "請假（1）：消防" in board
    assert "未回覆（" in board and "社會課" in board.split("未回覆")[1]
    emulator.postback(demo.HEALTH, card["出席情形"]["data"], group_id=demo.GROUP)
    assert last(emulator, demo.GROUP) == board


def test_moving_and_cancelling_tell_the_group_once_and_follow_the_reminders(emulator, services, clock):
    bind(emulator)
    emulator.text(demo.SECRETARIAT, ONE_LINE)  # scheduled in 1:1: the notice waits for a morning digest
    assert "將隨群組晨間摘要通知群組" in last(emulator, demo.SECRETARIAT)
    clock.set(at(2026, 11, 26, 8, 30))
    tick(services)
    assert sum("【會議通知】" in t for t in emulator.texts(to=demo.GROUP)) == 1
    emulator.text(demo.SECRETARIAT, "會議改期 1 115/12/22 14:00")
    emulator.text(demo.SECRETARIAT, "會議改期 1 115/12/22 14:00")
    assert "沒有變更" in last(emulator, demo.SECRETARIAT)
    moved = [t for t in emulator.texts(to=demo.GROUP) if "【會議改期】" in t]
    assert len(moved) == 1 and "原訂：115/12/15(二) 14:00" in moved[0] and "改為：115/12/22(二) 14:00" in moved[0]
    assert "115年12月29日前" in moved[0]  # the minutes deadline moved with it
    assert pending_moments(services) == {
        "meeting:1:lead:7d": at(2026, 12, 15, 14, 0),
        "meeting:1:lead:1d": at(2026, 12, 21, 14, 0),
        "meeting:1:lead:2h": at(2026, 12, 22, 12, 0),
        "meeting:1:review": at(2026, 12, 21, 9, 0),
        "meeting:1:minutes": at(2026, 12, 28, 8, 0),  # due Tue 12/29: notice Sun 12/27 -> Mon 08:00
    }
    emulator.text(demo.POLICE, "會議取消 1")
    assert "限秘書單位" in last(emulator, demo.POLICE)
    emulator.text(demo.SECRETARIAT, "會議取消 1", group_id=demo.GROUP)
    emulator.text(demo.SECRETARIAT, "會議取消 1", group_id=demo.GROUP)
    assert "已經取消過" in last(emulator, demo.GROUP)
    assert sum("【會議取消】" in t for t in emulator.texts(to=demo.GROUP)) == 1
    assert pending_moments(services) == {}
    assert {state for state, _ in reminder_rows(services).values()} == {ReminderState.CANCELLED}
    with services.db.transaction() as session:
        assert session.get(Meeting, 1).status == MeetingStatus.CANCELLED


def test_cli_add_move_cancel(emulator, services, app):
    bind(emulator)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["meetings", "add", "--district", "中壢區", "--type", "區級聯繫會議",
                                 "--start", "2026-12-05 14:00", "--place", "本所3樓簡報室"])
    assert result.exit_code == 0, result.output
    assert "1: 區級聯繫會議 115/12/05(六) 14:00 本所3樓簡報室" in result.output
    assert "【會議通知】區級聯繫會議" in emulator.texts(to=demo.GROUP)[-2]
    with services.db.transaction() as session:
        assert session.get(Meeting, 1).organiser_line_id == demo.SECRETARIAT  # the district's secretariat
    assert "meeting:1:lead:7d" in pending_moments(services)
    result = runner.invoke(args=["meetings", "move", "--id", "1", "--start", "115/12/8 14:00"])
    assert result.exit_code == 0, result.output
    assert "【會議改期】" in emulator.texts(to=demo.GROUP)[-2]
    assert pending_moments(services)["meeting:1:lead:7d"] == at(2026, 12, 1, 14, 0)
    result = runner.invoke(args=["meetings", "list", "--district", "中壢"])
    assert "reminder meeting:1:lead:1d at 115/12/07(一) 14:00" in result.output
    result = runner.invoke(args=["meetings", "add", "--district", "中壢區", "--type", "聯繫會議",
                                 "--start", "2026-12-05 14:00", "--place", "x"])
    assert result.exit_code != 0 and "2 tiers" in result.output
    result = runner.invoke(args=["meetings", "cancel", "--id", "1"])
    assert result.exit_code == 0 and "【會議取消】" in last(emulator, demo.GROUP)
