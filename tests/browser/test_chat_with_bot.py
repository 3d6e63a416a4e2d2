"""The emulator's chat page with the real bot behind it, as a person would use it in Chromium."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from tests import demo


def open_chat(page: Page, emulator_url: str, user: str, group: str = "") -> None:
    page.goto(emulator_url + "/")
    page.select_option("#user-select", user)
    page.select_option("#chat-select", group)


def say(page: Page, words: str) -> None:
    page.fill("#message-input", words)
    page.click("#send-button")


def test_help_and_quick_reply(page: Page, emulator, emulator_server: str) -> None:
    open_chat(page, emulator_server, demo.SOCIAL_WORKER)
    say(page, "說明 全部")
    expect(page.locator(".msg.bot .bubble").last).to_contain_text("中壢家庭服務中心您好")
    page.locator(".quick-reply button", has_text="資源").click()
    expect(page.locator(".msg.bot .bubble").last).to_contain_text("113 保護專線")


def test_request_posted_and_claimed_from_the_group_card(page: Page, emulator, emulator_server: str) -> None:
    emulator.join(demo.GROUP)
    open_chat(page, emulator_server, demo.SECRETARIAT, demo.GROUP)
    say(page, "綁定 中壢區")
    expect(page.locator(".msg.bot .bubble").last).to_contain_text("已將本群組綁定")

    open_chat(page, emulator_server, demo.SOCIAL_WORKER)
    say(page, "求助 緊急 @衛生局 長者情緒激動需要心衛社工協助")
    expect(page.locator(".msg.bot .bubble").last).to_contain_text("已將求助")

    open_chat(page, emulator_server, demo.HEALTH, demo.GROUP)
    card = page.locator(".msg.bot", has_text="跨網絡求助").last
    expect(card).to_contain_text("長者情緒激動")
    card.locator("button", has_text="我來處理").click()
    expect(page.locator(".msg.bot .bubble").last).to_contain_text("已認領求助")
