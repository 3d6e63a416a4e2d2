"""The emulator behaves like the LINE Platform toward a bot built on line-bot-sdk."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
import requests
from linebot.v3 import WebhookParser
from linebot.v3.messaging import (
    ApiException,
    PushMessageRequest,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.webhooks import (
    FollowEvent,
    JoinEvent,
    LeaveEvent,
    MemberJoinedEvent,
    MemberLeftEvent,
    MessageEvent,
    PostbackEvent,
    UnfollowEvent,
    UnsendEvent,
)
from linebot.v3.models.events import UnknownEvent

from emulator import SpecValidator, events, validate_request
from emulator.client import message_text
from emulator.settings import default_webhook_spec_path

from .conftest import DIRECTORY, GROUP_ID, SECRET, TOKEN, USER_A, USER_B, Stack

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def post_api(emu: Stack, path: str, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    """Call the emulator's Messaging API directly, with a valid token unless headers say otherwise."""
    return requests.post(f"{emu.emulator_url}{path}", json=body, headers={**AUTH, **(headers or {})}, timeout=10)


def text(t: str) -> dict[str, str]:
    """A text message object."""
    return {"type": "text", "text": t}


# ---- webhooks and replies ----

def test_signed_webhook_reaches_bot_and_reply_is_recorded(emu: Stack) -> None:
    result = emu.client.text(USER_A, "你好")
    assert result.status == 200 and result.ok
    assert emu.bot.signature_failures == 0
    [event] = emu.bot.events
    assert isinstance(event, MessageEvent)
    assert event.message.text == "你好" and event.message.id == result.message_id
    assert event.webhook_event_id == result.webhook_event_id and len(result.webhook_event_id or "") == 26
    [delivery] = emu.client.deliveries()
    assert delivery["kind"] == "reply" and delivery["to"] == USER_A
    assert emu.client.texts(USER_A) == ["收到：你好"]
    assert emu.client.quick_reply_labels(USER_A) == ["好", "查看會議"]


def test_reply_to_group_event_goes_to_group(emu: Stack) -> None:
    emu.client.text(USER_B, "大家好", group_id=GROUP_ID)
    [event] = emu.bot.events
    assert event.source.type == "group" and event.source.group_id == GROUP_ID and event.source.user_id == USER_B
    assert [d["to"] for d in emu.client.deliveries()] == [GROUP_ID]


def test_bad_signature_is_rejected_by_bot(emu: Stack) -> None:
    body = events.webhook_body(DIRECTORY.bot.user_id, [events.follow_event(USER_A)])
    assert emu.client.raw(body, signature="AAAA") == 400
    assert emu.bot.signature_failures == 1
    assert emu.client.raw(body) == 200


def test_signature_matches_sdk_validator() -> None:
    raw = events.encode_body({"destination": DIRECTORY.bot.user_id, "events": [events.text_event(USER_A, "中文")]})
    parsed = WebhookParser(SECRET).parse(raw.decode("utf-8"), events.sign(SECRET, raw))
    assert isinstance(parsed[0], MessageEvent)


def test_reply_token_cannot_be_reused(emu: Stack) -> None:
    emu.client.text(USER_A, "第一次")
    token = emu.bot.events[0].reply_token
    with pytest.raises(ApiException) as err:
        emu.bot.api().reply_message(ReplyMessageRequest(reply_token=token, messages=[TextMessage(text="再一次")]))
    assert err.value.status == 400
    assert json.loads(err.value.body)["message"] == "Invalid reply token"
    assert len(emu.client.deliveries()) == 1


def test_reply_token_expires(emu: Stack) -> None:
    emu.client.configure(reply_token_ttl_seconds=0.2, bot_callback_url="http://127.0.0.1:9/unreachable")
    sent = emu.client.text(USER_A, "沒人在")
    assert sent.status == 0 and sent.reply_token
    time.sleep(0.3)
    response = post_api(emu, "/v2/bot/message/reply", {"replyToken": sent.reply_token, "messages": [text("晚了")]})
    assert response.status_code == 400 and response.json() == {"message": "Invalid reply token"}


def test_every_api_response_has_request_id(emu: Stack) -> None:
    response = requests.get(f"{emu.emulator_url}/v2/bot/info", headers=AUTH, timeout=10)
    assert response.status_code == 200
    assert uuid.UUID(response.headers["x-line-request-id"])


def test_missing_or_wrong_token_is_401(emu: Stack) -> None:
    assert requests.get(f"{emu.emulator_url}/v2/bot/info", timeout=10).status_code == 401
    wrong = post_api(emu, "/v2/bot/message/push", {"to": USER_A, "messages": [text("x")]},
                     headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "x-line-request-id" in wrong.headers
    assert emu.client.deliveries() == []


# ---- validation ----

@pytest.mark.parametrize("message, prop", [
    ({"type": "text", "text": "選一個", "quickReply": {"items": [
        {"type": "action", "action": {"type": "message", "label": f"選項{i}", "text": str(i)}} for i in range(14)]}},
     "messages[0].quickReply.items"),
    ({"type": "fax", "text": "?"}, "messages[0].type"),
    ({"type": "text", "text": "長" * 5001}, "messages[0].text"),
    ({"type": "text", "text": "x", "quickReply": {"items": [
        {"type": "action", "action": {"type": "message", "label": "超過二十個字的快速回覆按鈕標籤文字在這裡喔", "text": "x"}}]}},
     "messages[0].quickReply.items[0].action.label"),
    ({"type": "template", "altText": "a", "template": {"type": "confirm", "text": "確定？", "actions": [
        {"type": "message", "label": "是", "text": "是"}]}}, "messages[0].template.actions"),
    ({"type": "template", "altText": "a", "template": {"type": "buttons", "title": "會議", "text": "長" * 61,
      "actions": [{"type": "message", "label": "是", "text": "是"}]}}, "messages[0].template.text"),
    ({"type": "template", "altText": "a", "template": {"type": "carousel", "columns": [
        {"text": "長" * 121, "actions": [{"type": "message", "label": "是", "text": "是"}]}]}},
     "messages[0].template.columns[0].text"),
    ({"type": "flex", "altText": "a", "contents": {"type": "bubble", "body": {
        "type": "box", "layout": "vertical", "contents": [{"type": "txt", "text": "x"}]}}},
     "messages[0].contents.body.contents[0].type"),
])
def test_invalid_bodies_are_rejected_with_details(emu: Stack, message: dict[str, Any], prop: str) -> None:
    response = post_api(emu, "/v2/bot/message/push", {"to": USER_A, "messages": [message]})
    assert response.status_code == 400
    body = response.json()
    assert body["message"].startswith("The request body has")
    assert prop in [d["property"] for d in body["details"]]
    [violation] = emu.client.violations()
    assert violation["schema"] == "PushMessageRequest" and violation["path"] == "/v2/bot/message/push"
    assert emu.client.deliveries() == []


def test_a_buttons_template_without_title_may_hold_160_characters(emu: Stack) -> None:
    message = {"type": "template", "altText": "a", "template": {"type": "buttons", "text": "長" * 160,
               "actions": [{"type": "message", "label": "是", "text": "是"}]}}
    assert post_api(emu, "/v2/bot/message/push", {"to": USER_A, "messages": [message]}).status_code == 200


def test_more_than_five_messages_rejected(emu: Stack) -> None:
    response = post_api(emu, "/v2/bot/message/push", {"to": USER_A, "messages": [text(str(i)) for i in range(6)]})
    assert response.status_code == 400
    assert response.json()["details"][0]["property"] == "messages"


def test_invalid_reply_from_sdk_bot_is_recorded(emu: Stack) -> None:
    emu.client.text(USER_A, "hi")
    token = emu.bot.events[0].reply_token
    response = post_api(emu, "/v2/bot/message/reply", {"replyToken": "x", "messages": [{"type": "text"}]})
    assert response.status_code == 400
    assert emu.client.violations()[0]["details"] == [{"message": "must be specified", "property": "messages[0].text"}]
    assert token  # the real token stays unused by the invalid call
    ok = post_api(emu, "/v2/bot/message/reply", {"replyToken": token, "messages": [text("again")]})
    assert ok.status_code == 400  # the echo bot already replied with it


def test_validate_request_helper() -> None:
    assert validate_request("PushMessageRequest", {"to": USER_A, "messages": [text("ok")]}) == []
    problems = validate_request("ReplyMessageRequest", {"messages": []})
    assert "replyToken: must be specified" in problems
    assert any(p.startswith("messages:") for p in problems)
    flex = {"type": "flex", "altText": "x", "contents": {"type": "carousel", "contents": [
        {"type": "bubble", "body": {"type": "box", "layout": "diagonal", "contents": []}}]}}
    assert validate_request("Message", flex) == [
        "contents.contents[0].body.layout: must be one of the following values: [horizontal, vertical, baseline]"]


# ---- push, retry keys, faults, quota ----

def test_push_with_same_retry_key_twice_is_409_and_delivered_once(emu: Stack) -> None:
    key = str(uuid.uuid4())
    body = {"to": USER_A, "messages": [text("會議提醒")]}
    first = post_api(emu, "/v2/bot/message/push", body, headers={"X-Line-Retry-Key": key})
    second = post_api(emu, "/v2/bot/message/push", body, headers={"X-Line-Retry-Key": key})
    assert first.status_code == 200 and second.status_code == 409
    assert second.headers["x-line-accepted-request-id"] == first.headers["x-line-request-id"]
    assert second.json()["sentMessages"] == first.json()["sentMessages"]
    [delivery] = emu.client.deliveries()
    assert delivery["retry_key"] == key and delivery["request_id"] == first.headers["x-line-request-id"]
    assert emu.client.quota_consumption() == 1


def test_push_through_sdk_with_retry_key(emu: Stack) -> None:
    api = emu.bot.api()
    key = str(uuid.uuid4())
    request = PushMessageRequest(to=GROUP_ID, messages=[TextMessage(text="明天開會")])
    api.push_message(request, x_line_retry_key=key)
    with pytest.raises(ApiException) as err:
        api.push_message(request, x_line_retry_key=key)
    assert err.value.status == 409
    assert emu.client.texts(GROUP_ID) == ["明天開會"]


def test_invalid_retry_key_is_400(emu: Stack) -> None:
    response = post_api(emu, "/v2/bot/message/push", {"to": USER_A, "messages": [text("x")]},
                        headers={"X-Line-Retry-Key": "not-a-uuid"})
    assert response.status_code == 400


def test_fault_injection_then_success(emu: Stack) -> None:
    emu.client.inject_fault("/v2/bot/message/push", status=500, count=2)
    key = str(uuid.uuid4())
    body = {"to": USER_A, "messages": [text("重試")]}
    statuses = [post_api(emu, "/v2/bot/message/push", body, headers={"X-Line-Retry-Key": key}).status_code
                for _ in range(3)]
    assert statuses == [500, 500, 200]
    assert len(emu.client.deliveries()) == 1
    log = [(r["status"], r["fault"], r["retry_key"]) for r in emu.client.api_requests()]
    assert log == [(500, True, key), (500, True, key), (200, False, key)]


def test_fault_429_has_retry_after(emu: Stack) -> None:
    emu.client.inject_fault("/v2/bot/message/reply", status=429, count=1, retry_after=3)
    emu.client.text(USER_A, "hi")
    [error] = emu.bot.api_errors
    assert error.status == 429 and error.headers["Retry-After"] == "3"
    assert emu.client.deliveries() == []


def test_delay_fault_slows_call_but_delivers(emu: Stack) -> None:
    emu.client.inject_fault("/v2/bot/message/push", status=None, delay_seconds=0.5)
    with pytest.raises(requests.Timeout):
        requests.post(f"{emu.emulator_url}/v2/bot/message/push", json={"to": USER_A, "messages": [text("慢")]},
                      headers=AUTH, timeout=0.2)
    assert len(emu.client.wait_for_deliveries(1, timeout=3)) == 1  # a timed-out push may still have landed


def test_quota_counts_group_members_and_not_replies(emu: Stack) -> None:
    members = len(DIRECTORY.groups[0].member_ids)
    emu.client.text(USER_A, "回覆不計")
    assert post_api(emu, "/v2/bot/message/push", {"to": GROUP_ID, "messages": [text("a"), text("b")]}).ok
    assert post_api(emu, "/v2/bot/message/push", {"to": USER_A, "messages": [text("c")]}).ok
    api = emu.bot.api()
    assert api.get_message_quota().to_dict() == {"type": "limited", "value": 200}
    assert api.get_message_quota_consumption().total_usage == members + 1


def test_quota_exhausted_is_429(emu: Stack) -> None:
    emu.client.configure(monthly_quota=3)
    response = post_api(emu, "/v2/bot/message/push", {"to": GROUP_ID, "messages": [text("太多人")]})
    assert response.status_code == 429
    assert response.json()["message"] == "You have reached your monthly limit."
    assert emu.client.deliveries() == []


def test_multicast_counts_each_user(emu: Stack) -> None:
    response = post_api(emu, "/v2/bot/message/multicast", {"to": [USER_A, USER_B], "messages": [text("通知")]})
    assert response.status_code == 200
    assert [d["to"] for d in emu.client.deliveries()] == [USER_A, USER_B]
    assert emu.client.quota_consumption() == 2


# ---- profiles and groups ----

def test_profile_and_group_endpoints_through_sdk(emu: Stack) -> None:
    api = emu.bot.api()
    user = DIRECTORY.users[0]
    assert api.get_profile(user.user_id).display_name == user.display_name
    assert api.get_group_member_profile(GROUP_ID, user.user_id).display_name == user.display_name
    assert api.get_group_summary(GROUP_ID).group_name == DIRECTORY.groups[0].name
    assert api.get_group_member_count(GROUP_ID).count == len(DIRECTORY.groups[0].member_ids)
    assert api.get_group_members_ids(GROUP_ID).member_ids == list(DIRECTORY.groups[0].member_ids)
    assert api.get_bot_info().display_name == DIRECTORY.bot.display_name
    with pytest.raises(ApiException) as err:
        api.get_profile("U" + "0" * 32)
    assert err.value.status == 404


# ---- events ----

def test_built_events_parse_as_sdk_types_and_match_webhook_spec(emu: Stack) -> None:
    built = [
        (events.text_event(USER_A, "@林社工 請協助", GROUP_ID, [{"index": 0, "length": 4, "type": "user",
                                                              "userId": USER_A, "isSelf": False}]), MessageEvent),
        (events.postback_event(USER_A, "action=pick", None, {"datetime": "2026-12-05T14:00"}), PostbackEvent),
        (events.join_event(GROUP_ID), JoinEvent),
        (events.leave_event(GROUP_ID), LeaveEvent),
        (events.member_joined_event(GROUP_ID, [USER_A]), MemberJoinedEvent),
        (events.member_left_event(GROUP_ID, [USER_A]), MemberLeftEvent),
        (events.follow_event(USER_A), FollowEvent),
        (events.unfollow_event(USER_A), UnfollowEvent),
        (events.unsend_event(USER_A, "123", GROUP_ID), UnsendEvent),
    ]
    body = events.webhook_body(DIRECTORY.bot.user_id, [e for e, _ in built])
    raw = events.encode_body(body)
    parsed = WebhookParser(SECRET).parse(raw.decode("utf-8"), events.sign(SECRET, raw))
    assert not [p for p in parsed if isinstance(p, UnknownEvent)]
    assert [type(p) for p in parsed] == [cls for _, cls in built]
    assert SpecValidator.from_file(default_webhook_spec_path()).validate("CallbackRequest", body) == []


def test_send_api_events_reach_bot(emu: Stack) -> None:
    c = emu.client
    assert c.follow(USER_A).ok and c.join(GROUP_ID).ok and c.member_joined(GROUP_ID, [USER_B]).ok
    assert c.postback(USER_A, "action=pick", GROUP_ID, params={"date": "2026-12-05"}).ok
    sent = c.text(USER_A, "要收回", GROUP_ID)
    assert c.unsend(USER_A, sent.message_id or "", GROUP_ID).ok
    kinds = [type(e).__name__ for e in emu.bot.events]
    assert kinds == ["FollowEvent", "JoinEvent", "MemberJoinedEvent", "PostbackEvent", "MessageEvent", "UnsendEvent"]
    assert emu.bot.events[3].postback.params == {"date": "2026-12-05"}
    assert c.texts(GROUP_ID)[-2:] == ["postback：action=pick date=2026-12-05", "收到：要收回"]
    chat = c.chat(USER_A, GROUP_ID)
    assert [e for e in chat["entries"] if e["message"].get("id") == sent.message_id][0]["unsent"]


def test_mentions_are_detected_in_groups(emu: Stack) -> None:
    bot_name = DIRECTORY.bot.display_name
    emu.client.text(USER_A, f"@{bot_name} 請問 @{DIRECTORY.users[1].display_name}", GROUP_ID)
    mentionees = emu.bot.events[0].message.mention.mentionees
    assert [(m.index, m.length) for m in mentionees] == [(0, len(bot_name) + 1), (len(bot_name) + 5, 5)]
    assert mentionees[0].is_self is True and mentionees[1].user_id == USER_B


def test_redelivery_keeps_event_id(emu: Stack) -> None:
    first = emu.client.text(USER_A, "重送我")
    again = emu.client.redeliver(first.webhook_event_id or "")
    assert again.ok and again.webhook_event_id == first.webhook_event_id
    original, redelivered = emu.bot.events
    assert original.delivery_context.is_redelivery is False
    assert redelivered.delivery_context.is_redelivery is True
    assert redelivered.webhook_event_id == original.webhook_event_id
    assert emu.bot.api_errors[0].status == 400  # its reply token was already used
    assert len(emu.client.chat(USER_A)["entries"]) == 2  # the user's message and one reply, not repeated


def test_send_rejects_malformed_ids(emu: Stack) -> None:
    response = requests.post(f"{emu.emulator_url}/_emulator/send", json={"type": "text", "user_id": "bob",
                                                                          "text": "x"}, timeout=10)
    assert response.status_code == 400 and "user ID" in response.json()["message"]


def test_reset_clears_records_and_config(emu: Stack) -> None:
    emu.client.text(USER_A, "hi")
    emu.client.inject_fault(count=5)
    emu.client.configure(monthly_quota=1)
    emu.client.reset()
    assert emu.client.deliveries() == [] and emu.client.api_requests() == [] and emu.client.webhooks() == []
    assert emu.client.configure()["monthly_quota"] == 200
    assert post_api(emu, "/v2/bot/message/push", {"to": GROUP_ID, "messages": [text("ok")]}).status_code == 200


def test_unknown_api_path_is_json_404(emu: Stack) -> None:
    response = requests.get(f"{emu.emulator_url}/v2/bot/nothing-here", headers=AUTH, timeout=10)
    assert response.status_code == 404 and response.json() == {"message": "Not found"}
    assert "x-line-request-id" in response.headers


def test_message_text_covers_rich_messages() -> None:
    flex = {"type": "flex", "altText": "會議", "contents": {"type": "bubble", "body": {
        "type": "box", "layout": "vertical", "contents": [
            {"type": "text", "text": "個案研討"},
            {"type": "text", "contents": [{"type": "span", "text": "9月"}, {"type": "span", "text": "20日"}]},
            {"type": "button", "action": {"type": "postback", "label": "報名", "data": "x"}}]}}}
    assert message_text(flex) == "會議\n個案研討\n9月20日\n報名"
    template = {"type": "template", "altText": "通知", "template": {"type": "confirm", "text": "出席？", "actions": [
        {"type": "message", "label": "是", "text": "是"}, {"type": "message", "label": "否", "text": "否"}]}}
    assert message_text(template) == "通知\n出席？\n是\n否"
    v2 = {"type": "textV2", "text": "{u} 請回覆", "substitution": {
        "u": {"type": "mention", "mentionee": {"type": "user", "userId": USER_A}}}}
    assert message_text(v2, {USER_A: "林社工"}) == "@林社工 請回覆"
