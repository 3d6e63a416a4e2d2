"""The route table: one owner per command, fixed precedence, polite refusals."""
from __future__ import annotations

import pytest

from app import capabilities
from bot.events import EventKind, Inbound
from bot.router import Capability, DuplicateRoute, Route, build


def _noop(event, ctx):
    return []


def test_the_real_table_builds_without_duplicates():
    router = build(capabilities())
    assert {"說明", "註冊", "綁定", "資源", "求助"} <= set(router.commands)


def test_two_routes_for_one_command_fail_loudly():
    first = Capability("a", routes=(Route(_noop, commands=("說明",)),))
    second = Capability("b", routes=(Route(_noop, commands=("說明",)),))
    with pytest.raises(DuplicateRoute, match="說明"):
        build([first, second])


def test_two_capabilities_cannot_share_a_postback_action():
    with pytest.raises(DuplicateRoute, match="claim"):
        build([Capability("a", routes=(Route(_noop, action="claim"),)),
               Capability("b", routes=(Route(_noop, action="claim"),))])


@pytest.mark.parametrize("said, command, argument", [
    ("求助 緊急 @衛生局 需要協助", "求助", "緊急 @衛生局 需要協助"),
    ("  綁定   中壢區 ", "綁定", "中壢區"),
    ("/help", "help", ""),
    ("", "", ""),
])
def test_command_word_and_argument(said, command, argument):
    event = Inbound(EventKind.TEXT, webhook_event_id="e", event_type="message", text=said)
    assert (event.command, event.argument) == (command, argument)



@pytest.mark.parametrize("said, in_group, writes", [
    ("收到，謝謝", True, False),  # chatter only reads
    ("案母手機0911222333，請協助聯繫", True, True),  # the group screen will audit it
    ("案母手機0911222333，請協助聯繫", False, False),  # 1:1 chatter is not screened as a group text
    ("說明", True, True),  # a command counts against the rate limit
])
def test_which_events_take_sqlites_write_lock_up_front(said, in_group, writes):
    event = Inbound(EventKind.TEXT, webhook_event_id="e", event_type="message", text=said, user_id="U1",
                    group_id="C1" if in_group else None)
    assert build(capabilities()).expects_writes(event) is writes
