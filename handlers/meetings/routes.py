"""Meetings in chat.

User stories: a secretariat member schedules a meeting by one line (會議 區級聯繫會議 115/12/5 14:00
本所3樓簡報室) or guided with LINE's datetime picker (新增會議); everyone lists upcoming meetings and
deadlines (會議), with a proposed date when a tier's cycle would be missed; units answer the
attendance card (出席 / 代理出席 / 請假) and see the board (出席情形); the secretariat moves
(會議改期) or cancels (會議取消) a meeting, and the group is told once; the secretariat downloads the
tracked-items table for the minutes (紀錄附表, 1:1 only). Tracked items are in items.py.
"""
from __future__ import annotations

import re
from datetime import timedelta

from bot import privacy_guard
from bot.context import Ctx
from bot.events import Inbound
from bot.messages import Outbound, reply, text
from bot.router import Capability, Job, MidFlow, Route, Where, Who
from handlers.meetings import access, cli, console, export, flow, held, items, jobs, render, service
from handlers.meetings.flow import schedule, tell_group
from models.meetings import Answer, Meeting
from models.roster import District
from rules.dates import parse_datetime_phrase, roc_date, to_taipei
from rules.meetings.plan import parse_schedule_line


def on_meetings(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """會議: list upcoming meetings; 會議 <類型> <日期> <時間> <地點>: schedule one."""
    district, problem = access.district_of(event, ctx)
    if district is None:
        return [reply(text(problem))]
    if event.argument in ("新增", "排定"):
        return on_new(event, ctx)
    if not event.argument:
        rules = service.policy(ctx.config)
        found = service.proposals(ctx.session, district.id, service.meeting_types(ctx.config), ctx.now, rules)
        manager = access.manages(ctx, district)
        coming = service.upcoming(ctx.session, district.id, ctx.now)
        minutes_due = service.minutes_pending(ctx.session, district.id, ctx.now)
        return [reply(render.listing(district.name, coming, minutes_due, found, manager))]
    refusal = access.refuse_unless_manager(ctx, district, "排定或異動會議")
    if refusal:
        return refusal
    if held.is_held_line(event.argument):
        return held.on_held(event, ctx, district)
    line = parse_schedule_line(event.argument, ctx.now, service.meeting_types(ctx.config))
    if line.past:
        return held.offer(ctx, line, event.argument)
    if line.error or line.meeting_type is None or line.start is None:
        return [reply(text(line.error or "看不懂這個會議。"))]
    return schedule(event, ctx, district, line.meeting_type.key, line.start, line.place, line.agenda)


def on_new(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """新增會議: the guided flow with the datetime picker."""
    district, problem = access.district_of(event, ctx)
    if district is None:
        return [reply(text(problem))]
    return access.refuse_unless_manager(ctx, district, "排定或異動會議") or flow.start(event, ctx, district)


_ID = re.compile(r"^\s*(?:編號|#|＃)?\s*(\d{1,9})\s*(.*)$", re.S)


def _meeting_arg(event: Inbound, ctx: Ctx, district: District) -> tuple[Meeting | None, str, str]:
    """Read `<編號> rest`: the district's meeting, the rest, or why not."""
    m = _ID.match(event.argument)
    meeting = service.get(ctx.session, int(m.group(1))) if m else None
    if meeting is None or meeting.district_id != district.id:
        return None, "", "請寫會議編號（輸入「會議」可查看），例如：會議改期 3 115/12/8 14:00"
    return meeting, m.group(2).strip() if m else "", ""


def on_move(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """會議改期 <編號> <日期> <時間> [地點]: move a meeting, its deadlines and reminders; tell the group once."""
    district, refusal = access.managed_district(event, ctx, "排定或異動會議")
    if district is None:
        return refusal
    meeting, rest, problem = _meeting_arg(event, ctx, district)
    if meeting is None or meeting.is_cancelled:
        return [reply(text(problem or "這場會議已取消。"))]
    phrase = parse_datetime_phrase(rest, to_taipei(ctx.now).date())
    start = phrase.start_at()
    if not phrase.ok or start is None:
        return [reply(text((phrase.error or "請寫新的日期與開始時間") + "，例如：會議改期 3 115/12/8 14:00"))]
    if start <= ctx.now:
        return [reply(text("新的時間已經過了，請確認日期。"))]
    if start == meeting.starts_at and (not phrase.rest or phrase.rest == meeting.place):
        return [reply(text("時間與地點都沒有變更。"))]
    refused = privacy_guard.require_clean(ctx, "會議地點", phrase.rest)
    if refused:
        return refused
    meeting_type = service.meeting_types(ctx.config)[meeting.type_key]
    old = service.move(ctx.session, meeting, start, phrase.rest or None, meeting_type, ctx.now,
                       service.policy(ctx.config))
    return tell_group(event, meeting, service.moved_key(meeting), f"已改期：{render.when(meeting)}。",
                      render.moved(meeting, old), render.attendance_card(meeting))


def on_cancel(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """會議取消 <編號>: cancel a meeting and its reminders; tell the group once."""
    district, refusal = access.managed_district(event, ctx, "排定或異動會議")
    if district is None:
        return refusal
    meeting, _, problem = _meeting_arg(event, ctx, district)
    if meeting is None:
        return [reply(text(problem))]
    if meeting.is_cancelled:
        return [reply(text(f"編號{meeting.id}已經取消過了。"))]
    service.cancel(ctx.session, meeting, ctx.now)
    said = tell_group(event, meeting, f"meeting:{meeting.id}:cancelled", f"已取消編號{meeting.id}。",
                      render.cancelled(meeting))
    found = [p for p in service.proposals(ctx.session, district.id, service.meeting_types(ctx.config), ctx.now,
                                          service.policy(ctx.config)) if p.meeting_type.key == meeting.type_key]
    if found:
        said.append(reply(text(f"提醒：{meeting.type_name}本期已無排定會議，建議改於"
                               f"{roc_date(found[0].proposed, 'chinese')}召開。")))
    return said


def _target(event: Inbound, ctx: Ctx, district: District) -> Meeting | None:
    """The meeting a button names, or the district's next one."""
    raw = event.postback.get("id") or (m.group(1) if (m := _ID.match(event.argument or "")) else None)
    if raw:
        meeting = service.get(ctx.session, int(raw))
        return meeting if meeting is not None and meeting.district_id == district.id else None
    coming = service.upcoming(ctx.session, district.id, ctx.now)
    return coming[0] if coming else None


def _meeting_of_button(event: Inbound, ctx: Ctx) -> Meeting | None:
    raw = event.postback.get("id", "")
    return service.get(ctx.session, int(raw)) if raw.isdigit() else None


def on_rsvp(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """A unit's 出席 / 代理出席 / 請假 tap; the latest tap of a unit counts."""
    meeting = _meeting_of_button(event, ctx)
    if meeting is None or meeting.is_cancelled:
        return [reply(text("這場會議已取消或不存在。"))]
    contact = ctx.contact
    if contact is None or contact.unit.district_id != meeting.district_id:
        return [reply(text(f"只有{meeting.district.name}網絡單位的聯繫窗口可以回覆出席。"))]
    if ctx.now > meeting.starts_at + service.STILL_CURRENT:
        return [reply(text("會議已結束，無法再回覆出席。"))]
    try:
        choice = Answer(event.postback.get("a", ""))
    except ValueError:
        return [reply(text("請點選出席、代理出席或請假。"))]
    assert event.user_id
    service.answer(ctx.session, meeting, contact.unit, choice, event.user_id, ctx.now)
    return [reply(render.answered(meeting, contact.unit, choice))]


def on_board(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """出席情形 [編號] or the card's button: each unit's answer."""
    meeting = _meeting_of_button(event, ctx) if event.postback else None
    if meeting is None:
        district, problem = access.district_of(event, ctx)
        if district is None:
            return [reply(text(problem))]
        meeting = _target(event, ctx, district)
    if meeting is None:
        return [reply(text("目前沒有排定的會議。"))]
    return [reply(text(render.board_text(meeting, service.board(ctx.session, meeting))))]


def on_export(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """紀錄附表 [編號] or the reminder's button (1:1 only): a fresh signed link to the .xlsx."""
    meeting = _meeting_of_button(event, ctx) if event.postback else None
    if meeting is None:
        district, problem = access.district_of(event, ctx)
        if district is None:
            return [reply(text(problem))]
        meeting = _target(event, ctx, district) if event.argument else (
            service.latest_held(ctx.session, district.id, ctx.now) or _target(event, ctx, district))
    if meeting is None:
        return [reply(text("找不到會議。請寫會議編號，例如：紀錄附表 3"))]
    if not access.manages(ctx, meeting.district):
        return [reply(text("只有該區的秘書單位或管理員可以下載會議紀錄附表。"))]
    assert event.user_id
    link = export.download_url(ctx.config, meeting.id, event.user_id)
    return [reply(text(f"{meeting.type_name}（{render.when(meeting)}）「前次會議待辦事項辦理情形」.xlsx：\n{link}\n"
                       f"（連結{export.LINK_HOURS}小時內有效，請勿轉貼到群組）"))]


CAPABILITY = Capability(
    name="meetings",
    routes=(
        Route(on_meetings, commands=("會議",), who=Who.REGISTERED, mid_flow=MidFlow.RUN,
              summary="會議：近期會議與期限；會議 類型 日期 時間 地點：排定會議；會議 已召開 …：登錄已開過的會議"),
        Route(on_new, commands=("新增會議",), who=Who.MANAGER, summary="新增會議：逐步排定會議（可選日期時間）"),
        Route(on_move, commands=("會議改期",), who=Who.MANAGER, summary="會議改期 編號 日期 時間 [地點]"),
        Route(on_cancel, commands=("會議取消",), who=Who.MANAGER, summary="會議取消 編號"),
        Route(on_board, commands=("出席情形",), who=Who.REGISTERED, mid_flow=MidFlow.RUN, summary="出席情形 [編號]：各單位出席回覆"),
        Route(on_export, commands=("紀錄附表",), where=Where.PRIVATE, who=Who.MANAGER,
              summary="紀錄附表 [編號]：下載前次會議待辦事項辦理情形(.xlsx)"),
        Route(on_rsvp, action="mtg_rsvp", who=Who.REGISTERED),
        Route(on_board, action="mtg_board", who=Who.REGISTERED),
        Route(on_export, action="mtg_xlsx", where=Where.PRIVATE, who=Who.MANAGER),
        *items.ROUTES,
    ),
    flows=(flow.FLOW,),
    jobs=(Job("meetings_progress", jobs.keep_progress_scheduled, every=timedelta(hours=1)),),
    reminders=jobs.RENDERERS,
    digestible=jobs.may_join_digest,
    blueprints=(export.blueprint, console.blueprint),
    commands=(cli.meetings_cli,),
    console_pages=(console.PAGE, console.STATISTICS_PAGE),
)
