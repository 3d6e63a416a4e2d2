"""社安網聯繫小幫手: the composition root. It lists the capabilities and builds the app and the scheduler's services.

Imported only by `wsgi.py` (the web app and the `flask --app wsgi` commands), the scheduler and tests;
nothing below it (`bot/`, `handlers/`, `models/`, `rules/`) imports it.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Iterable

from flask import Flask
from flask.testing import FlaskClient

from bot import cli, console, home, privacy_guard, retention, security, webhook
from bot.config import Config
from bot.db import Database
from bot.directory import load_directory
from bot.gateway import Gateway, SdkGateway
from bot.pacing import paced
from bot.roster import may_manage_district
from bot.router import Capability, build
from bot.services import Clock, Services, system_clock
from handlers import calendar, forms, help as help_, incidents, meetings, quota, roster
from models import crypto


def capabilities() -> list[Capability]:
    """Every capability's routes, in one place: importing a handler module registers nothing."""
    return [privacy_guard.CAPABILITY, retention.CAPABILITY, quota.CAPABILITY, roster.CAPABILITY,
            incidents.CAPABILITY, meetings.CAPABILITY, forms.CAPABILITY, calendar.CAPABILITY, help_.CAPABILITY]


def build_services(config: Config, gateway: Gateway | None = None, clock: Clock | None = None,
                   extra: Iterable[Capability] = ()) -> Services:
    """Build what the web app and the scheduler share (no network call is made here)."""
    crypto.install(crypto.Keyring(config.encryption_keys))
    db = Database(config.database_url)
    gateway = gateway or SdkGateway(config.line_api_base_url, config.channel_access_token,
                                    config.line_timeout_seconds)
    return Services(
        config=config,
        db=db,
        # Every process that pushes (web workers, schedulers, on any host) shares one rate: bot/pacing.py.
        gateway=paced(db, gateway, config.line_push_rate),
        router=build([*capabilities(), *extra]),
        directory=load_directory(config.roster_file),
        clock=clock or system_clock,
    )


class ClosingTestClient(FlaskClient):
    """Flask's test client, closing each response as a WSGI server does, so after-response work runs."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


def log_level() -> str:
    """LOG_LEVEL (INFO unless set; `make run` sets WARNING so a local run stays quiet)."""
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    return level if level in ("DEBUG", "INFO", "WARNING", "ERROR") else "INFO"


def create_app(config: Config | None = None, *, gateway: Gateway | None = None, clock: Clock | None = None) -> Flask:
    """Create the web app: the webhook, health check and the `flask` commands."""
    app = Flask(__name__, instance_relative_config=False)
    app.test_client_class = ClosingTestClient
    config = config or Config.from_env()
    logging.basicConfig(level=log_level(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.extensions["services"] = build_services(config, gateway, clock)

    security.init_app(app)
    app.register_blueprint(webhook.blueprint)
    app.register_blueprint(home.blueprint)
    listed = app.extensions["services"].router.capabilities
    for capability in listed:
        for blueprint in capability.blueprints:
            app.register_blueprint(blueprint)
    cli.init_app(app, listed)
    # The secretariat's desk at /console/: its pages come from the capabilities, access from the one rule.
    console.init_app(app, config, may_manage_district, [page for c in listed for page in c.console_pages])
    return app
