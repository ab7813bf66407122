"""Proxies and replay servers on free loopback ports, stopped after each test."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mockserver.proxy.app import ProxyApp
from mockserver.proxy.checker import Checker
from mockserver.proxy.replay import ReplayApp, replay_app
from tests.proxy.helpers import Running


@pytest.fixture
def start_proxy() -> Iterator[Callable[..., Running]]:
    """start_proxy(provider, upstream, **ProxyApp options) -> a running proxy."""
    started: list[Running] = []

    def start(provider: str, upstream: str, **options: Any) -> Running:
        output = io.StringIO()
        options.setdefault("checker", _checker(provider))
        running = Running(ProxyApp(provider, upstream, stream=output, **options), output)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture
def start_replay() -> Iterator[Callable[..., Running]]:
    """start_replay(directory, provider) -> a running replay server of that provider's recordings."""
    started: list[Running] = []

    def start(directory: Path, provider: str) -> Running:
        app: ReplayApp = replay_app(directory, provider)
        running = Running(app)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@functools.cache
def _checker(provider: str) -> Checker:
    """One checker per provider for the whole run: it is built once and never changes."""
    return Checker.for_provider(provider)
