"""LINE's loading animation in a 1:1 chat, shown only when the answer is slow to come.

A 求助 is answered once LINE has taken its card, usually within a fraction of a second: an animation
started first would only flash, and costs a call to LINE per request. So it starts only if nothing has
reached the chat after `SLOW_AFTER` seconds (LINE slow to take the card, a worker behind). Anything sent
to the chat first settles it: the timer is cancelled, or, if the animation's call is under way, waited
for. The animation then never starts after the answer, where it would spin on for its full length (LINE
ends it when a message arrives, not before one).
"""
from __future__ import annotations

import threading
from typing import Any

from bot.gateway import Forwarding, Gateway, SendResult

SLOW_AFTER = 1.0  # seconds; a wait people begin to notice


class LoadingWhileSlow(Forwarding):
    """The gateway for one event's delivery to a 1:1 chat: starts the animation if the answer is slow."""

    def __init__(self, inner: Gateway, chat_id: str, after: float = SLOW_AFTER) -> None:
        super().__init__(inner)
        self.chat_id = chat_id
        self._lock = threading.Lock()
        self._settled = False
        self._timer = threading.Timer(after, self._show)
        self._timer.daemon = True
        self._timer.start()

    def _show(self) -> None:
        with self._lock:
            if not self._settled:
                self._settled = True
                self.inner.show_loading(self.chat_id)

    def settle(self) -> None:
        """From now on the animation does not start (or has finished starting)."""
        self._timer.cancel()
        with self._lock:
            self._settled = True

    def reply(self, reply_token: str, messages: list[dict[str, Any]]) -> SendResult:
        self.settle()  # the event's reply token answers its own chat
        return self.inner.reply(reply_token, messages)

    def push(self, to: str, messages: list[dict[str, Any]], retry_key: str) -> SendResult:
        if to == self.chat_id:
            self.settle()
        return self.inner.push(to, messages, retry_key)
