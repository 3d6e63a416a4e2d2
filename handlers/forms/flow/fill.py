"""Filling in a form in 1:1 chat, one question at a time, then a summary to confirm.

State table (flow `form_fill`, one row per (chat, user), data = form_id, index, draft, had):

    ASK(i) --text/pick/date/keep/skip--> ASK(i+1) ... --last--> CONFIRM
    ASK(i) --multi pick--> ASK(i) (toggle)       CONFIRM --送出--> saved, end
    ASK(i) --invalid or personal data--> ASK(i)  CONFIRM --重新填寫--> ASK(0)
    any --取消 / expiry / a command word (router, bot/flows.py)--> end or ask

Refused text (personal data) never enters the draft: the conversation row is stored encrypted,
but nothing a user was told not to send is kept at all.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Any, Callable

from bot import flows, privacy_guard
from bot.context import Ctx
from bot.events import EventKind, Inbound
from bot.flows import Answer, Flow, Outcome, State, finish, go, stay
from bot.messages import Message, Outbound, reply, text
from handlers.forms import render, service
from models.forms import Form
from rules import forms as rules
from rules.dates import to_taipei

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
    definition = service.spec_of(form)
    intro = f"開始填寫表單 #{form.id}「{form.title}」（{ctx.contact.unit.card_name}），共 {len(definition.fields)} 題。"
    if had:
        intro += "\n本單位已經填過，可以按「沿用目前答案」保留原本的內容。"
    return FLOW.begin(event, ctx, {"form_id": form.id, "index": 0, "draft": dict(had), "had": had},
                      said=(text(intro),), chat_id=event.user_id)


def _form(ctx: Ctx, data: dict[str, Any]) -> Form | None:
    return service.get(ctx.session, int(data.get("form_id", 0)))


def _checked(answer: Callable[[Inbound, Ctx, Form, rules.FormSpec, dict[str, Any]], Outcome]) -> Answer:
    """Every answer first checks that the form still takes this unit's answers (closed, removed, ...)."""
    def checked(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
        form = _form(ctx, data)
        refusal = service.may_answer(ctx.session, form, ctx.contact) if form else "找不到這份表單。"
        if form is None or refusal:
            return finish(reply(text(refusal or "找不到這份表單。")))
        return answer(event, ctx, form, service.spec_of(form), data)
    return checked


def _on_answer(event: Inbound, ctx: Ctx, form: Form, definition: rules.FormSpec, data: dict[str, Any]) -> Outcome:
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
            return stay()
        if f.kind == rules.FieldKind.MULTI:
            chosen = set(draft.get(f.key) or []) ^ {option}
            return stay(draft={**draft, f.key: [o for o in f.options if o in chosen]})
        draft[f.key] = option
    elif action == "form_next" and f.kind == rules.FieldKind.MULTI:
        if f.required and not draft.get(f.key):
            return stay("這題必填，請至少選一項。")
    elif action == "form_date" and f.kind == rules.FieldKind.DATE and event.params.get("date"):
        draft[f.key] = event.params["date"]
    elif event.kind == EventKind.TEXT:
        parsed = rules.parse_answer(f, event.text, to_taipei(ctx.now).date())
        if not parsed.ok:
            return stay(parsed.error or "看不懂這個回答。")
        if f.kind in rules.TEXT_KINDS:
            said = privacy_guard.require_clean(ctx, f.label, str(parsed.value))
            if said:
                return flows.refused(said)
        draft[f.key] = parsed.value
        if f.kind == rules.FieldKind.MULTI:
            return stay(draft=draft)
    else:
        return stay()
    if index + 1 < len(definition.fields):
        return go(Step.ASK, index=index + 1, draft=draft)
    return go(Step.CONFIRM, index=index + 1, draft=draft)


def _picked(f: rules.FieldSpec, raw: str) -> str | None:
    return f.options[int(raw)] if raw.isdigit() and int(raw) < len(f.options) else None


def _on_confirm(event: Inbound, ctx: Ctx, form: Form, definition: rules.FormSpec, data: dict[str, Any]) -> Outcome:
    assert ctx.contact is not None
    draft: dict[str, Any] = dict(data.get("draft") or {})
    had: dict[str, Any] = dict(data.get("had") or {})
    said = event.action or rules.fold(event.text)
    if said in ("form_restart", "重新填寫"):
        # Restarting keeps the draft as "current answers" so each one can be kept with a tap.
        merged = {**had, **draft}
        return go(Step.ASK, index=0, draft=dict(merged), had=merged)
    if said not in ("form_submit", "送出"):
        return stay("請按「送出」完成，或「重新填寫」、「取消」。")
    missing = rules.missing_required(definition, draft)
    if missing:
        return go(Step.ASK, f"「{missing[0].label}」必填，請補上。", index=definition.fields.index(missing[0]))
    answers = {f.key: draft[f.key] for f in definition.fields if not rules.is_empty(draft.get(f.key))}
    response = service.save(ctx.session, form, ctx.contact, answers, via="chat", now=ctx.now)
    return finish(reply(render.submitted(form, ctx.contact.unit, response)))


def _ask(ctx: Ctx, data: dict[str, Any]) -> list[Message]:
    form = _form(ctx, data)
    if form is None:
        return []
    definition = service.spec_of(form)
    index = min(int(data.get("index", 0)), len(definition.fields) - 1)
    return [render.question(definition, index, dict(data.get("draft") or {}), dict(data.get("had") or {}))]


def _ask_confirm(ctx: Ctx, data: dict[str, Any]) -> list[Message]:
    form = _form(ctx, data)
    if form is None or ctx.contact is None:
        return []
    late = rules.is_late(ctx.now, form.deadline)
    return [render.confirm(service.spec_of(form), dict(data.get("draft") or {}), ctx.contact.unit, late)]


FLOW = Flow(name="form_fill", title="填寫表單", states=(
    State(Step.ASK, _ask, _checked(_on_answer)),
    State(Step.CONFIRM, _ask_confirm, _checked(_on_confirm)),
), actions=ACTIONS)
