"""Contacts silent for CONTACT_SILENT_DAYS are listed to their secretariat once a quarter."""
from __future__ import annotations

from datetime import datetime

from handlers.roster.jobs import quarter_start
from rules.dates import TAIPEI
from scheduler.runner import tick
from tests import demo


def reviews(emulator) -> list[str]:
    return [t for t in emulator.texts(to=demo.SECRETARIAT) if "季度名冊檢視" in t]


def test_silent_contacts_are_listed_once_a_quarter(emulator, services, clock):
    clock.set(datetime(2027, 6, 1, 10, 0, tzinfo=TAIPEI))
    emulator.text(demo.POLICE, "說明")        # the police contact still uses the bot
    emulator.text(demo.SECRETARIAT, "說明")
    clock.set(datetime(2027, 7, 1, 8, 59, tzinfo=TAIPEI))
    tick(services)
    assert reviews(emulator) == []            # not before 09:00 on the quarter's first day
    clock.set(datetime(2027, 7, 1, 9, 0, tzinfo=TAIPEI))
    tick(services)
    [review] = reviews(emulator)
    assert "中壢區" in review and "王護理師（衛生局）" in review and "180 天" in review
    assert "陳家防官" not in review and "吳課員" not in review
    clock.advance(days=3)
    tick(services)
    assert len(reviews(emulator)) == 1        # once per quarter, however often the scheduler ticks


def test_quarter_starts():
    assert quarter_start(datetime(2027, 2, 15, tzinfo=TAIPEI)) == datetime(2027, 1, 1, 9, tzinfo=TAIPEI)
    assert quarter_start(datetime(2027, 12, 31, 23, tzinfo=TAIPEI)) == datetime(2027, 10, 1, 9, tzinfo=TAIPEI)
