"""An event expected to only read (group chatter, a sticker) that writes after all writes whole or not at all.

On PostgreSQL such an event runs without BEGIN and COMMIT (each statement on its own, which saves two
round trips of three), so a write there would commit alone; it is refused before it is sent, and the
webhook runs the event again in a transaction. On SQLite the transaction is real and begins deferred.
"""
from __future__ import annotations

from contextlib import nullcontext

import pytest
from sqlalchemy import select, text

from bot.db import Database, WroteWhileReading


def _reading(db: Database, *statements: str) -> tuple[bool, int, list[object]]:
    """Run the statements in a transaction expected to only read.

    Returns whether a write was refused, the rows the table holds afterwards, and what each SELECT read.
    """
    with db.transaction() as session:
        session.execute(text("DROP TABLE IF EXISTS read_only_marks"))
        session.execute(text("CREATE TABLE read_only_marks (who VARCHAR(10))"))
    refused, read = False, []
    try:
        with db.transaction(writes=False) as session:
            for statement in statements:
                result = session.execute(text(statement))
                if statement.startswith("SELECT"):
                    read.append(result.scalar())
    except WroteWhileReading:
        refused = True
    with db.transaction() as session:
        rows = session.execute(text("SELECT count(*) FROM read_only_marks")).scalar()
        session.execute(text("DROP TABLE read_only_marks"))
    return refused, rows, read


def test_a_read_only_transaction_that_writes_is_never_half_written(database_url: str) -> None:
    db = Database(database_url)
    try:
        refused, rows, read = _reading(db, "SELECT count(*) FROM read_only_marks",
                                       "INSERT INTO read_only_marks (who) VALUES ('first')",
                                       "INSERT INTO read_only_marks (who) VALUES ('second')")
        assert read == [0]
        assert refused == db.is_postgres
        assert rows == (0 if db.is_postgres else 2)
    finally:
        db.dispose()


def test_a_read_only_transaction_that_fails_after_reading_leaves_the_connection_usable(database_url: str) -> None:
    db = Database(database_url)
    try:
        with pytest.raises(ValueError):
            with db.transaction(writes=False) as session:
                session.execute(text("SELECT 1"))
                raise ValueError("a handler's bug")
        with db.transaction() as session:
            assert session.execute(text("SELECT 2")).scalar() == 2
    finally:
        db.dispose()


def test_a_write_inside_a_with_clause_is_refused_too(database_url: str) -> None:
    """A WITH may carry an INSERT: on PostgreSQL only a plain SELECT passes the read-only connection."""
    db = Database(database_url)
    try:
        refused, rows, _ = _reading(db, "WITH added AS (SELECT 'cte' AS who) INSERT INTO read_only_marks (who) "
                                        "SELECT who FROM added")
        assert refused == db.is_postgres
        assert rows == (0 if db.is_postgres else 1)  # SQLite's read transaction is a real one: whole or nothing
    finally:
        db.dispose()


def test_a_core_write_counts_as_written_so_its_event_is_recorded(database_url: str) -> None:
    """The webhook records an event (and so ignores its redelivery) when its transaction wrote: a statement
    sent through `bot.db.write`, past the ORM, must count as much as a flush."""
    from bot.db import has_written, write
    db = Database(database_url)
    try:
        with db.transaction() as session:
            session.execute(text("DROP TABLE IF EXISTS read_only_marks"))
            session.execute(text("CREATE TABLE read_only_marks (who VARCHAR(10))"))
        with db.transaction() as session:
            assert not has_written(session)
            write(session, text("INSERT INTO read_only_marks (who) VALUES ('core')"))
            assert has_written(session)
        with db.transaction() as session:
            assert session.execute(text("SELECT count(*) FROM read_only_marks")).scalar() == 1
            session.execute(text("DROP TABLE read_only_marks"))
    finally:
        db.dispose()


def test_a_changed_object_in_a_read_only_transaction_is_refused_not_dropped(database_url: str) -> None:
    """On PostgreSQL a read-only transaction commits nothing at its end (each statement committed as it ran);
    an object changed in it is still flushed, and refused, so its event runs again instead of losing the change."""
    from models.base import utcnow
    from models.rate_limits import RateWindow

    db = Database(database_url)
    try:
        with db.transaction() as session:
            session.add(RateWindow(user_id="Uread-only-change", window_start=utcnow(), count=1))
        with pytest.raises(WroteWhileReading) if db.is_postgres else nullcontext():
            with db.transaction(writes=False) as session:
                row = session.scalars(select(RateWindow).where(RateWindow.user_id == "Uread-only-change")).one()
                row.count = 2
        with db.transaction() as session:
            row = session.scalars(select(RateWindow).where(RateWindow.user_id == "Uread-only-change")).one()
            assert row.count == (1 if db.is_postgres else 2)
            session.delete(row)
    finally:
        db.dispose()
