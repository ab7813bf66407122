"""A sandbox that survives restarts (`mockserver serve --state-file PATH`), and a graceful
stop that keeps or reports every undelivered webhook.

The file is a snapshot (engine/snapshot.py), read at start when it exists and written
atomically (a temporary file beside it, then a rename) every `interval` seconds when the
state changed, and once more at a graceful stop. A `kill -9` loses at most the last
interval. A file that cannot be read stops the start: the server never runs on half a
state, and never overwrites a file it could not read.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from pathlib import Path

from mockserver.engine import snapshot
from mockserver.engine.redis_link import UNREACHABLE
from mockserver.engine.runtime import Emulator

log = logging.getLogger("mockserver")

# How long a graceful stop without a state file gives due deliveries to go out.
DRAIN_SECONDS = 3.0


class StateFile:
    def __init__(self, path: Path, emulator: Emulator, interval: float = 5.0) -> None:
        self.path = path
        self.emulator = emulator
        self.interval = interval
        self._write_lock = threading.Lock()  # the periodic write and the last one never overlap
        self._written = -1  # the emulator's generation at the last write
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def load(self) -> int:
        """Restore the file's state if it exists; answers how many accounts it held. A file
        that cannot be read raises SnapshotError, saying which file and why."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return 0
        except OSError as exc:
            raise snapshot.SnapshotError(f"cannot read the state file {self.path}: {exc.strerror or exc}") from exc
        try:
            doc = snapshot.read(raw, self.emulator.providers)
            if doc.get("scope") != "server":
                raise snapshot.SnapshotError("it holds some accounts, not a whole server's state")
            restored = snapshot.restore(self.emulator, doc, at_start=True)
        except snapshot.SnapshotError as exc:
            raise snapshot.SnapshotError(f"the state file {self.path} cannot be used: {exc}") from exc
        self._written = self.emulator.generation
        return len(restored)

    def start(self) -> None:
        """Write every `interval` seconds while the state changes (in the serving process)."""
        self._stopping.clear()
        self._thread = threading.Thread(target=self._every_interval, name="mockserver-state-file", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """The last write, at a graceful stop (after requests and deliveries stopped)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.write(force=True)

    def write(self, *, force: bool = False) -> bool:
        """Write the state if it changed since the last write (or `force`); True if written."""
        with self._write_lock:
            generation = self.emulator.generation
            if generation == self._written and not force:
                return False
            data = snapshot.take(self.emulator)
            write_atomically(self.path, data)
            self._written = generation
            return True

    def _every_interval(self) -> None:
        while not self._stopping.wait(self.interval):
            try:
                self.write()
            except Exception:  # a full disk, a removed folder: say so and try again later
                log.exception("could not write the state file %s", self.path)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so a reader (or a crash) sees the old file or the new one,
    never a mix: a temporary file in the same folder, flushed to disk, then renamed."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself, on disk
    finally:
        os.close(folder)


def stop_gracefully(emulator: Emulator, state_file: StateFile | None) -> None:
    """After the server stopped taking requests and the last ones finished: with a state
    file, every undelivered message is kept in it; without, due messages get a few seconds
    to go out and what is left is reported, never dropped in silence."""
    dispatcher = emulator.dispatcher
    if emulator.shared is not None:  # the queue is in Redis: the next worker to start sends it
        dispatcher.stop(timeout=DRAIN_SECONDS)
        with contextlib.suppress(*UNREACHABLE):
            log.info("%d webhook deliveries stay queued in Redis for the next worker", dispatcher.outstanding())
        return
    if state_file is None:
        dispatcher.drain(DRAIN_SECONDS)
    dispatcher.stop(timeout=DRAIN_SECONDS)
    left = dispatcher.pending()
    if state_file is not None:
        state_file.stop()
        log.info("state saved to %s (%d webhook deliveries pending)", state_file.path, len(left))
    elif left:
        log.warning(
            "%d webhook deliveries dropped at stop, never delivered (--state-file keeps them across a restart)",
            len(left),
            extra={"fields": {"dropped": len(left)}},
        )
