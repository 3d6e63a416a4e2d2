"""Forms against the database: concurrent answers of one unit, the chase renderer, the answer page, the CLI."""
from __future__ import annotations

import json
import threading
from datetime import date
from urllib.parse import urlparse

from sqlalchemy import select

from handlers.forms import jobs, service
from rules import forms as rules
from handlers.forms.web import export_urls, fill_url
from bot import roster
from models.forms import FormResponse, FormRevision, FormStatus
from models.reminders import Reminder
from models.roster import Contact, Group, Role
from tests import demo

DEPUTY = "U" + "6" * 32


def make_form(services, clock, units: list[str] | None = None, template: str = "three-phase") -> int:
    """A broadcast (open) form of 中壢區 with a deadline a week away."""
    with services.db.transaction() as session:
        district = roster.find_district(session, "中壢區")
        chosen = [roster.find_unit(session, district, name) for name in units] if units else None
        definition = rules.parse_definition(rules.templates()[template])
        form = service.create(session, district=district, definition=definition,
                              deadline=date(2026, 12, 1), units=chosen, created_by=demo.SECRETARIAT, now=clock(),
                              template=template)
        form.status = FormStatus.OPEN
        return form.id


def contact(session, line_id: str) -> Contact:
    found = roster.contact_of(session, line_id)
    assert found is not None
    return found


def test_two_contacts_answering_at_once_both_kept_latest_wins(services, clock):
    form_id = make_form(services, clock)
    with services.db.transaction() as session:
        unit = contact(session, demo.SOCIAL_WORKER).unit
        roster.add_contact(session, DEPUTY, unit, Role.MEMBER, "許社工", clock())
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def answer(line_id: str, words: str) -> None:
        try:
            # Start together; SQLite then queues the writers (BEGIN IMMEDIATE), PostgreSQL races on the insert.
            barrier.wait(timeout=10)
            with services.db.transaction() as session:
                form = service.get(session, form_id)
                who = contact(session, line_id)
                service.save(session, form, who, {"prevention": words, "response": words, "aftercare": words},
                             via="web", now=clock())
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=answer, args=(demo.SOCIAL_WORKER, "甲")),
               threading.Thread(target=answer, args=(DEPUTY, "乙"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    with services.db.transaction() as session:
        response = session.scalars(select(FormResponse)).one()
        history = session.scalars(select(FormRevision).order_by(FormRevision.number)).all()
        assert response.revision == 2 and [r.number for r in history] == [1, 2]
        assert {r.submitted_by for r in history} == {demo.SOCIAL_WORKER, DEPUTY}
        assert response.answers == history[-1].answers  # the latest wins


def test_reminder_renderer_says_nothing_once_everyone_answered(services, clock):
    form_id = make_form(services, clock, units=["中壢家庭服務中心"])
    with services.db.transaction() as session:
        group = Group(line_group_id=demo.GROUP, district_id=roster.find_district(session, "中壢區").id)
        session.add(group)
        session.flush()
        row = Reminder(key="form:x", kind=service.REMINDER_KIND, subject_id=form_id, to=demo.GROUP, due_at=clock())
        form = service.get(session, form_id)
        said = jobs.render_reminder(session, row, clock())
        assert said and said[0].messages[0]["type"] == "textV2"
        group.left_at = clock()
        assert jobs.render_reminder(session, row, clock()) is None  # the bot was removed from the group
        group.left_at = None
        service.save(session, form, contact(session, demo.SOCIAL_WORKER),
                     {"prevention": "a", "response": "b", "aftercare": "c"}, via="chat", now=clock())
        assert jobs.render_reminder(session, row, clock()) is None
        assert jobs.render_summary(session, row, clock())  # the summary is still said


def test_answer_page_shows_checks_and_saves(services, client, clock):
    form_id = make_form(services, clock)
    page = urlparse(fill_url(services.config, form_id, demo.POLICE)).path
    shown = client.get(page)
    body = shown.get_data(as_text=True)
    assert shown.status_code == 200 and shown.headers["Referrer-Policy"] == "no-referrer"
    assert 'lang="zh-Hant-TW"' in body and '<label for="f-prevention">1. 事前預防' in body and "尚未填寫" in body

    refused = client.post(page, data={"f-prevention": "協助個案陳大明，電話 0912-345-678",
                                      "f-response": "到場", "f-aftercare": ""})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "電話號碼" in text and "這題必填" in text and 'role="alert"' in text
    with services.db.transaction() as session:
        assert session.scalars(select(FormResponse)).first() is None  # nothing of the refused text is kept

    saved = client.post(page, data={"f-prevention": "家防官定期訪視", "f-response": "到場處理並通報113",
                                    "f-aftercare": "轉介家庭服務中心", "f-note": ""})
    assert saved.status_code == 200 and "已儲存" in saved.get_data(as_text=True)
    with services.db.transaction() as session:
        response = session.scalars(select(FormResponse)).one()
        assert response.answers == {"prevention": "家防官定期訪視", "response": "到場處理並通報113",
                                    "aftercare": "轉介家庭服務中心"}
        assert response.revisions[0].via == "web"
    assert "家防官定期訪視" in client.get(page).get_data(as_text=True)  # prefilled for the next edit


def test_answer_page_refuses_forged_foreign_and_wrong_purpose_links(services, client, clock):
    form_id = make_form(services, clock, units=["中壢家庭服務中心"])
    page = urlparse(fill_url(services.config, form_id, demo.POLICE)).path  # police is not asked
    assert client.get(page).status_code == 403
    assert client.get(page[:-3] + "abc").status_code == 403
    xlsx, _ = export_urls(services.config, form_id, demo.SECRETARIAT)
    token = urlparse(xlsx).path.rsplit("/", 1)[1].removesuffix(".xlsx")
    assert client.get(f"/forms/fill/{token}").status_code == 403  # an export token opens no answer page
    member_xlsx, _ = export_urls(services.config, form_id, demo.POLICE)
    assert client.get(urlparse(member_xlsx).path).status_code == 403  # members cannot export


def test_cli_creates_from_json_and_reports_bad_definitions(app, services, tmp_path):
    good = tmp_path / "form.json"
    good.write_text(json.dumps({"title": "宣導需求", "district": "中壢區", "deadline": "115/12/20",
                                "units": ["中壢分局", "衛生局"],
                                "fields": [{"label": "需求", "kind": "multi", "options": ["講師", "場地"]},
                                           {"label": "人數", "kind": "number", "required": False}]}),
                    encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["forms", "create", "--file", str(good)])
    assert result.exit_code == 0 and "115/12/20(日)" in result.output and "2 units" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\nfields:\n  - {label: 顏色, kind: single, options: [紅]}\n", encoding="utf-8")
    result = runner.invoke(args=["forms", "create", "--file", str(bad), "--district", "中壢區",
                                 "--deadline", "2026-12-01"])
    assert result.exit_code != 0 and "2 到 10 個不重複的選項" in result.output
    assert "three-phase" in runner.invoke(args=["forms", "templates"]).output
