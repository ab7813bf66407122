"""A real redis-server for the tests of the shared backend: Debian's `redis-server`, started
on a free port in a temporary folder and stopped at the end. Installed (apt-get, as root)
where it is missing; where it cannot be, the tests fail saying what is missing (never skip)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

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
            if subprocess.run(command, env=env, capture_output=True).returncode != 0:
                subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
                result = subprocess.run(command, env=env, capture_output=True, text=True)
                if result.returncode != 0:
                    pytest.fail(f"could not install {PACKAGE}: {result.stderr[-2000:]}")
    found = shutil.which("redis-server")
    if not found:
        pytest.fail(f"{PACKAGE} was installed but redis-server is not on PATH")
    return found


class RedisServer:
    def __init__(self, port: int | None = None) -> None:
        self.binary = ensure_installed()
        self.folder = tempfile.mkdtemp(prefix="mockserver-redis-")
        self.port = port or _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._next_db = 0

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--databases",
                "1000",
                "--dir",
                self.folder,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                probe.sendall(b"PING\r\n")
                if probe.recv(16).startswith(b"+PONG"):
                    return self
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def url(self) -> str:
        """A database of its own (each test gets an empty one)."""
        self._next_db += 1
        return f"redis://127.0.0.1:{self.port}/{self._next_db}"

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.close()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The address of an empty database on the session's redis-server."""
    return redis_server.url()
