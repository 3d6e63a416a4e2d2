"""Compile a form's answers: .xlsx (answers, one row per unit; who answered when) and CSV.

Cells are written through bot/spreadsheets.py: an answer such as `=HYPERLINK(...)` typed by
someone stays text and never runs in the secretariat's spreadsheet (formula / CSV injection).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy.orm import Session

from bot import spreadsheets
from handlers.forms import service
from models.forms import Form
from rules import forms as rules
from rules.dates import roc_datetime

VIA_NAMES = {"chat": "LINE 聊天", "web": "網頁"}


@dataclass(frozen=True)
class Table:
    """A form's answers as rows of plain values, ready for any file format."""

    title: str
    header: list[str]
    rows: list[list[Any]]
    history_header: list[str]
    history: list[list[Any]]


def build(session: Session, form: Form) -> Table:
    """Gather one row per required unit (one column per field) and one row per submission."""
    definition = service.spec_of(form)
    statuses = service.progress(session, form)
    revisions = service.revisions(session, form)
    names = service.names_of(session, {r.submitted_by for r in revisions})
    header = ["單位", "狀態", "最後填寫時間", "最後填寫人", *[f.label for f in definition.fields]]
    rows = []
    for status in statuses:
        response = status.response
        if response is None:
            rows.append([status.unit.full_name, "未填", "", "", *["" for _ in definition.fields]])
            continue
        rows.append([status.unit.full_name, "逾期" if response.late else "已填",
                     roc_datetime(response.submitted_at), names.get(response.submitted_by, ""),
                     *[_cell(f, response.answers.get(f.key)) for f in definition.fields]])
    units = {s.unit.id: s.unit.full_name for s in statuses}
    history = [[roc_datetime(r.submitted_at), units.get(r.response.unit_id, ""), names.get(r.submitted_by, ""),
                r.number, VIA_NAMES.get(r.via, r.via), "是" if r.late else "否"] for r in revisions]
    return Table(form.title, header, rows, ["填寫時間", "單位", "填寫人", "版本", "方式", "逾期"], history)


def _cell(f: rules.FieldSpec, value: Any) -> Any:
    if rules.is_empty(value):
        return ""
    if f.kind == rules.FieldKind.NUMBER:
        return value
    return rules.display_value(f, value)


def to_xlsx(table: Table, exported_at: datetime) -> bytes:
    """The workbook: 回覆 (one row per unit), 填寫紀錄 (who answered when), 說明."""
    book = Workbook()
    answers = book.active
    answers.title = "回覆"
    _sheet(answers, table.header, table.rows, width=28)
    _sheet(book.create_sheet("填寫紀錄"), table.history_header, table.history, width=20)
    about = book.create_sheet("說明")
    for row in (["表單", table.title], ["匯出時間", roc_datetime(exported_at)],
                ["備註", "每個單位一列；「逾期」表示最後一次填寫在截止日之後。"]):
        spreadsheets.append(about, [_text(v) for v in row])
    return spreadsheets.save(book)


def _sheet(sheet: Any, header: list[str], rows: list[list[Any]], width: int) -> None:
    spreadsheets.append(sheet, header)  # field labels are typed by the secretariat
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        number = spreadsheets.append(sheet, [_text(v) for v in row])
        for cell in sheet[number]:
            if isinstance(cell.value, str):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = width


def _text(value: Any) -> Any:
    return value if isinstance(value, (int, float)) else str(value)


def to_csv(table: Table) -> bytes:
    """The answers sheet as CSV, UTF-8 with a BOM so Excel on Windows reads the Chinese correctly."""
    return spreadsheets.csv_bytes(table.header, table.rows)
