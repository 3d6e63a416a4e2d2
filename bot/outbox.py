"""The outbox: messages are written in the event's (or job's) transaction and delivered after commit.

A row is claimed before it is sent (status `sending` with a lease), so two workers or two
schedulers never send it at once; a crash while sending leaves the lease to expire and the
row is sent again with the same retry key, which LINE answers with 409 (already delivered).
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Iterable, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from bot import ledger
from bot.db import Database, as_loaded, insert_on_conflict, write
from bot.gateway import Gateway, InvalidReplyToken, LineError, SendResult
from bot.messages import FollowUps, Message, Outbound
from models.outbox import OutboxKind, OutboxMessage, OutboxStatus
from models.roster import Group

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(minutes=10)


@lru_cache(maxsize=2)
def _keyed_insert(dialect: str) -> Any:
    """INSERT ... ON CONFLICT (dedupe_key) DO NOTHING RETURNING the new id, built once per dialect.

    Only the id comes back: returning the whole row would decrypt the bodies just encrypted.
    """
    insert = insert_on_conflict(dialect, OutboxMessage)
    return insert.on_conflict_do_nothing(index_elements=[OutboxMessage.dedupe_key]).returning(OutboxMessage.id)


def _insert_once(session: Session, fields: dict[str, Any]) -> OutboxMessage | None:
    """Write a keyed message unless its key was used: one statement instead of a lookup and an INSERT.

    A racing event with the same key (LINE redelivering while the first is still handled) no longer
    fails at commit on the unique key: one of the two writes the row, the other gets None. The row
    is then put in the session as if loaded, from what was written (so reading it costs no query).
    """
    fields = {**fields, "retry_key": str(uuid.uuid4())}
    row_id = write(session, _keyed_insert(session.get_bind().dialect.name), fields).scalar()
    if row_id is None:
        return None
    return as_loaded(session, OutboxMessage(id=row_id, last_error=None, line_request_id=None, sent_at=None,
                                            bundled_into=None, **fields))


def enqueue(session: Session, outbound: Outbound, *, chat_id: str | None, reply_token: str | None,
            now: datetime, claimed: bool = False, bundle_window: timedelta = timedelta(0)) -> OutboxMessage | None:
    """Record one logical message; returns None when its dedupe key was already used.

    `claimed` rows are leased to the caller, who sends them right after commit (see enqueue_claimed).
    A routine (not urgent) push to a group waits `bundle_window` for others to the same group, and is
    then sent with them as one push by the relay (bot/digest.py): it is never claimed.
    """
    waits = bool(bundle_window) and outbound.to is not None and outbound.to.startswith(("C", "R")) \
        and not outbound.urgent
    claimed = claimed and not waits
    as_reply = outbound.to is None and reply_token is not None
    to = outbound.to or chat_id
    if to is None:
        raise ValueError("a reply needs the chat it answers")
    fields = dict(
        kind=OutboxKind.REPLY if as_reply else OutboxKind.PUSH,
        to=to,
        reply_token=reply_token if as_reply else None,
        fallback_to_push=outbound.push_if_reply_fails,
        messages=outbound.messages,
        dedupe_key=outbound.dedupe_key,
        status=OutboxStatus.SENDING if claimed else OutboxStatus.PENDING,
        attempts=1 if claimed else 0,
        next_attempt_at=now + LEASE if claimed else now + (bundle_window if waits else timedelta(0)),
        quota_cost=0 if as_reply else (outbound.group_cost_hint or push_cost(session, to)),
        created_at=now,
        follow_ups=_resolved(outbound.follow_ups, chat_id, reply_token),
        capability=outbound.capability,
        purpose=(outbound.purpose or "")[:60] or None,
        urgent=outbound.urgent,
    )
    if outbound.dedupe_key:
        return _insert_once(session, fields)
    row = OutboxMessage(**fields)
    session.add(row)
    if not claimed:  # claimed rows are flushed at commit, together: one INSERT for all of an event's rows
        session.flush()
    return row


def enqueue_claimed(session: Session, outbound: Outbound, *, chat_id: str | None, reply_token: str | None,
                    now: datetime, bundle_window: timedelta = timedelta(0)) -> OutboxMessage | None:
    """Enqueue a message the caller sends right after commit, already claimed (one transaction fewer).

    If the process dies before sending, the lease runs out and the relay sends it with its retry key.
    """
    return enqueue(session, outbound, chat_id=chat_id, reply_token=reply_token, now=now, claimed=True,
                   bundle_window=bundle_window)


def enqueue_claimed_all(session: Session, said: Iterable[Outbound], now: datetime, *, chat_id: str | None = None,
                        reply_token: str | None = None,
                        bundle_window: timedelta = timedelta(0)) -> list[OutboxMessage]:
    """Enqueue what an event, a job or an operator's command said; return the rows claimed for sending now.

    Routine group pushes wait for the relay instead (see `enqueue`).
    """
    rows = [enqueue_claimed(session, o, chat_id=chat_id, reply_token=reply_token, now=now,
                            bundle_window=bundle_window) for o in said]
    return [row for row in rows if row is not None and row.status == OutboxStatus.SENDING]


def send_claimed(db: Database, gateway: Gateway, rows: Iterable[OutboxMessage], now: datetime,
                 max_attempts: int = 6) -> None:
    """Send rows enqueued with `enqueue_claimed`, after their transaction committed; record all in one.

    What their outcome calls for (a confirmation once LINE accepted a 求助's card, a notice when it
    could not) is sent right after, the same way; a reply that a row's delivery calls for is sent
    before that delivery is recorded (`_reply_at_once`).
    """
    pending = list(rows)
    while pending:
        outcomes = [(row, _deliver(gateway, row)) for row in pending]
        answered = _reply_at_once(gateway, outcomes)
        with db.transaction() as session:
            pending = _record(session, outcomes, now, max_attempts, answered)


def reply_now(gateway: Gateway, reply_token: str, messages: list[Message]) -> None:
    """Answer at once, without an outbox row: for replies that may be lost with their token (bot/inbox.py)."""
    try:
        gateway.reply(reply_token, messages)
    except LineError as exc:  # the gateway logged LINE's status and request id
        log.warning("reply not delivered: %s", type(exc).__name__)


def merge_replies(said: list[Outbound]) -> list[Outbound]:
    """A reply token answers once: all replies of one event become one reply of up to five messages."""
    replies = [o for o in said if o.to is None]
    if len(replies) <= 1:
        return said
    messages = [m for o in replies for m in o.messages][:5]
    merged = Outbound(messages, push_if_reply_fails=any(o.push_if_reply_fails for o in replies))
    return [merged] + [o for o in said if o.to is not None]


def push_cost(session: Session, to: str) -> int:
    """A push costs one message per recipient: a group's member count, or one for a user."""
    if to.startswith(("C", "R")):
        count = session.scalar(select(Group.member_count).where(Group.line_group_id == to))
        return max(count or 1, 1)
    return 1


def relay_due(db: Database, gateway: Gateway, now: datetime, max_attempts: int, limit: int = 200) -> int:
    """Send every due row (new, retrying, or with an expired lease); return how many were tried."""
    with db.transaction() as session:
        due = select(OutboxMessage.id).where(
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
            OutboxMessage.next_attempt_at <= now,
        ).order_by(OutboxMessage.id).limit(limit)
        ids = list(session.scalars(due))
    tried = 0
    for row_id in ids:
        claimed, told = _claim(db, row_id, now, max_attempts)
        send_claimed(db, gateway, told, now, max_attempts)
        if claimed is not None:
            send_claimed(db, gateway, [claimed], now, max_attempts)
            tried += 1
    return tried


def _claim(db: Database, row_id: int, now: datetime,
           max_attempts: int = 6) -> tuple[OutboxMessage | None, list[OutboxMessage]]:
    """Lease a due row; a row out of attempts is failed instead, with what that calls for to send."""
    with db.transaction() as session:
        row = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.id == row_id,
                OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
                OutboxMessage.next_attempt_at <= now,
            ).with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return None, []
        if row.attempts >= max_attempts:
            row.status = OutboxStatus.FAILED
            row.last_error = (row.last_error or "") + " (gave up)"
            log.error("outbox %s gave up after %s attempts", row.id, row.attempts)
            return None, _follow_up(session, row, "failed", now)
        row.status = OutboxStatus.SENDING
        row.attempts += 1
        row.next_attempt_at = now + LEASE
        session.flush()
        session.expunge(row)
        return row, []


def _deliver(gateway: Gateway, row: OutboxMessage) -> SendResult | LineError:
    try:
        if row.kind == OutboxKind.REPLY:
            return gateway.reply(row.reply_token or "", row.messages)
        return gateway.push(row.to, row.messages, row.retry_key)
    except LineError as exc:
        return exc


# What became of the replies sent at once, by (outbox row id, index among its `sent` follow-ups):
# None when LINE took the reply, else the error it answered.
Answered = dict[tuple[int, int], LineError | None]


def _reply_at_once(gateway: Gateway, outcomes: list[tuple[OutboxMessage, SendResult | LineError]]) -> Answered:
    """Send the replies that delivered rows call for (a 求助's confirmation), before the delivery is recorded.

    The record then needs no row for them, and no transaction of their own to mark them sent. That gives
    up nothing: a reply has no retry key, so a reply row lost between LINE taking it and its record
    (a crash, the database away) would be sent again just the same. Only a row's lease running out
    while it is still being sent (2 minutes, against LINE's 10 s timeout) could let the relay answer
    as well. A row that failed before may have a "still trying" notice waiting: its follow-ups keep
    their rows, so that the record drops the notice before the confirmation can go (`_follow_up`).
    """
    answered: Answered = {}
    for row, outcome in outcomes:
        if not isinstance(outcome, SendResult) or _notice_may_wait(row):
            continue
        for index, item in enumerate((row.follow_ups or {}).get("sent") or []):
            if item["to"] is None and item["reply_token"]:
                try:
                    gateway.reply(item["reply_token"], item["messages"])
                    answered[(row.id, index)] = None
                except LineError as exc:
                    answered[(row.id, index)] = exc
    return answered


def _record(session: Session, outcomes: list[tuple[OutboxMessage, SendResult | LineError]], now: datetime,
            max_attempts: int, answered: Answered | None = None) -> list[OutboxMessage]:
    """Mark what went out as sent (one executemany) and what failed for a retry, a fallback or giving up.

    Returns the follow-ups those outcomes call for, claimed for sending after this transaction
    (except the replies already sent at once: `answered`).
    """
    sent = [_sent_values(row, outcome, now) for row, outcome in outcomes if isinstance(outcome, SendResult)]
    if sent:
        write(session, _MARK_SENT, sent)
        ledger.record(session, [row for row, outcome in outcomes
                                if isinstance(outcome, SendResult) and row.kind == OutboxKind.PUSH], now)
    told: list[OutboxMessage] = []
    for row, outcome in outcomes:
        if isinstance(outcome, LineError):
            told += _record_failure(session, row, outcome, now, max_attempts)
        else:
            told += _follow_up(session, row, "sent", now, answered)
    return told


# Built once: what went out, marked sent by id in one executemany (a Core statement: nothing in the
# session needs to see it).
_TABLE = cast(Table, OutboxMessage.__table__)
_MARK_SENT = update(_TABLE).where(_TABLE.c.id == bindparam("row_id"))


def _sent_values(row: OutboxMessage, outcome: SendResult, now: datetime) -> dict[str, object]:
    return {"row_id": row.id, "status": OutboxStatus.SENT, "sent_at": now, "line_request_id": outcome.request_id,
            "last_error": "duplicate retry key: already delivered" if outcome.duplicate else None}


def _record_failure(session: Session, row: OutboxMessage, exc: LineError, now: datetime,
                    max_attempts: int) -> list[OutboxMessage]:
    stored = session.get(OutboxMessage, row.id)
    assert stored is not None
    stored.last_error = f"{type(exc).__name__} {exc.status}"
    if stored.kind == OutboxKind.REPLY and stored.fallback_to_push and (
            isinstance(exc, InvalidReplyToken) or exc.retryable):
        # The reply token is spent or stale; what must arrive goes out as a push instead.
        stored.kind = OutboxKind.PUSH
        stored.reply_token = None
        stored.quota_cost = push_cost(session, stored.to)
        stored.status = OutboxStatus.PENDING
        stored.next_attempt_at = now
        return []
    if not exc.retryable or stored.kind == OutboxKind.REPLY or stored.attempts >= max_attempts:
        stored.status = OutboxStatus.FAILED
        log.error("outbox %s failed: %s", stored.id, stored.last_error)
        return _follow_up(session, stored, "failed", now)
    stored.status = OutboxStatus.PENDING
    stored.next_attempt_at = now + _backoff(stored.attempts, exc.retry_after)
    return _follow_up(session, stored, "delayed", now)


def _resolved(follow_ups: FollowUps | None, chat_id: str | None, reply_token: str | None) -> dict | None:
    """Follow-ups as stored with their row: each with the chat and reply token it answers."""
    if follow_ups is None:
        return None
    return {phase: [{"to": o.to, "chat": chat_id, "reply_token": reply_token, "messages": o.messages,
                     "fallback": o.push_if_reply_fails or o.to is None}
                    for o in getattr(follow_ups, phase)]
            for phase in ("sent", "delayed", "failed")}


def _follow_up(session: Session, row: OutboxMessage, phase: str, now: datetime,
               answered: Answered | None = None) -> list[OutboxMessage]:
    """Enqueue, claimed, what a row's outcome calls for; each at most once (keys derived from the row).

    Once the outcome is known (sent or failed), a "still trying" notice not yet delivered is dropped,
    so it can never arrive after the news it would contradict. A reply already sent at once needs
    nothing; one LINE refused then waits for the relay as a push, as a refused reply row would.
    """
    planned = (row.follow_ups or {}).get(phase) or []
    answered = answered or {}
    if phase != "delayed" and _notice_may_wait(row):
        session.execute(update(OutboxMessage).where(
            OutboxMessage.dedupe_key.like(f"{row.retry_key}:delayed:%"),
            OutboxMessage.status == OutboxStatus.PENDING).values(
            status=OutboxStatus.FAILED, last_error="superseded: the outcome was known first"))
    rows = []
    for index, item in enumerate(planned):
        outbound = Outbound(item["messages"], to=item["to"], push_if_reply_fails=item["fallback"],
                            dedupe_key=f"{row.retry_key}:{phase}:{index}")
        if (row.id, index) in answered:
            _after_reply_at_once(session, outbound, item, answered[(row.id, index)], now)
            continue
        told = enqueue(session, outbound, chat_id=item["chat"], reply_token=item["reply_token"], now=now,
                       claimed=True)
        if told is not None:
            rows.append(told)
    if rows:
        session.flush()
    return rows


def _notice_may_wait(row: OutboxMessage) -> bool:
    """Whether a "still trying" notice of this row may be queued: only a row that failed once (and so has
    an error noted) and plans one can have had it."""
    return row.last_error is not None and bool((row.follow_ups or {}).get("delayed"))


def _after_reply_at_once(session: Session, outbound: Outbound, item: dict[str, Any], refused: LineError | None,
                         now: datetime) -> None:
    """A reply sent at once: nothing more if LINE took it; else, if it must arrive, a push for the relay."""
    if refused is None:
        return
    if outbound.push_if_reply_fails and (isinstance(refused, InvalidReplyToken) or refused.retryable):
        enqueue(session, outbound, chat_id=item["chat"], reply_token=None, now=now)  # the gateway logged why
        return
    log.error("follow-up reply not delivered: %s %s", type(refused).__name__, refused.status)


def _backoff(attempts: int, retry_after: float | None) -> timedelta:
    if retry_after:
        return timedelta(seconds=retry_after)
    return min(timedelta(seconds=5 * 2 ** (attempts - 1)), MAX_BACKOFF)


