"""Fixtures for the emulator's own tests: a tiny echo bot built on line-bot-sdk, served beside the emulator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

import pytest
from flask import Flask, abort, request
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    ButtonsTemplate,
    Configuration,
    DatetimePickerAction,
    FlexBox,
    FlexBubble,
    FlexButton,
    FlexMessage,
    FlexSeparator,
    FlexText,
    MessageAction,
    MessagingApi,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    TemplateMessage,
    TextMessage,
)
from linebot.v3.webhooks import Event, FollowEvent, JoinEvent, MemberJoinedEvent, MessageEvent, PostbackEvent

from emulator import EmulatorClient, EmulatorSettings, create_emulator, load_directory, run_in_thread

SECRET = "test-channel-secret"
TOKEN = "test-access-token"
DIRECTORY = load_directory()
GROUP_ID = DIRECTORY.groups[0].group_id
USER_A = DIRECTORY.users[0].user_id
USER_B = DIRECTORY.users[1].user_id


@dataclass
class FakeBot:
    """What the echo bot saw and did, for assertions."""

    api_host: str = ""
    events: list[Event] = field(default_factory=list)
    raw_bodies: list[str] = field(default_factory=list)
    signature_failures: int = 0
    api_errors: list[ApiException] = field(default_factory=list)

    def api(self) -> MessagingApi:
        """A real line-bot-sdk client pointed at the emulator."""
        return MessagingApi(ApiClient(Configuration(host=self.api_host, access_token=TOKEN)))

    def clear(self) -> None:
        """Forget what happened in the previous test."""
        self.events.clear()
        self.raw_bodies.clear()
        self.api_errors.clear()
        self.signature_failures = 0


def echo_reply(event: Event) -> list[Any]:
    """What the echo bot answers to an event."""
    if isinstance(event, MessageEvent) and hasattr(event.message, "text"):
        text = event.message.text
        if text == "卡片":
            return [meeting_card()]
        if text == "flex":
            return [meeting_flex()]
        return [TextMessage(text=f"收到：{text}", quick_reply=QuickReply(items=[
            QuickReplyItem(action=MessageAction(label="好", text="好")),
            QuickReplyItem(action=PostbackAction(label="查看會議", data="action=meetings", display_text="查看會議")),
        ]))]
    if isinstance(event, PostbackEvent):
        params = event.postback.params or {}
        suffix = "".join(f" {k}={v}" for k, v in sorted(params.items()))
        return [TextMessage(text=f"postback：{event.postback.data}{suffix}")]
    if isinstance(event, (FollowEvent, JoinEvent, MemberJoinedEvent)):
        return [TextMessage(text="歡迎使用社安網聯繫小幫手")]
    return []


def meeting_card() -> TemplateMessage:
    """A buttons template with postback, datetimepicker and message actions."""
    return TemplateMessage(alt_text="區級聯繫會議通知", template=ButtonsTemplate(
        title="區級聯繫會議", text="7月15日 14:00 中壢區公所",
        actions=[
            PostbackAction(label="確認出席", data="action=rsvp&meeting=1", display_text="我會出席"),
            DatetimePickerAction(label="改期", data="action=reschedule&meeting=1", mode="datetime"),
            MessageAction(label="說你好", text="你好"),
        ]))


def meeting_flex() -> FlexMessage:
    """A flex bubble with text, a separator and a postback button."""
    body = FlexBox(layout="vertical", contents=[
        FlexText(text="個案研討會議", weight="bold", size="lg"),
        FlexSeparator(),
        FlexBox(layout="horizontal", contents=[FlexText(text="日期", color="#888888"), FlexText(text="9月20日")]),
    ])
    footer = FlexBox(layout="vertical", contents=[
        FlexButton(style="primary", action=PostbackAction(label="報名", data="action=signup&meeting=2")),
    ])
    return FlexMessage(alt_text="個案研討會議", contents=FlexBubble(body=body, footer=footer))


def create_fake_bot(bot: FakeBot) -> Flask:
    """A webhook endpoint that checks the signature with WebhookParser and replies with MessagingApi."""
    app = Flask("fake_bot")
    parser = WebhookParser(SECRET)

    @app.post("/callback")
    def callback() -> str:
        body = request.get_data(as_text=True)
        try:
            events = parser.parse(body, request.headers.get("X-Line-Signature", ""))
        except InvalidSignatureError:
            bot.signature_failures += 1
            abort(400)
        bot.raw_bodies.append(body)
        bot.events.extend(events)
        api = bot.api()
        for event in events:
            messages = echo_reply(event)
            if messages and getattr(event, "reply_token", None):
                try:
                    api.reply_message(ReplyMessageRequest(reply_token=event.reply_token, messages=messages))
                except ApiException as exc:
                    bot.api_errors.append(exc)
        return "OK"

    return app


@dataclass
class Stack:
    """A running emulator and fake bot."""

    emulator_url: str
    bot_url: str
    client: EmulatorClient
    bot: FakeBot


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """Emulator and echo bot on loopback ports, for the whole session."""
    bot = FakeBot()
    bot_server, bot_url = run_in_thread(create_fake_bot(bot))
    settings = EmulatorSettings(channel_secret=SECRET, access_token=TOKEN, bot_callback_url=f"{bot_url}/callback")
    emu_server, emu_url = run_in_thread(create_emulator(settings))
    bot.api_host = emu_url
    try:
        yield Stack(emu_url, bot_url, EmulatorClient(emu_url), bot)
    finally:
        emu_server.shutdown()
        bot_server.shutdown()


@pytest.fixture()
def emu(stack: Stack) -> Stack:
    """The shared stack, reset to a clean state with default settings."""
    stack.client.reset()
    stack.client.configure(bot_callback_url=f"{stack.bot_url}/callback", monthly_quota=200,
                           reply_token_ttl_seconds=60)
    stack.bot.clear()
    return stack
