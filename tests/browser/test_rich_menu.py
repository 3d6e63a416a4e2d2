"""The rich menu (圖文選單) on the emulator's chat page, tapped as a phone user would, and the loading animation."""
from __future__ import annotations

import requests
from playwright.sync_api import Page, expect

from tests import demo
from tests.browser.test_chat_with_bot import open_chat
from tests.conftest import TOKEN


def test_the_member_menu_shows_in_one_to_one_and_its_areas_talk_to_the_bot(page: Page, app, emulator,
                                                                            emulator_server: str) -> None:
    assert app.test_cli_runner().invoke(args=["richmenu", "setup"]).exit_code == 0
    open_chat(page, emulator_server, demo.SOCIAL_WORKER)
    menu = page.locator("#rich-menu")
    expect(menu).to_be_visible()
    expect(page.locator("#rich-menu-toggle")).to_contain_text("選單")
    expect(page.locator("#rich-menu-image")).to_be_visible()
    assert page.locator(".rich-menu-area").count() == 6
    page.get_by_role("button", name="說明", exact=True).click()
    expect(page.locator(".msg.bot").last).to_contain_text("中壢家庭服務中心您好")
    page.locator("#rich-menu-toggle").click()  # the chat bar folds the menu away
    expect(page.locator("#rich-menu-panel")).to_be_hidden()
    page.select_option("#chat-select", demo.GROUP)  # no rich menu in a group
    expect(menu).to_be_hidden()


def test_the_secretariat_sees_its_own_menu(page: Page, app, emulator, emulator_server: str) -> None:
    assert app.test_cli_runner().invoke(args=["richmenu", "setup"]).exit_code == 0
    open_chat(page, emulator_server, demo.SECRETARIAT)
    expect(page.get_by_role("button", name="列管", exact=True)).to_be_visible()
    expect(page.locator("#rich-menu-toggle")).to_contain_text("秘書選單")


def test_the_loading_animation_shows_until_the_bot_answers(page: Page, app, emulator, emulator_server: str) -> None:
    open_chat(page, emulator_server, demo.POLICE)
    started = requests.post(f"{emulator_server}/v2/bot/chat/loading/start", timeout=5,
                            headers={"Authorization": f"Bearer {TOKEN}"},
                            json={"chatId": demo.POLICE, "loadingSeconds": 20})
    assert started.status_code == 202
    expect(page.locator("#loading")).to_be_visible()
    page.fill("#message-input", "說明")
    page.click("#send-button")
    expect(page.locator(".msg.bot").last).to_contain_text("分局")
    expect(page.locator("#loading")).to_be_hidden()
