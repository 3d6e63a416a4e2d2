"""The console's roster: a registration made in chat, approved on the console with the chat's rules."""
from __future__ import annotations

import re

from tests import demo
from tests.console.people import district_id
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
