"""The reserve for urgent requests: where the month stands, and routine group messages degraded when low.

LINE's own numbers (quota, consumption) are read by the scheduler into `QuotaSnapshot` rows; between
reads, our ledger adds what we pushed since. Below the reserve (QUOTA_RESERVE_URGENT of the month's
quota) routine group messages go 1:1 to the district secretariat instead, who is told once a month;
urgent ones (a request's card, its escalations) may spend the reserve. Only `refresh` calls LINE (a read).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from bot.db import Database
from bot.gateway import Gateway, LineError, Quota
from bot.ledger import month_of
from bot.messages import Outbound, text
from models.quota import LedgerEntry, QuotaSnapshot
from models.roster import Contact, ContactStatus, Group, Role, Unit
from rules.economy import QuotaState, parse_reserve, state_of

if TYPE_CHECKING:
    from bot.services import Services

DEGRADED_NOTE = "（本月訊息額度已接近保留給緊急求助的額度，這則原應發到群組的通知改為私訊秘書單位。）"


SNAPSHOT_MAX_AGE = timedelta(minutes=10)

# Built once: every 求助 asks where the month stands (building a statement cost about as much as sending it).
_LAST_READ = select(func.max(QuotaSnapshot.read_at)).where(QuotaSnapshot.month == bindparam("month"))
_LATEST = (select(QuotaSnapshot).where(QuotaSnapshot.month == bindparam("month"))
           .order_by(QuotaSnapshot.read_at.desc(), QuotaSnapshot.id.desc()).limit(1))
_PUSHED = select(func.coalesce(func.sum(LedgerEntry.recipients), 0)).where(
    LedgerEntry.month == bindparam("month"), LedgerEntry.id > bindparam("after"))
# The month's last reading with what we pushed after it, in one statement: a 求助 asks before every card.
_LATEST_AND_SINCE = _LATEST.add_columns(
    select(func.coalesce(func.sum(LedgerEntry.recipients), 0))
    .where(LedgerEntry.month == bindparam("month"), LedgerEntry.id > QuotaSnapshot.ledger_upto)
    .scalar_subquery())


def read_now(db: Database, gateway: Gateway, now: datetime) -> bool:
    """Read LINE's quota and consumption now (for 額度, whose reader asked for LINE's own figure); False when
    LINE cannot answer (the last reading stands).

    LINE is asked outside any transaction and the reading written in one of its own: on SQLite a writing
    transaction holds the database's one write lock for as long as LINE takes to answer.
    """
    quota = _read(gateway)
    if quota is None:
        return False
    with db.transaction() as session:
        _record(session, quota, now)
    return True


def refresh_if_stale(db: Database, gateway: Gateway, now: datetime) -> bool:
    """Read LINE again (`read_now`) when the month's last reading is older than SNAPSHOT_MAX_AGE."""
    with db.transaction(writes=False) as session:
        last = session.scalar(_LAST_READ, {"month": month_of(now)})
    if last is not None and now - last < SNAPSHOT_MAX_AGE:
        return False
    return read_now(db, gateway, now)


def refresh_after_response(services: "Services") -> None:
    """A request found the reading stale: read LINE once the event is done (Ctx.after_response)."""
    refresh_if_stale(services.db, services.gateway, services.clock())


def _read(gateway: Gateway) -> Quota | None:
    try:
        return gateway.quota()
    except LineError:
        return None


def _record(session: Session, quota: Quota, now: datetime) -> QuotaSnapshot:
    upto = int(session.scalar(select(func.coalesce(func.max(LedgerEntry.id), 0))) or 0)
    snapshot = QuotaSnapshot(month=month_of(now), limit=quota.limit, used=quota.used, ledger_upto=upto, read_at=now)
    session.add(snapshot)
    session.flush()
    return snapshot


def estimate(session: Session, now: datetime) -> tuple[int | None, int, QuotaSnapshot | None]:
    """(limit, used so far, the snapshot it rests on): LINE's last reading plus what we pushed since."""
    month = month_of(now)
    found = session.execute(_LATEST_AND_SINCE, {"month": month}).first()
    if found is None:
        return None, int(session.scalar(_PUSHED, {"month": month, "after": 0}) or 0), None
    snapshot, later = found
    return snapshot.limit, snapshot.used + int(later or 0), snapshot


def state(session: Session, reserve_setting: str, now: datetime, urgent_cost: int = 1) -> QuotaState:
    """OK, LOW or OUT for this month; UNKNOWN until LINE's quota has been read once this month."""
    return _state(estimate(session, now), reserve_setting, urgent_cost)


def request_state(session: Session, reserve_setting: str, now: datetime,
                  urgent_cost: int = 1) -> tuple[QuotaState, bool]:
    """`state` for a request about to post its card, and whether the reading it rests on is stale.

    No call to LINE inside the request's transaction: a stale (or missing) reading is used as it is, with
    what we pushed since, and read again after the response (`refresh_after_response`). The scheduler
    reads LINE every SNAPSHOT_MAX_AGE, so a request rarely finds it stale.
    """
    estimated = estimate(session, now)
    snapshot = estimated[2]
    stale = snapshot is None or now - snapshot.read_at >= SNAPSHOT_MAX_AGE
    return _state(estimated, reserve_setting, urgent_cost), stale


def _state(estimated: tuple[int | None, int, QuotaSnapshot | None], reserve_setting: str,
           urgent_cost: int) -> QuotaState:
    limit, used, snapshot = estimated
    if snapshot is None:
        return QuotaState.UNKNOWN
    return state_of(limit, used, parse_reserve(reserve_setting, limit), urgent_cost)


def secretariat_of_group(session: Session, line_group_id: str) -> list[str]:
    """LINE ids of the active secretariat contacts of the group's district."""
    district_id = session.scalar(select(Group.district_id).where(Group.line_group_id == line_group_id))
    if district_id is None:
        return []
    return list(session.scalars(select(Contact.line_user_id).join(Unit).where(
        Unit.district_id == district_id, Contact.status == ContactStatus.ACTIVE, Contact.role == Role.SECRETARIAT)))


def degrade(session: Session, said: Outbound, reserve_setting: str, now: datetime) -> list[Outbound]:
    """A routine group push, when only the reserve is left: 1:1 to the district secretariat instead."""
    if said.urgent or said.to is None or not said.to.startswith(("C", "R")):
        return [said]
    if state(session, reserve_setting, now) not in (QuotaState.LOW, QuotaState.OUT):
        return [said]
    secretariat = secretariat_of_group(session, said.to)
    key = said.dedupe_key or ""
    return [replace(said, to=user, messages=[text(DEGRADED_NOTE), *said.messages][:5],
                    dedupe_key=f"{key}:degraded:{user}"[:120] if key else None,
                    purpose=f"{said.purpose or 'notice'} degraded"[:60])
            for user in secretariat]
