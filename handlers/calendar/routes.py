"""Activity calendars in chat.

User stories (seeds/000: the chair asked every unit for its activities where advocacy can be joined,
compiled into one schedule for the group):
- a unit's contact adds an activity, guided (活動) or in one line
  (活動 115/12/5 14:00-16:00 中壢區公所3樓 家暴防治宣導講座), and lists, edits or deletes the
  unit's own activities (我的活動); anyone of the same unit may edit;
- the secretariat opens a call for a period with a deadline (徵集活動 115/12/1-115/12/31 115/11/30);
  units answer by adding activities or with 本期無活動; the bot reminds the rest and reports (徵集進度);
- anyone asks for the combined schedule (活動期程); contacts get the secret feed, month view and
  spreadsheet links in 1:1 chat (活動連結).
"""
from __future__ import annotations

from datetime import date, timedelta

from bot import privacy_guard
from bot.context import Ctx
from bot.events import Inbound
from bot.messages import Outbound, reply, says, text
from bot.roster import find_district, may_manage_district
from bot.router import Capability, Job, MidFlow, Route, Where, Who
from handlers.calendar import cli, console, flow, jobs, render, service, web
from handlers.calendar.service import Draft
from models.calendar import Activity
from models.roster import District
from rules import calendar as periods
from rules.dates import parse_datetime_phrase, roc_date, to_taipei

SCHEDULE_WEEKS = 4


def _today(ctx: Ctx) -> date:
    return to_taipei(ctx.now).date()


def _district(ctx: Ctx, name: str = "") -> District | None:
    """The district named, else the group's, else the speaker's unit's."""
    if name:
        return find_district(ctx.session, name)
    if ctx.group is not None and ctx.group.district is not None:
        return ctx.group.district
    if ctx.contact is not None and ctx.contact.is_active:
        return ctx.contact.unit.district
    return None


def _needs_unit(ctx: Ctx) -> list[Outbound] | None:
    if ctx.contact is None or not ctx.contact.is_active:
        return [reply(text("活動屬於單位：請先以單位聯繫窗口身分「註冊」並經核准。"))]
    return None


# ---------------------------------------------------------------------------- adding

def on_add(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Add an activity: guided in 1:1 chat, or in one line anywhere."""
    refusal = _needs_unit(ctx)
    if refusal:
        return refusal
    if event.argument:
        return _add_one_line(event, ctx)
    if event.in_group:
        return [reply(text(f"逐步新增請私訊小幫手輸入「活動」；或在此一行寫完：\n{render.EXAMPLE}"))]
    return flow.start_add(event, ctx)


def _add_one_line(event: Inbound, ctx: Ctx) -> list[Outbound]:
    today = _today(ctx)
    phrase = parse_datetime_phrase(event.argument, today)
    if not phrase.ok:
        return [reply(text(f"{phrase.error}\n例如：{render.EXAMPLE}"))]
    if phrase.start is None:
        return [reply(text(f"請在日期後寫開始時間（或 14:00-16:00 整段），例如：\n{render.EXAMPLE}"))]
    assert phrase.date is not None
    problem = periods.check_date(phrase.date, today)
    if problem:
        return [reply(text(problem))]
    split = periods.split_place_title(phrase.rest)
    if isinstance(split, str):
        return [reply(text(split))]
    place, title, joinable = split
    problem = (service.length_problem("地點", place, service.MAX_PLACE)
               or service.length_problem("活動名稱", title, service.MAX_TITLE))
    if problem:
        return [reply(text(problem))]
    refused = privacy_guard.require_clean(ctx, "活動地點", place) or privacy_guard.require_clean(ctx, "活動名稱", title)
    if refused:
        return refused
    draft = Draft(title=title, place=place, day=phrase.date, start=phrase.start, end=phrase.end, joinable=joinable)
    return flow.save_new(event, ctx, draft)


# ---------------------------------------------------------------------------- the unit's own

def on_mine(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """List the unit's upcoming activities with edit and delete buttons."""
    refusal = _needs_unit(ctx)
    if refusal:
        return refusal
    assert ctx.contact is not None
    since = to_taipei(ctx.now).replace(hour=0, minute=0, second=0, microsecond=0)
    activities = service.unit_activities(ctx.session, ctx.contact.unit_id, since)
    return [reply(render.mine(activities, ctx.contact.unit))]


def _editable(event: Inbound, ctx: Ctx) -> tuple[Activity, None] | tuple[None, list[Outbound]]:
    """The activity a button names, or the reply refusing it."""
    raw = event.postback.get("id", "")
    activity = service.get(ctx.session, int(raw)) if raw.isdigit() else None
    if activity is None or not activity.is_active:
        return None, [reply(text("找不到這個活動（可能已刪除）。輸入「我的活動」查看。"))]
    if not flow.may_edit(ctx, activity):
        return None, [reply(text(f"只有{activity.unit.card_name}的聯繫窗口可以修改或刪除這個活動。"))]
    return activity, None


def on_edit(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Ask which field to change, or begin changing the chosen one."""
    activity, refusal = _editable(event, ctx)
    if activity is None:
        return refusal or []
    field = event.postback.get("f", "")
    if field not in flow.EDIT_STEPS:
        return [reply(render.edit_menu(activity))]
    return flow.start_edit(event, ctx, activity, field)


def on_joinable(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Open or close an activity to other units' advocacy."""
    activity, refusal = _editable(event, ctx)
    if activity is None:
        return refusal or []
    draft = Draft.of(activity)
    draft.joinable = event.postback.get("v") == "1"
    return flow.save_edit(event, ctx, activity.id, draft)


def on_delete(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Ask before deleting."""
    activity, refusal = _editable(event, ctx)
    if activity is None:
        return refusal or []
    return [reply(render.delete_confirm(activity))]


def on_delete_confirmed(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Cancel the activity: it leaves the schedule and feeds mark it cancelled."""
    activity, refusal = _editable(event, ctx)
    if activity is None:
        return refusal or []
    assert event.user_id
    service.cancel(ctx.session, activity, event.user_id, ctx.now)
    quick = None if event.in_group else [says("我的活動")]
    return [reply(text(f"已刪除「{activity.title}」（{render.when(activity)}）。", quick=quick))]


def on_keep(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Leave the activity as it is."""
    return [reply(text("好的，活動保留不變。"))]


def on_stale_step(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """A button of a finished or expired step was tapped."""
    return [reply(text("這個步驟已結束（已完成或逾時）。要新增活動請輸入「活動」。", quick=[says("活動")]))]


# ---------------------------------------------------------------------------- the schedule

def on_schedule(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """The combined schedule of the coming weeks, one card per week."""
    # The group is for the network's units, not the public (seeds/000): a group sees its own district,
    # 1:1 chat is for registered contacts (and admins), who may name another district.
    if event.in_group:
        district = ctx.group.district if ctx.group is not None else None
        if district is None:
            return [reply(text("本群組尚未綁定行政區，請秘書單位先輸入「綁定 行政區」。"))]
    elif not ctx.is_admin and (ctx.contact is None or not ctx.contact.is_active):
        return [reply(text("活動期程限網絡單位聯繫窗口查看，請先「註冊」；或在區域聯繫群組中輸入「活動期程」。"))]
    else:
        district = _district(ctx, event.argument)
        if district is None:
            hint = f"找不到「{event.argument}」。" if event.argument else ""
            return [reply(text(f"{hint}請寫行政區，例如「活動期程 中壢區」。"))]
    first = _today(ctx)
    last = periods.week_of(first) + timedelta(weeks=SCHEDULE_WEEKS, days=-1)
    activities = service.window(ctx.session, district.id, first, last)
    return [reply(render.schedule(f"{district.name}活動期程", activities, first, last))]


def on_links(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """The secret feed, month view and spreadsheet links (活動連結 重設 revokes the old ones)."""
    words = event.argument.split()
    rotate = "重設" in words
    name = next((w for w in words if w != "重設"), "")
    if name and not ctx.is_admin:
        return [reply(text("只有管理員可以取得其他行政區的連結。"))]
    district = _district(ctx, name)
    if district is None:
        return [reply(text("請先註冊為單位聯繫窗口；管理員請寫行政區，例如「活動連結 中壢區」。"))]
    may_rotate = may_manage_district(ctx.contact, district, ctx.is_admin)
    if rotate:
        if not may_rotate:
            return [reply(text("只有秘書單位或管理員可以重設連結。"))]
        service.rotate_feed(ctx.session, district, ctx.now)
    urls = service.feed_urls(ctx.config, service.feed_token(ctx.session, ctx.config, district, ctx.now,
                                                            person=event.user_id or ""))
    said = [reply(render.links_text(district.name, urls, may_rotate))]
    if rotate:
        said.insert(0, reply(text("已重設：先前的連結都已失效，已訂閱的行事曆請改用新網址。")))
    return said


# ---------------------------------------------------------------------------- calls for activities

def on_call(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Open a call for activities in this group: 徵集活動 <期間> <截止日>."""
    district = ctx.group.district if ctx.group is not None else None
    if district is None:
        return [reply(text("請先綁定本群組（綁定 行政區），再徵集活動。"))]
    if not may_manage_district(ctx.contact, district, ctx.is_admin):
        return [reply(text(f"只有{district.name}的秘書單位或管理員可以徵集活動。"))]
    terms = periods.parse_call(event.argument, _today(ctx))
    if terms.error:
        return [reply(text(terms.error))]
    assert event.group_id and event.user_id
    call, replaced = service.open_call(ctx.session, district, event.group_id, terms, event.user_id, ctx.now,
                                       ctx.config)
    expected = len(service.completeness(ctx.session, call).expected)
    return [reply(render.call_posted(call, expected, replaced))]


def on_none(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Answer the open call: this unit has no activity in the period."""
    refusal = _needs_unit(ctx)
    if refusal:
        return refusal
    assert ctx.contact is not None and event.user_id
    unit = ctx.contact.unit
    call = service.current_call(ctx.session, unit.district_id)
    if call is None:
        return [reply(text("目前沒有進行中的活動徵集。"))]
    period = f"{roc_date(call.period_start)}–{roc_date(call.period_end)}"
    count = service.activities_in_call(ctx.session, call, unit.id)
    if count:
        return [reply(text(f"{unit.card_name}本期（{period}）已登錄 {count} 項活動，已算回覆，"
                           "不需要再回覆「本期無活動」。"))]
    if not service.answer_none(ctx.session, call, unit, event.user_id, ctx.now):
        return [reply(text(f"先前已記錄{unit.card_name}本期（{period}）無活動。"))]
    return [reply(text(f"已記錄：{unit.card_name}本期（{period}）無活動。謝謝！"))]


def on_progress(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Show who has answered the district's open call (a reply, so it costs nothing)."""
    district = _district(ctx, event.argument)
    if district is None:
        return [reply(text("請寫行政區，例如「徵集進度 中壢區」。"))]
    if not may_manage_district(ctx.contact, district, ctx.is_admin):
        return [reply(text(f"只有{district.name}的秘書單位或管理員可以查看徵集進度。"))]
    call = service.current_call(ctx.session, district.id)
    if call is None:
        return [reply(text(f"{district.name}目前沒有進行中的活動徵集。"))]
    return [reply(text(render.completeness_text(call, service.completeness(ctx.session, call), "活動徵集進度")))]


STALE_ACTIONS = sorted(flow.ACTIONS)

CAPABILITY = Capability(
    name="calendar",
    routes=(
        Route(on_add, commands=("活動", "新增活動"), who=Who.REGISTERED, summary="新增活動（逐步，或一行：活動 日期 時間 地點 名稱）"),
        Route(on_mine, commands=("我的活動",), where=Where.PRIVATE, who=Who.REGISTERED, summary="本單位的活動：修改、刪除"),
        Route(on_schedule, commands=("活動期程",), mid_flow=MidFlow.RUN, summary="各單位未來四週的活動期程"),
        Route(on_links, commands=("活動連結",), where=Where.PRIVATE, who=Who.REGISTERED,
              summary="行事曆訂閱、列印月曆、Excel 期程表連結"),
        Route(on_call, commands=("徵集活動",), where=Where.GROUP, who=Who.MANAGER,
              summary="徵集活動 <期間> <截止日>：請各單位提供活動"),
        Route(on_none, commands=("本期無活動",), who=Who.REGISTERED, summary="回覆活動徵集：本期無活動"),
        Route(on_progress, commands=("徵集進度",), who=Who.MANAGER, mid_flow=MidFlow.RUN, summary="活動徵集的回覆情形"),
        Route(on_edit, action="cal_edit", who=Who.REGISTERED),
        Route(on_joinable, action="cal_joinable", who=Who.REGISTERED),
        Route(on_delete, action="cal_delete", who=Who.REGISTERED),
        Route(on_delete_confirmed, action="cal_delete_ok", who=Who.REGISTERED),
        Route(on_keep, action="cal_keep", who=Who.REGISTERED),
        *(Route(on_stale_step, action=action) for action in STALE_ACTIONS),
    ),
    flows=(flow.FLOW,),
    jobs=(Job("calendar_announcements", jobs.arm_announcements, every=timedelta(minutes=10)),
          Job("calendar_digest", jobs.schedule_digests, every=timedelta(hours=1))),
    reminders=jobs.RENDERERS,
    digestible=jobs.may_join_digest,
    blueprints=(web.blueprint, console.blueprint),
    commands=(cli.calendar_cli,),
    console_pages=(console.PAGE,),
)
