"""Reads from LINE never hold the database: a slow member count on join does not make others wait.

On SQLite a write transaction holds the file's write lock from its first statement. The member
count asked on join, on bind and when a member joins or leaves used to be read inside the event's
transaction, so while LINE took its time every other event that writes waited behind it (and a
member's join, answered late, was counted again). The count is now read after the response, and
written in a transaction of its own. So is the month's quota when a request finds its reading stale,
and when 額度 or the console's quota page asks for LINE's own figure.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest
import requests
from sqlalchemy import select

from models.quota import QuotaSnapshot
from models.roster import Contact, ContactStatus, Group
from tests import demo
from tests.resilience.test_scheduler_kill import wait_for

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
        # the join's own count, read after its response
        wait_for(lambda: answered_at(emulator, COUNT), 10, "the join's member count to be asked")
    emulator.inject_fault(COUNT, status=None, delay_seconds=HOLD, count=1)
    joining = threading.Thread(target=counted_on, args=(emulator,))
    joining.start()
    _once_line_holds(emulator_server, "member count")  # the count is now held
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


def _bound_and_counted(emulator) -> None:
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    # the bind's member count, read after its response
    wait_for(lambda: answered_at(emulator, COUNT), 10, "the bind's member count to be asked")


def _once_line_holds(emulator_server: str, what: str = "quota") -> float:
    """Wait until LINE has been asked (and takes HOLD seconds to answer); return when."""
    wait_for(lambda: not requests.get(f"{emulator_server}/_emulator/faults", timeout=10).json(), 20,
             f"LINE to be asked for the {what}")
    return time.time()


def _posted_while_line_reads(emulator, held_since: float) -> None:
    """A 求助 (it writes) goes out to the group while LINE is still answering."""
    assert emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 長者獨居需要關懷訪視").status == 200
    wait_for(lambda: answered_at(emulator, "/v2/bot/message/push"), HOLD + 10, "the request's card to go out")
    assert min(answered_at(emulator, "/v2/bot/message/push")) < held_since + HOLD / 2  # not after LINE's answer


def test_a_request_never_waits_for_lines_quota_reading(emulator, emulator_server, services):
    """No reading of the month's quota yet (or a stale one): the request is posted at once and LINE is
    asked after the response, while another event that writes is answered meanwhile.

    (The test server finishes an event's after-response work before answering the emulator, so the
    request is sent from a thread of its own: it returns once LINE has answered the quota.)"""
    _bound_and_counted(emulator)
    emulator.inject_fault(QUOTA, status=None, delay_seconds=HOLD, count=1)
    asking = threading.Thread(target=emulator.text, args=(demo.SOCIAL_WORKER, "求助 @衛生局 長者獨居需要關懷訪視"))
    asking.start()
    _once_line_holds(emulator_server)
    assert emulator.text(demo.POLICE, "說明").status == 200  # a command (it counts toward the rate limit: writes)
    asking.join(30)
    card = answered_at(emulator, "/v2/bot/message/push")
    replied = answered_at(emulator, "/v2/bot/message/reply")
    read = answered_at(emulator, QUOTA)  # when LINE answered
    assert card and replied and read
    assert min(card) < min(read) - HOLD / 2  # the card went out before LINE was asked
    assert max(replied) < min(read)  # 說明 answered while LINE was still reading
    with services.db.transaction() as session:  # and the reading arrived, in a transaction of its own
        assert session.scalar(select(QuotaSnapshot.read_at)) is not None


def test_quota_in_chat_asks_line_outside_the_commands_transaction(emulator, emulator_server, services):
    """額度 shows LINE's own figure, asked once the command committed: while LINE takes its time a 求助 is
    posted (on SQLite the command's transaction, which counts it toward the rate limit, holds the one write
    lock: asked inside it, LINE's answer held every writer)."""
    _bound_and_counted(emulator)
    emulator.configure(plan="light")
    emulator.inject_fault(QUOTA, status=None, delay_seconds=HOLD, count=1)
    asking = threading.Thread(target=emulator.text, args=(demo.SECRETARIAT, "額度"))
    asking.start()
    _posted_while_line_reads(emulator, _once_line_holds(emulator_server))
    asking.join(30)
    wait_for(lambda: any("訊息額度" in said for said in emulator.texts(to=demo.SECRETARIAT)), HOLD + 10,
             "額度 to be answered")
    shown = next(said for said in emulator.texts(to=demo.SECRETARIAT) if "訊息額度" in said)
    assert "訊息額度：3,000 則" in shown  # LINE's figure, read for this question
    answer = [d for d in emulator.deliveries(to=demo.SECRETARIAT) if "訊息額度" in str(d)][-1]
    assert answer["kind"] == "reply"  # still free


def test_the_consoles_quota_page_asks_line_outside_its_transaction(emulator, emulator_server, services, client):
    """The console's 訊息額度 reads LINE before its transaction opens: a 求助 is posted meanwhile."""
    from tests.console.people import district_id
    from tests.console.signin import sign_in
    _bound_and_counted(emulator)
    sign_in(client, demo.SECRETARIAT)
    emulator.configure(plan="light")
    emulator.inject_fault(QUOTA, status=None, delay_seconds=HOLD, count=1)
    pages: list[str] = []
    opening = threading.Thread(target=lambda: pages.append(
        client.get(f"/console/{district_id(services)}/quota/").get_data(as_text=True)))
    opening.start()
    _posted_while_line_reads(emulator, _once_line_holds(emulator_server))
    opening.join(30)
    assert pages and "方案額度：<strong>3,000 則</strong>" in pages[0]


PROFILE = "/v2/bot/profile/"


def test_registration_asks_line_for_the_name_outside_any_transaction(emulator, emulator_server, services):
    """註冊 asks LINE for the applicant's display name after its response, long before the application is
    sent: while LINE takes its time a 求助 is posted, and sending the application asks LINE nothing more
    (it used to ask then, inside the application's transaction)."""
    _bound_and_counted(emulator)
    with services.db.transaction() as session:  # a contact who left registers again, under their LINE name
        returning = session.scalars(select(Contact).where(Contact.line_user_id == demo.FIRE)).one()
        returning.status, returning.display_name = ContactStatus.INACTIVE, ""
    emulator.inject_fault(PROFILE, status=None, delay_seconds=HOLD, count=1)
    registering = threading.Thread(target=emulator.text, args=(demo.FIRE, "註冊"))
    registering.start()
    _posted_while_line_reads(emulator, _once_line_holds(emulator_server, "profile"))
    registering.join(30)
    emulator.text(demo.FIRE, "中壢區")
    emulator.text(demo.FIRE, "衛生所")
    assert "已送出註冊申請" in emulator.texts(to=demo.FIRE)[-1]
    assert len(answered_at(emulator, PROFILE)) == 1  # asked once, after 註冊's response
    with services.db.transaction() as session:
        applied = session.scalars(select(Contact).where(Contact.line_user_id == demo.FIRE)).one()
        assert (applied.status, applied.display_name) == (ContactStatus.PENDING, "張小隊長")
    assert "張小隊長" in emulator.texts(to=demo.SECRETARIAT)[-1]  # the approval card names the applicant
