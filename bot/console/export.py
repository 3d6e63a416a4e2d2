"""Console downloads: one table as .xlsx or CSV through bot/spreadsheets.py (typed text never becomes a formula)."""
from __future__ import annotations

from typing import Any, Sequence
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from bot import spreadsheets

XLSX = spreadsheets.XLSX_MIME


def xlsx(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[int] = ()) -> bytes:
    """A one-sheet workbook with a bold header row and wrapped text."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    spreadsheets.append(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        spreadsheets.append(sheet, [v if isinstance(v, (int, float)) or v is None else str(v) for v in row])
        for cell in sheet[sheet.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths):
        sheet.column_dimensions[sheet.cell(row=1, column=index + 1).column_letter].width = width
    sheet.freeze_panes = "A2"
    return spreadsheets.save(book)


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM, formula-like fields defused."""
    return spreadsheets.csv_bytes(list(header), rows)


def download(body: bytes, file_name: str, mimetype: str) -> Response:
    """A download with an RFC 5987 file name (Chinese names survive every browser)."""
    ascii_name = file_name.encode("ascii", "ignore").decode() or "download"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name)}")
    response.headers["Cache-Control"] = "no-store"
    return response
