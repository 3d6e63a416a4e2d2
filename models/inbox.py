"""Inbox: the webhook events already received, so a redelivery is acted on once.

Most rows only record an event that was handled in the webhook's own transaction
(`processed_at` = `received_at`). Events acknowledged before handling (see bot/inbox.py) keep
their body, encrypted, until they are handled: `processed_at` is empty while they wait.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, EncryptedText, UtcDateTime, utcnow


class ProcessedEvent(Base):
    __tablename__ = "processed_events"

    webhook_event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True, index=True)
    payload: Mapped[str | None] = mapped_column(EncryptedText, nullable=True)  # only while waiting
    attempts: Mapped[int] = mapped_column(Integer, default=0)
