"""The pytest plugin (registered as `mockserver` through the pytest11 entry point, so
installing the package is all it takes).

Fixtures:
- `mockserver` (session): a running emulator with every provider. Started in this process
  on 127.0.0.1 and a free port, stopped at the end; or, with `--mockserver-url URL` (or the
  environment variable MOCKSERVER_URL), one already running elsewhere. Under pytest-xdist
  each worker starts its own, or all share the one at the URL: accounts keep tests apart.
- `mockserver_settings` (session): the settings the in-process emulator starts with
  (override it in a conftest.py: `return {"seed": 7, "strict_responses": True}`).
- `webhook_receiver`: a local endpoint that records deliveries (mockserver.testing.WebhookReceiver).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.testing import Emulator, WebhookReceiver

URL_VARIABLE = "MOCKSERVER_URL"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockserver", "mockserver emulators")
    group.addoption(
        "--mockserver-url",
        metavar="URL",
        default=None,
        help=f"use the emulator running at URL instead of starting one in process (or set ${URL_VARIABLE})",
    )


@pytest.fixture(scope="session")
def mockserver_settings() -> dict[str, Any]:
    """Settings of the in-process emulator (mockserver.engine.settings.Settings fields);
    override this fixture to change them. Ignored with --mockserver-url."""
    return {}


@pytest.fixture(scope="session")
def mockserver(request: pytest.FixtureRequest, mockserver_settings: dict[str, Any]) -> Iterator[Emulator]:
    """A running emulator: `mockserver.account("systeme")` gives a fresh, isolated account."""
    url = request.config.getoption("mockserver_url") or os.environ.get(URL_VARIABLE)
    emulator = Emulator.connect(url) if url else Emulator.start(**mockserver_settings)
    yield emulator
    emulator.stop()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A local HTTP endpoint (127.0.0.1, a free port) that records every delivery: `.url`,
    `.requests`, `.wait(n)`; `.respond_with(500, times=2)` to make the emulator retry."""
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()
