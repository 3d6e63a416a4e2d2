"""forms: tables (filled in by the forms work)."""
from __future__ import annotations
