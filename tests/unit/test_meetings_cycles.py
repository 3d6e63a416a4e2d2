"""Meeting tiers, cycles, derived deadlines and reminder leads (rules/meetings/cycles.py)."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from rules.dates import TAIPEI
from rules.meetings.cycles import (
    Deadline,
    DeadlineKind,
    MeetingType,
    current_period,
    derived_deadlines,
    load_meeting_types,
    missing_cycle,
    parse_leads,
    reminder_times,
)
from rules.workdays import NoCalendar, TaiwanCalendar

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "meeting_types" / "taoyuan.yaml"
RAW: dict[str, Any] = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
TYPES = load_meeting_types(RAW)
CITY = TYPES["city_liaison"]
DISTRICT = TYPES["district_liaison"]
CASES = TYPES["case_conference"]
PROJECT = TYPES["project_group"]


def at(*args: int) -> datetime:
    """Build an aware Taipei datetime."""
    return datetime(*args, tzinfo=TAIPEI)


# ---------------------------------------------------------------------------
# Loading the Taoyuan data file (109 plan)
# ---------------------------------------------------------------------------

def test_taoyuan_tiers_match_the_plan() -> None:
    assert set(TYPES) == {"city_liaison", "district_liaison", "case_conference", "project_group"}
    assert [(t.name, t.period_months, t.secretariat) for t in TYPES.values()] == [
        ("府級聯繫會議", 4, "社會局"),
        ("區級聯繫會議", 4, "區公所"),
        ("區級個案研討會議", 3, "家庭服務中心"),
        ("專案工作小組", 1, "社會局"),
    ]
    assert DISTRICT.due_months == (4, 7, 11)
    assert CASES.due_months == (3, 6, 9, 11)
    assert all(t.minutes_due_days == 7 for t in TYPES.values())
    assert CASES.case_submission_lead == 1
    assert DISTRICT.case_submission_lead is None
    assert DISTRICT.minutes_to == "社會局"
    assert CITY.minutes_to is None


@pytest.mark.parametrize(
    ("meeting_type", "months"),
    [(CITY, (4, 8, 12)), (DISTRICT, (4, 7, 11)), (CASES, (3, 6, 9, 11)), (PROJECT, tuple(range(1, 13)))],
)
def test_cycle_months(meeting_type: MeetingType, months: tuple[int, ...]) -> None:
    assert meeting_type.cycle_months() == months


def _broken(key: str, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(RAW)
    data["meeting_types"][key].update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({}, "meeting_types"),
        ({"meeting_types": {}}, "meeting_types"),
        ({"meeting_types": {"x": "not a mapping"}}, "must be a mapping"),
        (_broken("district_liaison", period_months=5), "divide 12"),
        (_broken("district_liaison", period_months="4"), "period_months must be a int"),
        (_broken("district_liaison", name=None), "name must be a str"),
        (_broken("district_liaison", due_months=[4, 7]), "3 cycles"),
        (_broken("district_liaison", due_months=[11, 7, 4]), "ascending"),
        (_broken("district_liaison", due_months=[4, 7, 13]), "months 1-12"),
        (_broken("case_conference", case_submission_lead=0), "case_submission_lead"),
        (_broken("case_conference", minutes_due_days=-7), "minutes_due_days"),
    ],
)
def test_load_meeting_types_rejects_bad_data(data: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        load_meeting_types(data)


def test_another_city_brings_its_own_cadence() -> None:
    types = load_meeting_types({"meeting_types": {
        "district": {"name": "區級聯繫會議", "period_months": 6, "due_months": [6, 12], "minutes_due_days": None},
    }})
    assert types["district"].minutes_due_days is None
    assert current_period(types["district"], date(2026, 8, 1)) == (date(2026, 7, 1), date(2026, 12, 31))
    assert derived_deadlines(types["district"], at(2026, 8, 1, 14)) == []


# ---------------------------------------------------------------------------
# Derived deadlines
# ---------------------------------------------------------------------------

def test_case_conference_deadlines() -> None:
    deadlines = derived_deadlines(CASES, at(2026, 12, 5, 14, 0))
    assert deadlines == [
        Deadline(DeadlineKind.CASE_SUBMISSION, at(2026, 11, 5, 17, 30),
                 "區級個案研討會議個案提報截止：115年11月5日（會議前1個月）"),
        Deadline(DeadlineKind.MINUTES, at(2026, 12, 12, 17, 30),
                 "區級個案研討會議會議紀錄函送社會局：115年12月12日前（會後7日內）"),
    ]


def test_district_liaison_has_minutes_only() -> None:
    deadlines = derived_deadlines(DISTRICT, at(2026, 11, 17, 14, 0))
    assert [(d.kind, d.due) for d in deadlines] == [(DeadlineKind.MINUTES, at(2026, 11, 24, 17, 30))]
    assert deadlines[0].label == "區級聯繫會議會議紀錄函送社會局：115年11月24日前（會後7日內）"


def test_city_minutes_label_without_recipient() -> None:
    (deadline,) = derived_deadlines(CITY, at(2026, 11, 17, 14, 0))
    assert deadline.label == "府級聯繫會議會議紀錄完成：115年11月24日前（會後7日內）"


@pytest.mark.parametrize(
    ("start", "submission"),
    [
        (at(2026, 3, 31, 14), date(2026, 2, 28)),  # clamp to February's end
        (at(2028, 3, 31, 14), date(2028, 2, 29)),
        (at(2026, 1, 15, 9), date(2025, 12, 15)),  # across the year
        (at(2026, 6, 10, 14), date(2026, 5, 10)),
    ],
)
def test_case_submission_one_calendar_month_before(start: datetime, submission: date) -> None:
    due = {d.kind: d.due for d in derived_deadlines(CASES, start)}
    assert due[DeadlineKind.CASE_SUBMISSION] == at(submission.year, submission.month, submission.day, 17, 30)


def test_deadlines_use_the_taipei_date() -> None:
    # 2026-12-04 18:00 UTC is 12-05 02:00 in Taipei: the meeting day is the 5th.
    deadlines = derived_deadlines(DISTRICT, datetime(2026, 12, 4, 18, 0, tzinfo=timezone.utc))
    assert deadlines[0].due == at(2026, 12, 12, 17, 30)


@pytest.mark.parametrize(
    ("start", "kind", "due"),
    [
        # 12/5 + 7 = Sat 12/12 -> Fri 12/11
        (at(2026, 12, 5, 14), DeadlineKind.MINUTES, at(2026, 12, 11, 17, 30)),
        # 3/31 - 1 month = Sat 2/28 (和平紀念日), Fri 2/27 observed -> Thu 2/26
        (at(2026, 3, 31, 14), DeadlineKind.CASE_SUBMISSION, at(2026, 2, 26, 17, 30)),
        # 10/2 + 7 = Fri 10/9 (國慶日 observed) -> Thu 10/8
        (at(2026, 10, 2, 14), DeadlineKind.MINUTES, at(2026, 10, 8, 17, 30)),
        # 3/10 + 7 = Tue 3/17, a workday: unchanged
        (at(2026, 3, 10, 14), DeadlineKind.MINUTES, at(2026, 3, 17, 17, 30)),
    ],
)
def test_deadlines_move_earlier_to_a_workday_with_a_calendar(start: datetime, kind: DeadlineKind,
                                                             due: datetime) -> None:
    deadlines = {d.kind: d for d in derived_deadlines(CASES, start, TaiwanCalendar())}
    assert deadlines[kind].due == due


def test_deadlines_with_no_calendar_are_calendar_days() -> None:
    deadlines = {d.kind: d for d in derived_deadlines(CASES, at(2026, 12, 5, 14), NoCalendar())}
    assert deadlines[DeadlineKind.MINUTES].due == at(2026, 12, 12, 17, 30)


def test_deadline_kind_values() -> None:
    assert DeadlineKind.MINUTES == "minutes"
    assert DeadlineKind.CASE_SUBMISSION == "case_submission"


# ---------------------------------------------------------------------------
# Current period and missing cycles
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("meeting_type", "today", "period"),
    [
        # district liaison: done by end of April, July, November -> Dec–Apr, May–Jul, Aug–Nov
        (DISTRICT, date(2026, 1, 5), (date(2025, 12, 1), date(2026, 4, 30))),
        (DISTRICT, date(2026, 4, 30), (date(2025, 12, 1), date(2026, 4, 30))),
        (DISTRICT, date(2026, 5, 1), (date(2026, 5, 1), date(2026, 7, 31))),
        (DISTRICT, date(2026, 8, 3), (date(2026, 8, 1), date(2026, 11, 30))),
        (DISTRICT, date(2026, 11, 24), (date(2026, 8, 1), date(2026, 11, 30))),
        (DISTRICT, date(2026, 12, 10), (date(2026, 12, 1), date(2027, 4, 30))),
        # case conference: March, June, September, November -> Dec–Mar, Apr–Jun, Jul–Sep, Oct–Nov
        (CASES, date(2026, 2, 1), (date(2025, 12, 1), date(2026, 3, 31))),
        (CASES, date(2026, 4, 1), (date(2026, 4, 1), date(2026, 6, 30))),
        (CASES, date(2026, 9, 30), (date(2026, 7, 1), date(2026, 9, 30))),
        (CASES, date(2026, 10, 1), (date(2026, 10, 1), date(2026, 11, 30))),
        (CASES, date(2026, 12, 31), (date(2026, 12, 1), date(2027, 3, 31))),
        # city liaison: every 4 months from January
        (CITY, date(2026, 1, 1), (date(2026, 1, 1), date(2026, 4, 30))),
        (CITY, date(2026, 11, 24), (date(2026, 9, 1), date(2026, 12, 31))),
        # project group: monthly
        (PROJECT, date(2026, 2, 14), (date(2026, 2, 1), date(2026, 2, 28))),
        (PROJECT, date(2026, 12, 31), (date(2026, 12, 1), date(2026, 12, 31))),
    ],
)
def test_current_period(meeting_type: MeetingType, today: date, period: tuple[date, date]) -> None:
    assert current_period(meeting_type, today) == period


@pytest.mark.parametrize(
    ("meeting_type", "today", "scheduled", "proposal"),
    [
        # nothing scheduled: the 15th of the due month
        (DISTRICT, date(2026, 8, 3), [], date(2026, 11, 15)),
        (CASES, date(2026, 4, 1), [], date(2026, 6, 15)),
        (CITY, date(2026, 9, 1), [], date(2026, 12, 15)),
        # two weeks from today when that is later
        (DISTRICT, date(2026, 11, 10), [], date(2026, 11, 24)),
        (PROJECT, date(2026, 2, 10), [], date(2026, 2, 24)),
        # never past the end of the period
        (DISTRICT, date(2026, 11, 24), [], date(2026, 11, 30)),
        (DISTRICT, date(2026, 11, 30), [], date(2026, 11, 30)),
        # one meeting in the period is enough
        (DISTRICT, date(2026, 8, 3), [date(2026, 9, 1)], None),
        (DISTRICT, date(2026, 8, 3), [date(2026, 8, 1)], None),  # first day of the period counts
        (DISTRICT, date(2026, 8, 3), [date(2026, 11, 30)], None),  # last day too
        # meetings outside the period do not count
        (DISTRICT, date(2026, 8, 3), [date(2026, 7, 31), date(2026, 12, 1)], date(2026, 11, 15)),
        (DISTRICT, date(2026, 12, 10), [date(2026, 11, 17)], date(2027, 4, 15)),
    ],
)
def test_missing_cycle(meeting_type: MeetingType, today: date, scheduled: list[date],
                       proposal: date | None) -> None:
    assert missing_cycle(meeting_type, today, scheduled) == proposal


@pytest.mark.parametrize(
    ("meeting_type", "today", "proposal"),
    [
        (DISTRICT, date(2026, 8, 3), date(2026, 11, 16)),  # Sun 11/15 -> Mon 11/16
        (CASES, date(2026, 7, 1), date(2026, 9, 15)),  # Tue: unchanged
        (CITY, date(2026, 9, 1), date(2026, 12, 15)),
        (PROJECT, date(2026, 2, 2), date(2026, 2, 23)),  # 2/16 is 除夕: after Lunar New Year, Mon 2/23
        (DISTRICT, date(2026, 11, 24), date(2026, 11, 30)),  # Mon 11/30, last day
        (CITY, date(2026, 12, 20), date(2026, 12, 31)),  # 12/31 is a Thursday workday
        (PROJECT, date(2026, 10, 20), date(2026, 10, 30)),  # Sat 10/31 -> back to Fri 10/30
    ],
)
def test_missing_cycle_on_a_workday(meeting_type: MeetingType, today: date, proposal: date) -> None:
    assert missing_cycle(meeting_type, today, [], TaiwanCalendar()) == proposal


# ---------------------------------------------------------------------------
# Reminder leads
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "leads"),
    [
        ("7d,1d,2h", [timedelta(days=7), timedelta(days=1), timedelta(hours=2)]),
        ("2h,7d,1d", [timedelta(days=7), timedelta(days=1), timedelta(hours=2)]),  # sorted, longest first
        ("1d, 1d, 24h", [timedelta(days=1)]),  # duplicates collapse
        ("1w 30m", [timedelta(weeks=1), timedelta(minutes=30)]),
        ("1d12h", [timedelta(days=1, hours=12)]),
        ("7天、1天、2小時", [timedelta(days=7), timedelta(days=1), timedelta(hours=2)]),
        ("1週，30分鐘", [timedelta(weeks=1), timedelta(minutes=30)]),
        ("１週，３０分鐘", [timedelta(weeks=1), timedelta(minutes=30)]),  # full-width
        ("2H,15MIN", [timedelta(hours=2), timedelta(minutes=15)]),
        ("", []),
        ("  ", []),
    ],
)
def test_parse_leads(text: str, leads: list[timedelta]) -> None:
    assert parse_leads(text) == leads


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("7", "看不懂提醒時間「7」"),
        ("7x", "看不懂提醒時間「7x」"),
        ("d", "看不懂提醒時間「d」"),
        ("1d,abc", "看不懂提醒時間「abc」"),
        ("-1d", "看不懂提醒時間"),
        ("1.5h", "看不懂提醒時間"),
        ("0h", "須大於0"),
    ],
)
def test_parse_leads_errors(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_leads(text)


def test_reminder_times() -> None:
    start = at(2026, 12, 5, 14, 0)
    assert reminder_times(start, parse_leads("7d,1d,2h")) == [
        at(2026, 11, 28, 14, 0), at(2026, 12, 4, 14, 0), at(2026, 12, 5, 12, 0),
    ]


def test_reminder_times_drop_the_past_and_duplicates() -> None:
    start = at(2026, 12, 5, 14, 0)
    leads = [timedelta(days=7), timedelta(days=1), timedelta(hours=24), timedelta(hours=2)]
    assert reminder_times(start, leads, now=at(2026, 12, 1, 9, 0)) == [at(2026, 12, 4, 14, 0), at(2026, 12, 5, 12, 0)]
    assert reminder_times(start, leads, now=at(2026, 12, 5, 13, 0)) == []


def test_reminder_times_are_taipei() -> None:
    result = reminder_times(datetime(2026, 12, 5, 6, 0, tzinfo=timezone.utc), [timedelta(hours=2)])
    assert result == [at(2026, 12, 5, 12, 0)]
    assert result[0].tzinfo == TAIPEI
