"""The console's roster: pending registrations to approve or reject (the chat's rules: who may approve, and a
decision only on what the page showed), the contacts of each unit, and the bound groups with member counts."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from bot import roster as service
from bot.console import ConsolePage, desk
from bot.messages import push
from handlers.roster import render
from models.roster import ROLE_LABELS, Contact, ContactStatus
from rules.dates import roc_datetime

blueprint = Blueprint("console_roster", __name__, url_prefix="/console/<int:district_id>/roster",
                      template_folder="templates")
PAGE = ConsolePage("名冊與群組", "console_roster.index", order=30)


def _number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() else 0


@blueprint.get("/")
def index(district_id: int) -> Any:
    """Pending registrations first, then each unit's contacts, then the district's groups."""
    with desk(district_id) as d:
        unit_ids = [u.id for u in d.district.units]
        contacts = list(d.session.scalars(select(Contact).where(Contact.unit_id.in_(unit_ids))
                                          .order_by(Contact.created_at, Contact.id)))
        pending = [c for c in contacts if c.status == ContactStatus.PENDING]
        active = {u.id: [c for c in contacts if c.unit_id == u.id and c.is_active] for u in d.district.units}
        may_decide = {c.id: service.may_approve(d.person.contact, c.unit, d.person.is_admin) for c in pending}
        return render_template("roster/index.html", district=d.district.name, district_id=district_id,
                               pending=pending, may_decide=may_decide, units=d.district.units, active=active,
                               groups=service.groups_of_district(d.session, district_id), roles=ROLE_LABELS,
                               when=roc_datetime)


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
            flash(f"「{contact.unit.name}」的申請只能由市府社會局（秘書單位）或管理員審核。", "error")
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
