"""The scheduler's triggers: what sends runs every tick with the relay last; housekeeping on its own interval."""
from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from app import capabilities
from bot.router import build
from rules.dates import TAIPEI
from scheduler.runner import in_order, plan, trigger

HOUSEKEEPING = {"incidents_purge", "retention_prune", "conversations_expire", "calendar_digest",
                "calendar_announcements", "meetings_progress"}


def services(tick_seconds: int = 30) -> Any:
    return SimpleNamespace(router=build(capabilities()), config=SimpleNamespace(scheduler_tick_seconds=tick_seconds))


def test_the_tick_moves_messages_and_ends_with_the_relay() -> None:
    seconds, due = plan(services(30))[0]
    names = [job.name for job in due]
    assert seconds == 30
    assert {"inbox", "reminders"} <= set(names) and names[-1] == "outbox"
    assert not HOUSEKEEPING & set(names)


def test_purges_and_digests_run_on_their_own_slower_interval() -> None:
    own = {due[0].name: seconds for seconds, due in plan(services(30))[1:]}
    assert HOUSEKEEPING <= set(own)
    assert all(seconds >= 600 for seconds in own.values())
    assert own["incidents_purge"] == own["retention_prune"] == 3600


def test_every_job_has_exactly_one_trigger() -> None:
    planned = [job.name for _, due in plan(services()) for job in due]
    assert sorted(planned) == sorted(job.name for job in in_order(services()))


def test_the_tick_runs_on_the_clocks_marks_whenever_the_scheduler_started() -> None:
    started = datetime(2026, 12, 2, 8, 59, 47, 123000, tzinfo=TAIPEI)
    tick_trigger = trigger(30, started)
    first = tick_trigger.get_next_fire_time(None, started)
    assert first == datetime(2026, 12, 2, 9, 0, tzinfo=TAIPEI)  # a burst due at 09:00 is found at 09:00
    assert tick_trigger.get_next_fire_time(first, first) == datetime(2026, 12, 2, 9, 0, 30, tzinfo=TAIPEI)
    hourly = trigger(3600, started)
    assert hourly.get_next_fire_time(None, started) == datetime(2026, 12, 2, 9, 0, tzinfo=TAIPEI)
