"""One push rate for the channel: senders with their own connections share the slots of one row."""
from __future__ import annotations

import threading

from bot.db import Database
from bot.pacing import SharedPacer


def test_two_processes_worth_of_senders_never_share_a_slot(services, config):
    rate = 200.0
    hosts = [SharedPacer(Database(config.database_url), rate) for _ in range(2)]
    slots: list[float] = []
    lock = threading.Lock()

    def send(pacer: SharedPacer) -> None:
        for _ in range(25):
            slot, _now = pacer.reserve_slot()
            with lock:
                slots.append(slot)

    threads = [threading.Thread(target=send, args=(pacer,)) for pacer in hosts for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for pacer in hosts:
        pacer._db.dispose()
    slots.sort()
    gaps = [later - earlier for earlier, later in zip(slots, slots[1:])]
    assert len(slots) == 150
    assert min(gaps) >= 1 / rate - 1e-6  # every reservation got a slot of its own, spaced by the rate
    # Reserved back to back, the slots run ahead of the clock: the last one is ~150 intervals after the first.
    assert slots[-1] - slots[0] >= 149 / rate - 1e-6


def test_a_sender_waits_for_its_slot_and_no_limit_means_no_wait(services, config):
    waited: list[float] = []
    pacer = SharedPacer(services.db, 0.5, sleep=waited.append)  # one push every two seconds
    first, second = pacer.wait(), pacer.wait()
    assert first == 0.0 and 0 < second <= 2 + 1e-6  # the second push waits for the rest of the interval
    assert waited == [second]
    unlimited = SharedPacer(services.db, 0, sleep=lambda s: (_ for _ in ()).throw(AssertionError("slept")))
    assert unlimited.wait() == 0.0
