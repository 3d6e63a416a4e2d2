"""Tracked items (列管事項) through the LINE stand-in: numbering, reporting, 除管/續管, monthly requests, review, .xlsx."""
from __future__ import annotations

from datetime import datetime
from io import BytesIO
from urllib.parse import urlsplit

from openpyxl import load_workbook
from sqlalchemy import select, text

from models.meetings import ItemStatus, ProgressNote, TrackedItem
from rules.dates import TAIPEI
from scheduler.runner import tick
from tests import demo
from tests.webhook.test_meetings import bind, buttons_of, last, reminder_rows


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TAIPEI)


def held_meeting_with_items(emulator, clock) -> None:
    """A district liaison meeting on 11/26 at 10:00 decides two items, owned by the police and a family centre."""
    bind(emulator)
    emulator.text(demo.SECRETARIAT, "會議 區級聯繫會議 115/11/26 10:00 本所3樓簡報室", group_id=demo.GROUP)
    clock.set(at(2026, 11, 26, 12, 0))
    emulator.text(demo.SECRETARIAT, "列管新增 分局、中壢家庭服務中心 加強高風險家庭訪視聯繫", group_id=demo.GROUP)
    emulator.text(demo.SECRETARIAT, "列管新增 家服中心 建立夜間聯繫窗口名單", group_id=demo.GROUP)


def progress_row(services, month: str) -> tuple[str, datetime]:
    """The state and moment of 中壢區's progress request for a month (YYYY-MM)."""
    rows = reminder_rows(services, "tracked:")
    return next(value for key, value in rows.items() if key.endswith(f":progress:{month}"))


def items(services) -> dict[str, TrackedItem]:
    with services.db.transaction() as session:
        found = session.scalars(select(TrackedItem)).all()
        return {item.number: item for item in found}


def test_items_are_numbered_after_their_meeting_and_listed(emulator, services, clock):
    emulator.text(demo.SECRETARIAT, "列管新增 分局 事項", group_id=demo.GROUP)
    assert "尚未綁定" in last(emulator, demo.GROUP)
    held_meeting_with_items(emulator, clock)
    assert "已新增列管事項 1151126-2：建立夜間聯繫窗口名單" in last(emulator, demo.GROUP)
    assert "主辦：中壢家庭服務中心" in last(emulator, demo.GROUP)
    assert sorted(items(services)) == ["1151126-1", "1151126-2"]
    emulator.text(demo.SECRETARIAT, "列管新增 火星局 事項", group_id=demo.GROUP)
    assert "沒有「火星局」這個單位" in last(emulator, demo.GROUP)
    emulator.text(demo.POLICE, "列管新增 分局 事項", group_id=demo.GROUP)
    assert "限秘書單位" in last(emulator, demo.GROUP)
    emulator.text(demo.SECRETARIAT, "會議 區級個案研討會議 115/11/30 14:00 中壢家庭服務中心", group_id=demo.GROUP)
    emulator.text(demo.SECRETARIAT, "列管新增 編號2 家服中心 個案追蹤", group_id=demo.GROUP)
    assert "請指定本區已召開的會議" in last(emulator, demo.GROUP)  # the case conference has not met yet
    emulator.text(demo.SECRETARIAT, "列管新增 編號1 家服中心 追加事項", group_id=demo.GROUP)
    assert "已新增列管事項 1151126-3" in last(emulator, demo.GROUP)
    emulator.text(demo.FIRE, "列管", group_id=demo.GROUP)
    listing = last(emulator, demo.GROUP)
    assert "1151126-1｜續管｜加強高風險家庭訪視聯繫" in listing and "1151126-3" in listing
    assert "主辦：中壢家庭服務中心、分局" in listing and "尚未回報" in listing
    # The first monthly progress request is scheduled for the 1st of next month.
    assert progress_row(services, "2026-12")[1] == at(2026, 12, 1, 9, 0)


def test_owners_report_progress_screened_and_encrypted(emulator, services, clock):
    held_meeting_with_items(emulator, clock)
    emulator.text(demo.POLICE, "列管回報 1151126-1 已完成轄區高風險家庭訪視3戶", group_id=demo.GROUP)
    assert "已記錄 1151126-1 辦理情形（115/11/26）" in last(emulator, demo.GROUP)
    emulator.text(demo.FIRE, "列管回報 1151126-1 消防也去了")
    assert "只有主辦單位" in last(emulator, demo.FIRE)
    emulator.text(demo.SOCIAL_WORKER, "列管回報 １１５１１２６－２ 案主王小明 0912345678 已聯繫")
    refusal = emulator.texts(to=demo.SOCIAL_WORKER)[-2]  # then the masked version, one tap away
    assert "「列管辦理情形」含有個人資料" in refusal and "電話號碼" in refusal and "姓名" in refusal
    emulator.text(demo.SOCIAL_WORKER, "列管回報 1151126-9 不存在的案號")
    assert "請寫成：列管回報 案號 內容" in last(emulator, demo.SOCIAL_WORKER)
    with services.db.transaction() as session:
        notes = session.scalars(select(ProgressNote)).all()
        assert [n.body for n in notes] == ["已完成轄區高風險家庭訪視3戶"]
        raw = session.execute(text("SELECT body FROM tracked_item_notes")).scalar_one()
        assert "訪視" not in raw  # stored as a Fernet token
    emulator.text(demo.HEALTH, "列管", group_id=demo.GROUP)
    assert "最近進度：115/11/26 已完成轄區高風險家庭訪視3戶" in last(emulator, demo.GROUP)


def test_secretariat_closes_and_reopens_items(emulator, services, clock):
    held_meeting_with_items(emulator, clock)
    emulator.text(demo.POLICE, "除管 1151126-1", group_id=demo.GROUP)
    assert "限秘書單位" in last(emulator, demo.GROUP)
    emulator.text(demo.SECRETARIAT, "除管 1151126-1", group_id=demo.GROUP)
    assert "1151126-1「加強高風險家庭訪視聯繫」已除管" in last(emulator, demo.GROUP)
    emulator.text(demo.SECRETARIAT, "除管 1151126-1", group_id=demo.GROUP)
    assert "目前已是除管" in last(emulator, demo.GROUP)
    assert items(services)["1151126-1"].status == ItemStatus.CLOSED
    emulator.text(demo.SECRETARIAT, "除管 1151126-2")
    assert progress_row(services, "2026-12")[0] == "cancelled"  # nothing open
    emulator.text(demo.SECRETARIAT, "續管 1151126-2")
    assert "已續管" in last(emulator, demo.SECRETARIAT)
    assert progress_row(services, "2026-12")[0] == "scheduled"
    emulator.text(demo.HEALTH, "列管")
    listing = last(emulator, demo.HEALTH)
    assert "1151126-2" in listing and "1151126-1" not in listing


def test_monthly_progress_request_goes_to_owning_units_in_private(emulator, services, clock):
    held_meeting_with_items(emulator, clock)
    clock.set(at(2026, 12, 1, 8, 59))
    tick(services)
    assert emulator.deliveries(to=demo.POLICE) == []
    clock.set(at(2026, 12, 1, 9, 0))
    tick(services)
    police = emulator.texts(to=demo.POLICE)
    assert len(police) == 1 and "【列管事項每月進度回報｜115年12月】分局主辦" in police[0]
    assert "1151126-1" in police[0] and "1151126-2" not in police[0]
    worker = emulator.texts(to=demo.SOCIAL_WORKER)
    assert len(worker) == 1 and "1151126-1" in worker[0] and "1151126-2" in worker[0]
    assert emulator.deliveries(to=demo.FIRE) == []
    assert not any("列管事項每月進度回報" in t for t in emulator.texts(to=demo.GROUP))
    clock.advance(hours=1)
    tick(services)
    assert len(emulator.texts(to=demo.POLICE)) == 1  # once a month, not once a tick
    # The job keeps next month's request scheduled while items are open.
    assert progress_row(services, "2027-01") == ("scheduled", at(2027, 1, 4, 8, 0))


def test_review_card_before_the_next_meeting_and_xlsx_for_the_minutes(emulator, services, clock, client):
    held_meeting_with_items(emulator, clock)
    emulator.text(demo.POLICE, "列管回報 1151126-1 已完成轄區高風險家庭訪視3戶")
    emulator.text(demo.SECRETARIAT, "除管 1151126-2")
    emulator.text(demo.SECRETARIAT, "會議 區級聯繫會議 115/12/15 14:00 本所3樓簡報室", group_id=demo.GROUP)
    clock.set(at(2026, 12, 14, 9, 0))
    tick(services)
    card = next(m for m in emulator.messages(to=demo.GROUP) if "前次會議待辦事項辦理情形" in m.get("altText", ""))
    shown = "\n".join(emulator.texts(to=demo.GROUP))
    assert "續管｜加強高風險家庭訪視聯繫" in shown and "115/11/26 已完成轄區高風險家庭訪視3戶" in shown
    assert "除管｜建立夜間聯繫窗口名單" in shown  # closed since the previous meeting: reported once more
    assert card["type"] == "flex"
    offer = emulator.messages(to=demo.SECRETARIAT)[-1]
    download = buttons_of(offer)["下載列管附表(.xlsx)"]
    emulator.postback(demo.SECRETARIAT, download["data"], group_id=demo.GROUP)
    assert "一對一聊天" in last(emulator, demo.GROUP)  # never a link in the group
    emulator.postback(demo.SECRETARIAT, download["data"])
    link = last(emulator, demo.SECRETARIAT).split("\n")[1]
    url = urlsplit(link)
    response = client.get(f"{url.path}?{url.query}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert "前次會議待辦事項辦理情形" in rows[0][0] and rows[1][0] == "案號"
    assert rows[2][0] == "1151126-1" and "已完成轄區高風險家庭訪視3戶" in rows[2][3] and rows[2][5] == "續管"
    assert rows[3][0] == "1151126-2" and rows[3][5] == "除管"
    assert client.get(f"{url.path}?t=forged").status_code == 403
    assert client.get(f"/meetings/1/review.xlsx?{url.query}").status_code == 403  # a token for another meeting
    emulator.text(demo.POLICE, "紀錄附表 2")
    assert "限秘書單位" in last(emulator, demo.POLICE)
