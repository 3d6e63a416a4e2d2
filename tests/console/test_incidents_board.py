"""The console's 求助 board: requests made in the group, as the secretariat sees them; filters; timeline; export."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from scheduler.runner import tick
from tests import demo
from tests.console.people import district_id
from tests.console.signin import sign_in


@pytest.fixture
def requests_made(emulator, clock):
    """Two requests in 中壢區's group: one claimed by 衛生局 after 12 minutes, one left open and escalated."""
    emulator.join(demo.GROUP)
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.text(demo.SOCIAL_WORKER, "求助 緊急 @衛生局 新興路附近有長者情緒激動，需要協助")
    card = [m for m in emulator.messages(to=demo.GROUP) if m["type"] == "flex"][-1]
    claim = card["contents"]["footer"]["contents"][0]["action"]["data"]
    clock.advance(minutes=12)
    emulator.postback(demo.HEALTH, claim, group_id=demo.GROUP)
    emulator.text(demo.POLICE, "求助 一般 就學 @學諮中心 =HYPERLINK(\"http://x\") 學生連續缺課需要協助")
    clock.advance(minutes=40)


def detail_page(client, base: str, number: str) -> str:
    """Follow the board's link of one request."""
    board = client.get(base).get_data(as_text=True)
    link = board[board.rindex(base, 0, board.index(number)):].split('"')[0]
    return client.get(link).get_data(as_text=True)


def test_board_shows_states_claim_time_and_escalations(client, services, requests_made, clock) -> None:
    tick(services, clock())  # the open 一般 request's escalations come due on workday time
    sign_in(client, demo.SECRETARIAT)
    page = client.get(f"/console/{district_id(services)}/incidents/").get_data(as_text=True)
    assert "中壢區求助看板" in page
    assert "1151124-01" in page and "1151124-02" in page
    assert "待認領：<strong>1</strong>" in page and "處理中：<strong>1</strong>" in page
    assert "12 分鐘" in page
    assert "桃園市政府衛生局" in page
    escalated = detail_page(client, f"/console/{district_id(services)}/incidents/", "1151124-02")
    assert "無人認領：重新張貼並標記請求單位" in escalated
    assert "自動催辦" not in detail_page(client, f"/console/{district_id(services)}/incidents/", "1151124-01")


def test_filters_by_category_unit_and_month(client, services, requests_made) -> None:
    sign_in(client, demo.SECRETARIAT)
    base = f"/console/{district_id(services)}/incidents/"
    only_school = client.get(base + "?category=就學").get_data(as_text=True)
    assert "1151124-02" in only_school and "1151124-01" not in only_school
    assert "沒有符合條件的求助" in client.get(base + "?month=2026-10").get_data(as_text=True)
    assert "1151124-01" in client.get(base + "?month=2026-11").get_data(as_text=True)
    nonsense = client.get(base + "?category=<script>&unit=99999&status=x")
    assert nonsense.status_code == 200 and "1151124-01" in nonsense.get_data(as_text=True)


def test_timeline_lists_the_request_and_the_claim(client, services, requests_made) -> None:
    sign_in(client, demo.SECRETARIAT)
    page = detail_page(client, f"/console/{district_id(services)}/incidents/", "1151124-01")
    assert "提出求助" in page and "新興路附近有長者情緒激動" in page
    assert "認領（桃園市政府衛生局）" in page


def test_export_is_the_filtered_board_with_formulas_kept_as_text(client, services, requests_made) -> None:
    sign_in(client, demo.SECRETARIAT)
    base = f"/console/{district_id(services)}/incidents/"
    answer = client.get(base + "export.xlsx")
    assert answer.status_code == 200
    assert "filename*=UTF-8''" in answer.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(answer.data)).active
    numbers = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert sorted(numbers) == ["1151124-01", "1151124-02"]
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str))
    rows = list(csv.reader(io.StringIO(client.get(base + "export.csv?category=就學").data.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["1151124-02"]
