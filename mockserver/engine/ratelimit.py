"""Per-tenant request quotas in fixed windows, as the providers' rate limits work."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Quota:
    limit: int
    remaining: int
    reset_in: int  # whole seconds until the window starts again
    allowed: bool


class RateLimiter:
    """`limit` requests per `window` seconds for each tenant. Real (monotonic) time is
    used, not the emulator's clock, so a frozen clock never locks a client out."""

    def __init__(self, limit: int, window: float) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs a positive count and window")
        self.limit = limit
        self.window = window
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}

    def take(self, provider: str, key: str) -> Quota:
        now = time.monotonic()
        with self._lock:
            started, used = self._windows.get((provider, key), (now, 0))
            if now - started >= self.window:
                started, used = now, 0
            allowed = used < self.limit
            if allowed:
                used += 1
            self._windows[(provider, key)] = (started, used)
        reset_in = max(0, math.ceil(started + self.window - now))
        return Quota(self.limit, self.limit - used, reset_in, allowed)

    def forget(self, provider: str | None = None, key: str | None = None) -> None:
        with self._lock:
            for ident in list(self._windows):
                if (provider is None or ident[0] == provider) and (key is None or ident[1] == key):
                    del self._windows[ident]


def parse_rate(text: str) -> tuple[int, float]:
    """`"1000/10"` -> (1000, 10.0): requests per seconds."""
    count, _, seconds = text.partition("/")
    try:
        parsed = int(count), float(seconds or "1")
    except ValueError as exc:
        raise ValueError(f"rate limit {text!r} is not of the form COUNT/SECONDS") from exc
    if parsed[0] < 1 or parsed[1] <= 0:
        raise ValueError(f"rate limit {text!r} needs a positive count and window")
    return parsed
