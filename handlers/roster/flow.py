"""Registration (註冊) as a declared flow: district, then unit, then the application goes to the secretariat.

    DISTRICT --district (tap or typed)--> UNIT --unit (tap or typed)--> applied, flow ends
    any --取消 / expiry / a command word (router, bot/flows.py)--> ends or asks
"""
from __future__ import annotations

from enum import StrEnum
from functools import partial
from typing import Any

from bot import conversations, flows, roster as service
from bot.context import Ctx
from bot.events import EventKind, Inbound
from bot.messages import Message, Outbound, push, reply, text
from bot.services import Services
from handlers.roster import menu, render
from models.roster import ContactStatus, Unit


class Step(StrEnum):
    DISTRICT = "district"
    UNIT = "unit"


NAME = "display_name"  # the applicant's LINE display name, kept with the flow's answers


def on_register(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Start registration: ask for the district (LINE is asked for the applicant's name meanwhile)."""
    contact = ctx.contact
    if contact is not None and contact.status == ContactStatus.ACTIVE:
        return [reply(text(f"您已是「{contact.unit.card_name}」的聯繫窗口。要改單位請聯絡秘書單位。"))]
    said = FLOW.begin(event, ctx)
    if event.chat_id and event.user_id:
        ctx.after_response(partial(_keep_display_name, event.chat_id, event.user_id))
    return said


def _keep_display_name(chat_id: str, user_id: str, services: Services) -> None:
    """After the response: ask LINE for the applicant's display name and keep it with the flow's answers.

    LINE is asked outside any transaction (on SQLite a writing one holds the database's one write lock for
    as long as LINE takes to answer), long before the applicant has chosen a district and a unit.
    """
    profile = services.gateway.profile(user_id)
    if profile is None:
        return
    with services.db.transaction() as session:
        row = conversations.load(session, chat_id, user_id, services.clock())
        if row is not None and row.flow == FLOW.name:  # the row is locked: a tap meanwhile waits, or went first
            row.data = {**(row.data or {}), NAME: profile.display_name}


def _district_answer(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> flows.Outcome:
    district = _chosen_district(event, ctx)
    if district is None:
        return flows.stay("請從下方選擇行政區，或輸入「取消」。")
    return flows.go(Step.UNIT, district_id=district.id)


def _unit_answer(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> flows.Outcome:
    district = service.find_district_by_id(ctx.session, data["district_id"])
    assert district is not None  # districts are seeded and never deleted
    unit = _chosen_unit(event, ctx, district)
    if unit is None:
        return flows.stay("請點選清單中的單位，或輸入單位名稱；輸入「取消」可結束。")
    return flows.finish(*_submit(event, ctx, unit, data.get(NAME)))


def _ask_unit(ctx: Ctx, data: dict[str, Any]) -> list[Message]:
    district = service.find_district_by_id(ctx.session, data["district_id"])
    return [render.ask_unit(district)] if district else []


# Registration: DISTRICT --district--> UNIT --unit--> applied (the secretariat is asked), ends.
FLOW = flows.Flow(name="register", title="註冊", states=(
    flows.State(Step.DISTRICT, lambda ctx, data: [render.ask_district(service.districts(ctx.session))],
                _district_answer),
    flows.State(Step.UNIT, _ask_unit, _unit_answer),
), actions=frozenset({"reg_district", "reg_unit"}))


def _chosen_district(event: Inbound, ctx: Ctx):
    if event.kind == EventKind.POSTBACK and event.action == "reg_district":
        return service.find_district_by_id(ctx.session, int(event.postback.get("id", 0)))
    return service.find_district(ctx.session, event.text) if event.text else None


def _chosen_unit(event: Inbound, ctx: Ctx, district) -> Unit | None:
    if event.kind == EventKind.POSTBACK and event.action == "reg_unit":
        unit = ctx.session.get(Unit, int(event.postback.get("id", 0)))
        return unit if unit is not None and unit.district_id == district.id else None
    return service.find_unit(ctx.session, district, event.text) if event.text else None


def _submit(event: Inbound, ctx: Ctx, unit: Unit, name: str | None) -> list[Outbound]:
    assert event.user_id
    if name is None:  # LINE did not answer after 註冊: one more try, now (inside the transaction, rarely)
        profile = ctx.line.profile(event.user_id)
        name = profile.display_name if profile else ""
    replacing = ctx.contact is not None and ctx.contact.status == ContactStatus.PENDING
    contact = service.apply(ctx.session, event.user_id, name, unit, ctx.now)
    if ctx.is_admin:
        service.decide(contact, True, event.user_id, ctx.now)
        menu.link_after_response(ctx, contact)
        return [reply(text(f"已登記為「{unit.card_name}」的聯繫窗口（管理員免審核）。"))]
    approvers = service.approvers_for(ctx.session, unit, ctx.config.admin_line_user_ids)
    # One pending application per user: who already has its card sees the current one when tapping it,
    # so re-registering pushes nothing to them (a loop of 註冊 cannot drain the month's quota).
    card = render.approval_card(contact)
    said = [push(user_id, card, dedupe_key=f"approve:{contact.id}:{contact.application_version}:{user_id}")
            for user_id in service.to_notify(contact, approvers)]
    note = "已通知秘書單位審核，核准後會通知您。" if approvers else "目前沒有可審核的秘書單位，請聯絡管理員。"
    if replacing:
        return [reply(text(f"已更新您的註冊申請：{unit.district.name}／{unit.card_name}（先前的申請已取代）。\n"
                           "秘書單位審核時會看到更新後的內容，核准後會通知您。"))] + said
    return [reply(text(f"已送出註冊申請：{unit.district.name}／{unit.card_name}。\n{note}"))] + said
