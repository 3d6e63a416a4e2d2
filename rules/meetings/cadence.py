"""Meetings held against the required cadence, and minutes sent within their week (the programme's statistics).

The 109 plan asks a district liaison meeting done by the end of April, July and November, a case conference
in March, June, September and November, and the minutes of each sent to 社會局 within one week. A year's
cycles come from the tier's due months (`cycles.current_period`): each cycle is met by a meeting held in it.
Plain values in, plain values out; `today`/`now` are passed in.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from rules.meetings.cycles import MeetingType, _month_end, current_period


class CycleState(StrEnum):
    HELD = "held"          # a meeting was held in the cycle
    PLANNED = "planned"    # the cycle is running and a meeting is scheduled in it
    DUE = "due"            # the cycle is running and nothing is scheduled yet
    MISSED = "missed"      # the cycle ended with no meeting held
    AHEAD = "ahead"        # the cycle has not started


CYCLE_LABELS = {CycleState.HELD: "已召開", CycleState.PLANNED: "已排定", CycleState.DUE: "尚未排定",
                CycleState.MISSED: "未如期召開", CycleState.AHEAD: "尚未開始"}


class MinutesState(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    OVERDUE = "overdue"    # past its deadline and not sent
    WAITING = "waiting"    # not sent, still within its week


MINUTES_LABELS = {MinutesState.ON_TIME: "如期函送", MinutesState.LATE: "逾期函送", MinutesState.OVERDUE: "逾期未送",
                  MinutesState.WAITING: "期限內待送"}


@dataclass(frozen=True)
class Cycle:
    start: date
    end: date
    state: CycleState
    held: int  # meetings held in the cycle


def cycles_of_year(meeting_type: MeetingType, year: int) -> list[tuple[date, date]]:
    """The cycles that end in `year`, in order (district liaison 2026: 2025-12..04, 05..07, 08..11)."""
    return [current_period(meeting_type, _month_end(year, month)) for month in meeting_type.cycle_months()]


def cadence(meeting_type: MeetingType, year: int, meetings: list[date], today: date) -> list[Cycle]:
    """Each cycle of the year: held, planned, still due, missed or not started (`meetings`: days not cancelled)."""
    found = []
    for start, end in cycles_of_year(meeting_type, year):
        inside = [d for d in meetings if start <= d <= end]
        held = sum(1 for d in inside if d <= today)
        if held:
            state = CycleState.HELD
        elif today > end:
            state = CycleState.MISSED
        elif today < start:
            state = CycleState.AHEAD
        else:
            state = CycleState.PLANNED if inside else CycleState.DUE
        found.append(Cycle(start, end, state, held))
    return found


def minutes_state(due: datetime, sent: datetime | None, now: datetime) -> MinutesState:
    """Whether a held meeting's minutes went out within their deadline."""
    if sent is not None:
        return MinutesState.ON_TIME if sent <= due else MinutesState.LATE
    return MinutesState.OVERDUE if now > due else MinutesState.WAITING


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there was nothing to count."""
    return part / whole if whole else None
