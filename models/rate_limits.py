"""Rate limits: how many commands each user gave in each minute, shared by every worker."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, LineId, UtcDateTime


class RateWindow(Base):
    __tablename__ = "rate_limits"

    user_id: Mapped[str] = mapped_column(LineId, primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True, index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
