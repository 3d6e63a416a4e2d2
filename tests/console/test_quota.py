"""The console's 訊息額度: the same numbers as 額度 in chat (handlers.quota.service.summary)."""
from __future__ import annotations

import re

from tests import demo
from tests.console.people import district_id
from tests.console.signin import csrf_token, sign_in


def test_a_group_push_counts_once_per_member_under_its_capability(client, services, emulator) -> None:
    emulator.join(demo.GROUP)
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    sign_in(client, demo.SECRETARIAT)
    meetings = f"/console/{district_id(services)}/meetings/"
    client.post(meetings, data={"csrf_token": csrf_token(client, meetings), "type": "district_liaison",
                                "day": "2026-12-03", "time": "14:00", "place": "本所", "agenda": ""})
    page = client.get(f"/console/{district_id(services)}/quota/").get_data(as_text=True)
    assert "方案額度：<strong>200 則</strong>" in page  # the emulator's free plan
    # the console's own push is counted under the page's capability: one push to the nine-member group
    assert re.search(r'<th scope="row">會議</th><td class="num">1</td><td class="num">9</td>', page)
    assert "月底預估" in page


def test_the_page_shows_what_the_chat_says(client, services, emulator) -> None:
    emulator.join(demo.GROUP)
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.text(demo.SECRETARIAT, "額度")
    said = emulator.texts(to=demo.SECRETARIAT)[-1]
    used, left = re.search(r"已用：([\d,]+) 則｜剩餘：([\d,]+) 則", said).groups()
    total = re.search(r"月底預估：約 ([\d,]+) 則", said).group(1)
    sign_in(client, demo.SECRETARIAT)
    page = client.get(f"/console/{district_id(services)}/quota/").get_data(as_text=True)
    assert f"已用：<strong>{used} 則</strong>" in page and f"剩餘：<strong>{left} 則</strong>" in page
    assert f"約 <strong>{total} 則</strong>" in page
