"""Urgent requests between units (求助): the request, the units asked, updates, and daily numbering."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, EncryptedText, LineId, UtcDateTime, utcnow
from models.roster import Contact, District, Unit
from rules.incidents import Urgency

__all__ = ["Incident", "IncidentCounter", "IncidentStatus", "IncidentUnit", "IncidentUpdate", "UpdateKind", "Urgency"]


class IncidentStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    CLOSED = "closed"


class UpdateKind(StrEnum):
    REPORT = "report"
    INFO_REQUEST = "info"
    CLAIM = "claim"
    CLOSE = "close"


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    requester_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    category: Mapped[str] = mapped_column(String(10))
    urgency: Mapped[Urgency] = mapped_column(String(4))
    # The request text is encrypted at rest and purged after the retention period (counts stay).
    text: Mapped[str | None] = mapped_column(EncryptedText, nullable=True)
    line_message_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    group_line_id: Mapped[str] = mapped_column(LineId)
    status: Mapped[IncidentStatus] = mapped_column(String(10), default=IncidentStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    claimed_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    for_case_conference: Mapped[bool] = mapped_column(Boolean, default=False)
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    district: Mapped[District] = relationship()
    requester: Mapped[Contact] = relationship()
    requester_unit: Mapped[Unit] = relationship(foreign_keys=[requester_unit_id])
    claimed_unit: Mapped[Unit | None] = relationship(foreign_keys=[claimed_unit_id])
    asked: Mapped[list["IncidentUnit"]] = relationship(cascade="all, delete-orphan", order_by="IncidentUnit.id")
    updates: Mapped[list["IncidentUpdate"]] = relationship(cascade="all, delete-orphan",
                                                           order_by="IncidentUpdate.id")

    __table_args__ = (UniqueConstraint("district_id", "number"),)

    @property
    def asked_units(self) -> list[Unit]:
        return [link.unit for link in self.asked]

    @property
    def closed_unit(self) -> Unit | None:
        """The unit that closed the request (from its history; only loaded for closed requests)."""
        if self.status != IncidentStatus.CLOSED:
            return None
        closing = [u for u in self.updates if u.kind == UpdateKind.CLOSE]
        return closing[-1].unit if closing else None


class IncidentUnit(Base):
    """A unit the requester asked for help."""

    __tablename__ = "incident_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    unit: Mapped[Unit] = relationship()

    __table_args__ = (UniqueConstraint("incident_id", "unit_id"),)


class IncidentUpdate(Base):
    """A claim, a request for information, a progress report or the closing of a request."""

    __tablename__ = "incident_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    kind: Mapped[UpdateKind] = mapped_column(String(10))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    text: Mapped[str | None] = mapped_column(EncryptedText, nullable=True)
    line_message_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    unit: Mapped[Unit] = relationship()


class IncidentCounter(Base):
    """The last sequence number used per district and Taipei day (numbers like 1151122-03)."""

    __tablename__ = "incident_counters"

    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)
