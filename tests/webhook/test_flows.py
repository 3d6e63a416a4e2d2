"""Guided flows and command words: every flow × every command word, the interruption question, expiry.

A request is never lost to a half-done flow (issue: `求助 緊急 …` typed while 活動 waited for a date
reached nobody); other command words either answer and keep the flow, or ask whether to leave it.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app import capabilities
from bot.router import MidFlow, Route, Where, Who, build
from models.conversations import Conversation
from models.incidents import Incident
from tests import demo
from tests.webhook.test_forms import broadcast, footer, tap

ROUTER = build(capabilities())
COMMANDS = sorted(ROUTER.commands)

# flow name -> who starts it and how (each in 1:1 chat)
STARTS = {
    "incident": (demo.SOCIAL_WORKER, "求助"),
    "calendar_activity": (demo.SOCIAL_WORKER, "活動"),
    "meeting_new": (demo.SECRETARIAT, "新增會議"),
    "form_define": (demo.SECRETARIAT, "表單 新增"),
    "register": (demo.NEWCOMER, "註冊"),
    "form_fill": (demo.POLICE, None),  # started from a broadcast form (below)
}
MANAGERS = {demo.SECRETARIAT, demo.ADMIN}


def conversation(services, user: str) -> tuple[str, str] | None:
    """(flow, step) of the user's 1:1 conversation, or None."""
    with services.db.transaction() as session:
        row = session.scalars(select(Conversation).where(Conversation.user_id == user,
                                                         Conversation.chat_id == user)).first()
        return (row.flow, row.step) if row else None


def start(emulator, app, flow: str) -> str:
    user, words = STARTS[flow]
    if words is not None:
        emulator.text(user, words)
        return user
    form_id = _short_form(app)
    broadcast(app, form_id)
    emulator.text(user, f"表單 填寫 {form_id}")
    buttons = footer(emulator.messages(to=user)[-1])
    tap(emulator, user, buttons["在聊天中逐題填寫"])
    return user


def _short_form(app) -> int:
    result = app.test_cli_runner().invoke(args=["forms", "create", "--template", "three-phase", "--district",
                                                "中壢區", "--deadline", "2026-12-31"])
    assert result.exit_code == 0, result.output
    return int(result.output.split("created form ")[1].split(":")[0])


def refused(route: Route, user: str) -> bool:
    """Whether the route turns this user away in 1:1 chat (bot/router.py `_refuse`)."""
    if route.where == Where.GROUP:
        return True
    if route.who == Who.REGISTERED:
        return user == demo.NEWCOMER
    if route.who == Who.MANAGER:
        return user not in MANAGERS
    if route.who == Who.ADMIN:
        return user != demo.ADMIN
    return False


@pytest.mark.parametrize("flow", sorted(STARTS))
def test_a_command_word_mid_flow_is_never_taken_as_the_answer(emulator, app, services, group, clock, flow):
    """Every command word of the route table, typed in the flow's first state (one flow per test, for time)."""
    user = start(emulator, app, flow)
    expected = conversation(services, user)
    assert expected is not None and expected[0] == flow
    for word in COMMANDS:
        clock.advance(seconds=5)  # a person's pace: the per-user rate limit is not what this tests
        if conversation(services, user) != expected:  # 求助 replaced it: start over
            emulator.text(user, "取消")
            start(emulator, app, flow)
        emulator.reset()
        emulator.text(user, word)
        said = " ".join(emulator.texts(to=user))
        route = ROUTER.commands[word]
        after = conversation(services, user)
        if refused(route, user):
            assert after == expected, (word, said)
        elif route.mid_flow == MidFlow.PREEMPT:  # 求助: the flow ends, the request starts
            assert "已結束進行中的" in said, (word, said)
            assert after is not None and after[0] == "incident"
        elif route.mid_flow == MidFlow.RUN:
            assert after == expected and "要放棄" not in said and said, (word, said)
        else:
            assert "要放棄目前的" in said and after == expected, (word, said)


def test_one_line_request_mid_flow_reaches_the_group(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, "活動")
    emulator.text(demo.SOCIAL_WORKER, "家暴防治宣導講座")  # now the flow waits for a date
    emulator.text(demo.SOCIAL_WORKER, "求助 緊急 @衛生局 新興路附近有長者情緒激動，需要協助")
    assert any("跨網絡求助" in t for t in emulator.texts(to=demo.GROUP))
    assert "已結束進行中的新增活動" in " ".join(emulator.texts(to=demo.SOCIAL_WORKER))
    assert conversation(services, demo.SOCIAL_WORKER) is None


def _buttons(emulator, user: str) -> dict[str, str]:
    template = emulator.messages(to=user)[-1]["template"]
    return {a["label"]: a["data"] for a in template["actions"]}


def test_leaving_a_flow_runs_the_command_typed(emulator, services, group):
    emulator.text(demo.SECRETARIAT, "表單 新增")
    emulator.text(demo.SECRETARIAT, "新增會議")
    assert emulator.messages(to=demo.SECRETARIAT)[-1]["altText"] == "要放棄目前的新增表單嗎？"
    leave = next(data for label, data in _buttons(emulator, demo.SECRETARIAT).items() if label.startswith("放棄"))
    emulator.postback(demo.SECRETARIAT, leave)
    assert "已結束新增表單" in " ".join(emulator.texts(to=demo.SECRETARIAT)[-3:])
    assert conversation(services, demo.SECRETARIAT) == ("meeting_new", "type")
    emulator.postback(demo.SECRETARIAT, leave)  # the same button again: stale, nothing runs twice
    assert "過期" in " ".join(emulator.texts(to=demo.SECRETARIAT)[-2:])
    assert conversation(services, demo.SECRETARIAT) == ("meeting_new", "type")


def test_a_command_word_can_be_taken_as_the_answer_or_ignored(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, "活動")
    emulator.text(demo.SOCIAL_WORKER, "本期無活動 說明會")  # starts with a command word, meant as a title
    emulator.postback(demo.SOCIAL_WORKER, _buttons(emulator, demo.SOCIAL_WORKER)["不放棄，當作這題的回答"])
    assert conversation(services, demo.SOCIAL_WORKER) == ("calendar_activity", "day")
    emulator.text(demo.SOCIAL_WORKER, "我的活動")
    keep = next(d for label, d in _buttons(emulator, demo.SOCIAL_WORKER).items() if label.startswith("繼續"))
    emulator.postback(demo.SOCIAL_WORKER, keep)
    assert "請選擇日期" in emulator.texts(to=demo.SOCIAL_WORKER)[-1]
    assert conversation(services, demo.SOCIAL_WORKER) == ("calendar_activity", "day")


def test_cancel_names_the_flow_and_expiry_is_told_once(emulator, services, clock, group):
    emulator.text(demo.SOCIAL_WORKER, "活動")
    emulator.text(demo.SOCIAL_WORKER, "取消")
    assert emulator.texts(to=demo.SOCIAL_WORKER)[-1].startswith("已取消新增活動")
    emulator.text(demo.SOCIAL_WORKER, "活動")
    clock.advance(minutes=services.config.conversation_minutes + 1)
    emulator.text(demo.SOCIAL_WORKER, "家暴防治宣導講座")
    assert "新增活動已逾時結束" in emulator.texts(to=demo.SOCIAL_WORKER)[-1]
    with services.db.transaction() as session:
        assert session.scalars(select(Incident)).first() is None


def test_a_cards_button_tapped_mid_flow_acts_and_the_flow_waits_on(emulator, services, group):
    """認領 on a 1:1 card is no answer to the flow's question: it claims, and the draft keeps its place."""
    emulator.text(demo.SOCIAL_WORKER, "求助 緊急 @衛生局 新興路附近有長者情緒激動，需要協助")
    with services.db.transaction() as session:
        number = session.scalars(select(Incident.number)).one()
    emulator.text(demo.HEALTH, "活動")
    emulator.text(demo.HEALTH, "家暴防治宣導講座")  # now the flow waits for a date
    emulator.text(demo.HEALTH, f"案件 {number}")
    shown = emulator.messages(to=demo.HEALTH)[-2:]  # the card, then a line that the draft still waits
    assert "新增活動仍在進行中" in shown[-1]["text"]
    [claim] = [b["action"]["data"] for b in _actions(shown) if "inc_claim" in b["action"].get("data", "")]
    emulator.postback(demo.HEALTH, claim)
    assert "已認領" in emulator.texts(to=demo.HEALTH)[-1]
    assert conversation(services, demo.HEALTH) == ("calendar_activity", "day")
    with services.db.transaction() as session:
        assert session.scalars(select(Incident.status)).one() == "claimed"


def _actions(messages: object) -> list[dict]:
    """Every button of Flex messages, wherever it sits."""
    found: list[dict] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "button" and isinstance(node.get("action"), dict):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(messages)
    return found
