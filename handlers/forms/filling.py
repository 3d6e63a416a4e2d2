"""Filling in a form in 1:1 chat, one question at a time, then a summary to confirm.

State table (flow `form_fill`, one row per (chat, user), data = form_id, index, draft, had):

    ASK(i) --text/pick/date/keep/skip--> ASK(i+1) ... --last--> CONFIRM
    ASK(i) --multi pick--> ASK(i) (toggle)       CONFIRM --送出--> saved, end
    ASK(i) --invalid or personal data--> ASK(i)  CONFIRM --重新填寫--> ASK(0)
    any --取消 (router) / expiry--> end

Refused text (personal data) never enters the draft: the conversation row is stored encrypted,
but nothing a user was told not to send is kept at all.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Any

from bot import conversations, privacy_guard
from bot.context import Ctx
from bot.events import EventKind, Inbound
from bot.messages import Outbound, reply, text
from handlers.forms import render, service
from models.forms import Form
from rules import forms as rules
from rules.dates import to_taipei

FLOW = "form_fill"
ACTIONS = frozenset({"form_pick", "form_date", "form_skip", "form_keep", "form_next", "form_submit", "form_restart"})


class Step(StrEnum):
    """The states of the flow (see the table above)."""

    ASK = "ask"
    CONFIRM = "confirm"


def start(event: Inbound, ctx: Ctx, form: Form) -> list[Outbound]:
    """Begin filling in 1:1 chat, starting from the unit's current answers when there are some."""
    assert event.user_id and ctx.contact is not None
    response = service.response_of(ctx.session, form, ctx.contact.unit_id)
    had = dict(response.answers) if response else {}
    conversations.start(ctx.session, event.user_id, event.user_id, FLOW, Step.ASK, ctx.now,
                        ctx.config.conversation_minutes,
                        data={"form_id": form.id, "index": 0, "draft": dict(had), "had": had})
    definition = service.spec_of(form)
    intro = f"開始填寫表單 #{form.id}「{form.title}」（{ctx.contact.unit.name}），共 {len(definition.fields)} 題。"
    if had:
        intro += "\n本單位已經填過，可以按「沿用目前答案」保留原本的內容。"
    return [reply(text(intro)), reply(render.question(definition, 0, dict(had), had))]


def on_step(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Advance the fill flow by one answer or tap."""
    row = ctx.conversation
    assert row is not None
    data: dict[str, Any] = dict(row.data or {})
    form = service.get(ctx.session, int(data.get("form_id", 0)))
    refusal = service.may_answer(ctx.session, form, ctx.contact) if form else "找不到這份表單。"
    if form is None or refusal:
        conversations.end(ctx.session, row)
        return [reply(text(refusal or "找不到這份表單。"))]
    definition = service.spec_of(form)
    if row.step == Step.CONFIRM:
        return _on_confirm(event, ctx, form, definition, data)
    return _on_answer(event, ctx, definition, data)


def _on_answer(event: Inbound, ctx: Ctx, definition: rules.FormSpec, data: dict[str, Any]) -> list[Outbound]:
    index = min(int(data.get("index", 0)), len(definition.fields) - 1)
    f = definition.fields[index]
    draft: dict[str, Any] = dict(data.get("draft") or {})
    had: dict[str, Any] = dict(data.get("had") or {})
    action = event.action if event.kind == EventKind.POSTBACK else None
    if action is None and f.kind == rules.FieldKind.MULTI and rules.fold(event.text) == "完成":
        action = "form_next"  # typing 完成 works like the quick reply
    if action == "form_keep" and not rules.is_empty(had.get(f.key)):
        draft[f.key] = had[f.key]
    elif action == "form_skip" and not f.required:
        draft.pop(f.key, None)
    elif action == "form_pick" and f.kind in rules.CHOICE_KINDS:
        option = _picked(f, event.postback.get("o", ""))
        if option is None:
            return [reply(render.question(definition, index, draft, had))]
        if f.kind == rules.FieldKind.MULTI:
            chosen = set(draft.get(f.key) or [])
            chosen ^= {option}
            draft[f.key] = [o for o in f.options if o in chosen]
            return _stay(ctx, definition, index, draft, had)
        draft[f.key] = option
    elif action == "form_next" and f.kind == rules.FieldKind.MULTI:
        if f.required and not draft.get(f.key):
            return [reply(text("這題必填，請至少選一項。")), reply(render.question(definition, index, draft, had))]
    elif action == "form_date" and f.kind == rules.FieldKind.DATE and event.params.get("date"):
        draft[f.key] = event.params["date"]
    elif event.kind == EventKind.TEXT:
        parsed = rules.parse_answer(f, event.text, to_taipei(ctx.now).date())
        if not parsed.ok:
            return [reply(text(parsed.error or "看不懂這個回答。")), reply(render.question(definition, index, draft, had))]
        if f.kind in rules.TEXT_KINDS:
            refused = privacy_guard.require_clean(ctx, f.label, str(parsed.value))
            if refused:
                return refused
        draft[f.key] = parsed.value
        if f.kind == rules.FieldKind.MULTI:
            return _stay(ctx, definition, index, draft, had)
    else:
        return [reply(render.question(definition, index, draft, had))]
    return _next(ctx, definition, index + 1, draft, had)


def _picked(f: rules.FieldSpec, raw: str) -> str | None:
    return f.options[int(raw)] if raw.isdigit() and int(raw) < len(f.options) else None


def _stay(ctx: Ctx, definition: rules.FormSpec, index: int, draft: dict[str, Any],
          had: dict[str, Any]) -> list[Outbound]:
    assert ctx.conversation is not None
    conversations.advance(ctx.conversation, Step.ASK, ctx.now, ctx.config.conversation_minutes, draft=draft)
    return [reply(render.question(definition, index, draft, had))]


def _next(ctx: Ctx, definition: rules.FormSpec, index: int, draft: dict[str, Any],
          had: dict[str, Any]) -> list[Outbound]:
    row = ctx.conversation
    assert row is not None and ctx.contact is not None
    if index < len(definition.fields):
        conversations.advance(row, Step.ASK, ctx.now, ctx.config.conversation_minutes, index=index, draft=draft)
        return [reply(render.question(definition, index, draft, had))]
    conversations.advance(row, Step.CONFIRM, ctx.now, ctx.config.conversation_minutes, index=index, draft=draft)
    form = service.get(ctx.session, int(row.data["form_id"]))
    assert form is not None
    late = rules.is_late(ctx.now, form.deadline)
    return [reply(render.confirm(definition, draft, ctx.contact.unit, late))]


def _on_confirm(event: Inbound, ctx: Ctx, form: Form, definition: rules.FormSpec,
                data: dict[str, Any]) -> list[Outbound]:
    row = ctx.conversation
    assert row is not None and ctx.contact is not None
    draft: dict[str, Any] = dict(data.get("draft") or {})
    had: dict[str, Any] = dict(data.get("had") or {})
    said = event.action or rules.fold(event.text)
    if said in ("form_restart", "重新填寫"):
        return _next_from_start(ctx, definition, draft, had)
    if said not in ("form_submit", "送出"):
        return [reply(text("請按「送出」完成，或「重新填寫」、「取消」。")),
                reply(render.confirm(definition, draft, ctx.contact.unit, rules.is_late(ctx.now, form.deadline)))]
    missing = rules.missing_required(definition, draft)
    if missing:
        index = definition.fields.index(missing[0])
        conversations.advance(row, Step.ASK, ctx.now, ctx.config.conversation_minutes, index=index)
        return [reply(text(f"「{missing[0].label}」必填，請補上。")),
                reply(render.question(definition, index, draft, had))]
    answers = {f.key: draft[f.key] for f in definition.fields if not rules.is_empty(draft.get(f.key))}
    response = service.save(ctx.session, form, ctx.contact, answers, via="chat", now=ctx.now)
    conversations.end(ctx.session, row)
    return [reply(render.submitted(form, ctx.contact.unit, response))]


def _next_from_start(ctx: Ctx, definition: rules.FormSpec, draft: dict[str, Any],
                     had: dict[str, Any]) -> list[Outbound]:
    # Restarting keeps the draft as "current answers" so each one can be kept with a tap.
    merged = {**had, **draft}
    assert ctx.conversation is not None
    conversations.advance(ctx.conversation, Step.ASK, ctx.now, ctx.config.conversation_minutes,
                          index=0, draft=dict(merged), had=merged)
    return [reply(render.question(definition, 0, merged, merged))]
