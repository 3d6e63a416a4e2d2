"""Guided scheduling (新增會議): type -> date and time (LINE's datetime picker, or typed) -> place -> agenda -> confirm.

    TYPE --mtg_new_type / typed name--> WHEN --mtg_new_when (picker) / typed date--> PLACE --text--> AGENDA
    AGENDA --text / 略過--> CONFIRM --mtg_new_ok--> (meeting scheduled, flow ends)
    any step --取消 (router)--> ends;  the row expires after CONVERSATION_MINUTES

State lives in the conversations table (one row per chat and user), so several workers take turns.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Callable

from bot import conversations, privacy_guard
from bot.context import Ctx
from bot.events import EventKind, Inbound
from bot.messages import Outbound, reply, text
from bot.router import Flow
from handlers.meetings import render, service
from models.roster import District
from rules.dates import parse_datetime_phrase, to_taipei
from rules.meetings.plan import find_types, parse_picker

FLOW = "meeting_new"
SKIP_WORDS = frozenset({"略過", "無", "跳過", "免"})

# Set by routes.py: schedules the confirmed draft and says what the one-line command says.
Finish = Callable[[Inbound, Ctx, District, str, datetime, str, str], list[Outbound]]


class Step(StrEnum):
    TYPE = "type"
    WHEN = "when"
    PLACE = "place"
    AGENDA = "agenda"
    CONFIRM = "confirm"


def start(event: Inbound, ctx: Ctx, district: District) -> list[Outbound]:
    """Begin the guided flow for this user in this chat."""
    assert event.chat_id and event.user_id
    conversations.start(ctx.session, event.chat_id, event.user_id, FLOW, Step.TYPE, ctx.now,
                        ctx.config.conversation_minutes, {"district_id": district.id})
    return [reply(render.ask_type(list(service.meeting_types(ctx.config).values())))]


def make_handler(finish: Finish) -> Callable[[Inbound, Ctx], list[Outbound]]:
    """Build the flow's step handler around the function that schedules the confirmed meeting."""
    def on_step(event: Inbound, ctx: Ctx) -> list[Outbound]:
        """Advance the flow by one answer."""
        row = ctx.conversation
        assert row is not None
        minutes = ctx.config.conversation_minutes
        types = service.meeting_types(ctx.config)
        said = event.text.strip()
        if row.step == Step.TYPE:
            key = event.postback.get("key") if event.action == "mtg_new_type" else None
            found = [types[key]] if key in types else find_types(types, said)
            if len(found) != 1:
                return [reply(render.ask_type(list(types.values())))]
            conversations.advance(row, Step.WHEN, ctx.now, minutes, type_key=found[0].key)
            return [reply(render.ask_when(found[0], ctx.now))]
        meeting_type = types[row.data["type_key"]]
        if row.step == Step.WHEN:
            start_at, problem = _when(event, ctx)
            if start_at is None:
                return [reply(text(problem)), reply(render.ask_when(meeting_type, ctx.now))]
            conversations.advance(row, Step.PLACE, ctx.now, minutes, start=start_at.isoformat())
            return [reply(render.ask_place())]
        if row.step == Step.PLACE:
            if event.kind != EventKind.TEXT or not said:
                return [reply(render.ask_place())]
            refused = privacy_guard.require_clean(ctx, "會議地點", said)
            if refused:
                return refused
            conversations.advance(row, Step.AGENDA, ctx.now, minutes, place=said)
            return [reply(render.ask_agenda())]
        start_at = datetime.fromisoformat(row.data["start"])
        if row.step == Step.AGENDA:
            if event.kind != EventKind.TEXT or not said:
                return [reply(render.ask_agenda())]
            agenda = "" if said in SKIP_WORDS else said
            refused = privacy_guard.require_clean(ctx, "會議議程", agenda)
            if refused:
                return refused
            conversations.advance(row, Step.CONFIRM, ctx.now, minutes, agenda=agenda)
            return [reply(render.confirm(meeting_type.name, start_at, row.data["place"], agenda))]
        if event.action != "mtg_new_ok":
            return [reply(render.confirm(meeting_type.name, start_at, row.data["place"], row.data["agenda"]))]
        district = ctx.session.get(District, row.data["district_id"])
        data = dict(row.data)
        conversations.end(ctx.session, row)
        if district is None:
            return [reply(text("找不到行政區，請重新開始。"))]
        if start_at <= ctx.now:
            return [reply(text("這個時間已經過了，請重新輸入「新增會議」。"))]
        return finish(event, ctx, district, data["type_key"], start_at, data["place"], data["agenda"])
    return on_step


def _when(event: Inbound, ctx: Ctx) -> tuple[datetime | None, str]:
    """Read the picker's answer or a typed date and time; the reason when neither works."""
    if event.action == "mtg_new_when":
        start_at = parse_picker(event.params.get("datetime", ""))
        if start_at is None:
            return None, "沒有收到日期時間，請再選一次。"
    else:
        phrase = parse_datetime_phrase(event.text, to_taipei(ctx.now).date())
        if not phrase.ok or phrase.start_at() is None:
            return None, phrase.error or "請同時寫日期與開始時間，例如 115/12/5 14:00。"
        start_at = phrase.start_at()
        assert start_at is not None
    if start_at <= ctx.now:
        return None, "這個時間已經過了，請選擇未來的日期時間。"
    return start_at, ""


def flow(finish: Finish) -> Flow:
    """The flow's entry in the route table."""
    return Flow(FLOW, make_handler(finish), actions=frozenset({"mtg_new_type", "mtg_new_when", "mtg_new_ok"}))
