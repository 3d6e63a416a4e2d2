"""Typed ORM models, one module per aggregate. Importing this package registers every table."""
from models import (  # noqa: F401  (register tables)
    audit,
    calendar,
    conversations,
    forms,
    inbox,
    incidents,
    meetings,
    outbox,
    pacing,
    quota,
    rate_limits,
    reminders,
    roster,
)
from models.base import Base

__all__ = ["Base"]
