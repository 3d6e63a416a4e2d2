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
