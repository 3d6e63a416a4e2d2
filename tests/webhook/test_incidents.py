"""Urgent requests (求助) end to end: screen, post once, claim, escalate on time, keep text encrypted."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import event, select, text as sql

from models.audit import AuditEntry
from models.incidents import Incident, IncidentStatus
from scheduler.runner import tick
from tests import demo

VALID_ID = "A123456789"  # checksum-valid national ID


@pytest.fixture
def group(emulator):
    """The demo group, bound to 中壢區, with the binding reply out of the way."""
    emulator.join(demo.GROUP)
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.reset()
    return demo.GROUP


def incidents(services) -> list[Incident]:
    with services.db.transaction() as session:
        return list(session.scalars(select(Incident).order_by(Incident.id)))


def cards(emulator, to: str = demo.GROUP) -> list[dict]:
    return [m for m in emulator.messages(to=to) if m["type"] == "flex"]


def test_clean_request_reaches_the_group_once_even_when_redelivered(emulator, services, group):
    sent = emulator.text(demo.SOCIAL_WORKER, "求助 緊急 @衛生局 @分局 新興路附近有長者情緒激動，需要協助")
    emulator.redeliver(sent.webhook_event_id)
    posted = cards(emulator)
    assert len(posted) == 1
    alt = posted[0]["altText"]
    assert "緊急" in alt and "衛生局" in alt and "分局" in alt
    [incident] = incidents(services)
    assert incident.number == "1151124-01"
    assert any(incident.number in t for t in emulator.texts(to=demo.SOCIAL_WORKER))
    buttons = [b["action"]["label"] for b in posted[0]["contents"]["footer"]["contents"]]
    assert buttons == ["我來處理", "需要更多資訊", "結案"]


def test_a_redelivered_request_is_turned_away_without_a_rollback(emulator, services, group):
    # A rollback makes psycopg forget every statement it prepared on that connection: turning a redelivery
    # away with a failed INSERT cost the statements after it their parsing and planning again.
    sent = emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 長者獨居需要關懷訪視")
    rolled_back: list[object] = []

    def note(session: object) -> None:
        rolled_back.append(session)
    event.listen(services.db.sessions, "after_rollback", note)
    try:
        emulator.redeliver(sent.webhook_event_id)
    finally:
        event.remove(services.db.sessions, "after_rollback", note)
    assert rolled_back == []
    assert len(cards(emulator)) == 1 and len(incidents(services)) == 1


def test_request_with_personal_data_is_refused_by_reply_and_never_pushed(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, f"求助 王大明先生 身分證{VALID_ID} 電話0912345678 需要安置")
    assert emulator.deliveries(to=demo.GROUP) == []
    [answer] = [d for d in emulator.deliveries(to=demo.SOCIAL_WORKER)]
    assert answer["kind"] == "reply"
    said = " ".join(emulator.texts(to=demo.SOCIAL_WORKER))
    assert "身分證字號" in said and "電話號碼" in said and "姓名" in said and "113" in said
    assert VALID_ID not in said and "0912345678" not in said
    assert incidents(services) == []
    with services.db.transaction() as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy_refused")).one()
        assert set(audit.detail["kinds"]) >= {"national_id", "phone", "name"}
        dump = " ".join(str(row) for table in ("outbox", "audit_log", "conversations")
                        for row in session.execute(sql(f"SELECT * FROM {table}")))
    assert VALID_ID not in dump and "0912345678" not in dump


def test_personal_data_in_group_gets_an_unsend_request_without_repeating_it(emulator, services, group):
    emulator.text(demo.POLICE, "個案陳小明住中壢區新興路100號5樓，電話0933-111-222", group_id=demo.GROUP)
    [said] = emulator.texts(to=demo.GROUP)
    assert "收回" in said and "門牌地址" in said and "電話號碼" in said
    assert "0933" not in said and "100號" not in said and "陳小明" not in said
    emulator.text(demo.POLICE, "收到，王○明的部分我們會追蹤", group_id=demo.GROUP)
    assert len(emulator.texts(to=demo.GROUP)) == 1


def test_asked_unit_claims_and_others_are_told(emulator, services, group, clock):
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 需要心衛社工協助訪視")
    claim = next(b["action"]["data"] for b in cards(emulator)[0]["contents"]["footer"]["contents"]
                 if b["action"]["label"] == "我來處理")
    emulator.postback(demo.FIRE, claim, group_id=demo.GROUP)
    assert "請求的是" in emulator.texts(to=demo.GROUP)[-1]
    emulator.postback(demo.HEALTH, claim, group_id=demo.GROUP)
    assert "已認領" in emulator.texts(to=demo.GROUP)[-1]
    emulator.postback(demo.HEALTH, claim, group_id=demo.GROUP)
    assert "貴單位已認領" in emulator.texts(to=demo.GROUP)[-1]
    [incident] = incidents(services)
    assert incident.status == IncidentStatus.CLAIMED
    clock.advance(minutes=40)
    tick(services)
    assert not any("尚無單位認領" in t for t in emulator.texts(to=demo.GROUP))


def test_unclaimed_request_goes_1to1_to_the_asked_units_then_secretariat_told(emulator, services, group, clock):
    emulator.text(demo.SOCIAL_WORKER, "求助 緊急 @衛生局 @分局 需要協助")
    group_pushes = len(emulator.deliveries(to=demo.GROUP))
    clock.advance(minutes=14)
    tick(services)
    assert not any("尚無單位認領" in t for u in (demo.HEALTH, demo.POLICE) for t in emulator.texts(to=u))
    clock.advance(minutes=1)
    tick(services)
    # Two asked contacts cost 2; the 9-member group would cost 9: the escalation goes to them alone.
    for user in (demo.HEALTH, demo.POLICE):
        [delivery] = [d for d in emulator.deliveries(to=user) if d["kind"] == "push"]
        assert delivery["counted"] == 1 and "尚無單位認領" in emulator.texts(to=user)[-2]
        card = delivery["messages"][-1]
        claim = [b["action"]["data"] for b in card["contents"]["footer"]["contents"]
                 if "inc_claim" in b["action"].get("data", "")]
        assert claim  # the card to claim from, in 1:1
    assert len(emulator.deliveries(to=demo.GROUP)) == group_pushes
    assert not any("尚無單位認領" in t for t in emulator.texts(to=demo.FIRE))  # not asked, not charged
    assert emulator.deliveries(to=demo.SECRETARIAT) == []
    clock.advance(minutes=15)
    tick(services)
    tick(services)
    alerts = emulator.texts(to=demo.SECRETARIAT)
    assert len(alerts) == 1 and "仍無單位認領" in alerts[0]
    assert len(emulator.deliveries(to=demo.GROUP)) == group_pushes
    # Claimed from the 1:1 card: the request is taken, like from the group's card.
    emulator.postback(demo.HEALTH, claim[0])
    assert "已認領" in emulator.texts(to=demo.HEALTH)[-1]


def test_normal_request_on_friday_evening_waits_for_monday(emulator, services, group, clock):
    clock.set(datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc))  # Friday 18:00 in Taipei
    emulator.text(demo.SOCIAL_WORKER, "求助 一般 @就服處 個案需要就業媒合資訊")
    clock.set(datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc))  # Sunday
    tick(services)
    assert not any("尚無單位認領" in t for t in emulator.texts(to=demo.GROUP))
    clock.set(datetime(2026, 11, 30, 0, 50, tzinfo=timezone.utc))  # Monday 08:50
    tick(services)
    assert any("尚無單位認領" in t for t in emulator.texts(to=demo.EMPLOYMENT))


def test_guided_request(emulator, services, group):
    emulator.text(demo.SCHOOL, "求助")
    assert "類別" in emulator.texts(to=demo.SCHOOL)[-1]
    emulator.postback(demo.SCHOOL, "action=inc_flow&category=兒少")
    assert "哪些單位" in emulator.texts(to=demo.SCHOOL)[-1]
    emulator.text(demo.SCHOOL, "家防中心")
    emulator.postback(demo.SCHOOL, "action=inc_flow&done=1")
    emulator.postback(demo.SCHOOL, "action=inc_flow&urgency=緊急")
    emulator.text(demo.SCHOOL, f"學生身分證{VALID_ID}")
    assert "沒有送出" in " ".join(emulator.texts(to=demo.SCHOOL)[-2:])
    emulator.text(demo.SCHOOL, "校內學生疑似受虐，需家防中心評估")
    assert "請確認" in emulator.texts(to=demo.SCHOOL)[-1]
    assert emulator.deliveries(to=demo.GROUP) == []
    emulator.postback(demo.SCHOOL, "action=inc_flow&send=1")
    [card] = cards(emulator)
    assert "兒少" in card["altText"] and "家防中心" in card["altText"]


def test_report_close_and_flag_for_case_conference(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 需要協助")
    number = incidents(services)[0].number
    emulator.text(demo.HEALTH, f"回報 {number} 已聯繫心衛社工，明早訪視")
    assert any("已聯繫心衛社工" in t for t in emulator.texts(to=demo.GROUP))
    emulator.text(demo.HEALTH, f"回報 {number} 案母手機0911222333")
    assert "沒有送出" in emulator.texts(to=demo.HEALTH)[-2]  # then the masked version, one tap away
    emulator.text(demo.FIRE, f"結案 {number}")
    assert "只有提出單位" in emulator.texts(to=demo.FIRE)[-1]
    emulator.text(demo.SOCIAL_WORKER, f"結案 {number}")
    emulator.text(demo.SOCIAL_WORKER, f"提報個案研討 {number}")
    [incident] = incidents(services)
    assert incident.status == IncidentStatus.CLOSED and incident.for_case_conference
    emulator.text(demo.SOCIAL_WORKER, f"案件 {number}")
    assert any("已結案" in t for t in emulator.texts(to=demo.SOCIAL_WORKER))


def test_state_shows_the_last_fifteen_updates_oldest_first(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 需要協助")
    number = incidents(services)[0].number
    for index in range(1, 18):
        emulator.text(demo.HEALTH, f"回報 {number} 第{index}次聯繫")
    emulator.text(demo.SOCIAL_WORKER, f"案件 {number}")
    history = emulator.texts(to=demo.SOCIAL_WORKER)[-1]
    assert history.startswith("處理紀錄")
    shown = [line.rsplit("第", 1)[1] for line in history.splitlines()[1:]]
    assert shown == [f"{index}次聯繫" for index in range(3, 18)]


def test_unknown_unit_tag_changes_nothing(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, "求助 @太空總署 需要協助")
    assert "找不到單位" in emulator.texts(to=demo.SOCIAL_WORKER)[-1]
    assert incidents(services) == [] and emulator.deliveries(to=demo.GROUP) == []


def test_statistics_for_secretariat_only(emulator, services, group, clock):
    emulator.text(demo.SOCIAL_WORKER, "求助 家暴 @分局 需要員警陪同")
    claim = cards(emulator)[0]["contents"]["footer"]["contents"][0]["action"]["data"]
    clock.advance(minutes=12)
    emulator.postback(demo.POLICE, claim, group_id=demo.GROUP)
    emulator.text(demo.POLICE, "統計")
    assert "限秘書單位" in emulator.texts(to=demo.POLICE)[-1]
    emulator.text(demo.SECRETARIAT, "統計")
    said = emulator.texts(to=demo.SECRETARIAT)[-1]
    assert "共 1 件" in said and "家暴 1" in said and "中位數 12 分鐘" in said


def test_request_text_is_encrypted_at_rest_and_unsend_removes_it(emulator, services, group):
    sent = emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 長者獨居需要關懷訪視")
    with services.db.transaction() as session:
        stored = session.execute(sql("SELECT text FROM incidents")).scalar_one()
    assert "獨居" not in stored and stored.startswith("gAAAA")
    emulator.unsend(demo.SOCIAL_WORKER, sent.message_id)
    assert incidents(services)[0].text is None


def test_texts_are_purged_after_retention(emulator, services, group, clock):
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 長者獨居需要關懷訪視")
    clock.advance(days=services.config.retention_days + 1)
    tick(services)
    [incident] = incidents(services)
    assert incident.text is None and incident.purged_at is not None and incident.category


def test_logs_never_contain_message_text(emulator, services, group, caplog, clock):
    caplog.set_level("DEBUG")
    emulator.text(demo.SOCIAL_WORKER, f"求助 個案林大華 身分證{VALID_ID} 需要協助")
    emulator.text(demo.POLICE, "案主手機0987654321請回電", group_id=demo.GROUP)
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 長者獨居需要關懷訪視")
    clock.advance(minutes=40)
    tick(services)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (VALID_ID, "0987654321", "林大華", "長者獨居"):
        assert secret not in logged
