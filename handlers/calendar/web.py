"""Web views of a district's schedule at its secret URL: the ICS feed, a printable month view, a spreadsheet.

The token in the path is the only credential (calendar apps cannot log in), so every response says
not to index it or leak it as a Referer; rotating the district's feed generation revokes old URLs.
"""
from __future__ import annotations

import calendar as monthcal
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, render_template, request

from bot import downloads
from bot.services import Services
from handlers.calendar import export, service
from models.audit import AuditEntry
from models.calendar import Activity
from rules import calendar as periods
from rules.dates import roc_date, to_taipei

blueprint = Blueprint("calendar", __name__, url_prefix="/calendar", template_folder="templates")
FEED_PAST_DAYS = 180   # past events stay in subscribers' calendars for half a year
FEED_FUTURE_DAYS = 800


def _services() -> Services:
    return current_app.extensions["services"]


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _month(services: Services) -> periods.Period:
    today = to_taipei(services.clock()).date()
    raw = request.args.get("m", "").strip()
    month = periods.parse_month(raw, today) if raw else periods.parse_month(f"{today.year}-{today.month}", today)
    if month is None:
        abort(Response("月份請寫成 2026-12 或 115-12", status=400, mimetype="text/plain"))
    return month


@blueprint.get("/<token>.ics")
def feed(token: str) -> Response:
    """The district's iCalendar feed (subscribe by URL in Google Calendar or Outlook)."""
    services = _services()
    with services.db.transaction() as session:
        district = service.district_of_token(session, services.config, token) or abort(404)
        today = to_taipei(services.clock()).date()
        activities = service.window(session, district.id, today - timedelta(days=FEED_PAST_DAYS),
                                    today + timedelta(days=FEED_FUTURE_DAYS), include_cancelled=True)
        body = export.ics(f"{district.name}社安網活動期程", activities)
    return _private(downloads.file_response(body, f"{district.name}活動期程.ics", downloads.ICS,
                                            fallback="calendar.ics", inline=True))


@blueprint.get("/<token>/month")
def month_view(token: str) -> Response:
    """A printable month grid (zh-TW, ROC dates)."""
    services = _services()
    month = _month(services)
    assert month.start and month.end
    with services.db.transaction() as session:
        district = service.district_of_token(session, services.config, token) or abort(404)
        activities = service.window(session, district.id, month.start, month.end)
        html = render_template("calendar/month.html", **_month_context(district.name, month.start, activities,
                                                                       token, services))
    return _private(Response(html, mimetype="text/html"))


def _month_context(district_name: str, first: date, activities: list[Activity], token: str,
                   services: Services) -> dict[str, Any]:
    by_day: dict[date, list[dict[str, Any]]] = {}
    for activity in activities:
        day = to_taipei(activity.starts_at).date()
        by_day.setdefault(day, []).append({
            "time": periods.time_span(activity.starts_at, activity.ends_at), "title": activity.title,
            "place": activity.place, "unit": activity.unit.card_name, "joinable": activity.joinable,
            "note": activity.note or ""})
    weeks = []
    for week in monthcal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        weeks.append([{"date": d, "day": d.day, "in_month": d.month == first.month, "iso": d.isoformat(),
                       "items": by_day.get(d, [])} for d in week])
    prev_month = (first - timedelta(days=1)).replace(day=1)
    next_month = first.replace(day=monthcal.monthrange(first.year, first.month)[1]) + timedelta(days=1)
    today = to_taipei(services.clock()).date()
    return {
        "district": district_name, "title": periods.roc_month_title(first.year, first.month),
        "weeks": weeks, "weekdays": "一二三四五六日", "count": len(activities),
        "joinable_count": sum(1 for a in activities if a.joinable), "made": roc_date(today, "chinese"),
        "rows": [dict(item, date=periods.roc_long(d)) for d in sorted(by_day) for item in by_day[d]],
        "prev": f"?m={prev_month.year}-{prev_month.month:02d}", "next": f"?m={next_month.year}-{next_month.month:02d}",
        "prev_title": periods.roc_month_title(prev_month.year, prev_month.month),
        "next_title": periods.roc_month_title(next_month.year, next_month.month),
        "xlsx": f"schedule.xlsx?m={first.year}-{first.month:02d}",
        "ics": f"../{quote(token)}.ics",
    }


@blueprint.get("/<token>/schedule.xlsx")
def spreadsheet(token: str) -> Response:
    """The schedule of a month (?m=) or a period (?from=&to=) as .xlsx; default: the open call's period."""
    services = _services()
    with services.db.transaction() as session:
        district, person = service.open_feed(session, services.config, token)
        if district is None:
            abort(404)
        first, last = _xlsx_period(services, session, district.id)
        session.add(AuditEntry(at=services.clock(), actor=person or "link", action="download",
                               detail={"what": "calendar_xlsx", "district_id": district.id}))
        activities = service.window(session, district.id, first, last)
        title = f"{district.city}{district.name}社會安全網網絡單位活動期程表"
        body = export.xlsx(title, first, last, activities, services.clock())
    filename = f"{district.name}活動期程_{roc_date(first, 'compact')}-{roc_date(last, 'compact')}.xlsx"
    return _private(downloads.file_response(body, filename, downloads.XLSX, fallback="schedule.xlsx"))


def _xlsx_period(services: Services, session: Any, district_id: int) -> tuple[date, date]:
    start, end = request.args.get("from"), request.args.get("to")
    if start and end:
        try:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError:
            abort(Response("from/to 請寫成 2026-12-01", status=400, mimetype="text/plain"))
        if last < first or (last - first).days > periods.MAX_PERIOD_DAYS:
            abort(Response("期間不正確", status=400, mimetype="text/plain"))
        return first, last
    call = service.current_call(session, district_id)
    if call is not None and "m" not in request.args:
        return call.period_start, call.period_end
    month = _month(services)
    assert month.start and month.end
    return month.start, month.end
