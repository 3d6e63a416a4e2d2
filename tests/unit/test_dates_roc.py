"""ROC formatting, Taipei time and month arithmetic (rules/dates/roc.py)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from rules.dates import (
    TAIPEI,
    add_months,
    roc_date,
    roc_datetime,
    roc_weekday,
    roc_year,
    to_taipei,
)

DEC5 = date(2026, 12, 5)  # a Saturday


# ---------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("d", "style", "expected"),
    [
        (DEC5, "slash", "115/12/05"),
        (DEC5, "chinese", "115年12月5日"),
        (DEC5, "compact", "1151205"),
        (DEC5, "dot", "115.12.5"),
        (date(2019, 3, 21), "chinese", "108年3月21日"),  # seeds/000 meeting date
        (date(2019, 1, 29), "compact", "1080129"),
        (date(2010, 1, 1), "compact", "0990101"),  # ROC < 100 is zero-padded in numeric styles
        (date(2010, 1, 1), "slash", "099/01/01"),
        (date(2010, 1, 1), "chinese", "99年1月1日"),
        (date(1912, 1, 1), "chinese", "1年1月1日"),
    ],
)
def test_roc_date_styles(d: date, style: str, expected: str) -> None:
    assert roc_date(d, style) == expected


def test_roc_date_before_roc_is_refused() -> None:
    with pytest.raises(ValueError):
        roc_date(date(1911, 12, 31))


def test_roc_date_unknown_style() -> None:
    with pytest.raises(ValueError):
        roc_date(DEC5, "iso")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("d", "expected"),
    [(date(2019, 3, 21), "(四)"), (DEC5, "(六)"), (date(2026, 12, 6), "(日)"), (date(2026, 11, 23), "(一)")],
)
def test_roc_weekday(d: date, expected: str) -> None:
    assert roc_weekday(d) == expected


def test_roc_year() -> None:
    assert roc_year(DEC5) == 115


def test_roc_datetime_in_taipei() -> None:
    assert roc_datetime(datetime(2026, 12, 5, 14, 0, tzinfo=TAIPEI)) == "115/12/05(六) 14:00"
    # 06:00 UTC is 14:00 in Taipei
    assert roc_datetime(datetime(2026, 12, 5, 6, 0, tzinfo=timezone.utc)) == "115/12/05(六) 14:00"
    # 20:00 UTC on the 4th is already the 5th in Taipei
    assert roc_datetime(datetime(2026, 12, 4, 20, 30, tzinfo=timezone.utc)) == "115/12/05(六) 04:30"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        to_taipei(datetime(2026, 12, 5, 14, 0))
    with pytest.raises(ValueError):
        roc_datetime(datetime(2026, 12, 5, 14, 0))


@pytest.mark.parametrize(
    ("d", "months", "expected"),
    [
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2028, 3, 31), -1, date(2028, 2, 29)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 12, 5), -1, date(2026, 11, 5)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_add_months_clamps_to_month_end(d: date, months: int, expected: date) -> None:
    assert add_months(d, months) == expected
