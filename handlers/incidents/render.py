"""What urgent requests look like in chat: the group card, confirmations, the state card, statistics."""
from __future__ import annotations

from collections import Counter

from bot.messages import FlexCard, Message, carousel, postback, says, text, textv2_mention
from models.incidents import Incident, IncidentStatus, IncidentUpdate, UpdateKind
from models.roster import Contact, Unit
from rules.dates import roc_datetime
from rules.incidents import CATEGORIES, ClaimStats, Refusal, Urgency

STATUS_LABELS = {IncidentStatus.OPEN: "待認領", IncidentStatus.CLAIMED: "處理中", IncidentStatus.CLOSED: "已結案"}
ACCENT = {Urgency.URGENT: "#c0392b", Urgency.NORMAL: "#1f6f8b"}


EXCERPT = 60  # characters of the request repeated in an escalation; 案件 <編號> shows the rest


def names(units: list[Unit]) -> str:
    return "、".join(u.card_name for u in units) or "全體網絡單位"


def asked_names(incident: Incident) -> str:
    return names(incident.asked_units)


def status_line(incident: Incident) -> str:
    """待認領 / 處理中（認領單位）/ 已結案（結案單位）."""
    label = STATUS_LABELS[IncidentStatus(incident.status)]
    if incident.status == IncidentStatus.CLOSED:
        closer = incident.closed_unit
        return label + (f"（{closer.card_name} 結案）" if closer else "")
    return label + (f"（{incident.claimed_unit.card_name} 認領）" if incident.claimed_unit else "")


def excerpt(incident: Incident) -> str:
    body = incident.text or ""
    return body if len(body) <= EXCERPT else body[:EXCERPT] + f"…（全文請輸入「案件 {incident.number}」）"


def card(incident: Incident, with_buttons: bool = True, short: bool = False) -> Message:
    """The request as the group sees it, with 我來處理 / 需要更多資訊 / 結案 buttons (`short`: an excerpt)."""
    rows = [
        ("編號", incident.number),
        ("提出單位", incident.requester_unit.card_name),
        ("類別", incident.category),
        ("緊急程度", incident.urgency),
        ("請求協助", asked_names(incident)),
        ("時間", roc_datetime(incident.created_at)),
        ("狀態", status_line(incident)),
    ]
    actions = []
    if with_buttons and incident.status != IncidentStatus.CLOSED:
        actions = [postback("我來處理", "inc_claim", display=f"我來處理 {incident.number}", id=incident.id),
                   postback("需要更多資訊", "inc_info", display=f"請補充 {incident.number}", id=incident.id),
                   postback("結案", "inc_close", display=f"結案 {incident.number}", id=incident.id)]
    return FlexCard(title=f"【{incident.urgency}】跨網絡求助 {incident.number}",
                    alt=f"【{incident.urgency}】求助 {incident.number}：{incident.category}，請求 {asked_names(incident)}",
                    rows=rows, body=(excerpt(incident) if short else incident.text) or "（內容已依保存期限刪除）",
                    actions=actions,
                    accent=ACCENT.get(Urgency(incident.urgency), "#1f6f8b")).message()


def confirmation(incident: Incident, understood: bool = False) -> Message:
    """`understood`: the asked units were read from the text, so say which ones."""
    read = "（從內容辨識；不對請「結案」後重發，並用 @單位 標記）" if understood else ""
    return text(f"已將求助 {incident.number} 發到{incident.district.name}群組，請求：{asked_names(incident)}{read}。\n"
                f"後續：「案件 {incident.number}」看狀態、「回報 {incident.number} 內容」補充、「結案 {incident.number}」結案。")


def quota_gone(incident: Incident) -> Message:
    """The month's LINE quota cannot carry the card: say so at once, and what to do instead."""
    return text(f"⚠️ 本月 LINE 訊息額度已用完，求助 {incident.number} 可能無法送到{incident.district.name}群組。\n"
                f"請立即以電話聯繫被請求的單位（{asked_names(incident)}）。緊急危難請撥 110、119；"
                "家暴、性侵害、兒少保護請撥 113 保護專線。\n小幫手仍會嘗試發送，並已通知秘書單位。")


HISTORY_LINES = 15


def state(incident: Incident, recent: list[IncidentUpdate]) -> list[Message]:
    """The card and the last HISTORY_LINES updates, oldest first."""
    lines = [f"{u.created_at and roc_datetime(u.created_at)} {u.unit.card_name} {_update_label(u.kind)}"
             + (f"：{u.text}" if u.text else "") for u in recent]
    messages = [card(incident)]
    if lines:
        messages.append(text("處理紀錄：\n" + "\n".join(lines)))
    return messages


def _update_label(kind: str) -> str:
    return {UpdateKind.CLAIM: "認領", UpdateKind.INFO_REQUEST: "請求補充資訊", UpdateKind.REPORT: "回報",
            UpdateKind.CLOSE: "結案"}.get(UpdateKind(kind), kind)


def claimed(incident: Incident, contact: Contact) -> Message:
    return text(f"✅ {contact.unit.card_name} 已認領求助 {incident.number}，其他單位可視需要協助。")


def claimed_for_requester(incident: Incident, contact: Contact) -> Message:
    """Told to the requester in 1:1: who took the request."""
    return text(f"您的求助 {incident.number} 已由 {contact.unit.card_name} 認領處理。",
                quick=[says("案件", f"案件 {incident.number}"), says("回報", f"回報 {incident.number} ")])


def refused(incident: Incident, why: Refusal) -> Message:
    """Why a claim or a close was not taken."""
    claimer = incident.claimed_unit.card_name if incident.claimed_unit else ""
    return text({
        Refusal.CLOSED: f"求助 {incident.number} 已結案。",
        Refusal.CLAIMED: f"求助 {incident.number} 已由 {claimer} 認領處理中。",
        Refusal.ALREADY_YOURS: f"貴單位已認領求助 {incident.number}。",
        Refusal.OWN_REQUEST: f"求助 {incident.number} 是貴單位提出的，請等待其他單位認領；可用「回報 {incident.number} 內容」補充。",
        Refusal.NOT_ASKED: f"求助 {incident.number} 請求的是：{asked_names(incident)}。如要協助，可用「回報 編號 內容」說明。",
        Refusal.NOT_INVOLVED: "只有提出單位、認領單位或秘書單位可以結案。",
    }[why])


def info_requested(incident: Incident, contact: Contact) -> Message:
    """Ask the requester (mentioned) for more information, in the group, without any personal data."""
    return textv2_mention(f"{contact.unit.card_name} 想進一步了解求助 {incident.number}，請 {{requester}} "
                          f"以「回報 {incident.number} 內容」補充（勿含個資），或以公務電話聯繫。",
                          {"requester": incident.requester.line_user_id})


def closed(incident: Incident, contact: Contact) -> Message:
    return text(f"求助 {incident.number} 已由 {contact.unit.card_name} 結案。",
                quick=[says("提報個案研討", f"提報個案研討 {incident.number}")])


def closed_notice(incident: Incident, contact: Contact) -> Message:
    """The one short line the group gets when a request is closed outside it."""
    return text(f"☑️ 求助 {incident.number} 已由 {contact.unit.card_name} 結案，謝謝各單位協助。")


ROLE_LABELS = {"raised": "本單位提出", "claimed": "本單位認領", "asked": "請本單位協助"}


def role_of(incident: Incident, unit: Unit) -> str:
    if incident.requester_unit_id == unit.id:
        return ROLE_LABELS["raised"]
    return ROLE_LABELS["claimed" if incident.claimed_unit_id == unit.id else "asked"]


def open_list(unit: Unit, incidents: list[Incident]) -> Message:
    """Bare 案件: the unit's open requests, each with 案件 / 回報 / 結案 (and 我來處理 when it may)."""
    if not incidents:
        return text(f"{unit.card_name}目前沒有進行中的求助。要發出求助請輸入「求助」。", quick=[says("求助")])
    cards = []
    for incident in incidents:
        actions = [says("案件", f"案件 {incident.number}"),
                   postback("回報", "inc_report", display=f"回報 {incident.number}", id=incident.id),
                   postback("結案", "inc_close", display=f"結案 {incident.number}", id=incident.id)]
        cards.append(FlexCard(title=f"{incident.number}（{incident.urgency}）", alt=incident.number,
                              rows=[("角色", role_of(incident, unit)), ("類別", incident.category),
                                    ("請求", asked_names(incident)), ("狀態", status_line(incident)),
                                    ("時間", roc_datetime(incident.created_at))],
                              actions=actions, accent=ACCENT.get(Urgency(incident.urgency), "#1f6f8b")))
    return carousel(f"{unit.card_name}進行中的求助 {len(incidents)} 件", cards)


def pick_for(verb: str, unit: Unit, incidents: list[Incident]) -> Message:
    """Bare 回報 / 結案: which request? (quick replies lead to the card list)."""
    if not incidents:
        return text(f"{unit.card_name}目前沒有進行中的求助可{verb}。")
    return text(f"要{verb}哪一件求助？請在下方卡片點「{verb}」，或輸入「{verb} 編號」。",
                quick=[says(i.number, f"案件 {i.number}") for i in incidents[:13]])


def ask_report(incident: Incident) -> Message:
    return text(f"請輸入求助 {incident.number} 的回報內容（勿含個資）；輸入「取消」結束。")


def update_posted(incident: Incident, contact: Contact, body: str) -> Message:
    return text(f"求助 {incident.number} 更新（{contact.unit.card_name}）：\n{body}")


def repost(incident: Incident, contacts: list[Contact], late: str) -> Message:
    """The re-post after nobody claimed: mentions the asked units' contacts (LINE mention objects)."""
    mentions = {f"m{i}": c.line_user_id for i, c in enumerate(contacts[:20])}
    tags = " ".join(f"{{{key}}}" for key in mentions)
    body = (f"{late}⏰ 求助 {incident.number}（{incident.category}，{incident.urgency}）尚無單位認領，"
            f"請 {asked_names(incident)} 協助確認。{tags}\n{excerpt(incident)}")
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
    """A card listing every unit with a toggle (☑ chosen, ☐ not), then 完成 / 全體網絡單位."""
    picked = "、".join(u.card_name for u in units if u.id in chosen) or "尚未選擇（不選即為全體網絡單位）"
    rows = [{"type": "button", "height": "sm", "style": "primary" if u.id in chosen else "secondary",
             "action": postback(("☑ " if u.id in chosen else "☐ ") + u.card_name, "inc_flow",
                                display=("取消選擇 " if u.id in chosen else "選擇 ") + u.card_name,
                                unit=u.id)} for u in units]
    bubble = {"type": "bubble", "size": "mega",
              "header": {"type": "box", "layout": "vertical", "contents": [
                  {"type": "text", "text": "求助（2/4）：要請哪些單位協助？", "weight": "bold", "wrap": True},
                  {"type": "text", "text": f"已選：{picked}", "size": "sm", "wrap": True, "color": "#555555"}]},
              "body": {"type": "box", "layout": "vertical", "spacing": "xs", "contents": rows},
              "footer": {"type": "box", "layout": "horizontal", "spacing": "sm", "contents": [
                  {"type": "button", "style": "primary", "height": "sm",
                   "action": postback("完成", "inc_flow", display="完成", done=1)},
                  {"type": "button", "style": "link", "height": "sm",
                   "action": postback("全體網絡單位", "inc_flow", display="全體網絡單位", all=1)}]}}
    return {"type": "flex", "altText": f"求助（2/4）：請選擇要請求協助的單位。已選：{picked}", "contents": bubble}


def ask_urgency() -> Message:
    return text("求助（3/4）：緊急程度？（緊急：立即通知、無人認領即追蹤；一般：於上班時間追蹤）",
                quick=[postback(u.value, "inc_flow", display=u.value, urgency=u.value) for u in Urgency])


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
    return text(f"【求助未送達】{incident.requester_unit.card_name}的求助 {incident.number}"
                f"（{incident.category}，{incident.urgency}，請求 {asked_names(incident)}）未能送達"
                f"{incident.district.name}群組。請協助以電話聯繫相關單位，並確認 LINE 訊息額度。")
