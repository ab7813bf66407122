"""Fixtures of the ClickFunnels tests: the test's account and its only workspace."""

from __future__ import annotations

import pytest

from mockserver.testing import Account, ApiSession
from tests.providers.clickfunnels.helpers import first_workspace


@pytest.fixture
def account(clickfunnels_account: Account) -> Account:
    """The fresh account the `clickfunnels` client talks to."""
    return clickfunnels_account


@pytest.fixture
def workspace_id(clickfunnels: ApiSession) -> int:
    """The id of the fresh account's only workspace."""
    return first_workspace(clickfunnels)
