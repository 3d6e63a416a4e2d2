"""Bar charts of the console's statistics: server-side SVG (console/_chart.html) with the same numbers as a table
after each chart, so a chart is never the only way to read a number."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    width: float  # percent of the longest bar (of 100% for rates)
    shown: str = ""  # the value as written ("85%"); empty: the number itself


def bars(counts: list[tuple[str, int]]) -> list[Bar]:
    """Bars scaled to the largest value (an empty chart has no bars of width)."""
    top = max((v for _, v in counts), default=0) or 1
    return [Bar(label, value, round(100 * value / top, 1)) for label, value in counts]


def rate_bars(rates: list[tuple[str, float | None]]) -> list[Bar]:
    """Bars of shares against 100% ("—" where there was nothing to count)."""
    return [Bar(label, round(100 * rate) if rate is not None else 0, round(100 * rate, 1) if rate is not None else 0,
                f"{100 * rate:.0f}%" if rate is not None else "—") for label, rate in rates]
