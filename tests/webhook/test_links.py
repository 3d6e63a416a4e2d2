"""Links are per person and re-checked on every use; downloads are audited (issue 13, links and feeds)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from handlers.meetings.export import download_url
from models.audit import AuditEntry
from models.meetings import Meeting
from tests import demo
from tests.webhook.test_meetings_items import held_meeting_with_items


def links_of(emulator, user: str) -> dict[str, str]:
    emulator.text(user, "活動連結")
    answer = emulator.texts(to=user)[-1]
    return {kind: urlsplit(re.search(rf"(\S+/calendar/\S+{suffix})", answer).group(1))
            for kind, suffix in (("ics", r"\.ics"), ("xlsx", r"/schedule\.xlsx\S*"))}


def audit(services, action: str) -> list[AuditEntry]:
    with services.db.transaction() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def get(client, url) -> int:
    return client.get(f"{url.path}?{url.query}" if url.query else url.path).status_code


def test_calendar_links_are_per_person_and_die_when_the_person_leaves(emulator, app, services, client):
    police, worker = links_of(emulator, demo.POLICE), links_of(emulator, demo.SOCIAL_WORKER)
    assert police["ics"].path != worker["ics"].path
    assert get(client, police["xlsx"]) == 200 and get(client, police["ics"]) == 200
    assert [(a.actor, a.detail["what"]) for a in audit(services, "download")] == [(demo.POLICE, "calendar_xlsx")]

    app.test_cli_runner().invoke(args=["roster", "deactivate", "--line-id", demo.POLICE])
    assert get(client, police["ics"]) == 404 and get(client, police["xlsx"]) == 404
    assert get(client, worker["ics"]) == 200  # the others' links still work


def test_meeting_workbook_link_is_rechecked_against_current_rights(emulator, app, services, clock, client):
    held_meeting_with_items(emulator, clock)
    with services.db.transaction() as session:
        meeting_id = session.scalars(select(Meeting.id)).first()
    url = urlsplit(download_url(services.config, meeting_id, demo.SECRETARIAT))
    assert get(client, url) == 200
    assert audit(services, "download")[-1].actor == demo.SECRETARIAT
    app.test_cli_runner().invoke(args=["roster", "deactivate", "--line-id", demo.SECRETARIAT])
    assert get(client, url) == 403
    assert audit(services, "refused:download")[-1].actor == demo.SECRETARIAT
    member = urlsplit(download_url(services.config, meeting_id, demo.POLICE))  # never had the right
    assert get(client, member) == 403
