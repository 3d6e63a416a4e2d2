"""The secretariat's desk at /console/: LINE Login sign-in, the shared layout, and what every page uses.

Each capability keeps its own pages (`handlers/<capability>/console.py` and templates) as a blueprint under
`/console/<district_id>/...` and lists them in `Capability.console_pages`. Here: the session (a signed
cookie, HttpOnly, SameSite=Lax, Secure on https, bounded in time), CSRF on every console form, the one
sign-in guard for every /console/ path, `desk(district_id)` (a transaction, the person, the district,
checked with the one access rule) and `audit`.
"""
from __future__ import annotations

import hashlib
import hmac
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Iterator

from flask import Blueprint, Flask, Request, abort, current_app, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from bot import outbox
from bot.config import Config
from bot.messages import Outbound, labelled
from bot.services import Services
from models.audit import AuditEntry
from models.roster import Contact, District, Role, Unit

EXTENSION = "console"
PREFIX = "/console"
OPEN_ENDPOINTS = frozenset({"console.signin", "console.start", "console.callback", "console.static"})

blueprint = Blueprint("console", __name__, url_prefix=PREFIX, template_folder="templates",
                      static_folder="static", static_url_path="/static")
csrf = CSRFProtect()

MayManage = Callable[[Contact | None, District, bool], bool]


@dataclass(frozen=True)
class ConsolePage:
    """A page in the console's navigation; its endpoint takes `district_id`."""

    label: str
    endpoint: str
    order: int = 50


@dataclass
class ConsoleSettings:
    may_manage: MayManage
    pages: list[ConsolePage] = field(default_factory=list)


@dataclass(frozen=True)
class Person:
    """Who is signed in, as the roster knows them now (read on every request, so a removal takes effect)."""

    line_user_id: str
    contact: Contact | None
    is_admin: bool

    @property
    def name(self) -> str:
        return self.contact.display_name if self.contact and self.contact.display_name else "管理員"

    @property
    def unit_name(self) -> str:
        return self.contact.unit.name if self.contact else "系統管理"

    @property
    def may_enter(self) -> bool:
        """The desk is for secretariat members and administrators."""
        return self.is_admin or (self.contact is not None and self.contact.can_manage)


@dataclass
class Desk:
    """One console request's work: the transaction, who, which district, and the clock."""

    session: Session
    person: Person
    district: District
    now: datetime
    config: Config
    said: list[Outbound] = field(default_factory=list)  # group notices, sent once the transaction committed

    def tell(self, *outbound: Outbound) -> None:
        """Queue what the group (or a person) should be told; written to the outbox in this transaction."""
        self.said.extend(outbound)

    def audit(self, action: str, **detail: Any) -> None:
        """Record what the person did (never free text they typed)."""
        audit(self.session, self.person.line_user_id, action, self.now, district=self.district.id, **detail)


def audit(session: Session, actor: str, action: str, now: datetime, **detail: Any) -> None:
    """Add one audit entry in the caller's transaction."""
    session.add(AuditEntry(actor=actor, action=action[:40], detail=detail, at=now))


def services() -> Services:
    return current_app.extensions["services"]


def settings() -> ConsoleSettings:
    return current_app.extensions[EXTENSION]


def load_person(session: Session, line_user_id: str, config: Config) -> Person:
    """The roster's view of a LINE user id (admins named in ADMIN_LINE_USER_IDS count even unregistered)."""
    contact = session.scalars(select(Contact).where(Contact.line_user_id == line_user_id).options(
        joinedload(Contact.unit).joinedload(Unit.district))).first()
    is_admin = line_user_id in config.admin_line_user_ids or (
        contact is not None and contact.is_active and contact.role == Role.ADMIN)
    return Person(line_user_id, contact, is_admin)


def managed_districts(session: Session, person: Person) -> list[District]:
    """The districts this person may work on, by the one access rule."""
    rule = settings().may_manage
    return [d for d in session.scalars(select(District).order_by(District.id))
            if rule(person.contact, d, person.is_admin)]


@contextmanager
def desk(district_id: int) -> Iterator[Desk]:
    """Open a transaction for a page of `district_id`, refusing (403) anyone the access rule refuses."""
    found = services()
    now = found.clock()
    with found.db.transaction() as db_session:
        person = load_person(db_session, g.console_user, found.config)
        district = db_session.get(District, district_id)
        if district is None:
            abort(404)
        if not person.may_enter or not settings().may_manage(person.contact, district, person.is_admin):
            abort(403)
        g.console_who = f"{person.name}（{person.unit_name}）"
        work = Desk(db_session, person, district, now, found.config)
        yield work
        # Pushes are counted under the capability whose page sent them (blueprint `console_<capability>`).
        rows = outbox.enqueue_claimed_all(db_session, labelled(work.said, _capability()), now)
    # As the CLI does: sent right after commit; a row a crash leaves behind is sent by the scheduler's relay.
    outbox.send_claimed(found.db, found.gateway, rows, now)


def _capability() -> str:
    return (request.blueprint or "console").removeprefix("console_")


def session_secret(config: Config) -> str:
    """A key for console cookies, derived from the newest link signing key (else the data key); rotating it signs
    everyone out, which is what a rotation is for."""
    base = config.link_signing_keys[0] if config.link_signing_keys else config.encryption_keys[0]
    return hmac.new(base.encode(), b"shanet-console-session", hashlib.sha256).hexdigest()


class ConsoleSessions(SecureCookieSessionInterface):
    """The console's signed cookie, opened only where the browser sends it (SESSION_COOKIE_PATH, /console).

    Anywhere else there is no cookie to read, yet Flask would still build a signing serializer for every
    request, each webhook included; it gets the null session instead, as when no secret key is set.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not _under_console(request.path):
            return None
        return super().open_session(app, request)


def _under_console(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def signed_in_user() -> str | None:
    """The LINE user id of this browser's sign-in, if it is still within CONSOLE_SESSION_HOURS."""
    uid, at = session.get("uid"), session.get("at")
    if not isinstance(uid, str) or not isinstance(at, str):
        return None
    try:
        started = datetime.fromisoformat(at)
    except ValueError:
        return None
    now = services().clock()
    if not (now - timedelta(hours=services().config.console_session_hours) <= started <= now + timedelta(minutes=5)):
        return None
    return uid


def _guard() -> Any:
    """Before every /console/ request: CSRF on writes, then a signed-in secretariat member or admin."""
    if not _under_console(request.path):
        return None
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    uid = signed_in_user()
    if uid is None:
        session.clear()
        wanted = request.full_path if request.method == "GET" else PREFIX + "/"
        return redirect(url_for("console.signin", next=wanted.rstrip("?")))
    g.console_user = uid
    return None


def _private(response: Any) -> Any:
    if request.path.startswith(PREFIX):
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def _message(title: str, message: str, status: int) -> Any:
    return render_template("console/message.html", title=title, message=message), status


def _error(err: Any) -> Any:
    if not request.path.startswith(PREFIX):
        return err
    code = getattr(err, "code", 500)
    if code == 403:
        return _message("沒有權限", "您的帳號不能查看或處理這個地區的資料。", 403)
    if code == 404:
        return _message("找不到頁面", "找不到這個頁面或資料。", 404)
    return err


def _csrf_error(err: CSRFError) -> Any:
    return _message("請重新操作", "表單已過期或不是從本系統送出，請重新整理頁面後再試一次。", 400)


def _navigation() -> dict[str, Any]:
    """The layout's nav: the current district's pages, in order."""
    if not request.path.startswith(PREFIX) or EXTENSION not in current_app.extensions:
        return {}
    district_id = (request.view_args or {}).get("district_id")
    nav: list[dict[str, Any]] = []
    if district_id is not None:
        for page in sorted(settings().pages, key=lambda p: p.order):
            url = url_for(page.endpoint, district_id=district_id)
            nav.append({"label": page.label, "url": url, "current": False})
        matching = [item for item in nav if request.path.startswith(item["url"])]
        if matching:  # the most specific page is the current one (求助統計 lies under 求助看板's path)
            max(matching, key=lambda item: len(item["url"]))["current"] = True
    return {"console_nav": nav, "console_user": g.get("console_user")}


def init_app(app: Flask, config: Config, may_manage: MayManage, pages: list[ConsolePage]) -> None:
    """Install the console: cookie settings, CSRF, sign-in, the layout and the guard."""
    from bot.console import login, views  # noqa: F401  (their routes are on `blueprint`)
    app.secret_key = session_secret(config)
    app.session_interface = ConsoleSessions()
    app.config.update(
        SESSION_COOKIE_NAME="shanet_console",
        SESSION_COOKIE_PATH=PREFIX,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",  # the sign-in comes back from LINE as a top-level GET
        SESSION_COOKIE_SECURE=config.public_base_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=config.console_session_hours),
        WTF_CSRF_CHECK_DEFAULT=False,  # only console forms: the webhook and signed-link pages have no cookie
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the sign-in
        WTF_CSRF_SSL_STRICT=True,
    )
    csrf.init_app(app)
    app.extensions[EXTENSION] = ConsoleSettings(may_manage, list(pages))
    login.init_app(app, config)
    app.register_blueprint(blueprint)
    app.before_request(_guard)
    app.after_request(_private)
    app.register_error_handler(403, _error)
    app.register_error_handler(404, _error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.context_processor(_navigation)
