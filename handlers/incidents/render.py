"""What urgent requests look like in chat: the group card, confirmations, the state card, statistics."""
from __future__ import annotations

from collections import Counter

from bot.messages import FlexCard, Message, postback, says, text, textv2_mention
from models.incidents import (
    Incident,
    IncidentStatus,
    IncidentUpdate,
    UpdateKind,
    Urgency,
)
from models.roster import Contact, Unit
from rules.dates import roc_datetime
from rules.incidents import CATEGORIES, ClaimStats

STATUS_LABELS = {IncidentStatus.OPEN: "待認領", IncidentStatus.CLAIMED: "處理中", IncidentStatus.CLOSED: "已結案"}
ACCENT = {Urgency.URGENT: "#c0392b", Urgency.NORMAL: "#1f6f8b"}


def asked_names(incident: Incident) -> str:
    return "、".join(u.short_name for u in incident.asked_units) or "全體網絡單位"


def card(incident: Incident, with_buttons: bool = True) -> Message:
    """The request as the group sees it, with 我來處理 / 需要更多資訊 / 結案 buttons."""
    rows = [
        ("編號", incident.number),
        ("提出單位", incident.requester_unit.name),
        ("類別", incident.category),
        ("緊急程度", incident.urgency),
        ("請求協助", asked_names(incident)),
        ("時間", roc_datetime(incident.created_at)),
        ("狀態", STATUS_LABELS[incident.status] + (f"（{incident.claimed_unit.name}）" if incident.claimed_unit else "")),
    ]
    actions = []
    if with_buttons and incident.status != IncidentStatus.CLOSED:
        actions = [postback("我來處理", "inc_claim", display=f"我來處理 {incident.number}", id=incident.id),
                   postback("需要更多資訊", "inc_info", display=f"請補充 {incident.number}", id=incident.id),
                   postback("結案", "inc_close", display=f"結案 {incident.number}", id=incident.id)]
    return FlexCard(title=f"【{incident.urgency}】跨網絡求助 {incident.number}",
                    alt=f"【{incident.urgency}】求助 {incident.number}：{incident.category}，請求 {asked_names(incident)}",
                    rows=rows, body=incident.text or "（內容已依保存期限刪除）", actions=actions,
                    accent=ACCENT.get(Urgency(incident.urgency), "#1f6f8b")).message()


def confirmation(incident: Incident) -> Message:
    return text(f"已將求助 {incident.number} 發到{incident.district.name}群組，請求：{asked_names(incident)}。\n"
                f"後續：「案件 {incident.number}」看狀態、「回報 {incident.number} 內容」補充、「結案 {incident.number}」結案。")


def quota_gone(incident: Incident) -> Message:
    """The month's LINE quota cannot carry the card: say so at once, and what to do instead."""
    return text(f"⚠️ 本月 LINE 訊息額度已用完，求助 {incident.number} 可能無法送到{incident.district.name}群組。\n"
                f"請立即以電話聯繫被請求的單位（{asked_names(incident)}）。緊急危難請撥 110、119；"
                "家暴、性侵害、兒少保護請撥 113 保護專線。\n小幫手仍會嘗試發送，並已通知秘書單位。")


HISTORY_LINES = 15


def state(incident: Incident, recent: list[IncidentUpdate]) -> list[Message]:
    """The card and the last HISTORY_LINES updates, oldest first."""
    lines = [f"{u.created_at and roc_datetime(u.created_at)} {u.unit.short_name} {_update_label(u.kind)}"
             + (f"：{u.text}" if u.text else "") for u in recent]
    messages = [card(incident)]
    if lines:
        messages.append(text("處理紀錄：\n" + "\n".join(lines)))
    return messages


def _update_label(kind: str) -> str:
    return {UpdateKind.CLAIM: "認領", UpdateKind.INFO_REQUEST: "請求補充資訊", UpdateKind.REPORT: "回報",
            UpdateKind.CLOSE: "結案"}.get(UpdateKind(kind), kind)


def claimed(incident: Incident, contact: Contact) -> Message:
    return text(f"✅ {contact.unit.name} 已認領求助 {incident.number}，其他單位可視需要協助。")


def info_requested(incident: Incident, contact: Contact) -> Message:
    """Ask the requester (mentioned) for more information, in the group, without any personal data."""
    return textv2_mention(f"{contact.unit.name} 想進一步了解求助 {incident.number}，請 {{requester}} "
                          f"以「回報 {incident.number} 內容」補充（勿含個資），或以公務電話聯繫。",
                          {"requester": incident.requester.line_user_id})


def closed(incident: Incident, contact: Contact) -> Message:
    return text(f"求助 {incident.number} 已由 {contact.unit.name} 結案。",
                quick=[says("提報個案研討", f"提報個案研討 {incident.number}")])


def update_posted(incident: Incident, contact: Contact, body: str) -> Message:
    return text(f"求助 {incident.number} 更新（{contact.unit.name}）：\n{body}")


def repost(incident: Incident, contacts: list[Contact], late: str) -> Message:
    """The re-post after nobody claimed: mentions the asked units' contacts (LINE mention objects)."""
    mentions = {f"m{i}": c.line_user_id for i, c in enumerate(contacts[:20])}
    tags = " ".join(f"{{{key}}}" for key in mentions)
    body = (f"{late}⏰ 求助 {incident.number}（{incident.category}，{incident.urgency}）尚無單位認領，"
            f"請 {asked_names(incident)} 協助確認。{tags}\n{incident.text or ''}")
    return textv2_mention(body, mentions) if mentions else text(body)


def repost_direct(incident: Incident, late: str) -> Message:
    """The first escalation in 1:1 to an asked unit's contact: the group is not charged for it."""
    return text(f"{late}⏰ 求助 {incident.number}（{incident.category}，{incident.urgency}）尚無單位認領，"
                f"貴單位是被請求的單位（{asked_names(incident)}），請確認能否協助；可直接按下方「我來處理」。")


def secretariat_alert(incident: Incident, late: str) -> Message:
    return text(f"{late}⚠️ {incident.district.name}求助 {incident.number}（{incident.category}，{incident.urgency}）"
                f"發出後仍無單位認領，請秘書單位協助協調。\n請求：{asked_names(incident)}\n"
                f"輸入「案件 {incident.number}」查看。")


def ask_category() -> Message:
    return text("求助（1/4）：請選擇類別。隨時輸入「取消」可結束。",
                quick=[postback(c, "inc_flow", display=c, category=c) for c in CATEGORIES])


def ask_units(units: list[Unit], chosen: list[int]) -> Message:
    picked = "、".join(u.short_name for u in units if u.id in chosen) or "（尚未選擇，不選表示全體單位）"
    chips = [postback("完成", "inc_flow", display="完成", done=1)]
    chips += [postback(("✓" if u.id in chosen else "") + u.short_name, "inc_flow", display=u.short_name, unit=u.id)
              for u in units if u.id not in chosen][:12]
    return text(f"求助（2/4）：要請哪些單位協助？可點多個，選好按「完成」。\n已選：{picked}", quick=chips)


def ask_urgency() -> Message:
    return text("求助（3/4）：緊急程度？（緊急：立即通知、無人認領即追蹤；一般：於上班時間追蹤）",
                quick=[postback(u, "inc_flow", display=u, urgency=u) for u in ("緊急", "一般")])


def ask_text() -> Message:
    return text("求助（4/4）：請輸入求助內容。請勿寫出個案姓名、身分證、電話、門牌地址或生日；"
                "可用遮蔽姓名（王○明）、路段（新興路附近）與年齡。")


def preview(category: str, urgency: str, units: str, body: str) -> Message:
    return text(f"請確認：\n類別：{category}\n緊急程度：{urgency}\n請求協助：{units}\n內容：{body}",
                quick=[postback("送出", "inc_flow", display="送出", send=1), says("取消")])


def statistics(title: str, by_month: Counter, by_category: Counter, by_unit: Counter, stats: ClaimStats) -> Message:
    def table(counter: Counter) -> str:
        return "、".join(f"{k} {v}" for k, v in counter.most_common()) or "無"
    timing = ("無已認領案件" if stats.median_minutes is None else
              f"中位數 {stats.median_minutes:.0f} 分鐘，90百分位 {stats.p90_minutes:.0f} 分鐘（{stats.count} 件）")
    return text(f"{title}\n月份：{table(by_month)}\n類別：{table(by_category)}\n提出單位：{table(by_unit)}\n"
                f"認領時間：{timing}")


# ---------------------------------------------------------------------------- delivery of the group card
# A 求助 is confirmed only once LINE accepted its card (bot.messages.FollowUps); until then, or if it
# cannot be delivered, the requester is told what to do instead.

WHAT_TO_DO = ("若情況緊急，請直接以電話聯絡受請求單位；有立即危險請撥 110（警察）或 119（消防救護），"
              "家暴、性侵害、兒少保護請撥 113。")


def delayed(incident: Incident) -> Message:
    return text(f"求助 {incident.number} 尚未送達{incident.district.name}群組（LINE 暫時無法傳送），系統正在重試，"
                f"送達後會再通知您。\n{WHAT_TO_DO}")


def undelivered(incident: Incident) -> Message:
    return text(f"求助 {incident.number} 未能送達{incident.district.name}群組，群組成員沒有收到。"
                f"請改以電話聯絡受請求單位（{asked_names(incident)}）。\n{WHAT_TO_DO}\n已同時通知秘書單位。")


def undelivered_to_secretariat(incident: Incident) -> Message:
    return text(f"【求助未送達】{incident.requester_unit.name}的求助 {incident.number}"
                f"（{incident.category}，{incident.urgency}，請求 {asked_names(incident)}）未能送達"
                f"{incident.district.name}群組。請協助以電話聯繫相關單位，並確認 LINE 訊息額度。")
