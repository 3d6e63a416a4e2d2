"""Meetings capability: the three tiers' meetings, attendance, derived deadlines, tracked items and reminders."""
from handlers.meetings.routes import CAPABILITY

__all__ = ["CAPABILITY"]
