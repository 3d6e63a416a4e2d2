"""Pure rules of urgent requests (求助): reading a one-line request, escalation times, claim statistics."""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rules.workdays import WorkCalendar, next_working_moment

CATEGORIES = ("家暴", "兒少", "自殺/精神", "治安", "救護", "就學", "就業", "其他")
URGENT, NORMAL = "緊急", "一般"

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
    urgency: str
    tags: tuple[str, ...] = field(default_factory=tuple)


def parse_request(raw: str) -> RequestDraft:
    """Read `[緊急|一般] [類別] [@單位 ...] 內容`; unstated urgency means 緊急 (the group is for emergencies)."""
    words = raw.strip().split()
    urgency, category = None, None
    while words and words[0] in (URGENT, NORMAL, *CATEGORIES, "急"):
        head = words.pop(0)
        if head in (URGENT, NORMAL, "急"):
            urgency = URGENT if head in (URGENT, "急") else NORMAL
        else:
            category = head
    body = " ".join(words)
    tags = tuple(dict.fromkeys(m.group(1) for m in _TAG.finditer(body)))
    return RequestDraft(
        body=body,
        category=category or guess_category(body),
        urgency=urgency or URGENT,
        tags=tags,
    )


def guess_category(body: str) -> str:
    """The first category whose keywords appear in the text, else 其他."""
    for category, keywords in _CATEGORY_WORDS:
        if any(word in body for word in keywords):
            return category
    return "其他"


def escalation_times(created: datetime, urgency: str, first: timedelta, second: timedelta,
                     calendar: WorkCalendar) -> tuple[datetime, datetime]:
    """When to re-post to the asked units, then tell the secretariat.

    緊急 never waits. 一般 counts its periods within office hours, Taiwan holidays and make-up
    workdays respected, so a Friday-evening request is chased on Monday morning.
    """
    if urgency == URGENT:
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
