"""calendar capability (filled in by the calendar work)."""
from __future__ import annotations

from bot.router import Capability

CAPABILITY = Capability(name="calendar")
