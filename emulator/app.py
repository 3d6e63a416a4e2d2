"""Flask app of the LINE Platform stand-in: Messaging API, webhook sender, control API and chat page."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from . import api, control, login, richmenus  # noqa: F401  (richmenus adds routes to both blueprints)
from .schema import load_validator
from .settings import DemoGroup, DemoUser, EmulatorSettings
from .state import EXTENSION_KEY, EmulatorState, current_state

__all__ = ["create_emulator", "EmulatorSettings", "DemoUser", "DemoGroup"]


def create_emulator(settings: EmulatorSettings) -> Flask:
    """Build an emulator app; all its state lives in one EmulatorState in app.extensions."""
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # keep zh-TW readable in recorded JSON
    load_validator(settings.spec_path)  # fail at start, not on the first reply, if the spec is missing
    app.extensions[EXTENSION_KEY] = EmulatorState(settings)
    app.register_blueprint(api.bp)
    app.register_blueprint(control.bp)
    app.register_blueprint(login.bp)
    app.add_url_rule("/", "chat_page", _chat_page)
    app.register_error_handler(HTTPException, _http_error)
    return app


def _chat_page() -> str:
    """The chat page, with the directory rendered in so that the first paint needs no request."""
    state = current_state()
    with state.lock:
        groups = list(state.groups.values())
        users = list(state.users.values())
    bot = state.settings.bot
    directory = {"bot": asdict(bot), "users": [asdict(u) for u in users]}
    return render_template("chat.html", users=users, groups=groups, bot=bot, directory=directory)


def _http_error(err: HTTPException) -> Any:
    """JSON errors like LINE's on API paths; plain pages elsewhere."""
    if request.path.startswith(("/v2/", "/_emulator/", "/oauth2/v2.1/token")):
        response = jsonify({"message": err.description if err.code != 404 else "Not found"})
        response.status_code = err.code or 500
        response.headers["x-line-request-id"] = str(uuid.uuid4())  # LINE tags every response
        return response
    return err
