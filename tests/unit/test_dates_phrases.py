"""A date and time inside a one-line command (rules/dates/phrases.py); no parser raises on user text."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.dates import (
    TAIPEI,
    find_case_numbers,
    find_datetime_phrase,
    parse_case_number,
    parse_date,
    parse_datetime_phrase,
    parse_time,
    parse_time_range,
)

TODAY = date(2026, 11, 24)  # a Tuesday (ROC 115/11/24)
DEC5 = date(2026, 12, 5)  # a Saturday


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
