"""Times of day and time ranges (rules/dates/times.py)."""

from __future__ import annotations

from datetime import time

import pytest

from rules.dates import parse_time, parse_time_range


# ---------------------------------------------------------------------------
# parse_time
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:00", time(14, 0)),
        ("14:30", time(14, 30)),
        ("14：30", time(14, 30)),  # full-width colon
        ("１４:００", time(14, 0)),
        ("14時", time(14, 0)),
        ("14時30分", time(14, 30)),
        ("14 時 00 分", time(14, 0)),  # seeds/000 header spacing
        ("14點", time(14, 0)),
        ("14點30", time(14, 30)),
        ("14點半", time(14, 30)),
        ("下午2時", time(14, 0)),
        ("下午 2時", time(14, 0)),  # seeds/001 header spacing
        ("下午2點半", time(14, 30)),
        ("下午兩點", time(14, 0)),
        ("下午三點半", time(15, 30)),
        ("上午9時30分", time(9, 30)),
        ("上午十點", time(10, 0)),
        ("早上8點", time(8, 0)),
        ("晚上7點", time(19, 0)),
        ("晚上11點", time(23, 0)),
        ("中午12時", time(12, 0)),
        ("中午12點半", time(12, 30)),
        ("中午1點", time(13, 0)),
        ("下午12時", time(12, 0)),
        ("下午14時", time(14, 0)),  # redundant but consistent
        ("凌晨3點", time(3, 0)),
        ("凌晨12點", time(0, 0)),
        ("2pm", time(14, 0)),
        ("2 PM", time(14, 0)),
        ("2:30pm", time(14, 30)),
        ("2:30 p.m.", time(14, 30)),
        ("11am", time(11, 0)),
        ("12pm", time(12, 0)),
        ("12am", time(0, 0)),
        ("9點", time(9, 0)),
        ("9:00", time(9, 0)),
        ("7點", time(7, 0)),
        ("02:00", time(2, 0)),  # a leading zero is a deliberate 24-hour reading
        ("00:00", time(0, 0)),
        ("0點", time(0, 0)),
        ("23:59", time(23, 59)),
    ],
)
def test_parse_time(text: str, expected: time) -> None:
    result = parse_time(text)
    assert result.error is None, result.error
    assert result.value == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("24:00", "不存在"),
        ("24時", "不存在"),
        ("25:00", "看不懂時間"),
        ("14:60", "看不懂時間"),
        ("13pm", "看不懂時間"),
        ("上午12時", "看不懂時間"),  # noon or midnight? refused
        ("上午14時", "看不懂時間"),
        ("晚上12點", "看不懂時間"),
        ("下午0點", "看不懂時間"),
        ("上午2pm", "看不懂時間"),
        ("2點", "是清晨還是下午"),  # nobody meets at 02:00; asking beats guessing 14:00
        ("2:00", "是清晨還是下午"),
        ("兩點半", "是清晨還是下午"),
        ("1400", "看不懂時間"),
        ("明天", "看不懂時間"),
        ("", "看不懂時間"),
    ],
)
def test_parse_time_errors(text: str, fragment: str) -> None:
    result = parse_time(text)
    assert result.value is None
    assert fragment in result.error


def test_vague_hour_error_suggests_both_readings() -> None:
    assert parse_time("兩點半").error == "「兩點半」是清晨還是下午？請寫成 14:30（下午）或 02:30（清晨）"


# ---------------------------------------------------------------------------
# parse_time_range
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("14:00-16:00", time(14), time(16)),
        ("14:00 - 16:00", time(14), time(16)),
        ("14:00~16:00", time(14), time(16)),
        ("14:00～16:00", time(14), time(16)),  # full-width tilde
        ("14:00〜16:00", time(14), time(16)),  # wave dash
        ("14:00–16:00", time(14), time(16)),  # en dash
        ("14:00－16:00", time(14), time(16)),  # full-width hyphen
        ("14時至16時", time(14), time(16)),
        ("14時30分至16時", time(14, 30), time(16)),
        ("14點到16點", time(14), time(16)),
        ("下午2時至4時", time(14), time(16)),  # the day part carries to the end
        ("下午2時30分至4時", time(14, 30), time(16)),
        ("下午2至4時", time(14), time(16)),
        ("14-16時", time(14), time(16)),
        ("2至4pm", time(14), time(16)),
        ("上午9時至12時", time(9), time(12)),
        ("上午10時至下午2時", time(10), time(14)),
        ("上午11時至1時", time(11), time(13)),
        ("10時至2時", time(10), time(14)),
        ("2時至下午4時", time(14), time(16)),
        ("晚上7點到9點", time(19), time(21)),
        ("9:00-12:00", time(9), time(12)),
    ],
)
def test_parse_time_range(text: str, start: time, end: time) -> None:
    result = parse_time_range(text)
    assert result.error is None, result.error
    assert (result.start, result.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("16:00-14:00", "結束時間須晚於開始時間（16:00–14:00）"),
        ("14:00-14:00", "結束時間須晚於開始時間"),
        ("10:00-09:00", "結束時間須晚於開始時間"),  # no silent +12 for a zero-padded end
        ("14:00-16", "看不懂結束時間「16」"),
        ("14:00-25:00", "看不懂時間「25:00」"),
        ("2至4時", "是清晨還是下午"),
        ("14:00", "看不懂時段"),
        ("14:00 至中壢區公所", "看不懂時段"),
        ("", "看不懂時段"),
    ],
)
def test_parse_time_range_errors(text: str, fragment: str) -> None:
    result = parse_time_range(text)
    assert (result.start, result.end) == (None, None)
    assert not result.ok
    assert fragment in result.error
