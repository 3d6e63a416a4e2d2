"""Personal data typed into any field never reaches a group, and nothing of it is kept.

One scenario per path a user can type free text into; each types a mobile number (and a name)
where the field goes, through signed webhook events. Then: the sender got the guard's one refusal,
no body the emulator received for the group holds the number, and no table holds it, read through
the ORM so encrypted columns are decrypted first.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Callable
from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from models import Base
from rules.dates import TAIPEI
from tests import demo
from tests.webhook.test_forms import broadcast, create_from_template, footer, tap

PHONE = "0912345678"
NAME = "王大明"


def group_bodies(emulator) -> str:
    """Everything the emulator received for the group, as JSON text."""
    return json.dumps(emulator.deliveries(to=demo.GROUP), ensure_ascii=False)


def stored_plaintext(services) -> str:
    """Every column of every row of every table, decrypted by the ORM's column types."""
    values: list[str] = []
    with services.db.transaction() as session:
        for mapper in Base.registry.mappers:
            for row in session.scalars(select(mapper.class_)):
                values.extend(repr(getattr(row, a.key)) for a in mapper.column_attrs)
    return "\n".join(values)


def incident_number(emulator, services) -> str:
    from models.incidents import Incident
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 需要協助")
    with services.db.transaction() as session:
        return session.scalars(select(Incident)).one().number


def held_meeting(emulator, clock) -> None:
    clock.set(datetime(2026, 11, 20, 9, 0, tzinfo=TAIPEI))
    emulator.text(demo.SECRETARIAT, "會議 區級聯繫會議 115/11/26 10:00 本所3樓簡報室")
    clock.set(datetime(2026, 11, 27, 9, 0, tzinfo=TAIPEI))
    emulator.text(demo.SECRETARIAT, "列管新增 分局 加強高風險家庭訪視聯繫")


def request_one_line(emulator, services, clock, app) -> str:
    emulator.text(demo.SOCIAL_WORKER, f"求助 @衛生局 案主{NAME}手機{PHONE}需要協助")
    return demo.SOCIAL_WORKER


def request_guided(emulator, services, clock, app) -> str:
    for said in ("求助", "兒少", "完成", "一般", f"案主{NAME}手機{PHONE}需要協助"):
        emulator.text(demo.SOCIAL_WORKER, said)
    return demo.SOCIAL_WORKER


def report(emulator, services, clock, app) -> str:
    number = incident_number(emulator, services)
    emulator.text(demo.HEALTH, f"回報 {number} 案母手機{PHONE}")
    return demo.HEALTH


def meeting_place_one_line(emulator, services, clock, app) -> str:
    emulator.text(demo.SECRETARIAT, f"會議 區級聯繫會議 115/12/15 14:00 聯絡人{PHONE}")
    return demo.SECRETARIAT


def meeting_agenda_one_line(emulator, services, clock, app) -> str:
    emulator.text(demo.SECRETARIAT, f"會議 區級聯繫會議 115/12/15 14:00 本所3樓 議程：討論{PHONE}個案")
    return demo.SECRETARIAT


def meeting_place_guided(emulator, services, clock, app) -> str:
    for said in ("新增會議", "區級聯繫會議", "115/12/15 下午2時", f"聯絡人{PHONE}"):
        emulator.text(demo.SECRETARIAT, said)
    return demo.SECRETARIAT


def meeting_agenda_guided(emulator, services, clock, app) -> str:
    for said in ("新增會議", "區級聯繫會議", "115/12/15 下午2時", "本所3樓", f"討論{PHONE}個案"):
        emulator.text(demo.SECRETARIAT, said)
    return demo.SECRETARIAT


def meeting_moved_place(emulator, services, clock, app) -> str:
    emulator.text(demo.SECRETARIAT, "會議 區級聯繫會議 115/12/15 14:00 本所3樓簡報室")
    emulator.text(demo.SECRETARIAT, f"會議改期 1 115/12/16 14:00 聯絡人{PHONE}")
    return demo.SECRETARIAT


def activity_one_line(emulator, services, clock, app) -> str:
    emulator.text(demo.POLICE, f"活動 115/12/5 14:00 中壢區公所 洽{PHONE}親職講座")
    return demo.POLICE


def activity_guided_note(emulator, services, clock, app) -> str:
    for said in ("活動", "親職講座", "115/12/5", "14:00-16:00", "中壢區公所3樓禮堂", "是", f"報名請洽{PHONE}"):
        emulator.text(demo.POLICE, said)
    return demo.POLICE


def tracked_subject(emulator, services, clock, app) -> str:
    held_meeting(emulator, clock)
    emulator.text(demo.SECRETARIAT, f"列管新增 分局 追蹤{PHONE}個案")
    return demo.SECRETARIAT


def tracked_progress(emulator, services, clock, app) -> str:
    held_meeting(emulator, clock)
    emulator.text(demo.POLICE, f"列管回報 1151126-1 已聯繫{PHONE}")
    return demo.POLICE


def form_answer_in_chat(emulator, services, clock, app) -> str:
    form_id = create_from_template(app)
    broadcast(app, form_id)
    emulator.text(demo.POLICE, f"表單 填寫 {form_id}")
    tap(emulator, demo.POLICE, footer(emulator.messages(to=demo.POLICE)[-1])["在聊天中逐題填寫"])
    emulator.text(demo.POLICE, f"聯絡{PHONE}")
    return demo.POLICE


def form_definition(emulator, services, clock, app) -> str:
    emulator.text(demo.SECRETARIAT, "表單 新增")
    emulator.text(demo.SECRETARIAT, f"請洽{PHONE}")
    return demo.SECRETARIAT


PATHS: list[Callable[..., str]] = [
    request_one_line, request_guided, report, meeting_place_one_line, meeting_agenda_one_line,
    meeting_place_guided, meeting_agenda_guided, meeting_moved_place, activity_one_line, activity_guided_note,
    tracked_subject, tracked_progress, form_answer_in_chat, form_definition,
]


@pytest.fixture
def bound(emulator):
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    return emulator


@pytest.mark.parametrize("path", PATHS, ids=[p.__name__ for p in PATHS])
def test_personal_data_typed_into_a_field_never_reaches_the_group_nor_the_database(bound, services, clock, app,
                                                                                   path):
    sender = path(bound, services, clock, app)
    said = "\n".join(bound.texts(to=sender))
    assert "含有個人資料" in said and "沒有保存" in said
    assert PHONE not in said
    assert PHONE not in group_bodies(bound)
    assert PHONE not in stored_plaintext(services)


def test_form_web_page_refuses_personal_data_with_the_guards_wording(bound, services, app, client):
    from handlers.forms.web import fill_url
    form_id = create_from_template(app)
    broadcast(app, form_id)
    path = urlparse(fill_url(services.config, form_id, demo.POLICE)).path
    page = client.get(path).get_data(as_text=True)
    first = page.split('name="f-', 1)[1].split('"', 1)[0]
    answer = client.post(path, data={f"f-{first}": f"請洽{PHONE}"})
    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    assert "含有個人資料" in body and "沒有保存" in body
    assert PHONE not in group_bodies(bound)
    stored = stored_plaintext(services)
    assert "privacy_refused" in stored
    assert PHONE not in stored
