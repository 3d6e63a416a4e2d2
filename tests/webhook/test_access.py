"""Approvals bound to what the card showed, and roles scoped to their district (issue 13, findings 1 and 2)."""
from __future__ import annotations

from urllib.parse import parse_qsl

from sqlalchemy import select

from bot import roster as service
from models.audit import AuditEntry
from models.roster import Contact, ContactStatus, Role
from tests import demo

CITY_SECRETARIAT = "U00000000000000000000000000c17e05"   # 社會局, the city's secretariat (added per test)
TAOYUAN_GROUP = "C0000000000000000000000000007a0e0"


def register(emulator, user: str, district: str, unit: str) -> None:
    emulator.text(user, "註冊")
    emulator.text(user, district)
    emulator.text(user, unit)


def stored(services, line_id: str) -> Contact | None:
    """The contact as stored, with its unit loaded (the session ends here)."""
    with services.db.transaction() as session:
        found = session.scalars(select(Contact).where(Contact.line_user_id == line_id)).first()
        if found is not None:
            assert found.unit.name
        return found


def cards(emulator, to: str) -> list[dict]:
    return [m for d in emulator.deliveries(to=to) for m in d["messages"]
            if m.get("type") == "flex" and "註冊申請" in m.get("altText", "")]


def button(card: dict, label: str) -> str:
    return next(b["action"]["data"] for b in card["contents"]["footer"]["contents"] if b["action"]["label"] == label)


def add_city_secretariat(services, clock) -> None:
    with services.db.transaction() as session:
        district = service.find_district(session, "中壢區")
        unit = service.find_unit(session, district, "桃園市政府社會局")
        service.add_contact(session, CITY_SECRETARIAT, unit, Role.SECRETARIAT, "社會局專員", clock())


def test_a_stale_card_is_refused_and_the_current_one_offered(emulator, services):
    register(emulator, demo.NEWCOMER, "中壢區", "桃園市政府警察局中壢分局")
    first = cards(emulator, demo.SECRETARIAT)[-1]
    assert "註冊申請：分局" in str(first)  # the card shows the short name (rules/units.py)
    register(emulator, demo.NEWCOMER, "中壢區", "中壢區衛生所")
    assert "已更新您的註冊申請" in emulator.texts(to=demo.NEWCOMER)[-1]
    assert len(cards(emulator, demo.SECRETARIAT)) == 1, "re-registering must not push a second card"

    emulator.postback(demo.SECRETARIAT, button(first, "核准"))
    said = emulator.texts(to=demo.SECRETARIAT)
    assert "審核卡已過期" in said[-2]
    assert stored(services, demo.NEWCOMER).status == ContactStatus.PENDING
    current = emulator.deliveries(to=demo.SECRETARIAT)[-1]["messages"][-1]
    assert "註冊申請：衛生所" in str(current) and "分局" not in str(current)

    emulator.postback(demo.SECRETARIAT, button(current, "核准"))
    approved = stored(services, demo.NEWCOMER)
    assert approved.status == ContactStatus.ACTIVE and approved.unit.name == "中壢區衛生所"


def test_the_reported_attack_police_then_city_social_bureau(emulator, services):
    """Register for the precinct, then for 社會局; 核准 on the first card must not make a city secretariat."""
    register(emulator, demo.NEWCOMER, "中壢區", "桃園市政府警察局中壢分局")
    first = cards(emulator, demo.SECRETARIAT)[-1]
    register(emulator, demo.NEWCOMER, "中壢區", "桃園市政府社會局")
    for tapper in (demo.SECRETARIAT, demo.ADMIN):
        emulator.postback(tapper, button(first, "核准"))
    after = stored(services, demo.NEWCOMER)
    assert after.status == ContactStatus.PENDING and after.role == Role.MEMBER
    assert "市級單位" in emulator.texts(to=demo.SECRETARIAT)[-1]
    assert "審核卡已過期" in " ".join(emulator.texts(to=demo.ADMIN)[-2:])


def test_district_secretariat_cannot_mint_a_city_wide_manager(emulator, services, clock):
    add_city_secretariat(services, clock)
    register(emulator, demo.NEWCOMER, "中壢區", "桃園市政府社會局")
    assert cards(emulator, demo.SECRETARIAT) == [], "a city-level application is not the district's to decide"
    card = cards(emulator, CITY_SECRETARIAT)[-1]
    forged = button(card, "核准")  # the district secretariat knows the id, unit and version
    emulator.postback(demo.SECRETARIAT, forged)
    assert "市級單位" in emulator.texts(to=demo.SECRETARIAT)[-1]
    assert stored(services, demo.NEWCOMER).status == ContactStatus.PENDING
    with services.db.transaction() as session:
        refused = session.scalars(select(AuditEntry).where(AuditEntry.action == "refused:approve")).all()
        assert [r.actor for r in refused] == [demo.SECRETARIAT]

    emulator.postback(CITY_SECRETARIAT, forged)
    promoted = stored(services, demo.NEWCOMER)
    assert promoted.status == ContactStatus.ACTIVE and promoted.role == Role.SECRETARIAT
    # The city's secretariat manages every district of the city; the district's only its own.
    emulator.join(TAOYUAN_GROUP)
    emulator.text(demo.SECRETARIAT, "綁定 桃園區", group_id=TAOYUAN_GROUP)
    assert "只有桃園區的秘書單位" in emulator.texts(to=TAOYUAN_GROUP)[-1]
    emulator.text(demo.NEWCOMER, "綁定 桃園區", group_id=TAOYUAN_GROUP)
    assert "已將本群組綁定為「桃園區」" in emulator.texts(to=TAOYUAN_GROUP)[-1]


def test_district_secretariat_still_approves_its_own_district_units(emulator, services):
    register(emulator, demo.NEWCOMER, "中壢區", "中壢區公所社會課")
    emulator.postback(demo.SECRETARIAT, button(cards(emulator, demo.SECRETARIAT)[-1], "核准"))
    contact = stored(services, demo.NEWCOMER)
    assert contact.status == ContactStatus.ACTIVE and contact.role == Role.SECRETARIAT


def test_card_buttons_carry_unit_and_version(emulator, services):
    register(emulator, demo.NEWCOMER, "中壢區", "中壢區衛生所")
    data = dict(parse_qsl(button(cards(emulator, demo.SECRETARIAT)[-1], "婉拒")))
    contact = stored(services, demo.NEWCOMER)
    assert data == {"action": "reg_decide", "ok": "0", "id": str(contact.id), "unit": str(contact.unit_id),
                    "v": str(contact.application_version)}
