"""Fixtures shared by the resilience tests: the served bot's URL (the session fixtures come from tests/conftest.py)."""
from __future__ import annotations

import pytest


@pytest.fixture
def bot_url(app, bot_server) -> str:
    """Base URL of the real HTTP server the test's bot is served on."""
    return bot_server[1]
