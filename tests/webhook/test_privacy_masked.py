"""The masked version in one tap, end to end: 求助 (one line and guided) and 回報, stale buttons, confirming.

The sender types personal data, gets the refusal and a card with the masked version; one tap sends
the masked text through the same command, so the group sees only the masked version. What waited
for the decision is erased once decided; a button of an earlier refusal is refused politely.
"""
from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from models.audit import AuditEntry
from models.conversations import Conversation
from models.incidents import Incident
from tests import demo

PHONE = "0912345678"
WITH_PHONE = f"@衛生局 案主王大明手機{PHONE}需要協助"


@pytest.fixture
def group(emulator):
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.reset()
    return demo.GROUP


def buttons(emulator, user: str) -> dict[str, dict[str, Any]]:
    """The footer buttons of the last card sent to `user`, by label."""
    card = next(m for m in reversed(emulator.messages(to=user)) if m["type"] == "flex")
    return {b["action"]["label"]: b["action"] for b in card["contents"]["footer"]["contents"]}


def group_json(emulator) -> str:
    return json.dumps(emulator.deliveries(to=demo.GROUP), ensure_ascii=False)


def incidents(services) -> list[Incident]:
    with services.db.transaction() as session:
        return list(session.scalars(select(Incident).order_by(Incident.id)))


def conversations(services) -> list[Conversation]:
    with services.db.transaction() as session:
        return list(session.scalars(select(Conversation)))


def audit_actions(services) -> list[tuple[str, dict]]:
    with services.db.transaction() as session:
        return [(a.action, a.detail) for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_one_line_request_sent_masked_in_one_tap(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, f"求助 {WITH_PHONE}")
    assert emulator.deliveries(to=demo.GROUP) == []
    offered = buttons(emulator, demo.SOCIAL_WORKER)
    assert set(offered) == {"送出遮蔽版", "修改", "取消"}  # a phone is never sendable as typed
    [waiting] = conversations(services)
    assert PHONE not in str(waiting.data) and "王大明" not in str(waiting.data)  # only the masked version waits
    emulator.postback(demo.SOCIAL_WORKER, offered["送出遮蔽版"]["data"])
    [incident] = incidents(services)
    assert "王O明" in (incident.text or "") and PHONE not in (incident.text or "")
    posted = group_json(emulator)
    assert "王O明" in posted and PHONE not in posted and "王大明" not in posted
    assert conversations(services) == []  # decided: nothing of it is kept
    emulator.postback(demo.SOCIAL_WORKER, offered["送出遮蔽版"]["data"])  # the same button again
    assert "已失效" in emulator.texts(to=demo.SOCIAL_WORKER)[-1]
    assert len(incidents(services)) == 1


def test_guided_request_takes_the_masked_text_and_asks_to_confirm(emulator, services, group):
    for said in ("求助", "兒少", "完成", "一般", f"案主王大明手機{PHONE}情緒不穩"):
        emulator.text(demo.SOCIAL_WORKER, said)
    emulator.postback(demo.SOCIAL_WORKER, buttons(emulator, demo.SOCIAL_WORKER)["送出遮蔽版"]["data"])
    preview = emulator.texts(to=demo.SOCIAL_WORKER)[-1]
    assert "請確認" in preview and "王O明" in preview and PHONE not in preview
    emulator.text(demo.SOCIAL_WORKER, "送出")
    [incident] = incidents(services)
    assert incident.category == "兒少" and "王O明" in (incident.text or "")
    assert PHONE not in group_json(emulator)


def test_report_sent_masked_in_one_tap(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 需要協助")
    number = incidents(services)[0].number
    emulator.text(demo.HEALTH, f"回報 {number} 案母手機{PHONE}，已聯繫")
    emulator.postback(demo.HEALTH, buttons(emulator, demo.HEALTH)["送出遮蔽版"]["data"])
    posted = group_json(emulator)
    assert "已聯繫" in posted and "〔電話已移除〕" in posted and PHONE not in posted


def test_a_button_of_an_earlier_refusal_is_stale(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, f"求助 {WITH_PHONE}")
    first = buttons(emulator, demo.SOCIAL_WORKER)["送出遮蔽版"]["data"]
    emulator.text(demo.SOCIAL_WORKER, f"求助 @分局 手機{PHONE}請協助")
    emulator.postback(demo.SOCIAL_WORKER, first)
    assert "已失效" in emulator.texts(to=demo.SOCIAL_WORKER)[-1]
    assert incidents(services) == [] and emulator.deliveries(to=demo.GROUP) == []
    emulator.postback(demo.SOCIAL_WORKER, buttons(emulator, demo.SOCIAL_WORKER)["送出遮蔽版"]["data"])
    assert "分局" in group_json(emulator) and len(incidents(services)) == 1


def test_typing_on_or_cancelling_erases_what_waited(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, f"求助 {WITH_PHONE}")
    offered = buttons(emulator, demo.SOCIAL_WORKER)
    emulator.text(demo.SOCIAL_WORKER, "說明")  # moving on: the masked version is dropped
    assert conversations(services) == []
    emulator.postback(demo.SOCIAL_WORKER, offered["送出遮蔽版"]["data"])
    assert "已失效" in emulator.texts(to=demo.SOCIAL_WORKER)[-1]
    emulator.text(demo.SOCIAL_WORKER, f"求助 {WITH_PHONE}")
    emulator.postback(demo.SOCIAL_WORKER, buttons(emulator, demo.SOCIAL_WORKER)["取消"]["data"])
    assert "已取消" in emulator.texts(to=demo.SOCIAL_WORKER)[-1]
    assert conversations(services) == [] and incidents(services) == []


def test_edit_shows_the_masked_version_to_copy(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, f"求助 {WITH_PHONE}")
    emulator.postback(demo.SOCIAL_WORKER, buttons(emulator, demo.SOCIAL_WORKER)["修改"]["data"])
    said = emulator.texts(to=demo.SOCIAL_WORKER)
    assert "請修改後重新輸入" in said[-2] and said[-1].startswith("求助 ") and "王O明" in said[-1]
    assert conversations(services) == []


def test_a_name_like_word_confirmed_as_no_person_is_sent_as_typed_and_audited_without_it(emulator, services,
                                                                                          group):
    typed = "@衛生局 案主王大明情緒不穩需要協助"
    emulator.text(demo.SOCIAL_WORKER, f"求助 {typed}")
    offered = buttons(emulator, demo.SOCIAL_WORKER)
    assert "這不是人名，照原文送出" in offered
    emulator.postback(demo.SOCIAL_WORKER, offered["這不是人名，照原文送出"]["data"])
    [incident] = incidents(services)
    assert "王大明" in (incident.text or "") and "王大明" in group_json(emulator)
    confirmed = [d for a, d in audit_actions(services) if a == "privacy_confirmed"]
    assert confirmed and confirmed[0]["kinds"] == ["name"] and "王大明" not in json.dumps(confirmed, ensure_ascii=False)
    assert conversations(services) == []


def test_structured_identifiers_are_never_offered_as_typed(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, f"求助 @衛生局 案主王大明手機{PHONE}")
    assert "這不是人名，照原文送出" not in buttons(emulator, demo.SOCIAL_WORKER)
