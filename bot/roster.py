"""Roster rules that touch the database: seeding, registration, approval, group binding."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Iterable

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, joinedload

from bot.directory import Directory
from models.roster import Contact, ContactStatus, District, Group, Role, Unit
from rules import access

if TYPE_CHECKING:
    from bot.services import Services


@dataclass(frozen=True)
class SeedResult:
    districts: int
    units: int


def seed(session: Session, directory: Directory) -> SeedResult:
    """Create missing districts and units from the data file; existing rows are kept (idempotent)."""
    added_districts = added_units = 0
    for spec in directory.districts:
        district = session.scalars(
            select(District).where(District.city == directory.city, District.name == spec.name)).first()
        if district is None:
            district = District(city=directory.city, name=spec.name)
            session.add(district)
            session.flush()
            added_districts += 1
        existing = {u.name: u for u in district.units}
        for position, unit_spec in enumerate(spec.units):
            unit = existing.get(unit_spec.name)
            if unit is None:
                unit = Unit(district_id=district.id, name=unit_spec.name)
                session.add(unit)
                added_units += 1
            unit.short_name = unit_spec.short
            unit.network = unit_spec.network
            unit.is_secretariat = unit_spec.secretariat
            unit.is_city_level = unit_spec.city_level
            unit.aliases = ",".join(unit_spec.aliases)
            unit.position = position
        session.flush()
    return SeedResult(added_districts, added_units)


def districts(session: Session) -> list[District]:
    return list(session.scalars(select(District).order_by(District.id)))


def find_district(session: Session, name: str) -> District | None:
    """Find a district by name with or without 區."""
    wanted = name.strip().removesuffix("區")
    return next((d for d in districts(session) if d.name.removesuffix("區") == wanted), None)


def find_unit(session: Session, district: District, name: str) -> Unit | None:
    """Find a unit of a district by full name, short name or alias."""
    return find_unit_in(district, name)


def contact_of(session: Session, line_user_id: str) -> Contact | None:
    return session.scalars(select(Contact).where(Contact.line_user_id == line_user_id)).first()


def apply(session: Session, line_user_id: str, display_name: str, unit: Unit, now: datetime) -> Contact:
    """Record the user's one registration request (replacing a pending or rejected one).

    Each call bumps the application's version, so a card showing an earlier one is refused when tapped.
    A fresh request (not replacing a pending one) may notify everyone again.
    """
    contact = contact_of(session, line_user_id)
    if contact is None:
        contact = Contact(line_user_id=line_user_id, unit_id=unit.id, created_at=now, application_version=0,
                          notified_approvers=[])
        session.add(contact)
    if contact.status != ContactStatus.PENDING:
        contact.notified_approvers = []
    contact.display_name = display_name
    contact.unit_id = unit.id
    contact.unit = unit
    contact.status = ContactStatus.PENDING
    contact.role = Role.MEMBER
    contact.decided_at = None
    contact.decided_by = None
    contact.application_version = (contact.application_version or 0) + 1
    session.flush()
    return contact


def to_notify(contact: Contact, approvers: list[str]) -> list[str]:
    """The approvers not yet sent a card for this application, now marked as sent."""
    already = set(contact.notified_approvers or [])
    fresh = [user_id for user_id in approvers if user_id not in already]
    contact.notified_approvers = sorted(already | set(fresh))
    return fresh


def decide(contact: Contact, approve: bool, by: str, now: datetime) -> None:
    """Approve or reject; contacts of a secretariat unit become secretariat members when approved."""
    contact.status = ContactStatus.ACTIVE if approve else ContactStatus.REJECTED
    if approve and contact.unit.is_secretariat and contact.role == Role.MEMBER:
        contact.role = Role.SECRETARIAT
    contact.decided_at = now
    contact.decided_by = by


def deactivate(session: Session, contact: Contact, by: str, reason: str, now: datetime) -> None:
    """Take a contact off the roster: no mentions, pushes or rights until registered and approved again."""
    from models.audit import AuditEntry
    contact.status = ContactStatus.INACTIVE
    contact.decided_at = now
    contact.decided_by = by[:64]
    session.add(AuditEntry(at=now, actor=by[:64], action="deactivate",
                           detail={"contact_id": contact.id, "unit_id": contact.unit_id, "reason": reason}))


def move(session: Session, contact: Contact, unit: Unit, by: str, now: datetime) -> None:
    """Move a contact to another unit; the role follows the new unit (a secretariat unit's, or member)."""
    from models.audit import AuditEntry
    old = contact.unit_id
    contact.unit_id = unit.id
    contact.unit = unit
    if contact.role != Role.ADMIN:
        contact.role = Role.SECRETARIAT if unit.is_secretariat else Role.MEMBER
    session.add(AuditEntry(at=now, actor=by[:64], action="move_contact",
                           detail={"contact_id": contact.id, "from_unit": old, "to_unit": unit.id}))


def add_contact(session: Session, line_user_id: str, unit: Unit, role: Role, display_name: str,
                now: datetime) -> Contact:
    """Operator path: create or update an active contact directly."""
    contact = contact_of(session, line_user_id) or Contact(line_user_id=line_user_id, created_at=now)
    contact.unit_id = unit.id
    contact.unit = unit
    contact.role = role
    contact.display_name = display_name or contact.display_name or ""
    contact.status = ContactStatus.ACTIVE
    contact.decided_at = now
    contact.decided_by = "cli"
    session.add(contact)
    session.flush()
    return contact


def approvers(session: Session, district: District, admin_ids: frozenset[str]) -> list[str]:
    """The district's secretariat (who is told about the district's matters), else the admins."""
    managers = session.scalars(_MANAGERS, {"district_id": district.id}).all()
    if managers:
        return list(managers)
    admins = session.scalars(
        select(Contact.line_user_id).where(Contact.role == Role.ADMIN, Contact.status == ContactStatus.ACTIVE)
    ).all()
    return sorted(set(admins) | set(admin_ids))


# Built once: every 求助 asks them (building a statement cost about as much as sending it).
_MANAGERS = select(Contact.line_user_id).join(Unit).where(
    Unit.district_id == bindparam("district_id"), Contact.status == ContactStatus.ACTIVE,
    Contact.role.in_([Role.SECRETARIAT, Role.ADMIN]))
_GROUPS_OF_DISTRICT = select(Group).where(Group.district_id == bindparam("district_id"),
                                          Group.left_at.is_(None)).order_by(Group.id)


def approvers_for(session: Session, unit: Unit, admin_ids: frozenset[str]) -> list[str]:
    """Who decides on a registration for this unit: the nearest people `may_approve` allows.

    A district-level unit's district secretariat first; else (a city-level unit, or a district without
    one) the city's secretariat and the administrators.
    """
    managers = session.scalars(
        select(Contact).join(Unit).where(Contact.status == ContactStatus.ACTIVE,
                                         Contact.role.in_([Role.SECRETARIAT, Role.ADMIN]))
        .options(joinedload(Contact.unit).joinedload(Unit.district))).all()
    allowed = [c for c in managers if access.may_approve(c.actor(c.line_user_id in admin_ids), unit.ref)]
    local = [c.line_user_id for c in allowed if access.scope(c.actor()) == access.Scope.DISTRICT]
    if local:
        return sorted(local)
    return sorted({c.line_user_id for c in allowed} | set(admin_ids))


def actor(contact: Contact | None, is_admin: bool) -> access.Actor:
    """Who is asking, as the access rules see it."""
    if contact is None:
        return access.Actor(configured_admin=is_admin)
    return contact.actor(configured_admin=is_admin)


def may_manage_district(contact: Contact | None, district: District, is_admin: bool) -> bool:
    """Admins manage every district, the city's secretariat the city's, a district's secretariat its own."""
    return access.may_manage_district(actor(contact, is_admin), district.place)


def may_deactivate(contact: Contact | None, unit: Unit, is_admin: bool) -> bool:
    """Whether the speaker may take a contact of this unit off the roster (rules/access.py)."""
    return access.may_deactivate(actor(contact, is_admin), unit.ref)


def active_named(session: Session, display_name: str) -> list[Contact]:
    """Active contacts with this LINE display name, with their unit and district."""
    return list(session.scalars(select(Contact).where(
        Contact.display_name == display_name, Contact.status == ContactStatus.ACTIVE)
        .options(joinedload(Contact.unit).joinedload(Unit.district)).order_by(Contact.id)))


def may_approve(contact: Contact | None, unit: Unit, is_admin: bool) -> bool:
    """Whether the speaker may grant a role in this unit (rules/access.py)."""
    return access.may_approve(actor(contact, is_admin), unit.ref)


def group_of(session: Session, line_group_id: str) -> Group | None:
    return session.scalars(select(Group).where(Group.line_group_id == line_group_id)).first()


def groups_of_district(session: Session, district_id: int) -> list[Group]:
    return list(session.scalars(_GROUPS_OF_DISTRICT, {"district_id": district_id}))


def contacts_of_units(session: Session, unit_ids: list[int]) -> list[Contact]:
    return list(session.scalars(
        select(Contact).where(Contact.unit_id.in_(unit_ids), Contact.status == ContactStatus.ACTIVE)
        .order_by(Contact.id)))


def last_active(contact: Contact) -> datetime:
    """When the contact last used the bot (else when approved, else when registered)."""
    return contact.last_seen_at or contact.decided_at or contact.created_at


def silent_contacts(session: Session, silent_since: datetime, district_id: int | None = None) -> list[Contact]:
    """Active contacts who have not used the bot since `silent_since` (the quarterly review's list)."""
    query = (select(Contact).join(Contact.unit).where(Contact.status == ContactStatus.ACTIVE)
             .options(joinedload(Contact.unit).joinedload(Unit.district)).order_by(Contact.id))
    if district_id is not None:
        query = query.where(Unit.district_id == district_id)
    return [c for c in session.scalars(query) if last_active(c) < silent_since]


def find_district_by_id(session: Session, district_id: int) -> District | None:
    return session.get(District, district_id)


def import_contacts(session: Session, path: str, now: datetime,
                    track: Callable[[list[Any]], Iterable[Any]] = iter) -> int:
    """Add every contact of a YAML file (district, contacts: line_id, unit, name, role).

    `track` wraps the list of entries, e.g. in the operator command's progress bar.
    """
    import yaml
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    district = find_district(session, data["district"])
    if district is None:
        raise ValueError(f"unknown district {data['district']!r}: seed the roster first")
    for entry in track(data["contacts"]):
        unit = find_unit(session, district, entry["unit"])
        if unit is None:
            raise ValueError(f"no unit {entry['unit']!r} in {district.name}")
        add_contact(session, entry["line_id"], unit, Role(entry.get("role", "member")), entry.get("name", ""), now)
    return len(data["contacts"])


def find_unit_in(district: District, name: str) -> Unit | None:
    """Find a unit of an already-loaded district by full name, short name or alias (no query)."""
    wanted = name.strip().lstrip("@＠")
    for unit in district.units:
        if wanted in (unit.name, unit.short_name) or wanted in unit.aliases.split(","):
            return unit
    return next((u for u in district.units if wanted and wanted in u.name), None)


def refresh_member_count(line_group_id: str, services: "Services") -> None:
    """Ask LINE how many are in the group (what a push there costs), outside any write transaction."""
    count = services.gateway.group_member_count(line_group_id)
    if count:
        with services.db.transaction() as session:
            session.execute(update(Group).where(Group.line_group_id == line_group_id).values(member_count=count))
