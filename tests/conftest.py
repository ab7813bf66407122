"""Shared fixtures: one strict emulator per test session; a fresh API key (so a fresh,
isolated tenant) per test; webhook receivers that stop after each test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.support import ApiClient, RunningEmulator, WebhookReceiver


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


@pytest.fixture
def api_key() -> str:
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture
def systeme(emulator: RunningEmulator, api_key: str) -> ApiClient:
    """A Systeme.io client on a fresh, empty account."""
    return ApiClient(f"{emulator.url}/systeme", {"X-API-Key": api_key})


@pytest.fixture
def systeme_demo(emulator: RunningEmulator) -> Iterator[ApiClient]:
    """A Systeme.io client on the demo account, freshly re-seeded."""
    emulator.admin("POST", "seed", json={"provider": "systeme", "apiKey": "demo"}).raise_for_status()
    yield ApiClient(f"{emulator.url}/systeme", {"X-API-Key": "demo"})


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver()
    yield server
    server.stop()


@pytest.fixture
def clickfunnels(emulator: RunningEmulator, api_key: str) -> ApiClient:
    """A ClickFunnels client on a fresh account (one team, one workspace, nothing else)."""
    return ApiClient(f"{emulator.url}/clickfunnels", {"Authorization": f"Bearer {api_key}", "User-Agent": "mockserver-tests/1.0"})


@pytest.fixture
def clickfunnels_demo(emulator: RunningEmulator) -> Iterator[ApiClient]:
    """A ClickFunnels client on the demo account, freshly re-seeded."""
    emulator.admin("POST", "seed", json={"provider": "clickfunnels", "apiKey": "demo"}).raise_for_status()
    yield ApiClient(f"{emulator.url}/clickfunnels", {"Authorization": "Bearer demo", "User-Agent": "mockserver-tests/1.0"})


@pytest.fixture
def workspace_id(clickfunnels: ApiClient) -> int:
    """The id of the fresh account's only workspace."""
    team = clickfunnels.get("/api/v2/teams").json()[0]
    workspace: int = clickfunnels.get(f"/api/v2/teams/{team['id']}/workspaces").json()[0]["id"]
    return workspace


@pytest.fixture
def simvoly(emulator: RunningEmulator, api_key: str) -> ApiClient:
    """A Simvoly client on a fresh, empty website."""
    return ApiClient(f"{emulator.url}/simvoly", {"Authorization": f"Bearer {api_key}", "User-Agent": "mockserver-tests/1.0"})


@pytest.fixture
def simvoly_demo(emulator: RunningEmulator) -> Iterator[ApiClient]:
    """A Simvoly client on the demo website, freshly re-seeded."""
    emulator.admin("POST", "seed", json={"provider": "simvoly", "apiKey": "demo"}).raise_for_status()
    yield ApiClient(f"{emulator.url}/simvoly", {"Authorization": "Bearer demo", "User-Agent": "mockserver-tests/1.0"})


@pytest.fixture
def yulsn(emulator: RunningEmulator, api_key: str) -> ApiClient:
    """A Yulsn client on a fresh, empty account (no stores, no dynamic fields or tables)."""
    return ApiClient(f"{emulator.url}/yulsn", {"X-ApiKey": api_key, "Accept": "application/json"})


@pytest.fixture
def yulsn_demo(emulator: RunningEmulator) -> Iterator[ApiClient]:
    """A Yulsn client on the demo account, freshly re-seeded."""
    emulator.admin("POST", "seed", json={"provider": "yulsn", "apiKey": "demo"}).raise_for_status()
    yield ApiClient(f"{emulator.url}/yulsn", {"X-ApiKey": "demo", "Accept": "application/json"})
