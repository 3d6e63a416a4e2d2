"""The district's secret feed, spreadsheet and month view, read back with icalendar and openpyxl."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from io import BytesIO

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy import select, text

from handlers.calendar import service
from handlers.calendar.service import Draft
from bot import roster
from models.calendar import Activity
from models.roster import District
from rules import calendar as periods
from tests import demo


def add(services, unit_name: str, title: str, day: date, start: time, end: time | None = None,
        place: str = "中壢區公所3樓", joinable: bool = False, note: str | None = None) -> int:
    with services.db.transaction() as session:
        district = roster.find_district(session, "中壢區")
        unit = roster.find_unit(session, district, unit_name)
        draft = Draft(title=title, place=place, day=day, start=start, end=end, joinable=joinable, note=note)
        return service.add(session, unit, demo.POLICE, draft, services.clock()).id


def token(services) -> str:
    with services.db.transaction() as session:
        district = roster.find_district(session, "中壢區")
        return service.feed_token(session, services.config, district, services.clock())


def events(client, feed: str) -> dict[str, object]:
    response = client.get(f"/calendar/{feed}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    assert str(calendar["X-WR-CALNAME"]) == "中壢區社安網活動期程"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Taipei"]
    found = {}
    for event in calendar.walk("VEVENT"):
        assert all(key in event for key in ("UID", "DTSTAMP", "DTSTART", "SUMMARY"))  # RFC 5545 / importers
        found[str(event["UID"])] = event
    return found


@pytest.fixture
def two(services):
    talk = add(services, "桃園市政府警察局中壢分局", "家暴防治宣導講座", date(2026, 12, 5), time(14), time(16),
               joinable=True, note="歡迎攜帶文宣")
    drill = add(services, "桃園市政府消防局中壢分隊", "防災演練", date(2026, 12, 9), time(9))
    return talk, drill


def test_ics_feed_keeps_uids_bumps_sequence_and_marks_cancelled(client, services, two):
    talk_id, drill_id = two
    feed = token(services)
    first = events(client, feed)
    assert len(first) == 2
    with services.db.transaction() as session:
        talk, drill = session.get(Activity, talk_id), session.get(Activity, drill_id)
        talk_uid, drill_uid = talk.uid, drill.uid
    talk_event = first[talk_uid]
    assert str(talk_event["SUMMARY"]) == "[桃園市政府警察局中壢分局] 家暴防治宣導講座"  # the feed leaves the chat: full name
    assert talk_event.decoded("DTSTART") == datetime(2026, 12, 5, 6, 0, tzinfo=timezone.utc)
    assert str(talk_event["DTSTART"].params["TZID"]) == "Asia/Taipei"
    assert talk_event.decoded("DTEND") == datetime(2026, 12, 5, 8, 0, tzinfo=timezone.utc)
    assert str(talk_event["LOCATION"]) == "中壢區公所3樓" and "歡迎攜帶文宣" in str(talk_event["DESCRIPTION"])
    assert int(talk_event["SEQUENCE"]) == 0 and str(talk_event["STATUS"]) == "CONFIRMED"
    assert "DTEND" not in first[drill_uid]  # no end given: none invented

    with services.db.transaction() as session:
        talk, drill = session.get(Activity, talk_id), session.get(Activity, drill_id)
        draft = Draft.of(talk)
        draft.start, draft.end = time(15), time(17)
        assert service.apply(talk, draft, demo.POLICE, services.clock())
        assert not service.apply(talk, Draft.of(talk), demo.POLICE, services.clock())  # no change, no bump
        service.cancel(session, drill, demo.FIRE, services.clock())
    second = events(client, feed)
    assert set(second) == {talk_uid, drill_uid}
    assert int(second[talk_uid]["SEQUENCE"]) == 1
    assert second[talk_uid].decoded("DTSTART") == datetime(2026, 12, 5, 7, 0, tzinfo=timezone.utc)
    assert str(second[drill_uid]["STATUS"]) == "CANCELLED" and int(second[drill_uid]["SEQUENCE"]) == 1


def test_feed_tokens_are_checked_and_revocable(client, services, two):
    feed = token(services)
    assert client.get(f"/calendar/{feed}.ics").status_code == 200
    body, signature = feed.rsplit(".", 1)
    # Change a character that always counts: the last one of a base64 signature carries bits that do not.
    forged = f"{body}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    assert client.get(f"/calendar/{forged}.ics").status_code == 404
    assert client.get("/calendar/WzIsMV0.forged/month").status_code == 404
    with services.db.transaction() as session:
        service.rotate_feed(session, roster.find_district(session, "中壢區"), services.clock())
    for path in (f"/calendar/{feed}.ics", f"/calendar/{feed}/month", f"/calendar/{feed}/schedule.xlsx"):
        assert client.get(path).status_code == 404
    assert client.get(f"/calendar/{token(services)}.ics").status_code == 200


def test_xlsx_in_the_minutes_layout(client, services, two):
    response = client.get(f"/calendar/{token(services)}/schedule.xlsx?m=2026-12")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(BytesIO(response.data))
    sheet = book["活動期程"]
    assert sheet["A1"].value == "桃園市中壢區社會安全網網絡單位活動期程表"
    assert "期間：115年12月1日(二)至115年12月31日(四)" in sheet["A2"].value and "共 2 項" in sheet["A2"].value
    assert [c.value for c in sheet[3]] == ["編號", "日期", "時間", "活動名稱", "地點", "主辦單位", "可共同宣導", "備註"]
    assert [c.value for c in sheet[4]] == [1, "115年12月5日(六)", "14:00–16:00", "家暴防治宣導講座", "中壢區公所3樓",
                                           "桃園市政府警察局中壢分局", "✓", "歡迎攜帶文宣"]
    assert [c.value for c in sheet[5]][:7] == [2, "115年12月9日(三)", "09:00 起", "防災演練", "中壢區公所3樓",
                                               "桃園市政府消防局中壢分隊", None]
    assert sheet.max_row == 5
    assert "A1:H1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$3:$3"


def test_xlsx_defaults_to_the_open_calls_period(client, services, two):
    with services.db.transaction() as session:
        district = roster.find_district(session, "中壢區")
        terms = periods.parse_call("115/12/6-115/12/31 115/11/30", date(2026, 11, 24))
        service.open_call(session, district, demo.GROUP, terms, demo.SECRETARIAT, services.clock(), services.config)
    sheet = load_workbook(BytesIO(client.get(f"/calendar/{token(services)}/schedule.xlsx").data)).active
    assert "115年12月6日(日)至115年12月31日(四)" in sheet["A2"].value
    assert [sheet.cell(row=r, column=4).value for r in range(4, sheet.max_row + 1)] == ["防災演練"]


def test_month_view_is_served_privately(client, services, two):
    response = client.get(f"/calendar/{token(services)}/month?m=115-12")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["X-Robots-Tag"].startswith("noindex")
    assert "民國115年12月" in page and "家暴防治宣導講座" in page and "可共同宣導" in page
    assert client.get(f"/calendar/{token(services)}/month?m=13月").status_code == 400


def test_free_text_is_encrypted_at_rest(services, two):
    with services.db.transaction() as session:
        raw = session.execute(text("SELECT title, place, note FROM calendar_activities ORDER BY id")).first()
    assert "家暴" not in raw.title and "中壢" not in raw.place and "文宣" not in raw.note


def test_window_and_clashes_follow_taipei_days(services):
    late = add(services, "桃園市政府警察局中壢分局", "夜間巡守說明", date(2026, 12, 5), time(23, 30))
    early = add(services, "中壢區衛生所", "晨間篩檢", date(2026, 12, 6), time(0, 0), time(1, 0), place="中壢區公所 3樓")
    with services.db.transaction() as session:
        district = session.scalars(select(District).where(District.name == "中壢區")).one()
        assert [a.id for a in service.window(session, district.id, date(2026, 12, 6), date(2026, 12, 6))] == [early]
        assert [a.id for a in service.clashes(session, session.get(Activity, early))] == [late]
