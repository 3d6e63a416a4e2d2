"""The form answer page in real headless Chromium, opened from the link the bot gives in 1:1 chat."""
from __future__ import annotations

from dataclasses import replace

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from models.forms import FormResponse
from tests import demo
from tests.webhook.test_forms import bind_group, broadcast, create_from_template, footer

pytestmark = pytest.mark.browser


@pytest.fixture
def config(config, bot_server):
    """Links in chat point at the loopback server this test's app is served on (PUBLIC_BASE_URL)."""
    return replace(config, public_base_url=bot_server[1])


def web_link(emulator, app, user: str, template: str) -> str:
    """Broadcast a template form and return the answer-page link `user` gets in 1:1 chat."""
    bind_group(emulator)
    form_id = create_from_template(app, template)
    broadcast(app, form_id)
    emulator.text(user, f"表單 填寫 {form_id}")
    return footer(emulator.messages(to=user)[-1])["用網頁填寫（適合電腦）"]["uri"]


def stored(services) -> list[FormResponse]:
    with services.db.transaction() as session:
        return list(session.scalars(select(FormResponse)))


def test_answer_page_refuses_personal_data_then_saves(page: Page, emulator, app, services, bot_server) -> None:
    link = web_link(emulator, app, demo.POLICE, "three-phase")
    assert link.startswith(bot_server[1] + "/forms/fill/")
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant-TW")
    expect(page.get_by_role("heading", level=1)).to_contain_text("網絡單位三階段角色與工作分工表")
    expect(page.locator(".meta")).to_contain_text("分局")
    expect(page.locator("#status")).to_have_text("尚未填寫")

    prevention = page.get_by_label("事前預防")
    prevention.fill("協助個案王小明，電話 0912-345-678")
    page.get_by_label("事發當下因應處理").fill("家防官到場處理並通報113")
    page.get_by_label("事發後關懷輔導").fill("轉介家庭服務中心追蹤")
    page.get_by_role("button", name="送出").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("有 1 題需要修改")
    expect(alert).to_contain_text("電話號碼")
    expect(prevention).to_have_attribute("aria-invalid", "true")
    expect(prevention).to_have_value("協助個案王小明，電話 0912-345-678")  # shown back to correct, never stored
    assert stored(services) == []

    prevention.fill("家防官定期訪視高風險家庭")
    page.get_by_role("button", name="送出").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("已送出")
    expect(page.get_by_role("status")).to_contain_text("第 1 版")
    [response] = stored(services)
    assert response.answers == {"prevention": "家防官定期訪視高風險家庭", "response": "家防官到場處理並通報113",
                                "aftercare": "轉介家庭服務中心追蹤"}

    page.goto(link)  # the unit's answer comes back for the next edit
    expect(page.locator("#status")).to_contain_text("已填寫（第 1 版")
    expect(page.get_by_label("事前預防")).to_have_value("家防官定期訪視高風險家庭")


def test_answer_page_takes_dates_and_choices(page: Page, emulator, app, services) -> None:
    page.goto(web_link(emulator, app, demo.HEALTH, "advocacy"))
    page.get_by_label("活動名稱").fill("社區心理衛生講座")
    page.get_by_label("日期").fill("2026-12-05")
    page.get_by_label("時間").fill("14:00-16:00")
    page.get_by_label("地點").fill("中壢區公所三樓禮堂")
    topics = page.get_by_role("group", name="可結合宣導主題")
    topics.get_by_label("自殺防治").check()
    topics.get_by_label("心理衛生").check()
    page.get_by_role("button", name="送出").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("已送出")
    [response] = stored(services)
    assert response.answers["date"] == "2026-12-05"
    assert response.answers["topics"] == ["自殺防治", "心理衛生"]


def test_expired_or_forged_link_explains_what_to_do(page: Page, emulator, app, bot_server) -> None:
    link = web_link(emulator, app, demo.POLICE, "three-phase")
    page.goto(link[:-4] + "xxxx")
    expect(page.get_by_role("alert")).to_have_text("連結無效。")
    expect(page.locator("main")).to_contain_text("輸入「表單」重新取得連結")
