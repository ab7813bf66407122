"""Fixtures of the ClickFunnels tests."""

from __future__ import annotations

import pytest

from tests.providers.clickfunnels.helpers import first_workspace
from tests.support import ApiClient


@pytest.fixture
def workspace_id(clickfunnels: ApiClient) -> int:
    """The id of the fresh account's only workspace."""
    return first_workspace(clickfunnels)
