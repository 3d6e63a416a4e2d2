"""The console's 求助統計: requests per month by category and unit, claim times (median, 90th percentile),
escalations; for the city's secretariat every district side by side. Each chart is server-side SVG with
the same numbers as a table beside it (a chart is never the only way to read a number)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import render_template

from bot.console import ConsolePage, Desk, desk, managed_districts
from handlers.incidents import service
from handlers.incidents.web import blueprint
from models.incidents import Incident
from rules.dates import TAIPEI, to_taipei
from rules.incidents import CATEGORIES, ClaimStats, claim_stats

MONTHS = 12
PAGE = ConsolePage("求助統計", "console_incidents.statistics", order=15)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    width: float  # percent of the longest bar


def bars(counts: list[tuple[str, int]]) -> list[Bar]:
    """Bars scaled to the largest value (an empty chart has no bars of width)."""
    top = max((v for _, v in counts), default=0) or 1
    return [Bar(label, value, round(100 * value / top, 1)) for label, value in counts]


def _months(today: date) -> list[str]:
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
        months = _months(today)
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


