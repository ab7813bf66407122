"""Shared fixtures, from the test kit's pytest plugin (mockserver.pytest_plugin): one strict
emulator per test session (`mockserver`), a fresh, isolated account per test and provider,
and webhook receivers (`webhook_receiver`) that stop after each test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.app import create_app, emulator_of
from mockserver.engine import snapshot
from mockserver.engine.settings import Settings
from mockserver.testing import Account, ApiSession, Emulator
from tests.redis_server import redis_server, redis_url  # noqa: F401 - fixtures
from tests.support import STRICT_SETTINGS, assert_pending_as_saved, assert_same_state

# MOCKSERVER_SUITE_STATE=redis://HOST:PORT/DB runs the whole suite on shared state: then the
# session ends by comparing every account with one read back from Redis alone (below).
SUITE_STATE = os.environ.get("MOCKSERVER_SUITE_STATE")


@pytest.fixture(scope="session")
def mockserver_settings() -> dict[str, Any]:
    """The session's emulator runs with the suite's strict settings."""
    return {**STRICT_SETTINGS, **({"state": SUITE_STATE} if SUITE_STATE else {})}


@pytest.fixture(autouse=True)
def _responses_match_the_spec(request: pytest.FixtureRequest) -> Iterator[None]:
    """Strict mode records every response that breaks its spec; any such response fails the test."""
    engine = request.getfixturevalue("mockserver").engine if "mockserver" in request.fixturenames else None
    if engine is None:  # no emulator, or one running elsewhere (--mockserver-url): nothing to read
        yield
        return
    engine.strict_problems.clear()
    yield
    problems = list(engine.strict_problems)
    engine.strict_problems.clear()
    assert not problems, f"responses that do not match the spec: {problems}"


@pytest.fixture(scope="session", autouse=True)
def _every_account_survives_a_snapshot(request: pytest.FixtureRequest) -> Iterator[None]:
    """At the end of the session, every account the tests made (thousands, of every provider,
    through every operation) goes through a snapshot into a new emulator and comes out the
    same, exactly: rows and their types, deletes, indexes, counters, clocks, pending messages."""
    engine = request.getfixturevalue("mockserver").engine
    yield
    if engine is None:  # an emulator running elsewhere (--mockserver-url)
        return
    engine.dispatcher.stop()  # nothing new is queued (one may still be in flight: see below)
    if engine.shared is not None:
        # Every change each write recorded, replayed from Redis by a worker that saw none of
        # them, gives the same accounts as the worker that made them.
        reader = emulator_of(create_app(Settings(**STRICT_SETTINGS, state=SUITE_STATE), deliver=False))
        # This session's accounts (another pytest worker may be making its own meanwhile).
        assert_same_state(engine, reader, set(engine.store.replicas()), pending=False)
        return
    twin = emulator_of(create_app(Settings(**STRICT_SETTINGS)))
    twin.dispatcher.stop()
    saved = snapshot.read(snapshot.take(engine), twin.providers)
    snapshot.restore(twin, saved, at_start=True)
    # Pending deliveries are compared with what was saved: a delivery still in flight in the
    # original (to an address whose name does not resolve here) may finish meanwhile.
    assert_same_state(engine, twin, pending=False)
    assert_pending_as_saved(saved, twin)


@pytest.fixture
def api_key(account: Account) -> str:
    """The key of the test's account (`account` is the provider's, in tests/providers/<name>/)."""
    return account.api_key


# -- Systeme.io ----------------------------------------------------------------------------
@pytest.fixture
def systeme_account(mockserver: Emulator) -> Account:
    """A fresh, empty Systeme.io account."""
    return mockserver.account("systeme")


@pytest.fixture
def systeme(systeme_account: Account) -> ApiSession:
    """A Systeme.io client on a fresh, empty account."""
    return systeme_account.session()


@pytest.fixture
def systeme_demo_account(mockserver: Emulator) -> Account:
    """A fresh Systeme.io account holding the demo data."""
    return mockserver.account("systeme", demo=True)


@pytest.fixture
def systeme_demo(systeme_demo_account: Account) -> ApiSession:
    """A Systeme.io client on a fresh account holding the demo data."""
    return systeme_demo_account.session()


# -- ClickFunnels --------------------------------------------------------------------------
@pytest.fixture
def clickfunnels_account(mockserver: Emulator) -> Account:
    """A fresh ClickFunnels account (one team, one workspace, nothing else)."""
    return mockserver.account("clickfunnels")


@pytest.fixture
def clickfunnels(clickfunnels_account: Account) -> ApiSession:
    """A ClickFunnels client on a fresh account (one team, one workspace, nothing else)."""
    return clickfunnels_account.session()


@pytest.fixture
def clickfunnels_demo_account(mockserver: Emulator) -> Account:
    """A fresh ClickFunnels account holding the demo data."""
    return mockserver.account("clickfunnels", demo=True)


@pytest.fixture
def clickfunnels_demo(clickfunnels_demo_account: Account) -> ApiSession:
    """A ClickFunnels client on a fresh account holding the demo data."""
    return clickfunnels_demo_account.session()


# -- Simvoly -------------------------------------------------------------------------------
@pytest.fixture
def simvoly_account(mockserver: Emulator) -> Account:
    """A fresh, empty Simvoly website."""
    return mockserver.account("simvoly")


@pytest.fixture
def simvoly(simvoly_account: Account) -> ApiSession:
    """A Simvoly client on a fresh, empty website."""
    return simvoly_account.session()


@pytest.fixture
def simvoly_demo_account(mockserver: Emulator) -> Account:
    """A fresh Simvoly website holding the demo data."""
    return mockserver.account("simvoly", demo=True)


@pytest.fixture
def simvoly_demo(simvoly_demo_account: Account) -> ApiSession:
    """A Simvoly client on a fresh website holding the demo data."""
    return simvoly_demo_account.session()


# -- Yulsn ---------------------------------------------------------------------------------
@pytest.fixture
def yulsn_account(mockserver: Emulator) -> Account:
    """A fresh, empty Yulsn account (no stores, no dynamic fields or tables)."""
    return mockserver.account("yulsn")


@pytest.fixture
def yulsn(yulsn_account: Account) -> ApiSession:
    """A Yulsn client on a fresh, empty account (no stores, no dynamic fields or tables)."""
    return yulsn_account.session()


@pytest.fixture
def yulsn_demo_account(mockserver: Emulator) -> Account:
    """A fresh Yulsn account holding the demo data."""
    return mockserver.account("yulsn", demo=True)


@pytest.fixture
def yulsn_demo(yulsn_demo_account: Account) -> ApiSession:
    """A Yulsn client on a fresh account holding the demo data."""
    return yulsn_demo_account.session()
