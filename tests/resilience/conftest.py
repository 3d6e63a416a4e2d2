"""Fixtures shared by the resilience tests: the served bot's URL (the session fixtures come from tests/conftest.py)."""
from __future__ import annotations

import pytest

from tests import demo


@pytest.fixture
def bot_url(app, bot_server) -> str:
    """Base URL of the real HTTP server the test's bot is served on."""
    return bot_server[1]


@pytest.fixture
def group(emulator) -> str:
    """The demo group bound to 中壢區, with the setup's traffic cleared and quota for group pushes."""
    emulator.join(demo.GROUP)
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.reset()
    emulator.configure(monthly_quota=100_000)
    return demo.GROUP
