"""The role × district table again, with contacts as the roster stores them (seeded units, statuses)."""
from __future__ import annotations

import pytest

from bot import roster as service
from models.roster import Contact, ContactStatus, Role
from tests.unit.test_access import TABLE

# (district, unit, role, status) of each standing; None = not on the roster.
STANDINGS = {
    "stranger": None,
    "member": ("中壢區", "桃園市政府警察局中壢分局", Role.MEMBER, ContactStatus.ACTIVE),
    "member of a city unit": ("中壢區", "桃園市政府衛生局", Role.MEMBER, ContactStatus.ACTIVE),
    "district secretariat": ("中壢區", "中壢區公所社會課", Role.SECRETARIAT, ContactStatus.ACTIVE),
    "secretariat of another district": ("桃園區", "桃園區公所社會課", Role.SECRETARIAT, ContactStatus.ACTIVE),
    "city secretariat": ("中壢區", "桃園市政府社會局", Role.SECRETARIAT, ContactStatus.ACTIVE),
    "admin role": ("中壢區", "桃園市政府社會局", Role.ADMIN, ContactStatus.ACTIVE),
    "pending applicant": ("中壢區", "中壢區公所社會課", Role.MEMBER, ContactStatus.PENDING),
    "pending city secretariat": ("中壢區", "桃園市政府社會局", Role.SECRETARIAT, ContactStatus.PENDING),
    "inactive secretariat": ("中壢區", "中壢區公所社會課", Role.SECRETARIAT, ContactStatus.INACTIVE),
}


@pytest.mark.unregistered
@pytest.mark.parametrize("who", sorted(STANDINGS))
def test_stored_contacts_follow_the_table(services, clock, who: str) -> None:
    with services.db.transaction() as session:
        zhongli, taoyuan = service.find_district(session, "中壢區"), service.find_district(session, "桃園區")
        contact = None
        if STANDINGS[who] is not None:
            district, unit_name, role, status = STANDINGS[who]
            unit = service.find_unit(session, service.find_district(session, district), unit_name)
            contact = Contact(line_user_id="U" + "0" * 31 + "1", unit=unit, role=role, status=status,
                              created_at=clock())
            session.add(contact)
            session.flush()
        units = [service.find_unit(session, zhongli, name) for name in (
            "中壢區公所社會課", "桃園市政府警察局中壢分局", "桃園市政府社會局", "桃園市政府衛生局")]
        units.append(service.find_unit(session, taoyuan, "桃園區公所社會課"))
        manage = tuple(service.may_manage_district(contact, d, False) for d in (zhongli, taoyuan))
        approve = tuple(service.may_approve(contact, u, False) for u in units)
        expected = TABLE[who]
        assert manage == expected[:2] and approve == expected[3:]
        session.rollback()


@pytest.mark.unregistered
def test_seed_marks_city_units(services) -> None:
    with services.db.transaction() as session:
        zhongli = service.find_district(session, "中壢區")
        levels = {u.name: u.is_city_level for u in zhongli.units}
        assert levels["桃園市政府社會局"] and levels["桃園市政府衛生局"]
        assert not levels["中壢區公所社會課"] and not levels["桃園市政府警察局中壢分局"]
