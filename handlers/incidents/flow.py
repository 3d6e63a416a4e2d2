"""The guided request (`求助` alone), declared as a table, and posting a request (both ways end here).

    CATEGORY --category--> UNITS --toggle unit (stays) / 完成--> URGENCY --緊急|一般--> TEXT
    TEXT --clean text--> CONFIRM --送出--> posted to the group, flow ends
    TEXT --personal data / too long--> TEXT (reason, nothing kept)
    any --取消 / expiry / 求助 ... (router, bot/flows.py)--> ends

    回報 (REPORT_FLOW, from a card's 回報 or `回報 <編號>`): TEXT --clean text--> recorded, posted, ends
"""
from __future__ import annotations

from enum import StrEnum
from typing import Any

from bot import flows, privacy_guard, reserve, roster
from bot.context import Ctx
from bot.events import EventKind, Inbound
from bot.flows import Flow, Outcome, State, finish, go, stay
from bot.messages import FollowUps, Message, Outbound, push, reply, text
from handlers.incidents import render, service
from models.incidents import Incident, Urgency
from models.roster import Group, Unit
from rules.economy import QuotaState
from rules.incidents import CATEGORIES, MAX_BODY, length_problem

ACTION = "inc_flow"


class Step(StrEnum):
    CATEGORY = "category"
    UNITS = "units"
    URGENCY = "urgency"
    TEXT = "text"
    CONFIRM = "confirm"


def post(event: Inbound, ctx: Ctx, category: str, urgency: Urgency, body: str, units: list[Unit],
         understood: bool = False) -> list[Outbound]:
    """Record the request, post its card to the district group and confirm to the requester.

    `understood`: the asked units were read from the text, so the confirmation says so.
    """
    assert ctx.contact is not None
    district = ctx.contact.unit.district
    group = service.district_group(ctx.session, district)
    if group is None:
        return [reply(text(f"{district.name}尚未綁定群組，請秘書單位在群組輸入「綁定 {district.name}」後再試。"))]
    incident = service.create(ctx.session, requester=ctx.contact, group=group, category=category,
                              urgency=urgency, body=body, units=units, message_id=event.message_id,
                              now=ctx.now, config=ctx.config)
    secretariat = service.secretariat_ids(ctx.session, incident.district)
    quota, stale = reserve.request_state(ctx.session, ctx.config.quota_reserve_urgent, ctx.now, group.member_count)
    if stale:
        ctx.after_response(reserve.refresh_after_response)
    if quota == QuotaState.OUT:
        # Never a false confirmation: the requester phones now; the secretariat hears of it in 1:1.
        alert = [push(user_id, render.undelivered_to_secretariat(incident), purpose="quota gone")
                 for user_id in secretariat]
        return [_card(incident, group), reply(render.quota_gone(incident), push_if_reply_fails=True), *alert]
    # Confirmed only once LINE accepted the card: a request that never reached the group must not
    # look sent. If it cannot get there, the requester learns at once what to do instead, and the
    # district's secretariat is told 1:1.
    told = tuple(push(user_id, render.undelivered_to_secretariat(incident), purpose="undelivered")
                 for user_id in secretariat)
    return [_card(incident, group, FollowUps(
        sent=(reply(render.confirmation(incident, understood), push_if_reply_fails=True),),
        delayed=(reply(render.delayed(incident), push_if_reply_fails=True),),
        failed=(reply(render.undelivered(incident), push_if_reply_fails=True), *told)))]


def _card(incident: Incident, group: Group, follow_ups: FollowUps | None = None) -> Outbound:
    return push(group.line_group_id, render.card(incident), dedupe_key=f"incident:{incident.id}:card",
                group_cost_hint=group.member_count, urgent=True, purpose="card", follow_ups=follow_ups)


def _units(ctx: Ctx) -> list[Unit]:
    """The units the speaker may ask: every unit of the district except the speaker's own."""
    assert ctx.contact is not None
    return [u for u in ctx.contact.unit.district.units if u.id != ctx.contact.unit_id]


def _typed(event: Inbound) -> str:
    return event.text.strip() if event.kind == EventKind.TEXT else ""


def _category(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
    chosen = event.postback.get("category") or _typed(event)
    if chosen not in CATEGORIES:
        return stay("請從下方選擇類別。")
    return go(Step.UNITS, category=chosen, units=[])


def _toggle(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
    chosen: list[int] = list(data.get("units") or [])
    units = _units(ctx)
    if event.postback.get("done") == "1" or _typed(event) == "完成":
        return go(Step.URGENCY)
    if event.postback.get("all") == "1" or _typed(event) in ("全體", "全部", "全體網絡單位"):
        return go(Step.URGENCY, units=[])
    unit = next((u for u in units if str(u.id) == event.postback.get("unit")), None)
    if unit is None and _typed(event):
        found = roster.find_unit_in(ctx.contact.unit.district, _typed(event)) if ctx.contact else None
        unit = found if found in units else None
        if unit is None:
            return stay(f"找不到「{_typed(event)}」，請點選下方清單的單位。")
    if unit is not None:
        chosen = [i for i in chosen if i != unit.id] if unit.id in chosen else chosen + [unit.id]
    return stay(units=chosen)


def _urgency(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
    said = event.postback.get("urgency") or _typed(event)
    if said not in {u.value for u in Urgency}:
        return stay("請選擇「緊急」或「一般」。")
    return go(Step.TEXT, urgency=said)


def _text(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
    body = _typed(event)
    if not body:
        return stay()
    problem = length_problem(body)
    if problem:
        return stay(problem)
    refused = privacy_guard.require_clean(ctx, "求助內容", body)
    if refused:
        return flows.refused(refused)
    return go(Step.CONFIRM, text=body)


def _confirm(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
    if event.postback.get("send") != "1" and _typed(event) != "送出":
        return stay("請按「送出」，或輸入「取消」。")
    chosen = [u for u in _units(ctx) if u.id in (data.get("units") or [])]
    return finish(*post(event, ctx, data["category"], Urgency(data["urgency"]), data["text"], chosen))


def _ask_units(ctx: Ctx, data: dict[str, Any]) -> list[Message]:
    return [render.ask_units(_units(ctx), list(data.get("units") or []))]


def _preview(ctx: Ctx, data: dict[str, Any]) -> list[Message]:
    chosen = [u for u in _units(ctx) if u.id in (data.get("units") or [])]
    return [render.preview(data["category"], data["urgency"], render.names(chosen), data["text"])]


FLOW = Flow(
    name="incident",
    title="求助",
    states=(
        State(Step.CATEGORY, lambda ctx, data: [render.ask_category()], _category),
        State(Step.UNITS, _ask_units, _toggle),
        State(Step.URGENCY, lambda ctx, data: [render.ask_urgency()], _urgency),
        State(Step.TEXT, lambda ctx, data: [render.ask_text()], _text),
        State(Step.CONFIRM, _preview, _confirm),
    ),
    actions=frozenset({ACTION}),
)



def report_refusal(ctx: Ctx, body: str) -> list[Outbound] | None:
    """Why a report cannot be recorded (too long; personal data, with the masked version), else None."""
    problem = length_problem(body)
    if problem:
        return [reply(text(problem))]
    return privacy_guard.require_clean(ctx, "回報內容", body)


def report(event: Inbound, ctx: Ctx, incident: Incident, body: str) -> list[Outbound]:
    """Record a progress report (screened like the request); from 1:1 it is posted to the group."""
    assert ctx.contact is not None
    refused = report_refusal(ctx, body)
    if refused is not None:
        return refused
    service.report(ctx.session, incident, ctx.contact, body, event.message_id, ctx.now)
    said = [reply(text(f"已記錄求助 {incident.number} 的回報。"))]
    if not event.in_group:
        said.append(push(incident.group_line_id, render.update_posted(incident, ctx.contact, body)))
    return said


def _reported(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
    incident = ctx.session.get(Incident, int(data.get("id") or 0))
    if incident is None:
        return finish(reply(text("找不到這件求助。")))
    body = _typed(event)
    if not body:
        return stay()
    refused = report_refusal(ctx, body)
    if refused is not None:
        return flows.refused(refused)  # say why and wait for a rewritten report
    return finish(*report(event, ctx, incident, body))


def _ask_report(ctx: Ctx, data: dict[str, Any]) -> list[Message]:
    incident = ctx.session.get(Incident, int(data.get("id") or 0))
    return [render.ask_report(incident)] if incident else [text("找不到這件求助。")]


class ReportStep(StrEnum):
    TEXT = "text"


REPORT_FLOW = Flow(name="incident_report", title="回報", states=(State(ReportStep.TEXT, _ask_report, _reported),))

__all__ = ["FLOW", "MAX_BODY", "REPORT_FLOW", "Step", "post", "report"]
