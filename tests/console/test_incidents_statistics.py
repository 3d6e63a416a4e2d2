"""The console's 求助統計: counts, claim times, escalations; the city's secretariat sees districts side by side."""
from __future__ import annotations

import re

from scheduler.runner import tick
from tests import demo
from tests.console.people import CITY_SECRETARIAT, add_people, district_id
from tests.console.signin import sign_in
from tests.console.test_incidents_board import requests_made  # noqa: F401  (fixture)


def test_the_district_numbers_and_each_chart_as_a_table(client, services, clock, requests_made) -> None:  # noqa: F811
    tick(services, clock())
    sign_in(client, demo.SECRETARIAT)
    page = client.get(f"/console/{district_id(services)}/incidents/statistics").get_data(as_text=True)
    assert "求助：<strong>2</strong>" in page and "已認領：<strong>1</strong>" in page
    assert "認領時間中位數：<strong>12 分鐘</strong>" in page
    assert "曾自動催辦：<strong>1</strong>" in page
    assert re.search(r'<th scope="row">115/11</th><td class="num">2</td>', page)
    assert re.search(r'<th scope="row">就學</th><td class="num">1</td>', page)
    assert page.count("<svg") == 3 and "各區比較" not in page


def test_the_city_secretariat_compares_districts(client, services, clock, requests_made) -> None:  # noqa: F811
    add_people(services, clock)
    sign_in(client, CITY_SECRETARIAT)
    page = client.get(f"/console/{district_id(services)}/incidents/statistics").get_data(as_text=True)
    assert "各區比較" in page
    assert re.search(r'<th scope="row">中壢區</th><td class="num">2</td><td class="num">1</td>', page)
    assert re.search(r'<th scope="row">桃園區</th><td class="num">0</td>', page)
