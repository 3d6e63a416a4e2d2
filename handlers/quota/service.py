"""The month's quota in numbers, for 額度 in chat and the console's quota page.

    from handlers.quota import service as quota
    reserve.read_now(db, gateway, now)                 # LINE's own figure, read outside any transaction
    summary = quota.summary(session, config, now)      # the last reading, what we pushed since, the ledger
    summary.used, summary.left, summary.forecast.total, summary.by_capability, summary.state

`summary` reads only the database: when LINE could not answer it rests on the last reading (`read_at`
says when) or, with none this month, on our own ledger with an unknown limit.
"""
from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.ledger import by_capability, month_of
from bot.reserve import estimate
from models.quota import LedgerEntry
from models.reminders import Reminder, ReminderState
from models.roster import Group
from rules.dates import TAIPEI
from rules.economy import Forecast, QuotaState, forecast, parse_reserve, state_of


@dataclass(frozen=True)
class Summary:
    """The month against its quota: used, left, forecast, reserve, and what each capability cost."""

    month: str
    limit: int | None  # None: unlimited, or not read yet (see `read_at`)
    used: int  # LINE's consumption at `read_at` plus what we pushed since
    ours: int  # what our own pushes counted this month (the ledger)
    reserve: int
    state: QuotaState
    forecast: Forecast
    by_capability: list[tuple[str, int, int]]  # (capability, pushes, counted messages)
    read_at: datetime | None

    @property
    def left(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)


def summary(session: Session, config: Config, now: datetime) -> Summary:
    """Used, left, forecast to the month's end and cost per capability, from LINE's last reading on."""
    month = month_of(now)
    limit, used, snapshot = estimate(session, now)
    kept = parse_reserve(config.quota_reserve_urgent, limit)
    ours = int(session.scalar(select(func.coalesce(func.sum(LedgerEntry.recipients), 0))
                              .where(LedgerEntry.month == month)) or 0)
    state = state_of(limit, used, kept, 1) if snapshot is not None else QuotaState.UNKNOWN
    return Summary(month, limit, used, ours, kept, state, _forecast(session, now, used), by_capability(session, month),
                   snapshot.read_at if snapshot else None)


def _forecast(session: Session, now: datetime, used: int) -> Forecast:
    local = now.astimezone(TAIPEI)
    days = month_calendar.monthrange(local.year, local.month)[1]
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=days)
    elapsed = (local - start).total_seconds() / 86400
    return forecast(used, scheduled_cost(session, now, end), _event_driven(session, month_of(now)), elapsed, days)


def scheduled_cost(session: Session, now: datetime, until: datetime) -> int:
    """What the reminders already scheduled before `until` would cost if each went alone (an upper bound)."""
    rows = session.execute(select(Reminder.to, func.count()).where(
        Reminder.state == ReminderState.SCHEDULED, Reminder.due_at >= now, Reminder.due_at < until)
        .group_by(Reminder.to)).all()
    sizes = dict(session.execute(select(Group.line_group_id, Group.member_count)).all())
    return sum(count * max(sizes.get(to, 1) or 1, 1) for to, count in rows)


def _event_driven(session: Session, month: str) -> int:
    """This month's pushes people caused (cards, broadcasts), not scheduled reminders: the pace to project."""
    kinds = set(session.scalars(select(Reminder.kind).distinct()))
    rows = session.execute(select(LedgerEntry.purpose, LedgerEntry.recipients).where(LedgerEntry.month == month))
    return sum(n for purpose, n in rows if purpose.split(" ")[0] not in kinds and purpose != "digest")
