"""A real redis-server for tests of shared state (`mockserver serve --state redis://...`):
started on a free loopback port in a temporary folder, without persistence, and stopped
(the `redis-server` binary must be installed, e.g. Debian's package of that name)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time


class RedisServer:
    def __init__(self, binary: str = "redis-server", port: int | None = None) -> None:
        found = shutil.which(binary)
        if found is None:
            raise FileNotFoundError(f"{binary} is not installed (Debian: apt-get install redis-server)")
        self.binary = found
        self.folder = tempfile.mkdtemp(prefix="mockserver-redis-")
        self.port = port or _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._next_db = 0

    def start(self) -> RedisServer:
        """Start it (again, on the same port, after `stop`) and wait until it answers."""
        argv = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        argv += ["--databases", "1000", "--dir", self.folder]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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

    def url(self, db: int | None = None) -> str:
        """The address of a database: `db`, or by default a new one each time (each test
        gets an empty one)."""
        if db is None:
            self._next_db += 1
            db = self._next_db
        return f"redis://127.0.0.1:{self.port}/{db}"

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
