"""One rule for a unit's name (rules/units.py): short in chat unless shared in the district, full in exports."""
from __future__ import annotations

import pytest

from rules.units import card_name, full_name, shared_shorts, without_city

SHORTS = ["社會課", "家服中心", "家服中心", "分局", "消防", "衛生局"]


@pytest.mark.parametrize(("name", "short", "expected"), [
    ("桃園市政府衛生局", "衛生局", "衛生局"),
    ("桃園市政府消防局中壢分隊", "消防", "消防"),
    ("桃園市政府警察局中壢分局", "分局", "分局"),
    ("中壢家庭服務中心", "家服中心", "中壢家庭服務中心"),  # two 家服中心 in 中壢區: the name tells them apart
    ("桃園市家庭暴力暨性侵害防治中心", "", "家庭暴力暨性侵害防治中心"),  # no short name: the city prefix goes
])
def test_card_names(name: str, short: str, expected: str) -> None:
    assert card_name(name, short, "桃園市", short in shared_shorts(SHORTS)) == expected


def test_full_names_and_prefixes() -> None:
    assert full_name("桃園市政府衛生局") == "桃園市政府衛生局"
    assert without_city("桃園市政府警察局中壢分局", "桃園市") == "警察局中壢分局"
    assert without_city("中壢區衛生所", "桃園市") == "中壢區衛生所"
    assert shared_shorts(SHORTS) == {"家服中心"}
