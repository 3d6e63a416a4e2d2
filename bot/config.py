"""Typed configuration read from the environment, checked once in the app factory."""
from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ROSTER_FILE = REPO_ROOT / "data" / "roster" / "taoyuan.yaml"
DEV_SECRET = "dev-secret"
DEV_TOKEN = "dev-token"
# LINE Login (the console's sign-in): LINE's own hosts; LINE_LOGIN_BASE_URL points both at the emulator instead.
LINE_LOGIN_ACCESS_URL = "https://access.line.me"
LINE_LOGIN_API_URL = "https://api.line.me"
DEV_LOGIN_CHANNEL_ID = "1656000000"
DEV_LOGIN_SECRET = "dev-login-secret"
# APP_ENV must be one of these, spelled exactly: a typo ("prod", "Production") must not start a development
# server with public development secrets.
ENVIRONMENTS = ("development", "test", "bench", "production")
DEVELOPMENT_SECRETS = frozenset({DEV_SECRET, DEV_TOKEN, "changeme", "secret", "test-channel-secret",
                                 "test-access-token", DEV_LOGIN_SECRET, "test-login-channel-secret"})
LINE_API_HOSTS = frozenset({"api.line.me", "api-data.line.me"})


class ConfigError(RuntimeError):
    """Raised when the environment cannot make a working configuration."""


def _masked(value: str) -> str:
    return "***" if value else ""


def _split(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


@dataclass(frozen=True)
class Config:
    """Everything the web app and the scheduler need, secrets masked in repr."""

    channel_secret: str = field(repr=False)
    channel_access_token: str = field(repr=False)
    encryption_keys: tuple[str, ...] = field(repr=False)
    # Signs links and calendar feeds; apart from the data key, so rotating one does not break the other.
    link_signing_keys: tuple[str, ...] = field(default=(), repr=False)
    line_api_base_url: str = "https://api.line.me"
    database_url: str = "sqlite:///instance/bot.sqlite3"
    admin_line_user_ids: frozenset[str] = frozenset()
    environment: str = "development"
    roster_file: Path = DEFAULT_ROSTER_FILE
    public_base_url: str = "http://127.0.0.1:5000"
    max_body_bytes: int = 1024 * 1024
    conversation_minutes: int = 30
    rate_limit_per_minute: int = 30  # commands, taps and steps per user and minute (0 = no limit)
    # Events older than this are acknowledged and ignored (replay window); LINE redelivers for a limited time.
    event_max_age_minutes: int = 1440
    contact_silent_days: int = 180  # contacts silent this long are listed to their secretariat each quarter
    outbox_max_attempts: int = 6
    incident_escalation_minutes: int = 15
    incident_second_escalation_minutes: int = 15
    retention_days: int = 180
    outbox_retention_days: int = 45  # sent/failed outbox rows (their bodies quote typed text); at most retention_days
    processed_events_retention_days: int = 7  # dedupe records; LINE redelivers within hours
    audit_retention_days: int = 365  # audit rows (kinds only, never text)
    quiet_hours: str = "21:00-08:00"
    workday_calendar: str = "TW"
    meeting_reminder_leads: str = "7d,1d,2h"
    meeting_types_file: Path = REPO_ROOT / "data" / "meeting_types" / "taoyuan.yaml"  # another city: another file
    scheduler_tick_seconds: int = 30
    line_push_rate: float = 100.0  # pushes per second at most (LINE allows 2,000/s per channel); 0 = no limit
    line_timeout_seconds: float = 10.0
    form_reminder_offsets: str = "3d,1d"  # days before a form's deadline; only units yet to answer
    form_reminder_max: int = 3  # cap on reminders per form (the ones nearest the deadline are kept)
    form_link_hours: int = 72  # how long a signed answer-page link stays valid
    calendar_digest: str = ""  # weekly schedule push, e.g. "mon 08:30"; off by default (a group push costs 1 per member)
    calendar_announce_days: int = 3  # joinable activities are announced to the group this many days before (0 = off)
    line_login_channel_id: str = ""  # empty: the console's sign-in is off
    line_login_channel_secret: str = field(default="", repr=False)
    line_login_base_url: str = LINE_LOGIN_ACCESS_URL
    console_session_hours: int = 8  # a console sign-in lasts this long at most, however busy

    @property
    def login_authorize_url(self) -> str:
        """LINE Login v2.1's authorization endpoint (access.line.me, or the stand-in's)."""
        return f"{self.line_login_base_url}/oauth2/v2.1/authorize"

    @property
    def login_token_url(self) -> str:
        """LINE Login v2.1's token endpoint: LINE serves it from api.line.me, a stand-in from its one address."""
        base = LINE_LOGIN_API_URL if self.line_login_base_url == LINE_LOGIN_ACCESS_URL else self.line_login_base_url
        return f"{base}/oauth2/v2.1/token"

    bundle_window_minutes: int = 10  # a routine group push waits this long for others to the same group
    digest_time: str = "08:30"  # routine group notices of the working day go out together then (empty: off)
    quota_reserve_urgent: str = "10%"  # of the month's quota, kept for urgent requests (or a number of messages)
    big_send_confirm: int = 20  # a send costing more than this many messages is shown with its cost first

    @property
    def bundle_window(self) -> timedelta:
        return timedelta(minutes=max(self.bundle_window_minutes, 0))

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={_masked(getattr(self, name))!r}"
            for name in ("channel_secret", "channel_access_token", "encryption_keys", "link_signing_keys",
                         "line_login_channel_secret")
        )
        return (f"Config(environment={self.environment!r}, database_url={_without_password(self.database_url)!r}, "
                f"line_api_base_url={self.line_api_base_url!r}, public_base_url={self.public_base_url!r}, {shown})")

    __str__ = __repr__

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, instance_path: Path | None = None) -> "Config":
        """Build the configuration from environment variables, failing with a readable message."""
        env = os.environ if env is None else env
        instance_path = instance_path or REPO_ROOT / "instance"
        environment = env.get("APP_ENV") or env.get("FLASK_ENV") or "development"
        if environment not in ENVIRONMENTS:
            raise ConfigError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)} (exactly); got {environment!r}")
        production = environment == "production"
        secret = env.get("LINE_CHANNEL_SECRET", "")
        token = env.get("LINE_CHANNEL_ACCESS_TOKEN", "")
        keys = _split(env.get("DATA_ENCRYPTION_KEY", ""))
        link_keys = _split(env.get("LINK_SIGNING_KEY", ""))
        if production:
            missing = [name for name, value in (
                ("LINE_CHANNEL_SECRET", secret),
                ("LINE_CHANNEL_ACCESS_TOKEN", token),
                ("DATA_ENCRYPTION_KEY", keys),
                ("LINK_SIGNING_KEY", link_keys),
            ) if not value]
            if missing:
                raise ConfigError("Production refuses to start without: " + ", ".join(missing))
        else:
            secret = secret or DEV_SECRET
            token = token or DEV_TOKEN
            keys = keys or (_development_key(instance_path),)
            link_keys = link_keys or (_development_file(instance_path, "link_signing.key", _random_key,
                                                         "a link signing key (set LINK_SIGNING_KEY in production)"),)
        _check_keys(keys)
        login_id, login_secret, login_base = _login_settings(env, production)
        config = cls(
            channel_secret=secret,
            channel_access_token=token,
            encryption_keys=keys,
            link_signing_keys=link_keys,
            line_api_base_url=env.get("LINE_API_BASE_URL", "https://api.line.me").rstrip("/"),
            database_url=env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'bot.sqlite3'}",
            admin_line_user_ids=frozenset(_split(env.get("ADMIN_LINE_USER_IDS", ""))),
            environment=environment,
            roster_file=Path(env.get("ROSTER_FILE") or DEFAULT_ROSTER_FILE),
            public_base_url=env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
            incident_escalation_minutes=_int(env, "INCIDENT_ESCALATION_MINUTES", 15),
            incident_second_escalation_minutes=_int(env, "INCIDENT_SECOND_ESCALATION_MINUTES", 15),
            retention_days=_int(env, "RETENTION_DAYS", 180),
            outbox_retention_days=_int(env, "OUTBOX_RETENTION_DAYS", 45),
            processed_events_retention_days=_int(env, "PROCESSED_EVENTS_RETENTION_DAYS", 7),
            audit_retention_days=_int(env, "AUDIT_RETENTION_DAYS", 365),
            rate_limit_per_minute=_int(env, "RATE_LIMIT_PER_MINUTE", 30),
            event_max_age_minutes=_int(env, "EVENT_MAX_AGE_MINUTES", 1440),
            contact_silent_days=_int(env, "CONTACT_SILENT_DAYS", 180),
            quiet_hours=env.get("QUIET_HOURS", "21:00-08:00"),
            workday_calendar=env.get("WORKDAY_CALENDAR", "TW"),
            meeting_reminder_leads=env.get("MEETING_REMINDER_LEADS", "7d,1d,2h"),
            meeting_types_file=Path(env.get("MEETING_TYPES_FILE") or REPO_ROOT / "data" / "meeting_types" / "taoyuan.yaml"),
            scheduler_tick_seconds=_int(env, "SCHEDULER_TICK_SECONDS", 30),
            line_push_rate=_int(env, "LINE_PUSH_RATE", 100),
            form_reminder_offsets=env.get("FORM_REMINDER_OFFSETS", "3d,1d"),
            form_reminder_max=_int(env, "FORM_REMINDER_MAX", 3),
            form_link_hours=_int(env, "FORM_LINK_HOURS", 72),
            calendar_digest=env.get("CALENDAR_DIGEST", ""),
            calendar_announce_days=_int(env, "CALENDAR_ANNOUNCE_DAYS", 3),
            console_session_hours=_int(env, "CONSOLE_SESSION_HOURS", 8),
            line_login_channel_id=login_id,
            line_login_channel_secret=login_secret,
            line_login_base_url=login_base,
            digest_time=env.get("DIGEST_TIME", "08:30"),
            bundle_window_minutes=_int(env, "BUNDLE_WINDOW_MINUTES", 10),
            quota_reserve_urgent=env.get("QUOTA_RESERVE_URGENT", "10%"),
            big_send_confirm=_int(env, "BIG_SEND_CONFIRM", 20),
        )
        _check_schedules(config)
        if config.retention_days <= 0:
            raise ConfigError(f"RETENTION_DAYS must be at least 1 (days free text is kept); got {config.retention_days}")
        for name in ("OUTBOX_RETENTION_DAYS", "PROCESSED_EVENTS_RETENTION_DAYS", "AUDIT_RETENTION_DAYS"):
            if getattr(config, name.lower()) <= 0:
                raise ConfigError(f"{name} must be at least 1 (days); got {getattr(config, name.lower())}")
        if not 0 < config.event_max_age_minutes < config.processed_events_retention_days * 24 * 60:
            # A replay older than the dedupe records would act again: the window must end before they are pruned.
            raise ConfigError(f"EVENT_MAX_AGE_MINUTES must be at least 1 and shorter than "
                              f"PROCESSED_EVENTS_RETENTION_DAYS ({config.processed_events_retention_days} days); "
                              f"got {config.event_max_age_minutes}")
        if production:
            _check_production(config, env)
        elif config.database_url.startswith("sqlite:///"):
            _private_file(Path(config.database_url.removeprefix("sqlite:///")))
        return config


def _check_production(config: "Config", env: Mapping[str, str]) -> None:
    """Refuse what is fine on a laptop and dangerous in production (README, Security)."""
    problems = []
    used = {"LINE_CHANNEL_SECRET": config.channel_secret, "LINE_CHANNEL_ACCESS_TOKEN": config.channel_access_token,
            "LINE_LOGIN_CHANNEL_SECRET": config.line_login_channel_secret}
    used |= {f"LINK_SIGNING_KEY ({n + 1})": k for n, k in enumerate(config.link_signing_keys)}
    problems += [f"{name} is a known development value" for name, value in used.items()
                 if value in DEVELOPMENT_SECRETS]
    if set(config.link_signing_keys) & set(config.encryption_keys):
        problems.append("LINK_SIGNING_KEY must differ from DATA_ENCRYPTION_KEY")
    if any(len(k) < 32 for k in config.link_signing_keys):
        problems.append("LINK_SIGNING_KEY needs at least 32 characters (e.g. `python -c \"import secrets; "
                        "print(secrets.token_urlsafe(32))\"`)")
    public = urlsplit(config.public_base_url)
    if public.scheme != "https" or _not_public(public.hostname or ""):
        problems.append(f"PUBLIC_BASE_URL must be an https address others can reach; got {config.public_base_url!r}")
    api_host = urlsplit(config.line_api_base_url).hostname or ""
    if api_host not in LINE_API_HOSTS and env.get("ALLOW_NON_LINE_API") != "1":
        problems.append(f"LINE_API_BASE_URL must be LINE's ({', '.join(sorted(LINE_API_HOSTS))}); got "
                        f"{config.line_api_base_url!r} (set ALLOW_NON_LINE_API=1 only for a staging stand-in)")
    if urlsplit(config.line_api_base_url).scheme != "https" and env.get("ALLOW_NON_LINE_API") != "1":
        problems.append("LINE_API_BASE_URL must use https")
    if config.database_url.startswith("sqlite"):
        problems.append("DATABASE_URL must be PostgreSQL in production (several workers, one scheduler)")
    if problems:
        raise ConfigError("Production refuses to start: " + "; ".join(problems))


def _not_public(host: str) -> bool:
    if host in ("", "localhost") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified or address.is_private or address.is_link_local


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def _login_settings(env: Mapping[str, str], production: bool) -> tuple[str, str, str]:
    """LINE Login for the console; development defaults match the emulator's demo channel."""
    channel_id = env.get("LINE_LOGIN_CHANNEL_ID", "") or ("" if production else DEV_LOGIN_CHANNEL_ID)
    secret = env.get("LINE_LOGIN_CHANNEL_SECRET", "") or ("" if production else DEV_LOGIN_SECRET)
    if channel_id and not channel_id.isdigit():
        raise ConfigError("LINE_LOGIN_CHANNEL_ID must be the LINE Login channel's numeric ID")
    if channel_id and not secret:
        raise ConfigError("LINE_LOGIN_CHANNEL_ID needs LINE_LOGIN_CHANNEL_SECRET")
    base = (env.get("LINE_LOGIN_BASE_URL") or LINE_LOGIN_ACCESS_URL).rstrip("/")
    return channel_id, secret, base


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "")
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def _check_schedules(config: "Config") -> None:
    """Read the scheduling settings once at start-up, so a typo fails here and not at the first reminder."""
    from rules.economy import parse_digest_time, parse_reserve
    from rules.meetings.cycles import parse_leads
    from rules.workdays import QuietHours, calendar_from_setting
    checks: tuple[tuple[str, Any, str], ...] = (("MEETING_REMINDER_LEADS", parse_leads, config.meeting_reminder_leads),
              ("QUIET_HOURS", QuietHours.parse, config.quiet_hours),
              ("WORKDAY_CALENDAR", calendar_from_setting, config.workday_calendar),
              ("QUOTA_RESERVE_URGENT", lambda v: parse_reserve(v, 1000), config.quota_reserve_urgent))
    if config.digest_time:
        checks += (("DIGEST_TIME", parse_digest_time, config.digest_time),)
    for name, parse, value in checks:
        try:
            parse(value)
        except ValueError as exc:
            raise ConfigError(f"{name}: {exc}") from exc


def _check_keys(keys: tuple[str, ...]) -> None:
    for key in keys:
        try:
            Fernet(key)
        except (ValueError, TypeError) as exc:
            raise ConfigError("DATA_ENCRYPTION_KEY must be Fernet keys (urlsafe base64, 32 bytes), comma-separated") from exc


def _development_key(instance_path: Path) -> str:
    """Generate once and keep a key under instance/, so development data stays readable across restarts."""
    return _development_file(instance_path, "data_encryption.key", lambda: Fernet.generate_key().decode(),
                             "a data encryption key (set DATA_ENCRYPTION_KEY in production)")


def _random_key() -> str:
    import secrets
    return secrets.token_urlsafe(32)


def _development_file(instance_path: Path, name: str, make: Callable[[], str], what: str) -> str:
    """Read a development secret under instance/, creating it once (0600 in a 0700 directory)."""
    key_file = instance_path / name
    _private_dir(instance_path)
    if key_file.exists():
        key_file.chmod(0o600)
        return key_file.read_text().strip()
    key = make()
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    print(f"Development: generated {what} in {key_file}.")
    return key


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)


def _private_file(path: Path) -> None:
    """Create (or tighten) a file only its owner may read: the development database under instance/."""
    if str(path) in ("", ":memory:"):
        return
    _private_dir(path.parent) if path.parent.name == "instance" else path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    path.chmod(0o600)
