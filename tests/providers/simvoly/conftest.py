"""Fixtures of the Simvoly tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.providers.simvoly.helpers import FROZEN_AT
from tests.support import RunningEmulator, ok


@pytest.fixture
def clock(emulator: RunningEmulator) -> Iterator[int]:
    """The emulator's clock frozen at FROZEN_AT for the test, restored afterwards."""
    try:
        ok(emulator.admin("POST", "clock", json={"freeze": True}))
        ok(emulator.admin("POST", "clock", json={"set": datetime.fromtimestamp(FROZEN_AT, UTC).isoformat()}))
        yield FROZEN_AT
    finally:
        emulator.admin("POST", "clock", json={"reset": True}).raise_for_status()
