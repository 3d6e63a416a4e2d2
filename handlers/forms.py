"""forms capability (filled in by the forms work)."""
from __future__ import annotations

from bot.router import Capability

CAPABILITY = Capability(name="forms")
