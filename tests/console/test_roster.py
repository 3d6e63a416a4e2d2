"""The console's roster: a registration made in chat, approved on the console with the chat's rules."""
from __future__ import annotations

import re

import pytest

from tests import demo
from tests.console.people import PEOPLE, add_people, district_id
from tests.console.signin import csrf_token, sign_in
from tests.webhook.test_roster import contact
from models.roster import ContactStatus


def register(emulator, unit: str = "衛生所") -> None:
    emulator.text(demo.NEWCOMER, "註冊")
    emulator.text(demo.NEWCOMER, "中壢區")
    emulator.text(demo.NEWCOMER, unit)


def decide_form(page: str) -> dict[str, str]:
    form = page[page.index('/roster/decide'):]
    return dict(re.findall(r'name="(id|unit|v|csrf_token)" value="([^"]*)"', form[:1200]))


def test_secretariat_approves_a_registration_and_the_applicant_is_told(client, services, emulator) -> None:
    register(emulator)
    sign_in(client, demo.SECRETARIAT)
    base = f"/console/{district_id(services)}/roster/"
    page = client.get(base).get_data(as_text=True)
    assert "待審核（共 1 筆" in page and "中壢區衛生所" in page
    assert "桃園市政府警察局中壢分局" in page and "陳家防官" in page  # contacts by unit
    fields = decide_form(page)
    answer = client.post(base + "decide", data={**fields, "ok": "1"}, follow_redirects=True)
    assert "已核准" in answer.get_data(as_text=True)
    assert contact(services, demo.NEWCOMER).status == ContactStatus.ACTIVE
    assert "您的註冊已核准" in emulator.texts(to=demo.NEWCOMER)[-1]
    again = client.post(base + "decide", data={**fields, "ok": "0"}, follow_redirects=True)
    assert "已處理過" in again.get_data(as_text=True)
    assert contact(services, demo.NEWCOMER).status == ContactStatus.ACTIVE


def test_a_decision_on_a_stale_page_is_refused(client, services, emulator) -> None:
    register(emulator)
    sign_in(client, demo.SECRETARIAT)
    base = f"/console/{district_id(services)}/roster/"
    fields = decide_form(client.get(base).get_data(as_text=True))
    register(emulator, "中壢家庭服務中心")  # the applicant changed the application meanwhile
    answer = client.post(base + "decide", data={**fields, "ok": "1"}, follow_redirects=True)
    assert "未核准也未婉拒" in answer.get_data(as_text=True)
    assert contact(services, demo.NEWCOMER).status == ContactStatus.PENDING


def test_a_bound_group_shows_its_member_count(client, services, emulator) -> None:
    emulator.join(demo.GROUP)
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    sign_in(client, demo.SECRETARIAT)
    page = client.get(f"/console/{district_id(services)}/roster/").get_data(as_text=True)
    assert re.search(r'<td class="num">9</td>', page), "the demo group's nine members"


# 停用 and 移動 on the console: the chat's rules (may_deactivate, may_approve) per role × district.
POLICE_UNIT, CITY_UNIT, OTHER_UNIT = "桃園市政府警察局中壢分局", "桃園市政府警察局少年警察隊", "中壢區公所民政課"
CASES = {  # what, whose contact, to which unit
    "deactivate a district unit's contact": ("deactivate", demo.POLICE, None),
    "deactivate a city unit's contact": ("deactivate", demo.HEALTH, None),
    "move within district units": ("move", demo.POLICE, OTHER_UNIT),
    "move into a city unit": ("move", demo.POLICE, CITY_UNIT),
}
DONE, REFUSED, FORBIDDEN, SIGN_IN = "done", "refused", 403, 302
EXPECTED = {
    "member": {case: SIGN_IN for case in CASES},
    "district secretariat": {"deactivate a district unit's contact": DONE, "deactivate a city unit's contact": REFUSED,
                             "move within district units": DONE, "move into a city unit": REFUSED},
    "other district's secretariat": {case: FORBIDDEN for case in CASES},
    "city secretariat": {case: DONE for case in CASES},
    "admin": {case: DONE for case in CASES},
}


def unit_id(services, name: str) -> int:
    from bot import roster
    with services.db.transaction() as session:
        return roster.find_unit(session, roster.find_district(session, "中壢區"), name).id


def audit_rows(services, action: str) -> list[tuple[str, dict]]:
    from sqlalchemy import select
    from models.audit import AuditEntry
    with services.db.transaction() as session:
        return [(a.actor, a.detail) for a in session.scalars(select(AuditEntry).where(AuditEntry.action == action))]


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("who", list(PEOPLE))
def test_deactivate_and_move_follow_the_chats_rules(client, services, clock, who, case) -> None:
    add_people(services, clock)
    user_id, _ = PEOPLE[who]
    sign_in(client, user_id)
    action, line_id, target = CASES[case]
    before = contact(services, line_id)
    base = f"/console/{district_id(services)}/roster/"
    token = csrf_token(client, "/console/" if who != "member" else "/console/login")
    form = {"csrf_token": token, "id": before.id, "unit": before.unit_id}
    if target:
        form["to"] = unit_id(services, target)
    answer = client.post(base + action, data=form)
    after = contact(services, line_id)
    expected = EXPECTED[who][case]
    if expected in (FORBIDDEN, SIGN_IN):
        assert answer.status_code == expected
        assert (after.status, after.unit_id) == (before.status, before.unit_id)
        return
    shown = client.get(base).get_data(as_text=True)
    if expected == REFUSED:
        assert "只有市府社會局（秘書單位）或管理員可以" in shown
        assert (after.status, after.unit_id) == (before.status, before.unit_id)
        assert audit_rows(services, f"refused:{'move_contact' if target else 'deactivate'}")[0][0] == user_id
        return
    if action == "deactivate":
        assert "已停用" in shown and after.status == ContactStatus.INACTIVE
    else:
        assert "已將" in shown and after.unit_id == form["to"]
    actor, detail = audit_rows(services, "move_contact" if target else "deactivate")[-1]
    assert actor == user_id and detail["contact_id"] == before.id  # audited as the signed-in person


def test_a_deactivated_contact_gets_no_rights_in_chat(client, services, emulator) -> None:
    sign_in(client, demo.SECRETARIAT)
    police = contact(services, demo.POLICE)
    base = f"/console/{district_id(services)}/roster/"
    page = client.get(base).get_data(as_text=True)
    assert "停用 陳家防官" in page and "移動 陳家防官" in page
    client.post(base + "deactivate", data={"csrf_token": csrf_token(client, base), "id": police.id,
                                            "unit": police.unit_id})
    emulator.text(demo.POLICE, "求助")
    assert "註冊" in emulator.texts(to=demo.POLICE)[-1]  # off the roster: asked to register again


def test_a_change_on_a_stale_page_is_refused(client, services) -> None:
    sign_in(client, demo.SECRETARIAT)
    police = contact(services, demo.POLICE)
    base = f"/console/{district_id(services)}/roster/"
    token = csrf_token(client, base)
    client.post(base + "move", data={"csrf_token": token, "id": police.id, "unit": police.unit_id,
                                      "to": unit_id(services, OTHER_UNIT)})
    answer = client.post(base + "deactivate", data={"csrf_token": token, "id": police.id, "unit": police.unit_id},
                         follow_redirects=True)  # the page still showed the old unit
    assert "已停用或異動，本次未變更" in answer.get_data(as_text=True)
    assert contact(services, demo.POLICE).status == ContactStatus.ACTIVE


def test_silent_contacts_are_listed_for_review(client, services, clock) -> None:
    from datetime import timedelta
    from models.roster import Contact
    with services.db.transaction() as session:
        police = session.get(Contact, contact(services, demo.POLICE).id)
        police.last_seen_at = clock() - timedelta(days=services.config.contact_silent_days + 1)
    sign_in(client, demo.SECRETARIAT)
    page = client.get(f"/console/{district_id(services)}/roster/").get_data(as_text=True)
    silent = page[page.index('id="silent"'):page.index('id="groups"')]
    assert f"超過 {services.config.contact_silent_days} 天未使用小幫手（共 1 位）" in silent
    assert "陳家防官" in silent and "吳課員" not in silent


def test_contacts_are_shown_by_unit_with_deputies(client, services, emulator) -> None:
    register(emulator, "分局")
    sign_in(client, demo.SECRETARIAT)
    base = f"/console/{district_id(services)}/roster/"
    client.post(base + "decide", data={**decide_form(client.get(base).get_data(as_text=True)), "ok": "1"})
    page = client.get(base).get_data(as_text=True)
    police = page[page.index(f'rowspan="2">{POLICE_UNIT}'):]  # two people speak for the precinct
    police = police[:police.index("</tbody>")]
    assert police.index("陳家防官") < police.index("代理人")  # the first approved is the contact, then deputies
