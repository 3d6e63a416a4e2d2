"""額度: the month's message quota for the secretariat, and the jobs that keep it known.

User stories: a secretariat member or an administrator types `額度` (1:1 or in the group: the answer is
a free reply) and sees used, left, the forecast to the month's end and what each capability cost; when
only the reserve for urgent requests is left, every district's secretariat is told once that month.
Group member counts are kept current (memberJoined/memberLeft), since a group push costs one per member.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.context import Ctx
from bot.events import EventKind, Inbound
from bot.ledger import month_of
from bot import outbox, reserve
from bot.messages import Outbound, labelled, push, reply
from bot.reserve import state
from bot.router import Capability, Job, Route, Who
from bot.services import Services
from handlers.quota import render, service
from models.roster import Contact, ContactStatus, Role
from rules.economy import QuotaState

MEMBER_EVENTS = {EventKind.MEMBER_JOINED, getattr(EventKind, "MEMBER_LEFT", EventKind.MEMBER_JOINED)}


def on_quota(event: Inbound, ctx: Ctx) -> list[Outbound]:
    """額度: fresh numbers from LINE, the ledger and the forecast."""
    return [reply(render.summary_text(service.summary(ctx.session, ctx.config, ctx.line, ctx.now)))]


def keep_member_count(event: Inbound, ctx: Ctx) -> list[Outbound] | None:
    """Middleware: a member joined or left a known group: its push price changed. Never answers."""
    if event.kind in MEMBER_EVENTS and event.group_id and ctx.group is not None:
        ctx.group.member_count = ctx.line.group_member_count(event.group_id) or ctx.group.member_count
    return None


def watch(services: Services, now: datetime) -> int:
    """Job: read LINE's quota every few minutes; when only the reserve is left, tell the secretariats once."""
    with services.db.transaction() as session:
        reserve.refresh_if_stale(session, services.gateway, now)
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
    routes=(Route(on_quota, commands=("額度",), who=Who.MANAGER, summary="額度：本月訊息額度、各功能花費與月底預估"),),
    jobs=(Job("quota_watch", watch),),
)
