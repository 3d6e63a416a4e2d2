"""meetings: tables (filled in by the meetings work)."""
from __future__ import annotations
