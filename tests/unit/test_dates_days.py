"""Dates as people type them (rules/dates/days.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.dates import parse_date, roc_date, roc_weekday

TODAY = date(2026, 11, 24)  # a Tuesday (ROC 115/11/24)
DEC5 = date(2026, 12, 5)  # a Saturday


# ---------------------------------------------------------------------------
# parse_date
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "115/12/5", "115/12/05", "115-12-5", "115.12.5", "115年12月5日", "民國115年12月5日",
        "民國 115 年 12 月 5 日", "115 年 12 月 5 日", "1151205", "2026-12-05", "2026/12/5",
        "2026年12月5日", "20261205", "12/5", "12月5日", "115年12月5號",
        "115/12/5(六)", "115/12/5(星期六)", "115/12/5(週六)", "115/12/5(周六)", "115/12/5 (六)",
        "115年12月5日（星期六）", "115/12/5 星期六", "12/5(六)",
        # full-width digits, slashes, parentheses and ideographic spaces (NFKC)
        "１１５／１２／５", "１１５年１２月５日（六）", "\u3000115/12/5\u3000", "２０２６－１２－０５",
    ],
)
def test_parse_date_accepts_real_world_forms(text: str) -> None:
    result = parse_date(text, TODAY)
    assert result.error is None, result.error
    assert result.value == DEC5
    assert result.ok


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("108年3月21日", TODAY, date(2019, 3, 21)),  # seeds/000
        ("107年 6月 27日（星期三）", TODAY, date(2018, 6, 27)),  # seeds/001, spaces as printed
        ("108.3.21", TODAY, date(2019, 3, 21)),
        ("108/03/21", TODAY, date(2019, 3, 21)),
        ("1080321", TODAY, date(2019, 3, 21)),
        ("99年1月1日", TODAY, date(2010, 1, 1)),  # with 年 a 2-digit year is clearly ROC
        ("099/01/01", TODAY, date(2010, 1, 1)),
        ("民國99/1/1", TODAY, date(2010, 1, 1)),
        ("1年1月1日", TODAY, date(1912, 1, 1)),
        # month/day alone: the next such date on or after today
        ("11/24", TODAY, TODAY),
        ("11/23", TODAY, date(2027, 11, 23)),
        ("1/5", TODAY, date(2027, 1, 5)),
        ("1月5日", TODAY, date(2027, 1, 5)),
        ("2/29", TODAY, date(2028, 2, 29)),
        ("12/31", date(2026, 12, 31), date(2026, 12, 31)),
    ],
)
def test_parse_date_values(text: str, today: date, expected: date) -> None:
    result = parse_date(text, today)
    assert result.error is None, result.error
    assert result.value == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("13/45", "看不懂日期「13/45」，請寫成 115/12/5 或 2026-12-05"),
        ("115/2/30", "2月沒有30日"),
        ("2/30", "2月沒有30日"),
        ("115/2/29", "2月沒有29日"),  # 2026 is not a leap year
        ("115/13/1", "月份須為1到12"),
        ("2026-13-01", "月份須為1到12"),
        ("115/4/31", "4月沒有31日"),
        ("20260230", "2月沒有30日"),
        ("1150230", "2月沒有30日"),
        ("12/5/6", "年份不明確"),  # could be y/m/d, m/d/y or d/m/y
        ("5/6/7", "年份不明確"),
        ("12.5.6", "年份不明確"),
        ("990101", "年份不明確"),  # 6 digits: yymmdd? ddmmyy?
        ("1900/1/1", "早於民國元年"),
        ("1911年12月31日", "早於民國元年"),
        ("000/01/01", "民國年份須從1年起"),
        ("0年1月1日", "民國年份須從1年起"),
        ("民國2026年1月1日", "民國年份「2026」不對"),
        ("12-5", "看不懂日期"),  # month-day only with / or 月日
        ("12.5", "看不懂日期"),
        ("115/12/5/6", "看不懂日期"),
        ("115/12/5 開會", "看不懂日期"),
        ("", "請寫日期"),
    ],
)
def test_parse_date_errors(text: str, fragment: str) -> None:
    result = parse_date(text, TODAY)
    assert result.value is None
    assert not result.ok
    assert fragment in result.error


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("115/12/5(四)", "115年12月5日是星期六，不是星期四，請確認日期"),
        ("115/12/5(星期四)", "115年12月5日是星期六，不是星期四，請確認日期"),
        ("2026-12-05(週日)", "115年12月5日是星期六，不是星期日，請確認日期"),
        ("12/5(周一)", "115年12月5日是星期六，不是星期一，請確認日期"),
        ("108年3月21日(星期三)", "108年3月21日是星期四，不是星期三，請確認日期"),
    ],
)
def test_parse_date_weekday_mismatch_names_real_weekday(text: str, message: str) -> None:
    result = parse_date(text, TODAY)
    assert result.value is None
    assert result.error == message


def test_weekday_sunday_aliases() -> None:
    assert parse_date("115/12/6(天)", TODAY).value == date(2026, 12, 6)
    assert parse_date("115/12/6(星期日)", TODAY).value == date(2026, 12, 6)


@pytest.mark.parametrize("days", range(0, 800, 37))
def test_roc_forms_round_trip(days: int) -> None:
    d = date(2026, 1, 1) + timedelta(days=days)
    for style in ("slash", "chinese", "compact", "dot"):
        assert parse_date(roc_date(d, style), TODAY).value == d
    assert parse_date(roc_date(d) + roc_weekday(d), TODAY).value == d


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1912, 1, 1), max_value=date(2200, 12, 31)),
       st.sampled_from(["slash", "chinese", "compact", "dot"]))
def test_roc_date_round_trip_property(d: date, style: str) -> None:
    assert parse_date(roc_date(d, style) + roc_weekday(d), TODAY).value == d
