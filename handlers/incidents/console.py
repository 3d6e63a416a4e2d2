"""The console's 求助 board: a district's requests by state, urgency, asked units, claim time and escalations;
one request's timeline; filters by month, category, unit and state; .xlsx and CSV of what is shown; and the
求助統計: per month, category and unit, claim times (median, 90th percentile), escalations, every district side by
side for the city's secretariat. Each chart is server-side SVG with the same numbers as a table after it.

Read-only: claiming and closing stay in the group, where the units are. Texts are shown as stored
(refused texts never were; purged ones say so).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import Blueprint, abort, render_template, request

from bot.console import ConsolePage, Desk, desk, managed_districts
from bot.console.charts import bars
from bot.console.export import XLSX, csv_bytes, download, xlsx
from handlers.incidents import service
from models.incidents import Incident, IncidentStatus, UpdateKind
from rules.dates import TAIPEI, roc_date, roc_datetime, to_taipei
from rules.incidents import CATEGORIES, ClaimStats, claim_stats

blueprint = Blueprint("console_incidents", __name__, url_prefix="/console/<int:district_id>/incidents",
                      template_folder="templates")
PAGE = ConsolePage("求助看板", "console_incidents.board", order=10)
STATISTICS_PAGE = ConsolePage("求助統計", "console_incidents.statistics", order=15)
MONTHS = 12  # the statistics' period

STATUS_LABELS = {IncidentStatus.OPEN: "待認領", IncidentStatus.CLAIMED: "處理中", IncidentStatus.CLOSED: "已結案"}
UPDATE_LABELS = {UpdateKind.CLAIM: "認領", UpdateKind.INFO_REQUEST: "請求補充資訊", UpdateKind.REPORT: "回報進度",
                 UpdateKind.CLOSE: "結案"}
ESCALATION_LABELS = ("無人認領：重新張貼並標記請求單位", "仍無人認領：通知秘書單位")
HEADER = ("編號", "狀態", "緊急程度", "類別", "提出單位", "請求單位", "認領單位", "提出時間", "認領時間",
          "認領耗時（分）", "催辦次數", "提報個案研討")


@dataclass(frozen=True)
class Filters:
    month: str = ""  # YYYY-MM
    category: str = ""
    unit_id: int | None = None
    status: str = ""

    def query(self) -> dict[str, Any]:
        return {k: v for k, v in (("month", self.month), ("category", self.category), ("unit", self.unit_id),
                                  ("status", self.status)) if v}


def _filters(d: Desk) -> Filters:
    """Read the filters; a value the page never offers is dropped (bad input changes nothing)."""
    month = request.args.get("month", "")
    try:
        date.fromisoformat(month + "-01")
    except ValueError:
        month = ""
    category = request.args.get("category", "")
    unit = request.args.get("unit", "")
    unit_ids = {u.id for u in d.district.units}
    status = request.args.get("status", "")
    return Filters(month=month, category=category if category in CATEGORIES else "",
                   unit_id=int(unit) if unit.isdigit() and int(unit) in unit_ids else None,
                   status=status if status in set(IncidentStatus) else "")


def _month_bounds(month: str) -> tuple[datetime | None, datetime | None]:
    if not month:
        return None, None
    first = date.fromisoformat(month + "-01")
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return (datetime.combine(first, datetime.min.time(), TAIPEI), datetime.combine(after, datetime.min.time(), TAIPEI))


def _months(today: date) -> list[tuple[str, str]]:
    """The last 24 months as (YYYY-MM, 115年11月)."""
    found, year, month = [], today.year, today.month
    for _ in range(24):
        found.append((f"{year:04d}-{month:02d}", f"{year - 1911}年{month}月"))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found


def _claim_minutes(incident: Incident) -> int | None:
    if incident.claimed_at is None:
        return None
    return round((incident.claimed_at - incident.created_at).total_seconds() / 60)


def _rows(d: Desk, filters: Filters) -> list[dict[str, Any]]:
    since, until = _month_bounds(filters.month)
    found = service.board(d.session, d.district.id, since=since, until=until, category=filters.category or None,
                          unit_id=filters.unit_id, status=filters.status or None)
    sent = service.escalations_sent(d.session, [i.id for i in found])
    return [{"id": i.id, "number": i.number, "status": i.status, "status_label": STATUS_LABELS[i.status],
             "urgency": i.urgency, "category": i.category, "requester": i.requester_unit.name,
             "asked": "、".join(u.name for u in i.asked_units) or "（未指定，所有單位）",
             "claimed": i.claimed_unit.name if i.claimed_unit else "",
             "created": roc_datetime(i.created_at), "claimed_at": roc_datetime(i.claimed_at) if i.claimed_at else "",
             "claim_minutes": _claim_minutes(i), "escalations": len(sent[i.id]),
             "conference": "是" if i.for_case_conference else ""} for i in found]


@blueprint.get("/")
def board(district_id: int) -> Any:
    """The board with its filters and counts."""
    with desk(district_id) as d:
        filters = _filters(d)
        rows = _rows(d, filters)
        units = [(u.id, u.name) for u in d.district.units]
        counts = {s: sum(1 for r in rows if r["status"] == s) for s in IncidentStatus}
        return render_template("incidents/board.html", district=d.district.name, district_id=district_id,
                               rows=rows, filters=filters, units=units, categories=CATEGORIES,
                               months=_months(to_taipei(d.now).date()), statuses=STATUS_LABELS, counts=counts)


def _timeline(d: Desk, incident: Incident) -> list[dict[str, str]]:
    events = [(incident.created_at, "提出求助", incident.requester_unit.name, incident.text or "")]
    for index, at in enumerate(service.escalations_sent(d.session, [incident.id])[incident.id]):
        events.append((at, "自動催辦", "小幫手", ESCALATION_LABELS[min(index, 1)]))
    for update in incident.updates:
        events.append((update.created_at, UPDATE_LABELS.get(update.kind, update.kind), update.unit.name,
                       update.text or ""))
    events.sort(key=lambda e: e[0])
    return [{"at": roc_datetime(at), "what": what, "who": who, "text": text} for at, what, who, text in events]


@blueprint.get("/<int:incident_id>")
def detail(district_id: int, incident_id: int) -> Any:
    """One request: what it asked and everything that happened to it, in order."""
    with desk(district_id) as d:
        incident = d.session.get(Incident, incident_id)
        if incident is None or incident.district_id != district_id:
            abort(404)
        return render_template("incidents/detail.html", district_id=district_id, incident=incident,
                               status_label=STATUS_LABELS[incident.status], timeline=_timeline(d, incident),
                               asked="、".join(u.name for u in incident.asked_units) or "（未指定，所有單位）",
                               purged=roc_date(to_taipei(incident.purged_at).date()) if incident.purged_at else "",
                               claim_minutes=_claim_minutes(incident))


@blueprint.get("/export.<kind>")
def export(district_id: int, kind: str) -> Any:
    """The board as filtered, as .xlsx or CSV (no request text: the file leaves the system)."""
    if kind not in ("xlsx", "csv"):
        abort(404)
    with desk(district_id) as d:
        filters = _filters(d)
        rows = [[r["number"], r["status_label"], r["urgency"], r["category"], r["requester"], r["asked"], r["claimed"],
                 r["created"], r["claimed_at"], r["claim_minutes"], r["escalations"], r["conference"]]
                for r in _rows(d, filters)]
        d.audit("console.incidents_export", kind=kind, rows=len(rows), **filters.query())
        name = f"{d.district.name}求助紀錄_{roc_date(to_taipei(d.now).date(), 'compact')}.{kind}"
    if kind == "csv":
        return download(csv_bytes(HEADER, rows), name, "text/csv")
    return download(xlsx("求助紀錄", HEADER, rows, (12, 8, 8, 10, 24, 30, 24, 18, 18, 10, 8, 10)), name, XLSX)


# 求助統計
def _stat_months(today: date) -> list[str]:
    found, year, month = [], today.year, today.month
    for _ in range(MONTHS):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(found))


def _roc_month(key: str) -> str:
    year, month = key.split("-")
    return f"{int(year) - 1911}/{int(month):02d}"


def _minutes(incidents: list[Incident]) -> ClaimStats:
    return claim_stats([(i.claimed_at - i.created_at).total_seconds() / 60 for i in incidents if i.claimed_at])


def summary(d: Desk, district_id: int, since: datetime) -> dict[str, Any]:
    """One district's numbers for the last twelve months."""
    found = service.board(d.session, district_id, since=since)
    sent = service.escalations_sent(d.session, [i.id for i in found])
    stats = _minutes(found)
    return {"total": len(found), "claimed": stats.count, "median": stats.median_minutes, "p90": stats.p90_minutes,
            "escalated": sum(1 for i in found if sent[i.id]), "incidents": found}


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} 分鐘"


@blueprint.get("/statistics")
def statistics(district_id: int) -> Any:
    """The district's numbers with charts and tables; the city's view when this person manages several."""
    with desk(district_id) as d:
        today = to_taipei(d.now).date()
        months = _stat_months(today)
        since = datetime.combine(date.fromisoformat(months[0] + "-01"), datetime.min.time(), TAIPEI)
        own = summary(d, district_id, since)
        by_month = Counter(to_taipei(i.created_at).strftime("%Y-%m") for i in own["incidents"])
        by_category = Counter(i.category for i in own["incidents"])
        by_unit = Counter(i.requester_unit.name for i in own["incidents"])
        districts = managed_districts(d.session, d.person)
        side_by_side = []
        if len(districts) > 1:
            for other in districts:
                numbers = summary(d, other.id, since)
                side_by_side.append((other.name, numbers["total"], numbers["claimed"], _fmt(numbers["median"]),
                                     _fmt(numbers["p90"]), numbers["escalated"]))
        return render_template(
            "incidents/statistics.html", district=d.district.name, district_id=district_id, own=own,
            median=_fmt(own["median"]), p90=_fmt(own["p90"]),
            month_bars=bars([(_roc_month(m), by_month.get(m, 0)) for m in months]),
            category_bars=bars([(c, by_category.get(c, 0)) for c in CATEGORIES]),
            unit_bars=bars(by_unit.most_common()), side_by_side=side_by_side,
            period=f"{_roc_month(months[0])}－{_roc_month(months[-1])}")
