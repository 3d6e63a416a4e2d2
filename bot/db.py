"""The database: one engine and session factory per app or scheduler, built by the factory, never at import."""
from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator, TypeVar, cast

from sqlalchemy import create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.orm import ORMExecuteState, Session, make_transient_to_detached, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql import Executable


def changed_rows(session: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE and return how many rows it changed."""
    # Session.execute is typed as returning a plain Result; a DML statement's is a CursorResult.
    return cast(CursorResult[Any], session.execute(statement)).rowcount or 0


def insert_on_conflict(dialect: str, table: Any) -> Any:
    """An INSERT that can say what to do ON CONFLICT: the construct is each backend's own (both have one)."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


AUTOCOMMIT = "autocommit_engine"  # session.info key: the pool of the session's database that commits each statement


@contextmanager
def autocommit(session: Session) -> Iterator[Connection]:
    """A connection of the session's database on which each statement is its own transaction, committed at once.

    For a single write that must not wait for (or hold its lock until) a longer transaction: one round
    trip instead of BEGIN, the statement and COMMIT. PostgreSQL only; SQLite's writers take turns instead.
    """
    engine = session.info.get(AUTOCOMMIT)
    if engine is None:  # a session made outside Database: switch one of its own connections instead
        engine = cast(Engine, session.get_bind()).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        yield connection


# Whether the transaction being opened (in this thread) expects to write; only SQLite acts on it.
_WRITES: ContextVar[bool] = ContextVar("writes", default=True)


class WroteWhileReading(Exception):
    """A PostgreSQL transaction opened as read-only was about to write; nothing was written (run it again)."""


def _refuse_writes(conn: Connection, _cursor: Any, statement: str, _parameters: Any, context: Any, _many: bool) -> None:
    """On a read-only (autocommit) connection each statement commits at once, so a write would not be atomic.

    A statement run with `reads_only=False` is a write that commits on its own by design (the rate-limit count).
    Only a plain SELECT passes: a WITH may carry an INSERT or UPDATE, so it is refused too (and the event
    runs again in a transaction, which costs time, never correctness).
    """
    options = context.execution_options if context is not None else conn.get_execution_options()
    if options.get("reads_only") and not statement.lstrip()[:6].upper().startswith("SELECT"):
        raise WroteWhileReading(statement.split(None, 1)[0] if statement.strip() else "")


def build_engine(url: str, autocommit: bool = False) -> Engine:
    """Create an engine with settings that suit each backend (`autocommit`: PostgreSQL connections that stay in
    autocommit, with nothing to roll back when they return to the pool)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # No pool_pre_ping: it costs a round trip per checkout. A connection found dead is invalidated
    # (with the rest of the pool) and the webhook retries the event once on a fresh one.
    options: dict[str, Any] = {"isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None} if autocommit else {}
    engine = create_engine(url, pool_size=5, max_overflow=5, **options)
    event.listen(engine, "before_cursor_execute", _refuse_writes)
    return engine


def _sqlite_begin(conn: Any) -> None:
    """SQLite takes its write lock lazily: BEGIN IMMEDIATE makes writers queue for it instead of failing.

    A transaction expected to only read begins deferred (WAL readers never wait), so it does not queue
    behind every writer. If it writes after all and another writer got there first, SQLite refuses at
    once (SQLITE_BUSY, see `lost_write_race`) and the caller runs it again expecting writes.
    """
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _WRITES.get() else "BEGIN")


def lost_write_race(exc: BaseException) -> bool:
    """A transaction begun as read-only on SQLite wrote while another writer held, or had moved, the data."""
    return str(getattr(getattr(exc, "orig", None), "sqlite_errorname", "")).startswith("SQLITE_BUSY")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # let the "begin" listener above issue BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def has_written(session: Session) -> bool:
    """Whether this transaction changed anything (flushed, pending, or a bulk INSERT/UPDATE/DELETE)."""
    return bool(session.info.get("wrote") or session.new or session.dirty or session.deleted)


T = TypeVar("T")


def write(session: Session, statement: Executable, params: Any = None) -> CursorResult[Any]:
    """Run a Core INSERT or UPDATE on the session's connection, and note that the transaction wrote.

    For the statements of the busiest paths (a 求助, a push's record): the ORM's handling of a statement
    costs about 0.1-0.2 ms of CPU more, for nothing when no object in the session needs to see it. There
    is no autoflush either: only for statements that read nothing the session holds unflushed.
    """
    session.info["wrote"] = True
    return cast(CursorResult[Any], session.connection().execute(statement, params))


def as_loaded(session: Session, row: T, **related: Any) -> T:
    """Put a row just written with Core in the session as if loaded from it (every column given), with the
    `related` objects it refers to, so reading it back costs no query."""
    make_transient_to_detached(row)
    session.add(row)
    for name, value in related.items():
        set_committed_value(row, name, value)
    return row


def _note_flush(session: Session, _flush_context: Any) -> None:
    session.info["wrote"] = True


def _note_dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["wrote"] = True


class Database:
    """Owns the engine and hands out transactional sessions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = build_engine(url)
        # On PostgreSQL, what commits each statement on its own (lookups, the rate-limit count, the shared pace)
        # has a pool of its own, whose connections stay in autocommit: switching a pooled connection into
        # autocommit and back at each checkout cost about as much CPU as the statement it ran (88 of 188 us).
        self.autocommit_engine = build_engine(url, autocommit=True) if self.is_postgres else self.engine
        self._writers = WriterTurns(_sqlite_file(url))  # see _queue
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, info={AUTOCOMMIT: self.autocommit_engine})
        # PostgreSQL, expected to only read: no BEGIN and no COMMIT (two round trips of three for a lookup).
        # Read committed already gives each statement its own snapshot, so reads see what they saw before.
        self._reading = sessionmaker(self.autocommit_engine.execution_options(reads_only=True), expire_on_commit=False,
                                     info={AUTOCOMMIT: self.autocommit_engine}) if self.is_postgres else self.sessions
        for factory in {self.sessions, self._reading}:
            event.listen(factory, "after_flush", _note_flush)
            event.listen(factory, "do_orm_execute", _note_dml)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self, writes: bool = True) -> Iterator[Session]:
        """Open a session in a transaction: commit on success, roll back on any error.

        `writes=False`: the transaction is expected to only read. On SQLite it begins deferred; if it
        writes after all it may raise an OperationalError that `lost_write_race` recognises. On PostgreSQL
        each statement runs on its own (no BEGIN, no COMMIT, locks released at once; nor the session's own
        commit, which cost as much as the lookup it ended); a write is refused before it is sent
        (`WroteWhileReading`), so nothing is half-written and the caller runs it again.
        """
        if not writes and self.is_postgres:
            with self._reading() as session:
                yield session
                # Nothing to commit: each statement committed as it ran. An object changed after all is
                # flushed, and its first statement refused (WroteWhileReading), as a commit would.
                if session.new or session.dirty or session.deleted:
                    session.flush()
            return
        token = _WRITES.set(writes)
        try:
            with self._queue(writes), (self.sessions if writes else self._reading)() as session:
                with session.begin():
                    yield session
        finally:
            _WRITES.reset(token)

    @contextmanager
    def _queue(self, writes: bool) -> Iterator[None]:
        """On SQLite, writers take turns (WriterTurns) before asking for the write lock; readers never wait."""
        if not writes or self.is_postgres:
            yield
            return
        with self._writers.turn():
            yield

    @contextmanager
    def one_write(self) -> Iterator[Connection]:
        """A connection for one short write committed at once, outside any session (the shared pace, last-seen).

        On PostgreSQL each statement is its own transaction (`autocommit`: one round trip, not three); on
        SQLite the write waits in the writers' queue first, like any transaction that writes.
        """
        if self.is_postgres:
            with self.autocommit_engine.connect() as connection:
                yield connection
            return
        with self._writers.turn(), self.engine.begin() as connection:
            yield connection

    def ping(self) -> None:
        """Raise if the database cannot be reached."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def replace_connections(self) -> None:
        """After a connection was found dead (the database restarted): both pools start afresh, so the next
        statement does not meet the other pool's dead connection."""
        self.autocommit_engine.dispose()
        if self.autocommit_engine is not self.engine:
            self.engine.dispose()

    def dispose(self) -> None:
        self.replace_connections()


def _sqlite_file(url: str) -> str | None:
    """The database file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[1].split("?", 1)[0] if "///" in url else ""
    return None if path in ("", ":memory:") else path


class WriterTurns:
    """SQLite's writers take turns here, the moment the previous one commits, instead of polling for the lock.

    SQLite's busy handler polls with growing sleeps (up to 100 ms), so writers that wait for its lock
    wake late and in no order. Threads of one process queue on a lock; processes (gunicorn's workers,
    the scheduler) on an exclusive file lock beside the database, which the kernel hands to the next
    waiter at once and drops if its holder dies. The turn spans the transaction, as SQLite's own write
    lock does, so nobody waits longer than before.
    """

    def __init__(self, database_file: str | None) -> None:
        self._threads = threading.RLock()
        self._depth = 0  # nested turns of the thread holding _threads
        self._path = f"{database_file}-writers" if database_file else None
        self._fd: int | None = None
        self._pid = 0

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._threads:
            fd = self._file() if self._depth == 0 else None
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)

    def _file(self) -> int | None:
        """This process's own descriptor of the lock file: one inherited across fork would share the lock."""
        if self._path is None:
            return None
        if self._fd is None or self._pid != os.getpid():
            self._fd, self._pid = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
        return self._fd
