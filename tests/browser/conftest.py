"""Pages for browser tests; the one Chromium of the run is the `browser` fixture in tests/conftest.py."""
from __future__ import annotations

from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page

TIMEOUT_MS = 10_000


def open_page(browser: Browser, width: int, height: int) -> Iterator[Page]:
    """A fresh zh-TW page of this size in its own browser context, closed afterwards."""
    context = browser.new_context(locale="zh-TW", viewport={"width": width, "height": height})
    opened = context.new_page()
    opened.set_default_timeout(TIMEOUT_MS)
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh zh-TW page (desktop size, as the secretariat uses it)."""
    yield from open_page(browser, 1100, 900)
