"""Tests for the masked version of a refused text (rules.privacy.masked) and the confirmable kinds."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from rules.privacy import CONFIRMABLE_KINDS, Finding, Kind, masked, screen
from rules.privacy.mask import age_band, mask_name

CORPUS = Path(__file__).resolve().parents[1] / "data" / "privacy_corpus.jsonl"
TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(("name", "expected"), [
    ("王小明", "王O明"), ("王明", "王O"), ("歐陽小明", "歐陽O明"), ("歐陽明", "歐陽O"), ("范姜志明", "范姜O明"),
    ("阮氏芳", "阮O芳"), ("林美玲玲", "林OO玲"), ("瓦歷斯·諾幹", "瓦O斯·諾O"), ("Nguyen Van An", "N.V.A."),
])
def test_mask_name(name: str, expected: str) -> None:
    assert mask_name(name) == expected


def _masked(text: str, today: date | None = None) -> str:
    return masked(text, screen(text), today=today)


@pytest.mark.parametrize(("text", "expected"), [
    ("案主王小明今天沒到校", "案主王O明今天沒到校"),
    ("手機 0912-345-678 請回電", "手機 〔電話已移除〕 請回電"),
    ("身分證：A123456789", "身分證：〔身分證號已移除〕"),
    ("信箱 wang.xm@gmail.com", "信箱 〔電子郵件已移除〕"),
    ("車牌ABC-1234", "車牌〔車牌已移除〕"),
    ("郵局帳號 0001234-0567890", "郵局帳號 〔帳號已移除〕"),
    ("護照號碼 312345678", "護照號碼 〔護照號碼已移除〕"),
    ("住中壢區新興路100巷5號3樓", "住中壢區新興路〔門牌已移除〕"),
    ("民族路三段12巷5弄7號4樓之2", "民族路三段〔門牌已移除〕"),
    ("觀音區大潭村8鄰15號", "觀音區大潭村〔門牌已移除〕"),
    ("新屋區永安里5鄰中山東路12號", "新屋區永安里中山東路〔門牌已移除〕"),
    ("民國85年3月2日生，男性", "〔出生日期已移除〕，男性"),
])
def test_masked_examples(text: str, expected: str) -> None:
    assert _masked(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Line ID: lily0923 請加她", "Line ID: 〔LINE ID已移除〕 請加她"),
    ("病歷號 12345678", "病歷號 〔病歷號已移除〕"),
    ("中壢國小三年二班12號的孩子", "中壢國小〔班級座號已移除〕的孩子"),
    ("案主農曆八月十五生", "案主〔出生日期已移除〕"),
    ("興南里 45歲男性 思覺失調", "興南里 〔身分線索已移除〕男性 思覺失調"),
    ("里長的兒子吸毒", "〔身分線索已移除〕吸毒"),
    ("ting.wu(at)gmail.com", "〔電子郵件已移除〕"),
    ("瓦歷斯·諾幹家裡需要物資", "瓦O斯·諾O家裡需要物資"),
])
def test_masked_new_kinds(text: str, expected: str) -> None:
    assert _masked(text) == expected


def test_birth_date_becomes_an_age_band_when_today_is_known() -> None:
    assert _masked("她是78年次", TODAY) == "她是30多歲"
    assert _masked("七十五年次的阿姨", TODAY) == "40多歲的阿姨"
    assert _masked("民國85年3月2日生，男性", TODAY) == "30多歲，男性"
    assert _masked("1996/3/2出生", TODAY).startswith("30多歲")
    assert age_band("民國110年1月1日", TODAY) == "未滿10歲"
    assert age_band("3月2日", TODAY) is None  # no year: removed instead
    assert _masked("生日：3月2日", TODAY) == "生日：〔出生日期已移除〕"


def test_masked_keeps_clean_text_and_ignores_overlaps() -> None:
    assert masked("收到，謝謝", []) == "收到，謝謝"
    overlapping = [Finding(Kind.PHONE, 0, 10, "x"), Finding(Kind.NAME, 5, 8, "y"), Finding(Kind.EMAIL, 20, 99, "z")]
    assert masked("0912345678 好", overlapping) == "〔電話已移除〕 好"


def test_confirmable_kinds() -> None:
    assert CONFIRMABLE_KINDS == {Kind.NAME, Kind.SENSITIVE_CONTEXT}
    assert Kind.NAME.confirmable and Kind.SENSITIVE_CONTEXT.confirmable
    structured = [k for k in Kind if k not in CONFIRMABLE_KINDS]
    assert Kind.NATIONAL_ID in structured and Kind.PHONE in structured
    assert not any(k.confirmable for k in structured)


def _corpus_positives() -> list[str]:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["text"] for r in rows if r["kinds"]]


def test_masked_corpus_passes_the_screen_again() -> None:
    # The masked version is what the sender may send as is: it must not be refused again.
    failures = []
    for text in _corpus_positives():
        out = masked(text, screen(text), today=TODAY)
        left = [(f.kind, out[f.start:f.end]) for f in screen(out)]
        if left:
            failures.append((text, out, left))
    assert not failures, failures[:5]
