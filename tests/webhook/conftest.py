"""Fixtures shared by the webhook tests."""
from __future__ import annotations

import pytest

from tests import demo


@pytest.fixture
def group(emulator) -> str:
    """The demo group, bound to 中壢區, with the binding reply out of the way."""
    emulator.join(demo.GROUP)
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.reset()
    return demo.GROUP
