"""Security headers on every response of the web app, written once (pages open secret links from chat).

- Content-Security-Policy: only this site's own scripts, or inline ones carrying the request's
  nonce (`<script nonce="{{ csp_nonce() }}">`); no plugins, no framing (`frame-ancestors 'none'`),
  forms post back here or to LINE Login (the console's sign-in form redirects there, and Chromium checks
  that redirect against form-action). Inline styles are allowed (the pages print; styles run no code).
- X-Frame-Options for browsers without frame-ancestors; nosniff; no Referer, because page and
  download URLs carry signed tokens; HSTS when the service is public over https (PUBLIC_BASE_URL).
"""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g

HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """This request's nonce for inline scripts (the same value within one request)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def policy(nonce: str, login_origin: str = "") -> str:
    return "; ".join((
        "default-src 'none'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        f"form-action 'self' {login_origin}".rstrip(),
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ))


def _headers(response: Response) -> Response:
    """Add each header a view has not set itself: one look at what is there, not one per header (a webhook
    answer paid for a dozen scans of its headers)."""
    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    before, after = current_app.extensions[_POLICY]
    missing = [] if "content-security-policy" in present else [("Content-Security-Policy", before + csp_nonce() + after)]
    missing.extend((name, value) for lowered, name, value in current_app.extensions[_FIXED] if lowered not in present)
    headers.extend(missing)
    return response


_POLICY, _FIXED = "security_policy", "security_headers"  # app.extensions keys: built once, read per response
_NONCE = "\0nonce\0"


def _built(app: Flask) -> None:
    """The headers as far as they do not change per request: the policy around its nonce, and the rest."""
    config = app.extensions["services"].config
    before, _, after = policy(_NONCE, _origin(config.line_login_base_url)).partition(_NONCE)
    app.extensions[_POLICY] = (before, after)
    fixed = [("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff"),
             ("Referrer-Policy", "no-referrer"), ("Cross-Origin-Opener-Policy", "same-origin")]
    if config.public_base_url.startswith("https://"):
        fixed.append(("Strict-Transport-Security", HSTS))
    app.extensions[_FIXED] = tuple((name.lower(), name, value) for name, value in fixed)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def init_app(app: Flask) -> None:
    """Add the headers to every response and `csp_nonce()` to every template."""
    _built(app)
    app.after_request(_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
