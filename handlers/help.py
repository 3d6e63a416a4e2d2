"""Help (說明 / help / ?): what this user can do here, as text with quick replies.

The list is built from the route table's summaries, so a new command shows up without
editing this module; what a user sees depends on the chat and on the user's role.
"""
from __future__ import annotations

from bot.context import Ctx
from bot.events import Inbound
from bot.messages import Outbound, reply, says, text
from bot.router import Capability, MidFlow, Route, Where, Who


def on_help(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """List the commands this user may use in this chat."""
    allowed = _allowed_for(ctx)
    seen: set[int] = set()
    lines, chips = [], []
    for word, route in ctx.commands.items():
        if id(route) in seen or not route.summary or route.who not in allowed:
            continue
        if route.where == (Where.PRIVATE if event.in_group else Where.GROUP):
            continue
        seen.add(id(route))
        lines.append(f"・{word}：{route.summary}" if not route.summary.startswith(word) else f"・{route.summary}")
        chips.append(says(word))
    intro = _intro(ctx)
    return [reply(text(intro + "\n" + "\n".join(lines) + "\n・取消：結束進行中的操作", quick=chips[:13]))]


def _allowed_for(ctx: Ctx) -> set[Who]:
    allowed = {Who.ANYONE}
    if ctx.contact is not None and ctx.contact.is_active:
        allowed.add(Who.REGISTERED)
    elif not ctx.is_admin:
        allowed.add(Who.UNREGISTERED)
    if ctx.can_manage:
        allowed |= {Who.REGISTERED, Who.MANAGER}
    if ctx.is_admin:
        allowed.add(Who.ADMIN)
    return allowed


def _intro(ctx: Ctx) -> str:
    if ctx.contact is None:
        return "社安網聯繫小幫手可以做這些事（請先「註冊」成為單位聯繫窗口）："
    if not ctx.contact.is_active:
        return "您的註冊尚待核准。目前可以使用："
    return f"{ctx.contact.unit.name}您好，可以使用："


CAPABILITY = Capability(
    name="help",
    routes=(Route(on_help, commands=("說明", "help", "?", "？", "幫助"), mid_flow=MidFlow.RUN),),
)
