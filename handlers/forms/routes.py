"""Forms (統一表格) in chat.

User stories (seeds/000, 中壢區 108-03-21, proposal 2: the district social section posts unified
tables for every unit to fill in): the secretariat defines a form (表單 新增, guided, or a template)
and broadcasts it (表單 發布 3) as a card to the district's group; a unit's contact taps 填寫表單 and
answers in 1:1 chat or on a web page; anyone asks 表單進度 for ✓/✗ per unit and each question's tally (a reply, never a push), and the
secretariat nudges the units yet to answer in one tap (提醒未填寫的單位, 1:1 to their contacts);
the bot chases units yet to answer and sends the secretariat a summary at the deadline; the
secretariat exports (表單 匯出 3, a signed link in 1:1) and posts a summary card (表單 摘要 3).

Routes: 表單 [新增|填寫|發布|匯出|摘要|關閉] [編號], 表單進度 [編號], postbacks form_fill (group card),
form_start (1:1 card), form_export (summary card); flows form_fill and form_define.
"""
from __future__ import annotations

from datetime import datetime

from bot import digest, reserve
from bot.context import Ctx
from bot.events import Inbound
from bot.messages import Message, Outbound, postback, push, reply, says, text
from bot.reminders import pending
from bot.router import Capability, MidFlow, Route, Where, Who
from handlers.forms import cli, console, flow, jobs, render, service
from handlers.forms.web import blueprint, export_urls, fill_url
from models.forms import Form, FormStatus
from models.reminders import ReminderState
from models.roster import Group
from rules.dates import roc_datetime, to_taipei
from rules.economy import card_may_wait


def on_forms(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """表單 with a subcommand: list, define, fill, broadcast, export, summary, close."""
    words = event.argument.split(maxsplit=1)
    verb = words[0] if words else ""
    rest = words[1] if len(words) > 1 else ""
    if verb in ("", "列表", "清單"):
        return on_progress(event, ctx) if event.in_group else _list(ctx)
    if verb in ("新增", "建立"):
        if not ctx.can_manage:
            return [reply(text("新增表單限秘書單位（區公所社會課、社會局）或管理員使用。"))]
        if event.in_group:
            return [reply(text("新增表單請在與小幫手的一對一聊天中輸入「表單 新增」。"))]
        return flow.define.start(event, ctx)
    if verb in _VERBS:
        form_id = service.parse_id(rest)
        form = service.get(ctx.session, form_id) if form_id else _only_open_form(ctx, verb)
        if form is None:
            return [reply(text(f"請寫表單編號，例如「表單 {verb} 3」。輸入「表單」查看表單清單。"))]
        return _VERBS[verb](event, ctx, form)
    form_id = service.parse_id(verb)
    form = service.get(ctx.session, form_id) if form_id else None
    if form is None:
        return [reply(text("指令：表單｜表單 填寫 <編號>｜表單進度｜秘書單位：表單 新增、表單 發布／摘要／匯出／關閉 <編號>"))]
    if service.may_manage(ctx.contact, form, ctx.is_admin) and not event.in_group:
        return [reply(render.manage_card(form, service.progress(ctx.session, form)))]
    return _fill_card(event, ctx, form)


def _only_open_form(ctx: Ctx, verb: str) -> Form | None:
    """`表單 填寫` without a number means the unit's one open form, when there is exactly one."""
    if verb != "填寫" or ctx.contact is None:
        return None
    forms = service.forms_for_unit(ctx.session, ctx.contact.unit)
    return forms[0] if len(forms) == 1 else None


def _list(ctx: Ctx) -> list[Outbound]:
    contact = ctx.contact
    own: list[tuple[Form, bool]] = []
    managed: list[Form] = []
    if contact is not None:
        own = [(f, service.response_of(ctx.session, f, contact.unit_id) is not None)
               for f in service.forms_for_unit(ctx.session, contact.unit)]
        if ctx.can_manage:
            managed = service.drafts(ctx.session, contact.unit.district_id)
    return [reply(render.form_list(own, managed))]


def on_progress(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """表單進度 [編號]: ✓/✗ per unit, answered as a reply (free), never pushed."""
    form_id = service.parse_id(event.argument) if event.argument else None
    if form_id is not None:
        form = service.get(ctx.session, form_id)
        shown = form is not None and form.status != FormStatus.DRAFT and _visible(ctx, form)
        forms = [form] if shown and form is not None else []
        if not forms:
            return [reply(text(f"找不到已發布的表單 #{form_id}。"))]
    else:
        district_id = _district_id(ctx)
        if district_id is None:
            return [reply(text("這個群組尚未綁定行政區。"))] if event.in_group else []
        forms = service.open_forms(ctx.session, district_id)
    rows = [(f, service.progress(ctx.session, f), service.spec_of(f)) for f in forms]
    manager = any(service.may_manage(ctx.contact, f, ctx.is_admin) for f in forms)
    return [reply(render.progress_text(rows, manager=manager))]


def on_nudge(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """提醒未填寫的單位 (the secretariat's button on 表單進度): the fill card 1:1 to each waiting unit's contacts."""
    form = service.get(ctx.session, int(event.postback.get("id", 0) or 0))
    if form is None or not service.may_manage(ctx.contact, form, ctx.is_admin):
        return [reply(text("提醒未填寫的單位限該區的秘書單位或管理員。"))]
    if form.status != FormStatus.OPEN:
        return [reply(text(f"表單 #{form.id} 目前不在收件中，沒有發送提醒。"))]
    waiting = service.waiting_units(ctx.session, form)
    contacts = service.contacts_by_unit(ctx.session, [u.id for u in waiting])
    day = to_taipei(ctx.now).date().isoformat()
    said: list[Outbound] = []
    for unit in waiting:
        for contact in contacts.get(unit.id, []):
            card = render.fill_card(form, unit, None, {}, fill_url(ctx.config, form.id, contact.line_user_id), ctx.now)
            # One nudge per person per form per day: a second tap (or a redelivery) sends nothing twice.
            said.append(push(contact.line_user_id, render.nudge(form, unit), card,
                             dedupe_key=f"form:{form.id}:nudge:{contact.line_user_id}:{day}"))
    shown = event.postback.get("n", "")
    said.insert(0, reply(render.nudged(form, len(waiting), len(said), int(shown) if shown.isdigit() else None)))
    return said


def _visible(ctx: Ctx, form: Form) -> bool:
    """A form shows only in its own district's group and to that district's contacts (and admins)."""
    return ctx.is_admin or _district_id(ctx) == form.district_id


def _district_id(ctx: Ctx) -> int | None:
    if ctx.group is not None:
        return ctx.group.district_id
    return ctx.contact.unit.district_id if ctx.contact is not None else None


def _fill_card(event: Inbound, ctx: Ctx, form: Form) -> list[Outbound]:
    """The 1:1 card to fill in; from a group it is pushed to the person privately (the group stays quiet)."""
    refusal = service.may_answer(ctx.session, form, ctx.contact)
    if refusal:
        return [_private(event, text(refusal), f"form:{form.id}:refused:{event.user_id}:{ctx.now.timestamp()}")]
    assert ctx.contact is not None and event.user_id
    response = service.response_of(ctx.session, form, ctx.contact.unit_id)
    names = service.names_of(ctx.session, {response.submitted_by}) if response else {}
    card = render.fill_card(form, ctx.contact.unit, response, names, fill_url(ctx.config, form.id, event.user_id),
                            ctx.now)
    return [_private(event, card, f"form:{form.id}:card:{event.user_id}:{ctx.now.timestamp()}")]


def _private(event: Inbound, message: Message, dedupe: str) -> Outbound:
    assert event.user_id
    return push(event.user_id, message, dedupe_key=dedupe) if event.in_group else reply(message)


def on_fill_tap(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """The group card's 填寫表單 button: the card goes 1:1; the group hears one short line, naming the tapper."""
    form = service.get(ctx.session, int(event.postback.get("id", 0) or 0))
    if form is None:
        return [reply(text("找不到這份表單。"))] if not event.in_group else []
    said = _fill_card(event, ctx, form)
    if event.in_group and event.user_id and service.may_answer(ctx.session, form, ctx.contact) is None:
        said.insert(0, reply(render.sent_privately(event.user_id, form)))
    return said


def on_start(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """The 1:1 card's 在聊天中逐題填寫 button."""
    form = service.get(ctx.session, int(event.postback.get("id", 0) or 0))
    if form is None:
        return [reply(text("找不到這份表單。"))]
    refusal = service.may_answer(ctx.session, form, ctx.contact)
    return [reply(text(refusal))] if refusal else flow.fill.start(event, ctx, form)


def _fill(event: Inbound, ctx: Ctx, form: Form) -> list[Outbound]:
    return _fill_card(event, ctx, form)


def _broadcast(event: Inbound, ctx: Ctx, form: Form, confirmed: bool = False) -> list[Outbound]:
    if not service.may_manage(ctx.contact, form, ctx.is_admin):
        return [reply(text("發布表單限該區的秘書單位或管理員。"))]
    if form.status == FormStatus.CLOSED:
        return [reply(text(f"表單 #{form.id} 已結束收件，不能再發布。"))]
    if not service.groups_of(ctx.session, form):
        return [reply(text(f"{form.district.name}還沒有綁定的群組：請先在群組輸入「綁定 {form.district.name}」。"))]
    groups, cost = _send_cost(event, ctx, form)
    if not confirmed and cost > ctx.config.big_send_confirm:
        waits = [m for m in (_held_until(event, ctx, form, g) for g in groups) if m is not None]
        return [reply(render.send_cost(form, len(groups), cost, reserve.estimate(ctx.session, ctx.now),
                                       roc_datetime(max(waits)) if waits else None))]
    try:
        groups = service.open_form(ctx.session, form, ctx.config, ctx.now)
    except ValueError:
        return [reply(text("表單提醒的設定（FORM_REMINDER_OFFSETS）有誤，尚未發布；請洽管理員。"))]
    card = render.broadcast_card(form, len(service.target_units(ctx.session, form)))
    said: list[Outbound] = []
    held: list[datetime] = []
    for group in groups:
        moment = _held_until(event, ctx, form, group)
        if group.line_group_id == event.group_id:
            said.append(reply(card))  # typed in the group itself: a reply is free
        elif moment is not None:
            service.hold_card(ctx.session, form, group, moment)  # one push with the morning's other notices
            held.append(moment)
        else:
            said.append(push(group.line_group_id, card,
                             dedupe_key=f"form:{form.id}:card:{group.line_group_id}:{ctx.now.timestamp()}"))
    if not event.in_group:
        moments = sorted({r.due_at for r in pending(ctx.session, f"form:{form.id}:remind:")})
        chase_note = "、".join(roc_datetime(m) for m in moments) or "（截止前已無提醒時段）"
        quick = [says("查看進度", f"表單進度 {form.id}")]
        when = ""
        if held:
            when = f"群組卡片將隨群組晨間摘要送出（最晚 {roc_datetime(max(held))}），與其他通知共用一則推播。\n"
            quick.insert(0, postback("立即發到群組", "form_card_now", display="立即發到群組", id=form.id))
        said.insert(0, reply(text(f"已發布表單 #{form.id}「{form.title}」到 {len(groups)} 個群組。\n{when}"
                                  f"提醒未填單位：{chase_note}\n截止後的第一個上班時段會私訊摘要給秘書單位。",
                                  quick=quick)))
    return said


def _held_until(event: Inbound, ctx: Ctx, form: Form, group: Group) -> datetime | None:
    """When the group's card goes with the group's morning digest; None: now (typed there, or the deadline is near)."""
    if group.line_group_id == event.group_id:
        return None
    moment = digest.hold_until(group, ctx.config, ctx.now)
    return moment if moment is not None and card_may_wait(form.deadline, moment) else None


def on_card_now(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """立即發到群組: the held group cards go now instead of with the morning digest."""
    form = service.get(ctx.session, service.parse_id(event.postback.get("id", "")) or 0)
    if form is None or not service.may_manage(ctx.contact, form, ctx.is_admin):
        return [reply(text("找不到這份表單，或您不是該區的秘書單位。"))]
    rows = pending(ctx.session, f"form:{form.id}:card:")
    if not rows or form.status != FormStatus.OPEN:
        return [reply(text(f"表單 #{form.id} 的群組卡片已經送出，或表單已結束收件。"))]
    card = render.broadcast_card(form, len(service.target_units(ctx.session, form)))
    said: list[Outbound] = [reply(text(f"已將表單 #{form.id} 的卡片發到 {len(rows)} 個群組。"))]
    for row in rows:
        row.state = ReminderState.CANCELLED
        said.append(push(row.to, card, dedupe_key=f"form:{form.id}:card:{row.to}:{ctx.now.timestamp()}"))
    return said


def _send_cost(event: Inbound, ctx: Ctx, form: Form) -> tuple[list, int]:
    """The groups a broadcast reaches and what it costs (a group typed in is answered for free)."""
    return service.send_cost(ctx.session, form, event.group_id)


def on_send_tap(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """確認發送 on the cost card: sends only what the card showed (same groups, same cost)."""
    form = service.get(ctx.session, service.parse_id(event.postback.get("id", "")) or 0)
    if form is None:
        return [reply(text("找不到這份表單。"))]
    groups, cost = _send_cost(event, ctx, form)
    if event.postback.get("groups") != str(len(groups)) or event.postback.get("cost") != str(cost):
        return [reply(text("發送對象或人數已變更，這張確認卡已失效；以下是目前的費用：")),
                *_broadcast(event, ctx, form)]
    return _broadcast(event, ctx, form, confirmed=True)


def _export(event: Inbound, ctx: Ctx, form: Form) -> list[Outbound]:
    if not service.may_manage(ctx.contact, form, ctx.is_admin):
        return [reply(text("匯出表單限該區的秘書單位或管理員。"))]
    assert event.user_id
    xlsx, csv = export_urls(ctx.config, form.id, event.user_id)
    message = render.export_links(form, xlsx, csv, ctx.config.form_link_hours)
    if not event.in_group:
        return [reply(message)]
    # The download link is the secretariat's alone: it goes to 1:1 chat, never to the group.
    return [reply(text("匯出連結已私訊給您。")),
            push(event.user_id, message, dedupe_key=f"form:{form.id}:export:{event.user_id}:{ctx.now.timestamp()}")]


def on_export_tap(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """The deadline summary's 取得匯出連結 button."""
    form = service.get(ctx.session, int(event.postback.get("id", 0) or 0))
    return _export(event, ctx, form) if form is not None else [reply(text("找不到這份表單。"))]


def _summary(event: Inbound, ctx: Ctx, form: Form) -> list[Outbound]:
    if form.status == FormStatus.DRAFT or not _visible(ctx, form):
        return [reply(text(f"找不到已發布的表單 #{form.id}。"))]
    card = render.group_summary(form, service.progress(ctx.session, form), service.spec_of(form))
    return [reply(card)]


def _close(event: Inbound, ctx: Ctx, form: Form) -> list[Outbound]:
    if not service.may_manage(ctx.contact, form, ctx.is_admin):
        return [reply(text("結束收件限該區的秘書單位或管理員。"))]
    service.close(ctx.session, form, ctx.now)
    return [reply(text(f"表單 #{form.id}「{form.title}」已結束收件，不再提醒；仍可匯出。"))]


def on_stale(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """A button of a conversation that has ended (expired or cancelled)."""
    return [reply(text("這個步驟已逾時或已結束。輸入「表單」重新開始。", quick=[says("表單")]))]


_VERBS = {"填寫": _fill, "發布": _broadcast, "匯出": _export, "摘要": _summary, "關閉": _close, "結束": _close}

CAPABILITY = Capability(
    name="forms",
    routes=(
        Route(on_forms, commands=("表單",), who=Who.REGISTERED,
              summary="表單：本單位待填的表單；表單 填寫 <編號>（秘書單位：新增、發布、摘要、匯出）"),
        Route(on_progress, commands=("表單進度",), who=Who.REGISTERED, mid_flow=MidFlow.RUN,
              summary="表單進度 [編號]：各單位填寫狀況與回答統計"),
        Route(on_fill_tap, action="form_fill", who=Who.REGISTERED),
        Route(on_send_tap, action="form_send", where=Where.PRIVATE, who=Who.MANAGER),
        Route(on_card_now, action="form_card_now", where=Where.PRIVATE, who=Who.MANAGER),
        Route(on_start, action="form_start", where=Where.PRIVATE, who=Who.REGISTERED),
        Route(on_export_tap, action="form_export", who=Who.MANAGER),
        Route(on_nudge, action="form_nudge", who=Who.MANAGER),
        *(Route(on_stale, action=a, where=Where.PRIVATE) for a in sorted(flow.fill.ACTIONS | flow.define.ACTIONS)),
    ),
    flows=(flow.fill.FLOW, flow.define.FLOW),
    reminders=jobs.RENDERERS,
    digestible=jobs.may_join_digest,
    blueprints=(blueprint, console.blueprint),
    commands=(cli.forms_cli,),
    console_pages=(console.PAGE, console.STATISTICS_PAGE),
)
