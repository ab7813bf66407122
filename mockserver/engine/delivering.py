"""What both webhook dispatchers share (the in-memory one in webhooks.py, the Redis one in
shared_queue.py): the message a provider builds (`Outgoing`), its headers for an attempt,
its state as plain values (snapshots, the shared queue), the warning a failed attempt logs,
and the `Delivering` base: the attempt's settings, who makes the POSTs, the workers, chaos."""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.engine.attempts import Came, outcome, record
from mockserver.engine.clock import Clock, iso
from mockserver.engine.delivery import LocalPoster, Poster
from mockserver.engine.journal import key_hint
from mockserver.engine.webhook_chaos import Chaos, make_chaos

log = logging.getLogger("mockserver.webhooks")


@dataclass(frozen=True)
class Outgoing:
    """One message for one endpoint, built and signed by the provider."""

    url: str
    body: bytes
    headers: Mapping[str, str]
    event: str
    webhook_id: str
    message_id: str
    # Headers that change with each attempt (e.g. an attempt id), given the attempt number.
    attempt_headers: Callable[[int], Mapping[str, str]] | None = None
    # The statuses that acknowledge the message; None means any 2xx.
    acknowledged: frozenset[int] | None = None
    # What the provider's declared attempt_headers needs besides the body (e.g. the
    # endpoint's secret), as plain values: a snapshot keeps it, so a restored message is
    # signed as it would have been. None when no header changes per attempt.
    signing: Mapping[str, Any] | None = None


def owned(job_provider: str, job_tenant: str, provider: str | None, tenant: str | None) -> bool:
    return (provider is None or job_provider == provider) and (tenant is None or job_tenant == tenant)


def warn_failed(record: dict[str, Any]) -> None:
    hint = key_hint(record["apiKey"])
    after = f"retry in {record['nextAttemptInSeconds']:g}s" if record["willRetry"] else "no retry left"
    log.warning(
        "webhook delivery failed: %s %s key=%s %s to %s: %s (attempt %d, %s)",
        record["provider"],
        record["event"],
        hint,
        record["messageId"],
        record["url"],
        record["error"],
        record["attempt"],
        after,
        extra={"fields": {k: record[k] for k in ("provider", "event", "messageId", "url", "error", "attempt", "willRetry")}},
    )


def message_state(
    provider: str, tenant: str, message: Outgoing, schedule: tuple[float, ...], attempt: int, due_in: float
) -> dict[str, Any]:
    """An undelivered message as plain values (what snapshots and the shared queue keep)."""
    try:
        body: dict[str, str] = {"body": message.body.decode("utf-8")}
    except UnicodeDecodeError:
        body = {"bodyBase64": base64.b64encode(message.body).decode("ascii")}
    return {
        "provider": provider,
        "apiKey": tenant,
        "url": message.url,
        **body,
        "headers": dict(message.headers),
        "event": message.event,
        "webhookId": message.webhook_id,
        "messageId": message.message_id,
        "signing": None if message.signing is None else dict(message.signing),
        "acknowledged": None if message.acknowledged is None else sorted(message.acknowledged),
        "schedule": list(schedule),
        "attempt": attempt,
        "dueInSeconds": round(max(0.0, due_in), 3),
    }


class Delivering:
    """What both dispatchers share (WebhookDispatcher, and SharedDispatcher in
    shared_queue.py): an attempt's settings, who makes the POSTs, the shared queue's worker
    threads, and what an attempt came to."""

    def __init__(
        self,
        clock: Clock,
        *,
        time_scale: float = 1.0,
        timeout: float = 10.0,
        workers: int = 4,
        on_attempt: Callable[[Callable[[], dict[str, Any]]], None] | None = None,
        poster: Poster | None = None,
        allowed_targets: tuple[str, ...] = (),
    ) -> None:
        self.clock = clock
        self.time_scale = time_scale
        self.timeout = timeout
        self._workers = workers
        # Told of every recorded attempt (the live feed), given what makes its record.
        self._on_attempt = on_attempt
        # Who makes the POSTs: this process, or a delivery process (engine/delivery.py); only
        # to the link-local targets `allowed_targets` names (engine/webhook_targets.py).
        self.poster: Poster = poster or LocalPoster(workers, allowed_targets)
        self._running = False
        self._released = False  # stopping: waits end now, deliveries may still finish
        self._threads: list[threading.Thread] = []
        # Webhook chaos per (provider, tenant); empty (the usual case) costs a submit nothing.
        self._chaos: dict[tuple[str, str], Chaos] = {}
        self._chaos_lock = threading.Lock()

    def _work(self) -> None:
        raise NotImplementedError

    # -- chaos ------------------------------------------------------------------------
    def set_chaos(self, provider: str, tenant: str, chaos: Mapping[str, Any], *, seed: int = 0) -> dict[str, Any]:
        """Deliver one account's messages with chaos (see `make_chaos`), replacing any it
        had; answers the setting as `chaos()` lists it. Set again, the draws start over."""
        made = make_chaos(chaos, seed, provider, tenant)
        with self._chaos_lock:
            self._chaos[provider, tenant] = made
        return made.as_dict(provider, tenant)

    def chaos(self, provider: str | None = None, tenant: str | None = None) -> list[dict[str, Any]]:
        """The chaos settings (of every account, one provider's or one account's)."""
        with self._chaos_lock:
            return [c.as_dict(p, t) for (p, t), c in self._chaos.items() if owned(p, t, provider, tenant)]

    def clear_chaos(self, provider: str | None = None, tenant: str | None = None) -> int:
        """Back to orderly deliveries (for those accounts); answers how many settings went."""
        with self._chaos_lock:
            gone = [owner for owner in self._chaos if owned(*owner, provider, tenant)]
            for owner in gone:
                del self._chaos[owner]
            return len(gone)

    def _start_workers(self) -> None:
        self.poster.start()
        for number in range(self._workers):
            thread = threading.Thread(target=self._work, name=f"webhooks-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _join_workers(self, timeout: float) -> None:
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()
        self.poster.close()

    def _attempt(
        self, provider: str, tenant: str, message: Outgoing, attempt: int, schedule: tuple[float, ...]
    ) -> tuple[dict[str, Any], float | None]:
        """Make one attempt, waiting for it: its record (without an id) and the seconds
        until the next attempt (None: no retry left)."""
        headers = headers_for(message, attempt)
        started = time.monotonic()
        at = iso(self.clock.now())
        sent = self.poster.post(message.url, message.body, headers, self.timeout)
        error, retry_in = outcome(message, attempt, schedule, self.time_scale, sent)
        came = Came(message, attempt, sent, error, time.monotonic() - started, retry_in, headers)
        return record(provider, tenant, came, at), retry_in


def headers_for(message: Outgoing, attempt: int) -> dict[str, str]:
    headers = dict(message.headers)
    if message.attempt_headers is not None:
        headers.update(message.attempt_headers(attempt))
    return headers
