"""求助 and 案件 as a phone user meets them: who may claim, who is told, what the group sees, "my requests"."""
from __future__ import annotations

from sqlalchemy import select

from models.incidents import Incident, IncidentStatus
from scheduler.runner import tick
from tests import demo
from tests.webhook.test_flows import conversation


def incidents(services) -> list[Incident]:
    with services.db.transaction() as session:
        return list(session.scalars(select(Incident).order_by(Incident.id)))


def card_buttons(message: dict) -> dict[str, dict]:
    return {b["action"]["label"]: b["action"] for b in message["contents"]["footer"]["contents"]}


def group_cards(emulator) -> list[dict]:
    return [m for m in emulator.messages(to=demo.GROUP) if m["type"] == "flex"]


def test_the_requesting_unit_cannot_claim_and_the_requester_hears_who_did(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, "求助 新興路附近有長者獨居，需要協助訪視")  # no unit named: everyone else
    claim = card_buttons(group_cards(emulator)[0])["我來處理"]["data"]
    emulator.postback(demo.SOCIAL_WORKER, claim, group_id=demo.GROUP)
    assert "貴單位提出的" in emulator.texts(to=demo.GROUP)[-1]
    assert incidents(services)[0].status == IncidentStatus.OPEN
    emulator.postback(demo.FIRE, claim, group_id=demo.GROUP)
    assert "已認領" in emulator.texts(to=demo.GROUP)[-1]
    told = emulator.texts(to=demo.SOCIAL_WORKER)[-1]
    assert "已由" in told and "消防" in told and incidents(services)[0].number in told


def chased(emulator) -> dict[str, list[dict]]:
    """Who the first escalation reached, 1:1 or mentioned in the group (rules/economy.py picks the cheaper)."""
    found: dict[str, list[dict]] = {}
    for delivery in emulator.deliveries():
        if delivery["kind"] == "push" and "尚無單位認領" in str(delivery["messages"][0]):
            first = delivery["messages"][0]
            users = ({s["mentionee"]["userId"] for s in first.get("substitution", {}).values()}
                     if delivery["to"] == demo.GROUP else {delivery["to"]})
            for user in users:
                found[user] = delivery["messages"]
    return found


def test_a_request_for_everyone_does_not_chase_the_requester(emulator, services, group, clock):
    emulator.text(demo.SOCIAL_WORKER, "求助 緊急 需要協助了解社區資源")
    clock.advance(minutes=16)
    tick(services)
    reached = chased(emulator)
    assert demo.SOCIAL_WORKER not in reached and {demo.HEALTH, demo.POLICE, demo.FIRE} <= set(reached)


def test_escalation_carries_the_buttons_and_only_an_excerpt(emulator, services, group, clock):
    body = "個案家屬情緒不穩定需要心衛社工協助評估" * 6  # 114 characters
    emulator.text(demo.SOCIAL_WORKER, f"求助 緊急 @衛生局 {body}")
    number = incidents(services)[0].number
    emulator.reset()
    clock.advance(minutes=16)
    tick(services)
    notice, card = chased(emulator)[demo.HEALTH]
    assert body not in str(notice)
    assert set(card_buttons(card)) == {"我來處理", "需要更多資訊", "結案"}
    assert body not in str(card) and f"案件 {number}" in str(card)


def test_a_long_request_is_refused_politely(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 " + "需要協助" * 130)
    assert "500 字以內" in emulator.texts(to=demo.SOCIAL_WORKER)[-1]
    assert incidents(services) == [] and emulator.deliveries(to=demo.GROUP) == []


def test_units_written_in_plain_text_are_the_ones_asked(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, "求助 請衛生局協助評估個案情緒狀況")
    [card] = group_cards(emulator)
    assert "請求 衛生局" in card["altText"]
    assert "從內容辨識" in emulator.texts(to=demo.SOCIAL_WORKER)[-1]
    [incident] = incidents(services)
    with services.db.transaction() as session:
        assert [u.short_name for u in session.get(Incident, incident.id).asked_units] == ["衛生局"]


def test_closing_is_announced_once_and_the_card_says_who_closed(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 需要協助")
    number = incidents(services)[0].number
    emulator.reset()
    emulator.text(demo.SOCIAL_WORKER, f"結案 {number}")
    emulator.text(demo.SOCIAL_WORKER, f"結案 {number}")
    assert "已結案" in emulator.texts(to=demo.SOCIAL_WORKER)[-1]
    group_said = emulator.texts(to=demo.GROUP)
    assert len(group_said) == 1 and number in group_said[0] and "結案" in group_said[0]
    emulator.text(demo.HEALTH, f"案件 {number}")
    state = emulator.messages(to=demo.HEALTH)[0]
    assert "已結案（家服中心 結案）" in str(state) or "已結案（中壢家庭服務中心 結案）" in str(state)


def test_closing_in_the_group_is_the_one_announcement(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 需要協助")
    close = card_buttons(group_cards(emulator)[0])["結案"]["data"]
    emulator.reset()
    emulator.postback(demo.SOCIAL_WORKER, close, group_id=demo.GROUP)
    assert [d["kind"] for d in emulator.deliveries(to=demo.GROUP)] == ["reply"]


def test_the_unit_picker_lists_every_unit_once_with_toggles(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, "求助")
    emulator.postback(demo.SOCIAL_WORKER, "action=inc_flow&category=其他")
    picker = emulator.messages(to=demo.SOCIAL_WORKER)[-1]
    labels = [b["action"]["label"] for b in picker["contents"]["body"]["contents"]]
    assert len(labels) == len(set(labels)) > 13  # more than LINE's 13 quick replies, none dropped
    assert all(label.startswith("☐ ") for label in labels)
    assert not any("中壢家庭服務中心" in label for label in labels)  # the requester's own unit is not offered
    toggle = next(b["action"]["data"] for b in picker["contents"]["body"]["contents"] if "衛生局" in b["action"]["label"])
    emulator.postback(demo.SOCIAL_WORKER, toggle)
    picker = emulator.messages(to=demo.SOCIAL_WORKER)[-1]
    assert any(b["action"]["label"] == "☑ 衛生局" for b in picker["contents"]["body"]["contents"])


def test_bare_case_lists_the_units_open_requests_with_buttons(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 第一件需要協助")
    emulator.text(demo.POLICE, "求助 @中壢家庭服務中心 第二件需要協助")
    emulator.text(demo.POLICE, "求助 @消防 第三件與家服中心無關")
    first, second, third = [i.number for i in incidents(services)]
    emulator.reset()
    emulator.text(demo.SOCIAL_WORKER, "案件")
    [listing] = emulator.messages(to=demo.SOCIAL_WORKER)
    bubbles = listing["contents"]["contents"]
    shown = " ".join(b["header"]["contents"][0]["text"] for b in bubbles)
    assert first in shown and second in shown and third not in shown
    assert set(card_buttons({"contents": bubbles[0]})) == {"案件", "回報", "結案"}


def test_report_and_close_without_a_number_lead_to_the_list_and_a_report_flow(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 需要協助")
    number = incidents(services)[0].number
    emulator.reset()
    emulator.text(demo.SOCIAL_WORKER, "回報")
    said = emulator.messages(to=demo.SOCIAL_WORKER)
    assert "要回報哪一件" in said[0]["text"] and said[1]["type"] == "flex"
    report = card_buttons({"contents": said[1]["contents"]["contents"][0]})["回報"]["data"]
    emulator.postback(demo.SOCIAL_WORKER, report)
    assert conversation(services, demo.SOCIAL_WORKER) == ("incident_report", "text")
    emulator.text(demo.SOCIAL_WORKER, "電話0912345678")
    assert "沒有送出" in " ".join(emulator.texts(to=demo.SOCIAL_WORKER)[-2:])
    emulator.text(demo.SOCIAL_WORKER, "已與家屬約定明天訪視")
    assert any("已與家屬約定明天訪視" in t for t in emulator.texts(to=demo.GROUP))
    assert conversation(services, demo.SOCIAL_WORKER) is None
    emulator.text(demo.SOCIAL_WORKER, f"回報 {number}")  # the quick reply after a claim: asks for the content
    assert conversation(services, demo.SOCIAL_WORKER) == ("incident_report", "text")
    emulator.text(demo.SOCIAL_WORKER, "取消")
    emulator.text(demo.SOCIAL_WORKER, "結案")
    assert "要結案哪一件" in emulator.texts(to=demo.SOCIAL_WORKER)[-2]


def test_the_masked_version_tapped_mid_flow_becomes_the_answer(emulator, services, group):
    emulator.text(demo.SOCIAL_WORKER, "求助")
    emulator.postback(demo.SOCIAL_WORKER, "action=inc_flow&category=其他")
    emulator.postback(demo.SOCIAL_WORKER, "action=inc_flow&done=1")
    emulator.postback(demo.SOCIAL_WORKER, "action=inc_flow&urgency=緊急")
    emulator.text(demo.SOCIAL_WORKER, "請回電0912345678協助訪視")
    offer = emulator.messages(to=demo.SOCIAL_WORKER)[-1]
    masked = card_buttons(offer)["送出遮蔽版"]["data"]
    emulator.postback(demo.SOCIAL_WORKER, masked)
    assert conversation(services, demo.SOCIAL_WORKER) == ("incident", "confirm")
    preview = emulator.texts(to=demo.SOCIAL_WORKER)[-1]
    assert "請確認" in preview and "0912345678" not in preview
