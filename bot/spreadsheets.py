"""The one way the bot writes .xlsx and .csv files: what people typed stays text, never a live formula.

An activity titled `=HYPERLINK("http://evil", "點我")` or a form answer `@SUM(...)` would otherwise run
in the secretariat's spreadsheet (formula / CSV injection). In .xlsx a string cell is stored as a
string (data type "s"), so a legitimate `-2+3` answer reads exactly as typed; `save` checks every
cell of the workbook once more, so a writer that forgot `put` still cannot ship a formula. CSV has
no cell types: a value that a spreadsheet would start evaluating gets a leading apostrophe
(OWASP's advice), which Excel and LibreOffice show as text.
"""
from __future__ import annotations

import csv
import io
from typing import Any, Iterable

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

# What makes a spreadsheet evaluate a CSV field (leading whitespace is skipped by some of them).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def put(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write one cell; a string is stored as text whatever it starts with."""
    cell = sheet.cell(row=row, column=column)
    _set(cell, value)
    return cell


def append(sheet: Worksheet, values: Iterable[Any]) -> int:
    """Write a row after the last one; returns its row number."""
    used = sheet.max_row > 1 or any(cell.value is not None for cell in sheet[1])
    row = sheet.max_row + 1 if used else 1
    for column, value in enumerate(values, start=1):
        put(sheet, row, column, value)
    return row


def _set(cell: Cell, value: Any) -> None:
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # openpyxl makes "=..." a formula on assignment; this keeps it text
    else:
        cell.value = value


def defuse(book: Workbook) -> int:
    """Turn any formula cell back into text; returns how many there were (none when `put` was used)."""
    found = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
                    found += 1
    return found


def save(book: Workbook) -> bytes:
    """The workbook as .xlsx bytes, with no formula in it."""
    defuse(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_field(value: Any) -> Any:
    """A CSV field a spreadsheet shows as text: formula-like strings get a leading apostrophe."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """CSV in UTF-8 with a BOM (Excel on Windows then reads Chinese correctly), every field defused."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_field(v) for v in header])
    for row in rows:
        writer.writerow([csv_field(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
