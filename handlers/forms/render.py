"""What the forms capability says: cards, questions, progress, reminders and summaries (no decisions)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.messages import Action, FlexCard, Message, buttons, datetime_picker, postback, says, text, textv2_mention, uri
from handlers.forms.service import UnitStatus
from models.forms import Form, FormResponse, FormStatus
from models.roster import Contact, Unit
from rules.dates import roc_date, roc_datetime, roc_weekday
from rules.form_tallies import Answered, tally_lines
from rules.forms import KIND_NAMES, FieldKind, FieldSpec, FormSpec, days_left, display_value, is_empty

MAX_MENTIONS = 40  # LINE allows 100 substitutions; a reminder naming more people is noise anyway
STATUS_NAMES = {FormStatus.DRAFT: "草稿", FormStatus.OPEN: "收件中", FormStatus.CLOSED: "已結束"}


def day(d: date) -> str:
    """115/12/01(二)."""
    return roc_date(d) + roc_weekday(d)


def when_answered(response: FormResponse, names: dict[str, str]) -> str:
    """115/11/24(二) 10:00 林社工（逾期）."""
    who = names.get(response.submitted_by, "")
    late = "（逾期）" if response.late else ""
    return f"{roc_datetime(response.submitted_at)} {who}{late}".strip()


# --------------------------------------------------------------------------- cards

def broadcast_card(form: Form, unit_count: int) -> Message:
    """The card posted to the group: title, deadline, a button to fill in."""
    body = (form.instructions[:300] + "\n\n" if form.instructions else "") + \
        "每個單位填一份，單位內任一聯繫窗口都可以填寫或修改。請勿填寫個人資料。"
    card = FlexCard(
        title=f"📋 {form.title}",
        alt=f"請填寫表單 #{form.id}「{form.title}」，{day(form.deadline)} 截止",
        rows=[("編號", f"#{form.id}"), ("截止", day(form.deadline)), ("填寫單位", f"{unit_count} 個單位")],
        body=body,
        # No displayText: a tap must not post "我要填寫…" into the group; the card goes to 1:1 chat.
        actions=[postback("填寫表單", "form_fill", id=form.id),
                 says("查看進度", f"表單進度 {form.id}")],
    )
    return card.message()


def sent_privately(user_id: str, form: Form) -> Message:
    """The group's short note after a tap on 填寫表單: the card went to the person's 1:1 chat."""
    return textv2_mention(f"{{who}} 表單 #{form.id} 的填寫卡片已私訊給您，請到與小幫手的一對一聊天填寫。",
                          {"who": user_id})


def fill_card(form: Form, unit: Unit, response: FormResponse | None, names: dict[str, str], link: str,
              now: datetime) -> Message:
    """The 1:1 card: where the unit stands, then fill in chat or on the web page."""
    left = days_left(now, form.deadline)
    deadline = day(form.deadline) + ("（已逾期，仍可填寫，將標示逾期）" if left < 0 else "")
    status = f"已填寫（第 {response.revision} 版：{when_answered(response, names)}）" if response else "尚未填寫"
    card = FlexCard(
        title=f"📋 #{form.id} {form.title}",
        alt=f"表單 #{form.id}「{form.title}」：{status}",
        rows=[("單位", unit.card_name), ("截止", deadline), ("狀態", status)],
        body=(form.instructions[:500] + "\n\n" if form.instructions else "") +
        "網頁版適合在電腦上填寫較長的內容；連結僅供您本人使用，請勿轉傳。",
        actions=[postback("修改回答" if response else "在聊天中逐題填寫", "form_start",
                          display="在聊天中填寫", id=form.id),
                 uri("用網頁填寫（適合電腦）", link)],
    )
    return card.message()


def manage_card(form: Form, statuses: list[UnitStatus]) -> Message:
    """A form as the secretariat sees it in 1:1: state, counts and what to do next."""
    done = sum(1 for s in statuses if s.answered)
    actions: list[Action] = []
    if form.status == FormStatus.DRAFT:
        actions.append(says("發布到群組", f"表單 發布 {form.id}"))
    else:
        actions += [says("查看進度", f"表單進度 {form.id}"), says("匯出", f"表單 匯出 {form.id}")]
    card = FlexCard(
        title=f"📋 #{form.id} {form.title}",
        alt=f"表單 #{form.id}「{form.title}」",
        rows=[("狀態", STATUS_NAMES[form.status]), ("截止", day(form.deadline)),
              ("已填", f"{done}/{len(statuses)} 個單位"), ("題目", f"{len(form.fields)} 題")],
        actions=actions,
    )
    return card.message()


# --------------------------------------------------------------------------- filling in chat

def question(definition: FormSpec, index: int, draft: dict[str, Any], had: dict[str, Any]) -> Message:
    """Ask one question, with quick replies for choices, the date picker, keep and skip."""
    f = definition.fields[index]
    lines = [f"第 {index + 1}/{len(definition.fields)} 題：{f.label}（{'必填' if f.required else '選填'}）"]
    if f.help:
        lines.append(f.help)
    previous = had.get(f.key)
    if not is_empty(previous):
        lines.append(f"目前答案：{display_value(f, previous)}")
    lines.append(_how_to_answer(f, draft.get(f.key)))
    quick: list[Action] = []
    if f.kind == FieldKind.SINGLE:
        quick += [postback(o, "form_pick", display=o, o=i) for i, o in enumerate(f.options)]
    elif f.kind == FieldKind.MULTI:
        picked = draft.get(f.key) or []
        quick += [postback(("✓ " if o in picked else "") + o, "form_pick", display=o, o=i)
                  for i, o in enumerate(f.options)]
        quick.append(postback("完成", "form_next", display="完成"))
    elif f.kind == FieldKind.DATE:
        quick.append(datetime_picker("選擇日期", "form_date", mode="date"))
    if not is_empty(previous) and f.kind != FieldKind.MULTI:
        quick.append(postback("沿用目前答案", "form_keep", display="沿用目前答案"))
    if not f.required and f.kind != FieldKind.MULTI:
        quick.append(postback("略過", "form_skip", display="略過"))
    return text("\n".join(lines), quick=quick or None)


def _how_to_answer(f: FieldSpec, draft: Any) -> str:
    if f.kind == FieldKind.MULTI:
        chosen = "、".join(draft or []) or "（尚未選擇）"
        return f"可複選，點選項切換，選好按「完成」。已選：{chosen}"
    if f.kind == FieldKind.SINGLE:
        return "請點選一個選項（也可以輸入選項文字或編號）。"
    if f.kind == FieldKind.DATE:
        return "請按「選擇日期」，或輸入日期（例如 115/12/5）。"
    if f.kind == FieldKind.NUMBER:
        return "請輸入數字。"
    return "請直接輸入文字" + ("，可以分段。" if f.kind == FieldKind.LONG else "。") + "輸入「取消」可結束。"


def confirm(definition: FormSpec, answers: dict[str, Any], unit: Unit, late: bool) -> Message:
    """Everything answered, to check before sending."""
    lines = [f"請確認「{unit.card_name}」的回答："]
    for number, f in enumerate(definition.fields, start=1):
        lines.append(f"{number}. {f.label}：{display_value(f, answers.get(f.key))}")
    if late:
        lines.append("\n※ 已超過截止日，送出後會標示為逾期。")
    quick = [postback("送出", "form_submit", display="送出"),
             postback("重新填寫", "form_restart", display="重新填寫"), says("取消")]
    return text("\n".join(lines), quick=quick)


def submitted(form: Form, unit: Unit, response: FormResponse) -> Message:
    """The receipt after sending: version, and whether this submission came after the deadline."""
    edit = f"（已更新為第 {response.revision} 版，先前的版本都有保留）" if response.revision > 1 else ""
    late = "\n已超過截止日，本次填寫標示為逾期。" if response.revisions[-1].late else ""
    return text(f"已送出「{unit.card_name}」對表單 #{form.id}「{form.title}」的回答{edit}。{late}\n"
                f"截止前單位內任一聯繫窗口都可以再修改：輸入「表單 填寫 {form.id}」。")


# --------------------------------------------------------------------------- tracking

def progress_text(forms: list[tuple[Form, list[UnitStatus], FormSpec]], manager: bool = False) -> Message:
    """✓/✗ per unit and each question's tally for each form, as one reply; the secretariat gets the nudge button."""
    if not forms:
        return text("目前沒有收件中的表單。")
    blocks: list[str] = []
    quick: list[Action] = []
    for form, statuses, definition in forms:
        done = sum(1 for s in statuses if s.answered)
        lines = [f"📋 #{form.id} {form.title}", f"截止 {day(form.deadline)}｜已填 {done}/{len(statuses)}"]
        for s in statuses:
            mark = "✓" if s.answered else "✗"
            late = "（逾期）" if s.response is not None and s.response.late else ""
            lines.append(f"{mark} {s.unit.card_name}{late}")
        if done:
            lines += ["", "回答統計："] + tally_lines(definition, answered(statuses))
        blocks.append("\n".join(lines))
        waiting = len(statuses) - done
        if manager and waiting and form.status == FormStatus.OPEN and len(quick) < 13:
            quick.append(postback(f"提醒未填寫的單位（#{form.id}）", "form_nudge", display=None, id=form.id,
                                  n=waiting))
    return text("\n\n".join(blocks), quick=quick or None)


def answered(statuses: list[UnitStatus]) -> list[Answered]:
    """The answers of the units that answered, under their card names (for the tallies)."""
    return [Answered(s.unit.card_name, dict(s.response.answers)) for s in statuses if s.response is not None]


def nudge(form: Form, unit: Unit) -> Message:
    """The secretariat's one-tap reminder, sent 1:1 to a contact of a unit that has not answered."""
    return text(f"⏰ 秘書單位提醒：「{unit.card_name}」尚未填寫表單 #{form.id}「{form.title}」，"
                f"截止 {day(form.deadline)}。請點下方卡片填寫，單位內任一聯繫窗口填寫即可。")


def nudged(form: Form, units: int, people: int, shown: int | None) -> Message:
    """What the secretariat is told after tapping 提醒未填寫的單位."""
    if units == 0:
        return text(f"表單 #{form.id} 的單位都已填寫，沒有需要提醒的單位。")
    changed = f"（剛才顯示 {shown} 個，期間已有單位填寫）" if shown is not None and shown != units else ""
    none = "" if people else "；這些單位尚無聯繫窗口"
    return text(f"已私訊提醒表單 #{form.id} 尚未填寫的 {units} 個單位{changed}，共 {people} 位聯繫窗口{none}。"
                "同一天再按不會重複發送。")


def reminder(form: Form, waiting: list[Unit], contacts: dict[int, list[Contact]], now: datetime,
             note: str = "") -> Message:
    """Chase the units that have not answered, mentioning their contacts."""
    left = days_left(now, form.deadline)
    when = "今天" if left == 0 else f"{left} 天後（{day(form.deadline)}）"
    lines = [f"{note}⏰ 表單 #{form.id}「{_esc(form.title)}」將於{when}截止，以下單位尚未填寫："]
    mentions: dict[str, str] = {}
    for unit in waiting:
        people = []
        for contact in contacts.get(unit.id, []):
            if len(mentions) >= MAX_MENTIONS:
                break
            key = f"m{len(mentions)}"
            mentions[key] = contact.line_user_id
            people.append("{" + key + "}")
        lines.append(f"・{_esc(unit.card_name)} " + (" ".join(people) if people else "（尚無聯繫窗口）"))
    lines.append(f"請點群組中的表單卡片「填寫表單」，或私訊小幫手「表單 填寫 {form.id}」。已填寫的單位不會再收到提醒。")
    return textv2_mention("\n".join(lines), mentions)


def send_cost_text(form: Form, groups: int, cost: int, quota: tuple[int | None, int, object],
                   digest_at: str | None = None) -> str:
    """What a broadcast will cost (and by when, if it waits for a morning digest): the chat's card and the console."""
    limit, used, known = quota
    left = f"（本月剩餘約 {max(limit - used, 0):,} 則）" if known is not None and limit is not None else ""
    when = f"卡片隨晨間摘要送出（最晚 {digest_at}）。" if digest_at else ""
    return f"表單 #{form.id}「{form.title}」將發送到 {groups} 個群組，共約 {cost:,} 則訊息額度{left}。{when}"


def send_cost(form: Form, groups: int, cost: int, quota: tuple[int | None, int, object],
              digest_at: str | None = None) -> Message:
    """Before a big send: what it costs (and by when, if it waits for a morning digest), with a button that carries it."""
    body = send_cost_text(form, groups, cost, quota, digest_at) + "確定發送？"
    return buttons(f"發送表單 #{form.id}：約 {cost} 則訊息額度", body, [
        postback("確認發送", "form_send", display="確認發送", id=form.id, groups=groups, cost=cost),
        says("先不要", "表單")])


def reminder_direct(form: Form, now: datetime, note: str = "") -> Message:
    """Chase one contact of a unit that has not answered, in 1:1 chat (cheaper than the whole group)."""
    left = days_left(now, form.deadline)
    when = "今天" if left == 0 else f"{left} 天後（{day(form.deadline)}）"
    return text(f"{note}⏰ 表單 #{form.id}「{form.title}」將於{when}截止，貴單位尚未填寫。",
                quick=[says("填寫表單", f"表單 填寫 {form.id}")])


def _esc(words: str) -> str:
    """Escape braces in textV2, where `{key}` is a placeholder."""
    return words.replace("{", "{{").replace("}", "}}")


def deadline_summary(form: Form, statuses: list[UnitStatus], note: str = "") -> Message:
    """What the secretariat gets once the deadline day is over."""
    done = [s for s in statuses if s.answered]
    late = [s for s in done if s.response is not None and s.response.late]
    missing = [s for s in statuses if not s.answered]
    body = "未填寫：" + ("、".join(s.unit.card_name for s in missing) if missing else "無，全部單位都已填寫 🎉")
    card = FlexCard(
        title=f"表單截止：#{form.id} {form.title}",
        alt=f"{note}表單 #{form.id}「{form.title}」已截止：已填 {len(done)}/{len(statuses)}",
        rows=[("截止", day(form.deadline)), ("已填", f"{len(done)}/{len(statuses)} 個單位"),
              ("逾期", f"{len(late)} 個單位"), ("未填", f"{len(missing)} 個單位")],
        body=note + body + "\n逾期仍可填寫，會標示逾期。",
        actions=[postback("取得匯出連結", "form_export", display="匯出表單", id=form.id),
                 says("查看進度", f"表單進度 {form.id}")],
    )
    return card.message()


def group_summary(form: Form, statuses: list[UnitStatus], definition: FormSpec) -> Message:
    """The compact summary card for the group; forms with a date become a compiled schedule."""
    done = [s for s in statuses if s.answered]
    rows = [("截止", day(form.deadline)), ("已填", f"{len(done)}/{len(statuses)} 個單位")]
    missing = [s.unit.card_name for s in statuses if not s.answered]
    body = "尚未填寫：" + ("、".join(missing) if missing else "無")
    schedule = _schedule(done, definition)
    if schedule:
        body = "彙整行程：\n" + "\n".join(schedule) + "\n\n" + body
    if done:
        body += "\n\n回答統計：\n" + "\n".join(tally_lines(definition, answered(statuses)))
    card = FlexCard(title=f"📊 #{form.id} {form.title}", alt=f"表單 #{form.id}「{form.title}」彙整：已填 "
                    f"{len(done)}/{len(statuses)}", rows=rows, body=body)
    return card.message()


def _schedule(done: list[UnitStatus], definition: FormSpec) -> list[str]:
    """Lines `115/12/05(六) 單位：活動` sorted by the form's first date field (e.g. the advocacy form)."""
    date_field = next((f for f in definition.fields if f.kind == FieldKind.DATE), None)
    label_field = next((f for f in definition.fields if f.kind == FieldKind.SHORT), None)
    if date_field is None:
        return []
    entries = []
    for s in done:
        answers = s.response.answers if s.response else {}
        when = answers.get(date_field.key)
        if when:
            what = str(answers.get(label_field.key, "")) if label_field else ""
            entries.append((str(when), f"{display_value(date_field, when)} {s.unit.card_name}：{what}"))
    return [line for _, line in sorted(entries)][:15]


def export_links(form: Form, xlsx: str, csv: str, hours: int) -> Message:
    """The two download buttons, given to the secretariat in 1:1 chat."""
    return buttons(f"表單 #{form.id} 匯出連結", f"#{form.id} 匯出檔（{hours} 小時內有效，請勿轉傳）",
                   [uri("下載 Excel（.xlsx）", xlsx), uri("下載 CSV", csv)], title=form.title[:40])


def form_list(own: list[tuple[Form, bool]], managed: list[Form]) -> Message:
    """`表單` in 1:1: the forms this unit must answer, and the secretariat's drafts."""
    lines, quick = [], []
    if own:
        lines.append("本單位需要填寫的表單：")
        for form, answered in own:
            lines.append(f"・#{form.id} {form.title}（{day(form.deadline)} 截止）{'✓ 已填' if answered else '✗ 未填'}")
            quick.append(says(f"填寫 #{form.id}", f"表單 填寫 {form.id}"))
    if managed:
        lines.append("\n草稿（尚未發布）：")
        for form in managed:
            lines.append(f"・#{form.id} {form.title}（{day(form.deadline)} 截止）")
            quick.append(says(f"發布 #{form.id}", f"表單 發布 {form.id}"))
    if not lines:
        lines.append("目前沒有需要填寫的表單。")
    lines.append("\n指令：表單 填寫 <編號>｜表單進度｜秘書單位：表單 新增、表單 發布／摘要／匯出／關閉 <編號>")
    return text("\n".join(lines), quick=quick[:13] or None)


def kind_choices() -> list[Action]:
    """Quick replies for the six kinds of question (guided definition)."""
    return [postback(name, "form_def_kind", display=name, kind=kind.value) for kind, name in KIND_NAMES.items()]
