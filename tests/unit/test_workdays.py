"""Taiwan workdays, quiet hours and deferral (rules/workdays.py)."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

import holidays
import pytest

from rules.dates import TAIPEI
from rules.workdays import (
    MAKEUP_WORKDAYS,
    NoCalendar,
    QuietHours,
    TaiwanCalendar,
    calendar_from_setting,
    day_off,
    defer_for_people,
    next_working_moment,
    working_hours,
)

TW = TaiwanCalendar()
NIGHT = QuietHours(time(21, 0), time(8, 0))


def at(*args: int) -> datetime:
    """Build an aware Taipei datetime."""
    return datetime(*args, tzinfo=TAIPEI)


# ---------------------------------------------------------------------------
# TaiwanCalendar
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("d", "workday", "why"),
    [
        (date(2026, 1, 1), False, "中華民國開國紀念日"),
        (date(2026, 1, 2), True, "ordinary Friday"),
        (date(2026, 2, 13), True, "Friday before Lunar New Year is worked"),
        (date(2026, 2, 14), False, "Saturday"),
        (date(2026, 2, 15), False, "Sunday, 小年夜 (new from 2026)"),
        (date(2026, 2, 16), False, "農曆除夕"),
        (date(2026, 2, 17), False, "春節"),
        (date(2026, 2, 18), False, "春節"),
        (date(2026, 2, 19), False, "春節"),
        (date(2026, 2, 20), False, "除夕 falling on Sunday, observed on Friday"),
        (date(2026, 2, 23), True, "first workday after Lunar New Year"),
        (date(2026, 2, 27), False, "和平紀念日 observed (28th is a Saturday)"),
        (date(2026, 4, 3), False, "兒童節 observed"),
        (date(2026, 4, 6), False, "民族掃墓節 observed"),
        (date(2026, 5, 1), False, "勞動節 is a public holiday for everyone from 2026"),
        (date(2025, 5, 1), True, "勞動節 2025 was not a day off for government offices"),
        (date(2026, 6, 19), False, "端午節"),
        (date(2026, 9, 3), True, "軍人節 is only a military holiday"),
        (date(2026, 9, 25), False, "中秋節"),
        (date(2026, 9, 28), False, "孔子誕辰紀念日 (public holiday from 2025)"),
        (date(2026, 10, 9), False, "國慶日 observed"),
        (date(2026, 10, 10), False, "國慶日 (Saturday)"),
        (date(2026, 10, 26), False, "光復節 observed"),
        (date(2026, 12, 25), False, "行憲紀念日"),
        (date(2026, 11, 24), True, "ordinary Tuesday"),
        (date(2026, 11, 28), False, "ordinary Saturday"),
        (date(2026, 11, 29), False, "ordinary Sunday"),
        (date(2025, 1, 27), False, "bridge day (彈性放假)"),
        (date(2025, 2, 8), True, "make-up workday (補班) on a Saturday"),
        (date(2025, 2, 15), False, "ordinary Saturday in 2025"),
    ],
)
def test_taiwan_calendar(d: date, workday: bool, why: str) -> None:
    assert TW.is_workday(d) is workday, why


def test_holiday_names_are_zh_tw() -> None:
    assert TW.holiday_name(date(2026, 10, 10)) == "國慶日"
    assert TW.holiday_name(date(2026, 1, 1)) == "中華民國開國紀念日"
    assert TW.holiday_name(date(2026, 11, 24)) is None


def test_makeup_workday_detection() -> None:
    assert TW.is_makeup_workday(date(2025, 2, 8))
    assert not TW.is_makeup_workday(date(2025, 2, 15))
    assert not TW.is_makeup_workday(date(2025, 2, 7))  # a weekday is not a make-up day


@pytest.mark.parametrize("year", sorted(MAKEUP_WORKDAYS))
def test_makeup_table_matches_the_package(year: int) -> None:
    # If a holidays upgrade adds or drops a 補班 Saturday, this table and its comments need a look.
    carried = {d for d in holidays.country_holidays("TW", years=year).weekend_workdays if d.year == year}
    assert carried == set(MAKEUP_WORKDAYS[year])


def test_extra_days_for_typhoons_and_new_calendars() -> None:
    cal = TaiwanCalendar(extra_days_off=frozenset({date(2026, 11, 24)}),
                         extra_workdays=frozenset({date(2026, 11, 28)}))
    assert not cal.is_workday(date(2026, 11, 24))
    assert cal.is_workday(date(2026, 11, 28))
    assert cal.is_makeup_workday(date(2026, 11, 28))


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (at(2026, 11, 24, 7, 0), at(2026, 11, 24, 8, 0)),  # before the morning: same day
        (at(2026, 11, 24, 8, 0), at(2026, 11, 24, 8, 0)),  # exactly the morning
        (at(2026, 11, 24, 8, 1), at(2026, 11, 25, 8, 0)),
        (at(2026, 11, 27, 18, 0), at(2026, 11, 30, 8, 0)),  # Friday evening -> Monday
        (at(2026, 2, 13, 18, 0), at(2026, 2, 23, 8, 0)),  # across Lunar New Year
        (at(2025, 2, 7, 18, 0), at(2025, 2, 8, 8, 0)),  # a 補班 Saturday is a working morning
    ],
)
def test_next_work_morning(after: datetime, expected: datetime) -> None:
    assert TW.next_work_morning(after) == expected


def test_next_work_morning_converts_to_taipei() -> None:
    # 23:00 UTC Monday is 07:00 Tuesday in Taipei
    result = TW.next_work_morning(datetime(2026, 11, 23, 23, 0, tzinfo=timezone.utc))
    assert result == at(2026, 11, 24, 8, 0)
    assert result.tzinfo == TAIPEI


def test_no_calendar_treats_every_day_as_workday() -> None:
    cal = NoCalendar()
    assert cal.is_workday(date(2026, 1, 1))
    assert cal.is_workday(date(2026, 11, 28))
    assert cal.next_work_morning(at(2026, 11, 27, 18, 0)) == at(2026, 11, 28, 8, 0)


@pytest.mark.parametrize(("value", "kind"), [("taiwan", TaiwanCalendar), ("", TaiwanCalendar),
                                             ("TW", TaiwanCalendar), ("none", NoCalendar)])
def test_calendar_from_setting(value: str, kind: type) -> None:
    assert isinstance(calendar_from_setting(value), kind)


def test_calendar_from_setting_rejects_unknown() -> None:
    with pytest.raises(ValueError):
        calendar_from_setting("japan")


# ---------------------------------------------------------------------------
# Quiet hours
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21:00-08:00", NIGHT),
        (" 22:30 - 7:00 ", QuietHours(time(22, 30), time(7, 0))),
        ("22:00~06:00", QuietHours(time(22, 0), time(6, 0))),
        ("12:00-13:00", QuietHours(time(12, 0), time(13, 0))),
        ("", None),
        ("   ", None),
    ],
)
def test_quiet_hours_parse(text: str, expected: QuietHours | None) -> None:
    assert QuietHours.parse(text) == expected


@pytest.mark.parametrize("text", ["21:00", "21-08", "25:00-08:00", "21:00-08:60", "21:00-21:00", "晚上9點-8點"])
def test_quiet_hours_parse_errors(text: str) -> None:
    with pytest.raises(ValueError):
        QuietHours.parse(text)


@pytest.mark.parametrize(
    ("dt", "quiet"),
    [
        (at(2026, 11, 24, 20, 59), False),
        (at(2026, 11, 24, 21, 0), True),
        (at(2026, 11, 24, 23, 59), True),
        (at(2026, 11, 25, 0, 0), True),
        (at(2026, 11, 25, 7, 59), True),
        (at(2026, 11, 25, 8, 0), False),
        (at(2026, 11, 25, 12, 0), False),
        (datetime(2026, 11, 24, 13, 30, tzinfo=timezone.utc), True),  # 21:30 in Taipei
    ],
)
def test_is_quiet_across_midnight(dt: datetime, quiet: bool) -> None:
    assert NIGHT.is_quiet(dt) is quiet


def test_is_quiet_same_day_window() -> None:
    lunch = QuietHours(time(12, 0), time(13, 0))
    assert lunch.is_quiet(at(2026, 11, 24, 12, 30))
    assert not lunch.is_quiet(at(2026, 11, 24, 13, 0))
    assert not lunch.is_quiet(at(2026, 11, 24, 11, 59))


@pytest.mark.parametrize(
    ("dt", "expected"),
    [
        (at(2026, 11, 24, 22, 0), at(2026, 11, 25, 8, 0)),
        (at(2026, 11, 25, 3, 0), at(2026, 11, 25, 8, 0)),
        (at(2026, 11, 25, 10, 0), at(2026, 11, 25, 10, 0)),  # not quiet: unchanged
    ],
)
def test_quiet_hours_end(dt: datetime, expected: datetime) -> None:
    assert NIGHT.ends_after(dt) == expected


# ---------------------------------------------------------------------------
# defer_for_people
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("when", "quiet", "expected", "why"),
    [
        (at(2026, 11, 24, 10, 0), NIGHT, at(2026, 11, 24, 10, 0), "working hours: unchanged"),
        (at(2026, 11, 24, 20, 59), NIGHT, at(2026, 11, 24, 20, 59), "just before quiet hours"),
        (at(2026, 11, 24, 22, 0), NIGHT, at(2026, 11, 25, 8, 0), "across midnight to the next morning"),
        (at(2026, 11, 25, 0, 30), NIGHT, at(2026, 11, 25, 8, 0), "after midnight: the same morning"),
        (at(2026, 11, 25, 6, 0), NIGHT, at(2026, 11, 25, 8, 0), "early morning"),
        (at(2026, 11, 27, 22, 0), NIGHT, at(2026, 11, 30, 8, 0), "Friday night -> Monday"),
        (at(2026, 11, 28, 10, 0), NIGHT, at(2026, 11, 30, 8, 0), "Saturday daytime -> Monday"),
        (at(2026, 11, 28, 10, 0), None, at(2026, 11, 30, 8, 0), "no quiet hours, still not on a day off"),
        (at(2026, 11, 24, 22, 0), None, at(2026, 11, 24, 22, 0), "no quiet hours on a workday"),
        (at(2026, 2, 13, 22, 0), NIGHT, at(2026, 2, 23, 8, 0), "across the Lunar New Year long weekend"),
        (at(2026, 10, 8, 21, 30), NIGHT, at(2026, 10, 12, 8, 0), "across the National Day long weekend"),
        (at(2026, 1, 1, 9, 0), NIGHT, at(2026, 1, 2, 8, 0), "New Year's Day"),
        (at(2025, 2, 7, 23, 0), NIGHT, at(2025, 2, 8, 8, 0), "a 補班 Saturday is a working morning"),
        (at(2026, 11, 24, 22, 0), QuietHours(time(21), time(9)), at(2026, 11, 25, 9, 0),
         "quiet hours ending after work_start win"),
        (at(2026, 11, 24, 12, 30), QuietHours(time(12), time(13)), at(2026, 11, 24, 13, 0),
         "a lunchtime window ends the same day"),
    ],
)
def test_defer_for_people(when: datetime, quiet: QuietHours | None, expected: datetime, why: str) -> None:
    result = defer_for_people(when, quiet=quiet, calendar=TW, not_after=None)
    assert result == expected, why
    assert result.tzinfo == TAIPEI


def test_defer_converts_from_utc() -> None:
    # 14:00 UTC = 22:00 Taipei
    result = defer_for_people(datetime(2026, 11, 24, 14, 0, tzinfo=timezone.utc), quiet=NIGHT, calendar=TW)
    assert result == at(2026, 11, 25, 8, 0)


def test_defer_respects_custom_work_start() -> None:
    result = defer_for_people(at(2026, 11, 24, 22, 0), quiet=NIGHT, calendar=TW, work_start=time(9, 0))
    assert result == at(2026, 11, 25, 9, 0)


def test_defer_with_no_calendar_only_leaves_quiet_hours() -> None:
    result = defer_for_people(at(2026, 11, 27, 22, 0), quiet=NIGHT, calendar=NoCalendar())
    assert result == at(2026, 11, 28, 8, 0)


@pytest.mark.parametrize(
    ("when", "not_after", "expected", "why"),
    [
        # Saturday event at 10:00; the reminder at Friday 22:00 cannot wait for Monday.
        (at(2026, 11, 27, 22, 0), at(2026, 11, 28, 10, 0), at(2026, 11, 28, 8, 0),
         "leave quiet hours only: Saturday 08:00 is still before the event"),
        (at(2026, 11, 28, 6, 0), at(2026, 11, 28, 7, 0), at(2026, 11, 28, 6, 0),
         "even the end of quiet hours is too late: keep the original time"),
        (at(2026, 11, 28, 9, 0), at(2026, 11, 28, 10, 0), at(2026, 11, 28, 9, 0),
         "a day off outside quiet hours: keep the original time"),
        (at(2026, 2, 13, 22, 0), at(2026, 2, 16, 9, 0), at(2026, 2, 14, 8, 0),
         "an event during Lunar New Year: out of quiet hours, before the event"),
        (at(2026, 11, 24, 22, 0), at(2026, 11, 25, 8, 0), at(2026, 11, 25, 8, 0),
         "deferral landing exactly on not_after is allowed"),
        (at(2026, 11, 24, 22, 0), at(2026, 11, 26, 14, 0), at(2026, 11, 25, 8, 0),
         "not_after far enough: ordinary deferral"),
    ],
)
def test_not_after_prevents_deferral_past_the_event(when: datetime, not_after: datetime,
                                                    expected: datetime, why: str) -> None:
    assert defer_for_people(when, quiet=NIGHT, calendar=TW, not_after=not_after) == expected, why


def test_defer_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        defer_for_people(datetime(2026, 11, 24, 22, 0), quiet=NIGHT, calendar=TW)


# ---------------------------------------------------------------------------
# Working hours (一般 requests wait for them)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("dt", "inside"),
    [
        (at(2026, 11, 24, 8, 29), False),
        (at(2026, 11, 24, 8, 30), True),
        (at(2026, 11, 24, 12, 0), True),
        (at(2026, 11, 24, 17, 29), True),
        (at(2026, 11, 24, 17, 30), False),
        (at(2026, 11, 28, 10, 0), False),  # Saturday
        (at(2026, 10, 9, 10, 0), False),  # National Day observed
        (at(2025, 2, 8, 10, 0), True),  # 補班
    ],
)
def test_working_hours(dt: datetime, inside: bool) -> None:
    assert working_hours(dt, TW) is inside


@pytest.mark.parametrize(
    ("dt", "expected"),
    [
        (at(2026, 11, 24, 10, 0), at(2026, 11, 24, 10, 0)),
        (at(2026, 11, 24, 7, 0), at(2026, 11, 24, 8, 30)),
        (at(2026, 11, 24, 18, 0), at(2026, 11, 25, 8, 30)),
        (at(2026, 11, 27, 17, 30), at(2026, 11, 30, 8, 30)),
        (at(2026, 11, 28, 7, 0), at(2026, 11, 30, 8, 30)),
        (at(2026, 2, 13, 17, 45), at(2026, 2, 23, 8, 30)),
    ],
)
def test_next_working_moment(dt: datetime, expected: datetime) -> None:
    assert next_working_moment(dt, TW) == expected


def test_working_hours_custom_window() -> None:
    assert working_hours(at(2026, 11, 24, 8, 0), TW, start=time(8, 0), end=time(17, 0))
    assert next_working_moment(at(2026, 11, 24, 17, 0), TW, start=time(8, 0), end=time(17, 0)) == at(
        2026, 11, 25, 8, 0
    )


@pytest.mark.parametrize(("day", "said"), [
    (date(2026, 12, 5), "115年12月5日(六)是週六，非上班日"),
    (date(2026, 12, 6), "115年12月6日(日)是週日，非上班日"),
    (date(2026, 10, 10), "115年10月10日(六)是國慶日，政府機關放假"),
    (date(2027, 2, 8), "116年2月8日(一)是春節，政府機關放假"),
    (date(2026, 12, 3), None),
    (date(2025, 2, 8), None),  # a make-up Saturday (補班) is a workday
])
def test_day_off_says_why(day: date, said: str | None) -> None:
    assert day_off(day, TaiwanCalendar()) == said
    assert day_off(day, NoCalendar()) is None
