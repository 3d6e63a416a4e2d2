"""Who may do what: one rule per question, of plain values (no Flask, LINE or SQLAlchemy).

The roster has four standings, and each grants a scope:

| who                                                             | scope                          |
|-----------------------------------------------------------------|--------------------------------|
| administrator (ADMIN_LINE_USER_IDS, or an active `admin` role)    | every district                 |
| the city's secretariat: an active `secretariat` of the city-level  | every district of its city     |
| secretariat unit (社會局, copied into every district)              |                                |
| a district's secretariat: any other active `secretariat`          | its own district               |
| member, pending applicant, rejected or inactive contact, stranger | nothing to manage              |

Managing a district means approving its registrations, binding its group, broadcasting and
calling for activities there, running its meetings and forms (`may_manage_district`).

Granting a role is scoped by the unit it is for (`may_approve`): a district-level unit's
roles (區公所社會課, 分局, 衛生所 ...) are granted by that district's secretariat, the city's
secretariat or an administrator; a city-level unit's roles (社會局, 家防中心, 衛生局 ... copied
into every district) only by the city's secretariat or an administrator, because the city's
people are not the district office's to vouch for, and the city's secretariat unit makes its
members city-wide managers. A district secretariat can therefore never mint a city-wide manager.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Scope(IntEnum):
    NONE = 0
    DISTRICT = 1
    CITY = 2
    ALL = 3


@dataclass(frozen=True)
class Place:
    """A district, as the rules see it."""

    district_id: int
    city: str


@dataclass(frozen=True)
class UnitRef:
    """The unit a role is granted in."""

    place: Place
    city_level: bool
    secretariat: bool


@dataclass(frozen=True)
class Actor:
    """Who is asking: their roster standing, and whether the configuration names them an administrator."""

    configured_admin: bool = False
    active: bool = False
    role: str = ""  # "member" | "secretariat" | "admin"
    unit: UnitRef | None = None


STRANGER = Actor()


def scope(actor: Actor) -> Scope:
    """How far the actor's management reaches."""
    if actor.configured_admin:
        return Scope.ALL
    if not actor.active or actor.unit is None:
        return Scope.NONE
    if actor.role == "admin":
        return Scope.ALL
    if actor.role != "secretariat":
        return Scope.NONE
    if actor.unit.city_level and actor.unit.secretariat:
        return Scope.CITY
    return Scope.DISTRICT


def may_manage_district(actor: Actor, district: Place) -> bool:
    """Approve, bind, broadcast, run meetings and forms in this district."""
    reach = scope(actor)
    if reach == Scope.ALL:
        return True
    if reach == Scope.NONE or actor.unit is None:
        return False
    if reach == Scope.CITY:
        return actor.unit.place.city == district.city
    return actor.unit.place.district_id == district.district_id


def may_manage_any(actor: Actor) -> bool:
    """Whether the actor manages at least one district (who sees the secretariat's commands)."""
    return scope(actor) > Scope.NONE


def may_approve(actor: Actor, unit: UnitRef) -> bool:
    """Grant a role in this unit (approve a registration for it, move a contact into it)."""
    if unit.city_level:
        reach = scope(actor)
        return reach == Scope.ALL or (reach == Scope.CITY and actor.unit is not None
                                      and actor.unit.place.city == unit.place.city)
    return may_manage_district(actor, unit.place)


def may_bind_group(actor: Actor, district: Place) -> bool:
    """Bind a LINE group to this district."""
    return may_manage_district(actor, district)


def may_broadcast(actor: Actor, district: Place) -> bool:
    """Post to this district's group on the secretariat's behalf (forms, calls, meeting notices)."""
    return may_manage_district(actor, district)


def may_deactivate(actor: Actor, contact_unit: UnitRef) -> bool:
    """Take a contact off the roster (offboarding): who could have granted the role may take it back."""
    return may_approve(actor, contact_unit)
