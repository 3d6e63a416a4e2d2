"""Settings and the demo directory (users, groups, the bot itself) of the LINE emulator."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
DEMO_USERS_PATH = PACKAGE_DIR / "demo_users.yaml"


def openapi_dir() -> str:
    """Directory holding LINE's OpenAPI files: the emulator's own copy, unless LINE_OPENAPI_DIR names another."""
    return os.environ.get("LINE_OPENAPI_DIR") or str(PACKAGE_DIR / "openapi")


def default_spec_path() -> str:
    """Path of messaging-api.yml."""
    return os.path.join(openapi_dir(), "messaging-api.yml")


def default_webhook_spec_path() -> str:
    """Path of webhook.yml."""
    return os.path.join(openapi_dir(), "webhook.yml")


@dataclass(frozen=True)
class DemoUser:
    """A LINE user the emulator can act as."""

    user_id: str
    display_name: str
    unit_label: str
    role: str = "member"


@dataclass(frozen=True)
class DemoGroup:
    """A LINE group chat the bot is in."""

    group_id: str
    name: str
    member_ids: tuple[str, ...]


@dataclass(frozen=True)
class BotProfile:
    """The bot's own account, as /v2/bot/info reports it."""

    user_id: str = "U6a4b6f83d889efdaa7ea4a9400b7333e"
    display_name: str = "社安網聯繫小幫手"
    basic_id: str = "@912zhongli"


@dataclass(frozen=True)
class DemoDirectory:
    """Everything loaded from a demo_users.yaml file."""

    users: list[DemoUser]
    groups: list[DemoGroup]
    bot: BotProfile


def load_directory(path: str | os.PathLike[str] = DEMO_USERS_PATH) -> DemoDirectory:
    """Load demo users, groups and the bot profile from a YAML file."""
    with open(path, encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh) or {}
    users = [DemoUser(**u) for u in data.get("users", [])]
    all_ids = tuple(u.user_id for u in users)
    groups = [_group_from_yaml(g, all_ids) for g in data.get("groups", [])]
    bot = BotProfile(**data["bot"]) if data.get("bot") else BotProfile()
    return DemoDirectory(users=users, groups=groups, bot=bot)


def _group_from_yaml(raw: dict[str, Any], all_ids: tuple[str, ...]) -> DemoGroup:
    """Build a DemoGroup; `members: all` means every demo user."""
    members = raw.get("members", "all")
    member_ids = all_ids if members == "all" else tuple(members)
    return DemoGroup(group_id=raw["group_id"], name=raw["name"], member_ids=member_ids)


def _default_users() -> list[DemoUser]:
    return load_directory().users


def _default_groups() -> list[DemoGroup]:
    return load_directory().groups


def _default_bot() -> BotProfile:
    return load_directory().bot


@dataclass
class EmulatorSettings:
    """How one emulator instance behaves."""

    channel_secret: str
    access_token: str
    bot_callback_url: str
    spec_path: str = field(default_factory=default_spec_path)
    reply_token_ttl_seconds: float = 60.0
    users: list[DemoUser] = field(default_factory=_default_users)
    groups: list[DemoGroup] = field(default_factory=_default_groups)
    bot: BotProfile = field(default_factory=_default_bot)
    monthly_quota: int = 200  # the free (コミュニケーション) plan's monthly message count
    # LINE Login channel (emulator/login.py): the console's sign-in; the bot's LINE_LOGIN_* must match.
    login_channel_id: str = "1656000000"
    login_channel_secret: str = "dev-login-secret"
    webhook_timeout_seconds: float = 30.0
