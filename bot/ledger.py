"""The counted-messages ledger: each push LINE accepted, with its recipients, capability and month.

Written where every push passes (the outbox records a send), so no capability can forget it.
Read by 額度 and the console's quota page through handlers/quota/service.py.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db import insert_on_conflict, write
from models.outbox import OutboxMessage
from models.quota import LedgerEntry
from rules.dates import TAIPEI


def month_of(moment: datetime) -> str:
    """LINE's quota month of a moment ("2026-12"; Taiwan accounts reset on the Taipei calendar month)."""
    return moment.astimezone(TAIPEI).strftime("%Y-%m")


def record(session: Session, rows: Iterable[OutboxMessage], now: datetime) -> None:
    """Write one entry per push that went out (a retried row is counted once)."""
    rows = [row for row in rows if row.quota_cost > 0]
    if not rows:
        return
    write(session, _insert_once(session.get_bind().dialect.name), [
        {"outbox_id": row.id, "month": month_of(now), "capability": row.capability or "other",
         "purpose": (row.purpose or "other")[:60], "recipients": row.quota_cost,
         "to_group": row.to.startswith(("C", "R")), "sent_at": now} for row in rows])


@lru_cache(maxsize=2)
def _insert_once(dialect: str) -> Any:
    """One statement per record, built once per dialect: a push already counted (a retried row) is skipped."""
    return insert_on_conflict(dialect, LedgerEntry.__table__).on_conflict_do_nothing(index_elements=["outbox_id"])


def used(session: Session, month: str) -> int:
    """Messages our own pushes counted this month."""
    return int(session.scalar(select(func.coalesce(func.sum(LedgerEntry.recipients), 0))
                              .where(LedgerEntry.month == month)) or 0)


def by_capability(session: Session, month: str) -> list[tuple[str, int, int]]:
    """(capability, pushes, counted messages) of the month, costliest first."""
    found = session.execute(select(LedgerEntry.capability, func.count(), func.sum(LedgerEntry.recipients))
                            .where(LedgerEntry.month == month).group_by(LedgerEntry.capability))
    return sorted(((name, int(n), int(total or 0)) for name, n, total in found), key=lambda r: -r[2])
