"""Fixtures of the Systeme.io tests."""

from __future__ import annotations

import pytest

from tests.providers.systeme.helpers import client_for
from tests.support import ApiClient, RunningEmulator


@pytest.fixture
def other(emulator: RunningEmulator, api_key: str) -> ApiClient:
    """A second fresh account (B), next to the `systeme` one (A)."""
    return client_for(emulator, f"{api_key}-other")
