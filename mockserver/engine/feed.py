"""What happens in the emulator as it happens (requests, delivery attempts), for live
listeners: the admin event stream behind `mockserver tail`.

Publishing costs one attribute read while nobody listens, so the request path pays for
the feed only when someone watches it.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from typing import Any

Item = tuple[str, Any]  # (kind, what): ("request", Exchange), ("delivery", attempt dict)


class Feed:
    def __init__(self, backlog: int = 10_000) -> None:
        self._items: deque[tuple[int, str, Any]] = deque(maxlen=backlog)
        self._cond = threading.Condition()
        self._seq = 0
        self.listeners = 0
        self.closed = False

    def publish(self, kind: str, item: Any) -> None:
        if not self.listeners:
            return
        with self._cond:
            self._seq += 1
            self._items.append((self._seq, kind, item))
            self._cond.notify_all()

    def close(self) -> None:
        """The server is stopping: every listener's next wait ends at once, with nothing."""
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def subscribe(self) -> Subscription:
        """Every item published from now on (a listener that falls more than the backlog
        behind loses the oldest). Close it when done."""
        return Subscription(self)


class Subscription:
    def __init__(self, feed: Feed) -> None:
        self._feed = feed
        self._closed = False
        with feed._cond:
            feed.listeners += 1
            self._seen = feed._seq

    def next_items(self, timeout: float) -> list[Item]:
        """What was published since the last call, waiting up to `timeout` for something;
        [] after a quiet `timeout` or once closed."""
        feed = self._feed
        deadline = time.monotonic() + timeout
        with feed._cond:
            while feed._seq == self._seen and not self.closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                feed._cond.wait(remaining)
            first = feed._seq - len(feed._items) + 1  # seqs are consecutive
            skip = max(0, self._seen + 1 - first)
            fresh = [(kind, item) for _, kind, item in itertools.islice(feed._items, skip, None)]
            self._seen = feed._seq
            return fresh

    @property
    def closed(self) -> bool:
        return self._closed or self._feed.closed

    def close(self) -> None:
        feed = self._feed
        with feed._cond:
            if not self._closed:
                self._closed = True
                feed.listeners -= 1
                feed._cond.notify_all()
