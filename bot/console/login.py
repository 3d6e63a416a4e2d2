"""Signing in to the console with LINE Login v2.1 (OpenID Connect) through Authlib, and signing out.

LINE signs web-login ID tokens HS256 with the channel secret, so the key set Authlib verifies with is the
secret itself (an `oct` key); issuer https://access.line.me, audience the channel ID, nonce from the
session, PKCE (S256). LINE_LOGIN_BASE_URL moves both endpoints to the emulator in development and tests.
The roster decides who may enter, on every request (bot/console `_guard`, `desk`).
"""
from __future__ import annotations

import base64
from typing import Any

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, redirect, render_template, request, session, url_for
from requests.exceptions import RequestException

from bot import links
from bot.config import Config
from bot.console import PREFIX, audit, blueprint, load_person, services

ISSUER = "https://access.line.me"
CLIENT = "line"


def init_app(app: Flask, config: Config) -> None:
    """Register LINE Login with Authlib when a channel is configured."""
    if not config.line_login_channel_id:
        return
    oauth = OAuth(app)
    secret = base64.urlsafe_b64encode(config.line_login_channel_secret.encode()).rstrip(b"=").decode()
    oauth.register(
        CLIENT,
        client_id=config.line_login_channel_id,
        client_secret=config.line_login_channel_secret,
        authorize_url=config.login_authorize_url,
        access_token_url=config.login_token_url,
        client_kwargs={"scope": "openid profile", "token_endpoint_auth_method": "client_secret_post",
                       "code_challenge_method": "S256", "timeout": 10},
        # Server metadata as LINE documents it for v2.1 web logins (their discovery lists only ES256 keys).
        issuer=ISSUER,
        id_token_signing_alg_values_supported=["HS256"],
        jwks={"keys": [{"kty": "oct", "k": secret, "alg": "HS256", "use": "sig"}]},
    )


def _client() -> Any:
    oauth = current_app.extensions.get("authlib.integrations.flask_client")
    return oauth.create_client(CLIENT) if oauth else None


def _safe_next(raw: str | None) -> str:
    """Only a console path of this site (never `//host` or a scheme)."""
    if raw and raw.startswith(PREFIX + "/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return PREFIX + "/"


def _callback_url() -> str:
    return links.url(services().config, url_for("console.callback"))


@blueprint.get("/login")
def signin() -> Any:
    """The sign-in page: one button to LINE Login."""
    configured = _client() is not None
    return render_template("console/signin.html", configured=configured, next=_safe_next(request.args.get("next")),
                           signed_out=request.args.get("out") == "1"), (200 if configured else 503)


@blueprint.post("/login")
def start() -> Any:
    """Send the browser to LINE Login's authorization page (state, nonce and PKCE kept in the session)."""
    client = _client()
    if client is None:
        return redirect(url_for("console.signin"))
    wanted = _safe_next(request.form.get("next"))
    session.clear()
    session["next"] = wanted
    return client.authorize_redirect(_callback_url(), ui_locales="zh-TW")


def _refused(title: str, message: str, status: int) -> Any:
    return render_template("console/message.html", title=title, message=message, signin_again=True), status


@blueprint.get("/callback")
def callback() -> Any:
    """LINE Login sends the browser back here: exchange the code, verify the ID token, check the roster."""
    client = _client()
    if client is None:
        return redirect(url_for("console.signin"))
    try:
        token = client.authorize_access_token()
    except OAuthError as exc:
        if exc.error == "access_denied":
            return _refused("已取消登入", "您在 LINE 取消了登入。", 400)
        return _refused("登入失敗", "登入驗證沒有通過（可能是連結過期或重複使用），請重新登入。", 400)
    except RequestException:
        return _refused("登入失敗", "暫時無法連線到 LINE，請稍後再試。", 502)
    claims = token.get("userinfo") or {}
    user_id = claims.get("sub")
    if not isinstance(user_id, str) or not user_id:
        return _refused("登入失敗", "LINE 沒有提供使用者身分，請重新登入。", 400)
    found = services()
    now = found.clock()
    wanted = _safe_next(session.get("next"))
    with found.db.transaction() as db_session:
        person = load_person(db_session, user_id, found.config)
        allowed = person.may_enter
        audit(db_session, user_id, "console.sign_in" if allowed else "console.sign_in_refused", now)
    session.clear()  # a new session for the new sign-in (no fixation)
    if not allowed:
        return _refused("沒有後台權限", "後台僅供秘書單位與管理員使用。若您是秘書單位，請先在 LINE 完成註冊並經核准。", 403)
    session.permanent = True
    session["uid"] = user_id
    session["at"] = now.isoformat()
    return redirect(wanted)


@blueprint.post("/logout")
def signout() -> Any:
    """Forget this browser's sign-in."""
    from flask import g
    found = services()
    with found.db.transaction() as db_session:
        audit(db_session, g.console_user, "console.sign_out", found.clock())
    session.clear()
    return redirect(url_for("console.signin", out="1"))
