"""incidents: tables (filled in by the incidents work)."""
from __future__ import annotations
