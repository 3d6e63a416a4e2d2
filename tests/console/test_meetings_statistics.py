"""The console's 會議統計: meetings held against the 109 plan's cadence, minutes within their week, 列管 items
open and closed; the city's secretariat sees every district side by side."""
from __future__ import annotations

import re
from datetime import datetime

from bot import roster
from handlers.meetings import service as meetings
from rules.dates import TAIPEI
from tests import demo
from tests.console.people import CITY_SECRETARIAT, add_people, district_id
from tests.console.signin import csrf_token, sign_in


def held(services, clock, day: datetime, tier: str = "district_liaison") -> int:
    """A meeting of 中壢區 already held (as 會議 已召開 records it)."""
    with services.db.transaction() as session:
        meeting, _ = meetings.record_held(session, district=roster.find_district(session, "中壢區"),
                                          meeting_type=meetings.meeting_types(services.config)[tier], start=day,
                                          place="本所", agenda="", organiser=None, now=clock(),
                                          rules=meetings.policy(services.config))
        return meeting.id


def test_cadence_minutes_and_tracked_items_of_the_year(client, services, clock) -> None:
    # The clock stands at 115-11-24: liaison cycles Dec-Apr and May-Jul have ended, Aug-Nov is running.
    meeting = held(services, clock, datetime(2026, 11, 5, 14, 0, tzinfo=TAIPEI))
    sign_in(client, demo.SECRETARIAT)
    base = f"/console/{district_id(services)}/meetings/"
    page = client.get(base + "statistics").get_data(as_text=True)
    assert "區級聯繫會議如期召開：<strong>1／3</strong>" in page  # Aug-Nov held; Dec-Apr and May-Jul missed
    assert "區級個案研討會議如期召開：<strong>0／3</strong>" in page  # Mar, Jun, Sep missed; Oct-Nov still running
    assert "會議紀錄如期函送：<strong>0／1</strong>" in page  # due 115-11-12, not noted as sent
    assert re.search(r'<th scope="row">逾期未送</th><td class="num">1</td>', page)

    token = csrf_token(client, base + str(meeting))
    client.post(base + f"{meeting}/minutes-sent", data={"csrf_token": token})
    client.post(base + f"{meeting}/items", data={"csrf_token": token, "subject": "建立危機事件聯繫機制",
                                                  "owners": [str(unit_of(services, "中壢區公所社會課"))]})
    page = client.get(base + "statistics").get_data(as_text=True)
    assert re.search(r'<th scope="row">逾期函送</th><td class="num">1</td>', page)  # sent on 11-24, after 11-12
    assert "列管事項：續管 <strong>1</strong> 件、除管 <strong>0</strong> 件" in page
    assert "各區比較" not in page  # a district secretariat sees its own district
    assert "已登記會議紀錄函送日" not in client.get(base + str(meeting)).get_data(as_text=True)


def test_a_meeting_not_yet_held_cannot_have_its_minutes_sent(client, services, clock) -> None:
    from datetime import timedelta
    later = held(services, clock, clock() + timedelta(days=3))
    sign_in(client, demo.SECRETARIAT)
    base = f"/console/{district_id(services)}/meetings/"
    answer = client.post(base + f"{later}/minutes-sent", data={"csrf_token": csrf_token(client, base)},
                         follow_redirects=True)
    assert "會議尚未召開" in answer.get_data(as_text=True)


def test_the_city_sees_every_district_side_by_side(client, services, clock) -> None:
    add_people(services, clock)
    held(services, clock, datetime(2026, 11, 5, 14, 0, tzinfo=TAIPEI))
    sign_in(client, CITY_SECRETARIAT)
    page = client.get(f"/console/{district_id(services)}/meetings/statistics").get_data(as_text=True)
    table = page[page.index("各區比較"):]
    assert re.search(r'<th scope="row">中壢區</th><td class="num">1／3</td><td class="num">0／3</td>'
                     r'<td class="num">0／1</td>', table)
    assert re.search(r'<th scope="row">復興區</th><td class="num">0／2</td>', table)  # Aug-Nov still running


def unit_of(services, name: str) -> int:
    with services.db.transaction() as session:
        return roster.find_unit(session, roster.find_district(session, "中壢區"), name).id
