"""One access rule on every console page and download: role × district (the rule the chat uses)."""
from __future__ import annotations

import pytest

from tests.console.people import PEOPLE, add_people, district_id
from tests.console.signin import sign_in

# Every page and download of a district, as paths under /console/<district>/.
PAGES = ["incidents/", "incidents/export.xlsx", "incidents/export.csv", "meetings/", "roster/", "incidents/statistics", "meetings/statistics", "forms/", "forms/new", "forms/statistics", "quota/", "activities/", "activities/schedule.xlsx"]
MEETING_PAGES = ["", "/minutes.docx"]


@pytest.mark.parametrize("who", list(PEOPLE))
def test_each_page_and_download_follows_the_access_rule(client, services, clock, who) -> None:
    add_people(services, clock)
    user_id, allowed = PEOPLE[who]
    signed_in = sign_in(client, user_id)
    if who == "member":
        assert signed_in.status_code == 403  # members never get a console session
    zhongli = district_id(services)
    meeting = scheduled_meeting(services, clock)
    for path in PAGES + [f"meetings/{meeting}{p}" for p in MEETING_PAGES]:
        answer = client.get(f"/console/{zhongli}/{path}")
        if who == "member":
            assert answer.status_code == 302, path  # sent to sign in
        else:
            assert answer.status_code == (200 if allowed else 403), (who, path)


def scheduled_meeting(services, clock) -> int:
    """A meeting of 中壢區 (scheduled as the CLI does)."""
    from datetime import timedelta
    from handlers.meetings import service as meetings
    from bot import roster
    with services.db.transaction() as session:
        meeting = meetings.create(session, district=roster.find_district(session, "中壢區"),
                                  meeting_type=meetings.meeting_types(services.config)["district_liaison"],
                                  start=clock() + timedelta(days=9), place="本所", agenda="", organiser=None,
                                  group_line_id=None, now=clock(), rules=meetings.policy(services.config))
        return meeting.id


def test_writes_follow_the_access_rule_too(client, services, clock) -> None:
    """Another district's secretariat cannot cancel 中壢區's meeting, even with a valid session and token."""
    from tests.console.signin import csrf_token
    add_people(services, clock)
    meeting = scheduled_meeting(services, clock)
    sign_in(client, PEOPLE["other district's secretariat"][0])
    token = csrf_token(client, "/console/")
    answer = client.post(f"/console/{district_id(services)}/meetings/{meeting}/cancel", data={"csrf_token": token})
    assert answer.status_code == 403
    sign_in(client, PEOPLE["city secretariat"][0])
    token = csrf_token(client, "/console/")
    answer = client.post(f"/console/{district_id(services)}/meetings/{meeting}/cancel", data={"csrf_token": token})
    assert answer.status_code == 302


def test_the_other_district_sees_its_own_desk(client, services, clock) -> None:
    add_people(services, clock)
    sign_in(client, PEOPLE["other district's secretariat"][0])
    assert client.get(f"/console/{district_id(services, '桃園區')}/incidents/").status_code == 200
    home = client.get("/console/")
    assert home.headers["Location"].endswith(f"/console/{district_id(services, '桃園區')}/incidents/")


def test_the_city_secretariat_picks_among_all_districts(client, services, clock) -> None:
    add_people(services, clock)
    sign_in(client, PEOPLE["city secretariat"][0])
    page = client.get("/console/").get_data(as_text=True)
    assert "選擇地區" in page and "中壢區" in page and "復興區" in page


def test_another_district_cannot_build_or_send_a_form_here(client, services, clock) -> None:
    from tests.console.signin import csrf_token
    from tests.console.test_forms import builder_form, only_form
    add_people(services, clock)
    sign_in(client, PEOPLE["other district's secretariat"][0])
    token = csrf_token(client, "/console/")
    answer = client.post(f"/console/{district_id(services)}/forms/new", data=builder_form(token))
    assert answer.status_code == 403 and only_form(services) == []
