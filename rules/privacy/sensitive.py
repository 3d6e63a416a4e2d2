"""Indirect identification of special-category data (PDPA Art. 6): no name, yet one person.

A diagnosis, a medical matter, a criminal record or a sexual matter becomes personal data when it is
tied to a group small enough to point at one person: an exact age together with a village
(45歲 + 興南里 + 思覺失調), or a relation to someone everybody in the network knows (里長的兒子
吸毒). The finding covers the identifying anchor (the exact age, or the role-holder's relative), which
is what `masked` removes; the diagnosis alone then no longer points at anyone.

Decision: refused like every other kind, and confirmable (see kinds.CONFIRMABLE_KINDS), because only
the sender knows whether the anchor really narrows it down to one person. Statistics (65歲以上,
平均 38 歲), ages without a place, and a village without an age pass.
"""
from __future__ import annotations

import bisect
import re
from typing import Iterator

from rules.privacy.common import Hit
from rules.privacy.kinds import Kind

_SPECIAL = re.compile(
    r"思覺失調|精神分裂|躁鬱|憂鬱|精神疾病|精神病|精神科|病識感|失智|愛滋|HIV|梅毒|性病|"
    r"吸毒|販毒|毒品|毒癮|吸食|K他命|安非他命|海洛因|勒戒|戒毒|酒癮|酒精成癮|"
    r"前科|出獄|假釋|坐牢|服刑|通緝|性侵|性騷|猥褻|懷孕|墮胎|流產|自殺|自傷|輕生|割腕|"
    r"癌|末期|洗腎|身障|智能障礙|自閉|家暴|受暴|驗傷|肝硬化|糖尿病|中風|住院",
    re.IGNORECASE,
)
# Someone everybody in the network knows, then their relative: 里長的兒子, 隊長 的 兒子, 議員助理的先生.
_RELATIVE = re.compile(
    r"(?:里長|村長|鄰長|里幹事|校長|老師|警員|員警|警察|隊長|所長|主委|主任委員|議員|代表|立委|牧師|住持|"
    r"醫師|醫生|社工|督導|主任|局長|區長|鄉長|課長|科長)(?:助理|秘書)? ?(?:的)? ?"
    r"(?:兒子|女兒|孫子|孫女|太太|老婆|先生|老公|丈夫|妻子|媳婦|女婿|弟弟|妹妹|哥哥|姊姊|姐姐|"
    r"爸爸|媽媽|父親|母親|小孩|孩子|外孫|外孫女|姪子|姪女|家人)"
)
# An exact age (45歲, 15歲男生), not a range, bound or estimate (65歲以上, 平均 38 歲, 30多歲, 40幾歲).
_AGE = re.compile(
    r"(?<![0-9~\-至到滿約均])(?<!平均 )(?<!未滿 )\d{1,3} ?歲(?!以上|以下|以內|至|到|-|~|多|左右|上下| ?以[上下])"
)
# A village or neighbourhood name: 興南里, 大潭村, 3鄰 (not 公里, 鄰里, 各里, 本里, 里長).
_PLACE = re.compile(r"(?<![公鄰各本該全每哪這那])[\u4e00-\u9fff]{1,3}(?<![公鄰各本該全每])[里村](?![長民幹辦])|\d{1,2} ?鄰")
_WINDOW = 40


def find_sensitive(t: str) -> Iterator[Hit]:
    """Special-category matters tied to a relative of a known person or to an exact age in a village."""
    special = [m.start() for m in _SPECIAL.finditer(t)]
    if not special:
        return
    for m in _RELATIVE.finditer(t):
        if _near(special, m.start(), m.end()):
            yield Hit(Kind.SENSITIVE_CONTEXT, m.start(), m.end(), "〔可識別身分的描述〕", 20)
    places = [m.start() for m in _PLACE.finditer(t)]
    if not places:
        return
    for m in _AGE.finditer(t):
        if _near(special, m.start(), m.end()) and _near(places, m.start(), m.end()):
            yield Hit(Kind.SENSITIVE_CONTEXT, m.start(), m.end(), "**歲", 20)


def _near(positions: list[int], start: int, end: int) -> bool:
    """True if any of the sorted positions lies within the window around [start, end)."""
    at = bisect.bisect_left(positions, start - _WINDOW)
    return at < len(positions) and positions[at] <= end + _WINDOW
