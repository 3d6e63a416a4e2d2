"""The real scheduler process killed with SIGKILL while it is sending, then restarted: every reminder once.

`python -m scheduler` runs as a child process against the test database and the emulator; the
emulator holds each push for a moment, so the kill lands while one is on the wire. After the
restart the interrupted message goes out again with its retry key, which LINE (the emulator)
answers with 409, so the group sees every reminder exactly once.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import pytest
from sqlalchemy import func, select, update

from bot import reminders
from bot.config import REPO_ROOT
from handlers.incidents import service as incidents
from models.incidents import Incident
from models.outbox import OutboxMessage, OutboxStatus
from models.reminders import Reminder, ReminderState
from models.roster import Contact, Group
from tests import demo
from tests.conftest import SECRET, TOKEN

PUSH = "/v2/bot/message/push"
REMINDERS = 12
HOLD = 0.25  # seconds the emulator keeps each push before answering


def schedule_due_reposts(services, count: int) -> list[str]:
    """Open `count` unclaimed requests whose re-post is due a minute ago (real time: the child uses it)."""
    now = datetime.now(timezone.utc)
    with services.db.transaction() as session:
        # A small group: one re-post there costs less than one to each asked contact, so it goes to the group.
        session.execute(update(Group).where(Group.line_group_id == demo.GROUP).values(member_count=2))
        requester = session.scalars(select(Contact).where(Contact.line_user_id == demo.SOCIAL_WORKER)).one()
        numbers = []
        for index in range(count):
            incident = Incident(number=f"K{index:03d}", district_id=requester.unit.district_id,
                                requester_id=requester.id, requester_unit_id=requester.unit_id, category="其他",
                                urgency="緊急", text="需要協助", group_line_id=demo.GROUP,
                                created_at=now - timedelta(minutes=16))
            session.add(incident)
            session.flush()
            reminders.schedule(session, key=incidents.key_prefix(incident) + "repost", kind=incidents.ESCALATION,
                               subject_id=incident.id, to=demo.GROUP, due_at=now - timedelta(minutes=1))
            numbers.append(incident.number)
    return numbers


def start_scheduler(config, emulator_url: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "DATABASE_URL": config.database_url,
           "LINE_API_BASE_URL": emulator_url, "LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
           "DATA_ENCRYPTION_KEY": ",".join(config.encryption_keys), "SCHEDULER_TICK_SECONDS": "1", "APP_ENV": "test",
           "LINE_PUSH_RATE": str(int(config.line_push_rate)), "BUNDLE_WINDOW_MINUTES": str(config.bundle_window_minutes)}
    return subprocess.Popen([sys.executable, "-m", "scheduler"], cwd=REPO_ROOT, env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def outbox_statuses(services) -> Counter:
    with services.db.transaction() as session:
        return Counter(session.scalars(select(OutboxMessage.status)))


def drained(services) -> bool:
    with services.db.transaction() as session:
        waiting = session.scalar(select(func.count()).select_from(Reminder)
                                 .where(Reminder.state == ReminderState.SCHEDULED))
    statuses = outbox_statuses(services)
    return waiting == 0 and statuses[OutboxStatus.PENDING] + statuses[OutboxStatus.SENDING] == 0


@pytest.fixture
def scheduler_log(tmp_path) -> Path:
    return tmp_path / "scheduler.log"


def test_sigkill_mid_dispatch_then_restart_delivers_every_reminder_once(
        group, emulator, emulator_server, services, config, scheduler_log):
    emulator.configure(monthly_quota=100_000)
    emulator.inject_fault(PUSH, status=None, delay_seconds=HOLD, count=3 * REMINDERS)
    numbers = schedule_due_reposts(services, REMINDERS)

    first = start_scheduler(config, emulator_server, scheduler_log)
    try:
        wait_for(lambda: len(emulator.deliveries(to=demo.GROUP)) >= 3, 120, "the first re-posts")
        time.sleep(HOLD / 2)  # the next push is now held by the emulator, on the wire
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    interrupted = outbox_statuses(services)
    # Killed mid-send: the batch being streamed is leased (one of its pushes on the wire, some already
    # delivered but not yet recorded), and not all of it went out.
    assert interrupted[OutboxStatus.SENDING] >= 1, interrupted
    assert interrupted[OutboxStatus.SENT] < REMINDERS, interrupted

    # The dead process's claim is a two-minute lease; expire it rather than make the test wait that long.
    with services.db.transaction() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENDING)
                        .values(next_attempt_at=datetime.now(timezone.utc) - timedelta(seconds=1)))

    second = start_scheduler(config, emulator_server, scheduler_log)
    try:
        wait_for(lambda: drained(services), 180, "the restarted scheduler to drain the outbox")
    finally:
        second.terminate()
        second.wait(10)

    texts = " ".join(emulator.texts(to=demo.GROUP))
    assert {number: texts.count(f"求助 {number}（") for number in numbers} == {number: 1 for number in numbers}
    pushes = [call for call in emulator.api_requests() if call["path"] == PUSH]
    resent = [call for call in pushes if call["status"] == 409]
    # What was delivered before the kill but not recorded went again with its retry key, and LINE said 409.
    assert len(resent) >= 1
    assert Counter(d["retry_key"] for d in emulator.deliveries(to=demo.GROUP)).most_common(1)[0][1] == 1
    assert outbox_statuses(services) == Counter({OutboxStatus.SENT: REMINDERS})
