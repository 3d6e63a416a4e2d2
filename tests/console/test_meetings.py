"""The console's meetings: schedule with the Taiwan calendar's warning, move, cancel, the 列管 table, the .docx."""
from __future__ import annotations

import io
import re

import pytest
from docx import Document

from handlers.forms import service as forms
from bot import roster
from tests import demo
from tests.console.people import district_id
from tests.console.signin import csrf_token, sign_in
from tests.webhook.test_forms import broadcast, create_from_template


@pytest.fixture
def desk(client, services, emulator):
    """The demo group bound; the secretariat signed in; returns the meetings page's path."""
    emulator.join(demo.GROUP)
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.reset()
    sign_in(client, demo.SECRETARIAT)
    return f"/console/{district_id(services)}/meetings/"


def schedule(client, base: str, day: str, **extra) -> object:
    data = {"csrf_token": csrf_token(client, base), "type": "district_liaison", "day": day, "time": "14:00",
            "place": "本所3樓簡報室", "agenda": "三階段角色分工報告", **extra}
    return client.post(base, data=data)


def meeting_path(answer) -> str:
    return answer.headers["Location"]


def test_a_weekend_is_warned_about_and_nothing_is_scheduled_until_confirmed(client, desk, emulator) -> None:
    warned = schedule(client, desk, "2026-11-28")
    page = warned.get_data(as_text=True)
    assert warned.status_code == 200 and "115年11月28日是週末" in page and "仍要排在這天" in page
    assert emulator.deliveries(to=demo.GROUP) == []
    confirmed = schedule(client, desk, "2026-11-28", confirm="1")
    assert confirmed.status_code == 302
    detail = client.get(meeting_path(confirmed), follow_redirects=True).get_data(as_text=True)
    assert "115/11/28(六) 14:00" in detail and "已通知群組" in detail
    assert len(emulator.deliveries(to=demo.GROUP)) == 1


def test_personal_data_in_the_agenda_is_refused_and_not_stored(client, desk, emulator) -> None:
    refused = schedule(client, desk, "2026-12-03", agenda="討論王小明個案，電話0912345678")
    assert refused.status_code == 400 and "個人資料" in refused.get_data(as_text=True)
    assert "0912345678" not in refused.get_data(as_text=True).split("<textarea")[0]
    assert "目前沒有排定的會議" in client.get(desk).get_data(as_text=True)


def test_move_and_cancel_tell_the_group_once_each(client, desk, emulator) -> None:
    path = meeting_path(schedule(client, desk, "2026-12-03"))
    token = csrf_token(client, path)
    moved = client.post(path + "/move", data={"csrf_token": token, "day": "2026-12-10", "time": "09:30", "place": ""})
    assert moved.status_code == 302
    assert "115/12/10(四) 09:30" in client.get(path).get_data(as_text=True)
    client.post(path + "/cancel", data={"csrf_token": token})
    client.post(path + "/cancel", data={"csrf_token": token})  # pressed twice: one notice
    said = emulator.texts(to=demo.GROUP)
    assert sum("改期" in t for t in said) == 1 and sum("取消" in t for t in said) == 1
    assert "已取消" in client.get(path).get_data(as_text=True)


def test_tracked_items_are_reviewed_at_the_next_meeting_and_the_minutes_draft_has_every_section(
        app, client, services, desk, emulator, clock) -> None:
    first = meeting_path(schedule(client, desk, "2026-11-26"))
    zhongli = district_id(services)
    with services.db.transaction() as session:
        centre = roster.find_unit(session, roster.find_district_by_id(session, zhongli), "中壢家庭服務中心")
        centre_id = centre.id
    token = csrf_token(client, first)
    added = client.post(first + "/items", data={"csrf_token": token, "subject": "請網絡單位訂定家庭暴力危機事件處理機制",
                                                  "owners": [str(centre_id)]})
    assert added.status_code == 302
    form_id = create_from_template(app, "three-phase", deadline="2026-11-30")
    broadcast(app, form_id)
    with services.db.transaction() as session:
        form = forms.get(session, form_id)
        forms.save(session, form, roster.contact_of(session, demo.SOCIAL_WORKER),
                   {"prevention": "高風險家庭篩檢與定期訪視", "response": "通報113並協助安置", "aftercare": "追蹤關懷",
                    "note": ""}, via="web", now=clock())
    clock.advance(days=3)  # the first meeting is held; a sign-in lasts a working day
    sign_in(client, demo.SECRETARIAT)
    token = csrf_token(client, desk)
    second = meeting_path(schedule(client, desk, "2026-12-10"))
    page = client.get(second).get_data(as_text=True)
    number = re.search(r"1151126-1", page)
    assert number, "the first meeting's item is reviewed at the next one"
    item_form = re.search(r'action="([^"]+/items/\d+)"', page).group(1)
    saved = client.post(item_form, data={"csrf_token": token, "progress": "已完成機制草案，送各單位確認",
                                         "decision": "closed"})
    assert saved.status_code == 302
    page = client.get(second).get_data(as_text=True)
    assert "已完成機制草案" in page

    answer = client.get(second + "/minutes.docx")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    document = Document(io.BytesIO(answer.data))
    text = "\n".join(p.text for p in document.paragraphs)
    for heading in ("壹、時間：115 年 12 月 10 日(星期四) 14 時 00 分", "貳、地點：本所3樓簡報室", "參、主席", "肆、出(列)席",
                    "陸、前次會議待辦事項辦理情形", "柒、各單位議題報告", "捌、提案討論", "玖、臨時動議", "壹拾、主席裁示"):
        assert heading in text, heading
    assert "115年度第2次區級聯繫會議紀錄" in text
    assert "中壢家庭服務中心" in text and "高風險家庭篩檢與定期訪視" in text
    assert "115年12月17日" in text and "函送社會局" in text
    [table] = document.tables
    header = [c.text for c in table.rows[0].cells]
    assert header == ["序號", "列管案號", "案由", "承辦單位", "最新辦理情形", "主席裁示"]
    row = [c.text for c in table.rows[1].cells]
    assert row[1] == "1151126-1" and "已完成機制草案" in row[4] and row[5] == "□續管\n■除管"


def test_a_wrong_or_other_districts_meeting_is_not_found(client, services, desk) -> None:
    path = meeting_path(schedule(client, desk, "2026-12-03"))
    other = path.replace(f"/console/{district_id(services)}/", f"/console/{district_id(services, '桃園區')}/")
    assert client.get(other).status_code == 403  # 吳課員 manages 中壢區 only
    assert client.get(desk + "99999").status_code == 404
