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

