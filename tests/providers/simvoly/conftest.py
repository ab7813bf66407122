"""Fixtures of the Simvoly tests: the test's website, and its clock frozen."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mockserver.testing import Account
from tests.providers.simvoly.helpers import FROZEN_AT


@pytest.fixture
def account(simvoly_account: Account) -> Account:
    """The fresh website the `simvoly` client talks to."""
    return simvoly_account


@pytest.fixture
def clock(account: Account) -> int:
    """The website's clock (no other account's) frozen at FROZEN_AT."""
    # Frozen first, then set: freeze_clock(at) lands microseconds past `at` (the admin API
    # sets a running clock, then freezes it).
    account.freeze_clock()
    account.set_clock(datetime.fromtimestamp(FROZEN_AT, UTC))
    return FROZEN_AT
