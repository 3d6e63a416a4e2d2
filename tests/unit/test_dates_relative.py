"""Dates and times as people say them in chat (rules/dates/relative.py, rules/dates/times.py), read against today."""
from __future__ import annotations

from datetime import date, time

import pytest

from rules.dates import cn_number, parse_date, parse_datetime_phrase, parse_relative, parse_time, roc_long

TUESDAY = date(2026, 11, 24)  # ROC 115/11/24 (二)
SUNDAY = date(2026, 11, 29)
DEC31 = date(2026, 12, 31)  # a Thursday; next month is in the next year


@pytest.mark.parametrize(("said", "today", "expected"), [
    ("今天", TUESDAY, date(2026, 11, 24)),
    ("今日", TUESDAY, date(2026, 11, 24)),
    ("明天", TUESDAY, date(2026, 11, 25)),
    ("後天", TUESDAY, date(2026, 11, 26)),
    ("大後天", TUESDAY, date(2026, 11, 27)),
    ("昨天", TUESDAY, date(2026, 11, 23)),
    ("前天", TUESDAY, date(2026, 11, 22)),
    ("下週三", TUESDAY, date(2026, 12, 2)),
    ("下周三", TUESDAY, date(2026, 12, 2)),
    ("下星期三", TUESDAY, date(2026, 12, 2)),
    ("下個禮拜三", TUESDAY, date(2026, 12, 2)),
    ("下週日", TUESDAY, date(2026, 12, 6)),  # weeks run Monday to Sunday
    ("下週一", SUNDAY, date(2026, 11, 30)),  # said on a Sunday: tomorrow
    ("下下週一", TUESDAY, date(2026, 12, 7)),
    ("這週五", TUESDAY, date(2026, 11, 27)),
    ("本週一", TUESDAY, date(2026, 11, 23)),  # already past: the caller decides
    ("週五", TUESDAY, date(2026, 11, 27)),
    ("星期二", TUESDAY, date(2026, 11, 24)),  # a bare weekday: the next one, today included
    ("禮拜一", TUESDAY, date(2026, 11, 30)),
    ("下個月5號", TUESDAY, date(2026, 12, 5)),
    ("下月5日", TUESDAY, date(2026, 12, 5)),
    ("下個月五號", TUESDAY, date(2026, 12, 5)),
    ("下個月二十一號", TUESDAY, date(2026, 12, 21)),
    ("下個月5號", DEC31, date(2027, 1, 5)),
    ("這個月30號", TUESDAY, date(2026, 11, 30)),
    ("本月20日", TUESDAY, date(2026, 11, 20)),
    ("3天後", TUESDAY, date(2026, 11, 27)),
    ("三天後", TUESDAY, date(2026, 11, 27)),
    ("兩週後", TUESDAY, date(2026, 12, 8)),
    ("１０天後", TUESDAY, date(2026, 12, 4)),  # full-width digits
])
def test_spoken_dates(said: str, today: date, expected: date) -> None:
    assert parse_date(said, today).value == expected


@pytest.mark.parametrize(("said", "fragment"), [
    ("下個月31號", "115年11月沒有31日"),  # said on 10/24: November has 30 days
    ("明天(四)", "是星期三，不是星期四"),
    ("下週八", "看不懂日期"),
    ("明年", "看不懂日期"),
])
def test_spoken_date_errors(said: str, fragment: str) -> None:
    result = parse_date(said, date(2026, 10, 24) if said == "下個月31號" else TUESDAY)
    assert result.value is None and fragment in (result.error or "")


@pytest.mark.parametrize(("said", "expected"), [
    ("下午兩點", time(14, 0)),
    ("下午2點", time(14, 0)),
    ("十點半", time(10, 30)),
    ("晚上7點", time(19, 0)),
    ("晚上七點半", time(19, 30)),
    ("早上九點", time(9, 0)),
    ("下午兩點十五分", time(14, 15)),
    ("十點零五分", time(10, 5)),
    ("上午十一點四十五分", time(11, 45)),
    ("下午三點一刻", time(15, 15)),
    ("下午三點三刻", time(15, 45)),
    ("十二點", time(12, 0)),
])
def test_spoken_times(said: str, expected: time) -> None:
    assert parse_time(said).value == expected


def test_a_bare_afternoon_hour_is_asked_not_guessed() -> None:
    assert "清晨還是下午" in (parse_time("兩點").error or "")
    assert parse_time("十點七十分").value is None


@pytest.mark.parametrize(("line", "day", "start", "end", "rest"), [
    ("明天下午兩點 本所3樓", date(2026, 11, 25), time(14, 0), None, "本所3樓"),
    ("後天 十點半 區公所", date(2026, 11, 26), time(10, 30), None, "區公所"),
    ("下週三 14:00-16:00 家暴防治宣導講座", date(2026, 12, 2), time(14, 0), time(16, 0), "家暴防治宣導講座"),
    ("大後天 下午2時至4時 講座", date(2026, 11, 27), time(14, 0), time(16, 0), "講座"),
    ("下個月5號 晚上7點 社區活動中心", date(2026, 12, 5), time(19, 0), None, "社區活動中心"),
    ("這週五(五) 9:30 本所", date(2026, 11, 27), time(9, 30), None, "本所"),
])
def test_spoken_phrases_in_commands(line: str, day: date, start: time, end: time | None, rest: str) -> None:
    phrase = parse_datetime_phrase(line, TUESDAY)
    assert (phrase.error, phrase.date, phrase.start, phrase.end, phrase.rest) == (None, day, start, end, rest)


def test_a_word_that_only_starts_like_a_date_is_not_one() -> None:
    assert parse_relative("明天見", TUESDAY) is None
    assert parse_datetime_phrase("週五讀書會 14:00", TUESDAY).error is not None
    assert parse_relative("下週三", TUESDAY) == date(2026, 12, 2)


@pytest.mark.parametrize(("written", "value"), [
    ("5", 5), ("五", 5), ("十", 10), ("十五", 15), ("二十", 20), ("二十一", 21), ("廿一", 21), ("三十一", 31),
    ("零五", 5), ("十十", None), ("百", None),
])
def test_chinese_numbers(written: str, value: int | None) -> None:
    assert cn_number(written) == value


def test_the_echo_is_an_roc_date_with_its_weekday() -> None:
    assert roc_long(parse_date("下週四", TUESDAY).value) == "115年12月3日(四)"
