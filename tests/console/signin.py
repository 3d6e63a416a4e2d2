"""Signing in to the console as a person does, through the emulator's LINE Login, with Flask's test client."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests
from flask.testing import FlaskClient


def csrf_token(client: FlaskClient, path: str = "/console/login") -> str:
    """The CSRF token a console page carries in its forms."""
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    marker = 'name="csrf_token" value="'
    start = page.index(marker) + len(marker)
    return page[start:page.index('"', start)]


def authorize(client: FlaskClient, next_path: str = "/console/") -> str:
    """Press 「使用 LINE 帳號登入」: return the LINE Login authorization URL the browser is sent to."""
    token = csrf_token(client, f"/console/login?next={next_path}")
    started = client.post("/console/login", data={"csrf_token": token, "next": next_path})
    assert started.status_code == 302, started.get_data(as_text=True)
    return started.headers["Location"]


def pick_user(authorize_url: str, user_id: str) -> str:
    """On the emulator's authorization page, choose a demo user; return where LINE sends the browser back."""
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
    page = requests.get(authorize_url, timeout=10)
    assert page.status_code == 200, page.text
    chosen = requests.post(authorize_url.split("?")[0], data={**query, "user_id": user_id},
                           allow_redirects=False, timeout=10)
    assert chosen.status_code == 302, chosen.text
    return chosen.headers["Location"]


def sign_in(client: FlaskClient, user_id: str, next_path: str = "/console/"):
    """The whole round trip; returns the bot's answer to LINE's redirect back."""
    back = urlsplit(pick_user(authorize(client, next_path), user_id))
    return client.get(f"{back.path}?{back.query}")
