"""Which waiting group reminders go in a morning digest (rules/economy.digest_picks)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from rules.dates import TAIPEI
from rules.economy import DigestFit, digest_picks

DIGEST = datetime(2026, 11, 27, 8, 30, tzinfo=TAIPEI)  # a Friday's digest
NEXT = datetime(2026, 11, 30, 8, 30, tzinfo=TAIPEI)  # Monday's
TODAY, MONDAY_NOON, THURSDAY = (DIGEST + timedelta(hours=1), NEXT + timedelta(hours=3),
                                DIGEST + timedelta(days=6))
PLAIN, RIDER, EARLY = DigestFit(), DigestFit(rider=True), DigestFit(early=timedelta(days=4))
TIMED, NOON, EVENING = DigestFit(keeps_time=True), DIGEST + timedelta(hours=3, minutes=30), DIGEST + timedelta(hours=11)
DAY_END = DIGEST + timedelta(hours=9, minutes=30)


@pytest.mark.parametrize(("rows", "picked"), [
    ([(TODAY, PLAIN), (TODAY, PLAIN)], [0, 1]),  # two due today share one push
    ([(TODAY, PLAIN)], []),  # alone: keeps its own time
    ([(TODAY, RIDER), (TODAY, RIDER)], []),  # two chasers alone go 1:1, cheaper than a group push
    ([(TODAY, RIDER), (TODAY, PLAIN)], [0, 1]),  # a chaser rides a push that goes anyway
    ([(TODAY, PLAIN), (THURSDAY, EARLY)], [0, 1]),  # a week's notice may ride days early
    ([(TODAY, PLAIN), (THURSDAY, PLAIN)], []),  # one that may not go early waits for its own day
    ([(MONDAY_NOON, PLAIN), (THURSDAY, EARLY)], []),  # nothing due before the next digest: no push to share
    ([(TODAY, PLAIN), (THURSDAY + timedelta(days=1), EARLY)], []),  # too early even for its window
])
def test_digest_picks(rows, picked):
    assert digest_picks(rows, DIGEST, NEXT, DAY_END) == (picked, DIGEST)


@pytest.mark.parametrize(("rows", "picked", "when"), [
    ([(NOON, TIMED), (THURSDAY, EARLY)], [1], NOON),  # a week's notice rides the meeting's 2-hour reminder
    ([(NOON, TIMED), (TODAY, PLAIN)], [1], NOON),  # the morning's notice waits for it: one push, not two
    ([(NOON, TIMED)], [], DIGEST),  # alone: nothing to carry
    ([(EVENING, TIMED), (TODAY, PLAIN)], [], DIGEST),  # after the working day: the digest does not wait
    ([(NOON, TIMED), (TODAY, RIDER)], [1], NOON),  # a chaser rides it too
])
def test_a_digest_waits_for_a_notice_that_keeps_its_hour(rows, picked, when):
    assert digest_picks(rows, DIGEST, NEXT, DAY_END) == (picked, when)
