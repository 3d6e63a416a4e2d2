"""The console's 訊息額度: LINE's allowance and count, the bot's own count by capability, a month-end forecast."""
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
    page = client.get(f"/console/{district_id(services)}/roster/quota").get_data(as_text=True)
    assert "方案額度：<strong>200 則</strong>" in page  # the emulator's free plan
    assert re.search(r'<th scope="row">會議</th><td class="num">9</td>', page)
    assert re.search(r"LINE 統計已用：<strong>\d+ 則", page)
    assert "推估月底" in page
