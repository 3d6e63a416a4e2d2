"""Forms (統一表格): a form the secretariat broadcasts, the units that must answer, and each unit's answer.

The answer belongs to the unit, not to the person: one `FormResponse` per (form, unit) holds the
latest answers (latest wins), and every submission is kept as a `FormRevision` (history of edits).
Answers are free text typed by officials, so they are stored encrypted.
"""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, EncryptedJson, LineId, UtcDateTime, utcnow
from models.roster import District, Unit


class FormStatus(StrEnum):
    DRAFT = "draft"    # created, not yet broadcast
    OPEN = "open"      # broadcast; answers accepted (after the deadline too, marked late)
    CLOSED = "closed"  # the secretariat stopped collecting


class Form(Base):
    __tablename__ = "forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")
    # The field definitions (key, label, kind, required, options, help): a definition, not personal data.
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    template: Mapped[str | None] = mapped_column(String(40), nullable=True)
    deadline: Mapped[date] = mapped_column(Date)  # the last day (Asia/Taipei) answers count as on time
    status: Mapped[FormStatus] = mapped_column(String(10), default=FormStatus.DRAFT, index=True)
    created_by: Mapped[str | None] = mapped_column(LineId, nullable=True)  # None when made from the CLI
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    broadcast_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    district: Mapped[District] = relationship()
    targets: Mapped[list["FormTarget"]] = relationship(back_populates="form", cascade="all, delete-orphan")


class FormTarget(Base):
    """A unit that must answer a form (default: every unit of the district)."""

    __tablename__ = "form_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    form: Mapped[Form] = relationship(back_populates="targets")
    unit: Mapped[Unit] = relationship()

    __table_args__ = (UniqueConstraint("form_id", "unit_id"),)


class FormResponse(Base):
    """A unit's current answer to a form: the latest submission by any of its contacts."""

    __tablename__ = "form_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(EncryptedJson)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    submitted_by: Mapped[str] = mapped_column(LineId)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    first_submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    late: Mapped[bool] = mapped_column(Boolean, default=False)  # the unit's first answer came after the deadline
    unit: Mapped[Unit] = relationship()
    revisions: Mapped[list["FormRevision"]] = relationship(
        back_populates="response", order_by="FormRevision.number", cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("form_id", "unit_id"),)


class FormRevision(Base):
    """One submission of a unit's answer, kept so the history of edits can be shown and exported."""

    __tablename__ = "form_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("form_responses.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict[str, Any]] = mapped_column(EncryptedJson)
    submitted_by: Mapped[str] = mapped_column(LineId)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    via: Mapped[str] = mapped_column(String(10))  # "chat" or "web"
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    response: Mapped[FormResponse] = relationship(back_populates="revisions")

    __table_args__ = (UniqueConstraint("response_id", "number"),)
