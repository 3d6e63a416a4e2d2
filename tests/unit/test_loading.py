"""The loading animation starts only when an answer is slow, and never after the answer."""
from __future__ import annotations

import threading
import time
from typing import Any

from bot.gateway import SendResult
from bot.loading import LoadingWhileSlow

CHAT = "U" + "1" * 32


class Calls:
    """A gateway that notes what reached LINE, in order; its loading call can be held to race the answer."""

    def __init__(self, hold_loading: float = 0.0) -> None:
        self.made: list[str] = []
        self.hold = hold_loading
        self.loading_began = threading.Event()

    def show_loading(self, chat_id: str, seconds: int = 20) -> None:
        self.loading_began.set()
        time.sleep(self.hold)
        self.made.append(f"loading {chat_id}")

    def reply(self, reply_token: str, messages: list[dict[str, Any]]) -> SendResult:
        self.made.append("reply")
        return SendResult("r")

    def push(self, to: str, messages: list[dict[str, Any]], retry_key: str) -> SendResult:
        self.made.append(f"push {to}")
        return SendResult("p")


def test_an_answer_in_time_means_no_animation():
    line = Calls()
    loading = LoadingWhileSlow(line, CHAT, after=0.5)  # type: ignore[arg-type]
    loading.push("C" + "2" * 32, [], "k")  # the card to the group does not answer the chat
    loading.reply("token", [])
    time.sleep(0.8)
    assert line.made == ["push C" + "2" * 32, "reply"]


def test_a_slow_answer_comes_after_the_animation():
    line = Calls()
    loading = LoadingWhileSlow(line, CHAT, after=0.05)  # type: ignore[arg-type]
    assert line.loading_began.wait(2)
    loading.push(CHAT, [], "k")
    loading.settle()
    assert line.made == [f"loading {CHAT}", f"push {CHAT}"]


def test_an_answer_racing_the_animation_waits_for_it_to_start():
    line = Calls(hold_loading=0.2)  # LINE slow to take the animation's call
    loading = LoadingWhileSlow(line, CHAT, after=0.01)  # type: ignore[arg-type]
    assert line.loading_began.wait(1)
    loading.reply("token", [])
    assert line.made == [f"loading {CHAT}", "reply"]
