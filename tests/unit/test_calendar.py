"""Pure calendar rules: one-line activities, periods and deadlines as written, weeks, overlaps, moments."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from rules import calendar as periods
from rules.dates import TAIPEI, parse_datetime_phrase
from rules.workdays import NoCalendar, TaiwanCalendar

TODAY = date(2026, 11, 24)  # Tuesday, ROC 115/11/24
TW = TaiwanCalendar()


# ---------------------------------------------------------------------------- one-line activities

@pytest.mark.parametrize(("line", "day", "start", "end", "place", "title", "joinable"), [
    ("115/12/5 14:00-16:00 中壢區公所3樓 家暴防治宣導講座", date(2026, 12, 5), time(14), time(16),
     "中壢區公所3樓", "家暴防治宣導講座", False),
    ("115年12月5日 14時至16時 中壢國小禮堂 兒少保護宣導", date(2026, 12, 5), time(14), time(16),
     "中壢國小禮堂", "兒少保護宣導", False),
    ("1151205 下午2時 興仁里活動中心 社區關懷據點宣導 可共同宣導", date(2026, 12, 5), time(14), None,
     "興仁里活動中心", "社區關懷據點宣導", True),
    ("2026-12-05 09:30~11:30 衛生所2樓 心理健康講座", date(2026, 12, 5), time(9, 30), time(11, 30),
     "衛生所2樓", "心理健康講座", False),
    ("12/5(六) 下午2時至4時 中壢火車站前廣場 反毒 宣導 (可共同宣導)", date(2026, 12, 5), time(14), time(16),
     "中壢火車站前廣場", "反毒 宣導", True),
    ("115.12.5 14:00 分局 家防會報", date(2026, 12, 5), time(14), None, "分局", "家防會報", False),
    ("1/8 10:00-12:00 公所 新春宣導", date(2027, 1, 8), time(10), time(12), "公所", "新春宣導", False),
    ("115/12/5 15:00 中壢區公所 3樓 衛教講座", date(2026, 12, 5), time(15), None, "中壢區公所 3樓", "衛教講座", False),
    ("115/12/5 15:00 中壢國小 禮堂 反毒 宣導", date(2026, 12, 5), time(15), None, "中壢國小 禮堂", "反毒 宣導", False),
])
def test_one_line_activity_forms(line, day, start, end, place, title, joinable):
    phrase = parse_datetime_phrase(line, TODAY)
    assert phrase.ok and (phrase.date, phrase.start, phrase.end) == (day, start, end)
    assert periods.split_place_title(phrase.rest) == (place, title, joinable)


@pytest.mark.parametrize(("line", "says"), [
    ("115/12/5 2點 公所 講座", "清晨還是下午"),             # 2點 could be 02:00 or 14:00: asked, never guessed
    ("115/12/6(六) 14:00 公所 講座", "星期日，不是星期六"),   # weekday contradicts the date
    ("115/2/30 14:00 公所 講座", "不存在"),
    ("12/5/6 14:00 公所 講座", "年份不明確"),
    ("115/12/5 16:00-14:00 公所 講座", "結束時間須晚於開始時間"),
    ("改天 14:00 公所 講座", "找不到日期"),
])
def test_unclear_one_line_gets_a_question(line, says):
    phrase = parse_datetime_phrase(line, TODAY)
    assert not phrase.ok and says in (phrase.error or "")


def test_place_and_title_are_both_needed():
    assert "地點與活動名稱" in periods.split_place_title("家暴防治宣導講座")
    assert "地點與活動名稱" in periods.split_place_title("講座 可共同宣導")


@pytest.mark.parametrize(("day", "problem"), [
    (date(2026, 11, 23), "已經過了"),
    (date(2028, 1, 5), "超過一年"),
    (TODAY, None),
    (date(2027, 12, 1), None),
])
def test_activity_dates_must_be_ahead_but_not_far(day, problem):
    found = periods.check_date(day, TODAY)
    assert (found is None) if problem is None else (problem in found)


# ---------------------------------------------------------------------------- periods and calls

@pytest.mark.parametrize(("text", "start", "end"), [
    ("115/12/1-115/12/31", date(2026, 12, 1), date(2026, 12, 31)),
    ("115/12/1~116/1/31", date(2026, 12, 1), date(2027, 1, 31)),
    ("115/12/1-1/15", date(2026, 12, 1), date(2027, 1, 15)),       # the end's year follows the start
    ("2026-12-01-2026-12-31", date(2026, 12, 1), date(2026, 12, 31)),
    ("115年12月1日至115年12月31日", date(2026, 12, 1), date(2026, 12, 31)),
    ("115年12月", date(2026, 12, 1), date(2026, 12, 31)),
    ("115/12", date(2026, 12, 1), date(2026, 12, 31)),
    ("2027-02", date(2027, 2, 1), date(2027, 2, 28)),
    ("12月", date(2026, 12, 1), date(2026, 12, 31)),
    ("10月", date(2027, 10, 1), date(2027, 10, 31)),                # the next October
    ("115年12月至116年2月", date(2026, 12, 1), date(2027, 2, 28)),
])
def test_periods_as_written(text, start, end):
    period = periods.parse_period(text, TODAY)
    assert period.ok and (period.start, period.end) == (start, end)


@pytest.mark.parametrize(("text", "says"), [
    ("115/12/31-115/12/1", "早於開始日"),
    ("115/12/5", "要有起訖"),
    ("下個月", "看不懂期間"),
    ("115/1/1-116/6/30", "一年以內"),
    ("", "請寫期間"),
])
def test_bad_periods_are_explained(text, says):
    period = periods.parse_period(text, TODAY)
    assert not period.ok and says in (period.error or "")


@pytest.mark.parametrize(("argument", "start", "end", "deadline"), [
    ("115/12/1-115/12/31 115/11/30", date(2026, 12, 1), date(2026, 12, 31), date(2026, 11, 30)),
    ("115/12/1 - 115/12/31 截止 11/30", date(2026, 12, 1), date(2026, 12, 31), date(2026, 11, 30)),
    ("12月 截止日:115/11/30(一)", date(2026, 12, 1), date(2026, 12, 31), date(2026, 11, 30)),
    ("115年12月 11/30前", date(2026, 12, 1), date(2026, 12, 31), date(2026, 11, 30)),
    ("115年12月 截止下週一", date(2026, 12, 1), date(2026, 12, 31), date(2026, 11, 30)),
])
def test_call_terms(argument, start, end, deadline):
    terms = periods.parse_call(argument, TODAY)
    assert terms.error is None
    assert (terms.period.start, terms.period.end, terms.deadline) == (start, end, deadline)


@pytest.mark.parametrize(("argument", "says"), [
    ("", "請寫期間與截止日"),
    ("115/12/1-115/12/31", "請寫期間與截止日"),
    ("115/12/1-115/12/31 115/11/20", "已過"),
    ("115/12/1-115/12/31 明年", "截止日"),
    ("某某 115/11/30", "期間"),
])
def test_bad_call_terms_are_explained(argument, says):
    assert says in (periods.parse_call(argument, TODAY).error or "")


# ---------------------------------------------------------------------------- weeks, places, overlaps

def test_weeks_run_monday_to_sunday():
    days = [date(2026, 11, 29), date(2026, 11, 30), date(2026, 12, 6), date(2026, 12, 7)]
    weeks = periods.group_by_week(days, lambda d: d)
    assert [(monday, len(items)) for monday, items in weeks] == [
        (date(2026, 11, 23), 1), (date(2026, 11, 30), 2), (date(2026, 12, 7), 1)]


@pytest.mark.parametrize(("a", "b", "same"), [
    ("中壢區公所3樓", "中壢區公所 3 樓", True),
    ("中壢區公所3樓", "中壢區公所３樓禮堂", True),
    ("中壢區公所", "中壢區公所3樓", True),
    ("公所", "公所3樓", False),   # too short to tell
    ("中壢國小", "中壢國中", False),
])
def test_same_place(a, b, same):
    assert periods.same_place(a, b) is same


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 5, hour, minute, tzinfo=TAIPEI)


@pytest.mark.parametrize(("a", "b", "overlap"), [
    ((_at(14), _at(16)), (_at(15), _at(17)), True),
    ((_at(14), _at(16)), (_at(16), _at(17)), False),   # back to back is fine
    ((_at(14), None), (_at(14, 30), _at(15)), True),   # no end: an hour is assumed for the warning
    ((_at(14), None), (_at(15), None), False),
])
def test_overlaps(a, b, overlap):
    assert periods.overlaps(a, b) is overlap


# ---------------------------------------------------------------------------- moments

def test_announcement_moves_back_to_a_working_morning():
    # Activity on Tue 12/8: three days before is Sat 12/5, so Friday 12/4 09:00.
    assert periods.announce_moment(date(2026, 12, 8), 3, TW) == datetime(2026, 12, 4, 9, tzinfo=TAIPEI)
    assert periods.announce_moment(date(2026, 12, 8), 3, NoCalendar()) == datetime(2026, 12, 5, 9, tzinfo=TAIPEI)
    # 10/13 minus 3 days is Sat 10/10 (National Day), observed on Fri 10/9: Thursday 10/8.
    assert periods.announce_moment(date(2026, 10, 13), 3, TW) == datetime(2026, 10, 8, 9, tzinfo=TAIPEI)


def test_call_reminders_and_report_fall_on_working_days():
    moments = periods.call_reminder_moments(date(2026, 11, 30), TW)  # deadline Monday
    assert moments == [datetime(2026, 11, 27, 9, 30, tzinfo=TAIPEI), datetime(2026, 11, 30, 9, 30, tzinfo=TAIPEI)]
    assert periods.call_report_moment(date(2026, 11, 30), TW) == datetime(2026, 12, 1, 9, tzinfo=TAIPEI)
    # A Friday deadline reports on Monday.
    assert periods.call_report_moment(date(2026, 12, 4), TW) == datetime(2026, 12, 7, 9, tzinfo=TAIPEI)


@pytest.mark.parametrize(("setting", "expected"), [
    ("", None), ("mon 08:30", (0, time(8, 30))), ("週五 17:00", (4, time(17))), ("星期一 8:30", (0, time(8, 30))),
    ("Friday 09:00", (4, time(9))),
])
def test_digest_setting(setting, expected):
    assert periods.parse_digest(setting) == expected


@pytest.mark.parametrize("setting", ["monday", "mon 25:00", "每週一", "xyz 08:30"])
def test_unreadable_digest_setting_is_refused(setting):
    with pytest.raises(ValueError, match="CALENDAR_DIGEST"):
        periods.parse_digest(setting)


def test_digest_moments_are_this_week_and_next():
    now = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)  # Wednesday
    assert periods.digest_moments(0, time(8, 30), now) == [
        datetime(2026, 11, 23, 8, 30, tzinfo=TAIPEI), datetime(2026, 11, 30, 8, 30, tzinfo=TAIPEI)]
