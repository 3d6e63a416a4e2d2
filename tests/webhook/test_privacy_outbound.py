"""The outbound screen: ordinary group messages pass by construction; personal data is stopped at the last line.

Text with personal data can reach a renderer without passing the field guard (a row written before
the guard, a detector that improved since): those messages are blocked where every group-bound
message passes, audited, and the sender or the district secretariat is told in 1:1.
"""
from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import select

from models.audit import AuditEntry
from models.incidents import Incident
from rules.dates import TAIPEI
from scheduler.runner import tick
from tests import demo
from tests.webhook.test_forms import broadcast, create_from_template, footer, quick, tap

PHONE = "0912345678"


@pytest.fixture
def group(emulator):
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.reset()
    return demo.GROUP


def blocked(services) -> list[dict]:
    with services.db.transaction() as session:
        return [a.detail for a in session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy_refused"))
                if str(a.detail.get("where", "")).startswith("outbound")]


def group_json(emulator) -> str:
    return json.dumps(emulator.deliveries(to=demo.GROUP), ensure_ascii=False)


def slip_in(services, number_text: str) -> None:
    """Put personal data into a stored request behind the guard's back (an old row, a weaker detector)."""
    with services.db.transaction() as session:
        incident = session.scalars(select(Incident)).one()
        incident.text = number_text


def test_ordinary_group_messages_are_not_blocked(emulator, services, clock, app, group):
    emulator.text(demo.SOCIAL_WORKER, "求助 緊急 @衛生局 新興路附近有長者情緒激動，需要協助")  # the 求助 card
    clock.advance(minutes=16)
    tick(services)  # the re-post goes 1:1 to the asked unit's contacts, with the card to claim from
    assert any("尚無單位認領" in t for t in emulator.texts(to=demo.HEALTH))
    emulator.text(demo.POLICE, "資源", group_id=demo.GROUP)  # agency phones and addresses from the directory
    emulator.text(demo.POLICE, "活動 115/12/5 14:00 中壢區公所3樓禮堂 親職講座")
    emulator.text(demo.POLICE, "活動期程", group_id=demo.GROUP)
    clock.set(datetime(2026, 11, 24, 10, 0, tzinfo=TAIPEI))
    emulator.text(demo.SECRETARIAT, "會議 區級聯繫會議 115/11/25 14:00 本所3樓簡報室", group_id=demo.GROUP)
    clock.set(datetime(2026, 11, 25, 12, 30, tzinfo=TAIPEI))
    tick(services)  # the meeting reminder
    form_id = create_from_template(app)
    broadcast(app, form_id)
    emulator.text(demo.POLICE, f"表單 填寫 {form_id}")
    tap(emulator, demo.POLICE, footer(emulator.messages(to=demo.POLICE)[-1])["在聊天中逐題填寫"])
    for _ in range(3):
        emulator.text(demo.POLICE, "社區宣導")
    tap(emulator, demo.POLICE, quick(emulator, demo.POLICE)["略過"])
    tap(emulator, demo.POLICE, quick(emulator, demo.POLICE)["送出"])
    emulator.text(demo.SECRETARIAT, f"表單進度 {form_id}", group_id=demo.GROUP)  # unit names
    texts = emulator.texts(to=demo.GROUP)
    assert any("1925" in t for t in texts)
    assert any("親職講座" in t for t in texts)
    assert any("區級聯繫會議" in t and "提醒" in t for t in texts)
    assert any("✓ 分局" in t for t in texts)
    assert blocked(services) == []
    assert not any("攔下" in t for user in (demo.POLICE, demo.SECRETARIAT, demo.SOCIAL_WORKER)
                   for t in emulator.texts(to=user))


def test_a_group_reply_with_personal_data_is_blocked_and_the_asker_told_privately(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 需要協助")
    number = _incidents(services)[0].number
    slip_in(services, f"案母手機{PHONE}")
    emulator.reset()
    emulator.text(demo.POLICE, f"案件 {number}", group_id=demo.GROUP)
    assert PHONE not in group_json(emulator) and emulator.deliveries(to=demo.GROUP) == []
    [notice] = emulator.texts(to=demo.POLICE)
    assert "攔下" in notice and "電話號碼" in notice and PHONE not in notice
    assert blocked(services) == [{"where": "outbound", "kinds": ["phone"]}]


def test_what_was_found_clean_once_is_remembered_only_for_that_exact_text(emulator, services, group):
    """The screen remembers strings it found clean (a card's labels), not messages: the same lookup, once the
    request's text holds a phone number, is blocked, and so is every repeat of it."""
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 需要協助")
    number = _incidents(services)[0].number
    emulator.reset()
    for _ in range(2):
        emulator.text(demo.POLICE, f"案件 {number}", group_id=demo.GROUP)
    assert len(emulator.deliveries(to=demo.GROUP)) == 2 and blocked(services) == []
    slip_in(services, f"案母手機{PHONE}")
    emulator.reset()
    for _ in range(2):
        emulator.text(demo.POLICE, f"案件 {number}", group_id=demo.GROUP)
    assert emulator.deliveries(to=demo.GROUP) == [] and PHONE not in group_json(emulator)
    assert [b["kinds"] for b in blocked(services)] == [["phone"], ["phone"]]


def test_a_scheduled_message_with_personal_data_goes_to_the_secretariat_instead(emulator, services, clock, group):
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 需要協助")
    slip_in(services, f"案母手機{PHONE}")
    emulator.reset()
    clock.advance(minutes=16)
    tick(services)  # the re-post (1:1 to the asked unit's contacts) would quote the request
    assert emulator.deliveries(to=demo.GROUP) == [] and emulator.deliveries(to=demo.HEALTH) == []
    assert PHONE not in json.dumps(emulator.deliveries(), ensure_ascii=False)
    notice = emulator.texts(to=demo.SECRETARIAT)
    assert notice and "排程" in notice[-1] and "攔下" in notice[-1] and PHONE not in notice[-1]
    assert blocked(services)[0]["kinds"] == ["phone"]


def test_a_confirmed_word_still_passes_when_the_request_is_reposted(emulator, services, clock, group):
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 案主王大明情緒不穩需要協助")
    card = next(m for m in reversed(emulator.messages(to=demo.SOCIAL_WORKER)) if m["type"] == "flex")
    confirm = next(b["action"]["data"] for b in card["contents"]["footer"]["contents"]
                   if b["action"]["label"] == "這不是人名，照原文送出")
    emulator.postback(demo.SOCIAL_WORKER, confirm)
    clock.advance(minutes=16)
    tick(services)
    reposts = json.dumps(emulator.deliveries(to=demo.HEALTH), ensure_ascii=False)
    assert "尚無單位認領" in reposts and "王大明" in reposts
    assert blocked(services) == []


def _incidents(services) -> list[Incident]:
    with services.db.transaction() as session:
        return list(session.scalars(select(Incident)))
