"""Shared send pacing: one row per limiter, so every process and host that pushes shares one budget."""
from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class SendPace(Base):
    """The theoretical arrival time of the next allowed call (GCRA), in seconds since the epoch."""

    __tablename__ = "send_pace"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float, default=0.0)
