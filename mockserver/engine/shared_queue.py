"""Webhook delivery over the shared backend: the queue and the attempt history in Redis,
so any worker on any host delivers, each message by one worker at a time.

Per endpoint (provider, account, URL) a list of messages in the order their writes
committed, and one sorted set of endpoints by when their first message is due. A worker
claims an endpoint (its score moves to the end of a lease, so nobody else takes it), posts
the first message, then either drops it or keeps it with the next attempt number and due
time (the message id never changes). A worker that dies mid-post lets its lease run out and
another sends the message again: at least once. Messages wait in Redis while no worker
runs, and go out when one starts.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import orjson

from mockserver.engine import redelivery
from mockserver.engine.clock import Clock
from mockserver.engine.delivering import Delivering, Outgoing, message_state, warn_failed
from mockserver.engine.delivery import Poster
from mockserver.engine.redis_link import _NOW, UNREACHABLE, RedisLink

log = logging.getLogger("mockserver.webhooks")

# Claim the endpoint due first. KEYS: due set, claims. ARGV: lease ms, token, prefix.
# Answers {1, endpoint, message} or {0, ms until the next is due (-1: nothing queued)}.
CLAIM = (
    _NOW
    + """
local got = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 1)
if #got == 0 then
  local nxt = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if #nxt == 0 then return {0, -1} end
  return {0, tonumber(nxt[2]) - now}
end
local ep = got[1]
local msg = redis.call('LINDEX', ARGV[3] .. 'q:e:' .. ep, 0)
if not msg then
  redis.call('ZREM', KEYS[1], ep)
  return {0, 0}
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ep)
redis.call('HSET', KEYS[2], ep, ARGV[2])
return {1, ep, msg}
"""
)

# An attempt made. KEYS: due set, claims, attempts list, attempt ids. ARGV: endpoint, token,
# prefix, the message claimed, the message to keep for a retry ('' none), retry ms, the
# record without its id (JSON, '' none), history cap, dropped hash, tenant member.
DONE = (
    _NOW
    + """
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
local list = ARGV[3] .. 'q:e:' .. ARGV[1]
if redis.call('LINDEX', list, 0) == ARGV[4] then
  if ARGV[5] ~= '' then
    redis.call('LSET', list, 0, ARGV[5])
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[6]), ARGV[1])
  else
    redis.call('LPOP', list)
  end
end
if ARGV[5] == '' or redis.call('LINDEX', list, 0) ~= ARGV[5] then
  if redis.call('LLEN', list) > 0 then redis.call('ZADD', KEYS[1], now, ARGV[1]) else redis.call('ZREM', KEYS[1], ARGV[1]) end
end
if ARGV[7] ~= '' then
  local id = redis.call('INCR', KEYS[4])
  redis.call('RPUSH', KEYS[3], '{"id":' .. id .. ',' .. string.sub(ARGV[7], 2))
  if redis.call('LLEN', KEYS[3]) > tonumber(ARGV[8]) then
    redis.call('LPOP', KEYS[3])
    redis.call('HINCRBY', ARGV[9], ARGV[10], 1)
  end
  return id
end
return 0
"""
)

# Queue messages outside a write. KEYS: due set, the tenant's endpoint set. ARGV: prefix,
# then (endpoint, message, delay ms) triples.
ENQUEUE = (
    _NOW
    + """
for i = 2, #ARGV, 3 do
  redis.call('RPUSH', ARGV[1] .. 'q:e:' .. ARGV[i], ARGV[i + 1])
  redis.call('ZADD', KEYS[1], 'NX', now + tonumber(ARGV[i + 2]), ARGV[i])
  redis.call('SADD', KEYS[2], ARGV[i])
end
return 1
"""
)

# Every message of some endpoints, with when each endpoint's first is due. KEYS: due set.
# ARGV: prefix, endpoints. Answers per endpoint {endpoint, ms until due, messages}.
LIST = (
    _NOW
    + """
local out = {}
for i = 2, #ARGV do
  local ep = ARGV[i]
  local score = redis.call('ZSCORE', KEYS[1], ep)
  local msgs = redis.call('LRANGE', ARGV[1] .. 'q:e:' .. ep, 0, -1)
  if #msgs > 0 then
    out[#out + 1] = {ep, score and (tonumber(score) - now) or 0, msgs}
  end
end
return out
"""
)

# Drop a deleted subscription's messages. KEYS: due set. ARGV: prefix, webhook id, endpoints.
DROP_HOOK = """
for i = 3, #ARGV do
  local list = ARGV[1] .. 'q:e:' .. ARGV[i]
  local kept = {}
  for _, msg in ipairs(redis.call('LRANGE', list, 0, -1)) do
    if tostring(cjson.decode(msg)['webhookId']) ~= ARGV[2] then kept[#kept + 1] = msg end
  end
  redis.call('DEL', list)
  if #kept > 0 then redis.call('RPUSH', list, unpack(kept)) else redis.call('ZREM', KEYS[1], ARGV[i]) end
end
return 1
"""

# Attempts restored from a snapshot keep their ids; later ones get higher ones.
# KEYS: attempts list, attempt ids. ARGV: highest id, records.
RESTORE_ATTEMPTS = """
for i = 2, #ARGV do redis.call('RPUSH', KEYS[1], ARGV[i]) end
if tonumber(redis.call('GET', KEYS[2]) or '0') < tonumber(ARGV[1]) then redis.call('SET', KEYS[2], ARGV[1]) end
return 1
"""

Materialise = Callable[[dict[str, Any]], tuple[Outgoing, tuple[float, ...], int]]


class SharedDispatcher(Delivering):
    """WebhookDispatcher's interface over the shared queue (see the module's docstring)."""

    POLL = 0.05  # how often idle workers look for work queued by other processes

    def __init__(
        self,
        link: RedisLink,
        clock: Clock,
        *,
        materialise: Materialise,
        time_scale: float = 1.0,
        timeout: float = 10.0,
        workers: int = 4,
        history: int = 10_000,
        on_attempt: Callable[[Callable[[], dict[str, Any]]], None] | None = None,
        poster: Poster | None = None,
    ) -> None:
        super().__init__(clock, time_scale=time_scale, timeout=timeout, workers=workers, on_attempt=on_attempt, poster=poster)
        self.link = link
        self.history = history
        self._materialise = materialise
        self._wake = threading.Condition()
        client = link.client
        self._claim = client.register_script(CLAIM)
        self._done = client.register_script(DONE)
        self._enqueue = client.register_script(ENQUEUE)
        self._list = client.register_script(LIST)
        self._drop_hook = client.register_script(DROP_HOOK)
        self._restore_attempts = client.register_script(RESTORE_ATTEMPTS)
        self._due = link.prefix + "q:due"
        self._claims = link.prefix + "q:claims"
        self._ids = link.prefix + "a:ids"
        self.stage: Callable[[list[tuple[str, bytes]]], bool] = lambda pairs: False

    # -- life cycle -------------------------------------------------------------------
    def start(self) -> None:
        with self._wake:
            if self._running:
                return
            self._running = True
            self._released = False
        self._start_workers()

    def release_waiters(self) -> None:
        self._released = True

    def stop(self, timeout: float = 5.0) -> None:
        """Posts under way finish (or their lease runs out and another worker sends them);
        what is queued stays in Redis for the next worker."""
        with self._wake:
            self._running = False
            self._wake.notify_all()
        self._join_workers(timeout)

    def wake(self) -> None:
        """Messages were queued: look now rather than at the next poll."""
        with self._wake:
            self._wake.notify()

    # -- queueing ---------------------------------------------------------------------
    def submit(self, provider: str, tenant: str, messages: list[Outgoing], schedule: tuple[float, ...]) -> None:
        if not messages:
            return
        # Chaos is kept per worker process, in memory (set through the worker that answered
        # the admin call), and only `duplicate` applies here: the queue in Redis is one FIFO
        # list per endpoint with one due time, so delayMs and shuffle are not applied.
        chaos = self._chaos.get((provider, tenant)) if self._chaos else None
        if chaos is not None:
            with self._chaos_lock:
                messages = [m for m in messages for _ in range(chaos.copies())]
        pairs = [(_endpoint(provider, tenant, m.url), _blob(provider, tenant, m, schedule, 1)) for m in messages]
        if not self.stage(pairs):  # outside a write: queued now
            self._queue([(endpoint, blob, 0) for endpoint, blob in pairs], provider, tenant)

    def _queue(self, items: list[tuple[str, bytes, int]], provider: str, tenant: str) -> None:
        args: list[Any] = [self.link.prefix]
        for endpoint, blob, delay in items:
            args += [endpoint, blob, delay]
        self._enqueue(keys=[self._due, self.link.endpoints_of(provider, tenant)], args=args)
        self.wake()

    def forget(self, provider: str | None = None, tenant: str | None = None) -> None:
        """This worker's chaos and the tenants' deleted subscriptions go: dropping a tenant
        (SharedStore.drop) drops its queue too."""
        self.clear_chaos(provider, tenant)
        gone = [self._gone_of(p, t) for p, t in self._tenants(provider, tenant)]
        if gone:
            self.link.client.delete(*gone)

    def _gone_of(self, provider: str, tenant: str) -> str:
        """The set of a tenant's deleted subscriptions (never redelivered to)."""
        return f"{self.link.prefix}q:gone:{self.link.member(provider, tenant)}"

    def drop(self, provider: str, tenant: str, webhook_id: str) -> None:
        self.link.client.sadd(self._gone_of(provider, tenant), str(webhook_id))
        endpoints = self._endpoints(provider, tenant)
        if endpoints:
            self._drop_hook(keys=[self._due], args=[self.link.prefix, str(webhook_id), *endpoints])

    def redeliver(self, provider: str, tenant: str, message_id: str, schedule: tuple[float, ...] = ()) -> bool:
        """As WebhookDispatcher.redeliver, the message found in the queue or beside a recorded
        attempt. It joins its endpoint's queue behind what waits there (one FIFO per endpoint)."""
        found: dict[str, Any] | None = None
        last = 0
        for _, _, messages in self._queued(provider, tenant):
            for raw in messages:
                state = orjson.loads(raw)
                if state["messageId"] == message_id:
                    found, last = state, max(last, int(state["attempt"]))
        for raw in self.link.client.lrange(self.link.attempts_of(provider, tenant), 0, -1):
            made = orjson.loads(raw)
            if made["messageId"] == message_id:
                found, last = found or redelivery.state_of(made), max(last, int(made["attempt"]))
        if found is None or self.link.client.sismember(self._gone_of(provider, tenant), str(found["webhookId"])):
            return False
        again = {**found, "attempt": last + 1, "schedule": list(redelivery.sequence(schedule, last)), "queuedAt": time.time()}
        self._queue([(_endpoint(provider, tenant, again["url"]), orjson.dumps(again), 0)], provider, tenant)
        return True

    def restore_pending(self, jobs: list[tuple[str, str, Outgoing, tuple[float, ...], int, float]]) -> None:
        for provider, tenant, message, schedule, attempt, due_in in jobs:
            blob = _blob(provider, tenant, message, schedule, attempt)
            self._queue([(_endpoint(provider, tenant, message.url), blob, int(max(0.0, due_in) * 1000))], provider, tenant)

    def restore_attempts(self, records: list[dict[str, Any]]) -> None:
        by_tenant: dict[tuple[str, str], list[bytes]] = {}
        for record in records:
            by_tenant.setdefault((record["provider"], record["apiKey"]), []).append(orjson.dumps(record))
        for (provider, tenant), blobs in by_tenant.items():
            highest = max(int(orjson.loads(blob)["id"]) for blob in blobs)
            self._restore_attempts(keys=[self.link.attempts_of(provider, tenant), self._ids], args=[highest, *blobs])

    # -- what is queued and what was attempted ------------------------------------------
    def _endpoints(self, provider: str | None, tenant: str | None) -> list[str]:
        if provider is not None and tenant is not None:
            raw = self.link.client.smembers(self.link.endpoints_of(provider, tenant))
        else:
            raw = self.link.client.zrange(self._due, 0, -1)
        found = [item.decode() for item in raw]
        return [e for e in found if _owned(e, provider, tenant)]

    def _queued(self, provider: str | None, tenant: str | None) -> list[tuple[str, float, list[bytes]]]:
        endpoints = self._endpoints(provider, tenant)
        if not endpoints:
            return []
        return [
            (e.decode(), float(ms), msgs) for e, ms, msgs in self._list(keys=[self._due], args=[self.link.prefix, *endpoints])
        ]

    def outstanding(self, provider: str | None = None, tenant: str | None = None) -> int:
        return sum(len(msgs) for _, _, msgs in self._queued(provider, tenant))

    def pending(self, provider: str | None = None, tenant: str | None = None) -> list[dict[str, Any]]:
        found = []
        for _, due_ms, messages in self._queued(provider, tenant):
            for number, raw in enumerate(messages):
                state = orjson.loads(raw)
                state["dueInSeconds"] = round(max(0.0, due_ms / 1000), 3) if number == 0 else 0.0
                found.append(state)
        found.sort(key=lambda state: state.get("queuedAt", 0))
        for state in found:
            state.pop("queuedAt", None)
        return found

    def attempts(self, provider: str | None = None, tenant: str | None = None) -> list[dict[str, Any]]:
        found = []
        for p, t in self._tenants(provider, tenant):
            for raw in self.link.client.lrange(self.link.attempts_of(p, t), 0, -1):
                made = orjson.loads(raw)
                made.pop(redelivery.KEPT, None)  # for a redelivery only: it may hold a secret
                found.append(made)
        found.sort(key=lambda record: record["id"])
        return found

    def dropped(self, provider: str | None = None, tenant: str | None = None) -> int:
        counts = self.link.client.hgetall(self.link.dropped_attempts)
        total = 0
        for member, count in counts.items():
            p, _, t = member.decode().partition("\n")
            if (provider is None or p == provider) and (tenant is None or t == tenant):
                total += int(count)
        return total

    def _tenants(self, provider: str | None, tenant: str | None) -> list[tuple[str, str]]:
        if provider is not None and tenant is not None:
            return [(provider, tenant)]
        found = []
        for raw in self.link.client.smembers(self.link.registry):
            p, _, t = raw.decode().partition("\n")
            if (provider is None or p == provider) and (tenant is None or t == tenant):
                found.append((p, t))
        return found

    # -- waits ------------------------------------------------------------------------
    def wait_idle(self, timeout: float, provider: str | None = None, tenant: str | None = None) -> bool:
        return self.wait_until(lambda: not self.outstanding(provider, tenant), timeout)

    def wait_for_attempts(
        self, count: int, timeout: float, provider: str | None = None, tenant: str | None = None, event: str | None = None
    ) -> bool:
        def enough() -> bool:
            return sum(1 for a in self.attempts(provider, tenant) if event is None or a["event"] == event) >= count

        return self.wait_until(enough, timeout)

    def wait_until(self, done: Callable[[], bool], timeout: float, *, releasable: bool = True) -> bool:
        """Ask `done()` every few milliseconds (deliveries happen in any worker) until it
        holds, the timeout passes or (for a `releasable` wait) the server stops."""
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() >= deadline or not self._running or (releasable and self._released):
                return done()
            time.sleep(0.02)
        return True

    def drain(self, timeout: float) -> bool:
        """Nothing to wait for: what is queued stays in Redis for the next worker."""
        return True

    # -- the workers ------------------------------------------------------------------
    def _work(self) -> None:
        token = self.link.token()
        lease = int((self.timeout + 5) * 1000)  # a post ends by its timeout; a dead worker's soon after
        while self._running:
            try:
                got = self._claim(keys=[self._due, self._claims], args=[lease, token, self.link.prefix])
            except UNREACHABLE:
                self._sleep(1.0)
                continue
            if not int(got[0]):
                wait_ms = float(got[1])
                self._sleep(self.POLL if wait_ms < 0 else min(self.POLL, max(wait_ms, 1) / 1000))
                continue
            try:
                self._deliver(got[1].decode(), got[2], token)
            except UNREACHABLE:
                self._sleep(1.0)  # the lease runs out and the message is sent again
            except Exception:
                log.exception("webhook delivery failed unexpectedly")

    def _sleep(self, seconds: float) -> None:
        with self._wake:
            if self._running:
                self._wake.wait(seconds)

    def _deliver(self, endpoint: str, raw: bytes, token: str) -> None:
        state = orjson.loads(raw)
        provider, tenant = state["provider"], state["apiKey"]
        message, schedule, attempt = self._materialise(state)
        record, retry_in = self._attempt(provider, tenant, message, attempt, schedule)
        again = b""
        if retry_in is not None:
            again = orjson.dumps({**state, "attempt": attempt + 1})
        else:
            record["willRetry"], record["nextAttemptInSeconds"] = False, None
        keys = [self._due, self._claims, self.link.attempts_of(provider, tenant), self._ids]
        kept = orjson.dumps({**record, redelivery.KEPT: redelivery.kept_of(state)})
        args = [endpoint, token, self.link.prefix, raw, again, int((retry_in or 0) * 1000), kept]
        args += [self.history, self.link.dropped_attempts, self.link.member(provider, tenant)]
        number = int(self._done(keys=keys, args=args))
        if not record["ok"]:
            warn_failed(record)
        if number and self._on_attempt is not None:  # 0: the lease ran out, another worker sends it
            made = {"id": number, **record}
            self._on_attempt(lambda: made)


def _endpoint(provider: str, tenant: str, url: str) -> str:
    return f"{provider}\n{tenant}\n{url}"


def _owned(endpoint: str, provider: str | None, tenant: str | None) -> bool:
    p, t, _ = endpoint.split("\n", 2)
    return (provider is None or p == provider) and (tenant is None or t == tenant)


def _blob(provider: str, tenant: str, message: Outgoing, schedule: tuple[float, ...], attempt: int) -> bytes:
    state = message_state(provider, tenant, message, schedule, attempt, 0.0)
    del state["dueInSeconds"]
    state["queuedAt"] = time.time()
    return orjson.dumps(state)
