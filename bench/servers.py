"""Start and stop the servers under test (mockserver, Prism), and read their memory."""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import requests


class ServerFailed(RuntimeError):
    """A server exited or never answered; the message carries the end of its log."""


def free_port() -> int:
    # Ask the kernel for a free port; a small race remains, acceptable on loopback.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_mockserver(mockserver_bin: Path, log: Path, progress: Callable[[str], None], what: str, *options: str) -> Server:
    """`mockserver serve` on a free port with these options, started and answering (the
    caller stops it)."""
    port = free_port()
    server = Server("mockserver", [str(mockserver_bin), "serve", "--port", str(port), *options], port, log)
    progress(f"{what}: starting {shlex.join(server.argv)}")
    try:
        server.start("/__admin/", timeout=120)
    except BaseException:
        server.stop()
        raise
    return server


class Server:
    """A child process serving HTTP on 127.0.0.1:port, its output kept in a log file."""

    def __init__(self, name: str, argv: list[str], port: int, log: Path) -> None:
        self.name = name
        self.argv = argv
        self.port = port
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, probe_path: str, timeout: float) -> Server:
        """Start it and wait until `probe_path` answers (any HTTP status: it is up)."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            # A session of its own: a Ctrl-C in the terminal reaches only us, and we stop
            # the server ourselves (and its children, if any) in stop().
            self.process = subprocess.Popen(
                self.argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerFailed(f"{self.name} exited with status {self.process.returncode}:\n{self.log_tail()}")
            try:
                requests.get(self.url + probe_path, timeout=2)
                return self
            except requests.RequestException:
                time.sleep(0.2)
        raise ServerFailed(f"{self.name} did not answer on {self.url} within {timeout:.0f}s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM to its process group, SIGKILL if it lingers; safe to call twice."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join("    " + line for line in text.splitlines()[-lines:])

    def memory_kib(self) -> dict[str, int]:
        """VmRSS (resident now) and VmHWM (peak resident) from /proc, in KiB."""
        return memory_kib(self.pid)


def memory_kib(pid: int) -> dict[str, int]:
    """Summed over the process and its descendants: `mockserver serve` keeps its state in a
    worker process that granian forks (and Prism may run children too). VmHWM is the sum
    of each process' own peak."""
    figures = {"VmRSS": 0, "VmHWM": 0}
    for member in [pid, *_descendants(pid)]:
        try:
            with open(f"/proc/{member}/status") as status:
                for line in status:
                    name, _, value = line.partition(":")
                    if name in figures:
                        figures[name] += int(value.split()[0])  # "12345 kB"
        except OSError:  # it ended meanwhile
            continue
    return figures


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as children:
                for child in children.read().split():
                    found += [int(child), *_descendants(int(child))]
        except OSError:
            continue
    return found
