"""Run Alembic migrations programmatically (used by `flask db upgrade`, the scheduler and tests)."""
from __future__ import annotations

from alembic import command
from alembic.config import Config as AlembicConfig

from bot.config import REPO_ROOT


def alembic_config(database_url: str) -> AlembicConfig:
    config = AlembicConfig(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database to `revision`."""
    command.upgrade(alembic_config(database_url), revision)
