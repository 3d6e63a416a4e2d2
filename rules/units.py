"""How a network unit's name is shown: one rule for every card, list and export.

A unit has a full name (桃園市政府衛生局, 中壢區衛生所), a short one people use in the group (衛生局, 分局,
消防) and aliases. In chat (cards, lists, buttons, reminders) the short name is shown, because everyone in
a district's group knows which 分局 is meant; where two units of a district share a short name (two
家服中心 in 中壢區) the name without the city prefix tells them apart (中壢家庭服務中心). Exports and
records that leave the chat (xlsx, csv, the calendar feed) carry the full name.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


def without_city(name: str, city: str) -> str:
    """桃園市政府警察局中壢分局 -> 警察局中壢分局; 桃園市家庭暴力暨性侵害防治中心 -> 家庭暴力暨性侵害防治中心."""
    return name.removeprefix(f"{city}政府").removeprefix(city) or name


def card_name(name: str, short: str, city: str, shared_short: bool) -> str:
    """The name shown in chat: the short name, unless another unit of the district shares it."""
    if short and not shared_short:
        return short
    return without_city(name, city)


def shared_shorts(shorts: Iterable[str]) -> frozenset[str]:
    """The short names more than one unit of a district uses (they cannot stand alone)."""
    return frozenset(s for s, n in Counter(shorts).items() if n > 1)


def full_name(name: str) -> str:
    """The name in exports and records: the unit's full name, as the roster has it."""
    return name
