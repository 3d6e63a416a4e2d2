"""The console's 活動期程: a unit's activity added in chat appears in the month grid and list; subscription; xlsx."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from tests import demo
from tests.console.people import district_id
from tests.console.signin import sign_in
from tests.webhook.test_calendar import ONE_LINE


def test_month_view_list_subscription_and_spreadsheet(client, services, emulator) -> None:
    emulator.text(demo.POLICE, ONE_LINE)
    sign_in(client, demo.SECRETARIAT)
    base = f"/console/{district_id(services)}/activities/"
    page = client.get(base + "?m=2026-12").get_data(as_text=True)
    assert "中壢區活動期程：民國115年12月" in page
    assert "家暴防治宣導講座" in page and "中壢區公所3樓" in page and "警察局中壢分局" in page
    assert "民國115年11月" in client.get(base).get_data(as_text=True)  # this month by default
    ics = page.split('id="ics" value="')[1].split('"')[0]
    assert "/calendar/" in ics and ics.endswith(".ics")
    sheet = load_workbook(io.BytesIO(client.get(base + "schedule.xlsx?m=2026-12").data)).active
    assert any(c.value == "家暴防治宣導講座" for row in sheet.iter_rows() for c in row)
    feed = client.get(ics[ics.index("/calendar/"):])
    assert feed.status_code == 200 and "家暴防治宣導講座" in feed.get_data(as_text=True)
