"""Conversation state of multi-step flows, one row per (chat, user), kept in the database."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, EncryptedJson, LineId, UtcDateTime, utcnow


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[str] = mapped_column(LineId)
    user_id: Mapped[str] = mapped_column(LineId)
    flow: Mapped[str] = mapped_column(String(40))
    step: Mapped[str] = mapped_column(String(40))
    # Draft answers may hold free text a user typed, so they are encrypted like everything else.
    data: Mapped[dict[str, Any]] = mapped_column(EncryptedJson, default=dict)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (UniqueConstraint("chat_id", "user_id"),)
    __mapper_args__ = {"version_id_col": version}
