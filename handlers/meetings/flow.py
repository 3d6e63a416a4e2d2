"""Guided scheduling (新增會議), declared as a table, and scheduling itself (the one-line way ends here too).

    TYPE --mtg_new_type / typed name--> WHEN --mtg_new_when (picker) / typed date--> PLACE --text--> AGENDA
    AGENDA --text / 略過--> CONFIRM --mtg_new_ok--> (meeting scheduled, flow ends)
    any --取消 / expiry / a command word (router, bot/flows.py)--> ends or asks

State lives in the conversations table (one row per chat and user), so several workers take turns.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from bot import flows, privacy_guard
from bot.context import Ctx
from bot.events import EventKind, Inbound
from bot.flows import Flow, Outcome, State, finish, go, stay
from bot.messages import Message, Outbound, push, reply, text
from handlers.meetings import render, service
from models.meetings import Meeting
from models.roster import District
from rules.dates import parse_datetime_phrase, roc_datetime, to_taipei
from rules.meetings.plan import find_types, parse_picker

SKIP_WORDS = frozenset({"略過", "無", "跳過", "免"})


class Step(StrEnum):
    TYPE = "type"
    WHEN = "when"
    PLACE = "place"
    AGENDA = "agenda"
    CONFIRM = "confirm"


def schedule(event: Inbound, ctx: Ctx, district: District, type_key: str, start: datetime, place: str,
             agenda: str) -> list[Outbound]:
    """Record the meeting, schedule its reminders, and announce it in the district's group."""
    refused = privacy_guard.require_clean(ctx, "會議地點", place) or privacy_guard.require_clean(ctx, "會議議程", agenda)
    if refused:
        return refused
    here = event.group_id if event.in_group else None
    meeting_type = service.meeting_types(ctx.config)[type_key]
    meeting = service.create(ctx.session, district=district, meeting_type=meeting_type, start=start, place=place,
                             agenda=agenda, organiser=event.user_id, group_line_id=here, now=ctx.now,
                             rules=service.policy(ctx.config))
    done = f"已排定{meeting.type_name}（編號{meeting.id}）。"
    held = service.hold_announcement(ctx.session, meeting, ctx.config, ctx.now) if here is None else None
    if held is not None:  # weeks ahead: the notice rides the group's morning digest (bot/digest.py)
        said = [reply(text(f"{done}將隨群組晨間摘要通知群組（最晚 {roc_datetime(held)}）。"))]
    else:
        said = tell_group(event, meeting, f"meeting:{meeting.id}:announce", done, render.announcement(meeting),
                          render.attendance_card(meeting))
    return said + render.day_off_warning(meeting, service.policy(ctx.config).calendar)


def tell_group(event: Inbound, meeting: Meeting, dedupe_key: str, done: str, *messages: Message) -> list[Outbound]:
    """Say it in the meeting's group exactly once: as the reply when asked there, else as one push."""
    if event.in_group and event.group_id == meeting.group_line_id:
        return [reply(*messages)]
    said = [reply(text(done + ("已通知群組。" if meeting.group_line_id else "（尚無綁定群組，未通知。）")))]
    if meeting.group_line_id:
        said.append(push(meeting.group_line_id, *messages, dedupe_key=dedupe_key))
    return said


def start(event: Inbound, ctx: Ctx, district: District) -> list[Outbound]:
    """Begin the guided flow for this user in this chat."""
    return FLOW.begin(event, ctx, {"district_id": district.id})


def _said(event: Inbound) -> str:
    return event.text.strip() if event.kind == EventKind.TEXT else ""


def _type(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
    types = service.meeting_types(ctx.config)
    key = event.postback.get("key") if event.action == "mtg_new_type" else None
    found = [types[key]] if key in types else find_types(types, _said(event))
    if len(found) != 1:
        return stay()
    return go(Step.WHEN, type_key=found[0].key)


def _when(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
    """Read the picker's answer or a typed date and time; the reason when neither works."""
    if event.action == "mtg_new_when":
        start_at = parse_picker(event.params.get("datetime", ""))
        if start_at is None:
            return stay("沒有收到日期時間，請再選一次。")
    else:
        phrase = parse_datetime_phrase(event.text, to_taipei(ctx.now).date())
        start_at = phrase.start_at() if phrase.ok else None
        if start_at is None:
            return stay(phrase.error or "請同時寫日期與開始時間，例如 115/12/5 14:00。")
    if start_at <= ctx.now:
        return stay("這個時間已經過了，請選擇未來的日期時間。")
    return go(Step.PLACE, start=start_at.isoformat())


def _place(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
    said = _said(event)
    if not said:
        return stay()
    refused = privacy_guard.require_clean(ctx, "會議地點", said)
    return flows.refused(refused) if refused else go(Step.AGENDA, place=said)


def _agenda(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
    said = _said(event)
    if not said:
        return stay()
    agenda = "" if said in SKIP_WORDS else said
    refused = privacy_guard.require_clean(ctx, "會議議程", agenda)
    return flows.refused(refused) if refused else go(Step.CONFIRM, agenda=agenda)


def _confirm(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
    if event.action != "mtg_new_ok":
        return stay()
    district = ctx.session.get(District, data["district_id"])
    start_at = datetime.fromisoformat(data["start"])
    if district is None:
        return finish(reply(text("找不到行政區，請重新開始。")))
    if start_at <= ctx.now:
        return finish(reply(text("這個時間已經過了，請重新輸入「新增會議」。")))
    return finish(*schedule(event, ctx, district, data["type_key"], start_at, data["place"], data["agenda"]))


def _ask_when(ctx: Ctx, data: dict[str, Any]) -> list[Message]:
    return [render.ask_when(service.meeting_types(ctx.config)[data["type_key"]], ctx.now)]


def _ask_confirm(ctx: Ctx, data: dict[str, Any]) -> list[Message]:
    name = service.meeting_types(ctx.config)[data["type_key"]].name
    return [render.confirm(name, datetime.fromisoformat(data["start"]), data["place"], data["agenda"])]


FLOW = Flow(
    name="meeting_new",
    title="新增會議",
    states=(
        State(Step.TYPE, lambda ctx, data: [render.ask_type(list(service.meeting_types(ctx.config).values()))],
              _type),
        State(Step.WHEN, _ask_when, _when),
        State(Step.PLACE, lambda ctx, data: [render.ask_place()], _place),
        State(Step.AGENDA, lambda ctx, data: [render.ask_agenda()], _agenda),
        State(Step.CONFIRM, _ask_confirm, _confirm),
    ),
    actions=frozenset({"mtg_new_type", "mtg_new_when", "mtg_new_ok"}),
)
