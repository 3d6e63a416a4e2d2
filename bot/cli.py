"""The framework's `flask --app wsgi ...` commands (database schema, encryption keys); each capability adds its own."""
from __future__ import annotations

import functools
import logging
from typing import Any, Iterable

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from bot.router import Capability
from bot.services import Services


def app_services() -> Services:
    """The running app's services, for a command of any capability."""
    return current_app.extensions["services"]


def district_named(session: Any, name: str) -> Any:
    """The district an operator named, or a usage error that says what to run first."""
    from bot.roster import find_district
    found = find_district(session, name)
    if found is None:
        raise click.UsageError(f"unknown district {name!r}; run `roster seed` first?")
    return found


db_cli = AppGroup("db", help="Database schema (Alembic).")
crypto_cli = AppGroup("crypto", help="Encryption keys of data at rest.")


@crypto_cli.command("rotate")
def rotate_command() -> None:
    """Re-encrypt all stored personal text with the first (newest) key of DATA_ENCRYPTION_KEY."""
    from bot.rotation import encrypted_columns, rotate_column
    from models import crypto
    services = app_services()
    columns = encrypted_columns()
    with services.db.transaction() as session, click.progressbar(
            columns, label="re-encrypting", item_show_func=lambda c: f"{c[0].name}.{c[1]}" if c else None) as bar:
        count = sum(rotate_column(session, crypto.active(), table, name) for table, name in bar)
    click.echo(f"re-encrypted {count} values with the newest key")


@db_cli.command("upgrade")
def upgrade_command() -> None:
    """Apply every Alembic migration to DATABASE_URL."""
    from bot.migrate import upgrade
    upgrade(app_services().config.database_url)
    click.echo("database is at the newest schema")


NOT_MIGRATED = ("資料庫尚未建立或不是最新結構（{url}）。請先執行：\n"
                "  flask --app wsgi db upgrade\n"
                "再執行這個指令。")


def needs_schema(command: click.Command) -> click.Command:
    """Make a command say what to run when the database is missing or behind, instead of a traceback."""
    callback = command.callback
    if callback is None or getattr(callback, "needs_schema", False):
        return command  # a group, or already wrapped (every app the tests build registers the same commands)

    @functools.wraps(callback)
    def checked(*args: Any, **kwargs: Any) -> Any:
        url = app_services().config.database_url
        if not _schema_current(url):
            raise click.ClickException(NOT_MIGRATED.format(url=_without_password(url)))
        return callback(*args, **kwargs)

    wrapped = with_appcontext(checked)
    wrapped.needs_schema = True  # type: ignore[attr-defined]
    command.callback = wrapped
    return command


def _schema_current(url: str) -> bool:
    """Ask Alembic quietly: this is a check before a command, not a migration, so its INFO lines are noise."""
    alembic_log = logging.getLogger("alembic")
    level = alembic_log.level
    alembic_log.setLevel(logging.WARNING)
    try:
        from bot.migrate import is_current
        return is_current(url)
    finally:
        alembic_log.setLevel(level)


def _without_password(url: str) -> str:
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)


def init_app(app: Flask, capabilities: Iterable[Capability]) -> None:
    """Register the framework's command groups, then each capability's (they live beside its handlers)."""
    groups = [db_cli, crypto_cli] + [group for capability in capabilities for group in capability.commands]
    for group in groups:
        if group is not db_cli:
            for command in group.commands.values():
                needs_schema(command)
        app.cli.add_command(group)
