"""Defining a form in 1:1 chat (表單 新增), guided one step at a time, for the district secretariat.

State table (flow `form_define`):

    START --template--> DEADLINE              START --title--> INSTRUCTIONS --> LABEL
    LABEL --label--> KIND --choice kind--> OPTIONS --> REQUIRED --> LABEL (next question)
                          --other kind--> REQUIRED
    LABEL --完成--> DEADLINE --> UNITS --> CONFIRM --建立--> draft form, end
    any --取消 / expiry / a command word (router, bot/flows.py)--> end or ask

Titles, instructions, questions and options are posted to the group later, so they are screened
for personal data like any group text.
"""
from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from bot import flows, privacy_guard, roster
from bot.context import Ctx
from bot.events import EventKind, Inbound
from bot.flows import Answer, Flow, Outcome, State, finish, go, stay
from bot.messages import Message, Outbound, datetime_picker, postback, reply, says, text
from handlers.forms import render, service
from models.roster import District
from rules import forms as rules
from rules.dates import parse_date, roc_long, to_taipei

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
    return FLOW.begin(event, ctx, {"district_id": ctx.contact.unit.district.id, "fields": []}, chat_id=event.user_id)


def _screened(step: Step, answer: Answer) -> Answer:
    """Text that will be posted to the group later passes the privacy guard first."""
    def screened(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
        said = privacy_guard.require_clean(ctx, _LABELS.get(step, "表單內容"), _said(event))
        return flows.refused(said) if said else answer(event, ctx, data)
    return screened


def _said(event: Inbound) -> str:
    return rules.fold(event.text) if event.kind == EventKind.TEXT else ""


def _on_start(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
    if event.action == "form_def_tpl":
        template = rules.templates().get(event.postback.get("key", ""))
        if template is None:
            return stay("找不到這個範本。", ask=False)
        definition = rules.parse_definition(template)
        return go(Step.DEADLINE, f"範本「{definition.title}」，共 {len(definition.fields)} 題。",
                  title=definition.title, instructions=definition.instructions,
                  fields=rules.fields_json(definition), template=template.get("key"))
    said = _said(event)
    if not said or len(said) > rules.MAX_TITLE:
        return stay(f"請輸入表單標題（{rules.MAX_TITLE} 字以內），或選擇範本。", ask=False)
    return go(Step.INSTRUCTIONS, title=said)


def _on_instructions(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
    said = _said(event)
    if len(said) > rules.MAX_INSTRUCTIONS:
        return stay(f"說明最多 {rules.MAX_INSTRUCTIONS} 字，請精簡。", ask=False)
    return go(Step.LABEL, instructions="" if said in SKIP_WORDS else said)


def _on_label(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
    fields, said = data.get("fields") or [], _said(event)
    if said == "完成" and fields:
        return go(Step.DEADLINE)
    if not said or len(said) > rules.MAX_LABEL:
        return stay(f"請輸入第 {len(fields) + 1} 題的題目（{rules.MAX_LABEL} 字以內）。", ask=False)
    return go(Step.KIND, pending={"label": said})


def _on_kind(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
    said = _said(event)
    kind = event.postback.get("kind") if event.action == "form_def_kind" else \
        next((k.value for k, name in rules.KIND_NAMES.items() if name == said), None)
    if kind not in {k.value for k in rules.FieldKind}:
        return stay(text("請從下方選擇回答方式。", quick=render.kind_choices()), ask=False)
    pending = {**data.get("pending", {}), "kind": kind}
    if rules.FieldKind(kind) in rules.CHOICE_KINDS:
        return go(Step.OPTIONS, pending=pending)
    return go(Step.REQUIRED, pending=pending)


def _on_options(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
    options = [o.strip() for o in rules.SPLIT_RE.split(_said(event)) if o.strip()]
    pending = {**data.get("pending", {}), "options": options}
    try:
        rules.parse_fields([pending])
    except rules.SpecError as exc:
        return stay(str(exc).replace("第 1 題", "這題"), ask=False)
    return go(Step.REQUIRED, pending=pending)


def _on_required(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
    said = _said(event)
    if said not in ("必填", "選填"):
        return stay()
    fields = list(data.get("fields") or [])
    fields.append({**data.get("pending", {}), "key": f"q{len(fields) + 1}", "required": said == "必填"})
    if len(fields) >= rules.MAX_FIELDS:
        return go(Step.DEADLINE, f"已達 {rules.MAX_FIELDS} 題上限。", fields=fields, pending={})
    return go(Step.LABEL, fields=fields, pending={})


def _on_deadline(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
    today = to_taipei(ctx.now).date()
    if event.action == "form_def_date" and event.params.get("date"):
        chosen = date.fromisoformat(event.params["date"])
    else:
        said = _said(event)
        parsed = parse_date(said, today) if said else None
        if parsed is None or parsed.value is None:
            return stay(parsed.error if parsed and parsed.error else "請選擇截止日。")
        chosen = parsed.value
    if chosen < today:
        return stay("截止日不能早於今天。")
    return go(Step.UNITS, deadline=chosen.isoformat())


def _on_units(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
    district, said = _district(ctx, data), _said(event)
    unit_ids: list[int] = []
    if said not in ("全部單位", "全部"):
        for name in (n for n in rules.SPLIT_RE.split(said) if n.strip()):
            unit = roster.find_unit(ctx.session, district, name)
            if unit is None:
                return stay(text(f"{district.name}找不到「{name.strip()}」。請重新輸入，或按「全部單位」。",
                                 quick=[says("全部單位")]), ask=False)
            if unit.id not in unit_ids:
                unit_ids.append(unit.id)
        if not unit_ids:
            return stay(text("請輸入單位名稱，或按「全部單位」。", quick=[says("全部單位")]), ask=False)
    return go(Step.CONFIRM, unit_ids=unit_ids)


def _on_confirm(event: Inbound, ctx: Ctx, data: dict[str, Any]) -> Outcome:
    if event.action != "form_def_create" and _said(event) != "建立":
        return stay("請按「建立表單」，或輸入「取消」。")
    definition = rules.parse_definition(data)
    district = _district(ctx, data)
    units = [u for u in district.units if u.id in set(data.get("unit_ids") or [])]
    form = service.create(ctx.session, district=district, definition=definition,
                          deadline=date.fromisoformat(data["deadline"]), units=units, created_by=ctx.user_id,
                          now=ctx.now, template=data.get("template"))
    return finish(reply(text(f"已建立表單 #{form.id}「{form.title}」（草稿）。\n發布到群組請輸入「表單 發布 {form.id}」。",
                             quick=[says("發布到群組", f"表單 發布 {form.id}")])))


def _ask_start(ctx: Ctx, data: dict[str, Any]) -> list[Message]:
    choices = [postback(tpl.get("name", key), "form_def_tpl", display=tpl.get("name", key), key=key)
               for key, tpl in rules.templates().items()]
    return [text(f"新增{_district(ctx, data).name}的表單（隨時輸入「取消」結束）。\n"
                 "請選擇現成範本，或直接輸入新表單的標題。", quick=choices)]


def _ask_kind(ctx: Ctx, data: dict[str, Any]) -> list[Message]:
    label = (data.get("pending") or {}).get("label", "")
    return [text(f"「{label}」要用哪一種方式回答？", quick=render.kind_choices())]


def _ask_units(ctx: Ctx, data: dict[str, Any]) -> list[Message]:
    district = _district(ctx, data)
    asked = len(service.default_units(district))
    return [text(f"截止日：{roc_long(date.fromisoformat(data['deadline']))}。\n填寫單位預設為{district.name}全部 {asked} "
                 "個網絡單位（秘書單位除外）；按「全部單位」，或輸入要填寫的單位名稱（以「、」分隔）。",
                 quick=[says("全部單位")])]


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
        "、".join(u.card_name for u in district.units if u.id in chosen)
    lines = [f"請確認：{definition.title}", f"截止：{render.day(date.fromisoformat(data['deadline']))}",
             f"填寫單位：{units}"]
    if definition.instructions:
        lines.append(f"說明：{definition.instructions}")
    for number, f in enumerate(definition.fields, start=1):
        extra = f"：{'、'.join(f.options)}" if f.options else ""
        lines.append(f"{number}. {f.label}（{rules.KIND_NAMES[f.kind]}，{'必填' if f.required else '選填'}）{extra}")
    return text("\n".join(lines), quick=[postback("建立表單", "form_def_create", display="建立表單"), says("取消")])


FLOW = Flow(
    name="form_define",
    title="新增表單",
    states=(
        State(Step.START, _ask_start, _screened(Step.START, _on_start)),
        State(Step.INSTRUCTIONS, lambda ctx, data: [text("請輸入填寫說明（會顯示在群組的卡片上）；不需要請按「略過」。",
                                                         quick=[says("略過")])],
              _screened(Step.INSTRUCTIONS, _on_instructions)),
        State(Step.LABEL, lambda ctx, data: [_ask_label(len(data.get("fields") or []) + 1)],
              _screened(Step.LABEL, _on_label)),
        State(Step.KIND, _ask_kind, _screened(Step.KIND, _on_kind)),
        State(Step.OPTIONS, lambda ctx, data: [text(
            f"請輸入選項，以「、」或換行分隔（2 到 {rules.MAX_OPTIONS} 個，每個 {rules.MAX_OPTION} 字內）。")],
            _screened(Step.OPTIONS, _on_options)),
        State(Step.REQUIRED, lambda ctx, data: [_ask_required()], _screened(Step.REQUIRED, _on_required)),
        State(Step.DEADLINE, lambda ctx, data: [_ask_deadline()], _on_deadline),
        State(Step.UNITS, _ask_units, _on_units),
        State(Step.CONFIRM, lambda ctx, data: [_summary(data, _district(ctx, data))], _on_confirm),
    ),
    actions=ACTIONS,
)
