"""LINE Login v2.1 stand-in: the authorization page (pick a demo user), the token endpoint and the ID token.

As LINE does for web logins, the ID token is a JWT signed HS256 with the channel secret, issued by
https://access.line.me, audience the channel ID, carrying the nonce the client sent. Codes are single
use, short-lived and bound to the client, the redirect URI and (when sent) the PKCE challenge.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, jsonify, redirect, render_template, request

from .state import current_state

bp = Blueprint("emulator_login", __name__, url_prefix="/oauth2/v2.1")

ISSUER = "https://access.line.me"
CODE_SECONDS = 600  # LINE's authorization codes live 10 minutes
TOKEN_SECONDS = 30 * 24 * 3600
_USER_ID = re.compile(r"^U[0-9a-f]{32}$")
_CARRIED = ("response_type", "client_id", "redirect_uri", "state", "scope", "nonce", "code_challenge",
            "code_challenge_method", "prompt", "ui_locales")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def id_token(claims: dict[str, Any], secret: str) -> str:
    """A compact JWS, HS256 with the channel secret, as LINE signs ID tokens for web logins."""
    header = _b64(json.dumps({"typ": "JWT", "alg": "HS256"}, separators=(",", ":")).encode())
    body = _b64(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    signature = hmac.new(secret.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(signature)}"


def _problem(message: str, status: int = 400) -> tuple[str, int]:
    return render_template("login.html", error=message, users=[], params={}), status


def _check_request(params: dict[str, str]) -> str | None:
    settings = current_state().settings
    if params.get("response_type") != "code":
        return "response_type 必須是 code。"
    if params.get("client_id") != settings.login_channel_id:
        return "client_id 不是這個 LINE Login 頻道。"
    if not params.get("redirect_uri", "").startswith(("http://", "https://")):
        return "缺少 redirect_uri。"
    if not params.get("state"):
        return "缺少 state。"
    if "openid" not in params.get("scope", "").split():
        return "scope 必須包含 openid。"
    return None


@bp.get("/authorize")
def authorize_page() -> Any:
    """The consent page: which demo user signs in."""
    params = {k: request.args[k] for k in _CARRIED if k in request.args}
    problem = _check_request(params)
    if problem:
        return _problem(problem)
    users = list(current_state().users.values())
    return render_template("login.html", error=None, users=users, params=params)


@bp.post("/authorize")
def authorize() -> Any:
    """Issue a code for the chosen user and send the browser back to the client."""
    params = {k: request.form[k] for k in _CARRIED if k in request.form}
    problem = _check_request(params)
    if problem:
        return _problem(problem)
    state = current_state()
    back = params["redirect_uri"]
    if request.form.get("cancel"):
        query = {"error": "access_denied", "error_description": "The user has denied the request",
                 "state": params["state"]}
        return redirect(f"{back}?{urlencode(query)}")
    user_id = (request.form.get("user_id") or request.form.get("other_user_id") or "").strip()
    if user_id not in state.users and not _USER_ID.match(user_id):
        return _problem("請選擇一位示範使用者，或輸入 LINE 使用者 ID（U 加 32 位十六進位）。")
    code = secrets.token_urlsafe(16)
    with state.lock:
        state.login_codes[code] = {**params, "user_id": user_id, "expires": time.time() + CODE_SECONDS}
    return redirect(f"{back}?{urlencode({'code': code, 'state': params['state']})}")


def _token_error(error: str, description: str, status: int = 400) -> Any:
    response = jsonify({"error": error, "error_description": description})
    response.status_code = status
    return response


def _pkce_ok(grant: dict[str, Any], verifier: str | None) -> bool:
    challenge = grant.get("code_challenge")
    if not challenge:
        return True
    if not verifier:
        return False
    return hmac.compare_digest(_b64(hashlib.sha256(verifier.encode()).digest()), challenge)


@bp.post("/token")
def token() -> Any:
    """Exchange a code (client_secret_post) for an access token and an ID token."""
    form = request.form
    state = current_state()
    settings = state.settings
    if form.get("grant_type") != "authorization_code":
        return _token_error("unsupported_grant_type", "grant_type must be authorization_code")
    if form.get("client_id") != settings.login_channel_id or \
            not hmac.compare_digest(form.get("client_secret", ""), settings.login_channel_secret):
        return _token_error("invalid_client", "invalid client_id or client_secret", 401)
    with state.lock:
        grant = state.login_codes.pop(form.get("code", ""), None)  # a code works once
    if grant is None or grant["expires"] < time.time():
        return _token_error("invalid_grant", "invalid authorization code")
    if grant["redirect_uri"] != form.get("redirect_uri") or grant["client_id"] != form.get("client_id"):
        return _token_error("invalid_grant", "redirect_uri does not match")
    if not _pkce_ok(grant, form.get("code_verifier")):
        return _token_error("invalid_grant", "code_verifier does not match")
    now = int(time.time())
    user_id = grant["user_id"]
    claims: dict[str, Any] = {"iss": ISSUER, "sub": user_id, "aud": settings.login_channel_id,
                              "exp": now + 3600, "iat": now, "amr": ["linesso"], "name": state.display_name(user_id)}
    if grant.get("nonce"):
        claims["nonce"] = grant["nonce"]
    return jsonify({"access_token": secrets.token_urlsafe(24), "token_type": "Bearer",
                    "expires_in": TOKEN_SECONDS, "refresh_token": secrets.token_urlsafe(24),
                    "scope": grant.get("scope", ""), "id_token": id_token(claims, settings.login_channel_secret)})
