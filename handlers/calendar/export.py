"""The schedule as files: an iCalendar feed for subscriptions and a spreadsheet for meeting minutes."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Sequence

from icalendar import Calendar, Event
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from bot import spreadsheets
from handlers.calendar.render import JOINABLE
from models.calendar import Activity
from rules import calendar as periods
from rules.dates import roc_date, to_taipei

PRODID = "-//社安網聯繫小幫手//活動期程//ZH-TW"
# Subscribed clients poll at their own pace (Google: hours); this asks for hourly where honoured.
REFRESH = timedelta(hours=1)
XLSX_COLUMNS = (("編號", 6), ("日期", 16), ("時間", 13), ("活動名稱", 32), ("地點", 24),
                ("主辦單位", 22), (JOINABLE, 11), ("備註", 30))


def ics(calendar_name: str, activities: Sequence[Activity]) -> bytes:
    """An RFC 5545 calendar: stable UIDs, SEQUENCE per edit, cancelled events kept as STATUS:CANCELLED."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", calendar_name)
    cal.add("x-wr-timezone", "Asia/Taipei")
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for activity in activities:
        cal.add_component(_event(activity))
    cal.add_missing_timezones()
    return cal.to_ical()


def _event(activity: Activity) -> Event:
    event = Event()
    event.add("uid", activity.uid)
    event.add("dtstamp", activity.updated_at)
    event.add("created", activity.created_at)
    event.add("last-modified", activity.updated_at)
    event.add("sequence", activity.sequence)
    event.add("dtstart", to_taipei(activity.starts_at))
    if activity.ends_at is not None:
        event.add("dtend", to_taipei(activity.ends_at))
    event.add("summary", f"[{activity.unit.full_name}] {activity.title}")
    event.add("location", activity.place)
    lines = [f"主辦單位：{activity.unit.full_name}", f"{JOINABLE}：{'是' if activity.joinable else '否'}"]
    if activity.note:
        lines.append(f"備註：{activity.note}")
    event.add("description", "\n".join(lines))
    event.add("status", "CONFIRMED" if activity.is_active else "CANCELLED")
    event.add("transp", "OPAQUE")
    if activity.joinable:
        event.add("categories", [JOINABLE])
    return event


def xlsx(title: str, first: date, last: date, activities: Sequence[Activity], made_at: datetime) -> bytes:
    """The schedule as a district office attaches it to minutes: title, period, one row per activity, A4 landscape."""
    book = Workbook()
    sheet = book.active
    sheet.title = "活動期程"
    width = len(XLSX_COLUMNS)
    last_col = get_column_letter(width)
    spreadsheets.put(sheet, 1, 1, title)
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A1:{last_col}1")
    spreadsheets.put(sheet, 2, 1, f"期間：{periods.roc_long(first)}至{periods.roc_long(last)}　"
                                  f"製表日期：{roc_date(to_taipei(made_at).date(), 'chinese')}　共 {len(activities)} 項")
    sheet.merge_cells(f"A2:{last_col}2")
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, (name, col_width) in enumerate(XLSX_COLUMNS, start=1):
        cell = spreadsheets.put(sheet, 3, col, name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9EAD3")
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.border = border
        sheet.column_dimensions[get_column_letter(col)].width = col_width
    for index, activity in enumerate(activities, start=1):
        day = to_taipei(activity.starts_at).date()
        row = (index, periods.roc_long(day), periods.time_span(activity.starts_at, activity.ends_at),
               activity.title, activity.place, activity.unit.full_name,
               "✓" if activity.joinable else "", activity.note or "")
        for col, value in enumerate(row, start=1):
            cell = spreadsheets.put(sheet, 3 + index, col, value)  # titles and notes are typed by people
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=True,
                                       horizontal="center" if col in (1, 3, 7) else "left")
    if not activities:
        spreadsheets.put(sheet, 4, 1, "本期無登錄活動")
        sheet.merge_cells(f"A4:{last_col}4")
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddFooter.center.text = "第 &P 頁，共 &N 頁"
    return spreadsheets.save(book)
