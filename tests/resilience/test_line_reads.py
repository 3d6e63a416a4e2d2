"""Reads from LINE never hold the database: a slow member count on join does not make others wait.

On SQLite a write transaction holds the file's write lock from its first statement. The member
count asked on join, on bind and when a member joins or leaves used to be read inside the event's
transaction, so while LINE took its time every other event that writes waited behind it (and a
member's join, answered late, was counted again). The count is now read after the response, and
written in a transaction of its own. So is the month's quota when a request finds its reading stale.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest
import requests
from sqlalchemy import select

from models.quota import QuotaSnapshot
from models.roster import Group
from tests import demo

COUNT = "/v2/bot/group/"
HOLD = 3.0  # seconds LINE takes to answer the member count


def answered_at(emulator, path_start: str) -> list[float]:
    return [datetime.fromisoformat(c["at"]).timestamp() for c in emulator.api_requests()
            if c["path"].startswith(path_start)]


def joined(emulator) -> None:
    emulator.join(demo.GROUP)


def member_joined(emulator) -> None:
    emulator.member_joined(demo.GROUP, [demo.NEWCOMER])


@pytest.mark.parametrize("counted_on", [joined, member_joined], ids=["bot joins", "a member joins"])
def test_a_slow_member_count_holds_up_no_other_event(emulator, emulator_server, services, counted_on):
    if counted_on is member_joined:
        emulator.join(demo.GROUP)  # a group the bot knows: a member joining changes what a push there costs
        deadline = time.monotonic() + 10
        while not answered_at(emulator, COUNT):  # the join's own count, read after its response
            assert time.monotonic() < deadline, "the join's member count was never asked"
            time.sleep(0.02)
    emulator.inject_fault(COUNT, status=None, delay_seconds=HOLD, count=1)
    joining = threading.Thread(target=counted_on, args=(emulator,))
    joining.start()
    deadline = time.monotonic() + 20
    while requests.get(f"{emulator_server}/_emulator/faults", timeout=10).json():  # the count is now held
        assert time.monotonic() < deadline, "the member count was never asked"
        time.sleep(0.02)
    assert emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 長者獨居需要關懷訪視").status == 200  # writes
    joining.join(30)
    replied = answered_at(emulator, "/v2/bot/message/reply")
    counted = answered_at(emulator, COUNT)
    assert replied and counted
    assert max(replied) < counted[-1]  # the request was answered while LINE was still counting
    assert len(counted) == (2 if counted_on is member_joined else 1)  # asked once per event
    with services.db.transaction() as session:  # and the count still arrived
        group = session.scalars(select(Group).where(Group.line_group_id == demo.GROUP)).one()
        assert group.member_count and group.member_count >= 9


QUOTA = "/v2/bot/message/quota"  # the quota and its consumption


def test_a_request_never_waits_for_lines_quota_reading(emulator, emulator_server, services):
    """No reading of the month's quota yet (or a stale one): the request is posted at once and LINE is
    asked after the response, while another event that writes is answered meanwhile."""
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    deadline = time.monotonic() + 10
    while not answered_at(emulator, COUNT):  # the bind's member count, read after its response
        assert time.monotonic() < deadline, "the bind's member count was never asked"
        time.sleep(0.02)
    emulator.inject_fault(QUOTA, status=None, delay_seconds=HOLD, count=1)
    assert emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 長者獨居需要關懷訪視").status == 200
    deadline = time.monotonic() + 20
    while requests.get(f"{emulator_server}/_emulator/faults", timeout=10).json():  # the reading is now held
        assert time.monotonic() < deadline, "LINE's quota was never read after the request"
        time.sleep(0.02)
    assert emulator.text(demo.POLICE, "說明").status == 200  # a command (it counts toward the rate limit: writes)
    time.sleep(HOLD + 0.5)
    card = answered_at(emulator, "/v2/bot/message/push")
    replied = answered_at(emulator, "/v2/bot/message/reply")
    read = answered_at(emulator, QUOTA)
    assert card and replied and read
    assert min(card) < min(read)  # the card went out before LINE was asked
    assert max(replied) < min(read) + HOLD  # 說明 answered while LINE was still reading
    with services.db.transaction() as session:  # and the reading arrived, in a transaction of its own
        assert session.scalar(select(QuotaSnapshot.read_at)) is not None
