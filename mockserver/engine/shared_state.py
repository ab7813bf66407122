"""`--state redis://HOST:PORT/DB`: the pieces of an emulator that hold state, on Redis, so
several workers and hosts serve one emulator (see shared_store.py and shared_queue.py)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, cast

from mockserver.engine.ratelimit import Quota, Quotas
from mockserver.engine.redis_link import RedisLink

if TYPE_CHECKING:
    from mockserver.engine.runtime import Emulator
    from mockserver.engine.shared_store import SharedStore


class SharedRateLimiter(Quotas):
    """RateLimiter's fixed windows, counted in Redis: every worker's requests count. (Quotas
    set while running are this worker's: the admin call reaches one worker.)"""

    def __init__(self, link: RedisLink, store: SharedStore, limit: int, window: float) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs a positive count and window")
        self.link = link
        self.store = store
        self.limit = limit
        self.window = window
        self.overrides = {}

    def take(self, provider: str, key: str) -> Quota:
        """Count a request; in the same round trip, fetch what the tenant's replica has not
        seen yet, for the read that usually follows (SharedStore.prefetched)."""
        limit, window = self.quota(provider, key)
        synced = self.store.prefetch(provider, key)
        link = self.link
        keys = [link.rate_key(provider, key), *link.tenant_keys(provider, key)[::2]]
        answer = link.rate_begin(keys=keys, args=[int(window * 1000), synced[0], synced[1]])
        used, left_ms = answer[0], answer[1]
        self.store.prefetched(provider, key, synced, answer[2:])
        used = int(used)
        allowed = used <= limit
        return Quota(limit, max(0, limit - used), max(0, math.ceil(int(left_ms) / 1000)), allowed)

    def forget(self, provider: str | None = None, key: str | None = None) -> None:
        pattern = self.link.rate_key(_glob(provider), _glob(key))
        for name in self.link.client.scan_iter(match=pattern):
            self.link.client.delete(name)


def _glob(text: str | None) -> str:
    """A part of a SCAN pattern: given text matches itself only; none matches anything."""
    if text is None:
        return "*"
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


class SharedKeys:
    """The keys registered through the admin API, as a set in Redis."""

    def __init__(self, link: RedisLink) -> None:
        self.link = link

    def __contains__(self, item: object) -> bool:
        provider, key = cast(tuple[str, str], item)
        return bool(self.link.client.sismember(self.link.registered, RedisLink.member(provider, key)))

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for raw in self.link.client.smembers(self.link.registered):
            provider, _, key = raw.decode().partition("\n")
            yield provider, key

    def add(self, item: tuple[str, str]) -> None:
        self.link.client.sadd(self.link.registered, RedisLink.member(*item))

    def update(self, items: Iterable[tuple[str, str]]) -> None:
        members = [RedisLink.member(p, k) for p, k in items]
        if members:
            self.link.client.sadd(self.link.registered, *members)

    def clear(self) -> None:
        self.link.client.delete(self.link.registered)


def attach(emulator: Emulator, url: str) -> None:
    """Put the emulator's state in Redis at `url` (checked now: a wrong address stops the
    start with a clear message)."""
    from mockserver.engine import snapshot
    from mockserver.engine.shared_journal import SharedJournal
    from mockserver.engine.shared_queue import SharedDispatcher
    from mockserver.engine.shared_store import SharedStore

    link = RedisLink(url)
    link.check()
    store = SharedStore(link, emulator)
    settings = emulator.settings

    def materialise(state: dict) -> tuple:  # type: ignore[type-arg]
        tenant = store.get(state["provider"], state["apiKey"])
        services = tenant.services if tenant is not None and tenant.services is not None else emulator.services
        message, schedule, attempt, _ = snapshot.message_of(emulator, state["provider"], services, state)
        return message, schedule, attempt

    old = emulator.dispatcher
    dispatcher = SharedDispatcher(
        link,
        emulator.clock,
        materialise=materialise,
        time_scale=settings.webhook_time_scale,
        timeout=settings.webhook_timeout,
        workers=settings.webhook_workers,
        on_attempt=emulator._attempted,
        poster=old.poster,
    )
    dispatcher.stage = store.stage
    store.committed = dispatcher.wake
    emulator.store = store
    emulator.dispatcher = dispatcher  # type: ignore[assignment]
    emulator.limiter = SharedRateLimiter(link, store, settings.rate_limit, settings.rate_window)  # type: ignore[assignment]
    emulator.registered = SharedKeys(link)  # type: ignore[assignment]
    emulator.journal = SharedJournal(link, settings.journal_size, emulator.journal._on_record)
    emulator.shared = link
    own_sequence(emulator)


def own_sequence(emulator: Emulator) -> None:
    """This process's ids and tokens differ from every other's on the same Redis (each gets
    a number of its own); called at start and again in each forked worker."""
    emulator.random.salt(("worker", int(emulator.shared.client.incr(emulator.shared.prefix + "workers"))))
