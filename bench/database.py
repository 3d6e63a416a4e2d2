"""A fresh PostgreSQL database per benchmark, migrated and seeded like `make run` seeds SQLite."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from cryptography.fernet import Fernet
from sqlalchemy import create_engine, select, text

from bench.workload import DEMO_CONTACTS, People
from bot.config import Config

SECRET = "bench-channel-secret"
TOKEN = "bench-access-token"


def fresh_database(server_url: str, name: str) -> str:
    """Drop and create database `name` on the server of `server_url`; return its URL."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


def drop_database(server_url: str, name: str) -> None:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def bench_config(database_url: str, line_api_base_url: str) -> Config:
    """The configuration every bench process shares (one data key, so all can read the outbox)."""
    return Config(channel_secret=SECRET, channel_access_token=TOKEN,
                  encryption_keys=(Fernet.generate_key().decode(),), line_api_base_url=line_api_base_url,
                  database_url=database_url, environment="bench",
                  # A few simulated people send thousands of events: count every command as production does,
                  # but never limit them (the limit would turn the workload into polite refusals).
                  rate_limit_per_minute=BENCH_RATE_LIMIT)


BENCH_RATE_LIMIT = 10_000_000


def env_of(config: Config) -> dict[str, str]:
    """The same configuration as environment variables, for gunicorn and `python -m scheduler`."""
    return {"LINE_CHANNEL_SECRET": config.channel_secret, "LINE_CHANNEL_ACCESS_TOKEN": config.channel_access_token,
            "DATA_ENCRYPTION_KEY": ",".join(config.encryption_keys), "LINE_API_BASE_URL": config.line_api_base_url,
            "DATABASE_URL": config.database_url, "APP_ENV": "bench", "QUIET_HOURS": "",
            "WORKDAY_CALENDAR": "none", "RATE_LIMIT_PER_MINUTE": str(config.rate_limit_per_minute)}


def prepare(config: Config, people: People, incidents: int = 20) -> list[tuple[int, str]]:
    """Migrate, seed the roster and demo contacts, bind the demo group, open requests; their (id, number)."""
    from app import build_services
    from bot.directory import load_directory
    from bot.migrate import upgrade
    from handlers.incidents import service as incidents_service
    from bot import roster as service
    from models.roster import Contact, Group

    upgrade(config.database_url)
    services = build_services(replace(config, line_api_base_url="http://127.0.0.1:9"))
    now = datetime.now(timezone.utc)
    with services.db.transaction() as session:
        service.seed(session, load_directory(config.roster_file))
        service.import_contacts(session, str(DEMO_CONTACTS), now)
        district = service.find_district(session, "中壢區")
        assert district is not None
        group = Group(line_group_id=people.group_id, district_id=district.id, member_count=len(people.members),
                      joined_at=now, greeted_at=now, bound_at=now)
        session.add(group)
        requester = session.scalars(select(Contact).where(Contact.line_user_id == people.requester)).one()
        opened = [incidents_service.create(session, requester=requester, group=group, category="其他", urgency="一般",
                                           body="長者獨居需要關懷訪視", units=[], message_id=None, now=now,
                                           config=config) for _ in range(incidents)]
        found = [(incident.id, incident.number) for incident in opened]
    services.db.dispose()
    return found
