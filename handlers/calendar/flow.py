"""The guided way to add or edit an activity: one question per step, kept in the conversation row.

    add:  TITLE -> DAY -> START -> END -> PLACE -> JOINABLE -> NOTE -> saved
    edit: the chosen field's steps only (時間 = START -> END) -> saved
    START accepts a whole range (14:00-16:00) and then skips END; 取消, expiry and command words
    are the framework's (bot/flows.py). Every state reads its answer with `read` below.

Dates come from LINE's datetime picker or typed text (rules.dates); an unreadable answer gets the
question again with the reason, never a guess.
"""
from __future__ import annotations

from datetime import date, time
from enum import StrEnum
from typing import Any

from bot import flows, privacy_guard
from bot.context import Ctx
from bot.events import EventKind, Inbound
from bot.flows import Answer, Flow, Outcome, Prompt, State, finish, go, stay
from bot.messages import Message, Outbound, datetime_picker, postback, reply, text
from handlers.calendar import render, service
from handlers.calendar.service import Draft
from models.calendar import Activity
from rules import calendar as periods
from rules.dates import format_time, parse_date, parse_time, parse_time_range, roc_date, to_taipei

ACTIONS = frozenset({"cal_date", "cal_start", "cal_end", "cal_skip", "cal_join"})
SKIP_WORDS = frozenset({"略過", "跳過", "無", "沒有", "未定", "不確定", "skip"})
YES_WORDS = frozenset({"是", "可", "可以", "好", "要", "歡迎", "開放", "y", "yes"})
NO_WORDS = frozenset({"否", "不", "不可", "不要", "不開放", "不用", "n", "no"})


class Step(StrEnum):
    TITLE = "title"
    DAY = "day"
    START = "start"
    END = "end"
    PLACE = "place"
    JOINABLE = "joinable"
    NOTE = "note"


SCREENED = {Step.TITLE: "活動名稱", Step.PLACE: "活動地點", Step.NOTE: "活動備註"}  # shown in the group
ADD_ORDER = [Step.TITLE, Step.DAY, Step.START, Step.END, Step.PLACE, Step.JOINABLE, Step.NOTE]
EDIT_STEPS = {"title": [Step.TITLE], "day": [Step.DAY], "time": [Step.START, Step.END],
              "place": [Step.PLACE], "note": [Step.NOTE], "joinable": [Step.JOINABLE]}


def _today(ctx: Ctx) -> date:
    return to_taipei(ctx.now).date()


# ---------------------------------------------------------------------------- drafts in JSON

def dump(draft: Draft) -> dict[str, Any]:
    """Write a draft as JSON for the conversation row."""
    return {"title": draft.title, "place": draft.place, "note": draft.note, "joinable": draft.joinable,
            "day": draft.day.isoformat() if draft.day else None,
            "start": format_time(draft.start) if draft.start else None,
            "end": format_time(draft.end) if draft.end else None}


def load(data: dict[str, Any]) -> Draft:
    """Read a draft back from the conversation row."""
    return Draft(title=data.get("title") or "", place=data.get("place") or "", note=data.get("note"),
                 joinable=bool(data.get("joinable")),
                 day=date.fromisoformat(data["day"]) if data.get("day") else None,
                 start=time.fromisoformat(data["start"]) if data.get("start") else None,
                 end=time.fromisoformat(data["end"]) if data.get("end") else None)


# ---------------------------------------------------------------------------- questions

def ask(step: Step, adding: bool, today: date) -> Message:
    """The question of a step (numbered when adding)."""
    n = f"新增活動（{ADD_ORDER.index(step) + 1}/{len(ADD_ORDER)}）" if adding else "修改活動"
    if step == Step.TITLE:
        return text(f"{n}：請輸入活動名稱，例如「家暴防治宣導講座」。隨時輸入「取消」可結束。")
    if step == Step.DAY:
        picker = {**datetime_picker("選擇日期", "cal_date", mode="date"), "initial": today.isoformat(),
                  "min": today.isoformat()}
        return text(f"{n}：請選擇日期，或直接輸入（例如 {roc_date(today)}、12/5、2026-12-05）。", quick=[picker])
    if step == Step.START:
        picker = {**datetime_picker("選擇開始時間", "cal_start", mode="time"), "initial": "14:00"}
        return text(f"{n}：開始時間？可輸入 14:00、下午2時，或整段 14:00-16:00。", quick=[picker])
    if step == Step.END:
        picker = {**datetime_picker("選擇結束時間", "cal_end", mode="time"), "initial": "16:00"}
        return text(f"{n}：結束時間？還不確定請點「略過」。", quick=[picker, postback("略過", "cal_skip", display="略過")])
    if step == Step.PLACE:
        return text(f"{n}：地點？請寫場地名稱，例如「中壢區公所3樓禮堂」（請勿寫住家地址）。")
    if step == Step.JOINABLE:
        return text(f"{n}：是否歡迎其他單位共同宣導？", quick=[
            postback("是，歡迎共同宣導", "cal_join", display="歡迎共同宣導", v=1),
            postback("否", "cal_join", display="不開放共同宣導", v=0)])
    return text(f"{n}：備註（選填，例如對象、報名方式）；沒有請點「略過」。",
                quick=[postback("略過", "cal_skip", display="略過")])


# ---------------------------------------------------------------------------- answers

def _typed(event: Inbound) -> str | None:
    return event.text.strip() if event.kind == EventKind.TEXT else None


def _skipped(event: Inbound) -> bool:
    return event.action == "cal_skip" or (_typed(event) or "").lower() in SKIP_WORDS


def read(step: Step, event: Inbound, ctx: Ctx, draft: Draft) -> str | None:
    """Put the answer of this step into the draft; return a zh-TW reason when it cannot be used."""
    typed = _typed(event)
    if step in (Step.TITLE, Step.PLACE):
        label, limit = ("活動名稱", service.MAX_TITLE) if step == Step.TITLE else ("地點", service.MAX_PLACE)
        if typed is None:
            return f"請直接輸入{label}。"
        problem = service.length_problem(label, typed, limit)
        if problem:
            return problem
        setattr(draft, "title" if step == Step.TITLE else "place", typed)
        return None
    if step == Step.DAY:
        return _read_day(event, typed, ctx, draft)
    if step in (Step.START, Step.END):
        return _read_time(step, event, typed, draft)
    if step == Step.JOINABLE:
        answer = event.postback.get("v") if event.action == "cal_join" else None
        word = (typed or "").lower()
        if answer is None and (word in YES_WORDS or word in NO_WORDS):
            answer = "1" if word in YES_WORDS else "0"
        if answer not in ("0", "1"):
            return "請點「是」或「否」。"
        draft.joinable = answer == "1"
        return None
    if _skipped(event):
        draft.note = None
        return None
    if typed is None:
        return "請輸入備註，或點「略過」。"
    problem = service.length_problem("備註", typed, service.MAX_NOTE)
    if problem:
        return problem
    draft.note = typed
    return None


def _read_day(event: Inbound, typed: str | None, ctx: Ctx, draft: Draft) -> str | None:
    if event.action == "cal_date" and event.params.get("date"):
        value = date.fromisoformat(event.params["date"])
    elif typed is not None:
        parsed = parse_date(typed, _today(ctx))
        if parsed.value is None:
            return parsed.error
        value = parsed.value
    else:
        return "請點「選擇日期」或輸入日期。"
    assert value is not None
    problem = periods.check_date(value, _today(ctx))
    if problem:
        return problem
    draft.day = value
    return None


def _read_time(step: Step, event: Inbound, typed: str | None, draft: Draft) -> str | None:
    picked = event.params.get("time") if event.action in ("cal_start", "cal_end") else None
    if step == Step.END and _skipped(event):
        draft.end = None
        return None
    if step == Step.START and typed and any(sep in typed for sep in ("-", "~", "至", "到", "－", "～")):
        span = parse_time_range(typed)
        if not span.ok:
            return span.error
        draft.start, draft.end = span.start, span.end
        return None
    if picked:
        value: time | None = time.fromisoformat(picked)
    elif typed is not None:
        parsed = parse_time(typed)
        if not parsed.ok:
            return parsed.error
        value = parsed.value
    else:
        return "請點按鈕選擇時間，或輸入時間（例如 14:00）。"
    if step == Step.START:
        draft.start = value
        if draft.end is not None and value is not None and draft.end <= value:
            draft.end = None  # the old end no longer fits; END is asked next
        return None
    if draft.start is not None and value is not None and value <= draft.start:
        return f"結束時間須晚於開始時間 {format_time(draft.start)}。"
    draft.end = value
    return None


# ---------------------------------------------------------------------------- the flow

def start_add(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Begin the guided add."""
    return FLOW.begin(event, ctx, {"mode": "add", "queue": [s.value for s in ADD_ORDER[1:]], "draft": dump(Draft())})


def start_edit(event: Inbound, ctx: Ctx, activity: Activity, field: str) -> list[Outbound]:
    """Begin editing one field of an activity."""
    steps = EDIT_STEPS[field]
    return FLOW.begin(event, ctx, {"mode": "edit", "id": activity.id, "queue": [s.value for s in steps[1:]],
                                   "draft": dump(Draft.of(activity))}, step=steps[0])


def _answer(step: Step) -> Answer:
    """How every state reads its answer: into the draft, then the next queued step, or save."""
    def answer(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
        draft = load(data.get("draft") or {})
        typed = _typed(event)
        if step in SCREENED and typed and not (step == Step.NOTE and _skipped(event)):
            said = privacy_guard.require_clean(ctx, SCREENED[step], typed)
            if said:
                return flows.refused(said)
        problem = read(step, event, ctx, draft)
        if problem:
            return stay(problem)
        queue = [Step(s) for s in data.get("queue", [])]
        if step == Step.START and draft.end is not None and Step.END in queue:
            queue.remove(Step.END)  # a whole range was given
        if queue:
            return go(queue[0], queue=[s.value for s in queue[1:]], draft=dump(draft))
        if data.get("mode") == "add":
            return finish(*save_new(event, ctx, draft))
        return finish(*save_edit(event, ctx, int(data["id"]), draft))
    return answer


def _prompt(step: Step) -> Prompt:
    return lambda ctx, data: [ask(step, data.get("mode") == "add", _today(ctx))]


def may_edit(ctx: Ctx, activity: Activity) -> bool:
    """Anyone of the activity's unit may change it; admins too."""
    if ctx.is_admin:
        return True
    return ctx.contact is not None and ctx.contact.is_active and ctx.contact.unit_id == activity.unit_id


def save_new(event: Inbound, ctx: Ctx, draft: Draft) -> list[Outbound]:
    """Save a complete draft as the contact's unit's activity and show it (with any clash)."""
    assert ctx.contact is not None and event.user_id
    activity = service.add(ctx.session, ctx.contact.unit, event.user_id, draft, ctx.now)
    service.schedule_announcement(ctx.session, activity, ctx.config, ctx.now, seen_in=event.group_id)
    said = [reply(render.saved_card(activity, service.clashes(ctx.session, activity)))]
    call = service.current_call(ctx.session, activity.district_id)
    if call is not None and call.period_start <= to_taipei(activity.starts_at).date() <= call.period_end:
        said.append(reply(text(f"已計入 {roc_date(call.period_start)}–{roc_date(call.period_end)} 的活動徵集。")))
    return said


def save_edit(event: Inbound, ctx: Ctx, activity_id: int, draft: Draft) -> list[Outbound]:
    """Write the edited draft over the activity, bumping its calendar SEQUENCE."""
    assert event.user_id
    activity = service.get(ctx.session, activity_id)
    if activity is None or not activity.is_active:
        return [reply(text("這個活動已被刪除，無法修改。"))]
    if not may_edit(ctx, activity):
        return [reply(text("只有主辦單位的聯繫窗口可以修改這個活動。"))]
    if draft.day is not None and draft.day != to_taipei(activity.starts_at).date():
        problem = periods.check_date(draft.day, _today(ctx))
        if problem:
            return [reply(text(problem))]
    if not service.apply(activity, draft, event.user_id, ctx.now):
        return [reply(text("內容沒有變更。"))]
    service.schedule_announcement(ctx.session, activity, ctx.config, ctx.now, seen_in=event.group_id)
    return [reply(render.saved_card(activity, service.clashes(ctx.session, activity), verb="已更新"))]


# Every state asks its question and reads its answer the same way; the queue in the data orders them.
FLOW = Flow(name="calendar_activity", title="新增活動", states=tuple(State(s, _prompt(s), _answer(s)) for s in Step),
            actions=ACTIONS, title_from=lambda data: "新增活動" if data.get("mode") == "add" else "修改活動")
