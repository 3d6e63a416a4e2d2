"""Help (說明 / help / ?): a short card of what this user does most here; `說明 全部` lists every command.

Both are built from the route table's summaries, so a new command shows up without editing this
module; what a user sees depends on the chat and on the user's role.
"""
from __future__ import annotations

from bot.context import Ctx
from bot.events import Inbound
from bot.messages import FlexCard, Outbound, reply, says, text
from bot.router import Capability, MidFlow, Route, Where, Who

# What people do most, in this order; the card shows the first few this user may use here.
FIRST = ("註冊", "求助", "案件", "活動", "表單", "會議", "列管", "表單進度", "統計", "綁定", "活動期程", "資源", "額度")
CARD_BUTTONS = 6


def on_help(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """A short card of the main commands here (with buttons); `說明 全部` lists them all."""
    usable = _usable(event, ctx)
    if event.argument in ("全部", "all", "更多"):
        lines = [f"・{word}：{route.summary}" if not route.summary.startswith(word) else f"・{route.summary}"
                 for word, route in usable.items()]
        return [reply(text(_intro(ctx) + "\n" + "\n".join(lines) + "\n・取消：結束進行中的操作",
                           quick=[says(word) for word in list(usable)[:13]]))]
    main = [word for word in FIRST if word in usable][:CARD_BUTTONS]
    card = FlexCard(title="社安網聯繫小幫手", alt=_intro(ctx) + "、".join(main),
                    body=_intro(ctx).rstrip("：") + "。點下方按鈕開始；隨時輸入「取消」結束進行中的操作。",
                    actions=[says(word) for word in main] + [says("所有指令", "說明 全部")])
    return [reply(card.message())]


def _usable(event: Inbound, ctx: Ctx) -> dict[str, Route]:
    """Command word -> route, for the routes this user may use in this chat (one word per route)."""
    allowed = _allowed_for(ctx)
    seen: set[int] = set()
    usable: dict[str, Route] = {}
    for word, route in ctx.commands.items():
        if id(route) in seen or not route.summary or route.who not in allowed:
            continue
        if route.where == (Where.PRIVATE if event.in_group else Where.GROUP):
            continue
        seen.add(id(route))
        usable[word] = route
    return usable


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
    return f"{ctx.contact.unit.card_name}您好，可以使用："


CAPABILITY = Capability(
    name="help",
    routes=(Route(on_help, commands=("說明", "help", "?", "？", "幫助"), mid_flow=MidFlow.RUN, reads_only=True),),
)
