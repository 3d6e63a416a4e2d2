"""Every standing × every district and unit, for each question rules/access.py answers."""
from __future__ import annotations

import pytest

from rules import access
from rules.access import Actor, Place, UnitRef

ZHONGLI = Place(1, "桃園市")
TAOYUAN = Place(2, "桃園市")
TAIPEI_DISTRICT = Place(3, "臺北市")

ZHONGLI_OFFICE = UnitRef(ZHONGLI, city_level=False, secretariat=True)     # 中壢區公所社會課
ZHONGLI_POLICE = UnitRef(ZHONGLI, city_level=False, secretariat=False)    # 中壢分局
ZHONGLI_BUREAU = UnitRef(ZHONGLI, city_level=True, secretariat=True)      # 中壢區's copy of 社會局
ZHONGLI_HEALTH = UnitRef(ZHONGLI, city_level=True, secretariat=False)     # 中壢區's copy of 衛生局
TAOYUAN_OFFICE = UnitRef(TAOYUAN, city_level=False, secretariat=True)     # 桃園區公所社會課
TAIPEI_OFFICE = UnitRef(TAIPEI_DISTRICT, city_level=False, secretariat=True)

ACTORS = {
    "stranger": access.STRANGER,
    "member": Actor(active=True, role="member", unit=ZHONGLI_POLICE),
    "member of a city unit": Actor(active=True, role="member", unit=ZHONGLI_HEALTH),
    "district secretariat": Actor(active=True, role="secretariat", unit=ZHONGLI_OFFICE),
    "secretariat of another district": Actor(active=True, role="secretariat", unit=TAOYUAN_OFFICE),
    "city secretariat": Actor(active=True, role="secretariat", unit=ZHONGLI_BUREAU),
    "another city's secretariat": Actor(active=True, role="secretariat", unit=UnitRef(
        TAIPEI_DISTRICT, city_level=True, secretariat=True)),
    "admin role": Actor(active=True, role="admin", unit=ZHONGLI_BUREAU),
    "configured admin": Actor(configured_admin=True),
    "pending applicant": Actor(active=False, role="member", unit=ZHONGLI_OFFICE),
    "pending city secretariat": Actor(active=False, role="secretariat", unit=ZHONGLI_BUREAU),
    "inactive secretariat": Actor(active=False, role="secretariat", unit=ZHONGLI_OFFICE),
}

# Columns: manage 中壢區, manage 桃園區, manage a 臺北市 district,
#          approve into 中壢區公所, into 中壢分局, into 社會局 (city), into 衛生局 (city), into 桃園區公所.
Y, N = True, False
TABLE = {
    "stranger":                        (N, N, N, N, N, N, N, N),
    "member":                          (N, N, N, N, N, N, N, N),
    "member of a city unit":           (N, N, N, N, N, N, N, N),
    "district secretariat":            (Y, N, N, Y, Y, N, N, N),
    "secretariat of another district": (N, Y, N, N, N, N, N, Y),
    "city secretariat":                (Y, Y, N, Y, Y, Y, Y, Y),
    "another city's secretariat":      (N, N, Y, N, N, N, N, N),
    "admin role":                      (Y, Y, Y, Y, Y, Y, Y, Y),
    "configured admin":                (Y, Y, Y, Y, Y, Y, Y, Y),
    "pending applicant":               (N, N, N, N, N, N, N, N),
    "pending city secretariat":        (N, N, N, N, N, N, N, N),
    "inactive secretariat":            (N, N, N, N, N, N, N, N),
}


def answers(actor: Actor) -> tuple[bool, ...]:
    manage = tuple(access.may_manage_district(actor, place) for place in (ZHONGLI, TAOYUAN, TAIPEI_DISTRICT))
    approve = tuple(access.may_approve(actor, unit) for unit in (
        ZHONGLI_OFFICE, ZHONGLI_POLICE, ZHONGLI_BUREAU, ZHONGLI_HEALTH, TAOYUAN_OFFICE))
    return manage + approve


@pytest.mark.parametrize("who", sorted(TABLE))
def test_role_by_district(who: str) -> None:
    assert answers(ACTORS[who]) == TABLE[who]


@pytest.mark.parametrize("who", sorted(TABLE))
def test_sibling_questions_follow_the_one_rule(who: str) -> None:
    actor = ACTORS[who]
    for place in (ZHONGLI, TAOYUAN, TAIPEI_DISTRICT):
        expected = access.may_manage_district(actor, place)
        assert access.may_bind_group(actor, place) == expected
        assert access.may_broadcast(actor, place) == expected
    assert access.may_manage_any(actor) == any(TABLE[who][:3])
    assert access.may_deactivate(actor, ZHONGLI_BUREAU) == access.may_approve(actor, ZHONGLI_BUREAU)


def test_no_district_secretariat_can_grant_what_makes_a_city_wide_manager() -> None:
    """Whoever a district secretariat may approve never reaches past the district."""
    granter = ACTORS["district secretariat"]
    for unit in (ZHONGLI_OFFICE, ZHONGLI_POLICE, ZHONGLI_BUREAU, ZHONGLI_HEALTH):
        if access.may_approve(granter, unit):
            minted = Actor(active=True, role="secretariat" if unit.secretariat else "member", unit=unit)
            assert not access.may_manage_district(minted, TAOYUAN)
