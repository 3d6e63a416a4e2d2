"""Outbox pacing: pushes stay under the configured request rate."""
from __future__ import annotations

from bot.outbox import Pacer


def test_pacer_keeps_calls_under_the_rate():
    moments: list[float] = []
    now = [0.0]
    pacer = Pacer(4, sleep=lambda seconds: now.__setitem__(0, now[0] + seconds), clock=lambda: now[0])
    for _ in range(9):
        pacer.wait()
        moments.append(now[0])
    assert moments == [0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]
    unlimited = Pacer(0, sleep=lambda seconds: (_ for _ in ()).throw(AssertionError("slept")))
    unlimited.wait()
