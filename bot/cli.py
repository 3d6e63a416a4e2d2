"""The framework's `flask --app wsgi ...` commands (database schema, encryption keys); each capability adds its own."""
from __future__ import annotations

from typing import Iterable

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from bot.router import Capability
from bot.services import Services


def _services() -> Services:
    return current_app.extensions["services"]


db_cli = AppGroup("db", help="Database schema (Alembic).")
crypto_cli = AppGroup("crypto", help="Encryption keys of data at rest.")


@crypto_cli.command("rotate")
def rotate_command() -> None:
    """Re-encrypt all stored personal text with the first (newest) key of DATA_ENCRYPTION_KEY."""
    from bot.rotation import encrypted_columns, rotate_column
    from models import crypto
    services = _services()
    columns = encrypted_columns()
    with services.db.transaction() as session, click.progressbar(
            columns, label="re-encrypting", item_show_func=lambda c: f"{c[0].name}.{c[1]}" if c else None) as bar:
        count = sum(rotate_column(session, crypto.active(), table, name) for table, name in bar)
    click.echo(f"re-encrypted {count} values with the newest key")


@db_cli.command("upgrade")
def upgrade_command() -> None:
    """Apply every Alembic migration to DATABASE_URL."""
    from bot.migrate import upgrade
    upgrade(_services().config.database_url)
    click.echo("database is at the newest schema")


def init_app(app: Flask, capabilities: Iterable[Capability]) -> None:
    """Register the framework's command groups, then each capability's (they live beside its handlers)."""
    groups = [db_cli, crypto_cli] + [group for capability in capabilities for group in capability.commands]
    for group in groups:
        app.cli.add_command(group)
