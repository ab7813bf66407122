"""The request journal on shared state: every worker's requests in one Redis list, so
`/__admin/journal` (and the test kit's `account.requests()`) shows them whichever worker
answered.

A request only hands its entry to a background thread, which pushes what has come (a
batch per round trip) as soon as it can: the request waits for no extra round trip. A
reader first pushes what its own worker still holds, so a client that asks the worker that
answered it always finds its request; through another worker, an entry is there once that
worker's thread has pushed it (one round trip after the answer left). The live event
stream stays each worker's own.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import orjson

from mockserver.engine.journal import Exchange, Journal, JournalFilter
from mockserver.engine.redis_link import UNREACHABLE, RedisLink

log = logging.getLogger("mockserver")

# KEYS: the list, its sequence. ARGV: how many entries it keeps, then entries (each
# "provider\nkey\n" and the packed exchange); each is stored after its sequence number.
PUSH = """
for i = 2, #ARGV do
  redis.call('RPUSH', KEYS[1], redis.call('INCR', KEYS[2]) .. '\\n' .. ARGV[i])
end
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[1]), -1)
return 1
"""

# Forget some entries. KEYS: the list. ARGV: provider ('' any), key, whether a key was given.
CLEAR = """
local kept, gone = {}, 0
for _, e in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local _, p, k = string.match(e, '^(%d+)\\n([^\\n]*)\\n([^\\n]*)\\n')
  if (ARGV[1] == '' or p == ARGV[1]) and (ARGV[3] == '0' or k == ARGV[2]) then gone = gone + 1 else kept[#kept + 1] = e end
end
redis.call('DEL', KEYS[1])
for i = 1, #kept, 1000 do redis.call('RPUSH', KEYS[1], unpack(kept, i, math.min(i + 999, #kept))) end
return gone
"""

BATCH = 200  # entries per round trip at most
# How long the pushing thread lets entries gather before a push: under load, one round trip
# carries many entries rather than each its own (what another worker may lag by).
GATHER = 0.005


class SharedJournal(Journal):
    def __init__(self, link: RedisLink, size: int = 1000, on_record: Callable[[Exchange], None] | None = None) -> None:
        super().__init__(size, on_record=on_record)
        self.link = link
        self.size = max(1, size)
        self._list = link.prefix + "journal"
        self._seq = link.prefix + "journal:seq"
        self._push = link.client.register_script(PUSH)
        self._clear = link.client.register_script(CLEAR)
        self._waiting: list[tuple[float, Exchange]] = []  # (when it was answered, wall clock; the entry)
        self._wake = threading.Condition()
        self._pushing = threading.Lock()  # one push at a time, so entries keep their order
        self._pid = 0  # the process the pushing thread runs in (a fork has none)

    def record(self, entry: Exchange) -> None:
        super().record(entry)  # this worker's own copy feeds its live event stream
        with self._wake:
            self._waiting.append((time.time(), entry))
            if len(self._waiting) > self.size:  # Redis away for a while: keep the newest
                del self._waiting[0]
            if self._pid != os.getpid():
                self._pid = os.getpid()
                threading.Thread(target=self._push_as_they_come, name="mockserver-journal", daemon=True).start()
            self._wake.notify()

    def entries(self, where: JournalFilter | None = None, limit: int | None = None) -> list[Exchange]:
        """The newest `limit` entries that match, of every worker, newest first."""
        self.flush()
        # In the order the requests were answered: workers push their entries in batches,
        # so the list's order (the sequence numbers) can put a later request first.
        every = sorted(map(_exchange, self.link.client.lrange(self._list, 0, -1)), key=lambda pair: (pair[0], pair[1].seq))
        found = [entry for _, entry in reversed(every) if where is None or where.matches(entry)]
        return found if limit is None else found[:limit]

    def clear(self, provider: str | None = None, key: str | None = None) -> int:
        self.flush()
        super().clear(provider, key)
        gone = self._clear(keys=[self._list], args=[provider or "", key or "", "0" if key is None else "1"])
        return int(gone)

    def flush(self) -> None:
        """Push what this worker holds now."""
        while self._push_some():
            pass

    def _push_as_they_come(self) -> None:
        while True:
            with self._wake:
                while not self._waiting:
                    self._wake.wait()
            time.sleep(GATHER)  # a few more entries per round trip under load
            try:
                self._push_some()
            except UNREACHABLE:  # kept for the next try (the newest, up to the journal's size)
                with self._wake:
                    self._wake.wait(1.0)
            except Exception:
                log.exception("the journal could not be written to Redis")

    def _push_some(self) -> bool:
        with self._pushing:
            with self._wake:
                batch, self._waiting = self._waiting[:BATCH], self._waiting[BATCH:]
            if not batch:
                return False
            try:
                self._push(keys=[self._list, self._seq], args=[self.size, *(_entry(*item) for item in batch)])
            except BaseException:
                with self._wake:
                    self._waiting[:0] = batch
                raise
            return True


def _entry(answered: float, entry: Exchange) -> bytes:
    """ "provider\nkey\n", when it was answered and the sizes of the parts, then the plain
    fields (JSON) and the two bodies as they are (no base64: a page of records is tens of KiB)."""
    fields: list[Any] = [
        entry.at,
        entry.provider,
        entry.api_key,
        entry.operation_id,
        entry.route,
        entry.method,
        entry.path_info,
        entry.query,
        entry.request_headers,
        entry.status,
        entry.duration_ms,
        entry.request_size,
        dict(entry.response_headers),
        entry.response_size,
        entry.events,
        entry.fault,
    ]
    plain = orjson.dumps(fields)
    head = f"{entry.provider}\n{entry.api_key or ''}\n{answered!r} {len(plain)} {len(entry.request_body)}\n".encode()
    return b"".join((head, plain, entry.request_body, entry.response_body))


def _exchange(raw: bytes) -> tuple[float, Exchange]:
    """When the entry's request was answered (wall clock), and the entry."""
    seq, _, _, sizes, rest = raw.split(b"\n", 4)
    answered, plain, request = sizes.split()
    plain_size, request_size = int(plain), int(request)
    (at, provider, key, operation, route, method, path_info, query, headers, status, duration, request_total,
     response_headers, response_total, events, fault) = orjson.loads(rest[:plain_size])  # fmt: skip
    request_body = rest[plain_size : plain_size + request_size]
    response_body = rest[plain_size + request_size :]
    entry = Exchange(
        at, provider, key, operation, route, method, path_info, query, [tuple(pair) for pair in headers], status,
        duration, request_body, request_total, response_headers, response_body, response_total, events, fault,
    )  # fmt: skip
    entry.seq = int(seq)
    return float(answered), entry
