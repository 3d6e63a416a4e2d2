"""The chat page in real headless Chromium: act as a user, see replies, tap quick replies and card buttons."""

from __future__ import annotations

from typing import Iterator

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from .conftest import DIRECTORY, GROUP_ID, TOKEN, USER_A, USER_B, Stack

TIMEOUT_MS = 10_000


@pytest.fixture()
def page(browser: Browser, emu: Stack) -> Iterator[Page]:
    """A fresh page on the chat, acting as the first demo user in the one-to-one chat."""
    context = browser.new_context(locale="zh-TW", viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(emu.emulator_url + "/")
    page.select_option("#user-select", USER_A)
    page.select_option("#chat-select", "")
    try:
        yield page
    finally:
        context.close()


def say(page: Page, text: str) -> None:
    """Type a message and press the send button."""
    page.fill("#message-input", text)
    page.click("#send-button")


def test_page_lists_demo_users_and_group(page: Page) -> None:
    options = page.locator("#user-select option")
    expect(options).to_have_count(len(DIRECTORY.users))
    expect(options.first).to_contain_text(DIRECTORY.users[0].unit_label)
    expect(page.locator(f"#chat-select option[value='{GROUP_ID}']")).to_contain_text(DIRECTORY.groups[0].name)


def test_send_text_and_see_reply(page: Page, emu: Stack) -> None:
    say(page, "你好\n第二行")
    expect(page.locator(".msg.user .bubble").last).to_have_text("你好\n第二行")
    expect(page.locator(".msg.bot .bubble").last).to_have_text("收到：你好\n第二行")
    expect(page.locator("#message-input")).to_have_value("")
    assert emu.bot.events[0].source.user_id == USER_A


def test_tap_quick_reply(page: Page, emu: Stack) -> None:
    say(page, "開始")
    chips = page.locator(".quick-reply button")
    expect(chips).to_have_text(["好", "查看會議"])
    chips.filter(has_text="好").click()
    expect(page.locator(".msg.user .bubble").last).to_have_text("好")
    expect(page.locator(".msg.bot .bubble").last).to_have_text("收到：好")
    page.locator(".quick-reply button", has_text="查看會議").click()
    expect(page.locator(".msg.bot .bubble").last).to_have_text("postback：action=meetings")
    expect(page.locator(".msg.user .bubble").last).to_have_text("查看會議")  # the displayText
    expect(page.locator(".quick-reply")).to_be_hidden()  # a reply without quick reply is now last


def test_tap_postback_button_on_card(page: Page, emu: Stack) -> None:
    say(page, "卡片")
    card = page.locator(".msg.bot .card").last
    expect(card).to_contain_text("區級聯繫會議")
    expect(card).to_contain_text("7月15日 14:00 中壢區公所")
    card.locator("button", has_text="確認出席").click()
    expect(page.locator(".msg.user .bubble").last).to_have_text("我會出席")
    expect(page.locator(".msg.bot .bubble").last).to_have_text("postback：action=rsvp&meeting=1")
    assert emu.bot.events[-1].postback.data == "action=rsvp&meeting=1"


def test_datetimepicker_sends_params(page: Page, emu: Stack) -> None:
    say(page, "卡片")
    page.locator(".card button", has_text="改期").last.click()
    picker = page.locator("#picker-input")
    expect(picker).to_have_attribute("type", "datetime-local")
    picker.fill("2026-12-05T14:00")
    page.click("#picker-confirm")
    expect(page.locator(".msg.bot .bubble").last).to_have_text(
        "postback：action=reschedule&meeting=1 datetime=2026-12-05T14:00")
    expect(page.locator("#datetime-picker")).to_be_hidden()


def test_flex_bubble_renders_and_button_posts_back(page: Page, emu: Stack) -> None:
    say(page, "flex")
    bubble = page.locator(".flex-bubble").last
    expect(bubble.locator(".flex-text").first).to_have_text("個案研討會議")
    expect(bubble.locator(".flex-text").first).to_have_css("font-weight", "700")
    expect(bubble.locator(".flex-separator")).to_have_count(1)
    expect(bubble.locator(".flex-box.layout-horizontal")).to_contain_text("9月20日")
    bubble.locator("button", has_text="報名").click()
    expect(page.locator(".msg.bot .bubble").last).to_have_text("postback：action=signup&meeting=2")


def test_group_chat_shows_members_and_mentions(page: Page, emu: Stack) -> None:
    other = DIRECTORY.users[1]
    emu.client.text(USER_B, "我是家防官", group_id=GROUP_ID)
    page.select_option("#chat-select", GROUP_ID)
    expect(page.locator(".msg.other").first).to_contain_text("我是家防官")
    expect(page.locator(".msg.other .sender").first).to_contain_text(other.display_name)
    say(page, f"@{other.display_name} 收到，謝謝")
    expect(page.locator(".msg.user .mention").last).to_have_text(f"@{other.display_name}")
    expect(page.locator(".msg.bot .bubble").last).to_contain_text("收到，謝謝")
    assert emu.client.deliveries()[-1]["to"] == GROUP_ID


def test_pushed_message_appears_by_polling(page: Page, emu: Stack) -> None:
    requests.post(f"{emu.emulator_url}/v2/bot/message/push", timeout=10,
                  headers={"Authorization": f"Bearer {TOKEN}"},
                  json={"to": USER_A, "messages": [{"type": "text", "text": "明天 14:00 區級聯繫會議"}]})
    expect(page.locator(".msg.bot .bubble").last).to_have_text("明天 14:00 區級聯繫會議")
    expect(page.locator("#quota")).to_contain_text("1 / 200")
