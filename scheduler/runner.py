"""Runs every capability's jobs with APScheduler: what sends on one tick, housekeeping on its own interval.

The tick (SCHEDULER_TICK_SECONDS) runs the jobs that move messages, in order: waiting events,
reminders, then the outbox relay last, so what they enqueue leaves in the same tick. A job that
declares `every` (purges, arming digests and monthly requests ahead of time) gets its own interval
trigger instead of running every 30 s. Jobs keep their state in database rows, which they claim
before acting, so a restart or a second scheduler started by mistake cannot send twice. Jobs on
different triggers take turns on one thread, as they did on one tick, so housekeeping never competes
with a burst of pushes. APScheduler only provides the triggers; it has no job store to share.
"""
from __future__ import annotations

import logging
import queue
import signal
import sys
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from app import build_services, log_level
from bot import rate_limits
from bot.config import Config, ConfigError
from bot.digest import bundle_due, pull_into_digests
from bot.inbox import resume_waiting
from bot.outbox import relay_due, send_claimed
from bot.reminders import dispatch_due
from bot.reserve import refresh_if_stale
from bot.router import Job
from bot.services import Services
from models.outbox import OutboxMessage

log = logging.getLogger("scheduler")


RELAY_BATCH = 200


def relay_outbox(services: Services, now: datetime) -> int:
    """Send what is due, batch after batch until done or the tick is used up.

    Pushes are paced under LINE_PUSH_RATE by the gateway itself, with every other sender (bot/pacing.py).
    """
    bundle_due(services.db, now)  # notices due to the same group together go as one push
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
    refresh_if_stale(services.db, services.gateway, now)  # where the month stands decides routine messages' audience
    with Streamer(services) as stream:
        return dispatch_due(services.db, services.router.renderers, now, limit=20_000,
                            public=services.directory.public, send=stream.put, clock=services.clock,
                            reserve=services.config.quota_reserve_urgent, bundle_window=services.config.bundle_window)


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
    found = [Job("outbox", relay_outbox), Job("inbox", resume_waiting), Job("digest", pull_into_digests),
             Job("reminders", dispatch_reminders), Job("rate_limits", rate_limits.purge, every=timedelta(minutes=10))]
    for capability in services.router.capabilities:
        found.extend(capability.jobs)
    return found


def in_order(services: Services) -> list[Job]:
    """Every job, capability jobs first (they enqueue messages) and the outbox relay last (it sends them)."""
    ordered = jobs(services)
    return ordered[1:] + ordered[:1]


def plan(services: Services) -> list[tuple[float, list[Job]]]:
    """The triggers: (seconds between runs, the jobs run in order each time); the tick comes first."""
    ordered = in_order(services)
    tick_jobs = [job for job in ordered if job.every is None]
    return [(float(services.config.scheduler_tick_seconds), tick_jobs),
            *[(job.every.total_seconds(), [job]) for job in ordered if job.every is not None]]


def trigger(seconds: float, now: datetime) -> IntervalTrigger:
    """Every `seconds`, on the clock's own marks (a 30 s tick at :00 and :30 of each minute).

    Reminders are mostly due on the minute (a meeting at 14:00, a morning burst at 09:00): a tick
    counted from whenever the scheduler started would find them up to a whole tick late.
    """
    epoch = now.timestamp()
    marks = datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)
    return IntervalTrigger(seconds=seconds, start_date=marks, timezone=now.tzinfo)


def tick(services: Services, now: datetime | None = None) -> dict[str, int]:
    """Run every job once, whatever its trigger (tests and a manual run); see `run`."""
    return run(services, in_order(services), now)


def run(services: Services, due: list[Job], now: datetime | None = None) -> dict[str, int]:
    """Run the jobs once, in order; a failing job is logged and does not stop the others."""
    now = now or services.clock()
    done: dict[str, int] = {}
    for job in due:
        try:
            done[job.name] = job.run(services, now)
        except Exception as exc:  # keep the scheduler alive; the job's transaction was rolled back
            log.error("job %s failed: %s", job.name, type(exc).__name__)
            done[job.name] = -1
    return done


def main(argv: list[str] | None = None) -> None:
    """Start the scheduler loop until SIGTERM/SIGINT."""
    logging.basicConfig(level=log_level(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per tick drowns what matters
    try:
        config = Config.from_env()
    except ConfigError as exc:
        sys.exit(f"scheduler: {exc}")
    services = build_services(config)
    # One worker thread, and a job that waited for it still runs (no misfire skip): jobs take turns.
    scheduler = BlockingScheduler(timezone="Asia/Taipei", executors={"default": ThreadPoolExecutor(1)},
                                  job_defaults={"misfire_grace_time": None})
    start = datetime.now().astimezone()
    planned = plan(services)
    for seconds, due in planned:
        scheduler.add_job(run, trigger(seconds, start), args=[services, due], max_instances=1, coalesce=True,
                          name=",".join(job.name for job in due))
    # The tick once at start, too: what fell due while no scheduler ran leaves now, not at the next mark.
    scheduler.add_job(run, "date", run_date=start, args=[services, planned[0][1]], name="catch-up")

    def stop(*_: Any) -> None:
        # Not in the handler itself: it runs on the main thread, which may be inside the scheduler's job
        # processing holding its (reentrant) job store lock; shutting down there empties the store under it
        # (JobLookupError). From another thread, shutdown waits for that lock.
        threading.Thread(target=scheduler.shutdown, kwargs={"wait": False}, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    log.info("scheduler started: tick every %ss, %d jobs on their own interval", config.scheduler_tick_seconds,
             len(planned) - 1)
    scheduler.start()
