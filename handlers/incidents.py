"""incidents capability (filled in by the incidents work)."""
from __future__ import annotations

from bot.router import Capability

CAPABILITY = Capability(name="incidents")
