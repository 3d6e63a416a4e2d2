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
    assert digest_picks(rows, NEXT) == picked
