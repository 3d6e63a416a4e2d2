"""The schedule carousel against LINE's official schema, at the largest size the bot ever builds."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from emulator.schema import validate_request
from handlers.calendar import render
from models.calendar import Activity
from models.roster import District, Unit
from rules.dates import TAIPEI
from tests import demo

DISTRICT = District(city="桃園市", name="中壢區")
UNITS = [Unit(name=f"桃園市政府測試單位{i:02d}處第{i}科", short_name="測試", network="社政", district=DISTRICT)
         for i in range(15)]


def activity(n: int, start: datetime) -> Activity:
    """A worst-case activity: the longest title and place the bot accepts, a note, joinable."""
    return Activity(id=n, uid=f"{n}@test", title=("長標題家暴防治宣導講座" * 6)[:60], place=("中壢區公所大禮堂" * 8)[:60],
                    note="備" * 300, starts_at=start, ends_at=start + timedelta(hours=2), joinable=n % 2 == 0,
                    unit=UNITS[n % len(UNITS)])


def test_a_full_quarter_of_busy_weeks_fits_the_schema_and_size_limit():
    first = date(2026, 11, 30)
    activities = [activity(n, datetime.combine(first + timedelta(days=n // 3), datetime.min.time(), TAIPEI)
                           + timedelta(hours=8 + n % 3 * 3)) for n in range(20 * 7 * 3)]
    message = render.schedule("中壢區活動期程", activities, first, first + timedelta(weeks=20))
    bubbles = message["contents"]["contents"]
    assert len(bubbles) == 12  # LINE's carousel maximum; later weeks are left to the month view
    assert len(json.dumps(message["contents"], ensure_ascii=False).encode()) <= 50_000
    assert "另有" in json.dumps(bubbles[0], ensure_ascii=False)
    assert validate_request("PushMessageRequest", {"to": demo.GROUP, "messages": [message]}) == []
    assert validate_request("ReplyMessageRequest", {"replyToken": "x" * 32, "messages": [message]}) == []


def test_a_quiet_week_shows_every_activity():
    start = datetime(2026, 12, 5, 14, tzinfo=TAIPEI)
    message = render.schedule("中壢區活動期程", [activity(2, start), activity(3, start + timedelta(days=1))],
                              date(2026, 12, 1), date(2026, 12, 27))
    text = json.dumps(message, ensure_ascii=False)
    assert "另有" not in text and text.count("★可共同宣導") == 1 and "12/05(六) 14:00–16:00" in text
    assert validate_request("PushMessageRequest", {"to": demo.GROUP, "messages": [message]}) == []


def test_an_empty_schedule_is_a_short_text():
    message = render.schedule("中壢區活動期程", [], date(2026, 12, 1), date(2026, 12, 27))
    assert message["type"] == "text" and "尚無登錄的活動" in message["text"]


def test_a_mention_reminder_is_valid_text_v2():
    from handlers.calendar.service import Completeness
    from models.calendar import ActivityCall
    from models.roster import Contact
    call = ActivityCall(period_start=date(2026, 12, 1), period_end=date(2026, 12, 31), deadline=date(2026, 11, 30))
    for i, unit in enumerate(UNITS):
        unit.id = i + 1
    done = Completeness(expected=UNITS, said_none={1})
    contacts = {u.id: [Contact(line_user_id=f"U{u.id:032x}"), Contact(line_user_id=f"U{u.id + 100:032x}")]
                for u in UNITS[1:]}
    message = render.call_reminder(call, done, contacts, "")
    assert message["type"] == "textV2" and len(message["substitution"]) == 28
    assert validate_request("PushMessageRequest", {"to": demo.GROUP, "messages": [message]}) == []
