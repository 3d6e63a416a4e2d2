"""Roster in chat.

User stories: a unit's contact registers in 1:1 chat (註冊: district, then unit) and waits for
the district secretariat to approve; the secretariat approves or rejects with a button; a
secretariat member binds the district's LINE group (綁定 中壢區); the bot greets a group once,
when invited; anyone asks for hotlines and family service centres (資源); admins check the
message quota (額度, handlers/quota).
"""
from __future__ import annotations

from datetime import timedelta
from functools import partial

from bot import roster as service
from bot.context import Ctx
from bot.events import EventKind, Inbound
from bot.messages import Outbound, push, reply, says, text
from bot.router import Capability, Job, MidFlow, Route, Where, Who
from handlers.roster import cli, console, flow, jobs, menu, render
from models.audit import AuditEntry
from models.roster import Contact, ContactStatus, Group


def on_decide(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Approve or reject a registration request from its card, only as the card showed it."""
    contact = ctx.session.get(Contact, _int(event.postback.get("id")))
    if contact is None:
        return [reply(text("找不到這筆申請。"))]
    if not service.may_approve(ctx.contact, contact.unit, ctx.is_admin):
        _refused(ctx, "approve", contact_id=contact.id, unit_id=contact.unit_id)
        return [reply(text(render.who_may(contact.unit)))]
    if contact.status != ContactStatus.PENDING:
        return [reply(text(f"這筆申請已處理過（{render.STATUS_LABELS[contact.status]}）。"))]
    if (_int(event.postback.get("unit")), _int(event.postback.get("v"))) != (contact.unit_id,
                                                                            contact.application_version):
        return [reply(text("這張審核卡已過期：申請人在卡片送出後更改了申請內容，本次未核准也未婉拒。"
                           "請依下方最新的申請卡決定。")),
                reply(render.approval_card(contact, title="最新的註冊申請"))]
    approve = event.postback.get("ok") == "1"
    assert event.user_id
    service.decide(contact, approve, event.user_id, ctx.now)
    if approve:
        menu.link_after_response(ctx, contact)  # the rich menu of the contact's role
    ctx.session.add(AuditEntry(at=ctx.now, actor=event.user_id, action="approve" if approve else "reject",
                               detail={"contact_id": contact.id, "unit_id": contact.unit_id,
                                       "version": contact.application_version}))
    verdict = "核准" if approve else "婉拒"
    return [reply(text(f"已{verdict}：{contact.display_name or '申請人'}（{contact.unit.card_name}）。")),
            push(contact.line_user_id, render.decision_notice(contact, approve),
                 dedupe_key=f"decided:{contact.id}:{contact.decided_at}")]


def _int(value: object) -> int:
    """A postback id as an int; anything malformed becomes 0 (no row has it)."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return 0


def _refused(ctx: Ctx, action: str, **detail: object) -> None:
    """Write a refused authorisation attempt to the audit table (who tried what; never message text)."""
    ctx.session.add(AuditEntry(at=ctx.now, actor=ctx.user_id or "", action=f"refused:{action}"[:40],
                               detail=dict(detail)))


def on_bind(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Bind this group to a district (綁定 中壢區)."""
    district = service.find_district(ctx.session, event.argument) if event.argument else None
    if district is None:
        names = "、".join(d.name for d in service.districts(ctx.session))
        return [reply(text(f"請寫出要綁定的行政區，例如「綁定 中壢區」。\n可選：{names}"))]
    if not service.may_manage_district(ctx.contact, district, ctx.is_admin):
        _refused(ctx, "bind_group", district_id=district.id)
        return [reply(text(f"只有{district.name}的秘書單位或管理員可以綁定群組。"))]
    assert event.group_id
    group = ctx.group or _new_group(ctx, event.group_id)
    group.district_id = district.id
    group.bound_at = ctx.now
    ctx.after_response(partial(service.refresh_member_count, event.group_id))
    ctx.session.add(AuditEntry(at=ctx.now, actor=event.user_id or "", action="bind_group",
                               detail={"group": event.group_id, "district_id": district.id}))
    return [reply(text(f"已將本群組綁定為「{district.name}」社安網聯繫群組。\n"
                       "提醒：請勿在群組張貼個案姓名、身分證字號、電話、地址等個人資料。"))]


def on_join(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Greet a group once, when first invited, with how to bind it."""
    assert event.group_id
    group = ctx.group or _new_group(ctx, event.group_id)
    group.left_at = None
    ctx.after_response(partial(service.refresh_member_count, event.group_id))
    if group.greeted_at is not None:
        return []
    group.greeted_at = ctx.now
    return [reply(render.group_greeting())]


def on_leave(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Remember that the bot was removed, so nothing more is pushed there."""
    if ctx.group is not None:
        ctx.group.left_at = ctx.now
    return []


def on_member_left(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Contacts leaving their district's bound group are taken off the roster; the secretariat is told."""
    group = ctx.group
    if group is None or group.district is None:
        return []
    gone = [c for c in (service.contact_of(ctx.session, uid) for uid in event.left_user_ids)
            if c is not None and c.is_active and c.unit.district_id == group.district_id]
    for contact in gone:
        service.deactivate(ctx.session, contact, "line:memberLeft", "left_group", ctx.now)
    return _tell_secretariat(ctx, gone, "left_group", event.webhook_event_id)


def on_unfollow(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """A contact who blocked or removed the bot can no longer be reached: off the roster, secretariat told."""
    contact = ctx.contact
    if contact is None or not contact.is_active:
        return []
    service.deactivate(ctx.session, contact, "line:unfollow", "unfollowed", ctx.now)
    return _tell_secretariat(ctx, [contact], "unfollowed", event.webhook_event_id)


def on_deactivate(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """停用 <LINE 名稱> [單位]: a secretariat takes a contact of its district off the roster."""
    found, problem = _named_contact(ctx, event.argument, "停用")
    if found is None:
        return [reply(text(problem))]
    if not service.may_deactivate(ctx.contact, found.unit, ctx.is_admin):
        _refused(ctx, "deactivate", contact_id=found.id)
        return [reply(text(render.who_may(found.unit, "停用這位聯繫窗口")))]
    assert event.user_id
    service.deactivate(ctx.session, found, event.user_id, "deactivated", ctx.now)
    return [reply(text(f"已停用：{found.display_name}（{found.unit.name}）{render.WHAT_INACTIVE_MEANS}。"))]


def on_move(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """移動 <LINE 名稱> <新單位>: a secretariat moves a contact to another unit of the same district."""
    name, _, unit_name = event.argument.strip().rpartition(" ")
    found, problem = _named_contact(ctx, name, "移動")
    if found is None or not unit_name:
        return [reply(text(problem or "請寫成：移動 <LINE 名稱> <新單位>，例如「移動 陳家防官 少年警察隊」。"))]
    unit = service.find_unit(ctx.session, found.unit.district, unit_name)
    if unit is None:
        return [reply(text(f"{found.unit.district.name}沒有「{unit_name}」這個單位。"))]
    if not (service.may_deactivate(ctx.contact, found.unit, ctx.is_admin)
            and service.may_approve(ctx.contact, unit, ctx.is_admin)):
        _refused(ctx, "move_contact", contact_id=found.id, unit_id=unit.id)
        return [reply(text(render.who_may(unit, "做這項異動")))]
    assert event.user_id
    service.move(ctx.session, found, unit, event.user_id, ctx.now)
    return [reply(text(f"已將 {found.display_name} 移到「{unit.name}」（{render.ROLE_LABELS[found.role]}）。"))]


def _named_contact(ctx: Ctx, argument: str, verb: str) -> tuple[Contact | None, str]:
    """The one active contact the secretariat named (LINE name, optionally then a unit), or why not."""
    name, _, unit_hint = argument.strip().partition(" ")
    if not name:
        return None, f"請寫出聯繫窗口的 LINE 名稱，例如「{verb} 陳家防官」。"
    matches = [c for c in service.active_named(ctx.session, name)
               if service.may_manage_district(ctx.contact, c.unit.district, ctx.is_admin)
               and (not unit_hint or unit_hint in (c.unit.name, c.unit.short_name))]
    if not matches:
        return None, f"您管理的行政區沒有名為「{name}」的聯繫窗口。"
    if len(matches) > 1:
        listed = "、".join(f"{c.display_name}（{c.unit.card_name}）" for c in matches)
        return None, f"有 {len(matches)} 位同名：{listed}。請加上單位，例如「{verb} {name} {matches[0].unit.card_name}」。"
    return matches[0], ""


def _tell_secretariat(ctx: Ctx, gone: list[Contact], how: str, event_id: str) -> list[Outbound]:
    if not gone:
        return []
    district = gone[0].unit.district
    notice = render.offboarded(gone, how)
    gone_ids = {c.line_user_id for c in gone}
    return [push(user_id, notice, dedupe_key=f"offboard:{event_id}:{user_id}"[:120])
            for user_id in service.approvers(ctx.session, district, ctx.config.admin_line_user_ids)
            if user_id not in gone_ids]


def on_follow(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Welcome a new friend in 1:1 chat."""
    if ctx.contact is not None and ctx.contact.is_active:
        return [reply(text("歡迎回來！輸入「說明」查看可用功能。", quick=[says("說明")]))]
    return [reply(render.welcome())]


def on_resources(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Hotlines and the district's family service centres."""
    name = event.argument
    if not name and ctx.group is not None and ctx.group.district is not None:
        name = ctx.group.district.name
    if not name and ctx.contact is not None:
        name = ctx.contact.unit.district.name
    district = ctx.directory.district(name) if name else None
    if name and district is None:
        return [reply(text(f"找不到「{name}」。請寫行政區名稱，例如「資源 中壢區」。"))]
    return [reply(render.resources(ctx.directory, district.name if district else None))]


def _new_group(ctx: Ctx, line_group_id: str) -> Group:
    group = Group(line_group_id=line_group_id, joined_at=ctx.now)
    ctx.session.add(group)
    ctx.session.flush()
    return group


CAPABILITY = Capability(
    name="roster",
    routes=(
        Route(flow.on_register, commands=("註冊",), where=Where.PRIVATE, who=Who.UNREGISTERED,
              summary="註冊為單位聯繫窗口"),
        Route(on_decide, action="reg_decide", who=Who.REGISTERED),
        Route(on_bind, commands=("綁定",), where=Where.GROUP, who=Who.MANAGER, summary="綁定 <行政區>：綁定本群組"),
        Route(on_join, event=EventKind.JOIN),
        Route(on_leave, event=EventKind.LEAVE),
        Route(on_follow, event=EventKind.FOLLOW),
        Route(on_unfollow, event=EventKind.UNFOLLOW),
        Route(on_member_left, event=EventKind.MEMBER_LEFT),
        Route(on_deactivate, commands=("停用",), where=Where.PRIVATE, who=Who.MANAGER,
              summary="停用 <LINE名稱> [單位]：停用離職或不再負責的聯繫窗口"),
        Route(on_move, commands=("移動",), where=Where.PRIVATE, who=Who.MANAGER,
              summary="移動 <LINE名稱> <新單位>：聯繫窗口換單位"),
        Route(on_resources, commands=("資源",), mid_flow=MidFlow.RUN, reads_only=True, summary="資源 [行政區]：專線與家庭服務中心"),
    ),
    jobs=(Job("roster_silent_review", jobs.review_silent, every=timedelta(minutes=10)),),
    flows=(flow.FLOW,),
    commands=(cli.roster_cli, cli.richmenu_cli),
    blueprints=(console.blueprint,),
    console_pages=(console.PAGE,),
)
