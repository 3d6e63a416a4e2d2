"""Alembic environment: the URL comes from the caller or DATABASE_URL; metadata from models."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from bot.config import Config
from models import Base
from models.base import EncryptedJson, EncryptedText, UtcDateTime

config = context.config


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Render the models' custom column types as the plain types they store, so migrations stand alone."""
    if type_ == "type" and isinstance(obj, (UtcDateTime,)):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, (EncryptedText, EncryptedJson)):
        return "sa.Text()"
    return False


def _url() -> str:
    return config.attributes.get("database_url") or Config.from_env().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(_url())
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                          compare_type=True, render_item=_render_item)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
