"""The console's forms: the builder the chat has (表單 新增) on a page, to create and edit a draft; its broadcast to
the district's groups with the cost shown first; each form's progress (who answered, who was late), tallies per
question, a reminder to the units yet to answer (one click, its message cost shown first) and the .xlsx; and
表單統計: response rates and lateness per form, every district side by side for the city's secretariat.

The builder uses the chat's definition and checks (`rules.forms.parse_definition`), and every typed text passes
the one privacy guard (titles, instructions, questions and options are posted to the group later).
"""
from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from bot import digest, privacy_guard, reserve
from bot.console import ConsolePage, Desk, desk, managed_districts, services
from bot.console.charts import bars, rate_bars
from bot.console.export import XLSX, download
from bot.messages import push
from handlers.forms import export, render, service
from models.forms import Form, FormStatus
from models.roster import District, Unit
from rules import forms as rules
from rules.dates import roc_date, roc_datetime, to_taipei
from rules.economy import card_may_wait

blueprint = Blueprint("console_forms", __name__, url_prefix="/console/<int:district_id>/forms",
                      template_folder="templates")
PAGE = ConsolePage("表單", "console_forms.index", order=25)
STATISTICS_PAGE = ConsolePage("表單統計", "console_forms.statistics", order=26)
BLANK_ROWS = 3  # empty question rows the builder offers (「增加題目欄位」 adds more)
STATUS_LABELS = {FormStatus.DRAFT: "草稿", FormStatus.OPEN: "填寫中", FormStatus.CLOSED: "已結束"}


def _form(d: Desk, form_id: int) -> Form:
    form = service.get(d.session, form_id)
    if form is None or form.district_id != d.district.id:
        abort(404)
    return form


def tallies(form: Form, statuses: list[service.UnitStatus]) -> list[dict[str, Any]]:
    """Per question: how many units answered it and, for choices, how many chose each option."""
    answers = [s.response.answers for s in statuses if s.response is not None]
    found = []
    for field in service.spec_of(form).fields:
        given = [a.get(field.key) for a in answers if not rules.is_empty(a.get(field.key))]
        counts: Counter[str] = Counter()
        if field.kind in (rules.FieldKind.SINGLE, rules.FieldKind.MULTI):
            for value in given:
                counts.update(str(v) for v in (value if isinstance(value, list) else [value]))
        found.append({"label": field.label, "answered": len(given),
                      "options": [(o, counts.get(o, 0)) for o in field.options]})
    return found


def reminder_cost(d: Desk, form: Form) -> tuple[int, list[Any]]:
    """What one reminder costs: LINE counts a group push once per member."""
    groups = service.groups_of(d.session, form)
    return sum(max(g.member_count, 1) for g in groups), groups


@blueprint.get("/")
def index(district_id: int) -> Any:
    """Every broadcast form of the district with its progress."""
    with desk(district_id) as d:
        forms = list(d.session.scalars(select(Form).where(Form.district_id == district_id,
                                                          Form.status != FormStatus.DRAFT).order_by(Form.id.desc())))
        drafts = [{"id": f.id, "title": f.title, "deadline": roc_date(f.deadline), "fields": len(f.fields)}
                  for f in service.drafts(d.session, district_id)]
        rows = []
        for form in forms:
            statuses = service.progress(d.session, form)
            answered = [s for s in statuses if s.answered]
            rows.append({"id": form.id, "title": form.title, "status": STATUS_LABELS[form.status],
                         "deadline": roc_date(form.deadline), "answered": len(answered), "total": len(statuses),
                         "late": sum(1 for s in answered if s.response is not None and s.response.late)})
        return render_template("forms/console/index.html", district=d.district.name, district_id=district_id,
                               rows=rows, drafts=drafts, templates=rules.templates())


@blueprint.get("/<int:form_id>")
def detail(district_id: int, form_id: int) -> Any:
    """One form: each unit's state, tallies per question, the reminder and the download."""
    with desk(district_id) as d:
        form = _form(d, form_id)
        statuses = service.progress(d.session, form)
        cost, groups = reminder_cost(d, form)
        send_groups, send_cost = service.send_cost(d.session, form)
        waits = [m for m in (_held_until(d, form, g) for g in send_groups) if m is not None]
        units = [{"name": s.unit.full_name,
                  "state": ("逾期填寫" if s.response.late else "已填寫") if s.response else "未填寫",
                  "at": roc_datetime(s.response.submitted_at) if s.response else ""} for s in statuses]
        waiting = [u["name"] for u in units if u["state"] == "未填寫"]
        return render_template("forms/console/detail.html", district_id=district_id, form=form,
                               status=STATUS_LABELS[form.status], deadline=roc_date(form.deadline, "chinese"),
                               units=units, waiting=waiting, tallies=tallies(form, statuses), cost=cost,
                               groups=len(groups), answered=sum(1 for s in statuses if s.answered),
                               send_groups=len(send_groups), send_cost=send_cost, kinds=rules.KIND_NAMES,
                               fields=service.spec_of(form).fields, FieldKind=rules.FieldKind,
                               send_text=render.send_cost_text(form, len(send_groups), send_cost,
                                                               reserve.estimate(d.session, d.now),
                                                               roc_datetime(max(waits)) if waits else None))


@blueprint.post("/<int:form_id>/remind")
def remind(district_id: int, form_id: int) -> Any:
    """Mention the waiting units' contacts in the group, once a day at most (the outbox drops a repeat)."""
    with desk(district_id) as d:
        form = _form(d, form_id)
        back = redirect(url_for(".detail", district_id=district_id, form_id=form_id))
        waiting = service.waiting_units(d.session, form)
        cost, groups = reminder_cost(d, form)
        if form.status != FormStatus.OPEN or not waiting or not groups:
            flash("不需要提醒：表單已結束、各單位都已填寫，或尚無綁定群組。", "warn")
            return back
        contacts = service.contacts_by_unit(d.session, [u.id for u in waiting])
        today = roc_date(to_taipei(d.now).date(), "compact")
        for group in groups:
            d.tell(push(group.line_group_id, render.reminder(form, waiting, contacts, d.now),
                        dedupe_key=f"form:{form.id}:console-remind:{today}:{group.line_group_id}"))
        d.audit("console.form_remind", form=form.id, units=len(waiting), cost=cost)
        flash(f"已在群組提醒 {len(waiting)} 個未填單位（約 {cost} 則訊息額度；同一天再按不會重複發送）。", "ok")
        return back


@blueprint.get("/<int:form_id>/export.xlsx")
def export_xlsx(district_id: int, form_id: int) -> Any:
    """The answers as the chat's export makes them (formulas kept as text)."""
    with desk(district_id) as d:
        form = _form(d, form_id)
        body = export.to_xlsx(export.build(d.session, form), d.now)
        d.audit("console.form_export", form=form.id)
        name = f"{form.title}_{roc_date(to_taipei(d.now).date(), 'compact')}.xlsx"
    return download(body, name, XLSX)


# The builder: one page holding the whole definition (the chat asks the same things one step at a time).

def _rows_of(form: Any) -> list[dict[str, Any]]:
    """The questions typed on the page (rows without a question are left out), as the chat's flow stores them;
    a stored question keeps its key (answers and the minutes refer to it), a new one gets a free `qN`."""
    rows, shown = [], str(form.get("rows", ""))
    for n in range(min(int(shown) if shown.isdigit() else 0, rules.MAX_FIELDS)):
        label = rules.fold(form.get(f"label_{n}", ""))
        if not label:
            continue
        row = {"key": form.get(f"key_{n}", ""), "label": label, "kind": form.get(f"kind_{n}", "short"),
               "required": form.get(f"required_{n}") == "1", "help": rules.fold(form.get(f"help_{n}", ""))}
        options = [o.strip() for o in rules.SPLIT_RE.split(rules.fold(form.get(f"options_{n}", ""))) if o.strip()]
        if options:
            row["options"] = options
        rows.append(row)
    used = {r["key"] for r in rows}
    free = (f"q{k}" for k in range(1, 2 * rules.MAX_FIELDS + 2) if f"q{k}" not in used)
    return [{**r, "key": r["key"] or next(free)} for r in rows]


def _typed(form: Any) -> dict[str, Any]:
    return {"title": rules.fold(form.get("title", "")), "instructions": rules.fold(form.get("instructions", "")),
            "fields": _rows_of(form), "deadline": form.get("deadline", ""), "template": form.get("template") or None,
            "unit_ids": [int(u) for u in form.getlist("units") if u.isdigit()]}


def _problems(d: Desk, data: dict[str, Any]) -> list[str]:
    """The one privacy guard on every typed text (audited, kinds only), then the chat's definition rules."""
    def guard(label: str, text: str) -> str | None:
        return privacy_guard.problem(d.session, services().directory, d.now, d.person.line_user_id, label, text)
    typed = [("表單標題", data["title"]), ("填寫說明", data["instructions"])]
    for number, f in enumerate(data["fields"], start=1):
        typed += [(f"第 {number} 題題目", f["label"]), (f"第 {number} 題說明", f.get("help", ""))]
        typed += [(f"第 {number} 題選項", o) for o in f.get("options", [])]
    refused = [found for label, text in typed if (found := guard(label, text))]
    if refused:
        return refused
    problems = []
    try:
        rules.parse_definition(data)
    except rules.SpecError as exc:
        problems.append(str(exc))
    try:
        if date.fromisoformat(data["deadline"]) < to_taipei(d.now).date():
            problems.append("截止日不能早於今天。")
    except ValueError:
        problems.append("請選擇截止日。")
    return problems


def _builder(d: Desk, data: dict[str, Any], form: Form | None, problems: list[str], extra: int = 0) -> Any:
    fields = list(data.get("fields") or [])
    rows = (fields + [{}] * ((1 if fields else BLANK_ROWS) + extra))[:rules.MAX_FIELDS]
    return render_template("forms/console/builder.html", district_id=d.district.id, district=d.district.name,
                           form=form, data=data, rows=rows, units=d.district.units, problems=problems,
                           kinds=rules.KIND_NAMES, choice_kinds={k.value for k in rules.CHOICE_KINDS},
                           chosen=set(data.get("unit_ids") or []), max_fields=rules.MAX_FIELDS,
                           today=to_taipei(d.now).date().isoformat(),
                           default_units=len(service.default_units(d.district))), 400 if problems else 200


def _draft(d: Desk, form_id: int) -> Form:
    form = _form(d, form_id)
    if form.status != FormStatus.DRAFT:
        abort(404)
    return form


@blueprint.get("/new")
def new(district_id: int) -> Any:
    """An empty builder, or one filled from a template (?template=three-phase)."""
    with desk(district_id) as d:
        template = rules.templates().get(request.args.get("template", ""))
        data: dict[str, Any] = {"title": "", "instructions": "", "fields": [], "deadline": "", "unit_ids": []}
        if template is not None:
            spec = rules.parse_definition(template)
            data.update(title=spec.title, instructions=spec.instructions, fields=rules.fields_json(spec),
                        template=template.get("key"))
        return _builder(d, data, None, [])


@blueprint.post("/new")
def create(district_id: int) -> Any:
    """Create the draft as the chat's 建立 does (nothing is sent yet)."""
    with desk(district_id) as d:
        data = _typed(request.form)
        if "more" in request.form:
            return _builder(d, data, None, [], extra=BLANK_ROWS)
        problems = _problems(d, data)
        if problems:
            return _builder(d, data, None, problems)
        form = service.create(d.session, district=d.district, definition=rules.parse_definition(data),
                              deadline=date.fromisoformat(data["deadline"]), units=_units(d, data),
                              created_by=d.person.line_user_id, now=d.now, template=data["template"])
        d.audit("console.form_create", form=form.id, fields=len(form.fields))
        flash(f"已建立表單 #{form.id}「{form.title}」（草稿）。確認發送對象與訊息成本後再發送到群組。", "ok")
        return redirect(url_for(".detail", district_id=district_id, form_id=form.id))


@blueprint.get("/<int:form_id>/edit")
def edit(district_id: int, form_id: int) -> Any:
    """The builder holding a draft (a form already sent keeps its questions: units may have answered)."""
    with desk(district_id) as d:
        form = _draft(d, form_id)
        data = {"title": form.title, "instructions": form.instructions, "fields": form.fields,
                "deadline": form.deadline.isoformat(), "template": form.template,
                "unit_ids": [t.unit_id for t in form.targets]}
        return _builder(d, data, form, [])


@blueprint.post("/<int:form_id>/edit")
def update(district_id: int, form_id: int) -> Any:
    """Save the draft's new definition, deadline and units."""
    with desk(district_id) as d:
        form = _draft(d, form_id)
        data = {**_typed(request.form), "template": form.template}
        if "more" in request.form:
            return _builder(d, data, form, [], extra=BLANK_ROWS)
        problems = _problems(d, data)
        if problems:
            return _builder(d, data, form, problems)
        service.update(form, definition=rules.parse_definition(data), deadline=date.fromisoformat(data["deadline"]),
                       units=_units(d, data))
        d.audit("console.form_edit", form=form.id, fields=len(form.fields))
        flash(f"已儲存表單 #{form.id}「{form.title}」（草稿）。", "ok")
        return redirect(url_for(".detail", district_id=district_id, form_id=form.id))


def _held_until(d: Desk, form: Form, group: Any) -> Any:
    """When the group's card goes with its morning digest (the chat's rule), else None: now."""
    moment = digest.hold_until(group, d.config, d.now)
    return moment if moment is not None and card_may_wait(form.deadline, moment) else None


def _units(d: Desk, data: dict[str, Any]) -> list[Unit]:
    chosen = set(data.get("unit_ids") or [])
    return [u for u in d.district.units if u.id in chosen]


@blueprint.post("/<int:form_id>/broadcast")
def broadcast(district_id: int, form_id: int) -> Any:
    """發送到群組: post the card to the district's groups, only at the cost the page showed (as the chat's
    確認發送 does); chasers are scheduled as in chat. A second press the same day sends nothing twice."""
    with desk(district_id) as d:
        form = _form(d, form_id)
        back = redirect(url_for(".detail", district_id=district_id, form_id=form_id))
        groups, cost = service.send_cost(d.session, form)
        if form.status == FormStatus.CLOSED or not groups:
            flash("不能發送：表單已結束收件，或本區尚無綁定的群組。", "warn")
            return back
        if request.form.get("groups") != str(len(groups)) or request.form.get("cost") != str(cost):
            flash("發送對象或人數已變更，本次沒有發送；請依目前的訊息成本再確認一次。", "warn")
            return back
        try:
            groups = service.open_form(d.session, form, d.config, d.now)
        except ValueError:
            flash("表單提醒的設定（FORM_REMINDER_OFFSETS）有誤，尚未發布；請洽管理員。", "error")
            return back
        card = render.broadcast_card(form, len(service.target_units(d.session, form)))
        today = roc_date(to_taipei(d.now).date(), "compact")
        held = []
        for group in groups:
            moment = _held_until(d, form, group)
            if moment is not None:  # as the chat's 發布: one push with the group's morning notices
                service.hold_card(d.session, form, group, moment)
                held.append(moment)
            else:
                d.tell(push(group.line_group_id, card, dedupe_key=f"form:{form.id}:card:{group.line_group_id}:{today}"))
        d.audit("console.form_broadcast", form=form.id, groups=len(groups), cost=cost)
        when = f"群組卡片將隨晨間摘要送出（最晚 {roc_datetime(max(held))}）" if held else "群組卡片已送出"
        flash(f"已發布表單 #{form.id}「{form.title}」到 {len(groups)} 個群組（約 {cost} 則訊息額度）；{when}。", "ok")
        return back


# 表單統計 -------------------------------------------------------------------------------------------------

def _rates(d: Desk, district: District) -> list[dict[str, Any]]:
    """Each form sent in the district, with how many units answered, late, and not at all."""
    found = []
    for form in d.session.scalars(select(Form).where(Form.district_id == district.id, Form.status != FormStatus.DRAFT)
                                  .order_by(Form.id)):
        statuses = service.progress(d.session, form)
        answered = [s for s in statuses if s.response is not None]
        late = sum(1 for s in answered if s.response is not None and s.response.late)
        overdue = rules.deadline_end(form.deadline) < d.now
        found.append({"title": form.title, "deadline": roc_date(form.deadline), "asked": len(statuses),
                      "answered": len(answered), "late": late, "on_time": len(answered) - late,
                      "missing": len(statuses) - len(answered) if overdue else 0, "closed": overdue})
    return found


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{100 * rate:.0f}%"


@blueprint.get("/statistics")
def statistics(district_id: int) -> Any:
    """Response rates and lateness of the district's forms; the city's view when this person manages several."""
    with desk(district_id) as d:
        own = _rates(d, d.district)
        districts = managed_districts(d.session, d.person)
        side_by_side = []
        for other in districts if len(districts) > 1 else []:
            rows = own if other.id == district_id else _rates(d, other)
            asked, answered = sum(r["asked"] for r in rows), sum(r["answered"] for r in rows)
            side_by_side.append((other.name, len(rows), _percent(_share(answered, asked)),
                                 _percent(_share(sum(r["late"] for r in rows), answered))))
        asked, answered = sum(r["asked"] for r in own), sum(r["answered"] for r in own)
        late = sum(r["late"] for r in own)
        return render_template(
            "forms/console/statistics.html", district=d.district.name, district_id=district_id, rows=own,
            rate=_percent(_share(answered, asked)), late_share=_percent(_share(late, answered)), late=late,
            answered=answered, asked=asked, side_by_side=side_by_side, percent=_percent, share=_share,
            rate_bars=rate_bars([(r["title"], _share(r["answered"], r["asked"])) for r in own]),
            late_bars=bars([("如期填寫", answered - late), ("逾期填寫", late),
                            ("截止後仍未填", sum(r["missing"] for r in own))]))
