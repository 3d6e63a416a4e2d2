"""Pure rules of forms: definitions, answers, deadlines and when to chase (no database)."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from handlers.forms import export
from rules import forms as rules
from rules.forms import FieldKind, FieldSpec
from rules.dates import TAIPEI
from rules.privacy import KIND_LABELS, PublicDirectory, kinds_found, screen
from rules.workdays import NoCalendar, TaiwanCalendar

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TAIPEI)  # a Tuesday morning
CHOICE = FieldSpec("c", "合辦意願", FieldKind.SINGLE, options=("願意", "不願意"))
TOPICS = FieldSpec("t", "主題", FieldKind.MULTI, required=False, options=("家暴", "兒少", "自殺防治"))


def definition(**overrides) -> dict:
    data = {"title": "調查", "fields": [{"label": "名稱", "kind": "short"}]}
    data.update(overrides)
    return data


def test_templates_ship_and_parse():
    templates = rules.templates()
    three = rules.parse_definition(templates["three-phase"])
    assert [f.label for f in three.fields][:3] == ["事前預防", "事發當下因應處理", "事發後關懷輔導"]
    advocacy = rules.parse_definition(templates["advocacy"])
    assert {f.kind for f in advocacy.fields} >= {FieldKind.SHORT, FieldKind.DATE, FieldKind.MULTI}


def test_fields_round_trip_through_storage():
    spec = rules.parse_definition(definition(fields=[
        {"label": "人數", "kind": "number", "required": False, "help": "約略即可"},
        {"key": "pick", "label": "意願", "kind": "single", "options": ["是", "否"]}]))
    stored = rules.fields_json(spec)
    assert stored[0] == {"key": "q1", "label": "人數", "kind": "number", "required": False, "help": "約略即可"}
    assert rules.parse_fields(stored) == spec.fields


@pytest.mark.parametrize("data, message", [
    ({"fields": [{"label": "x"}]}, "標題"),
    (definition(title="長" * 61), "標題"),
    (definition(fields=[]), "至少要有一個題目"),
    (definition(fields=[{"label": "x", "kind": "essay"}]), "類型"),
    (definition(fields=[{"label": "x", "kind": "single", "options": ["a"]}]), "2 到 10 個"),
    (definition(fields=[{"label": "x", "kind": "multi", "options": ["a", "a"]}]), "不重複"),
    (definition(fields=[{"label": "x", "kind": "short", "options": ["a", "b"]}]), "不是選擇題"),
    (definition(fields=[{"key": "a", "label": "x"}, {"key": "a", "label": "y"}]), "重複"),
    (definition(fields=[{"key": "一", "label": "x"}]), "代號"),
    (definition(fields=[{"label": "x"}] * 21), "最多 20 題"),
])
def test_bad_definitions_are_explained(data, message):
    with pytest.raises(rules.SpecError, match=message):
        rules.parse_definition(data)


@pytest.mark.parametrize("field, typed, value", [
    (FieldSpec("n", "人數", FieldKind.NUMBER), "１２", 12),
    (FieldSpec("n", "人數", FieldKind.NUMBER), "1,200", 1200),
    (FieldSpec("n", "比例", FieldKind.NUMBER), "2.5", 2.5),
    (FieldSpec("d", "日期", FieldKind.DATE), "115/12/5", "2026-12-05"),
    (FieldSpec("d", "日期", FieldKind.DATE), "12月5日", "2026-12-05"),
    (CHOICE, "願意", "願意"),
    (CHOICE, "2", "不願意"),
    (TOPICS, "自殺防治、家暴", ["家暴", "自殺防治"]),
    (FieldSpec("s", "名稱", FieldKind.SHORT), "  親職講座 ", "親職講座"),
])
def test_answers_are_read_as_people_type_them(field, typed, value):
    assert rules.parse_answer(field, typed, TODAY) == rules.Parsed(value)


@pytest.mark.parametrize("field, typed, message", [
    (FieldSpec("n", "人數", FieldKind.NUMBER), "十二", "請輸入數字"),
    (FieldSpec("n", "人數", FieldKind.NUMBER), "nan", "請輸入數字"),
    (FieldSpec("d", "日期", FieldKind.DATE), "下週", "日期"),
    (CHOICE, "也許", "請從選項中選擇：願意、不願意"),
    (TOPICS, "家暴、毒品", "「毒品」不是選項"),
    (FieldSpec("s", "名稱", FieldKind.SHORT), "長" * 201, "200 字以內"),
    (FieldSpec("s", "名稱", FieldKind.SHORT), "   ", "請輸入內容"),
])
def test_unreadable_answers_say_why(field, typed, message):
    parsed = rules.parse_answer(field, typed, TODAY)
    assert not parsed.ok and message in (parsed.error or "")


def test_check_answers_reads_a_web_form_and_screens_personal_data():
    spec = rules.FormSpec("調查", "", (FieldSpec("s", "說明", FieldKind.LONG), CHOICE, TOPICS))
    public = PublicDirectory(phones=frozenset({"034220126"}))

    def refuse(field: FieldSpec, typed: str) -> str | None:  # what the privacy guard does, minus the audit
        kinds = kinds_found(screen(typed, public))
        return f"{field.label}：" + "、".join(KIND_LABELS[k] for k in kinds) if kinds else None
    answers, errors = rules.check_answers(spec, {"s": "請洽本中心 (03)422-0126", "c": "願意", "t": ["兒少"]},
                                          TODAY, refuse)
    assert errors == {} and answers == {"s": "請洽本中心 (03)422-0126", "c": "願意", "t": ["兒少"]}
    answers, errors = rules.check_answers(spec, {"s": "身分證 A123456789", "c": "", "t": []}, TODAY, refuse)
    assert "身分證字號" in errors["s"] and errors["c"] == "這題必填。" and "t" not in errors and answers == {}


@pytest.mark.parametrize("field, value, shown", [
    (FieldSpec("d", "日期", FieldKind.DATE), "2026-12-05", "115/12/05(六)"),
    (TOPICS, ["家暴", "兒少"], "家暴、兒少"),
    (CHOICE, None, "（未填）"),
])
def test_answers_are_shown_in_roc_dates_and_joined(field, value, shown):
    assert rules.display_value(field, value) == shown


def test_late_means_after_the_deadline_day_in_taipei():
    deadline = date(2026, 12, 1)
    assert not rules.is_late(datetime(2026, 12, 1, 23, 59, tzinfo=TAIPEI), deadline)
    assert rules.is_late(datetime(2026, 12, 2, 0, 0, tzinfo=TAIPEI), deadline)
    assert rules.days_left(NOW, deadline) == 7


def test_offsets_are_whole_days():
    assert rules.parse_offsets("1d, 3d,3d") == [3, 1]
    with pytest.raises(ValueError, match="whole days"):
        rules.parse_offsets("2h")


def local(moments: list[tuple[int, datetime]]) -> list[tuple[int, str]]:
    return [(offset, m.astimezone(TAIPEI).strftime("%m-%d %a %H:%M")) for offset, m in moments]


def test_reminders_fall_on_working_days_moved_back_from_weekends():
    moments = rules.reminder_moments(date(2026, 12, 1), [3, 1], 3, TaiwanCalendar(), NOW)
    assert local(moments) == [(3, "11-27 Fri 10:00"), (1, "11-30 Mon 10:00")]


def test_reminders_skip_taiwan_holidays():
    # National Day 2026 falls on a Saturday; Friday 10-09 is the day off in lieu.
    moments = rules.reminder_moments(date(2026, 10, 12), [1], 3, TaiwanCalendar(),
                                     datetime(2026, 10, 1, 9, 0, tzinfo=TAIPEI))
    assert local(moments) == [(1, "10-08 Thu 10:00")]


def test_reminders_are_capped_deduplicated_and_only_in_the_future():
    moments = rules.reminder_moments(date(2026, 12, 1), [7, 5, 3, 2, 1], 2, TaiwanCalendar(), NOW)
    # 7d is now (not in the future), 3d and 2d land on the same Friday, the cap keeps the nearest two.
    assert local(moments) == [(3, "11-27 Fri 10:00"), (1, "11-30 Mon 10:00")]
    assert rules.reminder_moments(date(2026, 12, 1), [3, 1], 0, TaiwanCalendar(), NOW) == []
    assert local(rules.reminder_moments(date(2026, 11, 24), [0], 3, NoCalendar(),
                                        datetime(2026, 11, 24, 9, 0, tzinfo=TAIPEI))) == [(0, "11-24 Tue 10:00")]


def test_summary_comes_at_the_first_office_hour_after_the_deadline():
    summary = rules.summary_moment(date(2026, 12, 4), TaiwanCalendar())  # a Friday deadline
    assert summary.astimezone(TAIPEI).strftime("%m-%d %a %H:%M") == "12-07 Mon 08:30"


def test_csv_defuses_formulas_and_keeps_chinese_readable_in_excel():
    table = export.Table("t", ["單位", "答"], [["分局", "=1+1"], ["衛生局", "-5 場"], ["家服", 3]], [], [])
    body = export.to_csv(table)
    assert body.startswith("\ufeff".encode())
    assert body.decode("utf-8-sig").splitlines() == ["單位,答", "分局,'=1+1", "衛生局,'-5 場", "家服,3"]
