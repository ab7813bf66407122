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


class Quotas:
    """Quotas set while the server runs (POST /__admin/rate-limits), for one account or a
    whole provider, over the start-up `limit` per `window`. Replaced, never changed in
    place, so `quota` reads them without a lock; with none set it costs one truth test."""

    limit: int
    window: float
    overrides: dict[tuple[str, str | None], tuple[int, float]]

    def quota(self, provider: str, key: str) -> tuple[int, float]:
        overrides = self.overrides
        if not overrides:
            return self.limit, self.window
        return overrides.get((provider, key)) or overrides.get((provider, None)) or (self.limit, self.window)

    def set_quota(self, provider: str, key: str | None, limit: int, window: float) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs a positive count and window")
        self.overrides = {**self.overrides, (provider, key): (limit, window)}
        self.forget(provider, key)  # a new quota starts a new window

    def quotas(self, provider: str | None = None, key: str | None = None) -> list[dict[str, object]]:
        return [
            {"provider": name, "apiKey": account, "limit": limit, "window": window}
            for (name, account), (limit, window) in self.overrides.items()
            if (provider is None or name == provider) and (key is None or account == key)
        ]

    def clear_quotas(self, provider: str | None = None, key: str | None = None) -> int:
        gone = [
            ident for ident in self.overrides if (provider is None or ident[0] == provider) and (key is None or ident[1] == key)
        ]
        self.overrides = {ident: quota for ident, quota in self.overrides.items() if ident not in gone}
        for name, account in gone:
            self.forget(name, account)
        return len(gone)

    def forget(self, provider: str | None = None, key: str | None = None) -> None:
        raise NotImplementedError


class RateLimiter(Quotas):
    """`limit` requests per `window` seconds for each tenant. Real (monotonic) time is
    used, not the emulator's clock, so a frozen clock never locks a client out."""

    def __init__(self, limit: int, window: float) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs a positive count and window")
        self.limit = limit
        self.window = window
        self.overrides = {}
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}

    def take(self, provider: str, key: str) -> Quota:
        limit, window = self.quota(provider, key)
        now = time.monotonic()
        with self._lock:
            started, used = self._windows.get((provider, key), (now, 0))
            if now - started >= window:
                started, used = now, 0
            allowed = used < limit
            if allowed:
                used += 1
            self._windows[(provider, key)] = (started, used)
        reset_in = max(0, math.ceil(started + window - now))
        return Quota(limit, limit - used, reset_in, allowed)

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
