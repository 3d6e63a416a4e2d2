"""Activity calendars: units' activities, the secretariat's calls for activities, and feed secrets.

Free text a contact typed (title, place, note) is stored encrypted, like every other typed text;
overlap checks and listings therefore compare places in Python, within one district's window.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, EncryptedText, LineId, UtcDateTime, utcnow
from models.roster import District, Unit


class ActivityStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"  # kept so calendar feeds can tell subscribers to drop the event


class CallStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"        # reported after the deadline
    REPLACED = "replaced"    # a newer call for the district superseded it


def new_uid() -> str:
    """A calendar UID that never changes for the activity (RFC 5545 wants global uniqueness)."""
    return f"{uuid.uuid4().hex}@shanet-calendar"


class Activity(Base):
    """One meeting or activity of a unit, with whether other units may join it for advocacy."""

    __tablename__ = "calendar_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(80), unique=True, default=new_uid)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    title: Mapped[str] = mapped_column(EncryptedText)
    place: Mapped[str] = mapped_column(EncryptedText)
    note: Mapped[str | None] = mapped_column(EncryptedText, nullable=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    joinable: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[ActivityStatus] = mapped_column(String(12), default=ActivityStatus.ACTIVE)
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE, bumped on every change
    created_by: Mapped[str] = mapped_column(LineId)
    updated_by: Mapped[str] = mapped_column(LineId)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    unit: Mapped[Unit] = relationship()
    district: Mapped[District] = relationship()

    __table_args__ = (Index("ix_calendar_activities_district_start", "district_id", "starts_at"),)

    @property
    def is_active(self) -> bool:
        """Tell whether the activity is still on (not cancelled)."""
        return self.status == ActivityStatus.ACTIVE


class ActivityCall(Base):
    """The secretariat's call for activities of a period, posted to a group, with a deadline."""

    __tablename__ = "calendar_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    group_line_id: Mapped[str] = mapped_column(LineId)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)  # inclusive: answers count until the end of this day
    status: Mapped[CallStatus] = mapped_column(String(12), default=CallStatus.OPEN)
    opened_by: Mapped[str] = mapped_column(LineId)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    district: Mapped[District] = relationship()


class CallAnswer(Base):
    """A unit's explicit answer "本期無活動" to a call (units with activities need no row)."""

    __tablename__ = "calendar_call_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calendar_calls.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    answered_by: Mapped[str] = mapped_column(LineId)
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("call_id", "unit_id"),)


class CalendarFeed(Base):
    """The secret of a district's feed: bumping `generation` revokes every link given out before."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), unique=True)
    generation: Mapped[int] = mapped_column(Integer, default=1)
    rotated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
