"""Pure rules of urgent requests (求助): reading a one-line request, escalation times, claim statistics."""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from rules.workdays import WorkCalendar, next_working_moment

CATEGORIES = ("家暴", "兒少", "自殺/精神", "治安", "救護", "就學", "就業", "其他")
# A request is read in the group at a glance: longer texts belong in a call or in 回報 updates.
MAX_BODY = 500


class Urgency(StrEnum):
    """How fast a request is chased: 緊急 at once, 一般 within office hours (the one definition)."""

    URGENT = "緊急"
    NORMAL = "一般"


_URGENCY_WORDS = {"緊急": Urgency.URGENT, "急": Urgency.URGENT, "一般": Urgency.NORMAL}


def length_problem(body: str) -> str | None:
    """A polite reason when a request is too long to post, else None."""
    if len(body) <= MAX_BODY:
        return None
    return (f"求助內容請精簡在 {MAX_BODY} 字以內（目前 {len(body)} 字），群組才能一眼看懂；"
            "詳細情形請於認領後以公務電話聯繫，或用「回報 編號 內容」分次補充。")

# Checked in order; the first category with a keyword in the text wins. Explicit words lead.
_CATEGORY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("家暴", ("家暴", "家庭暴力", "保護令", "相對人", "被害人", "毆打", "施暴")),
    ("兒少", ("兒少", "兒童", "孩童", "幼童", "少年", "未成年", "嬰")),
    ("自殺/精神", ("自殺", "輕生", "自傷", "割腕", "跳樓", "精神", "情緒不穩", "幻聽", "妄想", "憂鬱")),
    ("救護", ("救護", "送醫", "受傷", "昏倒", "昏迷", "流血", "急救")),
    ("治安", ("治安", "鬧事", "滋擾", "持刀", "衝突", "械鬥", "竊", "恐嚇")),
    ("就學", ("就學", "中輟", "學校", "復學", "輟學")),
    ("就業", ("就業", "失業", "工作", "職訓")),
)
_TAG = re.compile(r"[@＠]([^\s@＠,，、;；:：]{1,20})")


@dataclass(frozen=True)
class RequestDraft:
    """What a one-line `求助 ...` asks: category, urgency, tagged unit names and the text to post."""

    body: str
    category: str
    urgency: Urgency
    tags: tuple[str, ...] = field(default_factory=tuple)


def parse_request(raw: str) -> RequestDraft:
    """Read `[緊急|一般] [類別] [@單位 ...] 內容`; unstated urgency means 緊急 (the group is for emergencies)."""
    words = raw.strip().split()
    urgency, category = None, None
    while words and (words[0] in _URGENCY_WORDS or words[0] in CATEGORIES):
        head = words.pop(0)
        if head in _URGENCY_WORDS:
            urgency = _URGENCY_WORDS[head]
        else:
            category = head
    body = " ".join(words)
    tags = tuple(dict.fromkeys(m.group(1) for m in _TAG.finditer(body)))
    return RequestDraft(
        body=body,
        category=category or guess_category(body),
        urgency=urgency or Urgency.URGENT,
        tags=tags,
    )


def guess_category(body: str) -> str:
    """The first category whose keywords appear in the text, else 其他."""
    for category, keywords in _CATEGORY_WORDS:
        if any(word in body for word in keywords):
            return category
    return "其他"


def escalation_times(created: datetime, urgency: Urgency, first: timedelta, second: timedelta,
                     calendar: WorkCalendar) -> tuple[datetime, datetime]:
    """When to re-post to the asked units, then tell the secretariat.

    緊急 never waits. 一般 counts its periods within office hours, Taiwan holidays and make-up
    workdays respected, so a Friday-evening request is chased on Monday morning.
    """
    if urgency == Urgency.URGENT:
        return created + first, created + first + second
    start = next_working_moment(created, calendar)
    repost = next_working_moment(start + first, calendar)
    return repost, next_working_moment(repost + second, calendar)


@dataclass(frozen=True)
class ClaimStats:
    count: int
    median_minutes: float | None
    p90_minutes: float | None


def claim_stats(minutes: list[float]) -> ClaimStats:
    """Median and 90th percentile of minutes from posting to claim."""
    if not minutes:
        return ClaimStats(0, None, None)
    ordered = sorted(minutes)
    if len(ordered) == 1:
        return ClaimStats(1, ordered[0], ordered[0])
    p90 = statistics.quantiles(ordered, n=10, method="inclusive")[-1]
    return ClaimStats(len(ordered), statistics.median(ordered), p90)


class Refusal(StrEnum):
    """Why a unit may not claim or close a request (the domain's answers, worded by render)."""

    CLOSED = "closed"
    CLAIMED = "claimed"            # another unit has it
    ALREADY_YOURS = "already_yours"
    OWN_REQUEST = "own_request"    # the requesting unit asks others; it cannot take its own request
    NOT_ASKED = "not_asked"
    NOT_INVOLVED = "not_involved"  # closing is for the requester, the claimer and the secretariat


@dataclass(frozen=True)
class Parties:
    """Who a request concerns, as plain ids: the requesting unit, the asked units, the claiming unit."""

    status: str  # "open" | "claimed" | "closed"
    requester_unit_id: int
    asked_unit_ids: frozenset[int]
    claimed_unit_id: int | None


def claim_refusal(parties: Parties, unit_id: int) -> Refusal | None:
    """Whether `unit_id` may claim: an asked unit (any unit but the requester's when none was named)."""
    if parties.status == "closed":
        return Refusal.CLOSED
    if parties.claimed_unit_id is not None:
        return Refusal.ALREADY_YOURS if parties.claimed_unit_id == unit_id else Refusal.CLAIMED
    if unit_id == parties.requester_unit_id:
        return Refusal.OWN_REQUEST
    if parties.asked_unit_ids and unit_id not in parties.asked_unit_ids:
        return Refusal.NOT_ASKED
    return None


def close_refusal(parties: Parties, unit_id: int | None, manages: bool) -> Refusal | None:
    """Whether a unit may close: the requesting unit, the claiming unit, or the secretariat."""
    if parties.status == "closed":
        return Refusal.CLOSED
    if manages or (unit_id is not None and unit_id in (parties.requester_unit_id, parties.claimed_unit_id)):
        return None
    return Refusal.NOT_INVOLVED


def units_named(body: str, names: dict[int, tuple[str, ...]]) -> list[int]:
    """Units written in plain text ("請衛生局協助"), in the order they appear; longer names win overlaps."""
    spans: list[tuple[int, int, int]] = []  # start, end, unit id
    for unit_id, words in names.items():
        for word in sorted({w for w in words if len(w) >= 2}, key=len, reverse=True):
            start = body.find(word)
            while start >= 0:
                spans.append((start, start + len(word), unit_id))
                start = body.find(word, start + 1)
    taken: list[tuple[int, int, int]] = []
    for span in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
        if all(span[1] <= t[0] or span[0] >= t[1] for t in taken):
            taken.append(span)
    return list(dict.fromkeys(unit_id for _, _, unit_id in sorted(taken)))
