"""`mockserver serve` as a user starts it, for the end-to-end tests: a real process on a free
port, its banner read from stdout, its stderr kept whole for the tests that read the log."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO


class Served:
    def __init__(self, *args: str) -> None:
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mockserver", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.banner: list[str] = []
        assert self.process.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.banner.append(line.rstrip("\n"))
            match = re.search(r"listening on (http://\S+)", line)
            if match:
                self.url = match.group(1)
                self._read_rest_of_banner()
                return
        self.stop()
        said = self.stderr()
        self._stderr.close()
        raise AssertionError(f"the server did not say where it listens: {self.banner} {said}")

    def _read_rest_of_banner(self) -> None:
        assert self.process.stdout is not None
        while not self.banner[-1].startswith("Ctrl-C"):
            self.banner.append(self.process.stdout.readline().rstrip("\n"))

    def stderr(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def wait_for_stderr(self, pattern: str, timeout: float = 10.0) -> str:
        """The stderr so far, once a line matches `pattern` (the log is written in batches)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.stderr()
            if re.search(pattern, text, re.MULTILINE):
                return text
            time.sleep(0.05)
        raise AssertionError(f"no line matching {pattern!r} on stderr:\n{self.stderr()}")

    def stop(self, sig: signal.Signals = signal.SIGINT) -> int:
        """Stop the server (if it still runs) and close the pipe of its stdout; its stderr
        stays readable until `close` (or the end of the `with`)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode

    def crash(self) -> None:
        """SIGKILL the server and every process it started, at once: nothing of it gets to
        say or save anything (as a power cut, or a container killed)."""
        doomed = [self.process.pid, *descendants(self.process.pid)]
        for pid in doomed:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(10)

    def __enter__(self) -> Served:
        return self

    def close(self) -> None:
        """Stop the server and close the file that kept its stderr."""
        self.stop()
        self._stderr.close()

    def __exit__(self, *_: object) -> None:
        self.close()


def project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
