"""What the calendar says in chat: activity cards, the weekly schedule carousel, call notices, links."""
from __future__ import annotations

import json
from datetime import date
from typing import Any, Sequence

from bot.messages import FlexCard, Message, postback, says, text, textv2_mention
from handlers.calendar.service import Completeness
from models.calendar import Activity, ActivityCall
from models.roster import Contact, Unit
from rules import calendar as periods
from rules.dates import roc_date, roc_weekday, to_taipei

ACCENT = "#2e7d5b"
JOINABLE = "可共同宣導"
CAROUSEL_BUDGET = 46_000  # LINE refuses carousels over 50 KB; leave room for the envelope
EXAMPLE = "活動 115/12/5 14:00-16:00 中壢區公所3樓 家暴防治宣導講座"


def when(activity: Activity) -> str:
    """115/12/05(六) 14:00–16:00."""
    day = to_taipei(activity.starts_at).date()
    return f"{roc_date(day)}{roc_weekday(day)} {periods.time_span(activity.starts_at, activity.ends_at)}"


def activity_rows(activity: Activity) -> list[tuple[str, str]]:
    """The key-value rows of an activity card."""
    rows = [("日期時間", when(activity)), ("地點", activity.place), ("主辦單位", activity.unit.card_name),
            ("共同宣導", "歡迎其他單位共同宣導" if activity.joinable else "否")]
    if activity.note:
        rows.append(("備註", activity.note))
    return rows


def manage_actions(activity: Activity) -> list[dict[str, Any]]:
    """Edit, toggle joinable and delete buttons of an activity card."""
    toggle = "改為不開放共同宣導" if activity.joinable else "開放其他單位共同宣導"
    return [postback("修改", "cal_edit", display=f"修改「{activity.title[:20]}」", id=activity.id),
            postback(toggle, "cal_joinable", display=toggle, id=activity.id, v=0 if activity.joinable else 1),
            postback("刪除", "cal_delete", display=f"刪除「{activity.title[:20]}」", id=activity.id)]


def clash_note(clashes: Sequence[Activity]) -> str:
    """A warning listing activities at the same place and time (empty when none)."""
    if not clashes:
        return ""
    lines = [f"・{when(c)} {c.title}（{c.unit.card_name}）" for c in clashes[:5]]
    return "⚠ 同一時段、同一場地已有活動（仍已儲存，請與對方協調）：\n" + "\n".join(lines)


def saved_card(activity: Activity, clashes: Sequence[Activity], verb: str = "已新增") -> Message:
    """The card shown after saving: what was understood, any clash, and buttons to change it."""
    card = FlexCard(title=f"{verb}活動：{activity.title}", alt=f"{verb}活動：{when(activity)} {activity.title}",
                    rows=activity_rows(activity), body=clash_note(clashes), actions=manage_actions(activity),
                    accent=ACCENT)
    return card.message()


def mine(activities: Sequence[Activity], unit: Unit) -> Message:
    """The unit's upcoming activities, one bubble each, with edit and delete buttons."""
    if not activities:
        return text(f"{unit.card_name}目前沒有即將舉行的活動。\n新增：輸入「活動」逐步填寫，或一行寫完：\n{EXAMPLE}",
                    quick=[says("活動")])
    cards = [FlexCard(title=a.title, alt=a.title, rows=activity_rows(a), actions=manage_actions(a), accent=ACCENT)
             for a in activities]
    message = {"type": "flex", "altText": f"{unit.card_name}的活動（{len(activities)} 項）",
               "contents": {"type": "carousel", "contents": [c.bubble() for c in cards[:12]]}}
    return message


def edit_menu(activity: Activity) -> Message:
    """Ask which field to change, as quick replies."""
    fields = [("名稱", "title"), ("日期", "day"), ("時間", "time"), ("地點", "place"), ("備註", "note")]
    return text(f"要修改「{activity.title}」的哪一項？（{when(activity)}）",
                quick=[postback(label, "cal_edit", display=f"修改{label}", id=activity.id, f=key)
                       for label, key in fields])


def delete_confirm(activity: Activity) -> Message:
    """A confirm template before deleting."""
    body = f"確定刪除「{activity.title}」（{when(activity)}）？訂閱行事曆的人會看到活動取消。"
    return {"type": "template", "altText": f"確定刪除「{activity.title}」？",
            "template": {"type": "confirm", "text": body[:240], "actions": [
                postback("確定刪除", "cal_delete_ok", display="確定刪除", id=activity.id),
                postback("保留", "cal_keep", display="保留", id=activity.id)]}}


# ---------------------------------------------------------------------------- the schedule

def _activity_box(activity: Activity) -> dict[str, Any]:
    day = to_taipei(activity.starts_at).date()
    head: list[dict[str, Any]] = [{"type": "text", "text": f"{periods.md_weekday(day)} "
                                   f"{periods.time_span(activity.starts_at, activity.ends_at)}",
                                   "size": "sm", "weight": "bold", "flex": 0}]
    if activity.joinable:
        head.append({"type": "text", "text": f"★{JOINABLE}", "size": "xs", "color": ACCENT, "align": "end"})
    return {"type": "box", "layout": "vertical", "spacing": "xs", "contents": [
        {"type": "box", "layout": "baseline", "spacing": "sm", "contents": head},
        {"type": "text", "text": activity.title, "size": "sm", "wrap": True},
        {"type": "text", "text": f"{activity.unit.card_name}｜{activity.place}", "size": "xs",
         "color": "#777777", "wrap": True}]}


def _week_bubble(monday: date, activities: Sequence[Activity], cap: int) -> dict[str, Any]:
    sunday = date.fromordinal(monday.toordinal() + 6)
    shown = list(activities[:cap])
    body: list[dict[str, Any]] = []
    for index, activity in enumerate(shown):
        if index:
            body.append({"type": "separator"})
        body.append(_activity_box(activity))
    if len(activities) > len(shown):
        body.append({"type": "text", "text": f"另有 {len(activities) - len(shown)} 項，完整期程請看月曆網頁"
                     "（一對一聊天輸入「活動連結」）", "size": "xs", "color": "#aa5500", "wrap": True})
    joinable = sum(1 for a in activities if a.joinable)
    summary = f"{len(activities)} 項活動" + (f"，{joinable} 項{JOINABLE}" if joinable else "")
    return {"type": "bubble", "size": "mega",
            "header": {"type": "box", "layout": "vertical", "backgroundColor": ACCENT, "contents": [
                {"type": "text", "text": f"{roc_date(monday)}{roc_weekday(monday)}–"
                 f"{periods.md_weekday(sunday)}", "color": "#ffffff", "weight": "bold", "size": "sm"},
                {"type": "text", "text": summary, "color": "#e0f2e9", "size": "xs"}]},
            "body": {"type": "box", "layout": "vertical", "spacing": "md", "contents": body}}


def schedule(title: str, activities: Sequence[Activity], first: date, last: date, cap: int = 10) -> Message:
    """The combined schedule as a carousel, one bubble per week, shrunk until it fits LINE's size limit."""
    if not activities:
        return text(f"{title}：{roc_date(first)}–{roc_date(last)} 尚無登錄的活動。\n"
                    f"各單位可輸入「活動」新增，例如：\n{EXAMPLE}")
    weeks = periods.group_by_week(activities, lambda a: to_taipei(a.starts_at).date())[:12]
    alt = f"{title}：{roc_date(first)}–{roc_date(last)} 共 {len(activities)} 項活動"
    while True:
        contents = {"type": "carousel", "contents": [_week_bubble(monday, items, cap) for monday, items in weeks]}
        if cap <= 1 or len(json.dumps(contents, ensure_ascii=False).encode()) <= CAROUSEL_BUDGET:
            return {"type": "flex", "altText": alt[:400], "contents": contents}
        cap -= 1


# ---------------------------------------------------------------------------- calls

def call_posted(call: ActivityCall, expected: int, replaced: ActivityCall | None) -> Message:
    """The call for activities as posted in the group."""
    note = (f"\n（已取代先前 {roc_date(replaced.period_start)}–{roc_date(replaced.period_end)} 的徵集）"
            if replaced else "")
    return text(
        f"【活動徵集】請各網絡單位提供 {roc_date(call.period_start)}–{roc_date(call.period_end)} "
        f"可共同宣導的會議與活動（名稱、日期、時間、地點），彙整為區域活動期程表。\n"
        f"截止日：{periods.roc_long(call.deadline)}\n"
        f"・有活動：私訊小幫手輸入「活動」逐步填寫，或一行寫完：\n  {EXAMPLE}\n"
        f"・本期沒有活動：輸入「本期無活動」\n"
        f"共 {expected} 個單位，截止前小幫手會提醒尚未回覆的單位。{note}",
        quick=[says("本期無活動"), says("活動期程")])


def _unit_lines(units: Sequence[Unit], contacts: dict[int, list[Contact]],
                mentions: dict[str, str]) -> list[str]:
    lines = []
    for unit in units:
        keys = []
        for contact in contacts.get(unit.id, []):
            key = f"m{len(mentions)}"
            mentions[key] = contact.line_user_id
            keys.append("{" + key + "}")
        lines.append(f"・{unit.card_name}" + (" " + " ".join(keys) if keys else "（尚無聯繫窗口）"))
    return lines


def call_reminder(call: ActivityCall, done: Completeness, contacts: dict[int, list[Contact]],
                  late_note: str) -> Message:
    """Remind, in the group, the units that have not answered, mentioning their contacts."""
    mentions: dict[str, str] = {}
    lines = _unit_lines(done.missing[:40], contacts, mentions)
    body = (f"{late_note}【活動徵集提醒】{roc_date(call.period_start)}–{roc_date(call.period_end)} 的活動"
            f"將於 {periods.roc_long(call.deadline)} 截止，已回覆 {len(done.answered)}/{len(done.expected)} 個單位。\n"
            f"尚未回覆：\n" + "\n".join(lines) +
            "\n有活動請私訊小幫手「活動」；沒有請輸入「本期無活動」。")
    return textv2_mention(body, mentions) if mentions else text(body)


def completeness_text(call: ActivityCall, done: Completeness, header: str) -> str:
    """Who has answered: units with activities, units with none, units missing."""
    with_count = sum(done.with_activities.get(u.id, 0) for u in done.expected)
    has = [u for u in done.expected if u.id in done.with_activities]
    none = [u for u in done.expected if u.id in done.said_none and u.id not in done.with_activities]
    lines = [f"【{header}】{roc_date(call.period_start)}–{roc_date(call.period_end)}，截止 {periods.roc_long(call.deadline)}",
             f"已回覆 {len(done.answered)}/{len(done.expected)} 個單位",
             f"✓ 有活動（{len(has)} 個單位，共 {with_count} 項）：" + ("、".join(u.card_name for u in has) or "－"),
             f"✓ 本期無活動（{len(none)}）：" + ("、".join(u.card_name for u in none) or "－"),
             f"✗ 未回覆（{len(done.missing)}）：" + ("、".join(u.card_name for u in done.missing) or "－")]
    return "\n".join(lines)


def call_report(call: ActivityCall, done: Completeness, late_note: str) -> Message:
    """The completeness report pushed after the deadline."""
    return text(late_note + completeness_text(call, done, "活動徵集結果") + "\n輸入「活動期程」查看彙整後的期程。",
                quick=[says("活動期程")])


def announcement(activity: Activity, late_note: str) -> Message:
    """The joinable activity's notice to the group, a few days before."""
    card = FlexCard(title=f"共同宣導活動預告：{activity.title}",
                    alt=f"共同宣導活動預告：{when(activity)} {activity.title}",
                    rows=activity_rows(activity),
                    body=f"{late_note}歡迎有意共同宣導的單位，直接與{activity.unit.card_name}聯繫。",
                    accent=ACCENT)
    return card.message()


def links_text(district_name: str, urls: dict[str, str], can_rotate: bool) -> Message:
    """The secret links, given in 1:1 chat only."""
    rotate = "\n連結外流時，秘書單位可輸入「活動連結 重設」讓舊連結失效。" if can_rotate else ""
    return text(f"{district_name}活動期程（連結請勿張貼於公開場合）：\n"
                f"・行事曆訂閱（Google 日曆／Outlook「以網址新增」）：\n{urls['ics']}\n"
                f"・可列印月曆：\n{urls['month']}\n"
                f"・Excel 期程表（可附於會議紀錄）：\n{urls['xlsx']}{rotate}")
