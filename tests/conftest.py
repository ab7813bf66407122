"""Shared fixtures: one strict emulator per test session; a fresh API key (so a fresh,
isolated tenant) per test; webhook receivers that stop after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import ApiClient, RunningEmulator, WebhookReceiver, bearer_client, fresh_key


@pytest.fixture(scope="session")
def emulator() -> Iterator[RunningEmulator]:
    running = RunningEmulator()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def _responses_match_the_spec(request: pytest.FixtureRequest) -> Iterator[None]:
    """Strict mode records every response that breaks its spec; any such response fails the test."""
    if "emulator" not in request.fixturenames:
        yield
        return
    running: RunningEmulator = request.getfixturevalue("emulator")
    running.emulator.strict_problems.clear()
    yield
    problems = list(running.emulator.strict_problems)
    running.emulator.strict_problems.clear()
    assert not problems, f"responses that do not match the spec: {problems}"


def _reseed_demo(emulator: RunningEmulator, provider: str) -> None:
    """The provider's demo account (key "demo") seeded afresh."""
    emulator.admin("POST", "seed", json={"provider": provider, "apiKey": "demo"}).raise_for_status()


@pytest.fixture
def api_key() -> str:
    return fresh_key()


@pytest.fixture
def systeme(emulator: RunningEmulator, api_key: str) -> ApiClient:
    """A Systeme.io client on a fresh, empty account."""
    return ApiClient(f"{emulator.url}/systeme", {"X-API-Key": api_key})


@pytest.fixture
def systeme_demo(emulator: RunningEmulator) -> Iterator[ApiClient]:
    """A Systeme.io client on the demo account, freshly re-seeded."""
    _reseed_demo(emulator, "systeme")
    yield ApiClient(f"{emulator.url}/systeme", {"X-API-Key": "demo"})


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver()
    yield server
    server.stop()


@pytest.fixture
def clickfunnels(emulator: RunningEmulator, api_key: str) -> ApiClient:
    """A ClickFunnels client on a fresh account (one team, one workspace, nothing else)."""
    return bearer_client(emulator, "clickfunnels", api_key)


@pytest.fixture
def clickfunnels_demo(emulator: RunningEmulator) -> Iterator[ApiClient]:
    """A ClickFunnels client on the demo account, freshly re-seeded."""
    _reseed_demo(emulator, "clickfunnels")
    yield bearer_client(emulator, "clickfunnels", "demo")


@pytest.fixture
def simvoly(emulator: RunningEmulator, api_key: str) -> ApiClient:
    """A Simvoly client on a fresh, empty website."""
    return bearer_client(emulator, "simvoly", api_key)


@pytest.fixture
def simvoly_demo(emulator: RunningEmulator) -> Iterator[ApiClient]:
    """A Simvoly client on the demo website, freshly re-seeded."""
    _reseed_demo(emulator, "simvoly")
    yield bearer_client(emulator, "simvoly", "demo")


@pytest.fixture
def yulsn(emulator: RunningEmulator, api_key: str) -> ApiClient:
    """A Yulsn client on a fresh, empty account (no stores, no dynamic fields or tables)."""
    return ApiClient(f"{emulator.url}/yulsn", {"X-ApiKey": api_key, "Accept": "application/json"})


@pytest.fixture
def yulsn_demo(emulator: RunningEmulator) -> Iterator[ApiClient]:
    """A Yulsn client on the demo account, freshly re-seeded."""
    _reseed_demo(emulator, "yulsn")
    yield ApiClient(f"{emulator.url}/yulsn", {"X-ApiKey": "demo", "Accept": "application/json"})
