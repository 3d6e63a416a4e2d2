"""Edges an attacker tries: 案件 in a group of another district, forged or stale buttons (issue 13)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models.incidents import Incident
from tests import demo

OTHER_GROUP = "C00000000000000000000000000000a7e"
REQUEST = "求助 @衛生局 長者獨居需要關懷訪視"


def posted_number(emulator, services) -> str:
    emulator.join(demo.GROUP)
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.text(demo.SOCIAL_WORKER, REQUEST)
    with services.db.transaction() as session:
        return session.scalars(select(Incident.number)).one()


def test_case_lookup_in_a_group_of_another_district_shows_nothing(emulator, services):
    number = posted_number(emulator, services)
    emulator.join(OTHER_GROUP)
    emulator.text(demo.POLICE, f"案件 {number}", group_id=OTHER_GROUP)  # unbound: anyone may be in it
    emulator.text(demo.ADMIN, "綁定 桃園區", group_id=OTHER_GROUP)
    emulator.text(demo.POLICE, f"案件 {number}", group_id=OTHER_GROUP)  # bound to another district
    emulator.text(demo.ADMIN, f"案件 {number}", group_id=OTHER_GROUP)
    shown = " ".join(str(m) for m in emulator.messages(to=OTHER_GROUP))
    assert number not in shown and "長者獨居" not in shown
    emulator.text(demo.POLICE, f"案件 {number}", group_id=demo.GROUP)  # its own district's group
    assert number in str(emulator.messages(to=demo.GROUP)[-1])


@pytest.mark.parametrize("data", [
    "action=reg_decide&id=abc&ok=1",
    "action=inc_claim&id=notanumber",
    "action=inc_claim&id=-1",
    "action=inc_claim&id=１２",
    "action=no_such_action&id=1",
    "action=reg_unit&id=3",          # a step of a conversation that has ended
    "garbage",
    "action=&id=1",
])
@pytest.mark.parametrize("where", ["private", "group"])
def test_forged_or_stale_buttons_get_a_short_polite_answer(emulator, services, data, where):
    group = demo.GROUP if where == "group" else None
    assert emulator.postback(demo.POLICE, data, group_id=group).status == 200
    said = emulator.texts(to=group or demo.POLICE)
    assert len(said) == 1 and ("按鈕已失效" in said[0] or "找不到" in said[0])


def test_a_well_formed_but_unknown_id_is_answered_too(emulator, services):
    emulator.postback(demo.SECRETARIAT, "action=reg_decide&id=999999&unit=1&v=1&ok=1")
    assert "找不到這筆申請" in emulator.texts(to=demo.SECRETARIAT)[-1]
    emulator.postback(demo.POLICE, "action=inc_claim&id=424242", group_id=demo.GROUP)
    assert len(emulator.texts(to=demo.GROUP)) == 1


def test_events_older_than_the_replay_window_are_acknowledged_and_ignored(services, client, caplog):
    """A signed event captured yesterday and sent again now changes nothing and says nothing."""
    import time

    from models.roster import Contact, ContactStatus
    from tests.resilience.webhooks import encode, sign

    old = int(time.time() * 1000) - (services.config.event_max_age_minutes + 5) * 60_000
    body = encode([{"type": "unfollow", "mode": "active", "timestamp": old, "webhookEventId": "01OLDEVENT" + "0" * 16,
                    "source": {"type": "user", "userId": demo.POLICE}, "deliveryContext": {"isRedelivery": True}}])
    response = client.post("/callback", data=body, content_type="application/json",
                           headers={"X-Line-Signature": sign(body)})
    assert response.status_code == 200
    with services.db.transaction() as session:
        police = session.scalars(select(Contact).where(Contact.line_user_id == demo.POLICE)).one()
        assert police.status == ContactStatus.ACTIVE
    assert "1 event(s) older than 1440 minutes acknowledged and ignored" in caplog.text
    fresh = encode([{"type": "unfollow", "mode": "active", "timestamp": int(time.time() * 1000),
                     "webhookEventId": "01NEWEVENT" + "0" * 16, "source": {"type": "user", "userId": demo.POLICE},
                     "deliveryContext": {"isRedelivery": False}}])
    client.post("/callback", data=fresh, content_type="application/json", headers={"X-Line-Signature": sign(fresh)})
    with services.db.transaction() as session:
        police = session.scalars(select(Contact).where(Contact.line_user_id == demo.POLICE)).one()
        assert police.status == ContactStatus.INACTIVE
