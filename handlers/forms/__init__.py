"""Forms capability (統一表格): define, broadcast, answer, chase and compile unified forms."""
from handlers.forms.routes import CAPABILITY

__all__ = ["CAPABILITY"]
