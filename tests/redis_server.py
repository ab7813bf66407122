"""The real redis-server the tests of the shared backend run against (Debian's
`redis-server`, one per test process, an empty database per test). Installed (apt-get, as
root) where it is missing; where it cannot be, the tests fail saying what is missing (never
skip)."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.testing.redis_server import RedisServer

PACKAGE = "redis-server"


def ensure_installed() -> str:
    """The path of redis-server, installing Debian's package first if it is missing."""
    found = shutil.which("redis-server")
    if found:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.fail(f"redis-server is missing: install Debian's {PACKAGE} package (apt-get install {PACKAGE})")
    # One installer at a time (pytest-xdist runs several workers).
    with open(Path(tempfile.gettempdir()) / "mockserver-apt.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not shutil.which("redis-server"):
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            command = ["apt-get", "install", "-y", "-q", "--no-install-recommends", PACKAGE]
            if subprocess.run(command, env=env, capture_output=True, check=False).returncode != 0:
                subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=False)
                result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
                if result.returncode != 0:
                    pytest.fail(f"could not install {PACKAGE}: {result.stderr[-2000:]}")
    found = shutil.which("redis-server")
    if not found:
        pytest.fail(f"{PACKAGE} was installed but redis-server is not on PATH")
    return found


def started() -> RedisServer:
    """A redis-server of the kit's (mockserver/testing/redis_server.py), installed first if
    need be, and started."""
    return RedisServer(ensure_installed()).start()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = started()
    yield server
    server.close()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The address of an empty database on the session's redis-server."""
    return redis_server.url()
