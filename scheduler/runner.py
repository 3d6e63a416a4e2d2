"""Runs every capability's jobs on one tick with APScheduler.

Jobs keep their state in database rows (due reminders, outbox messages), which they claim
before acting, so a restart or a second scheduler started by mistake cannot send twice.
APScheduler only provides the tick; it has no job store to share.
"""
from __future__ import annotations

import logging
import queue
import signal
import sys
import threading
import time
from datetime import datetime
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler

from app import build_services
from bot.config import Config, ConfigError
from bot.inbox import resume_waiting
from bot.outbox import relay_due, send_claimed
from bot.reminders import dispatch_due
from bot.router import Job
from bot.services import Services
from models.outbox import OutboxMessage

log = logging.getLogger("scheduler")


RELAY_BATCH = 200


def relay_outbox(services: Services, now: datetime) -> int:
    """Send what is due, batch after batch until done or the tick is used up.

    Pushes are paced under LINE_PUSH_RATE by the gateway itself, with every other sender (bot/pacing.py).
    """
    deadline = time.monotonic() + services.config.scheduler_tick_seconds
    total = 0
    while True:
        tried = relay_due(services.db, services.gateway, now, services.config.outbox_max_attempts,
                          limit=RELAY_BATCH)
        total += tried
        if tried < RELAY_BATCH or time.monotonic() > deadline:
            return total


def dispatch_reminders(services: Services, now: datetime) -> int:
    """Render due reminders and send them as they are rendered, each exactly once.

    A burst (10,000 reminders at 09:00) used to be rendered whole before the relay sent any of it;
    now a sender thread pushes each committed batch while the next one renders, so the first push
    leaves within a batch of the burst being due. The sender is at most one batch behind: a
    reminder's 補發 note is decided seconds before it leaves, not minutes.
    """
    with Streamer(services) as stream:
        return dispatch_due(services.db, services.router.renderers, now, limit=20_000,
                            public=services.directory.public, send=stream.put, clock=services.clock)


class Streamer:
    """A sender thread fed batches of claimed outbox rows; leaving the block waits until all are sent.

    Rows are claimed (leased) in the transaction that rendered them, so if this process dies with a
    batch still queued, the relay sends it once the lease runs out, with the same retry key.
    """

    def __init__(self, services: Services) -> None:
        self._services = services
        self._queue: queue.Queue[list[OutboxMessage] | None] = queue.Queue(maxsize=1)
        self._thread = threading.Thread(target=self._run, name="reminder-sender", daemon=True)

    def __enter__(self) -> "Streamer":
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._queue.put(None)
        self._thread.join()

    def put(self, rows: list[OutboxMessage]) -> None:
        """Hand over a committed batch; blocks while the sender is a batch behind (back-pressure)."""
        self._queue.put(rows)

    def _run(self) -> None:
        services = self._services
        while (rows := self._queue.get()) is not None:
            try:
                send_claimed(services.db, services.gateway, rows, services.clock(),
                             services.config.outbox_max_attempts)
            except Exception as exc:  # the leases run out and the relay sends them
                log.error("sending a reminder batch failed: %s", type(exc).__name__)


def jobs(services: Services) -> list[Job]:
    """The outbox relay first, then waiting events, reminders, and each capability's jobs, in route-table order."""
    found = [Job("outbox", relay_outbox), Job("inbox", resume_waiting), Job("reminders", dispatch_reminders)]
    for capability in services.router.capabilities:
        found.extend(capability.jobs)
    return found


def tick(services: Services, now: datetime | None = None) -> dict[str, int]:
    """Run every job once; a failing job is logged and does not stop the others."""
    now = now or services.clock()
    done: dict[str, int] = {}
    # Capability jobs first (they enqueue messages), the outbox relay last (it sends them).
    ordered = jobs(services)
    for job in ordered[1:] + ordered[:1]:
        try:
            done[job.name] = job.run(services, now)
        except Exception as exc:  # keep the scheduler alive; the job's transaction was rolled back
            log.error("job %s failed: %s", job.name, type(exc).__name__)
            done[job.name] = -1
    return done


def main(argv: list[str] | None = None) -> None:
    """Start the scheduler loop until SIGTERM/SIGINT."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per tick drowns what matters
    try:
        config = Config.from_env()
    except ConfigError as exc:
        sys.exit(f"scheduler: {exc}")
    services = build_services(config)
    scheduler = BlockingScheduler(timezone="Asia/Taipei")
    scheduler.add_job(tick, "interval", args=[services], seconds=config.scheduler_tick_seconds,
                      max_instances=1, coalesce=True, next_run_time=datetime.now().astimezone())

    def stop(*_: Any) -> None:
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    log.info("scheduler started: tick every %ss", config.scheduler_tick_seconds)
    scheduler.start()
