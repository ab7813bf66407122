"""Delivery attempts: what one came to, and its record (the plain values the admin API,
snapshots and logs show).

The memory dispatcher keeps each attempt as it came (`Attempt`) and makes its record only
when asked: the serving process records every attempt, and most are never read
(bench/run --webhooks)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mockserver.engine.clock import iso

if TYPE_CHECKING:
    from mockserver.engine.http_post import Sent
    from mockserver.engine.webhooks import Outgoing


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


def record(
    provider: str,
    tenant: str,
    message: Outgoing,
    attempt: int,
    at: str,
    sent: Sent,
    error: str | None,
    seconds: float,
    retry_in: float | None,
    headers: dict[str, str],
) -> dict[str, Any]:
    """An attempt's record, without an id."""
    return {
        "provider": provider,
        "apiKey": tenant,
        "webhookId": message.webhook_id,
        "messageId": message.message_id,
        "event": message.event,
        "url": message.url,
        "attempt": attempt,
        "at": at,
        "ok": error is None,
        "status": sent[0],
        "error": error,
        "durationMs": round(seconds * 1000, 2),
        "willRetry": retry_in is not None,
        "nextAttemptInSeconds": retry_in,
        "requestHeaders": headers,
        "requestBody": message.body.decode("utf-8", "replace"),
        "responseBody": sent[1],
    }


class Attempt:
    """One recorded attempt, as it came; `as_dict()` makes its record."""

    __slots__ = ("_came", "_kept", "event", "id", "ok", "provider", "tenant")

    def __init__(
        self,
        number: int,
        provider: str,
        tenant: str,
        message: Outgoing,
        attempt: int,
        at: float,
        sent: Sent,
        error: str | None,
        seconds: float,
        retry_in: float | None,
        headers: dict[str, str],
    ) -> None:
        self.id = number
        self.provider = provider
        self.tenant = tenant
        self.event = message.event
        self.ok = error is None
        self._came: tuple[Any, ...] = (message, attempt, at, sent, error, seconds, retry_in, headers)
        self._kept: dict[str, Any] | None = None

    @classmethod
    def kept(cls, made: dict[str, Any]) -> Attempt:
        """A record made before (a restored snapshot's), kept as it is."""
        self = cls.__new__(cls)
        self.id = int(made["id"])
        self.provider, self.tenant, self.event, self.ok = made["provider"], made["apiKey"], made["event"], made["ok"]
        self._came = ()
        self._kept = dict(made)
        return self

    def as_dict(self) -> dict[str, Any]:
        if self._kept is not None:
            return dict(self._kept)
        message, attempt, at, sent, error, seconds, retry_in, headers = self._came
        made = record(
            self.provider,
            self.tenant,
            message,
            attempt,
            iso(datetime.fromtimestamp(at, UTC)),
            sent,
            error,
            seconds,
            retry_in,
            headers,
        )
        return {"id": self.id, **made}
