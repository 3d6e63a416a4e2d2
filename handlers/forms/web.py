"""Web pages of forms: the answer page (signed, expiring link from 1:1 chat) and the export downloads.

The token in the path is the only credential (no cookies), so a cross-site page cannot submit for
someone; the pages ask browsers not to cache them or leak the URL in a Referer.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from sqlalchemy.orm import Session

from bot import downloads, links, privacy_guard, roster
from bot.config import Config
from bot.services import Services
from handlers.forms import export, render, service
from models.audit import AuditEntry
from models.forms import Form, FormResponse
from models.roster import Contact
from rules import forms as rules
from rules.dates import to_taipei

FILL = "form-fill"
EXPORT = "form-export"

blueprint = Blueprint("forms", __name__, url_prefix="/forms", template_folder="templates")


def fill_url(config: Config, form_id: int, user_id: str) -> str:
    """A link to the answer page for this person and form."""
    return links.url(config, f"/forms/fill/{links.sign(config, FILL, {'f': form_id, 'u': user_id})}")


def export_urls(config: Config, form_id: int, user_id: str) -> tuple[str, str]:
    """Download links (.xlsx, .csv) for a secretariat member."""
    token = links.sign(config, EXPORT, {"f": form_id, "u": user_id})
    return links.url(config, f"/forms/export/{token}.xlsx"), links.url(config, f"/forms/export/{token}.csv")


@blueprint.after_request
def _private_page(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _services() -> Services:
    return current_app.extensions["services"]


def _problem(message: str, status: int) -> tuple[str, int]:
    return render_template("forms/message.html", title="無法開啟", message=message), status


def _payload(purpose: str, token: str, hours: int) -> dict[str, Any]:
    payload = links.verify(_services().config, purpose, token, hours * 3600)
    if not isinstance(payload, dict) or not isinstance(payload.get("f"), int) or not isinstance(payload.get("u"), str):
        raise links.LinkError("連結無效。")
    return payload


@blueprint.route("/fill/<token>", methods=["GET", "POST"])
def fill(token: str) -> Any:
    """Show the form with the unit's current answers; on POST, check, screen and save."""
    services = _services()
    try:
        payload = _payload(FILL, token, services.config.form_link_hours)
    except links.LinkError as exc:
        return _problem(str(exc), 403)
    now = services.clock()
    with services.db.transaction() as session:
        contact = roster.contact_of(session, payload["u"])
        form = service.get(session, payload["f"])
        if form is None:
            return _problem("找不到這份表單。", 404)
        refusal = service.may_answer(session, form, contact)
        if refusal:
            return _problem(refusal, 403)
        assert contact is not None
        definition = service.spec_of(form)
        response = service.response_of(session, form, contact.unit_id)
        if request.method == "GET":
            values = dict(response.answers) if response else {}
            return _page(session, form, contact, definition, values, {}, response, now)
        raw = {f.key: (request.form.getlist(f"f-{f.key}") if f.kind == rules.FieldKind.MULTI
                       else request.form.get(f"f-{f.key}", "")) for f in definition.fields}
        def refuse(f: rules.FieldSpec, typed: str) -> str | None:
            return privacy_guard.problem(session, services.directory, now, contact.line_user_id, f.label, typed)
        answers, errors = rules.check_answers(definition, raw, to_taipei(now).date(), refuse)
        if errors:
            # What was typed is shown again so it can be corrected; nothing of it is stored.
            return _page(session, form, contact, definition, raw, errors, response, now), 422
        saved = service.save(session, form, contact, answers, via="web", now=now)
        return render_template("forms/done.html", form=form, unit=contact.unit.card_name, response=saved,
                               deadline=render.day(form.deadline))


def _page(session: Session, form: Form, contact: Contact, definition: rules.FormSpec, values: dict[str, Any],
          errors: dict[str, str], response: FormResponse | None, now: datetime) -> str:
    shown = {}
    for f in definition.fields:
        value = values.get(f.key)
        shown[f.key] = value if f.kind == rules.FieldKind.MULTI else ("" if value is None else str(value))
    names = service.names_of(session, {response.submitted_by}) if response else {}
    return render_template(
        "forms/fill.html", form=form, fields=definition.fields, values=shown, errors=errors,
        unit=contact.unit.card_name, deadline=render.day(form.deadline),
        late=rules.is_late(now, form.deadline),
        status=(f"已填寫（第 {response.revision} 版：{render.when_answered(response, names)}）"
                if response else "尚未填寫"),
        kind=rules.FieldKind)


@blueprint.get("/export/<token>.<fmt>")
def download(token: str, fmt: str) -> Any:
    """The .xlsx or .csv of a form, for the secretariat member the link was made for."""
    services = _services()
    if fmt not in ("xlsx", "csv"):
        return _problem("不支援的檔案格式。", 404)
    try:
        payload = _payload(EXPORT, token, services.config.form_link_hours)
    except links.LinkError as exc:
        return _problem(str(exc), 403)
    with services.db.transaction() as session:
        form = service.get(session, payload["f"])
        contact = roster.contact_of(session, payload["u"])
        is_admin = payload["u"] in services.config.admin_line_user_ids
        if form is None or not service.may_manage(contact, form, is_admin):
            session.add(AuditEntry(at=services.clock(), actor=str(payload.get("u", ""))[:64],
                                   action="refused:download", detail={"what": "form_export", "form_id": payload.get("f")}))
            return _problem("您沒有這份表單的匯出權限。", 403)
        session.add(AuditEntry(at=services.clock(), actor=payload["u"], action="download",
                               detail={"what": f"form_{fmt}", "form_id": form.id}))
        table = export.build(session, form)
    if fmt == "xlsx":
        body, mimetype = export.to_xlsx(table, services.clock()), downloads.XLSX
    else:
        body, mimetype = export.to_csv(table), downloads.CSV
    return downloads.file_response(body, f"表單{form.id}_{form.title}.{fmt}", mimetype, fallback=f"form{form.id}.{fmt}")
