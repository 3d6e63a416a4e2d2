"""The printable month view in real headless Chromium, reached through the link the bot gives in chat."""
from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests import demo

pytestmark = pytest.mark.browser


def month_url(emulator, services, bot_server) -> str:
    """Ask the bot for the links in 1:1 chat and point the month view at the test's server."""
    emulator.text(demo.SECRETARIAT, "活動連結")
    answer = emulator.texts(to=demo.SECRETARIAT)[-1]
    url = re.search(r"(\S+/calendar/\S+/month)", answer).group(1)
    return url.replace(services.config.public_base_url, bot_server[1])


def test_month_view_shows_the_schedule_and_prints(page: Page, emulator, services, bot_server, tmp_path) -> None:
    emulator.text(demo.POLICE, "活動 115/12/5 14:00-16:00 中壢區公所3樓 家暴防治宣導講座 可共同宣導")
    emulator.text(demo.HEALTH, "活動 115/12/9 09:00 中壢區衛生所 社區心理健康篩檢")
    page.goto(month_url(emulator, services, bot_server) + "?m=2026-12")

    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant-TW")
    expect(page.locator("#title")).to_have_text("中壢區社安網網絡單位活動期程　民國115年12月")
    expect(page.locator("#summary")).to_have_text("共 2 項活動，1 項可共同宣導")
    expect(page.locator("#month thead th").first).to_have_text("星期一")
    saturday = page.locator('td[data-date="2026-12-05"]')
    expect(saturday).to_contain_text("家暴防治宣導講座")
    expect(saturday).to_contain_text("14:00–16:00")
    expect(saturday).to_contain_text("分局｜中壢區公所3樓")
    expect(saturday.locator(".badge")).to_have_text("可共同宣導")
    assert saturday.evaluate("cell => cell.cellIndex") == 5  # Monday-first grid: Saturday is the 6th column
    wednesday = page.locator('td[data-date="2026-12-09"]')
    expect(wednesday).to_contain_text("09:00 起")
    expect(wednesday.locator(".badge")).to_have_count(0)
    expect(page.locator("#list tbody tr")).to_have_count(2)
    expect(page.locator("#list tbody tr").first).to_contain_text("115年12月5日(六)")

    with page.expect_download() as download:
        page.click("#xlsx")
    saved = tmp_path / "schedule.xlsx"
    download.value.save_as(saved)
    assert load_workbook(saved).active["D4"].value == "家暴防治宣導講座"

    page.emulate_media(media="print")
    expect(page.locator("nav")).to_be_hidden()
    expect(page.locator("#month")).to_be_visible()
    assert page.pdf(format="A4", landscape=True)[:4] == b"%PDF"
    page.emulate_media(media="screen")

    page.click("#next")
    expect(page.locator("#title")).to_contain_text("民國116年1月")
    expect(page.locator("#list")).to_contain_text("本月尚無登錄的活動")
    page.click("#prev")
    expect(page.locator("#title")).to_contain_text("民國115年12月")


def test_revoked_link_shows_nothing(page: Page, emulator, services, bot_server) -> None:
    url = month_url(emulator, services, bot_server)
    emulator.text(demo.SECRETARIAT, "活動連結 重設")
    response = page.goto(url)
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text("活動期程")
