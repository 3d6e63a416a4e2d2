"""Typed configuration read from the environment, checked once in the app factory."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from cryptography.fernet import Fernet

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ROSTER_FILE = REPO_ROOT / "data" / "roster" / "taoyuan.yaml"
DEV_SECRET = "dev-secret"
DEV_TOKEN = "dev-token"


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
    line_api_base_url: str = "https://api.line.me"
    database_url: str = "sqlite:///instance/bot.sqlite3"
    admin_line_user_ids: frozenset[str] = frozenset()
    environment: str = "development"
    roster_file: Path = DEFAULT_ROSTER_FILE
    public_base_url: str = "http://127.0.0.1:5000"
    max_body_bytes: int = 1024 * 1024
    conversation_minutes: int = 30
    outbox_max_attempts: int = 6
    incident_escalation_minutes: int = 15
    incident_second_escalation_minutes: int = 15
    retention_days: int = 180
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

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={_masked(getattr(self, name))!r}"
            for name in ("channel_secret", "channel_access_token")
        )
        return f"Config(environment={self.environment!r}, database_url={self.database_url!r}, {shown})"

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, instance_path: Path | None = None) -> "Config":
        """Build the configuration from environment variables, failing with a readable message."""
        env = os.environ if env is None else env
        instance_path = instance_path or REPO_ROOT / "instance"
        environment = (env.get("APP_ENV") or env.get("FLASK_ENV") or "development").lower()
        production = environment == "production"
        secret = env.get("LINE_CHANNEL_SECRET", "")
        token = env.get("LINE_CHANNEL_ACCESS_TOKEN", "")
        keys = _split(env.get("DATA_ENCRYPTION_KEY", ""))
        if production:
            missing = [name for name, value in (
                ("LINE_CHANNEL_SECRET", secret),
                ("LINE_CHANNEL_ACCESS_TOKEN", token),
                ("DATA_ENCRYPTION_KEY", keys),
            ) if not value]
            if missing:
                raise ConfigError("Production refuses to start without: " + ", ".join(missing))
        else:
            secret = secret or DEV_SECRET
            token = token or DEV_TOKEN
            keys = keys or (_development_key(instance_path),)
        _check_keys(keys)
        config = cls(
            channel_secret=secret,
            channel_access_token=token,
            encryption_keys=keys,
            line_api_base_url=env.get("LINE_API_BASE_URL", "https://api.line.me").rstrip("/"),
            database_url=env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'bot.sqlite3'}",
            admin_line_user_ids=frozenset(_split(env.get("ADMIN_LINE_USER_IDS", ""))),
            environment=environment,
            roster_file=Path(env.get("ROSTER_FILE") or DEFAULT_ROSTER_FILE),
            public_base_url=env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
            incident_escalation_minutes=_int(env, "INCIDENT_ESCALATION_MINUTES", 15),
            incident_second_escalation_minutes=_int(env, "INCIDENT_SECOND_ESCALATION_MINUTES", 15),
            retention_days=_int(env, "RETENTION_DAYS", 180),
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
        )
        _check_schedules(config)
        return config


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
    from rules.meetings.cycles import parse_leads
    from rules.workdays import QuietHours, calendar_from_setting
    checks = (("MEETING_REMINDER_LEADS", parse_leads, config.meeting_reminder_leads),
              ("QUIET_HOURS", QuietHours.parse, config.quiet_hours),
              ("WORKDAY_CALENDAR", calendar_from_setting, config.workday_calendar))
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
    key_file = instance_path / "data_encryption.key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    key_file.write_text(key + "\n")
    key_file.chmod(0o600)
    print(f"Development: generated a data encryption key in {key_file}; set DATA_ENCRYPTION_KEY in production.")
    return key
