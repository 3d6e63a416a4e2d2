"""Meetings: scheduled liaison meetings, units' attendance answers, and tracked items (列管事項) with progress notes."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, EncryptedText, LineId, UtcDateTime, utcnow
from models.roster import District, Unit


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Answer(StrEnum):
    ATTEND = "attend"
    DEPUTY = "deputy"
    LEAVE = "leave"


ANSWER_LABELS = {Answer.ATTEND: "出席", Answer.DEPUTY: "代理出席", Answer.LEAVE: "請假"}


class ItemStatus(StrEnum):
    OPEN = "open"      # 續管: still tracked, reports monthly
    CLOSED = "closed"  # 除管: closed by the secretariat


ITEM_STATUS_LABELS = {ItemStatus.OPEN: "續管", ItemStatus.CLOSED: "除管"}


class Meeting(Base):
    """One meeting of a tier (type_key from data/meeting_types/<city>.yaml) in a district."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    type_key: Mapped[str] = mapped_column(String(40))
    # The tier's name is copied so renderers need not reload the data file at send time.
    type_name: Mapped[str] = mapped_column(String(40))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    # Place and agenda are free text typed by users, so they are encrypted at rest.
    place: Mapped[str] = mapped_column(EncryptedText)
    agenda: Mapped[str | None] = mapped_column(EncryptedText, nullable=True)
    status: Mapped[MeetingStatus] = mapped_column(String(12), default=MeetingStatus.SCHEDULED, index=True)
    group_line_id: Mapped[str | None] = mapped_column(LineId, nullable=True)
    organiser_line_id: Mapped[str | None] = mapped_column(LineId, nullable=True)
    minutes_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    minutes_label: Mapped[str | None] = mapped_column(String(120), nullable=True)
    minutes_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)  # noted by the secretariat
    cases_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    cases_label: Mapped[str | None] = mapped_column(String(120), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    district: Mapped[District] = relationship()
    answers: Mapped[list["Attendance"]] = relationship(back_populates="meeting", order_by="Attendance.id")

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED


class Attendance(Base):
    """One unit's answer to a meeting's attendance card; a later tap by the unit replaces it."""

    __tablename__ = "meeting_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    answer: Mapped[Answer] = mapped_column(String(10))
    answered_by: Mapped[str] = mapped_column(LineId)
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    meeting: Mapped[Meeting] = relationship(back_populates="answers")
    unit: Mapped[Unit] = relationship()

    __table_args__ = (UniqueConstraint("meeting_id", "unit_id"),)


tracked_item_owners = Table(
    "tracked_item_owners",
    Base.metadata,
    Column("item_id", ForeignKey("tracked_items.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id"), primary_key=True),
)


class TrackedItem(Base):
    """A 列管事項 decided at a meeting, numbered like 1151215-1 (ROC meeting date + sequence)."""

    __tablename__ = "tracked_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    seq: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(EncryptedText)
    status: Mapped[ItemStatus] = mapped_column(String(10), default=ItemStatus.OPEN, index=True)
    created_by: Mapped[str] = mapped_column(LineId)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(LineId, nullable=True)
    meeting: Mapped[Meeting] = relationship()
    owners: Mapped[list[Unit]] = relationship(secondary=tracked_item_owners, order_by=Unit.position)
    notes: Mapped[list["ProgressNote"]] = relationship(back_populates="item", order_by="ProgressNote.id")

    __table_args__ = (UniqueConstraint("district_id", "number"),)

    @property
    def is_open(self) -> bool:
        return self.status == ItemStatus.OPEN

    @property
    def latest_note(self) -> "ProgressNote | None":
        return self.notes[-1] if self.notes else None


class ProgressNote(Base):
    """A dated progress report on a tracked item, screened for personal data before it is stored."""

    __tablename__ = "tracked_item_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("tracked_items.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    author_line_id: Mapped[str] = mapped_column(LineId)
    body: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    item: Mapped[TrackedItem] = relationship(back_populates="notes")
    unit: Mapped[Unit | None] = relationship()
