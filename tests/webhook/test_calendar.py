"""Activities through signed webhook events and the LINE stand-in: adding, editing, deleting, the schedule."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from bot import roster
from models.calendar import Activity, ActivityStatus
from models.roster import Role
from tests import demo

ONE_LINE = "活動 115/12/5 14:00-16:00 中壢區公所3樓 家暴防治宣導講座"
POLICE_DEPUTY = "U0000000000000000000000000000beef"  # hex, as LINE ids are


def activities(services) -> list[Activity]:
    with services.db.transaction() as session:
        rows = list(session.scalars(select(Activity).order_by(Activity.id)))
        for row in rows:
            _ = row.unit.name
        return rows


def last(emulator, to: str) -> str:
    return emulator.texts(to=to)[-1]


def quick_action(emulator, to: str, label_part: str) -> dict:
    """The action of the last message's quick-reply button whose label contains `label_part`."""
    items = emulator.messages(to=to)[-1]["quickReply"]["items"]
    return next(i["action"] for i in items if label_part in i["action"]["label"])


def footer_action(message: dict, label_part: str, bubble: int = 0) -> dict:
    contents = message["contents"]
    bubble_json = contents["contents"][bubble] if contents["type"] == "carousel" else contents
    return next(b["action"] for b in bubble_json["footer"]["contents"] if label_part in b["action"]["label"])


def test_one_line_add_is_saved_and_shown_as_a_card(emulator, services):
    emulator.text(demo.POLICE, ONE_LINE)
    card = emulator.messages(to=demo.POLICE)[-1]
    assert card["type"] == "flex"
    shown = last(emulator, demo.POLICE)
    assert "已新增活動" in shown and "115/12/05(六) 14:00–16:00" in shown and "中壢區公所3樓" in shown
    assert "主辦單位\n分局" in shown  # the short name in the card; exports carry the full name
    [row] = activities(services)
    assert (row.title, row.place, row.joinable, row.sequence) == ("家暴防治宣導講座", "中壢區公所3樓", False, 0)
    assert row.starts_at == datetime(2026, 12, 5, 6, 0, tzinfo=timezone.utc)
    assert row.ends_at == datetime(2026, 12, 5, 8, 0, tzinfo=timezone.utc)
    assert row.unit.name == "桃園市政府警察局中壢分局"


def test_unclear_one_line_gets_a_question_and_saves_nothing(emulator, services):
    for line, asked in [
        ("活動 115/12/5 2點 中壢區公所 講座", "清晨還是下午"),
        ("活動 115/12/5 中壢區公所 講座", "開始時間"),
        ("活動 115/12/6(六) 14:00 中壢區公所 講座", "不是星期六"),
        ("活動 115/11/20 14:00 中壢區公所 講座", "已經過了"),
        ("活動 115/12/5 14:00 家暴防治宣導講座", "地點與活動名稱"),
        ("活動 改天 14:00 公所 講座", "找不到日期"),
    ]:
        emulator.text(demo.POLICE, line)
        assert asked in last(emulator, demo.POLICE), line
    assert activities(services) == []


def test_personal_data_in_free_text_is_refused(emulator, services):
    emulator.text(demo.POLICE, "活動 115/12/5 14:00 中壢區中正路100號 家訪說明會")
    assert "「活動地點」含有個人資料：門牌地址" in emulator.texts(to=demo.POLICE)[-2]
    emulator.text(demo.POLICE, "活動 115/12/5 14:00 中壢區公所 陳美玲老師主講親職講座")
    assert "「活動名稱」含有個人資料：姓名" in emulator.texts(to=demo.POLICE)[-2]
    assert activities(services) == []
    # An agency's public address is not personal data.
    emulator.text(demo.POLICE, "活動 115/12/5 14:00 中壢區元化路159號1樓 親職講座")
    assert len(activities(services)) == 1


def test_guided_add_with_the_datetime_picker(emulator, services):
    emulator.text(demo.SOCIAL_WORKER, "活動")
    assert "活動名稱" in last(emulator, demo.SOCIAL_WORKER)
    emulator.text(demo.SOCIAL_WORKER, "社區家暴防治宣導")
    assert "請選擇日期" in last(emulator, demo.SOCIAL_WORKER)
    picker = quick_action(emulator, demo.SOCIAL_WORKER, "選擇日期")
    assert picker["type"] == "datetimepicker" and picker["mode"] == "date" and picker["min"] == "2026-11-24"
    emulator.text(demo.SOCIAL_WORKER, "12/5/6")  # typed instead, and ambiguous: asked again
    assert "年份不明確" in emulator.texts(to=demo.SOCIAL_WORKER)[-2]
    emulator.postback(demo.SOCIAL_WORKER, picker["data"], params={"date": "2026-12-08"})
    assert "開始時間" in last(emulator, demo.SOCIAL_WORKER)
    emulator.text(demo.SOCIAL_WORKER, "2點")
    assert "清晨還是下午" in emulator.texts(to=demo.SOCIAL_WORKER)[-2]
    start = quick_action(emulator, demo.SOCIAL_WORKER, "開始時間")
    emulator.postback(demo.SOCIAL_WORKER, start["data"], params={"time": "14:00"})
    assert "結束時間" in last(emulator, demo.SOCIAL_WORKER)
    emulator.text(demo.SOCIAL_WORKER, "下午4時")
    assert "地點" in last(emulator, demo.SOCIAL_WORKER)
    emulator.text(demo.SOCIAL_WORKER, "中壢家庭服務中心2樓")
    yes = quick_action(emulator, demo.SOCIAL_WORKER, "是")
    emulator.postback(demo.SOCIAL_WORKER, yes["data"])
    assert "備註" in last(emulator, demo.SOCIAL_WORKER)
    emulator.text(demo.SOCIAL_WORKER, "對象：里長、里幹事")
    assert "已新增活動" in last(emulator, demo.SOCIAL_WORKER)
    [row] = activities(services)
    assert (row.title, row.place, row.joinable, row.note) == (
        "社區家暴防治宣導", "中壢家庭服務中心2樓", True, "對象：里長、里幹事")
    assert row.starts_at == datetime(2026, 12, 8, 6, 0, tzinfo=timezone.utc)
    assert row.ends_at == datetime(2026, 12, 8, 8, 0, tzinfo=timezone.utc)


def test_guided_add_takes_a_whole_time_range_and_skips(emulator, services):
    for said in ("活動", "反毒宣導", "115年12月10日", "上午10時至12時", "中壢國小禮堂", "否", "略過"):
        emulator.text(demo.SCHOOL, said)
    assert "已新增活動" in last(emulator, demo.SCHOOL)
    [row] = activities(services)
    assert (row.starts_at.hour, row.ends_at.hour, row.joinable, row.note) == (2, 4, False, None)


def test_guided_add_can_be_cancelled_and_old_buttons_are_answered(emulator, services):
    emulator.text(demo.SCHOOL, "活動")
    emulator.text(demo.SCHOOL, "反毒宣導")
    picker = quick_action(emulator, demo.SCHOOL, "選擇日期")
    emulator.text(demo.SCHOOL, "取消")
    assert "已取消" in last(emulator, demo.SCHOOL)
    emulator.postback(demo.SCHOOL, picker["data"], params={"date": "2026-12-08"})
    assert "步驟已結束" in last(emulator, demo.SCHOOL)
    assert activities(services) == []


def test_guided_add_is_for_private_chat(emulator):
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.text(demo.POLICE, "活動", group_id=demo.GROUP)
    assert "私訊小幫手" in last(emulator, demo.GROUP)


def test_unregistered_people_cannot_add(emulator, services):
    emulator.text(demo.NEWCOMER, ONE_LINE)
    assert "限已註冊" in last(emulator, demo.NEWCOMER)
    assert activities(services) == []


def add_deputy(services) -> None:
    """A second contact of the police precinct: anyone of the unit may edit its activities."""
    with services.db.transaction() as session:
        district = roster.find_district(session, "中壢區")
        unit = roster.find_unit(session, district, "桃園市政府警察局中壢分局")
        roster.add_contact(session, POLICE_DEPUTY, unit, Role.MEMBER, "副窗口", services.clock())


def test_my_activities_edit_by_another_contact_of_the_unit(emulator, services):
    emulator.text(demo.POLICE, ONE_LINE)
    add_deputy(services)
    emulator.text(POLICE_DEPUTY, "我的活動")
    listing = emulator.messages(to=POLICE_DEPUTY)[-1]
    assert listing["contents"]["type"] == "carousel"
    emulator.postback(POLICE_DEPUTY, footer_action(listing, "修改")["data"])
    assert "哪一項" in last(emulator, POLICE_DEPUTY)
    emulator.postback(POLICE_DEPUTY, quick_action(emulator, POLICE_DEPUTY, "時間")["data"])
    emulator.text(POLICE_DEPUTY, "15:00-17:00")
    assert "已更新活動" in last(emulator, POLICE_DEPUTY) and "15:00–17:00" in last(emulator, POLICE_DEPUTY)
    [row] = activities(services)
    assert row.starts_at == datetime(2026, 12, 5, 7, 0, tzinfo=timezone.utc) and row.sequence == 1
    assert row.updated_by == POLICE_DEPUTY

    # The card's toggle opens it to other units' advocacy, as one more change.
    card = emulator.messages(to=POLICE_DEPUTY)[-1]
    emulator.postback(POLICE_DEPUTY, footer_action(card, "開放")["data"])
    [row] = activities(services)
    assert row.joinable and row.sequence == 2


def test_other_units_cannot_edit_or_delete(emulator, services):
    emulator.text(demo.POLICE, ONE_LINE)
    card = emulator.messages(to=demo.POLICE)[-1]
    for label in ("修改", "刪除"):
        emulator.postback(demo.HEALTH, footer_action(card, label)["data"])
        assert "只有分局的聯繫窗口" in last(emulator, demo.HEALTH)
    [row] = activities(services)
    assert row.is_active and row.sequence == 0


def test_delete_asks_then_cancels(emulator, services):
    emulator.text(demo.POLICE, ONE_LINE)
    card = emulator.messages(to=demo.POLICE)[-1]
    emulator.postback(demo.POLICE, footer_action(card, "刪除")["data"])
    confirm = emulator.messages(to=demo.POLICE)[-1]
    assert confirm["template"]["type"] == "confirm"
    keep, delete = confirm["template"]["actions"][1], confirm["template"]["actions"][0]
    emulator.postback(demo.POLICE, keep["data"])
    assert activities(services)[0].is_active
    emulator.postback(demo.POLICE, delete["data"])
    assert "已刪除" in last(emulator, demo.POLICE)
    [row] = activities(services)
    assert row.status == ActivityStatus.CANCELLED and row.sequence == 1
    emulator.text(demo.POLICE, "我的活動")
    assert "目前沒有即將舉行的活動" in last(emulator, demo.POLICE)


def test_overlap_at_the_same_place_warns_but_saves(emulator, services):
    emulator.text(demo.POLICE, ONE_LINE)
    emulator.text(demo.HEALTH, "活動 115/12/5 15:00-17:00 中壢區公所 3樓 心理衛生講座")
    shown = last(emulator, demo.HEALTH)
    assert "同一時段、同一場地已有活動" in shown and "家暴防治宣導講座（分局）" in shown
    emulator.text(demo.FIRE, "活動 115/12/5 16:00-17:00 中壢區公所3樓 防火宣導")  # after the police's ends
    assert "同一時段" in last(emulator, demo.FIRE)  # ...but still inside the health bureau's
    emulator.text(demo.SCHOOL, "活動 115/12/5 15:00-16:00 中壢國小 反霸凌宣導")
    assert "同一時段" not in last(emulator, demo.SCHOOL)
    assert len(activities(services)) == 4


def test_schedule_in_the_group_is_a_weekly_carousel(emulator, services):
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.text(demo.POLICE, ONE_LINE + " 可共同宣導")
    emulator.text(demo.HEALTH, "活動 115/12/9 09:00-12:00 中壢區衛生所 社區篩檢")
    emulator.text(demo.SCHOOL, "活動 115/11/26 10:00 學諮中心 輔導知能研習")
    emulator.text(demo.FIRE, "活動 116/3/1 10:00 中壢分隊 防災演練")  # beyond four weeks
    emulator.text(demo.NEWCOMER, "活動期程", group_id=demo.GROUP)  # anyone may ask
    schedule = emulator.messages(to=demo.GROUP)[-1]
    bubbles = schedule["contents"]["contents"]
    assert schedule["contents"]["type"] == "carousel" and len(bubbles) == 3
    shown = last(emulator, demo.GROUP)
    assert shown.index("輔導知能研習") < shown.index("家暴防治宣導講座") < shown.index("社區篩檢")
    assert "115/11/23(一)–11/29(日)" in shown and "115/11/30(一)–12/06(日)" in shown
    assert "★可共同宣導" in shown and "分局｜中壢區公所3樓" in shown
    assert "防災演練" not in shown
    emulator.text(demo.POLICE, "活動期程 中壢區")
    assert "共 3 項活動" in last(emulator, demo.POLICE)
    emulator.text(demo.ADMIN, "活動期程 桃園")
    assert "桃園區活動期程" in last(emulator, demo.ADMIN) and "尚無登錄的活動" in last(emulator, demo.ADMIN)
    # Outside the group, the schedule is for registered contacts only.
    emulator.text(demo.NEWCOMER, "活動期程 中壢區")
    assert "限網絡單位聯繫窗口" in last(emulator, demo.NEWCOMER)


def test_schedule_in_an_unbound_group_is_refused(emulator):
    emulator.text(demo.POLICE, "活動期程", group_id=demo.GROUP)
    assert "尚未綁定" in last(emulator, demo.GROUP)


def test_links_are_private_and_can_be_revoked(emulator, services):
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.text(demo.POLICE, "活動連結", group_id=demo.GROUP)
    assert "一對一聊天" in last(emulator, demo.GROUP)
    emulator.text(demo.POLICE, "活動連結")
    first = last(emulator, demo.POLICE)
    assert ".ics" in first and "/month" in first and "schedule.xlsx" in first and "重設" not in first
    emulator.text(demo.POLICE, "活動連結 重設")
    assert "只有秘書單位" in last(emulator, demo.POLICE)
    emulator.text(demo.SECRETARIAT, "活動連結 重設")
    assert "已重設" in emulator.texts(to=demo.SECRETARIAT)[-2]
    emulator.text(demo.POLICE, "活動連結")
    assert last(emulator, demo.POLICE) != first
