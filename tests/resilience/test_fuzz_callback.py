"""Fuzz /callback with events generated from LINE's webhook.yml, correctly signed, over real HTTP.

Schema-valid events must get 200; broken ones 200 or 400; never a 5xx, and never an ERROR
logged by the bot (the webhook logs a swallowed handler exception at ERROR). Reply tokens are
real ones the emulator issued, so a failed reply would also show up as an ERROR.
"""
from __future__ import annotations

import logging
import secrets
import time
from typing import Any, Iterator

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import demo
from tests.resilience.openapi_events import TOKEN, broken_events, valid_events
from tests.resilience.webhooks import BOT_USER_ID, encode, post

FUZZ = settings(max_examples=75, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
POOL = 1500  # reply tokens issued up front: more than the examples (with shrinking) can use


@pytest.fixture
def reply_tokens(emulator, emulator_server) -> Iterator[str]:
    """Reply tokens the emulator issued, as if LINE had delivered events carrying them."""
    tokens = [secrets.token_hex(16) for _ in range(POOL)]
    callback = requests.get(f"{emulator_server}/_emulator/config", timeout=10).json()["bot_callback_url"]
    # Point the emulator's webhook nowhere while it issues the tokens, so the bot never sees these events.
    emulator.configure(bot_callback_url="http://127.0.0.1:9/callback", monthly_quota=1_000_000)
    emulator.send({"type": "raw", "body": {"destination": BOT_USER_ID, "events": [
        {"type": "follow", "mode": "active", "timestamp": int(time.time() * 1000), "webhookEventId": f"01TOKEN{i:019d}",
         "source": {"type": "user", "userId": demo.SOCIAL_WORKER}, "deliveryContext": {"isRedelivery": False},
         "replyToken": token, "follow": {"isUnblocked": False}} for i, token in enumerate(tokens)]}})
    emulator.configure(bot_callback_url=callback)
    return iter(tokens)


def deliver(bot_url: str, events: list[Any], tokens: Iterator[str],
            caplog: pytest.LogCaptureFixture) -> tuple[int, list[str]]:
    """Post the events with fresh reply tokens; the status and any ERROR the bot logged meanwhile."""
    for event in events:
        if isinstance(event, dict) and event.get("replyToken") == TOKEN:
            event["replyToken"] = next(tokens)
    seen = len(caplog.records)
    status = post(bot_url, encode(events)).status_code
    errors = [f"{r.name}: {r.getMessage()}" for r in caplog.records[seen:]
              if r.levelno >= logging.ERROR and r.name.split(".")[0] in ("bot", "handlers", "rules")]
    return status, errors


@FUZZ
@given(events=st.lists(valid_events(), min_size=1, max_size=3))
def test_schema_valid_events_are_answered_200_without_errors(bot_url, reply_tokens, caplog, events):
    status, errors = deliver(bot_url, events, reply_tokens, caplog)
    assert status == 200, events
    assert errors == [], events


@FUZZ
@given(events=st.lists(st.one_of(broken_events(), valid_events()), min_size=1, max_size=3))
def test_schema_breaking_events_get_no_5xx_and_no_errors(bot_url, reply_tokens, caplog, events):
    status, errors = deliver(bot_url, events, reply_tokens, caplog)
    assert status in (200, 400), (status, events)
    assert errors == [], events


def event(kind: str, source: dict[str, Any] | None, **fields: Any) -> dict[str, Any]:
    """An event of LINE's shape with a reply token to fill in; `source=None` leaves the source out."""
    base = {"type": kind, "mode": "active", "timestamp": int(time.time() * 1000), "webhookEventId": "01CHATLESS" + "0" * 16,
            "deliveryContext": {"isRedelivery": False}, "replyToken": TOKEN, **fields}
    return base if source is None else {**base, "source": source}


CHATLESS = {
    "text without a source": event("message", None,
                                   message={"type": "text", "id": "1", "text": "說明", "quoteToken": "q"}),
    "postback without a source": event("postback", None, postback={"data": "action=inc_claim&id=1"}),
    "follow without a source": event("follow", None, follow={"isUnblocked": False}),
    "join from a one-to-one chat": event("join", {"type": "user", "userId": demo.SOCIAL_WORKER}),
    "registration without a user id": event("message", {"type": "user"},
                                            message={"type": "text", "id": "2", "text": "註冊", "quoteToken": "q"}),
}


@pytest.mark.parametrize("name", CHATLESS)
def test_events_without_a_chat_are_ignored_quietly(bot_url, reply_tokens, caplog, name):
    """webhook.yml makes `source` and `userId` optional; such events must be skipped, not crash a handler."""
    status, errors = deliver(bot_url, [dict(CHATLESS[name])], reply_tokens, caplog)
    assert status == 200
    assert errors == []


def test_group_text_from_a_desktop_user_is_still_screened(emulator):
    """LINE leaves userId out for group members on LINE for PC; what they post must still be screened."""
    emulator.join(demo.GROUP)
    posted = event("message", {"type": "group", "groupId": demo.GROUP}, replyToken="d" * 32, message={
        "type": "text", "id": "3", "quoteToken": "q", "text": "個案陳小明住中壢區新興路100號5樓，電話0933-111-222"})
    assert emulator.raw({"destination": BOT_USER_ID, "events": [posted]}) == 200
    [answer] = [t for t in emulator.texts(to=demo.GROUP) if "收回" in t]
    assert "0933" not in answer
