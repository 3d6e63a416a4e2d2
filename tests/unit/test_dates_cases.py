"""列管 case numbers such as 1080129-1 (rules/dates/cases.py)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.dates import case_number, find_case_numbers, parse_case_number

DEC5 = date(2026, 12, 5)  # a Saturday


# ---------------------------------------------------------------------------
# Case numbers
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("d", "seq", "width", "expected"),
    [
        (date(2019, 1, 29), 1, 1, "1080129-1"),  # DOMAIN.md's example
        (date(2026, 11, 22), 3, 2, "1151122-03"),
        (date(2026, 11, 22), 12, 2, "1151122-12"),
        (date(2026, 11, 22), 123, 2, "1151122-123"),  # width is a minimum
        (date(2010, 1, 1), 1, 1, "0990101-1"),  # ROC < 100 zero-padded to keep 7 digits
    ],
)
def test_case_number_format_and_round_trip(d: date, seq: int, width: int, expected: str) -> None:
    text = case_number(d, seq, width)
    assert text == expected
    assert parse_case_number(text) == (d, seq)


def test_case_number_needs_positive_item() -> None:
    with pytest.raises(ValueError):
        case_number(DEC5, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" 1080129-1 ", (date(2019, 1, 29), 1)),
        ("１０８０１２９－１", (date(2019, 1, 29), 1)),
        ("1080129 - 2", (date(2019, 1, 29), 2)),
        ("1080230-1", None),  # no 2/30
        ("1081329-1", None),
        ("1080129-0", None),
        ("108129-1", None),
        ("20190129-1", None),
        ("1080129", None),
        ("1080129-1 除管", None),
        ("", None),
    ],
)
def test_parse_case_number(text: str, expected: tuple[date, int] | None) -> None:
    assert parse_case_number(text) == expected


def test_find_case_numbers_in_a_message() -> None:
    found = find_case_numbers("1080129-1 除管；1151122-03 續管，電話0800770885-1 不算")
    assert found == [("1080129-1", date(2019, 1, 29), 1), ("1151122-03", date(2026, 11, 22), 3)]


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1912, 1, 1), max_value=date(2200, 12, 31)),
       st.integers(min_value=1, max_value=999), st.integers(min_value=1, max_value=3))
def test_case_number_round_trip_property(d: date, seq: int, width: int) -> None:
    assert parse_case_number(case_number(d, seq, width)) == (d, seq)
