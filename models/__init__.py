"""Typed ORM models, one module per aggregate. Importing this package registers every table."""
from models.base import Base
from models import audit, conversations, inbox, outbox, roster  # noqa: F401  (register tables)

__all__ = ["Base"]
