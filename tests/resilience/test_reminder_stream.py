"""A reminder burst streams: the first pushes leave while the rest is still being rendered, each once."""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone

from sqlalchemy import func, select

from models.reminders import Reminder, ReminderState
from scheduler.runner import tick
from tests import demo
from tests.resilience.test_scheduler_kill import PUSH, schedule_due_reposts, wait_for

BURST = 400  # four batches: the sender is never more than one batch behind the renderer
HOLD = 0.01  # seconds the emulator keeps each push: sending is slower than rendering, as under the rate


def still_scheduled(services) -> int:
    with services.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Reminder)
                              .where(Reminder.state == ReminderState.SCHEDULED)) or 0


def test_a_burst_is_sent_while_it_is_rendered(group, emulator, services, clock):
    clock.set(datetime.now(timezone.utc))  # the re-posts are due in real time
    numbers = schedule_due_reposts(services, BURST)
    emulator.inject_fault(PUSH, status=None, delay_seconds=HOLD, count=BURST)
    services.config = replace(services.config, line_push_rate=0)
    ticking = threading.Thread(target=tick, args=(services,))
    ticking.start()
    try:
        wait_for(lambda: len(emulator.deliveries(to=demo.GROUP)) >= 1, 120, "the first re-post")
        # Before streaming, every reminder was rendered before the first push; now most still wait.
        assert still_scheduled(services) >= BURST // 4
    finally:
        ticking.join(120)
    assert still_scheduled(services) == 0
    texts = " ".join(emulator.texts(to=demo.GROUP))
    assert Counter(texts.count(f"求助 {number}（") for number in numbers) == Counter({1: BURST})
    assert len([c for c in emulator.api_requests() if c["path"] == PUSH]) == BURST  # nothing sent twice
