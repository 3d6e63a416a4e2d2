"""House-numbered addresses that are not a public agency's or a venue's."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from rules.privacy.common import CJK, Hit, agency_context
from rules.privacy.kinds import Kind, PublicDirectory
from rules.privacy.normalise import normalize

_ZH_NUM = "零〇○一二三四五六七八九十百"
# Spaces or a line break may sit anywhere inside an address typed on a phone (新興路 1 2 3 號, 22巷⏎5號).
_NUM = r"(?:\d(?:[ \n]?\d){0,4}|[" + _ZH_NUM + r"]{1,5})"
_HOUSE = _NUM + r"(?:[ \n]?(?:之|-) ?\d{1,3})?"
_ADDR_TAIL = (
    r"[ \n]?號(?:[ \n]?之 ?" + _NUM + r")?"
    r"(?:[ \n]?(?:" + _NUM + r"|B\d) ?樓(?:[ \n]?之 ?" + _NUM + r")?)?"
    r"(?:[ \n]?(?:之|-) ?\d{1,3})?"
)
# Numbered things that are not homes: 一號社宅, 3號出口, 2號窗口.
_NOT_A_HOME = r"(?!社宅|公宅|出口|碼頭|倉庫|公園|基地|計畫|計劃|月台|停車|窗口|櫃|診|室|房|會議|教室|病床|床|球場|門|線)"
# A road-like marker, then optional section/lane/alley/neighbourhood numbers, then the house number.
_ADDRESS_ROAD = re.compile(
    r"(?:[路街段巷弄鄰]|大道)"
    r"(?:[ \n]?" + _NUM + r"[ \n]?(?:段|巷|弄|鄰))?(?:[ \n]?" + _NUM + r"[ \n]?(?:巷|弄))?(?:[ \n]?" + _NUM + r"[ \n]?弄)?"
    r"[ \n]?" + _HOUSE + _ADDR_TAIL
    + _NOT_A_HOME
)
# Rural addresses name a place after the district or village and go straight to the number.
_ADDRESS_PLACE = re.compile(
    r"(?:區|鄉|鎮|村|里|鄰) ?([" + CJK + r"]{1,4}?) ?(?<![第字])(\d{1,5}(?:(?:之|-)\d{1,3})?)" + _ADDR_TAIL
    + _NOT_A_HOME
)
_PLACE_NAME_STOP = re.compile(r"[第字號公告函文令年月日時分至共計所局處館站心院校會隊組課室樓]")
_ADDR_PREFIX_STOP = frozenset("在住於到至往是為的、，,：: 與和及或從址")


def _address_start(t: str, marker: int) -> int:
    """Walk back over the road / district name before a marker (8 CJK characters, and over a 鄰 number)."""
    i = _walk_back_cjk(t, marker)
    # 大潭村8鄰15號: the neighbourhood number sits between the village and the marker.
    j = i
    while j > 0 and i - j < 3 and t[j - 1].isdigit():
        j -= 1
    if j < i and t[i:i + 1] == "鄰" and j > 0 and t[j - 1] in "村里":
        return _walk_back_cjk(t, j)
    return i


def _walk_back_cjk(t: str, marker: int) -> int:
    """Start of the run of at most 8 CJK characters (no stop words) ending at `marker`."""
    i = marker
    while i > 0 and marker - i < 8 and "\u4e00" <= t[i - 1] <= "\u9fff" and t[i - 1] not in _ADDR_PREFIX_STOP:
        i -= 1
    return i


def _canonical_address(s: str) -> str:
    """Address text without spaces, with 臺 spelled 台, for directory comparison."""
    return re.sub(r"\s", "", normalize(s)).replace("臺", "台")


_DISTRICT_END = re.compile(r"([\u4e00-\u9fff]{2}[區鄉鎮])$")


@lru_cache(maxsize=64)
def _address_keys(addresses: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """(district, road-and-number core) of public addresses, e.g. ('中壢區', '元化路159號')."""
    keys = []
    for addr in addresses:
        canon = _canonical_address(addr)
        core = canon.split("號", 1)[0] + "號" if "號" in canon else canon
        parts = re.split(r"(?<=[市縣區鄉鎮])", core)
        district = next((p for p in reversed(parts[:-1]) if p.endswith(("區", "鄉", "鎮"))), "")
        if len(parts[-1]) >= 3:
            keys.append((district[-3:], parts[-1]))
    return tuple(keys)


def _is_public_address(text: str, keys: tuple[tuple[str, str], ...]) -> bool:
    """True if `text` holds a public address core, and names no other district in front of it."""
    canon = _canonical_address(text)
    for district, core in keys:
        at = canon.find(core)
        if at < 0:
            continue
        named = _DISTRICT_END.search(canon[:at])
        if not (named and district and named.group(1) != district):
            return True
    return False


def _address_preview(span: str) -> str:
    """Mask house numbers: every digit and every Chinese numeral before 號/樓/巷/弄/之."""
    masked = re.sub(r"\d", "*", span)
    return re.sub(r"[" + _ZH_NUM + r"]{1,8}(?=[號樓巷弄之鄰])", lambda m: "*" * len(m.group()), masked)


# Event venues are public places: 活動地點：…100號, …100號（中壢國小）.
_VENUE_BEFORE = re.compile(
    r"(?:活動|會議|上課|報到|集合|開會|研習|講座|宣導|課程|場地)(?:地點|場地|地址)?[ :：在於為是]{0,3}$"
)
_VENUE_AFTER = re.compile(
    r" ?[(（]?[\u4e00-\u9fff]{0,4}?(?:國小|國中|高中|學校|中心|公所|醫院|圖書館|禮堂|體育館|會館|教會|"
    r"分局|派出所|衛生所|[局館宮廟])"
)


def _is_venue(t: str, start: int, end: int) -> bool:
    """True if an address belongs to an agency or a public venue named right before or after it."""
    before = t[max(0, start - 12):start]
    return agency_context(t, start) or bool(_VENUE_BEFORE.search(before) or _VENUE_AFTER.match(t, end))


# A home in a named building, without a road: 住在幸福社區B棟12樓, 家住遠雄大樓5樓之2.
_BUILDING = re.compile(
    r"(?:住|家|住址|地址)[^，。,\n]{0,12}?"
    r"([\u4e00-\u9fffA-Za-z]{1,8}?(?:社區|大樓|大廈|公寓|華廈|新村|國宅|山莊|別墅)[ ]?"
    r"(?:[A-Za-z0-9一二三四五六七八九十]{1,3} ?棟 ?)?[0-9一二三四五六七八九十]{1,3} ?樓(?: ?之 ?[0-9一二三四五六七八九十]{1,2})?)"
)
_BUILDING_WORD = re.compile(r"社區|大樓|大廈|公寓|華廈|新村|國宅|山莊|別墅")
# A veterans' village or hamlet numbered straight after its name: 富台新村12號.
_HAMLET = re.compile(r"(?:新村|眷村|[\u4e00-\u9fff]{1,3}村)(\d{1,4}(?:之\d{1,3})?號)" + _NOT_A_HOME)


# A house number written only in mask characters (○○號, OO號, XX號).
_MASKED_NUMBER = re.compile(r"[○〇OoXx＊*]{1,4} ?號")


def find_addresses(t: str, public: PublicDirectory) -> Iterator[Hit]:
    """House-numbered addresses that are not public agency addresses."""
    has_floor = "樓" in t
    if "號" not in t and not has_floor:
        return
    keys = _address_keys(public.addresses)
    spans: list[tuple[int, int]] = []
    if has_floor:
        for m in _BUILDING.finditer(t):
            lead = max(m.group(1).rfind(c) for c in "在的於是到")  # 住在|幸福社區…: the span starts at the name
            if not _BUILDING_WORD.match(m.group(1), lead + 1):  # 住在大樓10樓 names no building
                spans.append((m.start(1) + lead + 1, m.end(1)))
    for m in _ADDRESS_ROAD.finditer(t):
        spans.append((_address_start(t, m.start()), m.end()))
    for m in _ADDRESS_PLACE.finditer(t):
        if not _PLACE_NAME_STOP.search(m.group(1)):
            spans.append((_address_start(t, m.start()), m.end()))
    for m in _HAMLET.finditer(t):
        spans.append((_address_start(t, m.start(1)), m.end()))
    for start, end in spans:
        if _MASKED_NUMBER.search(t, start, end):
            continue  # 文化一路○○號: the house number is already masked
        if _is_public_address(t[max(0, start - 6):end], keys) or _is_venue(t, start, end):
            continue
        yield Hit(Kind.ADDRESS, start, end, _address_preview(t[start:end]), 40)
