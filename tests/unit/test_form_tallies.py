"""Tallies per question (rules/form_tallies.py): choices counted, dates listed in order, numbers summed."""
from __future__ import annotations

from rules.form_tallies import MAX_DATES, Answered, tally_lines
from rules.forms import FieldKind, FieldSpec, FormSpec

SPEC = FormSpec("調查", fields=(
    FieldSpec("join", "是否願意合辦", FieldKind.SINGLE, options=("願意", "不願意")),
    FieldSpec("topics", "主題", FieldKind.MULTI, required=False, options=("家暴", "自殺", "兒少")),
    FieldSpec("day", "日期", FieldKind.DATE, required=False),
    FieldSpec("times", "場次", FieldKind.NUMBER, required=False),
    FieldSpec("note", "備註", FieldKind.SHORT, required=False),
))


def test_each_question_gets_its_tally() -> None:
    lines = tally_lines(SPEC, [
        Answered("分局", {"join": "願意", "topics": ["兒少", "家暴"], "day": "2026-12-05", "times": 2, "note": "x"}),
        Answered("衛生所", {"join": "不願意", "topics": ["家暴"], "day": "2026-11-30", "times": 1.5}),
        Answered("消防", {"join": "願意"}),
    ])
    assert lines == [
        "1. 是否願意合辦（3 個單位回答）", "　願意 2、不願意 1",
        "2. 主題（2 個單位回答）", "　家暴 2、兒少 1",  # in the options' order, unpicked options left out
        "3. 日期（2 個單位回答）", "　115/11/30(一) 衛生所", "　115/12/05(六) 分局",
        "4. 場次（2 個單位回答）", "　合計 3.5（2 個單位）",
        "5. 備註（1 個單位回答）",
    ]


def test_no_answers_and_long_date_lists() -> None:
    assert tally_lines(SPEC, [])[0] == "1. 是否願意合辦（0 個單位回答）"
    many = [Answered(f"單位{i}", {"join": "願意", "day": f"2026-12-{i + 1:02d}"}) for i in range(MAX_DATES + 2)]
    lines = tally_lines(SPEC, many)
    assert "　…另有 2 筆（見匯出檔）" in lines and "　115/12/01(二) 單位0" in lines
