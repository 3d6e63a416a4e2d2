"""meetings capability (filled in by the meetings work)."""
from __future__ import annotations

from bot.router import Capability

CAPABILITY = Capability(name="meetings")
