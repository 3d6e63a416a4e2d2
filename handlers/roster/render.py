"""What the roster says: texts, quick replies and cards, apart from the decisions."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.directory import Directory
from bot.messages import FlexCard, Message, postback, says, text
from models.roster import ROLE_LABELS, Contact, ContactStatus, District, Unit

TAIPEI = ZoneInfo("Asia/Taipei")
STATUS_LABELS = {ContactStatus.PENDING: "待審核", ContactStatus.ACTIVE: "已核准", ContactStatus.REJECTED: "未核准",
                 ContactStatus.INACTIVE: "已停用"}
WHAT_INACTIVE_MEANS = "（不再被標記、不再收到推播、沒有管理權限）"
LEFT_HOW = {"left_group": "已離開{district}群組", "unfollowed": "已封鎖或刪除小幫手", "deactivated": "已由秘書單位停用"}


def district_choices(districts: list[District]) -> list[dict]:
    return [postback(d.name, "reg_district", display=d.name, id=d.id) for d in districts]


def ask_district(districts: list[District]) -> Message:
    return text("註冊聯繫窗口（1/2）：請選擇您服務的行政區。隨時輸入「取消」可結束。",
                quick=district_choices(districts))


def ask_unit(district: District) -> Message:
    """A card listing every unit of the district as a button (more than a quick reply's 13 fit)."""
    card = FlexCard(
        title=f"註冊聯繫窗口（2/2）：{district.name}",
        alt=f"請選擇您所屬的單位（{district.name}）",
        body="請點選您所屬的網絡單位；也可以直接輸入單位名稱。",
        actions=[postback(u.card_name, "reg_unit", display=u.card_name, id=u.id) for u in district.units],
    )
    return card.message()


def approval_card(contact: Contact, title: str = "聯繫窗口註冊申請") -> Message:
    """The card the approvers tap: its buttons carry the unit and the application version it shows."""
    shown = {"id": contact.id, "unit": contact.unit_id, "v": contact.application_version}
    card = FlexCard(
        title=title,
        alt=f"註冊申請：{contact.unit.card_name}",
        rows=[("行政區", contact.unit.district.name), ("單位", contact.unit.card_name),
              ("LINE 名稱", contact.display_name or "（未提供）")],
        actions=[postback("核准", "reg_decide", display="核准", ok=1, **shown),
                 postback("婉拒", "reg_decide", display="婉拒", ok=0, **shown)],
    )
    return card.message()


def group_greeting() -> Message:
    return text(
        "大家好，我是社安網聯繫小幫手。\n"
        "請區公所社會課（或管理員）在群組輸入「綁定 行政區」，例如「綁定 中壢區」，完成群組設定。\n"
        "依市府決議，群組不張貼個案通報與個人資料；正式通報請循113保護專線或「關懷e起來」。\n"
        "輸入「說明」查看可用功能。",
        quick=[says("說明")],
    )


def welcome() -> Message:
    return text(
        "您好，我是社安網聯繫小幫手，協助區域網絡單位即時聯繫。\n"
        "網絡單位的聯繫窗口請先輸入「註冊」，由秘書單位核准後即可使用。",
        quick=[says("註冊"), says("說明")],
    )


def resources(directory: Directory, district: str | None) -> Message:
    lines = ["【求助專線】"]
    lines += [f"・{h.number} {h.name}" + (f"（{h.note}）" if h.note else "") for h in directory.hotlines]
    if district:
        lines.append(f"\n【{district}家庭服務中心】")
        centres = directory.centres_of(district)
        for centre in centres:
            details = "　".join(part for part in (centre.address, centre.phone) if part) or "（請洽社會局）"
            lines.append(f"・{centre.name}：{details}")
        if not centres:
            lines.append("・（資料檔未列，請洽社會局）")
    else:
        lines.append("\n輸入「資源 行政區」（例如「資源 中壢區」）查看該區家庭服務中心。")
    if directory.reporting:
        lines.append("\n" + directory.reporting)
    return text("\n".join(lines))


def contact_line(contact: Contact) -> str:
    return f"{contact.unit.district.name}｜{contact.unit.card_name}｜{ROLE_LABELS[contact.role]}｜{STATUS_LABELS[contact.status]}"


def decision_notice(contact: Contact, approve: bool) -> Message:
    """What the applicant is told once the secretariat decided (in chat or on the console)."""
    return text(f"您的註冊已核准：{contact.unit.district.name}／{contact.unit.card_name}。輸入「說明」看看能做什麼。"
                if approve else "您的註冊申請未獲核准，如有疑問請洽區公所社會課。")


def who_may(unit: Unit, what: str = "審核這筆申請") -> str:
    """The answer to someone without the right to `what` for a contact of this unit (chat and console)."""
    if unit.is_city_level:
        return f"「{unit.card_name}」是市級單位，只有市府社會局（秘書單位）或管理員可以{what}。"
    return f"只有{unit.district.name}的秘書單位、市府社會局或管理員可以{what}。"


def offboarded(contacts: list[Contact], how: str) -> Message:
    """Tell the district's secretariat who was taken off the roster, and how to undo it."""
    district = contacts[0].unit.district.name
    names = "、".join(f"{c.display_name or '（未提供名稱）'}（{c.unit.card_name}）" for c in contacts)
    return text(f"【聯繫窗口異動】{names}{LEFT_HOW[how].format(district=district)}，已停用其聯繫窗口身分"
                f"{WHAT_INACTIVE_MEANS}。\n如為誤會，請對方重新「註冊」，再由秘書單位核准。")


def silent_review(contacts: list[Contact], days: int) -> Message:
    """The quarterly list of contacts who have not used the bot for `days` days."""
    from bot.roster import last_active
    from rules.dates import roc_date, to_taipei
    lines = [f"・{c.display_name or '（未提供名稱）'}（{c.unit.card_name}），最後使用 "
             f"{roc_date(to_taipei(last_active(c)).date())}" for c in contacts[:40]]
    more = f"\n…另有 {len(contacts) - 40} 位" if len(contacts) > 40 else ""
    return text(f"【季度名冊檢視】{contacts[0].unit.district.name}以下聯繫窗口已超過 {days} 天沒有使用小幫手，"
                "請確認是否仍負責聯繫；不再負責者請輸入「停用 LINE名稱」：\n" + "\n".join(lines) + more)
