"""Roster: districts, their network units, the LINE contacts of those units, and bound groups."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, column, exists, table
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from models.base import Base, LineId, UtcDateTime, utcnow
from rules import access, units


class Role(StrEnum):
    MEMBER = "member"
    SECRETARIAT = "secretariat"
    ADMIN = "admin"


class ContactStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    INACTIVE = "inactive"  # left the group, unfollowed or taken off the roster: no mentions, pushes or rights


ROLE_LABELS = {Role.MEMBER: "成員", Role.SECRETARIAT: "秘書單位", Role.ADMIN: "管理員"}


class District(Base):
    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    city: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(20))
    units: Mapped[list["Unit"]] = relationship(back_populates="district", order_by="Unit.position")

    @property
    def place(self) -> access.Place:
        return access.Place(district_id=self.id, city=self.city)

    __table_args__ = (UniqueConstraint("city", "name"),)


_OTHER_UNITS = table("units", column("id"), column("district_id"), column("short_name")).alias("other_units")


class Unit(Base):
    """A network unit taking part in one district's liaison meeting (police precinct, family service centre...)."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    name: Mapped[str] = mapped_column(String(60))
    short_name: Mapped[str] = mapped_column(String(20))
    network: Mapped[str] = mapped_column(String(20))
    is_secretariat: Mapped[bool] = mapped_column(Boolean, default=False)
    is_city_level: Mapped[bool] = mapped_column(Boolean, default=False)  # a city unit copied into every district
    aliases: Mapped[str] = mapped_column(String(200), default="")  # comma-separated words people tag it by
    position: Mapped[int] = mapped_column(Integer, default=0)
    district: Mapped[District] = relationship(back_populates="units")
    contacts: Mapped[list["Contact"]] = relationship(back_populates="unit")
    # Whether another unit of the district has the same short name (two 家服中心), read with the unit
    # itself: showing one unit's name in chat then needs no load of all the district's units.
    short_name_shared: Mapped[bool] = column_property(exists().where(
        _OTHER_UNITS.c.district_id == district_id, _OTHER_UNITS.c.short_name == short_name,
        _OTHER_UNITS.c.id != id))

    # The index answers short_name_shared for each unit loaded: without it, a scan of every unit in the
    # country (about 5,500 for 368 townships) for each one.
    __table_args__ = (UniqueConstraint("district_id", "name"), Index("ix_units_district_short_name", "district_id",
                                                                     "short_name"))

    @property
    def card_name(self) -> str:
        """The name shown in chat (rules/units.py): 衛生局, 分局; 中壢家庭服務中心 where short names are shared."""
        return units.card_name(self.name, self.short_name, self.district.city, self.short_name_shared)

    @property
    def full_name(self) -> str:
        """The name in exports and records (rules/units.py): 桃園市政府警察局中壢分局."""
        return units.full_name(self.name)

    @property
    def ref(self) -> access.UnitRef:
        return access.UnitRef(place=self.district.place, city_level=self.is_city_level,
                              secretariat=self.is_secretariat)


class Contact(Base):
    """A LINE user who speaks for one unit; deputies are further contacts of the same unit."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_user_id: Mapped[str] = mapped_column(LineId, unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    role: Mapped[Role] = mapped_column(String(20), default=Role.MEMBER)
    status: Mapped[ContactStatus] = mapped_column(String(20), default=ContactStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(LineId, nullable=True)
    # Bumped by every registration: an approval card carries the version it showed (a stale card is refused).
    application_version: Mapped[int] = mapped_column(Integer, default=0)
    # Who was already sent this application's card: re-registering never pushes a second card to them.
    notified_approvers: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Last command, tap or step (noted at most daily): who has gone silent is reviewed each quarter.
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    unit: Mapped[Unit] = relationship(back_populates="contacts")

    @property
    def is_active(self) -> bool:
        return self.status == ContactStatus.ACTIVE

    def actor(self, configured_admin: bool = False) -> access.Actor:
        """This contact as the access rules see it (rules/access.py)."""
        return access.Actor(configured_admin=configured_admin, active=self.is_active, role=str(self.role),
                            unit=self.unit.ref)

    @property
    def can_manage(self) -> bool:
        """Whether the contact manages at least one district (which district: rules/access.py)."""
        return access.may_manage_any(self.actor())


class Group(Base):
    """A LINE group the bot is in; bound to one district once a secretariat member says so."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_group_id: Mapped[str] = mapped_column(LineId, unique=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), nullable=True)
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    greeted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    bound_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    digest_time: Mapped[str | None] = mapped_column(String(5), nullable=True)  # "08:30"; None: DIGEST_TIME
    district: Mapped[District | None] = relationship()
