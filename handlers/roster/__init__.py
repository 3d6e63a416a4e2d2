"""Roster capability: districts, units, contacts and groups."""
from handlers.roster.routes import CAPABILITY

__all__ = ["CAPABILITY"]
