"""前次會議待辦事項辦理情形 as .xlsx, downloaded through a signed, expiring link (bot/links.py).

The link is made when the secretariat taps the button in 1:1 chat, so it is fresh and short-lived;
the workbook is built on request from the current items, never stored.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from bot import downloads, links, roster, spreadsheets
from bot.config import Config
from bot.services import Services
from handlers.meetings import service, tracked
from models.audit import AuditEntry
from models.meetings import ITEM_STATUS_LABELS, Meeting, TrackedItem
from rules.dates import roc_date, roc_datetime, to_taipei

PURPOSE = "meeting_review"
LINK_HOURS = 24
HEADERS = ("案號", "列管事項", "主辦單位", "辦理情形", "最近回報日期", "列管狀態", "擬處理（續管／除管）")
WIDTHS = (14, 40, 28, 60, 14, 10, 20)

blueprint = Blueprint("meetings", __name__)


def review_workbook(meeting: Meeting, items: list[TrackedItem]) -> bytes:
    """Build the table the minutes attach: one row per item, every progress note with its date."""
    book = Workbook()
    sheet = book.active
    sheet.title = "前次會議待辦事項辦理情形"
    spreadsheets.append(sheet, [f"{meeting.district.name}{meeting.type_name}（{roc_datetime(meeting.starts_at)}）"
                                "前次會議待辦事項辦理情形"])
    sheet["A1"].font = Font(bold=True, size=14)
    spreadsheets.append(sheet, HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for item in items:
        notes = "\n".join(f"{roc_date(to_taipei(n.created_at).date())} {n.unit.full_name + '：' if n.unit else ''}{n.body}"
                          for n in item.notes) or "尚未回報"
        latest = roc_date(to_taipei(item.latest_note.created_at).date()) if item.latest_note else ""
        spreadsheets.append(sheet, [item.number, item.subject, "、".join(u.full_name for u in item.owners), notes, latest,
                                    ITEM_STATUS_LABELS[item.status], ""])
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return spreadsheets.save(book)


def download_url(config: Config, meeting_id: int, user_id: str) -> str:
    """A signed link to a meeting's .xlsx for one person, valid for LINK_HOURS while they keep the right."""
    token = links.sign(config, PURPOSE, {"m": meeting_id, "u": user_id})
    return links.url(config, f"/meetings/{meeting_id}/review.xlsx?t={token}")


def file_name(meeting: Meeting) -> str:
    """Name the download after the meeting date: 前次會議待辦事項辦理情形_1151215.xlsx."""
    return f"前次會議待辦事項辦理情形_{roc_date(to_taipei(meeting.starts_at).date(), 'compact')}.xlsx"


@blueprint.get("/meetings/<int:meeting_id>/review.xlsx")
def download(meeting_id: int) -> Response:
    """Serve the workbook to whoever holds a valid link for this meeting."""
    services: Services = current_app.extensions["services"]
    try:
        payload = links.verify(services.config, PURPOSE, request.args.get("t", ""), LINK_HOURS * 3600)
    except links.LinkError as exc:
        return Response(str(exc), status=403, mimetype="text/plain")
    if not isinstance(payload, dict) or payload.get("m") != meeting_id or not payload.get("u"):
        return Response("連結無效。", status=403, mimetype="text/plain")
    with services.db.transaction() as session:
        meeting = service.get(session, meeting_id)
        if meeting is None:
            abort(404)
        person = str(payload["u"])
        # Checked again now: a link made for someone who has since left opens nothing.
        if not roster.may_manage_district(roster.contact_of(session, person), meeting.district,
                                          person in services.config.admin_line_user_ids):
            session.add(AuditEntry(at=services.clock(), actor=person[:64], action="refused:download",
                                   detail={"what": "meeting_review", "meeting_id": meeting_id}))
            return Response("您已沒有下載這份附表的權限。", status=403, mimetype="text/plain")
        session.add(AuditEntry(at=services.clock(), actor=person[:64], action="download",
                               detail={"what": "meeting_review", "meeting_id": meeting_id}))
        data = review_workbook(meeting, tracked.review_items(session, meeting))
        name = file_name(meeting)
    # The sheet holds progress notes: file_response keeps it out of caches.
    return downloads.file_response(data, name, downloads.XLSX, fallback=f"review_{meeting_id}.xlsx")
