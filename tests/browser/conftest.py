"""Pages for browser tests; the one Chromium of the run is the `browser` fixture in tests/conftest.py."""
from __future__ import annotations

from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page

TIMEOUT_MS = 10_000


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh zh-TW page (desktop size, as the secretariat uses it)."""
    context = browser.new_context(locale="zh-TW", viewport={"width": 1100, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(TIMEOUT_MS)
    try:
        yield opened
    finally:
        context.close()
