"""What the meetings capability says: texts, cards and quick replies, apart from the decisions.

Officials read dates in ROC form (115/12/15(二) 14:00), so every date shown here is one.
"""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from bot.messages import FlexCard, Message, Outbound, buttons, datetime_picker, postback, reply, says, text
from handlers.meetings.service import Proposal
from models.meetings import ANSWER_LABELS, ITEM_STATUS_LABELS, Answer, Meeting, TrackedItem
from models.roster import Unit
from rules.dates import roc_date, roc_datetime, to_taipei
from rules.meetings.cycles import MeetingType
from rules.meetings.plan import picker_value
from rules.workdays import WorkCalendar, day_off

PRIVACY_NOTE = "請勿填寫個案姓名、身分證字號、電話、地址等個人資料。"
MAX_CARD_ITEMS = 10


def when(meeting: Meeting) -> str:
    """Format a meeting's start: 115/12/15(二) 14:00."""
    return roc_datetime(meeting.starts_at)


def day(moment: datetime) -> str:
    """Format a moment's date in Taipei: 115/12/15."""
    return roc_date(to_taipei(moment).date())


def details(meeting: Meeting) -> list[str]:
    """The lines every notice of a meeting repeats: time, place, agenda, derived deadlines."""
    lines = [f"時間：{when(meeting)}", f"地點：{meeting.place}"]
    if meeting.agenda:
        lines.append(f"議程：{meeting.agenda}")
    for label in (meeting.cases_label, meeting.minutes_label):
        if label:
            lines.append(f"・{label}")
    return lines


def day_off_warning(meeting: Meeting, calendar: WorkCalendar) -> list[Outbound]:
    """A word to the organiser when the meeting falls on a weekend or a holiday (Taiwan calendar); [] otherwise."""
    why = day_off(to_taipei(meeting.starts_at).date(), calendar)
    if why is None:
        return []
    return [reply(text(f"⚠ 提醒：{why}。如需改期，請輸入「會議改期 {meeting.id} 日期 時間」。"))]


def announcement(meeting: Meeting) -> Message:
    """Announce a new meeting in the group."""
    head = f"【會議通知】{meeting.type_name}（編號{meeting.id}）"
    return text("\n".join([head, *details(meeting), "請各單位以下方按鈕回覆出席情形。"]))


def attendance_card(meeting: Meeting) -> Message:
    """A card with 出席 / 代理出席 / 請假 and the board, one answer per unit."""
    actions = [postback(ANSWER_LABELS[a], "mtg_rsvp", display=ANSWER_LABELS[a], id=meeting.id, a=a.value)
               for a in Answer]
    actions.append(postback("出席情形", "mtg_board", display="出席情形", id=meeting.id))
    card = FlexCard(title=f"出席回覆｜{meeting.type_name}", alt=f"出席回覆：{meeting.type_name} {when(meeting)}",
                    rows=[("時間", when(meeting)), ("地點", meeting.place)],
                    body="每個單位一筆回覆，後點選者為準。", actions=actions)
    return card.message()


def answered(meeting: Meeting, unit: Unit, reply: Answer) -> Message:
    """Confirm a unit's attendance answer."""
    return text(f"已登記：{unit.card_name}「{ANSWER_LABELS[reply]}」（{meeting.type_name} {when(meeting)}）")


def board_text(meeting: Meeting, rows: list[tuple[Unit, Answer | None]]) -> str:
    """出席 / 代理出席 / 請假 / 未回覆, each with its units."""
    lines = [f"【出席情形】{meeting.type_name} {when(meeting)}"]
    for answer in (*Answer, None):
        names = [unit.card_name for unit, given in rows if given == answer]
        label = ANSWER_LABELS[answer] if answer else "未回覆"
        lines.append(f"{label}（{len(names)}）：{'、'.join(names) if names else '－'}")
    return "\n".join(lines)


def listing(district: str, meetings: list[Meeting], held: list[Meeting], proposals: list[Proposal],
            manager: bool) -> Message:
    """`會議`: upcoming meetings with deadlines, minutes still due, and a proposal for each tier lacking a meeting."""
    lines = [f"【{district}近期會議】"]
    for meeting in meetings:
        lines.append(f"\n編號{meeting.id}｜{meeting.type_name}")
        lines += [f"　{line}" for line in details(meeting)]
    if not meetings:
        lines.append("目前沒有排定的會議。")
    if held:
        lines.append("\n【會議紀錄期限】")
        lines += [f"・編號{m.id}（{day(m.starts_at)}）{m.minutes_label}" for m in held]
    for proposal in proposals:
        start, end = proposal.period
        lines.append(f"\n⚠ {proposal.meeting_type.name}：本期（{roc_date(start)}–{roc_date(end)}）尚未排定，"
                     f"建議於{roc_date(proposal.proposed, 'chinese')}召開（{proposal.meeting_type.cadence}）。")
    quick = [says("出席情形"), says("列管")]
    if manager:
        quick.insert(0, says("新增會議"))
        lines.append("\n改期：會議改期 編號 115/12/8 14:00［地點］；取消：會議取消 編號")
    return text("\n".join(lines), quick=quick)


def moved(meeting: Meeting, old_start: datetime) -> Message:
    """Tell the group a meeting moved, old and new time side by side."""
    body = [f"【會議改期】{meeting.type_name}（編號{meeting.id}）",
            f"原訂：{roc_datetime(old_start)}", f"改為：{when(meeting)}", f"地點：{meeting.place}"]
    body += [f"・{label}" for label in (meeting.cases_label, meeting.minutes_label) if label]
    body.append("提醒已隨之調整；出席情形如有變動，請重新點選。")
    return text("\n".join(body))


def cancelled(meeting: Meeting) -> Message:
    """Tell the group a meeting was cancelled."""
    return text(f"【會議取消】{meeting.type_name}（編號{meeting.id}，原訂{when(meeting)}）已取消，相關提醒一併取消。")


def lead_text(meeting: Meeting, relative: str, late: str, items: list[TrackedItem], board: str | None,
              flagged: Sequence[str] = ()) -> str:
    """A reminder before a meeting: when, where, agenda, tracked items, flagged requests, maybe the board."""
    lines = [f"{late}【會議提醒】{meeting.type_name}將於{relative}召開", *details(meeting)]
    if items:
        lines.append("\n本次列管事項：")
        lines += [f"・{item.number} {item.subject}（{owners(item)}）" for item in items]
    if flagged:
        lines.append("\n提報個案研討的求助：")
        lines += [f"・{line}" for line in flagged]
    if board:
        lines += ["", board]
    return "\n".join(lines)


def owners(item: TrackedItem) -> str:
    """List an item's owning units."""
    return "、".join(unit.card_name for unit in item.owners) or "未指定"


def item_line(item: TrackedItem) -> str:
    """Show one item: number, status, subject, owners and latest progress."""
    note = item.latest_note
    progress = f"{day(note.created_at)} {note.body}" if note else "尚未回報"
    return f"{item.number}｜{ITEM_STATUS_LABELS[item.status]}｜{item.subject}\n　主辦：{owners(item)}\n　最近進度：{progress}"


def review_card(meeting: Meeting, items: list[TrackedItem]) -> Message:
    """前次會議待辦事項辦理情形, as a card for the group before the meeting."""
    rows = [(item.number, f"{ITEM_STATUS_LABELS[item.status]}｜{item.subject}｜{owners(item)}｜"
             + (f"{day(item.latest_note.created_at)} {item.latest_note.body}" if item.latest_note else "尚未回報"))
            for item in items[:MAX_CARD_ITEMS]]
    more = f"其餘{len(items) - MAX_CARD_ITEMS}項見會議紀錄附表。" if len(items) > MAX_CARD_ITEMS else ""
    card = FlexCard(title=f"前次會議待辦事項辦理情形｜{meeting.type_name} {day(meeting.starts_at)}",
                    alt=f"前次會議待辦事項辦理情形（{meeting.type_name}，共{len(items)}項）", rows=rows,
                    body=(more + "未回報的主辦單位請輸入「列管回報 案號 內容」。").strip())
    return card.message()


def export_offer(meeting: Meeting, body: str) -> Message:
    """A 1:1 message to the secretariat with a button that returns a fresh signed .xlsx link."""
    return buttons(body, body[:160], [postback("下載列管附表(.xlsx)", "mtg_xlsx", display="下載列管附表",
                                               id=meeting.id)])


def minutes_text(meeting: Meeting, late: str) -> str:
    """Remind the organiser that the minutes are due."""
    return (f"{late}【會議紀錄提醒】{meeting.type_name}（{day(meeting.starts_at)}）：{meeting.minutes_label}。"
            "附表「前次會議待辦事項辦理情形」可由下方按鈕下載。")


def review_offer_text(meeting: Meeting, late: str) -> str:
    """Offer the organiser the review table before the meeting."""
    return (f"{late}【會前資料】{meeting.type_name}（{when(meeting)}）的「前次會議待辦事項辦理情形」已整理，"
            "可下載 .xlsx 作為會議資料與會議紀錄附表。")


def cases_text(meeting: Meeting, late: str) -> str:
    """Remind the group that case submissions close soon."""
    return (f"{late}【個案提報提醒】{meeting.type_name}訂於{when(meeting)}召開。\n"
            f"{meeting.cases_label}\n請各單位備妥擬提報個案（以化名或遮蔽方式），循公文或指定管道提報，"
            "勿於群組張貼個案資料。")


def items_list(district: str, items: list[TrackedItem]) -> Message:
    """List a district's open items."""
    if not items:
        return text(f"{district}目前沒有列管中的事項。")
    lines = [f"【{district}列管事項（續管中）】"] + [item_line(item) for item in items]
    lines.append(f"\n回報進度：列管回報 案號 內容（{PRIVACY_NOTE}）")
    return text("\n".join(lines))


def progress_request(unit: Unit, items: list[TrackedItem], month: str, late: str) -> Message:
    """Ask one unit for this month's progress on the items it owns."""
    lines = [f"{late}【列管事項每月進度回報｜{month}】{unit.card_name}主辦的列管事項，請回報本月辦理情形："]
    lines += [item_line(item) for item in items]
    lines.append(f"\n請輸入「列管回報 案號 內容」回報，例如：列管回報 {items[0].number} 已完成轄區訪視。{PRIVACY_NOTE}")
    return text("\n".join(lines))


def ask_type(types: list[MeetingType]) -> Message:
    """Ask for the meeting tier (guided flow, step 1)."""
    return text("新增會議（1/4）：請選擇會議類型。隨時輸入「取消」可結束。",
                quick=[postback(t.name, "mtg_new_type", display=t.name, key=t.key) for t in types])


def ask_when(meeting_type: MeetingType, now: datetime) -> Message:
    """Ask for the start with LINE's datetime picker (step 2), never in the past."""
    picker = datetime_picker("選擇日期時間", "mtg_new_when")
    picker["min"] = picker_value(now)
    return text(f"新增會議（2/4）：{meeting_type.name}的日期與開始時間？請點「選擇日期時間」，"
                "或直接輸入，例如 115/12/5 14:00。", quick=[picker])


def ask_place() -> Message:
    """Ask for the place (step 3)."""
    return text("新增會議（3/4）：開會地點？例如：本所3樓簡報室")


def ask_agenda() -> Message:
    """Ask for an optional agenda (step 4)."""
    return text("新增會議（4/4）：議程（可省略）？請輸入，或點「略過」。", quick=[says("略過")])


def confirm(type_name: str, start: datetime, place: str, agenda: str) -> Message:
    """Show the draft with a confirm button."""
    rows = [("會議", type_name), ("時間", roc_datetime(start)), ("地點", place)]
    if agenda:
        rows.append(("議程", agenda))
    card = FlexCard(title="請確認會議資料", alt=f"請確認：{type_name} {roc_datetime(start)}", rows=rows,
                    actions=[postback("確認排定", "mtg_new_ok", display="確認排定", ok=1), says("取消")])
    return card.message()
