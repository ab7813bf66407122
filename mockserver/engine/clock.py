"""The one clock. Everything that stamps a time asks it, so tests can freeze or move time."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class Clock:
    """Wall-clock time plus an offset, or a frozen instant.

    An account's clock has the server's clock as its `base`: it follows the server's
    time (so moving the server's clock moves every account) plus its own offset, or
    stays at its own frozen instant, and moving it moves no other account."""

    def __init__(self, base: Clock | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen_at: float | None = None
        self._base = base.time if base is not None else time.time
        self._base_clock = base

    def time(self) -> float:
        """Seconds since the epoch, as the emulated world sees them."""
        frozen = self._frozen_at
        if frozen is not None:
            return frozen
        return self._base() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), UTC)

    def time_at(self, wall: float) -> float:
        """The emulated time (as `time()`) at a past wall-clock moment (a time.time() value)."""
        frozen = self._frozen_at
        if frozen is not None:
            return frozen
        base = self._base_clock.time_at(wall) if self._base_clock is not None else wall
        return base + self._offset

    def freeze(self, at: datetime | None = None) -> None:
        with self._lock:
            self._frozen_at = at.timestamp() if at is not None else self.time()

    def unfreeze(self) -> None:
        """Let time run again from the instant it was frozen at."""
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - self._base()
                self._frozen_at = None

    def advance(self, seconds: float) -> None:
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += seconds
            else:
                self._offset += seconds

    def set(self, at: datetime) -> None:
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at = at.timestamp()
            else:
                self._offset = at.timestamp() - self._base()

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0
            self._frozen_at = None

    def state(self) -> dict[str, float | None]:
        """What a snapshot keeps: the offset from the base, or the frozen instant."""
        with self._lock:
            return {"offsetSeconds": self._offset, "frozenAt": self._frozen_at}

    def restore(self, state: dict[str, float | None]) -> None:
        offset, frozen = state.get("offsetSeconds") or 0.0, state.get("frozenAt")
        with self._lock:
            self._offset = float(offset)
            self._frozen_at = None if frozen is None else float(frozen)

    def describe(self) -> dict[str, object]:
        return {
            "now": iso(self.now()),
            "frozen": self._frozen_at is not None,
            "offsetSeconds": round(self._offset, 3),
        }


def iso(moment: datetime) -> str:
    """ISO 8601 with seconds and a numeric offset: `2024-01-01T00:00:00+00:00`."""
    return moment.replace(microsecond=0).isoformat()


def parse_iso(text: str) -> datetime | None:
    """Parse an ISO 8601 instant; naive values are taken as UTC. None when unreadable."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value
