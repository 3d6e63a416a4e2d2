"""ROC dates, times, one-line date phrases and case numbers (rules/dates.py)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.dates import (
    TAIPEI,
    add_months,
    case_number,
    find_case_numbers,
    find_datetime_phrase,
    parse_case_number,
    parse_date,
    parse_datetime_phrase,
    parse_time,
    parse_time_range,
    roc_date,
    roc_datetime,
    roc_weekday,
    roc_year,
    to_taipei,
)

TODAY = date(2026, 11, 24)  # a Tuesday (ROC 115/11/24)
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
        ("下週三", "看不懂日期"),
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


# ---------------------------------------------------------------------------
# parse_time
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:00", time(14, 0)),
        ("14:30", time(14, 30)),
        ("14：30", time(14, 30)),  # full-width colon
        ("１４:００", time(14, 0)),
        ("14時", time(14, 0)),
        ("14時30分", time(14, 30)),
        ("14 時 00 分", time(14, 0)),  # seeds/000 header spacing
        ("14點", time(14, 0)),
        ("14點30", time(14, 30)),
        ("14點半", time(14, 30)),
        ("下午2時", time(14, 0)),
        ("下午 2時", time(14, 0)),  # seeds/001 header spacing
        ("下午2點半", time(14, 30)),
        ("下午兩點", time(14, 0)),
        ("下午三點半", time(15, 30)),
        ("上午9時30分", time(9, 30)),
        ("上午十點", time(10, 0)),
        ("早上8點", time(8, 0)),
        ("晚上7點", time(19, 0)),
        ("晚上11點", time(23, 0)),
        ("中午12時", time(12, 0)),
        ("中午12點半", time(12, 30)),
        ("中午1點", time(13, 0)),
        ("下午12時", time(12, 0)),
        ("下午14時", time(14, 0)),  # redundant but consistent
        ("凌晨3點", time(3, 0)),
        ("凌晨12點", time(0, 0)),
        ("2pm", time(14, 0)),
        ("2 PM", time(14, 0)),
        ("2:30pm", time(14, 30)),
        ("2:30 p.m.", time(14, 30)),
        ("11am", time(11, 0)),
        ("12pm", time(12, 0)),
        ("12am", time(0, 0)),
        ("9點", time(9, 0)),
        ("9:00", time(9, 0)),
        ("7點", time(7, 0)),
        ("02:00", time(2, 0)),  # a leading zero is a deliberate 24-hour reading
        ("00:00", time(0, 0)),
        ("0點", time(0, 0)),
        ("23:59", time(23, 59)),
    ],
)
def test_parse_time(text: str, expected: time) -> None:
    result = parse_time(text)
    assert result.error is None, result.error
    assert result.value == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("24:00", "不存在"),
        ("24時", "不存在"),
        ("25:00", "看不懂時間"),
        ("14:60", "看不懂時間"),
        ("13pm", "看不懂時間"),
        ("上午12時", "看不懂時間"),  # noon or midnight? refused
        ("上午14時", "看不懂時間"),
        ("晚上12點", "看不懂時間"),
        ("下午0點", "看不懂時間"),
        ("上午2pm", "看不懂時間"),
        ("2點", "是清晨還是下午"),  # nobody meets at 02:00; asking beats guessing 14:00
        ("2:00", "是清晨還是下午"),
        ("兩點半", "是清晨還是下午"),
        ("1400", "看不懂時間"),
        ("明天", "看不懂時間"),
        ("", "看不懂時間"),
    ],
)
def test_parse_time_errors(text: str, fragment: str) -> None:
    result = parse_time(text)
    assert result.value is None
    assert fragment in result.error


def test_vague_hour_error_suggests_both_readings() -> None:
    assert parse_time("兩點半").error == "「兩點半」是清晨還是下午？請寫成 14:30（下午）或 02:30（清晨）"


# ---------------------------------------------------------------------------
# parse_time_range
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("14:00-16:00", time(14), time(16)),
        ("14:00 - 16:00", time(14), time(16)),
        ("14:00~16:00", time(14), time(16)),
        ("14:00～16:00", time(14), time(16)),  # full-width tilde
        ("14:00〜16:00", time(14), time(16)),  # wave dash
        ("14:00–16:00", time(14), time(16)),  # en dash
        ("14:00－16:00", time(14), time(16)),  # full-width hyphen
        ("14時至16時", time(14), time(16)),
        ("14時30分至16時", time(14, 30), time(16)),
        ("14點到16點", time(14), time(16)),
        ("下午2時至4時", time(14), time(16)),  # the day part carries to the end
        ("下午2時30分至4時", time(14, 30), time(16)),
        ("下午2至4時", time(14), time(16)),
        ("14-16時", time(14), time(16)),
        ("2至4pm", time(14), time(16)),
        ("上午9時至12時", time(9), time(12)),
        ("上午10時至下午2時", time(10), time(14)),
        ("上午11時至1時", time(11), time(13)),
        ("10時至2時", time(10), time(14)),
        ("2時至下午4時", time(14), time(16)),
        ("晚上7點到9點", time(19), time(21)),
        ("9:00-12:00", time(9), time(12)),
    ],
)
def test_parse_time_range(text: str, start: time, end: time) -> None:
    result = parse_time_range(text)
    assert result.error is None, result.error
    assert (result.start, result.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("16:00-14:00", "結束時間須晚於開始時間（16:00–14:00）"),
        ("14:00-14:00", "結束時間須晚於開始時間"),
        ("10:00-09:00", "結束時間須晚於開始時間"),  # no silent +12 for a zero-padded end
        ("14:00-16", "看不懂結束時間「16」"),
        ("14:00-25:00", "看不懂時間「25:00」"),
        ("2至4時", "是清晨還是下午"),
        ("14:00", "看不懂時段"),
        ("14:00 至中壢區公所", "看不懂時段"),
        ("", "看不懂時段"),
    ],
)
def test_parse_time_range_errors(text: str, fragment: str) -> None:
    result = parse_time_range(text)
    assert (result.start, result.end) == (None, None)
    assert not result.ok
    assert fragment in result.error


# ---------------------------------------------------------------------------
# parse_datetime_phrase / find_datetime_phrase
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "d", "start", "end", "rest"),
    [
        ("115/12/5 14:00-16:00 中壢區公所3樓 家暴防治宣導講座", DEC5, time(14), time(16),
         "中壢區公所3樓 家暴防治宣導講座"),
        ("115/12/5 14:00 本所3樓簡報室", DEC5, time(14), None, "本所3樓簡報室"),
        ("115/12/5(六) 下午2時至4時 本所", DEC5, time(14), time(16), "本所"),
        ("115年12月5日(星期六)14時00分 中壢區公所", DEC5, time(14), None, "中壢區公所"),
        ("12/5 14:00~16:00 活動中心", DEC5, time(14), time(16), "活動中心"),
        ("１１５／１２／５　１４：００－１６：００　活動中心", DEC5, time(14), time(16), "活動中心"),
        ("115/12/5 3樓會議室", DEC5, None, None, "3樓會議室"),  # no time: a number is not a time
        ("115/12/5 3-5樓", DEC5, None, None, "3-5樓"),
        ("115/12/5 14:00 至中壢區公所集合", DEC5, time(14), None, "至中壢區公所集合"),
        ("115/12/5", DEC5, None, None, ""),
        ("115/12/5 14:00", DEC5, time(14), None, ""),
    ],
)
def test_parse_datetime_phrase(text: str, d: date, start: time | None, end: time | None, rest: str) -> None:
    phrase = parse_datetime_phrase(text, TODAY)
    assert phrase.error is None, phrase.error
    assert (phrase.date, phrase.start, phrase.end, phrase.rest) == (d, start, end, rest)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("家暴防治宣導講座 115/12/5", "開頭找不到日期"),
        ("115/2/30 14:00 本所", "2月沒有30日"),
        ("115/12/5(四) 14:00 本所", "不是星期四"),
        ("115/12/5 16:00-14:00 本所", "結束時間須晚於開始時間"),
        ("115/12/5 14:00-16 本所", "看不懂結束時間"),
        ("115/12/5 25:00 本所", "看不懂時間"),
        ("115/12/5 2點 本所", "是清晨還是下午"),
        ("12/5/6 14:00", "年份不明確"),
    ],
)
def test_parse_datetime_phrase_errors(text: str, fragment: str) -> None:
    phrase = parse_datetime_phrase(text, TODAY)
    assert not phrase.ok
    assert fragment in phrase.error


def test_phrase_datetimes_are_taipei() -> None:
    phrase = parse_datetime_phrase("115/12/5 14:00-16:00 本所", TODAY)
    assert phrase.start_at() == datetime(2026, 12, 5, 14, 0, tzinfo=TAIPEI)
    assert phrase.end_at() == datetime(2026, 12, 5, 16, 0, tzinfo=TAIPEI)
    assert parse_datetime_phrase("115/12/5 本所", TODAY).start_at() is None


@pytest.mark.parametrize(
    ("text", "before", "rest"),
    [
        ("會議 區級聯繫會議 115/12/5 14:00 本所3樓簡報室", "會議 區級聯繫會議", "本所3樓簡報室"),
        ("區級聯繫會議 115年12月5日 14時 本所", "區級聯繫會議", "本所"),
        ("115年度第4次區級聯繫會議 115/12/5 14:00 本所", "115年度第4次區級聯繫會議", "本所"),
        ("115/12/5 14:00 本所", "", "本所"),
    ],
)
def test_find_datetime_phrase(text: str, before: str, rest: str) -> None:
    found_before, phrase = find_datetime_phrase(text, TODAY)
    assert phrase.error is None, phrase.error
    assert (found_before, phrase.date, phrase.start, phrase.rest) == (before, DEC5, time(14), rest)


def test_find_datetime_phrase_without_date() -> None:
    before, phrase = find_datetime_phrase("區級聯繫會議 下週 本所", TODAY)
    assert before == "區級聯繫會議 下週 本所"
    assert "找不到日期" in phrase.error


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


@pytest.mark.parametrize("days", range(0, 800, 37))
def test_roc_forms_round_trip(days: int) -> None:
    d = date(2026, 1, 1) + timedelta(days=days)
    for style in ("slash", "chinese", "compact", "dot"):
        assert parse_date(roc_date(d, style), TODAY).value == d
    assert parse_date(roc_date(d) + roc_weekday(d), TODAY).value == d


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


# ---------------------------------------------------------------------------
# Properties: parsers never raise on user text; every written form reads back
# ---------------------------------------------------------------------------

# Characters dates and times are made of, so that random text often gets deep into the patterns.
_PIECES = list("0123456789０１２/-.~:：年月日號時點分半()（）星期週四六上下午晚 至到pmPM")
_CHATTY = st.text(alphabet=st.sampled_from(_PIECES), max_size=30)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), _CHATTY))
def test_parsers_never_raise(text: str) -> None:
    for result in (parse_date(text, TODAY), parse_time(text), parse_time_range(text),
                   parse_datetime_phrase(text, TODAY), find_datetime_phrase(text, TODAY)[1]):
        values = [v for k, v in vars(result).items() if k not in ("error", "rest")]
        assert (result.error is None) or all(v is None for v in values)
    parse_case_number(text)
    find_case_numbers(text)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1912, 1, 1), max_value=date(2200, 12, 31)),
       st.integers(min_value=1, max_value=999), st.integers(min_value=1, max_value=3))
def test_case_number_round_trip_property(d: date, seq: int, width: int) -> None:
    assert parse_case_number(case_number(d, seq, width)) == (d, seq)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1912, 1, 1), max_value=date(2200, 12, 31)),
       st.sampled_from(["slash", "chinese", "compact", "dot"]))
def test_roc_date_round_trip_property(d: date, style: str) -> None:
    assert parse_date(roc_date(d, style) + roc_weekday(d), TODAY).value == d
