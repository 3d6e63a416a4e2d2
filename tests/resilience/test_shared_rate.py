"""LINE_PUSH_RATE holds for the channel, not per process: two schedulers and two web hosts share it.

Two real `python -m scheduler` processes drain a burst of due re-posts while two web instances, each
with its own connection pool and served over HTTP, post urgent requests whose cards are pushes too.
The emulator stamps each push on arrival: in no second do more arrive than the rate allows, and every
re-post arrives once.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone

from sqlalchemy import func, select

from emulator.client import run_in_thread
from models.outbox import OutboxStatus
from models.reminders import Reminder, ReminderState
from tests import demo
from tests.resilience import webhooks
from tests.resilience.test_scheduler_kill import (
    PUSH,
    outbox_statuses,
    schedule_due_reposts,
    start_scheduler,
    wait_for,
)

RATE = 20
REPOSTS = 40
REQUESTS_PER_HOST = 4


def arrivals(emulator) -> list[float]:
    stamps = [call["at"] for call in emulator.api_requests() if call["path"] == PUSH and call["status"] == 200]
    return sorted(datetime.fromisoformat(stamp).timestamp() for stamp in stamps)


def sent(services) -> bool:
    """Every due re-post went out (the requests' own escalations are not due yet) and nothing is queued."""
    with services.db.transaction() as session:
        due = session.scalar(select(func.count()).select_from(Reminder).where(
            Reminder.state == ReminderState.SCHEDULED, Reminder.due_at <= datetime.now(timezone.utc)))
    statuses = outbox_statuses(services)
    return due == 0 and statuses[OutboxStatus.PENDING] + statuses[OutboxStatus.SENDING] == 0


def busiest(moments: list[float], window: float) -> int:
    """The most pushes that arrived within any window of this many seconds."""
    best, start = 0, 0
    for end, moment in enumerate(moments):
        while moment - moments[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_two_schedulers_and_two_web_hosts_stay_under_one_rate(group, emulator, emulator_server, services,
                                                             config, tmp_path):
    from app import create_app
    numbers = schedule_due_reposts(services, REPOSTS)
    shared = replace(config, line_api_base_url=emulator_server, line_push_rate=RATE)
    hosts = [create_app(shared) for _ in range(2)]
    served = [run_in_thread(host) for host in hosts]
    log = tmp_path / "schedulers.log"
    schedulers = [start_scheduler(replace(config, line_push_rate=RATE), emulator_server, log) for _ in range(2)]
    try:
        for index in range(REQUESTS_PER_HOST):
            for host, (_server, url) in enumerate(served):
                event = webhooks.text_event(demo.SOCIAL_WORKER, f"求助 @衛生局 第{host}-{index}次需要支援",
                                            f"01RATE{host}{index:020d}")
                assert webhooks.post(url, webhooks.encode([event])).status_code == 200
        wait_for(lambda: sent(services), 180, "the schedulers to drain the burst")
    finally:
        for process in schedulers:
            process.terminate()
        for process in schedulers:
            process.wait(10)
        for server, _url in served:
            server.shutdown()
        for host in hosts:
            host.extensions["services"].db.dispose()

    moments = arrivals(emulator)
    assert len(moments) >= REPOSTS + 2 * REQUESTS_PER_HOST
    # One rate for all four senders (two of them pacing alone would reach twice it). Slots are exact; arrival
    # times carry the HTTP round trip's jitter, so look at two-second windows with a push of slack per edge.
    assert busiest(moments, 2.0) <= 2 * RATE + 2, busiest(moments, 2.0)
    texts = " ".join(emulator.texts(to=demo.GROUP))
    assert Counter(texts.count(f"求助 {number}（") for number in numbers) == Counter({1: REPOSTS})
    assert "Traceback" not in log.read_text()

