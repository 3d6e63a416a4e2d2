"""The 會議紀錄 draft (.docx) in the shape of the district's minutes (seeds/000, 中壢區 108-03-21):

壹、時間 貳、地點 參、主席／記錄 肆、出(列)席 (from the units' attendance answers) 伍、主席致詞
陸、前次會議待辦事項辦理情形 (the 列管 table) 柒、各單位議題報告 (the three-phase form's answers)
捌、提案討論 (requests flagged for the case conference, by number only) 玖、臨時動議 壹拾、主席裁示, 散會;
and the deadline to send it to 社會局 (one week). Placeholders (＿＿) are for what only the meeting knows.
"""
from __future__ import annotations

import io
from datetime import datetime, timedelta

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.meetings import jobs, service, tracked
from models.forms import Form, FormResponse
from models.meetings import Answer, Meeting, MeetingStatus, TrackedItem
from rules.dates import roc_date, roc_year, to_taipei, weekday_name

FONT = "標楷體"  # what Taiwanese government documents are set in
SECTIONS = ("壹", "貳", "參", "肆", "伍", "陸", "柒", "捌", "玖", "壹拾")
THREE_PHASE = "three-phase"
_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 25 -> 二十五 (list numbering in minutes)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def _when(moment: datetime) -> str:
    local = to_taipei(moment)
    return (f"{roc_year(local.date())} 年 {local.month} 月 {local.day} 日(星期{weekday_name(local.date())}) "
            f"{local.hour} 時 {local.minute:02d} 分")


def _ordinal(session: Session, meeting: Meeting) -> int:
    """Which meeting of its tier this is in its year (第N次)."""
    local = to_taipei(meeting.starts_at)
    days = [to_taipei(m.starts_at) for m in session.scalars(select(Meeting).where(
        Meeting.district_id == meeting.district_id, Meeting.type_key == meeting.type_key,
        Meeting.status == MeetingStatus.SCHEDULED))]
    return sum(1 for d in days if d.year == local.year and d <= local) or 1


def file_name(meeting: Meeting) -> str:
    """會議紀錄草稿_中壢區_1151208.docx"""
    return f"會議紀錄草稿_{meeting.district.name}_{roc_date(to_taipei(meeting.starts_at).date(), 'compact')}.docx"


def _attendance(session: Session, meeting: Meeting) -> tuple[list[str], list[str], list[str]]:
    present, excused, silent = [], [], []
    for unit, answer in service.board(session, meeting):
        if answer in (Answer.ATTEND, Answer.DEPUTY):
            present.append(unit.name + ("（代理）" if answer == Answer.DEPUTY else ""))
        elif answer == Answer.LEAVE:
            excused.append(unit.name)
        else:
            silent.append(unit.name)
    return present, excused, silent


def _unit_reports(session: Session, meeting: Meeting) -> tuple[Form | None, list[FormResponse]]:
    """The latest three-phase form of the district sent before the meeting, and its answers in roster order."""
    form = session.scalars(select(Form).where(
        Form.district_id == meeting.district_id, Form.template == THREE_PHASE, Form.broadcast_at.is_not(None),
        Form.broadcast_at <= meeting.starts_at).order_by(Form.broadcast_at.desc())).first()
    if form is None:
        return None, []
    answers = list(session.scalars(select(FormResponse).where(FormResponse.form_id == form.id)))
    return form, sorted(answers, key=lambda r: (r.unit.position, r.unit.id))


def _decision(item: TrackedItem) -> str:
    return "□續管\n■除管" if not item.is_open else "□續管\n□除管"


def _style(document: DocxDocument) -> None:
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)


def _heading(document: DocxDocument, text: str) -> None:
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)
    run.bold = True


def _review_table(document: DocxDocument, items: list[TrackedItem]) -> None:
    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, ("序號", "列管案號", "案由", "承辦單位", "最新辦理情形", "主席裁示")):
        cell.text = title
    for index, item in enumerate(items, start=1):
        latest = item.latest_note
        progress = (f"{roc_date(to_taipei(latest.created_at).date())} {latest.body}" if latest else "尚未回報")
        owners = "、".join(u.name for u in item.owners)
        for cell, value in zip(table.add_row().cells,
                               (str(index), item.number, item.subject, owners, progress, _decision(item))):
            cell.text = value


def draft(session: Session, meeting: Meeting, now: datetime) -> bytes:
    """Build the draft from what the database holds now."""
    document = Document()
    _style(document)
    local = to_taipei(meeting.starts_at)
    district = meeting.district
    for line in (f"{district.city}{district.name}推動社會安全網計畫",
                 f"{roc_year(local.date())}年度第{_ordinal(session, meeting)}次{meeting.type_name}紀錄（草稿）"):
        title = document.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.add_run(line).bold = True
    document.add_paragraph(f"{SECTIONS[0]}、時間：{_when(meeting.starts_at)}")
    document.add_paragraph(f"{SECTIONS[1]}、地點：{meeting.place}")
    document.add_paragraph(f"{SECTIONS[2]}、主席：＿＿＿＿＿＿　　　　記錄：＿＿＿＿＿＿")
    present, excused, silent = _attendance(session, meeting)
    document.add_paragraph(f"{SECTIONS[3]}、出(列)席單位：{'、'.join(present) or '（尚無單位回覆出席）'}（詳如簽到表）")
    if excused:
        document.add_paragraph(f"　　請假單位：{'、'.join(excused)}")
    if silent:
        document.add_paragraph(f"　　未回覆單位：{'、'.join(silent)}")
    document.add_paragraph(f"{SECTIONS[4]}、主席致詞：（略）")
    if meeting.agenda:
        document.add_paragraph(f"　　本次議程：{meeting.agenda}")

    items = tracked.review_items(session, meeting)
    previous = service.previous_meeting(session, meeting)
    _heading(document, f"{SECTIONS[5]}、前次會議待辦事項辦理情形報告：")
    if items:
        since = (f"依前次({roc_year(to_taipei(previous.starts_at).date())} 年 {to_taipei(previous.starts_at).month} 月)"
                 if previous else "依前次")
        document.add_paragraph(f"{since}會議主席裁示事項，共計 {len(items)} 案，辦理情形如下：")
        _review_table(document, items)
    else:
        document.add_paragraph("前次會議無列管事項。")

    _heading(document, f"{SECTIONS[6]}、各單位議題報告")
    form, answers = _unit_reports(session, meeting)
    if not answers:
        document.add_paragraph("（各單位尚未填報三階段角色分工表。）")
    labels = {f["key"]: f["label"] for f in form.fields} if form else {}
    for index, response in enumerate(answers, start=1):
        document.add_paragraph(f"{chinese_number(index)}、{response.unit.name}(報告人：＿＿＿＿)")
        for key, label in labels.items():
            value = str(response.answers.get(key, "") or "").strip()
            if value:
                document.add_paragraph(f"　　{label}：{value}")

    _heading(document, f"{SECTIONS[7]}、提案討論")
    flagged = jobs.flagged_requests(session, meeting)
    if flagged:
        document.add_paragraph("提報個案研討之求助（僅列編號，個案資料依規定另循正式管道提供）：")
        for index, line in enumerate(flagged, start=1):
            document.add_paragraph(f"　　{chinese_number(index)}、求助編號 {line}")
    document.add_paragraph("提案一：＿＿＿＿＿＿（提案單位：＿＿＿＿）")
    document.add_paragraph("　　說明：＿＿＿＿＿＿")
    document.add_paragraph("　　決議：＿＿＿＿＿＿")
    _heading(document, f"{SECTIONS[8]}、臨時動議：＿＿＿＿＿＿")
    _heading(document, f"{SECTIONS[9]}、主席裁示：")
    for index in range(1, 4):
        document.add_paragraph(f"　　{chinese_number(index)}、＿＿＿＿＿＿")
    document.add_paragraph("散會：＿＿ 時 ＿＿ 分")
    due = meeting.minutes_due_at or meeting.starts_at + timedelta(days=7)
    note = document.add_paragraph()
    note.add_run(f"※ 本紀錄請於 {roc_date(to_taipei(due).date(), 'chinese')}（會後一週內）函送社會局。"
                 f"（草稿產生於 {roc_date(to_taipei(now).date())}）").italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
