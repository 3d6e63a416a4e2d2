"""Incidents capability: urgent requests between units (求助)."""
from handlers.incidents.routes import CAPABILITY

__all__ = ["CAPABILITY"]
