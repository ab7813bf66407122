"""Fixtures of the Systeme.io tests: the test's account (A), and a second one (B)."""

from __future__ import annotations

import pytest

from mockserver.testing import Account, ApiSession, Emulator


@pytest.fixture
def account(systeme_account: Account) -> Account:
    """The fresh account the `systeme` client talks to."""
    return systeme_account


@pytest.fixture
def other(mockserver: Emulator) -> ApiSession:
    """A second fresh account (B), next to the `systeme` one (A)."""
    return mockserver.account("systeme").session()
