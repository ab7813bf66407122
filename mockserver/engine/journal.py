"""A bounded journal of recent requests, for debugging a client against the emulator."""

from __future__ import annotations

import itertools
import threading
from collections import deque
from typing import Any


class Journal:
    def __init__(self, size: int = 1000) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=max(1, size))
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            entry["seq"] = next(self._ids)
            self._entries.append(entry)

    def entries(self, provider: str | None = None, key: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Newest first."""
        with self._lock:
            snapshot = list(self._entries)
        found = [
            e
            for e in reversed(snapshot)
            if (provider is None or e.get("provider") == provider) and (key is None or e.get("apiKey") == key)
        ]
        return found[:limit] if limit is not None else found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
