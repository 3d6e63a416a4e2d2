"""The counted-messages ledger: one row per push LINE accepted, with what it cost and who sent it.

LINE prices a push per recipient (a group push counts the group's members) and replies are free,
so only pushes are written. `month` is the Taipei calendar month LINE's quota resets on.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UtcDateTime


class LedgerEntry(Base):
    __tablename__ = "message_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(Integer, unique=True)  # one entry per sent push, even if retried
    month: Mapped[str] = mapped_column(String(7), index=True)  # "2026-12", Taipei time
    capability: Mapped[str] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(String(60))
    recipients: Mapped[int] = mapped_column(Integer)
    to_group: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)


class QuotaSnapshot(Base):
    """What LINE said about the month's quota and consumption, and when (read by the scheduler and 額度)."""

    __tablename__ = "quota_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    limit: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: an unlimited plan
    used: Mapped[int] = mapped_column(Integer)
    ledger_upto: Mapped[int] = mapped_column(Integer, default=0)  # last ledger id LINE's `used` already includes
    read_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
