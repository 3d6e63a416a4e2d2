"""The console's 訊息額度: the same numbers as 額度 in chat (`service.summary`): the plan's allowance, used, left,
the reserve kept for urgent requests, the forecast to the month's end and what each capability cost.

The quota belongs to the whole LINE channel (the city), not to a district: every district's desk shows the same.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from bot import reserve
from bot.console import ConsolePage, desk, services
from handlers.quota import render, service
from rules.dates import TAIPEI

blueprint = Blueprint("console_quota", __name__, url_prefix="/console/<int:district_id>/quota",
                      template_folder="templates")
PAGE = ConsolePage("訊息額度", "console_quota.index", order=40)


@blueprint.get("/")
def index(district_id: int) -> Any:
    """This month against the plan, read fresh from LINE (the last reading when LINE cannot answer).

    LINE is read before the page's transaction opens, never inside it. Only signed-in secretariat members
    and administrators reach a console page, and the quota is the channel's: the same for every district.
    """
    found_services = services()
    reserve.read_now(found_services.db, found_services.gateway, found_services.clock())
    with desk(district_id) as d:
        found = service.summary(d.session, d.config, d.now)
    year, month = found.month.split("-")
    return render_template(
        "quota/index.html", district_id=district_id, s=found, state=render.STATE[found.state],
        month=f"{int(year) - 1911}年{int(month)}月",
        rows=[(render.name_of(c), pushes, total) for c, pushes, total in found.by_capability],
        read_at=found.read_at.astimezone(TAIPEI).strftime("%m/%d %H:%M") if found.read_at else "")
