"""Message quota (額度): what LINE counted, what each capability cost, the forecast and the reserve."""
from handlers.quota.routes import CAPABILITY

__all__ = ["CAPABILITY"]
