"""Urgent requests between units (求助), with no personal data ever reaching the group.

User stories: a registered contact sends `求助 <內容>` (or a guided `求助`) in 1:1 chat; the text
is screened, and only a clean request is posted to the district group as a card, numbered like
1151122-03; the asked units claim it (我來處理), ask for more information or close it; nobody
claiming re-posts it mentioning the asked units' contacts, then tells the secretariat. Every text
passes the privacy guard (bot/privacy_guard.py), which also screens the group. `案件`, `回報`, `結案`,
`提報個案研討`, and `統計` (secretariat) complete the flow.
"""
from __future__ import annotations

from collections import Counter
from datetime import timedelta
from enum import StrEnum

from sqlalchemy.orm import Session, joinedload

from bot import conversations, privacy_guard, reserve, roster
from bot.context import Ctx
from bot.events import EventKind, Inbound
from bot.messages import FollowUps, Outbound, push, reply, text
from bot.reminders import late_note
from bot.router import Capability, Flow, Job, Route, Where, Who
from handlers.incidents import render, service, stats, web
from models.incidents import Incident, IncidentStatus
from models.reminders import Reminder
from models.roster import Group, Unit
from rules.dates import TAIPEI
from rules.economy import QuotaState, one_to_one_is_cheaper
from rules.incidents import CATEGORIES, claim_stats, parse_request

FLOW = "incident"


class Step(StrEnum):
    CATEGORY = "category"
    UNITS = "units"
    URGENCY = "urgency"
    TEXT = "text"
    CONFIRM = "confirm"


def on_request(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """`求助 <內容>` posts at once; `求助` alone starts the guided flow."""
    assert ctx.contact is not None and event.chat_id and event.user_id
    if not event.argument:
        conversations.start(ctx.session, event.chat_id, event.user_id, FLOW, Step.CATEGORY, ctx.now,
                            ctx.config.conversation_minutes)
        return [reply(render.ask_category())]
    refused = privacy_guard.require_clean(ctx, "求助內容", event.argument)
    if refused:
        return refused
    draft = parse_request(event.argument)
    district = ctx.contact.unit.district
    units, unknown = service.resolve_tags(district, draft.tags)
    if unknown:
        names = "、".join(u.short_name for u in district.units)
        return [reply(text(f"找不到單位：{'、'.join('@' + t for t in unknown)}。可標記：{names}"))]
    if not draft.body.strip():
        return [reply(text("請寫出求助內容，例如「求助 緊急 @衛生局 個案情緒不穩，需要心衛社工協助訪視」。"))]
    return _post(event, ctx, draft.category, draft.urgency, draft.body, units)


def _post(event: Inbound, ctx: Ctx, category: str, urgency: str, body: str, units: list[Unit]) -> list[Outbound]:
    assert ctx.contact is not None
    group = service.district_group(ctx.session, ctx.contact.unit.district)
    if group is None:
        return [reply(text(f"{ctx.contact.unit.district.name}尚未綁定群組，請秘書單位在群組輸入"
                           f"「綁定 {ctx.contact.unit.district.name}」後再試。"))]
    incident = service.create(ctx.session, requester=ctx.contact, group=group, category=category,
                              urgency=urgency, body=body, units=units, message_id=event.message_id,
                              now=ctx.now, config=ctx.config)
    reserve.refresh_if_stale(ctx.session, ctx.line, ctx.now)  # a read; what we pushed since is in the ledger
    secretariat = service.secretariat_ids(ctx.session, incident.district)
    if reserve.state(ctx.session, ctx.config.quota_reserve_urgent, ctx.now, group.member_count) == QuotaState.OUT:
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
        sent=(reply(render.confirmation(incident), push_if_reply_fails=True),),
        delayed=(reply(render.delayed(incident), push_if_reply_fails=True),),
        failed=(reply(render.undelivered(incident), push_if_reply_fails=True), *told)))]


def _card(incident: Incident, group: Group, follow_ups: FollowUps | None = None) -> Outbound:
    return push(group.line_group_id, render.card(incident), dedupe_key=f"incident:{incident.id}:card",
                group_cost_hint=group.member_count, urgent=True, purpose="card", follow_ups=follow_ups)


def on_flow(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """One step of the guided request."""
    row = ctx.conversation
    assert row is not None and ctx.contact is not None
    data, minutes = row.data, ctx.config.conversation_minutes
    units = list(ctx.contact.unit.district.units)
    if row.step == Step.CATEGORY:
        category = event.postback.get("category") or event.text.strip()
        if category not in CATEGORIES:
            return [reply(render.ask_category())]
        conversations.advance(row, Step.UNITS, ctx.now, minutes, category=category, units=[])
        return [reply(render.ask_units(units, []))]
    if row.step == Step.UNITS:
        return _choose_units(event, ctx, units)
    if row.step == Step.URGENCY:
        urgency = event.postback.get("urgency") or event.text.strip()
        if urgency not in ("緊急", "一般"):
            return [reply(render.ask_urgency())]
        conversations.advance(row, Step.TEXT, ctx.now, minutes, urgency=urgency)
        return [reply(render.ask_text())]
    if row.step == Step.TEXT:
        return _take_text(event, ctx, units)
    if event.postback.get("send") == "1" or event.text.strip() == "送出":
        conversations.end(ctx.session, row)
        chosen = [u for u in units if u.id in data.get("units", [])]
        return _post(event, ctx, data["category"], data["urgency"], data["text"], chosen)
    return [reply(text("請按「送出」或輸入「取消」。"))]


def _choose_units(event: Inbound, ctx: Ctx, units: list[Unit]) -> list[Outbound]:
    row = ctx.conversation
    assert row is not None
    chosen: list[int] = list(row.data.get("units", []))
    if event.postback.get("done") == "1" or event.text.strip() == "完成":
        conversations.advance(row, Step.URGENCY, ctx.now, ctx.config.conversation_minutes)
        return [reply(render.ask_urgency())]
    unit = next((u for u in units if str(u.id) == event.postback.get("unit")), None)
    if unit is None and event.text:
        unit = roster.find_unit_in(ctx.contact.unit.district, event.text) if ctx.contact else None
    if unit is not None and unit.id not in chosen:
        chosen.append(unit.id)
    conversations.advance(row, Step.UNITS, ctx.now, ctx.config.conversation_minutes, units=chosen)
    return [reply(render.ask_units(units, chosen))]


def _take_text(event: Inbound, ctx: Ctx, units: list[Unit]) -> list[Outbound]:
    row = ctx.conversation
    assert row is not None
    body = event.text.strip()
    if event.kind != EventKind.TEXT or not body:
        return [reply(render.ask_text())]
    refused = privacy_guard.require_clean(ctx, "求助內容", body)
    if refused:
        return refused
    conversations.advance(row, Step.CONFIRM, ctx.now, ctx.config.conversation_minutes, text=body)
    names = "、".join(u.short_name for u in units if u.id in row.data.get("units", [])) or "全體網絡單位"
    return [reply(render.preview(row.data["category"], row.data["urgency"], names, body))]


def _incident_from_postback(event: Inbound, ctx: Ctx) -> Incident | None:
    """Load the request locked for this event, so two units tapping 我來處理 at once take turns."""
    try:
        # The requester comes along: 需要更多資訊 mentions them (one query instead of two).
        incident = ctx.session.get(Incident, int(event.postback.get("id", "0")), with_for_update={"of": Incident},
                                   options=[joinedload(Incident.requester, innerjoin=True)])
    except ValueError:
        return None
    if incident is None or ctx.contact is None or incident.district_id != ctx.contact.unit.district_id:
        return None
    return incident


def on_claim(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """我來處理: the first asked unit to tap it takes the request."""
    incident = _incident_from_postback(event, ctx)
    if incident is None or ctx.contact is None:
        return [reply(text("找不到這件求助，或不屬於您的行政區。"))]
    if incident.status == IncidentStatus.CLOSED:
        return [reply(text(f"求助 {incident.number} 已結案。"))]
    if incident.claimed_unit is not None:
        if incident.claimed_unit_id == ctx.contact.unit_id:
            return [reply(text(f"貴單位已認領求助 {incident.number}。"))]
        return [reply(text(f"求助 {incident.number} 已由 {incident.claimed_unit.name} 認領處理中。"))]
    if not service.may_claim(incident, ctx.contact):
        return [reply(text(f"求助 {incident.number} 請求的是：{render.asked_names(incident)}。"
                           "如要協助，可用「回報 編號 內容」說明。"))]
    service.claim(ctx.session, incident, ctx.contact, ctx.now)
    return [reply(render.claimed(incident, ctx.contact))]


def on_info(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """需要更多資訊: asks the requester (mentioned) to add details without personal data."""
    incident = _incident_from_postback(event, ctx)
    if incident is None or ctx.contact is None:
        return [reply(text("找不到這件求助，或不屬於您的行政區。"))]
    service.ask_info(ctx.session, incident, ctx.contact, ctx.now)
    return [reply(render.info_requested(incident, ctx.contact))]


def on_close_button(event: Inbound, ctx: Ctx) -> list[Outbound]:
    incident = _incident_from_postback(event, ctx)
    if incident is None:
        return [reply(text("找不到這件求助，或不屬於您的行政區。"))]
    return _close(ctx, incident)


def on_close(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """結案 <編號>."""
    incident = _by_number(ctx, event.argument)
    if incident is None:
        return [reply(text("請寫出求助編號，例如「結案 1151122-03」。"))]
    return _close(ctx, incident)


def _close(ctx: Ctx, incident: Incident) -> list[Outbound]:
    if incident.status == IncidentStatus.CLOSED:
        return [reply(text(f"求助 {incident.number} 已結案。"))]
    if not service.may_close(incident, ctx.contact, ctx.can_manage) or ctx.contact is None:
        return [reply(text("只有提出單位、認領單位或秘書單位可以結案。"))]
    service.close(ctx.session, incident, ctx.contact, ctx.now)
    return [reply(render.closed(incident, ctx.contact))]


def _by_number(ctx: Ctx, argument: str, with_history: bool = False) -> Incident | None:
    """The speaker's district's request; in a group, only if the group is bound to that same district.

    A group bound elsewhere (or not at all) may hold people of other districts or outsiders: it is
    told nothing about the request, not even that it exists.
    """
    district_id = None if ctx.is_admin and ctx.contact is None else (
        ctx.contact.unit.district_id if ctx.contact else None)
    if ctx.group_id is not None:
        bound = ctx.group.district_id if ctx.group is not None else None
        if bound is None or (district_id is not None and bound != district_id):
            return None
        district_id = bound
    return service.find(ctx.session, argument, district_id, with_history) if argument else None


def on_state(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """案件 <編號>: the card and its history."""
    incident = _by_number(ctx, event.argument, with_history=True)
    if incident is None:
        return [reply(text("找不到這個求助編號。格式如「案件 1151122-03」。"))]
    return [reply(*render.state(incident, service.recent_updates(ctx.session, incident, render.HISTORY_LINES)))]


def on_report(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """回報 <編號> <內容>: screened like the request; from 1:1 it is posted to the group."""
    number, _, body = event.argument.partition(" ")
    incident = _by_number(ctx, number)
    if incident is None or not body.strip() or ctx.contact is None:
        return [reply(text("格式：回報 1151122-03 內容（內容勿含個資）。"))]
    refused = privacy_guard.require_clean(ctx, "回報內容", body)
    if refused:
        return refused
    service.report(ctx.session, incident, ctx.contact, body.strip(), event.message_id, ctx.now)
    said = [reply(text(f"已記錄求助 {incident.number} 的回報。"))]
    if not event.in_group:
        said.append(push(incident.group_line_id, render.update_posted(incident, ctx.contact, body.strip())))
    return said


def on_flag_for_conference(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """提報個案研討 <編號>: a closed request goes on the next case conference's list."""
    incident = _by_number(ctx, event.argument)
    if incident is None:
        return [reply(text("格式：提報個案研討 1151122-03"))]
    if incident.status != IncidentStatus.CLOSED:
        return [reply(text(f"求助 {incident.number} 尚未結案，結案後才能提報個案研討。"))]
    if not service.may_close(incident, ctx.contact, ctx.can_manage):
        return [reply(text("只有提出單位、認領單位或秘書單位可以提報。"))]
    incident.for_case_conference = True
    return [reply(text(f"已將求助 {incident.number} 列入下次個案研討會議提報清單。"))]


def on_statistics(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """統計: requests of the last twelve months by month, category and unit, and claim times."""
    district = ctx.contact.unit.district if ctx.contact else None
    incidents = service.in_period(ctx.session, district.id if district else None, ctx.now - timedelta(days=365))
    by_month = Counter(i.created_at.astimezone(TAIPEI).strftime("%Y-%m") for i in incidents)
    by_category = Counter(i.category for i in incidents)
    by_unit = Counter(i.requester_unit.short_name for i in incidents)
    minutes = [(i.claimed_at - i.created_at).total_seconds() / 60 for i in incidents if i.claimed_at]
    title = f"{district.name if district else '全市'}近12個月求助統計（共 {len(incidents)} 件）"
    return [reply(render.statistics(title, by_month, by_category, by_unit, claim_stats(minutes)))]


def render_escalation(session: Session, reminder: Reminder, now) -> list[Outbound] | None:
    """Renderer for the scheduler: re-post with mentions, or alert the secretariat in 1:1 chat."""
    incident = session.get(Incident, reminder.subject_id)
    if incident is None or incident.status != IncidentStatus.OPEN:
        return None
    late = late_note(reminder)
    if reminder.key.endswith(":repost"):
        unit_ids = [u.id for u in incident.asked_units] or [u.id for u in incident.district.units]
        contacts = [c for c in roster.contacts_of_units(session, unit_ids) if c.id != incident.requester_id]
        group = roster.group_of(session, incident.group_line_id)
        if group is not None and one_to_one_is_cheaper(len(contacts), group.member_count):
            # Only the asked units' contacts, each with the card to claim from (rules/economy.py).
            return [push(c.line_user_id, render.repost_direct(incident, late), render.card(incident), urgent=True,
                         purpose="escalation 1:1") for c in contacts]
        return [push(incident.group_line_id, render.repost(incident, contacts, late), urgent=True,
                     purpose="escalation group")]
    return [push(user_id, render.secretariat_alert(incident, late), urgent=True, purpose="escalation secretariat")
            for user_id in service.secretariat_ids(session, incident.district)]


def purge(services, now) -> int:
    """Job: drop free text past the retention period."""
    with services.db.transaction() as session:
        return service.purge_expired(session, now, services.config.retention_days)


CAPABILITY = Capability(
    name="incidents",
    routes=(
        # A request allocates a number, schedules escalations and posts a card: stored first, LINE answered
        # at once, handled right after (bot/inbox.py).
        Route(on_request, commands=("求助",), where=Where.PRIVATE, who=Who.REGISTERED, acknowledge_first=True,
              summary="求助 [緊急|一般] [@單位] 內容：向網絡單位發出求助（勿含個資）"),
        Route(on_state, commands=("案件",), who=Who.REGISTERED, summary="案件 <編號>：查看求助狀態"),
        Route(on_report, commands=("回報",), who=Who.REGISTERED, summary="回報 <編號> <內容>：補充進度"),
        Route(on_close, commands=("結案",), who=Who.REGISTERED, summary="結案 <編號>：結束求助"),
        Route(on_flag_for_conference, commands=("提報個案研討",), who=Who.REGISTERED),
        Route(on_statistics, commands=("統計",), who=Who.MANAGER, summary="求助統計"),
        Route(on_claim, action="inc_claim", who=Who.REGISTERED),
        Route(on_info, action="inc_info", who=Who.REGISTERED),
        Route(on_close_button, action="inc_close", who=Who.REGISTERED),
    ),
    flows=(Flow(FLOW, on_flow, actions=frozenset({"inc_flow"})),),
    jobs=(Job("incidents_purge", purge, every=timedelta(hours=1)),),
    forget=(service.forget_message,),
    reminders={service.ESCALATION: render_escalation},
    blueprints=(web.blueprint,),
    console_pages=(web.PAGE, stats.PAGE),
)
