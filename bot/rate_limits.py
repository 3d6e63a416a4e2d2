"""Per-user rate limit on everything a person can repeat (commands, taps, conversation steps).

A stranger looping 註冊 or any other command must not drain the month's message quota or crowd out
urgent requests. Counts live in the database (several workers serve one channel): one row per
user and minute, incremented with an upsert in the event's own transaction. The counter is a
plain statement on the connection, not an ORM write, so a read-only command (說明, 案件) still
leaves no dedupe row behind (bot/db.has_written). Past the limit the user is told once per
minute, politely, and further events that minute are ignored.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete
from sqlalchemy.orm import Session

from bot.db import autocommit, insert_on_conflict
from bot.messages import Outbound, reply, text
from models.rate_limits import RateWindow

WINDOW = timedelta(minutes=1)
KEEP = timedelta(hours=1)


def window_of(now: datetime) -> datetime:
    return now.astimezone(timezone.utc).replace(second=0, microsecond=0)


def count(session: Session, user_id: str, now: datetime) -> int:
    """Count one more command for the user in the current minute; returns the minute's total.

    On PostgreSQL the count is committed at once on a connection of its own, so the user's row is locked
    for this one statement, not for the rest of the event: a claim waiting for its request's lock used to
    hold every other command of the same user behind it; an event run without a transaction (a `reads_only`
    command) counts on the event's own connection, whose statements commit at once anyway. (An event rolled back,
    or run again because it wrote after all, has still been counted: the limit counts attempts.)
    On SQLite it stays in the event's transaction, which holds the one write lock anyway; a second
    transaction would queue for it twice.
    """
    bind = session.get_bind()
    statement, params = _upsert(bind.dialect.name), {"user_id": user_id, "window_start": window_of(now)}
    if bind.dialect.name != "postgresql":
        return int(session.connection().execute(statement, params).scalar_one())
    if bind.get_execution_options().get("reads_only"):  # the event's own connection commits each statement
        return int(session.connection().execute(statement, params, execution_options=_COUNTS).scalar_one())
    with autocommit(session) as connection:
        return int(connection.execute(statement, params).scalar_one())


_COUNTS = {"reads_only": False}  # a write that commits on its own by design (bot/db.py refuses any other)


@lru_cache(maxsize=2)
def _upsert(dialect: str) -> Any:
    """The counting upsert, built once per dialect: it runs on every command, and building it cost as much
    as sending it."""
    table = cast(Table, RateWindow.__table__)
    statement = insert_on_conflict(dialect, table).values(user_id=bindparam("user_id"),
                                                          window_start=bindparam("window_start"), count=1)
    return statement.on_conflict_do_update(
        index_elements=[table.c.user_id, table.c.window_start], set_={"count": table.c.count + 1},
    ).returning(table.c.count)


def check(session: Session, user_id: str | None, now: datetime, per_minute: int,
          in_group: bool) -> list[Outbound] | None:
    """None when the user may go on; otherwise what to say (once per minute, then nothing)."""
    if user_id is None or per_minute <= 0:
        return None
    used = count(session, user_id, now)
    if used <= per_minute:
        return None
    if used > per_minute + 1:
        return []
    wait = int((window_of(now) + WINDOW - now).total_seconds()) + 1
    hint = "" if in_group else "\n緊急情況請直接撥打 110（警察）、119（消防救護）；保護個案請撥 113。"
    return [reply(text(f"操作太頻繁了：每分鐘最多 {per_minute} 次。請約 {wait} 秒後再試。{hint}"))]


def purge(services: Any, now: datetime) -> int:
    """Job: forget windows older than an hour."""
    with services.db.transaction() as session:
        table = cast(Table, RateWindow.__table__)
        result = session.connection().execute(delete(table).where(table.c.window_start < now - KEEP))
        return int(result.rowcount or 0)
