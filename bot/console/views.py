"""The console's home: the districts this person may work on (one district: straight to its first page)."""
from __future__ import annotations

from typing import Any

from flask import g, redirect, render_template, url_for

from bot.console import blueprint, load_person, managed_districts, services, settings


@blueprint.get("/")
def home() -> Any:
    """Pick a district; a district secretariat goes straight to its own."""
    found = services()
    with found.db.transaction() as db_session:
        person = load_person(db_session, g.console_user, found.config)
        if not person.may_enter:
            return render_template("console/message.html", title="沒有後台權限",
                                   message="後台僅供秘書單位與管理員使用。", signin_again=True), 403
        districts = [(d.id, d.city, d.name) for d in managed_districts(db_session, person)]
        g.console_who = f"{person.name}（{person.unit_name}）"
    pages = sorted(settings().pages, key=lambda p: p.order)
    if len(districts) == 1 and pages:
        return redirect(url_for(pages[0].endpoint, district_id=districts[0][0]))
    first = pages[0].endpoint if pages else None
    return render_template("console/home.html", districts=districts, first=first)
