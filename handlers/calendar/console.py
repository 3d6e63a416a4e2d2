"""The console's 活動期程: every unit's activities of a month as a calendar grid and a list, the district's
calendar subscription link and the month's .xlsx (the same files the chat's links give)."""
from __future__ import annotations

import calendar as monthcal
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, render_template, request

from bot.console import ConsolePage, desk
from bot.console.export import XLSX, download
from handlers.calendar import export, service
from rules import calendar as periods
from rules.dates import roc_date, to_taipei

blueprint = Blueprint("console_calendar", __name__, url_prefix="/console/<int:district_id>/activities",
                      template_folder="templates")
PAGE = ConsolePage("活動期程", "console_calendar.month", order=27)


def _first_of_month(today: date) -> date:
    """The month asked for (?m=2026-12 or 115-12), else this month; a month not understood means this one."""
    raw = request.args.get("m", "").strip()
    found = periods.parse_month(raw, today) if raw else None
    return found.start if found is not None and found.start is not None else today.replace(day=1)


def _weeks(first: date, by_day: dict[date, list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    return [[{"day": d.day, "in_month": d.month == first.month, "label": roc_date(d, "chinese"),
              "items": by_day.get(d, [])} for d in week]
            for week in monthcal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)]


@blueprint.get("/")
def month(district_id: int) -> Any:
    """One month of the district's activities."""
    with desk(district_id) as d:
        first = _first_of_month(to_taipei(d.now).date())
        last = first.replace(day=monthcal.monthrange(first.year, first.month)[1])
        activities = service.window(d.session, district_id, first, last)
        by_day: dict[date, list[dict[str, Any]]] = {}
        for activity in activities:
            by_day.setdefault(to_taipei(activity.starts_at).date(), []).append({
                "time": periods.time_span(activity.starts_at, activity.ends_at), "title": activity.title,
                "place": activity.place, "unit": activity.unit.full_name, "joinable": activity.joinable})
        urls = service.feed_urls(d.config, service.feed_token(d.session, d.config, d.district, d.now))
        previous = (first - timedelta(days=1)).replace(day=1)
        following = last + timedelta(days=1)
        return render_template(
            "calendar/console/month.html", district=d.district.name, district_id=district_id,
            title=periods.roc_month_title(first.year, first.month), weeks=_weeks(first, by_day),
            rows=[dict(item, date=periods.roc_long(day)) for day in sorted(by_day) for item in by_day[day]],
            month=f"{first.year}-{first.month:02d}", ics=urls["ics"],
            previous=(f"{previous.year}-{previous.month:02d}", periods.roc_month_title(previous.year, previous.month)),
            following=(f"{following.year}-{following.month:02d}",
                       periods.roc_month_title(following.year, following.month)))


@blueprint.get("/schedule.xlsx")
def spreadsheet(district_id: int) -> Any:
    """The month's schedule as the chat's spreadsheet link makes it."""
    with desk(district_id) as d:
        first = _first_of_month(to_taipei(d.now).date())
        last = first.replace(day=monthcal.monthrange(first.year, first.month)[1])
        activities = service.window(d.session, district_id, first, last)
        body = export.xlsx(f"{d.district.city}{d.district.name}社會安全網網絡單位活動期程表", first, last, activities,
                           d.now)
        d.audit("console.activities_export", month=first.isoformat())
        name = f"{d.district.name}活動期程_{roc_date(first, 'compact')}-{roc_date(last, 'compact')}.xlsx"
    return download(body, name, XLSX)
