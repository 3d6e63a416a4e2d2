"""The long-lived parts one process shares: configuration, database, gateway, router, directory, clock."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from bot.config import Config
from bot.db import Database
from bot.directory import Directory
from bot.gateway import Gateway
from bot.router import Router

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real time, aware, in UTC."""
    return datetime.now(timezone.utc)


@dataclass
class Services:
    config: Config
    db: Database
    gateway: Gateway
    router: Router
    directory: Directory
    clock: Clock = system_clock
