"""Conversation state for multi-step flows, stored per (chat, user) and locked for the event's transaction.

Locking the row (`FOR UPDATE` on PostgreSQL, the write lock on SQLite) makes two workers that
receive two taps of the same user take turns instead of both advancing the same step.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import Session

from models.conversations import Conversation

# What waits for a sender's decision on a refused text (bot/privacy_pending.py), inside any flow's row.
PENDING = "_privacy"


# Built once: every text and tap asks it, and building the statement cost as much as sending it.
_LIVE = select(Conversation).where(Conversation.chat_id == bindparam("chat_id"),
                                   Conversation.user_id == bindparam("user_id")).with_for_update()


def load(session: Session, chat_id: str, user_id: str, now: datetime) -> Conversation | None:
    """Return the live conversation of this user in this chat; an expired one is deleted."""
    return load_or_expired(session, chat_id, user_id, now)[0]


# Most texts and taps come from someone in no flow: a bare look for the row first, without the ORM's
# loading (about a quarter of the lookup's cost); only a row found is loaded, and locked, as an object.
_TABLE = Conversation.__table__
_ANY = select(_TABLE.c.id).where(_TABLE.c.chat_id == bindparam("chat_id"), _TABLE.c.user_id == bindparam("user_id"))


def load_or_expired(session: Session, chat_id: str, user_id: str,
                    now: datetime) -> tuple[Conversation | None, str | None]:
    """The live conversation, or None and the name of the flow that just expired (deleted now)."""
    params = {"chat_id": chat_id, "user_id": user_id}
    if session.connection().execute(_ANY, params).first() is None:
        return None, None
    row = session.scalars(_LIVE, params).first()
    if row is not None and row.expires_at <= now:
        expired = row.flow
        session.delete(row)
        session.flush()
        return None, expired
    return row, None


def start(session: Session, chat_id: str, user_id: str, flow: str, step: str, now: datetime,
          minutes: int, data: dict[str, Any] | None = None) -> Conversation:
    """Begin (or restart) a flow for this user in this chat."""
    existing = session.scalars(
        select(Conversation).where(Conversation.chat_id == chat_id, Conversation.user_id == user_id)
        .with_for_update()
    ).first()
    if existing is not None:
        session.delete(existing)
        session.flush()
    row = Conversation(chat_id=chat_id, user_id=user_id, flow=flow, step=step, data=dict(data or {}),
                       expires_at=now + timedelta(minutes=minutes), updated_at=now)
    session.add(row)
    session.flush()
    return row


def advance(row: Conversation, step: str, now: datetime, minutes: int, **data: Any) -> None:
    """Move to the next step, merging new answers into the draft and extending the expiry."""
    row.step = step
    row.data = {**(row.data or {}), **data}
    row.expires_at = now + timedelta(minutes=minutes)


def drop_pending(row: Conversation) -> None:
    """Forget a masked version that waited for a decision (the sender moved on, or decided)."""
    if row.data and PENDING in row.data:
        row.data = {k: v for k, v in row.data.items() if k != PENDING}


def end(session: Session, row: Conversation | None) -> None:
    """Finish or cancel a flow (a row already ended stays ended)."""
    if row is not None and inspect(row).persistent:
        session.delete(row)
        session.flush()
