"""Delivery attempts: what one came to, and its record (the plain values the admin API,
snapshots and logs show).

The memory dispatcher keeps each attempt as it came (`Attempt`) and makes its record only
when asked: the serving process records every attempt, and most are never read
(bench/run --webhooks)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from mockserver.engine.clock import iso

if TYPE_CHECKING:
    from mockserver.engine.delivering import Outgoing
    from mockserver.engine.http_post import Sent


def outcome(
    message: Outgoing, attempt: int, schedule: tuple[float, ...], time_scale: float, sent: Sent
) -> tuple[str | None, float | None]:
    """Why the attempt failed (None: it was acknowledged), and the seconds until the next
    attempt (None: no retry left, or none needed)."""
    status, _, error = sent
    if status is not None:
        accepted = 200 <= status < 300 if message.acknowledged is None else status in message.acknowledged
        if not accepted:
            error = f"HTTP {status}"
    retry_in = None
    if error is not None and attempt <= len(schedule):
        retry_in = schedule[attempt - 1] * time_scale
    return error, retry_in


class Came(NamedTuple):
    """What one attempt came to."""

    message: Outgoing
    attempt: int
    sent: Sent
    error: str | None  # why it failed; None: acknowledged
    seconds: float
    retry_in: float | None  # None: no retry left, or none needed
    headers: dict[str, str]  # as sent


def record(provider: str, tenant: str, came: Came, at: str) -> dict[str, Any]:
    """An attempt's record, without an id."""
    message = came.message
    return {
        "provider": provider,
        "apiKey": tenant,
        "webhookId": message.webhook_id,
        "messageId": message.message_id,
        "event": message.event,
        "url": message.url,
        "attempt": came.attempt,
        "at": at,
        "ok": came.error is None,
        "status": came.sent[0],
        "error": came.error,
        "durationMs": round(came.seconds * 1000, 2),
        "willRetry": came.retry_in is not None,
        "nextAttemptInSeconds": came.retry_in,
        "requestHeaders": came.headers,
        "requestBody": message.body.decode("utf-8", "replace"),
        "responseBody": came.sent[1],
    }


class Attempt:
    """One recorded attempt, as it came; `as_dict()` makes its record."""

    __slots__ = ("_came", "_kept", "at", "event", "id", "ok", "provider", "tenant", "weight")

    def __init__(self, number: int, provider: str, tenant: str, came: Came, at: float) -> None:
        self.id = number
        self.provider = provider
        self.tenant = tenant
        self.event = came.message.event
        self.ok = came.error is None
        self.at = at  # the emulated time when the POST began
        self._came: Came | None = came
        self._kept: dict[str, Any] | None = None
        self.weight = len(came.message.body) + len(came.sent[1]) + ATTEMPT_OVERHEAD  # bytes, as History counts them

    @classmethod
    def kept(cls, made: dict[str, Any]) -> Attempt:
        """A record made before (a restored snapshot's), kept as it is."""
        self = cls.__new__(cls)
        self.id = int(made["id"])
        self.provider, self.tenant, self.event, self.ok = made["provider"], made["apiKey"], made["event"], made["ok"]
        self.at = 0.0
        self._came = None
        self._kept = dict(made)
        self.weight = len(str(made.get("requestBody", ""))) + len(str(made.get("responseBody", ""))) + ATTEMPT_OVERHEAD
        return self

    def as_dict(self) -> dict[str, Any]:
        if self._came is None:
            assert self._kept is not None
            return dict(self._kept)
        return {"id": self.id, **record(self.provider, self.tenant, self._came, iso(datetime.fromtimestamp(self.at, UTC)))}


# What an attempt weighs beyond the bodies it keeps: its headers, fields and objects.
ATTEMPT_OVERHEAD = 1024


class History:
    """The recorded attempts, oldest first: at most `size` of them and `max_bytes` of what
    they keep (the oldest go first; the newest is always kept). Not locked: the dispatcher
    holds its own lock around every use."""

    def __init__(self, size: int, max_bytes: int) -> None:
        self._items: deque[Attempt] = deque()
        self._size = max(1, size)
        self._max_bytes = max_bytes
        self.bytes = 0

    def __iter__(self) -> Iterator[Attempt]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def append(self, attempt: Attempt) -> list[Attempt]:
        """Keep the attempt; answers the older ones let go to make room."""
        items = self._items
        items.append(attempt)
        self.bytes += attempt.weight
        gone = []
        while len(items) > 1 and (len(items) > self._size or self.bytes > self._max_bytes):
            oldest = items.popleft()
            self.bytes -= oldest.weight
            gone.append(oldest)
        return gone

    def extend(self, attempts: Iterable[Attempt]) -> list[Attempt]:
        return [gone for attempt in attempts for gone in self.append(attempt)]

    def keep(self, wanted: Callable[[Attempt], bool]) -> None:
        """Forget every attempt but the wanted ones."""
        self._items = deque(a for a in self._items if wanted(a))
        self.bytes = sum(a.weight for a in self._items)
