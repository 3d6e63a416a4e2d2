"""10,000 reminders due in the same minute across 500 groups, drained by the real `python -m scheduler`.

The reminders are the incidents capability's own escalation kind (a re-post that mentions the
district's contacts), so the scheduler renders, enqueues and relays them with production code
and no bench-only hooks. Afterwards the emulator's records prove nothing went out twice: every
retry key is used by one delivery, and every request's number appears in exactly one message.
"""
from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select, update

from bench.database import env_of
from bench.procs import PYTHON, Process, base_env, free_port, start, start_emulator
from bench.workload import People
from bot.config import Config

NUMBER = re.compile(r"求助 (S\d{5})")


@dataclass(frozen=True)
class Plan:
    """What to schedule and how the scheduler runs."""

    reminders: int = 10_000
    groups: int = 500
    schedulers: int = 2  # README: run exactly one; 2 shows that a second one sends nothing twice and shares the rate
    tick_seconds: int = 30  # SCHEDULER_TICK_SECONDS, the default
    rate_limit: int = 100  # LINE_PUSH_RATE, the default; pushes per second the relay must stay under
    max_seconds: float = 600.0


@dataclass
class Drained:
    """What the run measured."""

    insert_seconds: float
    ready_seconds: float  # launching the schedulers to the last of them logging that it started
    drain_seconds: float  # the burst being due to the last reminder delivered
    first_push_seconds: float  # the burst being due to the first push (sending starts after the first batch)
    first_to_last_seconds: float  # first to last push the emulator saw
    delivered: int
    push_calls: Counter  # status -> count
    peak_rate: int  # pushes answered in the busiest wall-clock second
    peak_10s_rate: float  # mean rate over the busiest ten seconds
    mean_rate: float
    retry_keys_reused: int  # deliveries sharing a retry key with another delivery
    numbers_twice: int  # requests whose re-post was delivered more than once
    numbers_missing: int
    outbox_rows: int
    left_unsent: int
    marked_late: int  # reminders sent more than five minutes after their moment (they carry the 補發 line)


def run(config: Config, people: People, plan: Plan, log_dir: Path) -> Drained:
    """Schedule the reminders, start the scheduler(s), make the burst due, wait until drained, check the emulator.

    The schedulers are up before the burst is due, as in production (they run all day; 09:00 comes to
    them): the burst is made due on the first tick mark after they have started and caught up.
    """
    insert_seconds = schedule_reminders(config, people, plan)
    port = free_port()
    emulator_url = f"http://127.0.0.1:{port}"
    env = base_env(**env_of(replace(config, line_api_base_url=emulator_url)),
                   SCHEDULER_TICK_SECONDS=str(plan.tick_seconds), LINE_PUSH_RATE=str(plan.rate_limit))
    emulator = start_emulator(port, env, log_dir)
    schedulers: list[Process] = []
    try:
        launched = time.monotonic()
        schedulers = [start(f"scheduler-{i}", [PYTHON, "-m", "scheduler"], env, log_dir)
                      for i in range(plan.schedulers)]
        wait_until_started(schedulers, plan.max_seconds)
        ready_seconds = time.monotonic() - launched
        due = make_due(config, next_mark(datetime.now(timezone.utc) + READY_MARGIN, plan.tick_seconds))
        left = wait_until_drained(config, plan, schedulers)
        drain_seconds = (datetime.now(timezone.utc) - due).total_seconds()
        return _check(emulator_url, config, plan, insert_seconds, ready_seconds, drain_seconds, due, left)
    finally:
        for scheduler in schedulers:
            scheduler.stop()
        emulator.stop()


READY_MARGIN = timedelta(seconds=3)  # after "scheduler started": its catch-up tick at start has run


def wait_until_started(schedulers: list[Process], max_seconds: float) -> None:
    """Until every scheduler has logged that it started (Python's start-up and imports take a few seconds)."""
    deadline = time.monotonic() + max_seconds
    while not all("scheduler started" in s.log_path.read_text(errors="replace") for s in schedulers):
        if time.monotonic() > deadline or not all(s.alive() for s in schedulers):
            raise RuntimeError("a scheduler did not start; see its log")
        time.sleep(0.1)


def next_mark(after: datetime, tick_seconds: int) -> datetime:
    """The first of the scheduler's own tick marks after `after` (as its trigger computes them)."""
    from scheduler.runner import trigger
    return trigger(tick_seconds, after).get_next_fire_time(None, after)


def make_due(config: Config, due: datetime) -> datetime:
    """Move the whole burst to `due` in one statement; it was scheduled far ahead, so nothing left early."""
    from bot.db import Database
    from models.reminders import Reminder, ReminderState

    db = Database(config.database_url)
    try:
        with db.transaction() as session:
            session.execute(update(Reminder).where(Reminder.state == ReminderState.SCHEDULED).values(due_at=due))
    finally:
        db.dispose()
    return due


def schedule_reminders(config: Config, people: People, plan: Plan) -> float:
    """Open one request per reminder, spread over `plan.groups` groups, all due this minute; seconds taken."""
    from app import build_services
    from bot import reminders
    from handlers.incidents import service as incidents
    from models.incidents import Incident
    from models.roster import Contact, Group

    services = build_services(replace(config, line_api_base_url="http://127.0.0.1:9"))
    due = datetime.now(timezone.utc).replace(second=0, microsecond=0) + FAR_AHEAD  # make_due brings it to a mark
    started = time.monotonic()
    with services.db.transaction() as session:
        requester = session.scalars(select(Contact).where(Contact.line_user_id == people.requester)).one()
        groups = [f"C{index:032x}" for index in range(1, plan.groups + 1)]
        session.add_all(Group(line_group_id=g, district_id=requester.unit.district_id, member_count=len(people.members),
                              joined_at=due, bound_at=due, greeted_at=due) for g in groups)
        for index in range(plan.reminders):
            incident = Incident(number=f"S{index:05d}", district_id=requester.unit.district_id,
                                requester_id=requester.id, requester_unit_id=requester.unit_id, category="其他",
                                urgency="緊急", text="長者獨居需要關懷訪視", group_line_id=groups[index % len(groups)],
                                created_at=due - FAR_AHEAD - timedelta(minutes=15))
            session.add(incident)
            session.flush()
            reminders.schedule(session, key=incidents.key_prefix(incident) + "repost", kind=incidents.ESCALATION,
                               subject_id=incident.id, to=incident.group_line_id, due_at=due)
    services.db.dispose()
    return time.monotonic() - started


FAR_AHEAD = timedelta(days=1)


def wait_until_drained(config: Config, plan: Plan, schedulers: list[Process]) -> int:
    """Poll the database until no reminder or outbox row is left to send; return how many are left."""
    from bot.db import Database
    from models.outbox import OutboxMessage, OutboxStatus
    from models.reminders import Reminder, ReminderState

    db = Database(config.database_url)
    deadline = time.monotonic() + plan.max_seconds
    try:
        while True:
            with db.transaction() as session:
                waiting = session.scalar(select(func.count()).select_from(Reminder)
                                         .where(Reminder.state == ReminderState.SCHEDULED))
                unsent = session.scalar(select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])))
            left = waiting + unsent
            if left == 0 or time.monotonic() > deadline or not any(s.alive() for s in schedulers):
                return left
            time.sleep(0.25)
    finally:
        db.dispose()


def _check(emulator_url: str, config: Config, plan: Plan, insert_seconds: float, ready_seconds: float,
           drain_seconds: float, started: datetime, left: int) -> Drained:
    calls = [r for r in _get(emulator_url, "requests") if r["path"] == "/v2/bot/message/push"]
    deliveries = _get(emulator_url, "deliveries")
    keys = Counter(d["retry_key"] for d in deliveries)
    numbers = Counter(n for d in deliveries for m in d["messages"] for n in NUMBER.findall(m.get("text", "")))
    rows, late = _counts(config)
    stamps = sorted(datetime.fromisoformat(r["at"]) for r in calls)
    span = (stamps[-1] - stamps[0]).total_seconds() if len(stamps) > 1 else 0.0
    return Drained(
        insert_seconds=insert_seconds, ready_seconds=ready_seconds, drain_seconds=drain_seconds,
        first_push_seconds=(stamps[0] - started).total_seconds() if stamps else 0.0, first_to_last_seconds=span,
        delivered=len(deliveries), push_calls=Counter(r["status"] for r in calls),
        peak_rate=_busiest(stamps, 1), peak_10s_rate=_busiest(stamps, 10) / 10,
        mean_rate=len(calls) / span if span else 0.0,
        retry_keys_reused=sum(c for c in keys.values() if c > 1),
        numbers_twice=sum(1 for c in numbers.values() if c > 1),
        numbers_missing=plan.reminders - len(numbers), outbox_rows=rows, left_unsent=left, marked_late=late)


def _busiest(stamps: list[datetime], seconds: int) -> int:
    """Most pushes answered within any window of `seconds` (sliding, over sorted timestamps)."""
    most, first = 0, 0
    for last, moment in enumerate(stamps):
        while (moment - stamps[first]).total_seconds() >= seconds:
            first += 1
        most = max(most, last - first + 1)
    return most


def _counts(config: Config) -> tuple[int, int]:
    """Outbox rows written, and reminders marked late."""
    from bot.db import Database
    from models.outbox import OutboxMessage
    from models.reminders import Reminder
    db = Database(config.database_url)
    try:
        with db.transaction() as session:
            return (session.scalar(select(func.count()).select_from(OutboxMessage)) or 0,
                    session.scalar(select(func.count()).select_from(Reminder).where(Reminder.late.is_(True))) or 0)
    finally:
        db.dispose()


def _get(emulator_url: str, what: str) -> list[dict[str, Any]]:
    response = requests.get(f"{emulator_url}/_emulator/{what}", timeout=300)
    response.raise_for_status()
    return response.json()
