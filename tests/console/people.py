"""The five kinds of people the console's access table is tested with."""
from __future__ import annotations

from bot import roster
from models.roster import Role
from tests import demo

OTHER_SECRETARIAT = "U000000000000000000000000000b0001"  # 桃園區公所社會課
CITY_SECRETARIAT = "U000000000000000000000000000c0001"   # 桃園市政府社會局, secretariat (not admin)

# (who, may open 中壢區's pages)
PEOPLE = {
    "member": (demo.POLICE, False),
    "district secretariat": (demo.SECRETARIAT, True),
    "other district's secretariat": (OTHER_SECRETARIAT, False),
    "city secretariat": (CITY_SECRETARIAT, True),
    "admin": (demo.ADMIN, True),
}


def add_people(services, clock) -> None:
    """Register the two people the demo roster lacks."""
    with services.db.transaction() as session:
        taoyuan = roster.find_district(session, "桃園區")
        roster.add_contact(session, OTHER_SECRETARIAT, roster.find_unit(session, taoyuan, "桃園區公所社會課"),
                           Role.SECRETARIAT, "桃園課員", clock())
        roster.add_contact(session, CITY_SECRETARIAT, roster.find_unit(session, taoyuan, "桃園市政府社會局"),
                           Role.SECRETARIAT, "社會局科員", clock())


def district_id(services, name: str = "中壢區") -> int:
    with services.db.transaction() as session:
        return roster.find_district(session, name).id
