"""calendar: tables (filled in by the calendar work)."""
from __future__ import annotations
