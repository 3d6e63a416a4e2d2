"""Tracked items (列管事項) in chat.

User stories: the secretariat records a meeting's decision as an item with its owning units
(列管新增 分局、家服中心 加強高風險家庭訪視); everyone lists the open items (列管); an owning unit
reports progress (列管回報 1151215-1 已完成訪視), screened for personal data and stored encrypted;
the secretariat closes an item (除管 1151215-1) or keeps / puts it back under tracking (續管).
"""
from __future__ import annotations

import re

from bot import privacy_guard, roster
from bot.context import Ctx
from bot.events import Inbound
from bot.messages import Outbound, reply, text
from bot.router import Route, Who
from handlers.meetings import access, render, service, tracked
from models.meetings import ITEM_STATUS_LABELS
from models.roster import Unit
from rules.dates import roc_date, to_taipei
from rules.meetings.plan import split_owners

ADD_HINT = ("請寫成：列管新增［編號N］ 主辦單位（多個用、分隔） 事項，例如：列管新增 分局、家服中心 加強高風險家庭訪視"
            "（不寫編號即為最近召開的會議）")
_MEETING_NO = re.compile(r"^(?:編號|#|＃)(\d{1,9})$")


def on_list(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """列管: the district's items still under tracking, with their latest progress."""
    district, problem = access.district_of(event, ctx)
    if district is None:
        return [reply(text(problem))]
    return [reply(render.items_list(district.name, tracked.open_items(ctx.session, district.id)))]


def on_add(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """列管新增 [編號N] <單位、單位> <事項>: number a decision of that meeting (default: the latest held)."""
    district, refusal = access.managed_district(event, ctx, "新增列管事項")
    if district is None:
        return refusal
    words = event.argument.split(maxsplit=1)
    chosen = _MEETING_NO.match(words[0]) if words else None
    if chosen:
        words = words[1].split(maxsplit=1) if len(words) > 1 else []
    if len(words) < 2:
        return [reply(text(ADD_HINT))]
    owners: list[Unit] = []
    for word in split_owners(words[0]):
        unit = roster.find_unit(ctx.session, district, word)
        if unit is None:
            return [reply(text(f"{district.name}沒有「{word}」這個單位。{ADD_HINT}"))]
        if unit not in owners:
            owners.append(unit)
    refused = privacy_guard.require_clean(ctx, "列管事項", words[1])
    if refused:
        return refused
    meeting = service.get(ctx.session, int(chosen.group(1))) if chosen else \
        service.latest_held(ctx.session, district.id, ctx.now)
    if meeting is None or meeting.district_id != district.id or meeting.is_cancelled or meeting.starts_at > ctx.now:
        return [reply(text("列管案號依會議日期編列，請指定本區已召開的會議（例如：列管新增 編號3 …），"
                           "或先登錄該次會議，例如：會議 已召開 區級聯繫會議 115/11/20 14:00 本所3樓簡報室"))]
    assert event.user_id
    item = tracked.add_item(ctx.session, meeting, owners, words[1].strip(), event.user_id, ctx.now,
                            service.policy(ctx.config))
    return [reply(text(f"已新增列管事項 {item.number}：{item.subject}\n主辦：{render.owners(item)}\n"
                       "主辦單位每月會收到進度回報提醒。"))]


def on_report(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """列管回報 <案號> <內容>: an owning unit's dated progress note, screened and stored encrypted."""
    district, problem = access.district_of(event, ctx)
    if district is None:
        return [reply(text(problem))]
    words = event.argument.split(maxsplit=1)
    item = tracked.find(ctx.session, district.id, words[0]) if words else None
    if item is None or len(words) < 2:
        return [reply(text("請寫成：列管回報 案號 內容，例如：列管回報 1151215-1 已完成轄區訪視。輸入「列管」可查看案號。"))]
    is_owner = ctx.contact is not None and any(u.id == ctx.contact.unit_id for u in item.owners)
    if not is_owner and not access.manages(ctx, district):
        return [reply(text(f"只有主辦單位（{render.owners(item)}）或秘書單位可以回報 {item.number}。"))]
    refused = privacy_guard.require_clean(ctx, "列管辦理情形", words[1])
    if refused:
        return refused
    assert event.user_id
    unit = ctx.contact.unit if ctx.contact is not None else None
    note = tracked.report(ctx.session, item, unit, event.user_id, words[1].strip(), ctx.now)
    closed = "" if item.is_open else "（此案已除管，仍記錄本次回報）"
    return [reply(text(f"已記錄 {item.number} 辦理情形（{roc_date(to_taipei(note.created_at).date())}）{closed}。"))]


def on_close(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """除管 <案號>: the secretariat closes an item."""
    return _set_status(event, ctx, close=True)


def on_keep(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """續管 <案號>: the secretariat keeps an item under tracking (or puts a closed one back)."""
    return _set_status(event, ctx, close=False)


def _set_status(event: Inbound, ctx: Ctx, close: bool) -> list[Outbound]:
    district, problem = access.district_of(event, ctx)
    if district is None:
        return [reply(text(problem))]
    word = "除管" if close else "續管"
    refusal = access.refuse_unless_manager(ctx, district, word)
    if refusal:
        return refusal
    item = tracked.find(ctx.session, district.id, event.argument)
    if item is None:
        return [reply(text(f"請寫成：{word} 案號，例如：{word} 1151215-1。輸入「列管」可查看案號。"))]
    assert event.user_id
    if close and item.is_open:
        tracked.close(ctx.session, item, event.user_id, ctx.now)
    elif not close and not item.is_open:
        tracked.reopen(ctx.session, item, ctx.now, service.policy(ctx.config))
    else:
        return [reply(text(f"{item.number} 目前已是{ITEM_STATUS_LABELS[item.status]}。"))]
    return [reply(text(f"{item.number}「{item.subject}」已{word}。"))]


ROUTES = (
    Route(on_list, commands=("列管",), who=Who.REGISTERED, summary="列管：列管中的事項與最近進度"),
    Route(on_add, commands=("列管新增",), who=Who.MANAGER, summary="列管新增 主辦單位 事項"),
    Route(on_report, commands=("列管回報",), who=Who.REGISTERED, summary="列管回報 案號 內容：回報辦理情形"),
    Route(on_close, commands=("除管",), who=Who.MANAGER, summary="除管 案號：解除列管"),
    Route(on_keep, commands=("續管",), who=Who.MANAGER, summary="續管 案號：繼續列管"),
)
