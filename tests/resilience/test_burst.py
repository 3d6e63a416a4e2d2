"""A whole group reacting at once: many events in parallel through the LINE stand-in, each acted on once."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, func, select

from models.incidents import Incident, IncidentStatus, IncidentUpdate, UpdateKind
from models.inbox import ProcessedEvent
from tests import demo

REQUEST = "求助 @衛生局 @分局 長者獨居需要關懷訪視"
MEMBERS = [demo.POLICE, demo.HEALTH, demo.FIRE, demo.SCHOOL, demo.EMPLOYMENT, demo.DV_CENTRE, demo.SECRETARIAT]


@pytest.fixture
def group(emulator):
    emulator.join(demo.GROUP)
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.configure(monthly_quota=100_000)
    return demo.GROUP


def together(calls: list) -> list[int]:
    """Run the calls at the same moment from as many threads; their HTTP statuses."""
    barrier = threading.Barrier(len(calls))

    def run(call) -> int:
        barrier.wait()
        return call().status

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_the_whole_group_answers_a_card_at_once(emulator, services, group):
    assert emulator.text(demo.SOCIAL_WORKER, REQUEST).status == 200
    with services.db.transaction() as session:
        incident_id = session.scalar(select(Incident.id))
    claim = f"action=inc_claim&id={incident_id}"
    calls = [lambda user=user: emulator.postback(user, claim, group_id=demo.GROUP) for user in MEMBERS]
    calls += [lambda user=user: emulator.text(user, "收到", group_id=demo.GROUP) for user in MEMBERS]
    calls += [lambda user=user: emulator.text(user, "說明") for user in MEMBERS]
    group_before = len(emulator.deliveries(demo.GROUP))
    assert together(calls) == [200] * len(calls)
    for user in MEMBERS:  # every 說明 answered once, in the user's own chat
        assert len(emulator.deliveries(user)) == 1
    # Each tap is answered once in the group (the winner's announcement or "already claimed"); chatter is not.
    assert len(emulator.deliveries(demo.GROUP)) - group_before == len(MEMBERS)
    with services.db.transaction() as session:
        incident = session.get(Incident, incident_id)
        assert incident.status == IncidentStatus.CLAIMED
        claims = session.scalar(select(func.count()).select_from(IncidentUpdate).where(
            IncidentUpdate.incident_id == incident_id, IncidentUpdate.kind == UpdateKind.CLAIM))
    assert claims == 1
    said = emulator.texts(to=demo.GROUP)
    assert sum("已認領求助" in t for t in said) == 1  # the winner's announcement, once


def test_the_days_first_requests_at_once_both_succeed(emulator, services, group):
    """Two units ask for help at the same moment, before anyone else that day."""
    event.listen(services.db.engine, "before_cursor_execute", _slow_counter_insert)
    try:
        statuses = together([lambda: emulator.text(demo.SOCIAL_WORKER, REQUEST),
                             lambda: emulator.text(demo.SCHOOL, REQUEST)])
    finally:
        event.remove(services.db.engine, "before_cursor_execute", _slow_counter_insert)
    assert statuses == [200, 200]
    with services.db.transaction() as session:
        numbers = sorted(session.scalars(select(Incident.number)))
    assert len(numbers) == 2 and numbers[0] != numbers[1]


def _slow_counter_insert(conn, cursor, statement: str, *_) -> None:
    """Hold each new day-counter row back a moment, so both requests look for it before either writes it."""
    if statement.startswith("INSERT INTO incident_counters"):
        time.sleep(0.3)


def _processed(services) -> int:
    with services.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(ProcessedEvent))
