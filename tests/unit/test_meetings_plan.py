"""Pure meeting logic (rules/meetings/plan.py): reminder moments, deferral, one-line commands, tier words."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from rules.meetings.plan import (
    Kind,
    canonical_number,
    find_types,
    lead_token,
    meeting_plan,
    next_month,
    parse_picker,
    parse_schedule_line,
    policy_from_settings,
    previous_workday,
    progress_key,
    progress_moment,
    relative_phrase,
    split_owners,
)
from rules.dates import TAIPEI
from rules.meetings.cycles import derived_deadlines, load_meeting_types
from rules.workdays import TaiwanCalendar

TYPES = load_meeting_types(yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "data" / "meeting_types" / "taoyuan.yaml").read_text(encoding="utf-8")))
DEFAULT = policy_from_settings("7d,1d,2h", "21:00-08:00", "TW")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TAIPEI)  # a Tuesday


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TAIPEI)


def plan_of(start: datetime, now: datetime = NOW, policy=DEFAULT, type_key: str = "district_liaison"):
    deadlines = {d.kind.value: d.due for d in derived_deadlines(TYPES[type_key], start, policy.calendar)}
    planned = meeting_plan(start, now, policy, deadlines.get("minutes"), deadlines.get("case_submission"))
    return {p.key: p.due_at for p in planned}, {p.key: p for p in planned}


def test_district_liaison_plan_on_workdays():
    moments, rows = plan_of(at(2026, 12, 15, 14, 0))  # Tuesday
    assert moments == {
        "lead:7d": at(2026, 12, 8, 14, 0),
        "lead:1d": at(2026, 12, 14, 14, 0),
        "lead:2h": at(2026, 12, 15, 12, 0),
        "review": at(2026, 12, 14, 9, 0),
        # Minutes due Tue 12/22 17:30; two days before is a Sunday, so Monday at the start of work.
        "minutes": at(2026, 12, 21, 8, 0),
    }
    assert rows["lead:2h"].kind == Kind.LEAD and rows["lead:2h"].not_after == at(2026, 12, 15, 14, 0)
    assert rows["minutes"].kind == Kind.MINUTES and rows["minutes"].not_after == at(2026, 12, 22, 17, 30)


def test_holiday_moves_a_lead_to_the_next_working_morning():
    # 2026-10-09 (Fri) is the observed National Day holiday: the 7-day lead moves to Monday 08:00.
    moments, _ = plan_of(at(2026, 10, 16, 14, 0), now=at(2026, 10, 1, 10, 0))
    assert moments["lead:7d"] == at(2026, 10, 12, 8, 0)


def test_lunar_new_year_moves_the_case_submission_notice():
    # Case conference 2027-03-16: cases due 2/16; a week before is 2/9, inside the 2027 Lunar New Year break.
    moments, rows = plan_of(at(2027, 3, 16, 14, 0), type_key="case_conference")
    assert moments["cases"] == at(2027, 2, 11, 8, 0)
    assert rows["cases"].not_after == at(2027, 2, 16, 17, 30)


def test_quiet_hours_defer_an_early_lead_but_never_past_the_meeting():
    moments, _ = plan_of(at(2026, 12, 2, 9, 0))  # 2h before is 07:00, inside 21:00-08:00
    assert moments["lead:2h"] == at(2026, 12, 2, 8, 0)
    moments, _ = plan_of(at(2026, 12, 2, 7, 30))  # nothing acceptable before 07:30: sent at 05:30 anyway
    assert moments["lead:2h"] == at(2026, 12, 2, 5, 30)


def test_saturday_meeting_keeps_its_leads_before_the_meeting():
    moments, _ = plan_of(at(2026, 12, 5, 14, 0))  # the example, a Saturday
    assert moments["lead:7d"] == at(2026, 11, 30, 8, 0)  # Sat 11/28 -> Mon 11/30
    assert moments["lead:2h"] == at(2026, 12, 5, 12, 0)  # Monday would be after the meeting: kept
    assert moments["review"] == at(2026, 12, 4, 9, 0)  # the workday before


def test_no_quiet_hours_and_no_calendar():
    policy = policy_from_settings("7d,1d,2h", "", "none")
    moments, _ = plan_of(at(2026, 10, 16, 8, 0), now=at(2026, 10, 1, 10, 0), policy=policy)
    assert moments["lead:7d"] == at(2026, 10, 9, 8, 0)
    assert moments["lead:2h"] == at(2026, 10, 16, 6, 0)


def test_moments_already_past_are_left_out():
    moments, _ = plan_of(at(2026, 11, 26, 10, 0))  # two days ahead: no 7-day lead
    assert "lead:7d" not in moments and set(moments) >= {"lead:1d", "lead:2h", "review", "minutes"}


def test_custom_leads_have_stable_keys():
    policy = policy_from_settings("1w,36h,90m", "", "none")
    moments, _ = plan_of(at(2026, 12, 15, 14, 0), policy=policy)
    assert {k for k in moments if k.startswith("lead:")} == {"lead:7d", "lead:36h", "lead:90m"}
    assert lead_token(timedelta(days=1)) == "1d" and lead_token(timedelta(minutes=45)) == "45m"


def test_progress_requests_monthly_on_the_first_workday_morning():
    assert next_month(date(2026, 12, 15)) == date(2027, 1, 1)
    assert next_month(date(2026, 11, 30)) == date(2026, 12, 1)
    assert progress_key(3, date(2027, 1, 1)) == "tracked:3:progress:2027-01"
    assert progress_moment(date(2026, 12, 1), DEFAULT) == (at(2026, 12, 1, 9, 0), at(2026, 12, 10, 17, 30))
    # 1/1 is a holiday and 1/2-1/3 a weekend; 3/1/2027 is the observed Peace Memorial Day.
    assert progress_moment(date(2027, 1, 1), DEFAULT)[0] == at(2027, 1, 4, 8, 0)
    assert progress_moment(date(2027, 3, 1), DEFAULT)[0] == at(2027, 3, 2, 8, 0)


def test_previous_workday_skips_weekends_and_holidays():
    calendar = TaiwanCalendar()
    assert previous_workday(date(2026, 12, 14), calendar) == date(2026, 12, 11)
    assert previous_workday(date(2027, 2, 11), calendar) == date(2027, 2, 3)


@pytest.mark.parametrize("line, key, start, place, agenda", [
    ("區級聯繫會議 115/12/5 14:00 本所3樓簡報室", "district_liaison", at(2026, 12, 5, 14, 0), "本所3樓簡報室", ""),
    ("區級聯繫會議 115年12月5日 下午2時 本所3樓簡報室 議程：年度工作報告", "district_liaison",
     at(2026, 12, 5, 14, 0), "本所3樓簡報室", "年度工作報告"),
    ("個案研討 2027-03-16 14:00 中壢家庭服務中心", "case_conference", at(2027, 3, 16, 14, 0), "中壢家庭服務中心", ""),
    ("district_liaison １１５/１２/５ １４：００ 區公所", "district_liaison", at(2026, 12, 5, 14, 0), "區公所", ""),
])
def test_one_line_reads(line, key, start, place, agenda):
    read = parse_schedule_line(line, NOW, TYPES)
    assert read.error is None
    assert (read.meeting_type.key, read.start, read.place, read.agenda) == (key, start, place, agenda)


@pytest.mark.parametrize("line, says", [
    ("115/12/5 14:00 本所", "會議類型"),
    ("聯繫會議 115/12/5 14:00 本所", "府級聯繫會議、區級聯繫會議"),
    ("區級聯繫會議 115/12/5 本所", "開始時間"),
    ("區級聯繫會議 115/12/5 14:00", "地點"),
    ("區級聯繫會議 115/11/20 14:00 本所", "已經過了"),
    ("區級聯繫會議 115/13/5 14:00 本所", "不存在"),
    ("區級聯繫會議 115/12/5 2:00 本所", "清晨還是下午"),
])
def test_one_line_errors_explain(line, says):
    read = parse_schedule_line(line, NOW, TYPES)
    assert read.error is not None and says in read.error


def test_tier_words_and_picker_and_owners():
    assert [t.key for t in find_types(TYPES, "專案工作小組")] == ["project_group"]
    assert len(find_types(TYPES, "聯繫會議")) == 2 and find_types(TYPES, "讀書會") == []
    assert parse_picker("2026-12-05T14:00") == at(2026, 12, 5, 14, 0)
    assert parse_picker("12/5") is None
    assert split_owners("分局、家服中心/衛生所，就服處") == ["分局", "家服中心", "衛生所", "就服處"]


@pytest.mark.parametrize("typed, number", [
    ("1151215-1", "1151215-1"), ("１１５１２１５－０１", "1151215-1"), (" 1151215 - 12 ", "1151215-12"),
    ("1151315-1", None), ("115/12/15-1", None), ("1151215", None),
])
def test_case_numbers_as_typed(typed, number):
    assert canonical_number(typed) == number


def test_relative_phrases():
    start = at(2026, 12, 15, 14, 0)
    assert relative_phrase(start, at(2026, 12, 8, 14, 0)) == "7天後"
    assert relative_phrase(start, at(2026, 12, 14, 14, 0)) == "明天"
    assert relative_phrase(start, at(2026, 12, 15, 12, 0)) == "2小時後"
    assert relative_phrase(start, at(2026, 12, 15, 13, 30)) == "30分鐘後"
