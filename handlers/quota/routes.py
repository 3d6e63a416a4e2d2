"""額度: the month's message quota for the secretariat, and the jobs that keep it known.

User stories: a secretariat member or an administrator types `額度` (1:1 or in the group: the answer is
a free reply) and sees used, left, the forecast to the month's end and what each capability cost; when
only the reserve for urgent requests is left, every district's secretariat is told once that month.
Group member counts are kept current (memberJoined/memberLeft), since a group push costs one per member.
"""
from __future__ import annotations

from datetime import datetime
from functools import partial

from sqlalchemy import select

from bot import outbox, reserve
from bot.context import Ctx
from bot.events import EventKind, Inbound
from bot.ledger import month_of
from bot.messages import Outbound, labelled, push, reply, text
from bot.reserve import state
from bot.roster import refresh_member_count
from bot.router import Capability, Job, MidFlow, Route, Where, Who
from bot.services import Services
from handlers.quota import console, render, service
from models.roster import Contact, ContactStatus, Role
from rules.economy import QuotaState, parse_digest_time

MEMBER_EVENTS = {EventKind.MEMBER_JOINED, getattr(EventKind, "MEMBER_LEFT", EventKind.MEMBER_JOINED)}


def on_quota(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """額度: LINE's own figure, the ledger and the forecast, answered once the event has committed.

    LINE is asked after the response, outside the event's transaction (on SQLite a writing one holds the
    database's one write lock for as long as LINE takes to answer); the answer is a free reply.
    """
    if event.reply_token is None:
        return []
    ctx.after_response(partial(answer_quota, event.reply_token))
    return []


def answer_quota(reply_token: str, services: Services) -> None:
    """Read LINE's quota now, then answer 額度 from that reading (the last one when LINE cannot answer)."""
    now = services.clock()
    reserve.read_now(services.db, services.gateway, now)
    with services.db.transaction(writes=False) as session:
        found = service.summary(session, services.config, now)
    outbox.reply_now(services.gateway, reply_token, [render.summary_text(found)])


def on_digest_time(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """摘要時間 [HH:MM|預設] in a bound group: when its routine notices of the day go out together."""
    group = ctx.group
    if group is None or group.district_id is None:
        return [reply(text("請先由秘書單位在群組輸入「綁定 行政區」。"))]
    value = event.argument.strip()
    if value in ("預設", "恢復預設"):
        group.digest_time = None
    elif value:
        try:
            at = parse_digest_time(value)
        except ValueError:
            return [reply(text("請寫時間，例如「摘要時間 08:30」；「摘要時間 預設」恢復預設。"))]
        group.digest_time = f"{at.hour:02d}:{at.minute:02d}"
    current = group.digest_time or ctx.config.digest_time or "（未啟用）"
    return [reply(text(f"本群組的每日例行通知摘要時間：上班日 {current}。\n"
                       "當天的會議提醒、活動預告等例行通知會合併成一則推播（群組推播按成員數計費）；求助不受影響。"))]


def keep_member_count(event: Inbound, ctx: Ctx) -> list[Outbound] | None:
    """Middleware: a member joined or left a known group: its push price changed. Never answers.

    LINE is asked after the response, outside the event's transaction (on SQLite a writing one holds the
    database's one write lock for as long as LINE takes to answer).
    """
    if event.kind in MEMBER_EVENTS and event.group_id and ctx.group is not None:
        ctx.after_response(partial(refresh_member_count, event.group_id))
    return None


def watch(services: Services, now: datetime) -> int:
    """Job: read LINE's quota every few minutes; when only the reserve is left, tell the secretariats once."""
    reserve.refresh_if_stale(services.db, services.gateway, now)
    with services.db.transaction() as session:
        if state(session, services.config.quota_reserve_urgent, now) not in (QuotaState.LOW, QuotaState.OUT):
            return 0
        secretariats = list(session.scalars(select(Contact.line_user_id).where(
            Contact.status == ContactStatus.ACTIVE, Contact.role == Role.SECRETARIAT)))
        said = [push(user, render.low_notice(), dedupe_key=f"quota:low:{month_of(now)}:{user}", urgent=True,
                     purpose="low notice") for user in secretariats]
        rows = outbox.enqueue_claimed_all(session, labelled(said, "quota"), now)
    outbox.send_claimed(services.db, services.gateway, rows, now, services.config.outbox_max_attempts)
    return len(rows)


CAPABILITY = Capability(
    name="quota",
    middleware=(keep_member_count,),
    routes=(Route(on_quota, commands=("額度",), who=Who.MANAGER, mid_flow=MidFlow.RUN, summary="額度：本月訊息額度、各功能花費與月底預估"),
            Route(on_digest_time, commands=("摘要時間",), where=Where.GROUP, who=Who.MANAGER,
                  summary="摘要時間 HH:MM：本群組每日例行通知合併發送的時間")),
    jobs=(Job("quota_watch", watch),),
    blueprints=(console.blueprint,),
    console_pages=(console.PAGE,),
)
