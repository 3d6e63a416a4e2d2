"""Calendar capability: units' activities, calls for activities, the shared schedule and its feeds."""
from handlers.calendar.routes import CAPABILITY

__all__ = ["CAPABILITY"]
