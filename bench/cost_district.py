"""The bot, the LINE emulator and a fake clock for one played scenario of bench/message_cost.py.

`District` serves the real app (create_app) and the emulator on loopback threads, ticks the real
scheduler at every due moment, and prices what the emulator received as LINE does.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import func, select

from bot.config import Config

REPO_ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-channel-secret"
TOKEN = "bench-access-token"
TAIPEI = timezone(timedelta(hours=8))
DEMO_CONTACTS = REPO_ROOT / "data" / "roster" / "demo_contacts.yaml"
GROUP = "C56e2bb208e0605f45a3436b65ffcf805"
SECRETARIAT = "U0cb5cf784910256ad3c8fc8b4cb4d3df"
SOCIAL_WORKER = "U2964d69355860ac62b63f9479af206e5"
POLICE = "Uf2f27e0a11f11865a3528627c69d1f46"
HEALTH = "U51ea4a13fec08c324f9f7250d951b60d"
DV_CENTRE = "U6d2f43ded9daed63bcf87557c3b1443f"
GROUP_SIZE = 30
# What each kind of work says, however it is delivered (group, 1:1 or a digest): counted to show it was done.
CHECK_MARKERS = ("求助 ", "尚無單位認領", "仍無單位認領", "【會議提醒】", "尚未填寫", "共同宣導活動預告")
CHECKPOINT = timedelta(hours=6)


class FakeClock:
    """The bot's clock: the bench moves it from one due moment to the next."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


class _Finish:
    """Run the bot's after-response work (its deliveries) before answering, so each step sees its effect."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Any) -> Any:
        body = self.app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            getattr(body, "close", lambda: None)()


@dataclass
class Cost:
    """Counted messages of one scenario, by capability and by what was said."""

    pushes: int = 0
    replies: int = 0
    counted: int = 0  # the emulator's own quota consumption
    by_capability: Counter = field(default_factory=Counter)
    by_purpose: Counter = field(default_factory=Counter)
    pushes_by_capability: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    months: int = 1
    checks: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"pushes": self.pushes, "replies": self.replies, "counted": self.counted, "months": self.months,
                "by_capability": dict(self.by_capability), "by_purpose": dict(self.by_purpose),
                "pushes_by_capability": dict(self.pushes_by_capability), "seconds": round(self.seconds, 1),
                "checks": self.checks}


class District:
    """The bot, the emulator and the clock of one played scenario."""

    def __init__(self, database_url: str, start: datetime, env: dict[str, str] | None = None) -> None:
        from app import create_app
        from bot.migrate import upgrade
        from emulator.app import create_emulator
        from emulator.client import EmulatorClient, run_in_thread
        from emulator.settings import EmulatorSettings

        upgrade(database_url)
        self.clock = FakeClock(start)
        settings = EmulatorSettings(channel_secret=SECRET, access_token=TOKEN, bot_callback_url="http://127.0.0.1:9")
        self._emulator_server, emulator_url = run_in_thread(create_emulator(settings))
        self.emulator = EmulatorClient(emulator_url)
        self.emulator.configure(monthly_quota=1_000_000)  # measure, never refuse
        config = Config(channel_secret=SECRET, channel_access_token=TOKEN,
                        encryption_keys=(Fernet.generate_key().decode(),), line_api_base_url=emulator_url,
                        database_url=database_url, environment="bench",
                        # Keep the outbox rows the play makes: each push is attributed through its row.
                        retention_days=3650, outbox_retention_days=3650,
                        rate_limit_per_minute=10_000_000)  # simulated people act faster than the limit allows
        config = _with_env(config, env or {})
        self.app = create_app(config, clock=self.clock)
        self.services = self.app.extensions["services"]
        self._bot_server, bot_url = run_in_thread(_Finish(self.app))
        self.emulator.configure(bot_callback_url=bot_url + "/callback")
        self.extra_users: list[str] = []

    def close(self) -> None:
        self._bot_server.shutdown()
        self._emulator_server.shutdown()
        self.services.db.dispose()

    # ---- set-up ----

    def seed(self) -> None:
        """中壢區's 15 units with two contacts each, the group bound, 30 members in it."""
        from bot import roster as service
        from bot.directory import load_directory
        from models.roster import Role
        with self.services.db.transaction() as session:
            service.seed(session, load_directory(self.services.config.roster_file))
            service.import_contacts(session, str(DEMO_CONTACTS), self.clock())
            district = service.find_district(session, "中壢區")
            assert district is not None
            counts = Counter(c.unit_id for c in service.contacts_of_units(session, [u.id for u in district.units]))
            number = 0
            for unit in sorted(district.units, key=lambda u: u.id):
                for _ in range(2 - counts.get(unit.id, 0)):
                    number += 1
                    user = f"U{number:032x}"
                    service.add_contact(session, user, unit, Role.MEMBER, f"窗口{number}", self.clock())
                    self.extra_users.append(user)
        self.say(SECRETARIAT, "綁定 中壢區", group=True)
        self.emulator.member_joined(GROUP, self.extra_users)
        members = len(self.emulator.directory()["groups"][0]["member_ids"]) if self.emulator.directory().get(
            "groups") else None
        assert members in (None, GROUP_SIZE), f"group has {members} members, not {GROUP_SIZE}"

    def unit_contacts(self) -> dict[str, list[str]]:
        """LINE ids of the contacts of each unit that answers forms (not the secretariat's), by unit name."""
        from bot import roster as service
        with self.services.db.transaction() as session:
            district = service.find_district(session, "中壢區")
            assert district is not None
            found: dict[str, list[str]] = {}
            asked = [u.id for u in district.units if not u.is_secretariat]  # forms skip the secretariat's
            for contact in service.contacts_of_units(session, asked):
                found.setdefault(contact.unit.name, []).append(contact.line_user_id)
            return found

    # ---- acting ----

    def say(self, user: str, words: str, group: bool = False) -> None:
        result = self.emulator.text(user, words, group_id=GROUP if group else None)
        assert result.ok, f"{words!r}: {result.status} {result.error}"

    def tap(self, user: str, data: str, group: bool = False, params: dict[str, str] | None = None) -> None:
        result = self.emulator.postback(user, data, group_id=GROUP if group else None, params=params)
        assert result.ok, f"{data!r}: {result.status} {result.error}"

    def last_to(self, user: str) -> list[dict[str, Any]]:
        return self.emulator.messages(to=user)

    def cli(self, *args: str) -> str:
        result = self.app.test_cli_runner().invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result.output

    # ---- time ----

    def at(self, moment: datetime) -> None:
        """Move to `moment`, ticking the scheduler at every due reminder and retry on the way."""
        from scheduler.runner import tick
        while True:
            tick(self.services, self.clock())
            now = self.clock()
            if now >= moment:
                return
            due = self._next_due()
            self.clock.now = min(m for m in (moment, now + CHECKPOINT, due) if m is not None and m > now)

    def _next_due(self) -> datetime | None:
        from models.outbox import OutboxMessage, OutboxStatus
        from models.reminders import Reminder, ReminderState
        with self.services.db.transaction() as session:
            moments = [session.scalar(select(func.min(Reminder.due_at)).where(
                Reminder.state == ReminderState.SCHEDULED)),
                session.scalar(select(func.min(OutboxMessage.next_attempt_at)).where(
                    OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])))]
        found = [m for m in moments if m is not None and m > self.clock()]
        return min(found) if found else None

    # ---- counting ----

    def cost(self) -> Cost:
        """What the emulator received, priced as LINE prices it, attributed to capabilities."""
        deliveries = self.emulator.deliveries()
        attribution = self._attribution({d["retry_key"] for d in deliveries if d.get("retry_key")})
        cost = Cost(counted=self.emulator.quota_consumption())
        for delivery in deliveries:
            if delivery["kind"] == "reply":
                cost.replies += 1
                continue
            cost.pushes += 1
            recipients = int(delivery["counted"])
            capability, purpose = attribution.get(delivery.get("retry_key") or "", ("other", "other"))
            cost.by_capability[capability] += recipients
            cost.pushes_by_capability[capability] += 1
            cost.by_purpose[f"{capability}: {purpose}"] += recipients
        return cost

    def _attribution(self, retry_keys: set[str]) -> dict[str, tuple[str, str]]:
        from models.outbox import OutboxMessage
        from models.reminders import Reminder
        kinds = {kind: capability.name for capability in self.services.router.capabilities
                 for kind in capability.reminders}
        found: dict[str, tuple[str, str]] = {}
        with self.services.db.transaction() as session:
            rows = session.scalars(select(OutboxMessage).where(OutboxMessage.retry_key.in_(retry_keys)))
            for row in rows:
                found[row.retry_key] = _attribute(session, row, kinds, Reminder)
        return found


def _attribute(session: Any, row: Any, kinds: dict[str, str], reminder_model: Any) -> tuple[str, str]:
    """(capability, purpose) of an outbox row: its own label when it has one, else read from its dedupe key."""
    capability = getattr(row, "capability", None)
    purpose = getattr(row, "purpose", None)
    if capability:
        return capability, purpose or "other"
    key = row.dedupe_key or ""
    if key.startswith("reminder:"):
        reminder = session.get(reminder_model, int(key.split(":")[1]))
        if reminder is not None:
            suffix = reminder.key.split(":")[-1] if reminder.kind == "incident_escalation" else ""
            return kinds.get(reminder.kind, "other"), reminder.kind + (f" {suffix}" if suffix else "")
    prefix = key.split(":")[0]
    names = {"incident": "incidents", "form": "forms", "meeting": "meetings", "calendar": "calendar"}
    if prefix in names:
        return names[prefix], key.split(":")[2] if key.count(":") >= 2 else prefix
    return "other", "push without a key"


def _with_env(config: Config, env: dict[str, str]) -> Config:
    fields = {"MEETING_REMINDER_LEADS": "meeting_reminder_leads", "QUIET_HOURS": "quiet_hours"}
    return replace(config, **{fields[k]: v for k, v in env.items() if k in fields})


