"""Where a meetings command applies: the district and the secretariat check (text passes bot/privacy_guard.py)."""
from __future__ import annotations

from bot import roster
from bot.context import Ctx
from bot.events import Inbound
from bot.messages import Outbound, reply, text
from models.roster import District


def district_of(event: Inbound, ctx: Ctx) -> tuple[District | None, str]:
    """The district a command is about: the bound group's, or in 1:1 the speaker's unit's; else why not."""
    if event.in_group:
        if ctx.group is None or ctx.group.district is None:
            return None, "本群組尚未綁定行政區，請秘書單位先輸入「綁定 行政區」。"
        return ctx.group.district, ""
    if ctx.contact is None or not ctx.contact.is_active:
        return None, "請先註冊為單位聯繫窗口（輸入「註冊」）。"
    return ctx.contact.unit.district, ""


def manages(ctx: Ctx, district: District) -> bool:
    """Whether the speaker is the district's secretariat (or the city's 社會局, or an admin)."""
    return roster.may_manage_district(ctx.contact, district, ctx.is_admin)


def refuse_unless_manager(ctx: Ctx, district: District, what: str) -> list[Outbound] | None:
    """A polite refusal when the speaker may not manage this district's meetings; None when allowed."""
    if manages(ctx, district):
        return None
    return [reply(text(f"只有{district.name}的秘書單位或管理員可以{what}。"))]


def managed_district(event: Inbound, ctx: Ctx, what: str) -> tuple[District | None, list[Outbound]]:
    """The district the speaker manages here, or a polite refusal saying why not."""
    district, problem = district_of(event, ctx)
    if district is None:
        return None, [reply(text(problem))]
    refusal = refuse_unless_manager(ctx, district, what)
    return (None, refusal) if refusal else (district, [])
