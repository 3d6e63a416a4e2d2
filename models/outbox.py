"""Outbox: every logical message the bot sends, its retry key, status and quota cost."""
from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, EncryptedJson, LineId, UtcDateTime, utcnow


class OutboxKind(StrEnum):
    REPLY = "reply"
    PUSH = "push"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BUNDLED = "bundled"  # went out inside another row's push (bot/bundle.py)


class OutboxMessage(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OutboxKind] = mapped_column(String(10))
    to: Mapped[str] = mapped_column(LineId, index=True)
    reply_token: Mapped[str | None] = mapped_column(String(255), nullable=True)
    fallback_to_push: Mapped[bool] = mapped_column(default=False)
    # Message bodies may quote what a user wrote to the bot, so they are encrypted at rest.
    messages: Mapped[list[dict[str, Any]]] = mapped_column(EncryptedJson)
    retry_key: Mapped[str] = mapped_column(String(36), default=lambda: str(uuid.uuid4()), unique=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True, nullable=True)
    status: Mapped[OutboxStatus] = mapped_column(String(10), default=OutboxStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    quota_cost: Mapped[int] = mapped_column(Integer, default=0)
    line_request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # What to say when this message is accepted, delayed or undeliverable (bot.messages.FollowUps), resolved
    # to chats and reply tokens; encrypted like the bodies.
    follow_ups: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJson, nullable=True, default=None)
    # Who said it, for the counted-messages ledger (models/quota.py) and 額度.
    capability: Mapped[str | None] = mapped_column(String(40), nullable=True)
    purpose: Mapped[str | None] = mapped_column(String(60), nullable=True)
    # Urgent rows (a request's card, its escalations) are never held for a digest and may use the reserve.
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    bundled_into: Mapped[int | None] = mapped_column(Integer, nullable=True)
