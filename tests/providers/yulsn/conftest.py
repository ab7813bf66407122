"""Fixtures of the Yulsn tests: the test's account."""

from __future__ import annotations

import pytest

from mockserver.testing import Account


@pytest.fixture
def account(yulsn_account: Account) -> Account:
    """The fresh account the `yulsn` client talks to."""
    return yulsn_account
