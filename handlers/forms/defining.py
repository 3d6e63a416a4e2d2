"""Defining a form in 1:1 chat (表單 新增), guided one step at a time, for the district secretariat.

State table (flow `form_define`):

    START --template--> DEADLINE              START --title--> INSTRUCTIONS --> LABEL
    LABEL --label--> KIND --choice kind--> OPTIONS --> REQUIRED --> LABEL (next question)
                          --other kind--> REQUIRED
    LABEL --完成--> DEADLINE --> UNITS --> CONFIRM --建立--> draft form, end
    any --取消 (router) / expiry--> end

Titles, instructions, questions and options are posted to the group later, so they are screened
for personal data like any group text.
"""
from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from bot import conversations, privacy_guard, roster
from bot.context import Ctx
from bot.events import EventKind, Inbound
from bot.messages import Message, Outbound, datetime_picker, postback, reply, says, text
from handlers.forms import render, service
from models.roster import District
from rules import forms as rules
from rules.dates import parse_date, roc_long, to_taipei

FLOW = "form_define"
ACTIONS = frozenset({"form_def_tpl", "form_def_kind", "form_def_date", "form_def_create"})
SKIP_WORDS = frozenset({"略過", "無", "不用"})


class Step(StrEnum):
    """The states of the flow (see the table above)."""

    START = "start"
    INSTRUCTIONS = "instructions"
    LABEL = "label"
    KIND = "kind"
    OPTIONS = "options"
    REQUIRED = "required"
    DEADLINE = "deadline"
    UNITS = "units"
    CONFIRM = "confirm"


_LABELS = {Step.START: "表單標題", Step.INSTRUCTIONS: "填寫說明", Step.LABEL: "題目", Step.OPTIONS: "選項"}


def start(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Begin defining a form for the speaker's district."""
    assert event.user_id
    if ctx.contact is None:
        return [reply(text("請先註冊為秘書單位聯繫窗口，或用指令列：flask --app wsgi forms create。"))]
    district = ctx.contact.unit.district
    conversations.start(ctx.session, event.user_id, event.user_id, FLOW, Step.START, ctx.now,
                        ctx.config.conversation_minutes, data={"district_id": district.id, "fields": []})
    choices = [postback(data.get("name", key), "form_def_tpl", display=data.get("name", key), key=key)
               for key, data in rules.templates().items()]
    return [reply(text(f"新增{district.name}的表單（隨時輸入「取消」結束）。\n"
                       "請選擇現成範本，或直接輸入新表單的標題。", quick=choices))]


def on_step(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """Advance the define flow by one answer."""
    row = ctx.conversation
    assert row is not None
    data: dict[str, Any] = dict(row.data or {})
    said = rules.fold(event.text) if event.kind == EventKind.TEXT else ""
    if said and row.step not in (Step.DEADLINE, Step.UNITS, Step.CONFIRM):
        refused = privacy_guard.require_clean(ctx, _LABELS.get(Step(row.step), "表單內容"), said)
        if refused:
            return refused
    handler = _STEPS.get(Step(row.step))
    return handler(event, ctx, data, said) if handler else []


def _go(ctx: Ctx, step: Step, **data: Any) -> None:
    assert ctx.conversation is not None
    conversations.advance(ctx.conversation, step, ctx.now, ctx.config.conversation_minutes, **data)


def _on_start(event: Inbound, ctx: Ctx, data: dict[str, Any], said: str) -> list[Outbound]:
    if event.action == "form_def_tpl":
        template = rules.templates().get(event.postback.get("key", ""))
        if template is None:
            return [reply(text("找不到這個範本。"))]
        definition = rules.parse_definition(template)
        _go(ctx, Step.DEADLINE, title=definition.title, instructions=definition.instructions,
            fields=rules.fields_json(definition), template=template.get("key"))
        return [reply(text(f"範本「{definition.title}」，共 {len(definition.fields)} 題。")), reply(_ask_deadline())]
    if not said or len(said) > rules.MAX_TITLE:
        return [reply(text(f"請輸入表單標題（{rules.MAX_TITLE} 字以內），或選擇範本。"))]
    _go(ctx, Step.INSTRUCTIONS, title=said)
    return [reply(text("請輸入填寫說明（會顯示在群組的卡片上）；不需要請按「略過」。", quick=[says("略過")]))]


def _on_instructions(event: Inbound, ctx: Ctx, data: dict[str, Any], said: str) -> list[Outbound]:
    if len(said) > rules.MAX_INSTRUCTIONS:
        return [reply(text(f"說明最多 {rules.MAX_INSTRUCTIONS} 字，請精簡。"))]
    _go(ctx, Step.LABEL, instructions="" if said in SKIP_WORDS else said)
    return [reply(_ask_label(1))]


def _on_label(event: Inbound, ctx: Ctx, data: dict[str, Any], said: str) -> list[Outbound]:
    fields = data.get("fields") or []
    if said == "完成" and fields:
        _go(ctx, Step.DEADLINE)
        return [reply(_ask_deadline())]
    if not said or len(said) > rules.MAX_LABEL:
        return [reply(text(f"請輸入第 {len(fields) + 1} 題的題目（{rules.MAX_LABEL} 字以內）。"))]
    _go(ctx, Step.KIND, pending={"label": said})
    return [reply(text(f"「{said}」要用哪一種方式回答？", quick=render.kind_choices()))]


def _on_kind(event: Inbound, ctx: Ctx, data: dict[str, Any], said: str) -> list[Outbound]:
    kind = event.postback.get("kind") if event.action == "form_def_kind" else \
        next((k.value for k, name in rules.KIND_NAMES.items() if name == said), None)
    if kind not in {k.value for k in rules.FieldKind}:
        return [reply(text("請從下方選擇回答方式。", quick=render.kind_choices()))]
    pending = {**data.get("pending", {}), "kind": kind}
    if rules.FieldKind(kind) in rules.CHOICE_KINDS:
        _go(ctx, Step.OPTIONS, pending=pending)
        return [reply(text(f"請輸入選項，以「、」或換行分隔（2 到 {rules.MAX_OPTIONS} 個，每個 {rules.MAX_OPTION} 字內）。"))]
    _go(ctx, Step.REQUIRED, pending=pending)
    return [reply(_ask_required())]


def _on_options(event: Inbound, ctx: Ctx, data: dict[str, Any], said: str) -> list[Outbound]:
    options = [o.strip() for o in rules.SPLIT_RE.split(said) if o.strip()]
    pending = {**data.get("pending", {}), "options": options}
    try:
        rules.parse_fields([pending])
    except rules.SpecError as exc:
        return [reply(text(str(exc).replace("第 1 題", "這題")))]
    _go(ctx, Step.REQUIRED, pending=pending)
    return [reply(_ask_required())]


def _on_required(event: Inbound, ctx: Ctx, data: dict[str, Any], said: str) -> list[Outbound]:
    if said not in ("必填", "選填"):
        return [reply(_ask_required())]
    fields = list(data.get("fields") or [])
    fields.append({**data.get("pending", {}), "key": f"q{len(fields) + 1}", "required": said == "必填"})
    if len(fields) >= rules.MAX_FIELDS:
        _go(ctx, Step.DEADLINE, fields=fields, pending={})
        return [reply(text(f"已達 {rules.MAX_FIELDS} 題上限。")), reply(_ask_deadline())]
    _go(ctx, Step.LABEL, fields=fields, pending={})
    return [reply(_ask_label(len(fields) + 1))]


def _on_deadline(event: Inbound, ctx: Ctx, data: dict[str, Any], said: str) -> list[Outbound]:
    today = to_taipei(ctx.now).date()
    if event.action == "form_def_date" and event.params.get("date"):
        chosen = date.fromisoformat(event.params["date"])
    else:
        parsed = parse_date(said, today) if said else None
        if parsed is None or parsed.value is None:
            return [reply(text(parsed.error if parsed and parsed.error else "請選擇截止日。")), reply(_ask_deadline())]
        chosen = parsed.value
    if chosen < today:
        return [reply(text("截止日不能早於今天。")), reply(_ask_deadline())]
    district = _district(ctx, data)
    _go(ctx, Step.UNITS, deadline=chosen.isoformat())
    asked = len(service.default_units(district))
    return [reply(text(f"截止日：{roc_long(chosen)}。\n填寫單位預設為{district.name}全部 {asked} 個網絡單位（秘書單位除外）；"
                       "按「全部單位」，或輸入要填寫的單位名稱（以「、」分隔）。", quick=[says("全部單位")]))]


def _on_units(event: Inbound, ctx: Ctx, data: dict[str, Any], said: str) -> list[Outbound]:
    district = _district(ctx, data)
    unit_ids: list[int] = []
    if said not in ("全部單位", "全部"):
        for name in (n for n in rules.SPLIT_RE.split(said) if n.strip()):
            unit = roster.find_unit(ctx.session, district, name)
            if unit is None:
                return [reply(text(f"{district.name}找不到「{name.strip()}」。請重新輸入，或按「全部單位」。",
                                   quick=[says("全部單位")]))]
            if unit.id not in unit_ids:
                unit_ids.append(unit.id)
        if not unit_ids:
            return [reply(text("請輸入單位名稱，或按「全部單位」。", quick=[says("全部單位")]))]
    _go(ctx, Step.CONFIRM, unit_ids=unit_ids)
    return [reply(_summary({**data, "unit_ids": unit_ids}, district))]


def _on_confirm(event: Inbound, ctx: Ctx, data: dict[str, Any], said: str) -> list[Outbound]:
    if event.action != "form_def_create" and said != "建立":
        return [reply(text("請按「建立表單」，或輸入「取消」。")), reply(_summary(data, _district(ctx, data)))]
    definition = rules.parse_definition(data)
    district = _district(ctx, data)
    units = [u for u in district.units if u.id in set(data.get("unit_ids") or [])]
    form = service.create(ctx.session, district=district, definition=definition,
                          deadline=date.fromisoformat(data["deadline"]), units=units, created_by=ctx.user_id,
                          now=ctx.now, template=data.get("template"))
    conversations.end(ctx.session, ctx.conversation)
    return [reply(text(f"已建立表單 #{form.id}「{form.title}」（草稿）。\n發布到群組請輸入「表單 發布 {form.id}」。",
                       quick=[says("發布到群組", f"表單 發布 {form.id}")]))]


def _district(ctx: Ctx, data: dict[str, Any]) -> District:
    district = roster.find_district_by_id(ctx.session, int(data["district_id"]))
    assert district is not None
    return district


def _ask_label(number: int) -> Message:
    quick = [says("完成")] if number > 1 else None
    hint = "；題目都加好了請按「完成」" if number > 1 else ""
    return text(f"請輸入第 {number} 題的題目{hint}。", quick=quick)


def _ask_required() -> Message:
    return text("這題是必填還是選填？", quick=[says("必填"), says("選填")])


def _ask_deadline() -> Message:
    return text("請選擇截止日，或輸入日期（例如 115/12/1）。",
                quick=[datetime_picker("選擇截止日", "form_def_date", mode="date")])


def _summary(data: dict[str, Any], district: District) -> Message:
    definition = rules.parse_definition(data)
    chosen = set(data.get("unit_ids") or [])
    units = "全部 {} 個網絡單位（秘書單位除外）".format(len(service.default_units(district))) if not chosen else \
        "、".join(render.unit_name(u) for u in district.units if u.id in chosen)
    lines = [f"請確認：{definition.title}", f"截止：{render.day(date.fromisoformat(data['deadline']))}",
             f"填寫單位：{units}"]
    if definition.instructions:
        lines.append(f"說明：{definition.instructions}")
    for number, f in enumerate(definition.fields, start=1):
        extra = f"：{'、'.join(f.options)}" if f.options else ""
        lines.append(f"{number}. {f.label}（{rules.KIND_NAMES[f.kind]}，{'必填' if f.required else '選填'}）{extra}")
    return text("\n".join(lines), quick=[postback("建立表單", "form_def_create", display="建立表單"), says("取消")])


_STEPS = {
    Step.START: _on_start, Step.INSTRUCTIONS: _on_instructions, Step.LABEL: _on_label, Step.KIND: _on_kind,
    Step.OPTIONS: _on_options, Step.REQUIRED: _on_required, Step.DEADLINE: _on_deadline, Step.UNITS: _on_units,
    Step.CONFIRM: _on_confirm,
}
