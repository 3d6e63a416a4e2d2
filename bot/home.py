"""`/` on the bot's address: a short zh-TW page pointing to the chat page (local runs) and the console.

People who open the bot's address in a browser (an operator after `make run`, a curious colleague) get
a page saying what this is and where to go, not an English 404.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, render_template

from bot.services import Services

blueprint = Blueprint("home", __name__, template_folder="templates")
LINE_HOSTS = frozenset({"api.line.me", "api-data.line.me"})


@blueprint.get("/")
def index() -> str:
    """What this address is, with links to the chat page (when LINE is the emulator) and the console."""
    services: Services = current_app.extensions["services"]
    config = services.config
    api = config.line_api_base_url
    chat_url = None if urlsplit(api).hostname in LINE_HOSTS else f"{api}/"
    return render_template("home/index.html", chat_url=chat_url, console_url="/console/", health_url="/healthz")
