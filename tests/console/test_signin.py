"""Signing in to the console with LINE Login (the emulator's), who may enter, CSRF, sign-out and expiry."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests
from sqlalchemy import select

from models.audit import AuditEntry
from tests import demo
from tests.console.signin import authorize, csrf_token, pick_user, sign_in


def audit_actions(services) -> list[tuple[str, str]]:
    with services.db.transaction() as session:
        return [(e.actor, e.action) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_console_asks_for_sign_in_first(client) -> None:
    answer = client.get("/console/1/incidents/")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/console/login?next=/console/1/incidents/")
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "使用 LINE 帳號登入" in page


def test_authorization_request_is_line_login_v21_with_state_nonce_and_pkce(client, emulator_server) -> None:
    url = authorize(client)
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == emulator_server + "/oauth2/v2.1/authorize"
    assert query["response_type"] == "code" and query["client_id"] == "1660000001"
    assert set(query["scope"].split()) == {"openid", "profile"}
    assert query["redirect_uri"].endswith("/console/callback")
    assert query["state"] and query["nonce"] and query["code_challenge_method"] == "S256"


def test_secretariat_signs_in_and_lands_on_its_district(client, services) -> None:
    answer = sign_in(client, demo.SECRETARIAT)
    assert answer.status_code == 302
    landing = client.get(answer.headers["Location"], follow_redirects=True)
    assert landing.status_code == 200
    assert "吳課員" in landing.get_data(as_text=True)
    cookie = answer.headers.get_all("Set-Cookie")[-1]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie
    assert (demo.SECRETARIAT, "console.sign_in") in audit_actions(services)


def test_a_member_is_refused_and_keeps_no_session(client, services) -> None:
    answer = sign_in(client, demo.POLICE)
    assert answer.status_code == 403
    assert "後台僅供秘書單位與管理員使用" in answer.get_data(as_text=True)
    assert client.get("/console/").status_code == 302  # still signed out
    assert (demo.POLICE, "console.sign_in_refused") in audit_actions(services)


def test_a_code_works_once_and_a_forged_state_is_refused(client) -> None:
    back = urlsplit(pick_user(authorize(client), demo.SECRETARIAT))
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/")})
    replay = client.get(f"{back.path}?{back.query}")
    assert replay.status_code == 400
    assert client.get("/console/").status_code == 302


def test_an_id_token_signed_with_another_secret_is_refused(client, emulator_server) -> None:
    url = authorize(client)
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    # The emulator's token endpoint only knows the real secret: a wrong client_secret gets no token at all.
    refused = requests.post(emulator_server + "/oauth2/v2.1/token", data={
        "grant_type": "authorization_code", "code": "x", "redirect_uri": query["redirect_uri"],
        "client_id": query["client_id"], "client_secret": "wrong"}, timeout=10)
    assert refused.status_code == 401


def test_cancelling_at_line_signs_nobody_in(client) -> None:
    url = authorize(client)
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    back = requests.post(url.split("?")[0], data={**query, "cancel": "1"}, allow_redirects=False, timeout=10)
    parts = urlsplit(back.headers["Location"])
    answer = client.get(f"{parts.path}?{parts.query}")
    assert answer.status_code == 400 and "取消" in answer.get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_forms_need_the_csrf_token(client) -> None:
    sign_in(client, demo.SECRETARIAT)
    assert client.post("/console/logout").status_code == 400
    assert client.get("/console/", follow_redirects=True).status_code == 200  # still signed in
    assert client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/")}).status_code == 302
    assert client.get("/console/").status_code == 302


def test_a_sign_in_expires(client, clock) -> None:
    sign_in(client, demo.SECRETARIAT)
    assert client.get("/console/", follow_redirects=True).status_code == 200
    clock.advance(hours=8, minutes=1)
    assert client.get("/console/").status_code == 302


def test_a_removed_secretariat_loses_the_desk_at_once(client, services) -> None:
    from models.roster import Contact, ContactStatus
    sign_in(client, demo.SECRETARIAT)
    with services.db.transaction() as session:
        contact = session.scalars(select(Contact).where(Contact.line_user_id == demo.SECRETARIAT)).one()
        contact.status = ContactStatus.REJECTED
    assert client.get("/console/1/incidents/").status_code == 403
