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
from typing import Any

from sqlalchemy.orm import Session, defer, joinedload

from bot import privacy_guard, roster
from bot.context import Ctx
from bot.events import Inbound
from bot.messages import Outbound, push, reply, text
from bot.reminders import late_note
from bot.router import Capability, Job, MidFlow, Route, Where, Who
from handlers.incidents import console, flow, render, service
from models.incidents import Incident, IncidentStatus
from models.reminders import Reminder
from rules.dates import TAIPEI
from rules.economy import one_to_one_is_cheaper
from rules.incidents import claim_stats, length_problem, parse_request


def on_request(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """`求助 <內容>` posts at once; `求助` alone starts the guided flow."""
    assert ctx.contact is not None and event.chat_id and event.user_id
    if not event.argument:
        return flow.FLOW.begin(event, ctx)
    problem = length_problem(event.argument)
    if problem:
        return [reply(text(problem))]
    refused = privacy_guard.require_clean(ctx, "求助內容", event.argument)
    if refused:
        return refused
    draft = parse_request(event.argument)
    district = ctx.contact.unit.district
    units, unknown = service.resolve_tags(district, draft.tags)
    if unknown:
        names = "、".join(u.card_name for u in district.units)
        return [reply(text(f"找不到單位：{'、'.join('@' + t for t in unknown)}。可標記：{names}"))]
    if not draft.body.strip():
        return [reply(text("請寫出求助內容，例如「求助 緊急 @衛生局 個案情緒不穩，需要心衛社工協助訪視」。"))]
    understood = not draft.tags  # no @tags: units written in plain text ("請衛生局協助") are what it asks
    if understood:
        units = service.named_in_text(district, draft.body, besides=ctx.contact.unit_id)
    return flow.post(event, ctx, draft.category, draft.urgency, draft.body, units, understood=bool(understood and units))


def _incident_from_postback(event: Inbound, ctx: Ctx, changes: bool = True) -> Incident | None:
    """Load the request a card's button names, in the speaker's district, without its row lock.

    A tap that changes the request reads it again under the lock (`_locked`), and only when the rules
    would let it: a request only moves forward (open, claimed, closed), so a tap refused on what was read
    stays refused, and in a burst every tap after the first is refused without waiting for the first
    one's transaction. 需要更多資訊 only adds a line to its history (`changes=False`).
    """
    try:
        incident = ctx.session.get(Incident, int(event.postback.get("id", "0")), options=_options(changes))
    except ValueError:
        return None
    if incident is None or ctx.contact is None or incident.district_id != ctx.contact.unit.district_id:
        return None
    return incident


def _options(changes: bool) -> list[Any]:
    # The requester comes along (需要更多資訊 mentions them), and so do the units asked and the unit that
    # claimed it when the tap changes the request (a claim or a close checks them; a refusal names who
    # claimed it): one query instead of three or four. None of the answers shows the text.
    return [joinedload(Incident.requester, innerjoin=True), defer(Incident.text)] + (
        [joinedload(Incident.asked), joinedload(Incident.claimed_unit)] if changes else [])


def _locked(ctx: Ctx, incident: Incident) -> Incident:
    """The request read again under its row lock: two units tapping 我來處理 at once take turns."""
    locked = ctx.session.get(Incident, incident.id, with_for_update={"of": Incident}, populate_existing=True,
                             options=_options(True))
    assert locked is not None  # requests are never deleted while open
    return locked


def on_claim(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """我來處理: the first asked unit to tap it takes the request; the requester hears who in 1:1."""
    incident = _incident_from_postback(event, ctx)
    if incident is None or ctx.contact is None:
        return [reply(text("找不到這件求助，或不屬於您的行政區。"))]
    if service.claim_refused(incident, ctx.contact) is None:
        incident = _locked(ctx, incident)
    refused = service.claim(ctx.session, incident, ctx.contact, ctx.now)
    if refused is not None:
        return [reply(render.refused(incident, refused))]
    return [reply(render.claimed(incident, ctx.contact)),
            push(incident.requester.line_user_id, render.claimed_for_requester(incident, ctx.contact),
                 dedupe_key=f"incident:{incident.id}:claimed")]


def on_info(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """需要更多資訊: asks the requester (mentioned) to add details without personal data."""
    incident = _incident_from_postback(event, ctx, changes=False)
    if incident is None or ctx.contact is None:
        return [reply(text("找不到這件求助，或不屬於您的行政區。"))]
    service.ask_info(ctx.session, incident, ctx.contact, ctx.now)
    return [reply(render.info_requested(incident, ctx.contact))]


def on_close_button(event: Inbound, ctx: Ctx) -> list[Outbound]:
    incident = _incident_from_postback(event, ctx)
    if incident is None:
        return [reply(text("找不到這件求助，或不屬於您的行政區。"))]
    if service.may_close(incident, ctx.contact, ctx.can_manage) and incident.status != IncidentStatus.CLOSED:
        incident = _locked(ctx, incident)
    return _close(event, ctx, incident)


def on_close(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """結案 <編號>; bare 結案 shows the unit's open requests to pick from."""
    if not event.argument:
        return _open_list(ctx, "結案")
    incident = _by_number(ctx, event.argument)
    if incident is None:
        return [reply(text("找不到這個求助編號，格式如「結案 1151122-03」。"))]
    return _close(event, ctx, incident)


def _close(event: Inbound, ctx: Ctx, incident: Incident) -> list[Outbound]:
    """Close once; a close outside the group is announced there in one short line."""
    assert ctx.contact is not None
    refused = service.close(ctx.session, incident, ctx.contact, ctx.can_manage, ctx.now)
    if refused is not None:
        return [reply(render.refused(incident, refused))]
    said = [reply(render.closed(incident, ctx.contact))]
    if event.group_id != incident.group_line_id:
        said.append(push(incident.group_line_id, render.closed_notice(incident, ctx.contact),
                         dedupe_key=f"incident:{incident.id}:closed"))
    return said


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


def _open_list(ctx: Ctx, verb: str | None = None) -> list[Outbound]:
    """The unit's open requests as cards with 案件 / 回報 / 結案 (`verb`: what the user meant to do)."""
    if ctx.contact is None:
        return [reply(text("請寫出求助編號，例如「案件 1151122-03」。"))]
    unit = ctx.contact.unit
    found = service.open_for_unit(ctx.session, unit)
    said = [render.open_list(unit, found)]
    if verb and found:
        said.insert(0, render.pick_for(verb, unit, found))
    return [reply(*said)]


def on_state(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """案件 <編號>: the card and its history; bare 案件: the unit's open requests."""
    if not event.argument:
        return _open_list(ctx)
    incident = _by_number(ctx, event.argument, with_history=True)
    if incident is None:
        return [reply(text("找不到這個求助編號。格式如「案件 1151122-03」；只輸入「案件」可看本單位進行中的求助。"))]
    return [reply(*render.state(incident, service.recent_updates(ctx.session, incident, render.HISTORY_LINES)))]


def on_report(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """回報 <編號> <內容>; without the content it asks for it; bare 回報 lists the open requests."""
    if not event.argument:
        return _open_list(ctx, "回報")
    number, _, body = event.argument.partition(" ")
    incident = _by_number(ctx, number)
    if incident is None or ctx.contact is None:
        return [reply(text("找不到這個求助編號。格式：回報 1151122-03 內容（內容勿含個資）。"))]
    if not body.strip():
        return flow.REPORT_FLOW.begin(event, ctx, {"id": incident.id})
    return flow.report(event, ctx, incident, body.strip())


def on_report_button(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """回報 on a card: ask for the content."""
    incident = _incident_from_postback(event, ctx)
    if incident is None:
        return [reply(text("找不到這件求助，或不屬於您的行政區。"))]
    return flow.REPORT_FLOW.begin(event, ctx, {"id": incident.id})


def on_flag_for_conference(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """提報個案研討 <編號>: a closed request goes on the next case conference's list."""
    incident = _by_number(ctx, event.argument)
    if incident is None:
        return [reply(text("格式：提報個案研討 1151122-03"))]
    refused = service.flag_for_conference(incident, ctx.contact, ctx.can_manage)
    if refused == "open":
        return [reply(text(f"求助 {incident.number} 尚未結案，結案後才能提報個案研討。"))]
    if refused:
        return [reply(text("只有提出單位、認領單位或秘書單位可以提報。"))]
    return [reply(text(f"已將求助 {incident.number} 列入下次個案研討會議提報清單。"))]


def on_statistics(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """統計: requests of the last twelve months by month, category and unit, and claim times."""
    district = ctx.contact.unit.district if ctx.contact else None
    incidents = service.in_period(ctx.session, district.id if district else None, ctx.now - timedelta(days=365))
    by_month = Counter(i.created_at.astimezone(TAIPEI).strftime("%Y-%m") for i in incidents)
    by_category = Counter(i.category for i in incidents)
    by_unit = Counter(i.requester_unit.card_name for i in incidents)
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
        contacts = roster.contacts_of_units(session, service.asked_unit_ids(session, incident))
        group = roster.group_of(session, incident.group_line_id)
        if group is not None and one_to_one_is_cheaper(len(contacts), group.member_count):
            # Only the asked units' contacts, each with the card to claim from (rules/economy.py).
            return [push(c.line_user_id, render.repost_direct(incident, late), render.card(incident, short=True),
                         urgent=True,
                         purpose="escalation 1:1") for c in contacts]
        return [push(incident.group_line_id, render.repost(incident, contacts, late), render.card(incident, short=True),
                     urgent=True, purpose="escalation group")]
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
        # A request is never lost to a half-done flow: 求助 ends it and runs (bot/flows.py).
        Route(on_request, commands=("求助",), where=Where.PRIVATE, who=Who.REGISTERED, acknowledge_first=True,
              mid_flow=MidFlow.PREEMPT, summary="求助 [緊急|一般] [@單位] 內容：向網絡單位發出求助（勿含個資）"),
        Route(on_state, commands=("案件",), who=Who.REGISTERED, mid_flow=MidFlow.RUN, reads_only=True,
              summary="案件 [編號]：本單位進行中的求助，或一件的狀態"),
        Route(on_report, commands=("回報",), who=Who.REGISTERED, summary="回報 <編號> <內容>：補充進度"),
        Route(on_close, commands=("結案",), who=Who.REGISTERED, summary="結案 <編號>：結束求助"),
        Route(on_flag_for_conference, commands=("提報個案研討",), who=Who.REGISTERED),
        Route(on_statistics, commands=("統計",), who=Who.MANAGER, mid_flow=MidFlow.RUN, summary="求助統計"),
        Route(on_report_button, action="inc_report", who=Who.REGISTERED),
        Route(on_claim, action="inc_claim", who=Who.REGISTERED),
        Route(on_info, action="inc_info", who=Who.REGISTERED),
        Route(on_close_button, action="inc_close", who=Who.REGISTERED),
    ),
    flows=(flow.FLOW, flow.REPORT_FLOW),
    jobs=(Job("incidents_purge", purge, every=timedelta(hours=1)),),
    forget=(service.forget_message,),
    reminders={service.ESCALATION: render_escalation},
    blueprints=(console.blueprint,),
    console_pages=(console.PAGE, console.STATISTICS_PAGE),
)
