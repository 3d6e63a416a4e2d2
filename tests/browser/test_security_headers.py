"""Security headers on every page, and the pages still work under their policy in real Chromium."""
from __future__ import annotations

from dataclasses import replace

import pytest
from playwright.sync_api import Page, expect

from app import create_app
from tests.browser.test_calendar_month import month_url

pytestmark = pytest.mark.browser


def test_month_page_runs_under_its_policy(page: Page, emulator, services, bot_server) -> None:
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.add_init_script("window.print = () => { document.body.dataset.printed = 'yes'; };")
    response = page.goto(month_url(emulator, services, bot_server) + "?m=2026-12")
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in headers  # served over http here
    page.click("#print")  # the button's script carries the page's nonce
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")
    assert violations == []


@pytest.mark.parametrize("path", ["/healthz", "/callback", "/no-such-page", "/calendar/forged/month",
                                  "/forms/fill/forged"])
def test_every_response_carries_the_headers(client, path: str) -> None:
    response = client.get(path) if path != "/callback" else client.post(path, data="{}")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_hsts_when_served_publicly_over_https(services) -> None:
    app = create_app(replace(services.config, public_base_url="https://shanet.example.tw"))
    response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    app.extensions["services"].db.dispose()


def test_nonce_differs_per_request(client) -> None:
    first = client.get("/healthz").headers["Content-Security-Policy"]
    second = client.get("/healthz").headers["Content-Security-Policy"]
    assert first != second  # a fixed nonce would let an injected script reuse it


def test_forms_post_only_here_or_to_line_login(services) -> None:
    app = create_app(replace(services.config, line_login_base_url="https://access.line.me"))
    csp = app.test_client().get("/healthz").headers["Content-Security-Policy"]
    assert "form-action 'self' https://access.line.me;" in csp  # the sign-in form redirects there, nowhere else
    app.extensions["services"].db.dispose()
