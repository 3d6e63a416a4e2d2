"""The console's forms: each form's progress (who answered, who was late), tallies per question, a reminder to
the units yet to answer (one click, its message cost shown first) and the .xlsx the chat's export makes."""
from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from sqlalchemy import select

from bot.console import ConsolePage, Desk, desk
from bot.console.export import XLSX, download
from bot.messages import push
from handlers.forms import export, render, service
from models.forms import Form, FormStatus
from rules import forms as rules
from rules.dates import roc_date, roc_datetime, to_taipei

blueprint = Blueprint("console_forms", __name__, url_prefix="/console/<int:district_id>/forms",
                      template_folder="templates")
PAGE = ConsolePage("表單進度", "console_forms.index", order=25)
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
        rows = []
        for form in forms:
            statuses = service.progress(d.session, form)
            answered = [s for s in statuses if s.answered]
            rows.append({"id": form.id, "title": form.title, "status": STATUS_LABELS[form.status],
                         "deadline": roc_date(form.deadline), "answered": len(answered), "total": len(statuses),
                         "late": sum(1 for s in answered if s.response is not None and s.response.late)})
        return render_template("forms/console/index.html", district=d.district.name, district_id=district_id,
                               rows=rows)


@blueprint.get("/<int:form_id>")
def detail(district_id: int, form_id: int) -> Any:
    """One form: each unit's state, tallies per question, the reminder and the download."""
    with desk(district_id) as d:
        form = _form(d, form_id)
        statuses = service.progress(d.session, form)
        cost, groups = reminder_cost(d, form)
        units = [{"name": s.unit.full_name,
                  "state": ("逾期填寫" if s.response.late else "已填寫") if s.response else "未填寫",
                  "at": roc_datetime(s.response.submitted_at) if s.response else ""} for s in statuses]
        waiting = [u["name"] for u in units if u["state"] == "未填寫"]
        return render_template("forms/console/detail.html", district_id=district_id, form=form,
                               status=STATUS_LABELS[form.status], deadline=roc_date(form.deadline, "chinese"),
                               units=units, waiting=waiting, tallies=tallies(form, statuses), cost=cost,
                               groups=len(groups), answered=sum(1 for s in statuses if s.answered))


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
