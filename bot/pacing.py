"""One push rate for the whole channel, shared by every process and host that sends.

LINE limits a channel, not a process: two schedulers, or web workers on several hosts, each pacing
itself would together go over LINE_PUSH_RATE. So the limiter's state is one database row holding the
moment the next push may leave (GCRA: the "theoretical arrival time"). A sender reserves its slot
with one atomic UPDATE ... RETURNING; the row lock makes reservations from different connections take
turns, and the slot is then waited for outside any transaction. On PostgreSQL the database's own
clock is used, so hosts whose clocks disagree still share one schedule.

This is the token bucket with a shared counter that LINE recommends for several app servers, with a
bucket of one: pushes leave evenly spaced, never in a burst above the rate.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable, cast

from sqlalchemy import Float, Table, bindparam, case, func, select, update

from bot.db import Database, insert_on_conflict
from bot.gateway import Forwarding, Gateway, SendResult
from models.pacing import SendPace

_TABLE = cast(Table, SendPace.__table__)  # a mapped class's table, typed as the Table it is

log = logging.getLogger(__name__)

PUSH = "line_push"


class SharedPacer:
    """Spaces calls under `per_second` across every process using the same database (0 means no limit)."""

    def __init__(self, db: Database, per_second: float, name: str = PUSH,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.name = name
        self._db, self._sleep = db, sleep
        self._reservation = self._reserving_update()  # built once: every push runs it

    def wait(self) -> float:
        """Block until this caller's slot has come; return how long it waited, in seconds."""
        if not self.interval:
            return 0.0
        delay = self.reserve()
        if delay > 0:
            self._sleep(delay)
        return max(delay, 0.0)

    def reserve(self) -> float:
        """Take the next free slot; return how many seconds from now it starts (<= 0: at once)."""
        slot, moment = self.reserve_slot()
        return slot - moment

    def reserve_slot(self) -> tuple[float, float]:
        """Take the next free slot; return (its start, the shared clock's now), in seconds since the epoch."""
        # SQLite serves one host: its clock is everyone's, given as a parameter (PostgreSQL reads its own).
        params = {} if self._db.is_postgres else {"now": time.time()}
        with self._db.one_write() as conn:  # the row is locked for this statement only
            row = conn.execute(self._reservation, params).first()
            if row is None:  # first use on this database
                conn.execute(self._create_row())
                row = conn.execute(self._reservation, params).first()
        assert row is not None
        next_at, moment = row
        return float(next_at) - self.interval, float(moment)

    def _reserving_update(self) -> Any:
        """UPDATE the row to the next free slot, returning it and the shared clock's now."""
        table = _TABLE
        now = func.extract("epoch", func.clock_timestamp()) if self._db.is_postgres else bindparam("now", type_=Float)
        start = case((table.c.next_at < now, now), else_=table.c.next_at)
        return (update(table).where(table.c.name == self.name)
                .values(next_at=start + self.interval)
                .returning(table.c.next_at, now))

    def _create_row(self) -> Any:
        insert = insert_on_conflict(self._db.engine.dialect.name, _TABLE)
        return insert.values(name=self.name, next_at=0.0).on_conflict_do_nothing()

    def next_at(self) -> float:
        """When the next slot begins (seconds since the epoch), for tests and the operator."""
        with self._db.engine.connect() as conn:
            return float(conn.scalar(select(SendPace.next_at).where(SendPace.name == self.name)) or 0.0)


class PacedGateway(Forwarding):
    """The gateway with pushes spaced by a shared pacer; replies and reads go straight through.

    Replies answer a person and are free; LINE's per-channel limit that a burst of pushes can reach is
    the push endpoint's.
    """

    def __init__(self, inner: Gateway, pacer: SharedPacer) -> None:
        super().__init__(inner)
        self.pacer = pacer

    def push(self, to: str, messages: list[dict[str, Any]], retry_key: str) -> SendResult:
        self.pacer.wait()
        return self.inner.push(to, messages, retry_key)


def paced(db: Database, gateway: Gateway, per_second: float) -> Gateway:
    """Wrap a gateway so its pushes share the channel's rate (unchanged when there is no limit)."""
    if per_second <= 0 or isinstance(gateway, PacedGateway):
        return gateway
    return PacedGateway(gateway, SharedPacer(db, per_second))
