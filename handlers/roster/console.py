"""The console's roster: pending registrations to approve or reject, each unit's contacts (the first approved is
its 聯繫窗口, the others deputies) with 停用 and 移動, the contacts silent for CONTACT_SILENT_DAYS to review (the
quarterly review's list, handlers/roster/jobs.py), and the bound groups with member counts.

The chat's rules and domain functions throughout (`may_approve`, `may_deactivate`, `service.decide`,
`deactivate`, `move`), and a decision only on what the page showed: a form carries the contact's unit (and an
application's version), so a contact changed since the page loaded is left as it is.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from bot import roster as service
from bot.console import ConsolePage, Desk, desk
from bot.messages import push
from handlers.roster import render
from models.roster import ROLE_LABELS, Contact, ContactStatus, Unit
from rules.dates import roc_date, roc_datetime, to_taipei

blueprint = Blueprint("console_roster", __name__, url_prefix="/console/<int:district_id>/roster",
                      template_folder="templates")
PAGE = ConsolePage("名冊與群組", "console_roster.index", order=30)


def _number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() else 0


@blueprint.get("/")
def index(district_id: int) -> Any:
    """Pending registrations first, then each unit's contacts, the silent ones to review, the district's groups."""
    with desk(district_id) as d:
        units = d.district.units
        contacts = list(d.session.scalars(select(Contact).where(Contact.unit_id.in_([u.id for u in units]))
                                          .order_by(Contact.decided_at, Contact.created_at, Contact.id)))
        pending = [c for c in contacts if c.status == ContactStatus.PENDING]
        active = {u.id: [c for c in contacts if c.unit_id == u.id and c.is_active] for u in units}
        may_decide = {c.id: _may(d, c.unit) for c in pending}
        may_change = {c.id: service.may_deactivate(d.person.contact, c.unit, d.person.is_admin)
                      for c in contacts if c.is_active}
        days = d.config.contact_silent_days
        silent = service.silent_contacts(d.session, d.now - timedelta(days=days), district_id)
        return render_template("roster/index.html", district=d.district.name, district_id=district_id,
                               pending=pending, may_decide=may_decide, units=units, active=active,
                               may_change=may_change, targets=[u for u in units if _may(d, u)], silent=silent,
                               silent_days=days, groups=service.groups_of_district(d.session, district_id),
                               roles=ROLE_LABELS, when=roc_datetime, day=_day)


def _may(d: Desk, unit: Unit) -> bool:
    return service.may_approve(d.person.contact, unit, d.person.is_admin)


def _day(contact: Contact) -> str:
    return roc_date(to_taipei(service.last_active(contact)).date())


@blueprint.post("/decide")
def decide(district_id: int) -> Any:
    """Approve or reject one application, only as the page showed it (unit and version)."""
    with desk(district_id) as d:
        back = redirect(url_for(".index", district_id=district_id))
        contact = d.session.get(Contact, _number(request.form.get("id")))
        if contact is None or contact.unit.district_id != district_id:
            flash("找不到這筆申請。", "error")
            return back
        if not service.may_approve(d.person.contact, contact.unit, d.person.is_admin):
            d.audit("refused:approve", contact_id=contact.id, unit_id=contact.unit_id)
            flash(render.who_may(contact.unit), "error")
            return back
        if contact.status != ContactStatus.PENDING:
            flash("這筆申請已處理過。", "warn")
            return back
        shown = (_number(request.form.get("unit")), _number(request.form.get("v")))
        if shown != (contact.unit_id, contact.application_version):
            flash("申請人在頁面載入後更改了申請內容，本次未核准也未婉拒，請依最新內容決定。", "warn")
            return back
        approve = request.form.get("ok") == "1"
        service.decide(contact, approve, d.person.line_user_id, d.now)
        d.audit("approve" if approve else "reject", contact_id=contact.id, unit_id=contact.unit_id,
                version=contact.application_version, via="console")
        d.tell(push(contact.line_user_id, render.decision_notice(contact, approve),
                    dedupe_key=f"decided:{contact.id}:{contact.decided_at}"))
        flash(f"已{'核准' if approve else '婉拒'}：{contact.display_name or '申請人'}（{contact.unit.name}）。", "ok")
        return back


def _shown_contact(d: Desk) -> Contact | None:
    """The active contact of this district the form names, as the page showed it (same unit), else None."""
    contact = d.session.get(Contact, _number(request.form.get("id")))
    if (contact is None or not contact.is_active or contact.unit.district_id != d.district.id
            or contact.unit_id != _number(request.form.get("unit"))):
        flash("這位聯繫窗口在頁面載入後已停用或異動，本次未變更，請依最新名冊操作。", "warn")
        return None
    return contact


@blueprint.post("/deactivate")
def deactivate(district_id: int) -> Any:
    """停用: take a contact off the roster, as 停用 in chat does (audited as the signed-in person)."""
    with desk(district_id) as d:
        back = redirect(url_for(".index", district_id=district_id) + "#contacts")
        contact = _shown_contact(d)
        if contact is None:
            return back
        if not service.may_deactivate(d.person.contact, contact.unit, d.person.is_admin):
            d.audit("refused:deactivate", contact_id=contact.id, unit_id=contact.unit_id)
            flash(render.who_may(contact.unit, "停用這位聯繫窗口"), "error")
            return back
        service.deactivate(d.session, contact, d.person.line_user_id, "deactivated", d.now)
        flash(f"已停用：{contact.display_name or '（未提供名稱）'}（{contact.unit.full_name}）"
              f"{render.WHAT_INACTIVE_MEANS}。", "ok")
        return back


@blueprint.post("/move")
def move(district_id: int) -> Any:
    """移動: move a contact to another unit of the district, as 移動 in chat does (both units' rights needed)."""
    with desk(district_id) as d:
        back = redirect(url_for(".index", district_id=district_id) + "#contacts")
        contact = _shown_contact(d)
        if contact is None:
            return back
        unit = d.session.get(Unit, _number(request.form.get("to")))
        if unit is None or unit.district_id != district_id or unit.id == contact.unit_id:
            flash("請選擇本區的另一個單位。", "error")
            return back
        if not (service.may_deactivate(d.person.contact, contact.unit, d.person.is_admin) and _may(d, unit)):
            d.audit("refused:move_contact", contact_id=contact.id, unit_id=unit.id)
            flash(render.who_may(unit if not _may(d, unit) else contact.unit, "做這項異動"), "error")
            return back
        service.move(d.session, contact, unit, d.person.line_user_id, d.now)
        flash(f"已將 {contact.display_name or '（未提供名稱）'} 移到「{unit.full_name}」"
              f"（{ROLE_LABELS[contact.role]}）。", "ok")
        return back
