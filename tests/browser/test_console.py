"""The secretariat's desk in real Chromium at 1366x768: sign in through the emulator's LINE Login page, then
walk each page's main workflow; every page is checked with axe-core and photographed."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests import demo
from tests.browser import axe
from tests.browser.conftest import open_page
from tests.console.test_incidents_board import requests_made  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def config(config, bot_server):
    """LINE Login sends the browser back to the loopback server this test's app is served on."""
    return replace(config, public_base_url=bot_server[1])


@pytest.fixture(autouse=True)
def _served(app):
    """The test's bot is what the loopback server serves."""
    return app


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """An office screen: 1366x768, zh-TW."""
    yield from open_page(browser, 1366, 768)


def sign_in(page: Page, bot_url: str, who: str = "吳課員", start: str = "/console/") -> None:
    """Open the desk, press the LINE button, pick the demo user on the emulator's LINE Login page."""
    page.goto(bot_url + start)
    expect(page.get_by_role("heading", level=1)).to_have_text("登入後台")
    axe.check(page)
    axe.screenshot(page, "console-signin")
    page.get_by_role("button", name="使用 LINE 帳號登入").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("使用 LINE 帳號登入")
    page.get_by_role("button", name=who).click()


def test_secretariat_signs_in_and_works_the_board(page: Page, bot_server, requests_made) -> None:  # noqa: F811
    sign_in(page, bot_server[1])
    expect(page.get_by_role("heading", level=1)).to_have_text("中壢區求助看板")
    expect(page.locator("header")).to_contain_text("吳課員")
    expect(page.get_by_role("navigation", name="後台功能").get_by_role("link", name="求助看板")).to_have_attribute(
        "aria-current", "page")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    axe.check(page)
    axe.no_inline_code(page)
    axe.screenshot(page, "console-incidents")

    page.get_by_label("類別").select_option("就學")
    page.get_by_role("button", name="篩選").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("1151124-02")
    expect(rows.first).to_contain_text("待認領")

    page.get_by_label("類別").select_option("")
    page.get_by_role("button", name="篩選").click()
    page.get_by_role("link", name="1151124-01").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("求助 1151124-01")
    expect(page.locator(".timeline")).to_contain_text("認領（桃園市政府衛生局）")
    axe.check(page)
    axe.screenshot(page, "console-incident")


def test_keyboard_reaches_main_through_the_skip_link(page: Page, bot_server) -> None:
    sign_in(page, bot_server[1])
    expect(page.get_by_role("heading", level=1)).to_have_text("中壢區求助看板")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要內容")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_sign_out_ends_the_session(page: Page, bot_server) -> None:
    sign_in(page, bot_server[1])
    page.get_by_role("button", name="登出").click()
    expect(page.get_by_role("status")).to_have_text("您已登出。")
    page.goto(bot_server[1] + "/console/")
    expect(page.get_by_role("heading", level=1)).to_have_text("登入後台")


def test_a_member_is_told_the_desk_is_not_for_them(page: Page, bot_server) -> None:
    sign_in(page, bot_server[1], who="陳家防官")
    expect(page.get_by_role("heading", level=1)).to_have_text("沒有後台權限")
    axe.check(page)


def test_secretariat_schedules_a_meeting_tracks_an_item_and_downloads_the_minutes(
        page: Page, bot_server, emulator) -> None:
    emulator.join(demo.GROUP)
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    sign_in(page, bot_server[1])
    page.get_by_role("navigation", name="後台功能").get_by_role("link", name="會議與列管").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("中壢區會議與列管")
    axe.check(page)
    axe.no_inline_code(page)
    page.get_by_label("會議類別").select_option(label="區級聯繫會議")
    page.get_by_label("日期（西元）").fill("2026-11-28")
    page.get_by_label("開始時間").fill("14:00")
    page.get_by_label("地點").fill("本所3樓簡報室")
    page.get_by_role("button", name="排定並通知群組").click()
    expect(page.get_by_role("alert")).to_contain_text("115年11月28日是週末")
    page.get_by_label("日期（西元）").fill("2026-12-03")
    page.get_by_role("button", name="排定並通知群組").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("區級聯繫會議")
    expect(page.get_by_role("status")).to_contain_text("已通知群組")
    axe.screenshot(page, "console-meetings")

    page.get_by_label("案由（主席裁示事項）").fill("請各單位填報三階段角色分工表")
    page.get_by_label("承辦單位（可複選：按住 Ctrl 點選）").select_option(label="中壢區公所社會課")
    page.get_by_role("button", name="新增列管事項").click()
    expect(page.get_by_role("status")).to_contain_text("已新增列管事項 1151203-1")
    axe.check(page)
    axe.screenshot(page, "console-meeting")
    with page.expect_download() as waiting:
        page.get_by_role("link", name="下載會議紀錄草稿（.docx）").click()
    assert waiting.value.suggested_filename == "會議紀錄草稿_中壢區_1151203.docx"


def test_secretariat_approves_a_registration_on_the_roster_page(page: Page, bot_server, emulator) -> None:
    emulator.text(demo.NEWCOMER, "註冊")
    emulator.text(demo.NEWCOMER, "中壢區")
    emulator.text(demo.NEWCOMER, "衛生所")
    sign_in(page, bot_server[1])
    page.get_by_role("navigation", name="後台功能").get_by_role("link", name="名冊與群組").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("中壢區名冊與群組")
    expect(page.locator("#pending + table")).to_contain_text("中壢區衛生所")
    axe.check(page)
    axe.no_inline_code(page)
    axe.screenshot(page, "console-roster")
    page.locator("#pending + table").get_by_role("button", name=re.compile("^核准")).click()
    expect(page.get_by_role("status")).to_contain_text("已核准")
    expect(page.get_by_text("目前沒有待審核的申請。")).to_be_visible()
    assert "您的註冊已核准" in emulator.texts(to=demo.NEWCOMER)[-1]

    page.get_by_label("把 陳家防官 移到").select_option(label="中壢區公所民政課")
    page.get_by_role("button", name="移動 陳家防官").click()
    expect(page.get_by_role("status")).to_contain_text("已將 陳家防官 移到「中壢區公所民政課」")
    unit = page.locator("table.roster tbody", has=page.locator("th", has_text="中壢區公所民政課"))
    expect(unit).to_contain_text("陳家防官")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="停用 陳家防官").click()
    expect(page.get_by_role("status")).to_contain_text("已停用：陳家防官（中壢區公所民政課）")
    expect(page.get_by_role("button", name="停用 陳家防官")).to_have_count(0)
    axe.check(page)
    axe.screenshot(page, "console-roster-changed")
    page.get_by_role("navigation", name="後台功能").get_by_role("link", name="訊息額度").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("訊息額度")
    expect(page.get_by_role("table", name=re.compile("本月推播依功能"))).to_contain_text("註冊與名冊")
    axe.check(page)
    axe.screenshot(page, "console-quota")


def test_statistics_show_each_chart_with_its_table(page: Page, bot_server, requests_made) -> None:  # noqa: F811
    sign_in(page, bot_server[1])
    page.get_by_role("navigation", name="後台功能").get_by_role("link", name="求助統計").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("中壢區求助統計")
    expect(page.get_by_role("img", name=re.compile("每月求助件數"))).to_be_visible()
    expect(page.get_by_role("table", name="依類別的求助件數（表格）")).to_contain_text("就學")
    axe.check(page)
    axe.no_inline_code(page)
    axe.screenshot(page, "console-statistics")


def test_secretariat_reminds_the_units_yet_to_answer_a_form(page: Page, app, bot_server, emulator) -> None:
    from tests.webhook.test_forms import bind_group, broadcast, create_from_template
    emulator.join(demo.GROUP)
    bind_group(emulator)
    broadcast(app, create_from_template(app, "three-phase", deadline="2026-11-30"))
    emulator.reset()
    sign_in(page, bot_server[1])
    page.get_by_role("navigation", name="後台功能").get_by_role("link", name="表單", exact=True).click()
    page.get_by_role("link", name="網絡單位三階段角色與工作分工表").click()
    expect(page.get_by_text("訊息成本：約 9 則")).to_be_visible()
    axe.check(page)
    axe.no_inline_code(page)
    axe.screenshot(page, "console-forms")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile("在群組提醒未填單位")).click()
    expect(page.get_by_role("status")).to_contain_text("已在群組提醒")
    assert [d for d in emulator.deliveries(to=demo.GROUP) if d["kind"] == "push"]


def test_activities_month_and_list(page: Page, bot_server, emulator) -> None:
    from tests.webhook.test_calendar import ONE_LINE
    emulator.text(demo.POLICE, ONE_LINE)
    sign_in(page, bot_server[1])
    page.get_by_role("navigation", name="後台功能").get_by_role("link", name="活動期程").click()
    page.get_by_role("link", name=re.compile("民國115年12月")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("中壢區活動期程：民國115年12月")
    expect(page.get_by_role("table", name="民國115年12月活動清單")).to_contain_text("家暴防治宣導講座")
    expect(page.get_by_label(re.compile("行事曆訂閱網址"))).to_have_value(re.compile(r"/calendar/.+\.ics$"))
    axe.check(page)
    axe.no_inline_code(page)
    axe.screenshot(page, "console-activities")


def test_secretariat_builds_a_form_and_sends_it_after_seeing_the_cost(page: Page, bot_server, emulator) -> None:
    emulator.join(demo.GROUP)
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.reset()
    sign_in(page, bot_server[1])
    page.get_by_role("navigation", name="後台功能").get_by_role("link", name="表單", exact=True).click()
    page.get_by_role("link", name="新增表單").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("中壢區新增表單")
    page.get_by_label("表單標題").fill("宣導活動調查")
    page.get_by_label("填寫說明").fill("請填寫本單位可共同宣導的活動")
    page.get_by_label("截止日（西元）").fill("2026-12-10")
    page.get_by_label("第 1 題題目", exact=True).fill("活動名稱")
    page.get_by_label("第 2 題題目", exact=True).fill("是否可共同宣導")
    page.get_by_label("第 2 題回答方式").select_option(label="單選")
    page.get_by_label("第 2 題選項").fill("可")
    axe.check(page)
    axe.no_inline_code(page)
    axe.screenshot(page, "console-form-builder")
    page.get_by_role("button", name="建立表單（草稿）").click()
    expect(page.get_by_role("alert")).to_contain_text("需要 2 到 10 個不重複的選項")  # the chat's rule, nothing saved
    page.get_by_label("第 2 題選項").fill("可、不可")
    page.get_by_role("button", name="建立表單（草稿）").click()
    expect(page.get_by_role("status")).to_contain_text("已建立表單")
    expect(page.get_by_text(re.compile("將發送到 1 個群組，共約 9 則訊息額度"))).to_be_visible()
    expect(page.locator("ol.questions")).to_contain_text("是否可共同宣導（單選，必填）：可、不可")
    assert emulator.deliveries(to=demo.GROUP) == []
    axe.check(page)
    axe.screenshot(page, "console-form-send")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile("確認發送")).click()
    expect(page.get_by_role("status")).to_contain_text("已發布表單")
    expect(page.get_by_role("status")).to_contain_text("群組卡片將隨晨間摘要送出")  # as the chat's 發布 holds it


def test_programme_statistics_of_meetings_and_forms(page: Page, bot_server, services, clock) -> None:
    from datetime import datetime

    from rules.dates import TAIPEI
    from tests.console.test_meetings_statistics import held
    meeting = held(services, clock, datetime(2026, 11, 5, 14, 0, tzinfo=TAIPEI))
    sign_in(page, bot_server[1])
    nav = page.get_by_role("navigation", name="後台功能")
    nav.get_by_role("link", name="會議統計").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("中壢區會議統計")
    expect(page.get_by_role("img", name=re.compile("如期召開比率"))).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("^區級聯繫會議："))).to_contain_text("未如期召開")
    expect(page.get_by_role("table", name="已召開會議的紀錄函送情形（表格）")).to_contain_text("逾期未送")
    axe.check(page)
    axe.no_inline_code(page)
    axe.screenshot(page, "console-meeting-statistics")
    page.goto(f"{bot_server[1]}/console/{page.url.split('/console/')[1].split('/')[0]}/meetings/{meeting}")
    page.get_by_role("button", name="登記：會議紀錄已於今天函送社會局").click()
    expect(page.get_by_role("status")).to_contain_text("已登記會議紀錄函送日")
    nav.get_by_role("link", name="表單統計").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("中壢區表單統計")
    expect(page.get_by_text("尚未發送任何表單。")).to_be_visible()
    axe.check(page)
    axe.screenshot(page, "console-form-statistics")
