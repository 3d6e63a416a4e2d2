"""Meetings held against the 109 plan's cadence, and minutes within their week (rules/meetings/cadence.py)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from rules.dates import TAIPEI
from rules.meetings.cadence import CycleState, MinutesState, cadence, cycles_of_year, minutes_state, share
from rules.meetings.cycles import MeetingType

LIAISON = MeetingType("district_liaison", "區級聯繫會議", "", 4, (4, 7, 11))
CONFERENCE = MeetingType("case_conference", "區級個案研討會議", "", 3, (3, 6, 9, 11))


def test_the_district_liaison_year_has_three_cycles_ending_april_july_november() -> None:
    assert cycles_of_year(LIAISON, 2026) == [(date(2025, 12, 1), date(2026, 4, 30)),
                                             (date(2026, 5, 1), date(2026, 7, 31)),
                                             (date(2026, 8, 1), date(2026, 11, 30))]


def test_case_conferences_have_four_cycles() -> None:
    assert [end for _, end in cycles_of_year(CONFERENCE, 2026)] == [
        date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30), date(2026, 11, 30)]


@pytest.mark.parametrize("meetings, today, expected", [
    ([date(2026, 3, 20), date(2026, 11, 5)], date(2026, 11, 24), [CycleState.HELD, CycleState.MISSED, CycleState.HELD]),
    ([date(2026, 11, 27)], date(2026, 11, 24), [CycleState.MISSED, CycleState.MISSED, CycleState.PLANNED]),
    ([], date(2026, 6, 1), [CycleState.MISSED, CycleState.DUE, CycleState.AHEAD]),
    ([date(2025, 12, 10)], date(2026, 1, 5), [CycleState.HELD, CycleState.AHEAD, CycleState.AHEAD]),
])
def test_each_cycle_is_met_by_a_meeting_held_in_it(meetings, today, expected) -> None:
    assert [c.state for c in cadence(LIAISON, 2026, meetings, today)] == expected


def test_minutes_within_their_week() -> None:
    due = datetime(2026, 11, 12, 17, 30, tzinfo=TAIPEI)
    assert minutes_state(due, due - timedelta(days=1), due + timedelta(days=9)) == MinutesState.ON_TIME
    assert minutes_state(due, due + timedelta(hours=1), due + timedelta(days=9)) == MinutesState.LATE
    assert minutes_state(due, None, due + timedelta(minutes=1)) == MinutesState.OVERDUE
    assert minutes_state(due, None, due - timedelta(days=2)) == MinutesState.WAITING


def test_a_share_of_nothing_is_unknown() -> None:
    assert share(3, 4) == 0.75 and share(0, 0) is None
