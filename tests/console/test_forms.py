"""The console's forms: progress, tallies per question, one reminder (cost shown first), the .xlsx."""
from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from handlers.forms import service as forms
from bot import roster
from tests import demo
from tests.console.people import district_id
from tests.console.signin import csrf_token, sign_in
from tests.webhook.test_forms import bind_group, broadcast, create_from_template


def test_progress_reminder_and_export(app, client, services, emulator, clock) -> None:
    emulator.join(demo.GROUP)
    bind_group(emulator)
    form_id = create_from_template(app, "three-phase", deadline="2026-11-30")
    broadcast(app, form_id)
    with services.db.transaction() as session:
        forms.save(session, forms.get(session, form_id), roster.contact_of(session, demo.POLICE),
                   {"prevention": "=HYPERLINK(\"http://x\")", "response": "到場處理", "aftercare": "轉介", "note": ""},
                   via="web", now=clock())
    emulator.reset()
    sign_in(client, demo.SECRETARIAT)
    base = f"/console/{district_id(services)}/forms/"
    listing = client.get(base).get_data(as_text=True)
    assert "網絡單位三階段角色與工作分工表" in listing and re.search(r"1／\d+", listing)
    path = base + str(form_id)
    page = client.get(path).get_data(as_text=True)
    assert "訊息成本：約 9 則" in page  # the demo group's nine members
    assert re.search(r'<th scope="row">事前預防</th><td class="num">1</td>', page)
    token = csrf_token(client, path)
    client.post(path + "/remind", data={"csrf_token": token})
    client.post(path + "/remind", data={"csrf_token": token})  # a second click the same day sends nothing
    pushes = [d for d in emulator.deliveries(to=demo.GROUP) if d["kind"] == "push"]
    assert len(pushes) == 1
    sheet = load_workbook(io.BytesIO(client.get(path + "/export.xlsx").data))["回覆"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "=HYPERLINK(\"http://x\")"]
    assert cells and all(c.data_type == "s" for c in cells)


def builder_form(token: str, **changes: str) -> dict[str, str]:
    """What the secretariat types on the builder page: a title, a deadline, two questions (one a choice)."""
    typed = {"csrf_token": token, "title": "宣導活動調查", "instructions": "請各單位填寫", "deadline": "2026-12-10",
             "rows": "3", "label_0": "活動名稱", "kind_0": "short", "required_0": "1",
             "label_1": "是否可共同宣導", "kind_1": "single", "options_1": "可、不可", "required_1": "1",
             "label_2": "", "kind_2": "short"}
    return {**typed, **changes}


def only_form(services):
    from sqlalchemy import select
    from models.forms import Form
    with services.db.transaction() as session:
        found = list(session.scalars(select(Form)))
        return [(f.id, f.status, f.title, f.fields, f.template, [t.unit_id for t in f.targets]) for f in found]


def test_secretariat_builds_a_form_then_sends_it_at_the_cost_shown(client, services, emulator, clock) -> None:
    emulator.join(demo.GROUP)
    bind_group(emulator)
    emulator.reset()
    sign_in(client, demo.SECRETARIAT)
    base = f"/console/{district_id(services)}/forms/"
    made = client.post(base + "new", data=builder_form(csrf_token(client, base + "new")))
    assert made.status_code == 302
    [(form_id, status, title, fields, _, _)] = only_form(services)
    assert (status, title) == ("draft", "宣導活動調查")
    assert [(f["label"], f["kind"], f.get("options")) for f in fields] == [
        ("活動名稱", "short", None), ("是否可共同宣導", "single", ["可", "不可"])]
    page = client.get(base + str(form_id)).get_data(as_text=True)
    assert f"表單 #{form_id}「宣導活動調查」將發送到 1 個群組，共約 9 則訊息額度" in page  # the chat's wording
    assert emulator.deliveries(to=demo.GROUP) == []  # nothing sent before the confirm
    token = csrf_token(client, base + str(form_id))
    send = {"csrf_token": token, "groups": "1", "cost": "9"}
    sent = client.post(base + f"{form_id}/broadcast", data=send, follow_redirects=True).get_data(as_text=True)
    client.post(base + f"{form_id}/broadcast", data=send)  # a second click sends nothing twice
    assert "群組卡片將隨晨間摘要送出" in sent and only_form(services)[0][1] == "open"
    from bot.reminders import pending
    from scheduler.runner import tick
    with services.db.transaction() as session:
        assert pending(session, f"form:{form_id}:remind:")  # chasers scheduled as the chat's 發布 does
        [held] = pending(session, f"form:{form_id}:card:")  # the card waits for the group's morning digest
        due = held.due_at
    assert emulator.deliveries(to=demo.GROUP) == []
    clock.set(due)
    tick(services)
    [card] = [d for d in emulator.deliveries(to=demo.GROUP) if d["kind"] == "push"]
    assert "宣導活動調查" in str(card["messages"])


def test_a_broadcast_at_a_cost_the_page_did_not_show_sends_nothing(client, services, emulator, app) -> None:
    emulator.join(demo.GROUP)
    bind_group(emulator)
    form_id = create_from_template(app, "three-phase", deadline="2026-11-30")
    emulator.reset()
    sign_in(client, demo.SECRETARIAT)
    path = f"/console/{district_id(services)}/forms/{form_id}"
    answer = client.post(path + "/broadcast", data={"csrf_token": csrf_token(client, path), "groups": "1",
                                                    "cost": "5"}, follow_redirects=True)
    assert "發送對象或人數已變更，本次沒有發送" in answer.get_data(as_text=True)
    assert emulator.deliveries(to=demo.GROUP) == [] and only_form(services)[0][1] == "draft"


def test_the_builder_refuses_personal_data_and_keeps_nothing(client, services) -> None:
    from sqlalchemy import select
    from models.audit import AuditEntry
    sign_in(client, demo.SECRETARIAT)
    base = f"/console/{district_id(services)}/forms/"
    answer = client.post(base + "new", data=builder_form(csrf_token(client, base + "new"),
                                                         label_0="請回電 0912-345-678"))
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "「第 1 題題目」含有個人資料" in page and "0912-345-678" not in page.split('role="alert"')[1][:400]
    assert only_form(services) == []
    with services.db.transaction() as session:
        refused = session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy_refused")).one()
        assert refused.actor == demo.SECRETARIAT and "0912" not in str(refused.detail)


def test_the_builder_checks_what_the_chat_checks(client, services) -> None:
    sign_in(client, demo.SECRETARIAT)
    base = f"/console/{district_id(services)}/forms/"
    token = csrf_token(client, base + "new")
    one_option = client.post(base + "new", data=builder_form(token, options_1="可"))
    assert one_option.status_code == 400 and "需要 2 到 10 個不重複的選項" in one_option.get_data(as_text=True)
    past = client.post(base + "new", data=builder_form(token, deadline="2026-11-01"))
    assert "截止日不能早於今天" in past.get_data(as_text=True)
    no_question = client.post(base + "new", data=builder_form(token, label_0="", label_1=""))
    assert "表單至少要有一個題目" in no_question.get_data(as_text=True)
    assert only_form(services) == []


def test_a_draft_from_a_template_is_edited_keeping_its_question_keys(client, services, emulator, app) -> None:
    sign_in(client, demo.SECRETARIAT)
    base = f"/console/{district_id(services)}/forms/"
    page = client.get(base + "new?template=three-phase").get_data(as_text=True)
    assert 'value="網絡單位三階段角色與工作分工表"' in page and 'name="key_0" value="prevention"' in page
    fields = dict(re.findall(r'name="((?:label|key|kind|help)_\d+)" value="([^"]*)"', page))
    rows = re.search(r'name="rows" value="(\d+)"', page).group(1)
    typed = {"csrf_token": csrf_token(client, base), "title": "三階段分工表 115年", "deadline": "2026-12-10",
             "template": "three-phase", "rows": rows, **fields}
    typed.update({k.replace("key", "required"): "1" for k in fields if k.startswith("key_")})
    typed.update({k.replace("key", "kind"): "long" for k in fields if k.startswith("key_")})
    assert client.post(base + "new", data=typed).status_code == 302
    [(form_id, _, _, stored, template, _)] = only_form(services)
    assert template == "three-phase" and stored[0]["key"] == "prevention"
    police_unit = roster_unit(services, "桃園市政府警察局中壢分局")
    edited = {**typed, "label_0": "事前預防工作", "units": str(police_unit)}
    assert client.post(base + f"{form_id}/edit", data=edited).status_code == 302
    [(_, status, title, stored, _, targets)] = only_form(services)
    assert (status, title, stored[0]["label"], stored[0]["key"]) == ("draft", "三階段分工表 115年", "事前預防工作",
                                                                     "prevention")
    assert targets == [police_unit]
    emulator.join(demo.GROUP)
    bind_group(emulator)
    broadcast(app, form_id)
    assert client.get(base + f"{form_id}/edit").status_code == 404  # sent: units may have answered


def roster_unit(services, name: str) -> int:
    with services.db.transaction() as session:
        return roster.find_unit(session, roster.find_district(session, "中壢區"), name).id


def test_statistics_show_response_rates_and_lateness(app, client, services, emulator, clock) -> None:
    from datetime import timedelta
    from tests.console.people import CITY_SECRETARIAT, add_people
    emulator.join(demo.GROUP)
    bind_group(emulator)
    form_id = create_from_template(app, "three-phase", deadline="2026-11-30")
    broadcast(app, form_id)
    answers = {"prevention": "宣導", "response": "到場處理", "aftercare": "轉介", "note": ""}

    def answer(who: str) -> None:
        with services.db.transaction() as session:
            forms.save(session, forms.get(session, form_id), roster.contact_of(session, who), answers, via="web",
                       now=clock())
    answer(demo.POLICE)
    clock.advance(days=8)  # 115-12-02: past the deadline
    answer(demo.FIRE)
    sign_in(client, demo.SECRETARIAT)
    page = client.get(f"/console/{district_id(services)}/forms/statistics").get_data(as_text=True)
    with services.db.transaction() as session:
        asked = len(forms.target_units(session, forms.get(session, form_id)))
    assert f"填寫率：<strong>{round(200 / asked)}%</strong>（2／{asked} 單位次）" in page
    assert "逾期填寫：<strong>1</strong> 單位次（占已填 50%）" in page
    assert re.search(rf'<th scope="row">截止後仍未填</th><td class="num">{asked - 2}</td>', page)
    assert "各區比較" not in page
    add_people(services, clock)
    sign_in(client, CITY_SECRETARIAT)
    city = client.get(f"/console/{district_id(services)}/forms/statistics").get_data(as_text=True)
    assert re.search(rf'<th scope="row">中壢區</th><td class="num">1</td><td class="num">{round(200 / asked)}%</td>'
                     r'<td class="num">50%</td>', city)
