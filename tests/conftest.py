"""Fixtures that compose: config -> services/app -> bot server -> emulator -> `line` helper.

Database tests run on every backend in TEST_BACKENDS (default: sqlite and postgresql). The
PostgreSQL URL comes from TEST_DATABASE_URL, which `make test` sets after starting a server;
asking for PostgreSQL without it is an error, never a silent skip.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from bench.database import fresh_database
from bot.config import Config, REPO_ROOT

SECRET = "test-channel-secret"
TOKEN = "test-access-token"
LOGIN_CHANNEL_ID = "1660000001"  # the LINE Login channel of the console's sign-in (emulator/login.py)
LOGIN_SECRET = "test-login-channel-secret"
ADMIN = "Uadmin000000000000000000000000001"
DEMO_CONTACTS = REPO_ROOT / "data" / "roster" / "demo_contacts.yaml"
BACKENDS = [b.strip() for b in os.environ.get("TEST_BACKENDS", "sqlite,postgresql").split(",") if b.strip()]


class FakeClock:
    """A controllable clock: tests move time instead of sleeping."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment.astimezone(timezone.utc)


def _postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        raise pytest.UsageError("PostgreSQL tests need TEST_DATABASE_URL (run `make test`, or set "
                                "TEST_BACKENDS=sqlite to run only on SQLite)")
    return url


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """One migrated database per backend for the whole run."""
    from bot.migrate import upgrade
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    else:
        url = fresh_database(_postgres_url(), f"shanet_test_{os.getpid()}")
    upgrade(url)
    return url


@pytest.fixture
def clock() -> FakeClock:
    # A Tuesday morning in Taipei (2026-11-24 10:00 +08:00).
    return FakeClock(datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc))


@pytest.fixture
def config(database_url: str) -> Config:
    return Config(
        channel_secret=SECRET,
        channel_access_token=TOKEN,
        encryption_keys=(Fernet.generate_key().decode(),),
        line_api_base_url="http://127.0.0.1:9",  # replaced by the emulator fixture
        database_url=database_url,
        admin_line_user_ids=frozenset({ADMIN}),
        environment="test",
        line_login_channel_id=LOGIN_CHANNEL_ID,
        line_login_channel_secret=LOGIN_SECRET,
        # Group pushes go at once, as each capability's own tests expect; tests/webhook/test_digest.py
        # covers the bundling window (10 minutes by default).
        bundle_window_minutes=0,
    )


def _empty_tables(url: str) -> None:
    from models import Base
    engine = create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
    engine.dispose()


class _Switch:
    """WSGI app that forwards to whichever bot app the current test built (one server per run)."""

    def __init__(self) -> None:
        self.app: Any = None

    def __call__(self, environ: dict, start_response: Any) -> Any:
        # Finish the bot's after-response work (its deliveries) before answering, so a test sees their effect
        # as soon as the emulator returns. Under gunicorn that work runs after LINE has its 200
        # (tests/resilience/test_line_outage.py checks that).
        body = self.app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            getattr(body, "close", lambda: None)()


def _serve(app: Any) -> tuple[Any, str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="session")
def bot_server() -> Iterator[tuple[_Switch, str]]:
    switch = _Switch()
    server, url = _serve(switch)
    yield switch, url
    server.shutdown()


@pytest.fixture(scope="session")
def emulator_server(bot_server: tuple[_Switch, str]) -> Iterator[str]:
    from emulator.app import create_emulator
    from emulator.settings import EmulatorSettings
    settings = EmulatorSettings(channel_secret=SECRET, access_token=TOKEN,
                                bot_callback_url=bot_server[1] + "/callback",
                                login_channel_id=LOGIN_CHANNEL_ID, login_channel_secret=LOGIN_SECRET)
    server, url = _serve(create_emulator(settings))
    yield url
    server.shutdown()


@pytest.fixture
def emulator(emulator_server: str, app):
    """The LINE stand-in, emptied, with the test's bot behind it."""
    from emulator.client import EmulatorClient
    client = EmulatorClient(emulator_server)
    client.reset()
    return client


@pytest.fixture
def app(request: pytest.FixtureRequest, config: Config, clock: FakeClock, emulator_server: str,
        bot_server: tuple[_Switch, str]):
    """The bot, wired to the emulator, on a clean database, served on loopback."""
    from app import create_app
    from bot.directory import load_directory
    from bot import roster as service
    app = create_app(replace(config, line_api_base_url=emulator_server, line_login_base_url=emulator_server),
                     clock=clock)
    services = app.extensions["services"]
    with services.db.transaction() as session:
        service.seed(session, load_directory(config.roster_file))
        if request.node.get_closest_marker("unregistered") is None:
            service.import_contacts(session, str(DEMO_CONTACTS), clock())
    bot_server[0].app = app
    yield app
    bot_server[0].app = None
    services.db.dispose()
    _empty_tables(config.database_url)


@pytest.fixture
def services(app):
    return app.extensions["services"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(autouse=True)
def _no_schema_violations(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every body the bot sent to the emulator must be valid against LINE's official schema."""
    yield
    if "emulator" in request.fixturenames:
        from emulator.client import EmulatorClient
        violations = EmulatorClient(request.getfixturevalue("emulator_server")).violations()
        assert not violations, f"requests that break messaging-api.yml: {violations}"


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through playwright, one per run (two sync playwright drivers cannot coexist)."""
    from playwright.sync_api import sync_playwright
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


def gunicorn_env(config: Config, line_api_base_url: str) -> dict[str, str]:
    """The environment that makes `wsgi:app` in a gunicorn process the same bot as the test's `config`."""
    from bench.procs import base_env
    env = base_env(
        APP_ENV=config.environment, LINE_CHANNEL_SECRET=config.channel_secret,
        LINE_CHANNEL_ACCESS_TOKEN=config.channel_access_token, LINE_API_BASE_URL=line_api_base_url,
        DATABASE_URL=config.database_url, DATA_ENCRYPTION_KEY=",".join(config.encryption_keys),
        ADMIN_LINE_USER_IDS=",".join(sorted(config.admin_line_user_ids)), PUBLIC_BASE_URL=config.public_base_url,
    )
    from bot.links import signing_keys
    env["LINK_SIGNING_KEY"] = ",".join(reversed(signing_keys(config)))  # the keys the test's links are signed with
    return env


@pytest.fixture
def gunicorn_url(app, config: Config, emulator_server: str, tmp_path) -> Iterator[str]:
    """The test's bot served by a real gunicorn (gthread worker), as deployed: its base URL.

    Flask's test client and werkzeug's server accept headers gunicorn refuses (a non-Latin-1 file name
    answered 500 only here), so downloads are fetched from this server.
    """
    import requests
    from bench.procs import GunicornSettings, free_port, start
    port = free_port()
    # The deployed settings' worker class; one worker is enough here. No control socket: runs must not share one.
    argv = GunicornSettings(workers=1, threads=2).argv("wsgi:app", port) + ["--no-control-socket"]
    process = start("gunicorn", argv, gunicorn_env(config, emulator_server), tmp_path)
    deadline = time.monotonic() + 60  # a worker loads the app lazily, slowly on a busy machine
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline or not process.alive():
            process.stop()
            pytest.fail(f"gunicorn did not serve the bot:\n{process.log_path.read_text(errors='replace')}")
        time.sleep(0.2)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.stop()
        log = process.log_path.read_text(errors="replace")
        assert "Traceback" not in log and "Invalid" not in log, f"gunicorn logged an error:\n{log}"
