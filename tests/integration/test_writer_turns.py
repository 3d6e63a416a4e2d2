"""On SQLite, writers of different processes (gunicorn's workers, the scheduler) take turns on one queue.

They used to meet only in SQLite's busy handler, which polls with sleeps of up to 100 ms; now the
next writer's turn begins when the previous one's ends. What is checked here is the order: a second
process's writer never starts while the first one's transaction is open, and then it does start.
"""
from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from sqlalchemy import text

from bot.db import Database


def _write_after_signal(url: str, started: "multiprocessing.synchronize.Event", log: str) -> None:
    db = Database(url)
    started.set()
    with db.transaction() as session:
        Path(log).open("a").write("second in\n")
        session.execute(text("INSERT INTO marks (who) VALUES ('second')"))
    db.dispose()


def test_a_writer_in_another_process_waits_for_the_turn_then_gets_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'turns.sqlite3'}"
    log = tmp_path / "order.log"
    first = Database(url)
    with first.transaction() as session:
        session.execute(text("CREATE TABLE marks (who TEXT)"))
    context = multiprocessing.get_context("spawn")  # a process of its own, as a second worker is
    started = context.Event()
    with first.transaction() as session:
        session.execute(text("INSERT INTO marks (who) VALUES ('first')"))
        other = context.Process(target=_write_after_signal, args=(url, started, str(log)))
        other.start()
        assert started.wait(10)
        time.sleep(0.3)  # long enough for the other process to have reached its turn
        assert not log.exists()  # it waits outside, not inside SQLite's lock
        log.open("a").write("first out\n")
    other.join(30)
    assert other.exitcode == 0
    assert log.read_text().splitlines() == ["first out", "second in"]
    with first.transaction() as session:
        assert list(session.execute(text("SELECT who FROM marks ORDER BY rowid")).scalars()) == ["first", "second"]
    first.dispose()


def test_a_forked_process_does_not_share_its_parents_turn(tmp_path: Path) -> None:
    """Under gunicorn's --preload the app is built before the workers are forked: a lock file descriptor
    inherited across the fork would make parent and child one holder, and both would write at once."""
    url = f"sqlite:///{tmp_path / 'fork.sqlite3'}"
    log = tmp_path / "order.log"
    shared = Database(url)
    with shared.transaction() as session:  # the parent opens its descriptor before forking
        session.execute(text("CREATE TABLE marks (who TEXT)"))
    context = multiprocessing.get_context("fork")
    go = context.Event()

    def child() -> None:
        shared.engine.dispose(close=False)  # SQLAlchemy's rule after a fork: fresh connections in the child
        assert go.wait(10)
        with shared.transaction() as session:
            log.open("a").write("child in\n")
            session.execute(text("INSERT INTO marks (who) VALUES ('child')"))

    process = context.Process(target=child)
    process.start()
    with shared.transaction():
        go.set()
        time.sleep(0.3)
        assert not log.exists()
        log.open("a").write("parent out\n")
    process.join(30)
    assert process.exitcode == 0
    assert log.read_text().splitlines() == ["parent out", "child in"]
    shared.dispose()
