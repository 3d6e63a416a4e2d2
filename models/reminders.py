"""Reminders: every scheduled message is a row (what, to whom, when, state), so it survives restarts."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, LineId, UtcDateTime, utcnow


class ReminderState(StrEnum):
    SCHEDULED = "scheduled"
    SENT = "sent"
    MISSED = "missed"        # the scheduler was down past the moment it was still useful
    CANCELLED = "cancelled"  # its subject was moved, closed or deleted
    SKIPPED = "skipped"      # the renderer found nothing left to say (e.g. every unit answered)
    FAILED = "failed"        # its renderer kept failing; logged, and the others went on


class Reminder(Base):
    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    # e.g. meeting:12:lead:7d; scheduling is idempotent. On PostgreSQL a second index serves prefix lookups
    # (migration 0014: varchar_pattern_ops, since a non-C collation keeps the unique index from serving LIKE).
    key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)    # which capability renders it
    subject_id: Mapped[int] = mapped_column(index=True)
    to: Mapped[str] = mapped_column(LineId)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    not_after: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    state: Mapped[ReminderState] = mapped_column(String(12), default=ReminderState.SCHEDULED, index=True)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    # Pulled into its group's morning digest (bot/digest.py): its renderer may say it in the group for free.
    in_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
