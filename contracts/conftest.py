"""The contract suite under pytest.

    pytest contracts                     every provider, against an emulator started here
    pytest contracts --contract-provider systeme --contract-base-url https://api.systeme.io \\
                     --contract-api-key "$KEY" [--contract-allow-writes]

Against a base URL of your own the run is read-only unless --contract-allow-writes is given.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from contracts.targets import Target
from mockserver.contract.profiles import profile_named, profiles
from mockserver.engine.spec import load_spec
from mockserver.testing import Emulator

# The emulator's account the suite checks: demo data, and every other key refused (so that
# "invalid credentials are refused" is checked too).
EMULATOR_KEY = "contract-suite-key"
# About how many generated requests a provider's fuzzing run makes against the emulator.
EMULATED_EXAMPLES = 1800


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "mockserver contract suite")
    group.addoption("--contract-provider", action="append", choices=sorted(profiles()), help="provider to check (repeatable)")
    group.addoption("--contract-base-url", help="check this base URL instead of an emulator (with one --contract-provider)")
    group.addoption("--contract-api-key", default=os.environ.get("MOCKSERVER_CONTRACT_API_KEY"), help="API key for the base URL")
    group.addoption("--contract-allow-writes", action="store_true", help="let the run write (what it creates is deleted)")
    group.addoption("--contract-max-examples", type=int, default=None, help="generated requests per operation")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "providers_with(field): the test applies to providers whose profile has it")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "provider" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--contract-provider") or list(profiles())
        marker = metafunc.definition.get_closest_marker("providers_with")
        names = [name for name in chosen if marker is None or getattr(profile_named(name), marker.args[0]) is not None]
        metafunc.parametrize("provider", names, scope="session")


@pytest.fixture(scope="session")
def emulator_url() -> Iterator[str]:
    with Emulator.start(
        demo_key=EMULATOR_KEY,
        allow_unknown_keys=False,
        strict_responses=True,
        rate_limit=1_000_000,
        rate_window=60,
        webhook_time_scale=0.001,
        webhook_timeout=2.0,
    ) as emulator:
        yield emulator.url
        problems = list(emulator.engine.strict_problems)
    assert not problems, f"the emulator answered outside its spec: {problems}"


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest, provider: str) -> Target:
    config = request.config
    base_url = config.getoption("--contract-base-url")
    if base_url:
        if len(config.getoption("--contract-provider") or []) != 1:
            raise pytest.UsageError("--contract-base-url needs exactly one --contract-provider")
        api_key = config.getoption("--contract-api-key")
        if not api_key:
            raise pytest.UsageError("--contract-base-url needs --contract-api-key (or $MOCKSERVER_CONTRACT_API_KEY)")
        return Target(provider, base_url, api_key, config.getoption("--contract-allow-writes"), _examples(config, 25), False)
    url = request.getfixturevalue("emulator_url")
    # The emulator's data is disposable: every operation runs, writes included. Generated
    # requests per operation: 20, fewer for a spec of many operations (ClickFunnels' 183),
    # so that each provider's run costs about the same; `--contract-max-examples` overrides.
    operations = len(load_spec(profile_named(provider).spec).operations)
    examples = max(8, min(20, EMULATED_EXAMPLES // operations))
    return Target(provider, f"{url}/{provider}", EMULATOR_KEY, True, _examples(config, examples), True)


def _examples(config: pytest.Config, default: int) -> int:
    given = config.getoption("--contract-max-examples")
    return int(given) if given else default
