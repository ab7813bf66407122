"""The shared backend's connection to Redis (`--state redis://HOST:PORT/DB`): key names and
the Lua scripts every shared change is made with.

Why scripts: Redis runs a script whole and alone, so a change (a write's rows, its version
and its webhook messages) is seen entirely or not at all, by every worker on every host,
and the script can check a lock or a version in the same step (no WATCH/MULTI retries).
"""

from __future__ import annotations

import os
import secrets
from typing import Any
from urllib.parse import urlsplit

import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# Redis could not be reached (or answered too late): the request gets a native 503.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)

_NOW = "local t = redis.call('TIME'); local now = t[1] * 1000 + math.floor(t[2] / 1000)"

# Bring a replica up to date, taking the tenant's lock first for a write.
# KEYS: meta, log, lock. ARGV: token ('' for a read), lock ms, replica's incarnation, version.
# Answers {0} lock busy, {1} no such tenant, {2, inc, ver} load it whole, {3, inc, ver} up to
# date, {4, inc, ver, changes...} the changes after the replica's version.
BEGIN = """
if ARGV[1] ~= '' then
  if not redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0} end
end
local m = redis.call('HMGET', KEYS[1], 'inc', 'ver', 'start')
if not m[1] then return {1} end
local ver, start, mine = tonumber(m[2]), tonumber(m[3]), tonumber(ARGV[4])
if m[1] ~= ARGV[3] or mine < start or mine > ver then return {2, m[1], ver} end
if mine == ver then return {3, m[1], ver} end
return {4, m[1], ver, redis.call('LRANGE', KEYS[2], mine - start, -1)}
"""

# The whole tenant: KEYS meta, base, log -> {0} none, or {1, inc, ver, start, base, changes}.
LOAD = """
local m = redis.call('HMGET', KEYS[1], 'inc', 'ver', 'start')
if not m[1] then return {0} end
return {1, m[1], tonumber(m[2]), tonumber(m[3]), redis.call('GET', KEYS[2]), redis.call('LRANGE', KEYS[3], 0, -1)}
"""

# Make a write everyone's. KEYS: meta, log, lock. ARGV: token ('' when no lock was taken: then
# the lock must be free and the version unchanged), the version the write was made on, the
# change ('' for none), key prefix, the tenant's endpoint set, message count, then (endpoint,
# message) pairs. Answers the new version, -1 lock lost, -2 someone wrote first, -3 tenant gone.
COMMIT = (
    """
local token = ARGV[1]
if token ~= '' then
  if redis.call('GET', KEYS[3]) ~= token then return -1 end
elseif redis.call('EXISTS', KEYS[3]) == 1 then return -2 end
local ver = tonumber(redis.call('HGET', KEYS[1], 'ver'))
if ver == nil then return -3 end
if ver ~= tonumber(ARGV[2]) then return -2 end
if ARGV[3] ~= '' then
  redis.call('RPUSH', KEYS[2], ARGV[3])
  ver = redis.call('HINCRBY', KEYS[1], 'ver', 1)
end
local n = tonumber(ARGV[6])
if n > 0 then
  """
    + _NOW
    + """
  for i = 0, n - 1 do
    local ep = ARGV[7 + 2 * i]
    redis.call('RPUSH', ARGV[4] .. 'q:e:' .. ep, ARGV[8 + 2 * i])
    redis.call('ZADD', ARGV[4] .. 'q:due', 'NX', now, ep)
    redis.call('SADD', ARGV[5], ep)
  end
end
if token ~= '' then redis.call('DEL', KEYS[3]) end
return ver
"""
)

RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
"""

# A new tenant, made by the lock's holder. KEYS: meta, base, log, lock. ARGV: token, base,
# registry, registry member, incarnation counter. Answers the incarnation, 0 if it exists
# (the lock stays with its holder).
CREATE = """
if redis.call('GET', KEYS[4]) ~= ARGV[1] then return -1 end
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local inc = redis.call('INCR', ARGV[5])
redis.call('HSET', KEYS[1], 'inc', inc, 'ver', 0, 'start', 0)
redis.call('SET', KEYS[2], ARGV[2])
redis.call('DEL', KEYS[3])
redis.call('SADD', ARGV[3], ARGV[4])
return inc
"""

# A newer base (the tenant as of version ARGV[1]), and the changes it holds dropped from the
# log. KEYS: meta, base, log. ARGV: version, base, incarnation.
COMPACT = """
local m = redis.call('HMGET', KEYS[1], 'inc', 'ver', 'start')
if m[1] ~= ARGV[3] then return 0 end
local ver, start, at = tonumber(m[2]), tonumber(m[3]), tonumber(ARGV[1])
if at <= start or at > ver then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('LTRIM', KEYS[3], at - start, -1)
redis.call('HSET', KEYS[1], 'start', at)
return 1
"""

# Forget a tenant and its deliveries. KEYS: meta, base, log, lock. ARGV: token, registry,
# member, prefix, endpoint set, attempts list, dropped hash.
DROP = """
if redis.call('GET', KEYS[4]) ~= ARGV[1] then return -1 end
local gone = redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], ARGV[6])
redis.call('SREM', ARGV[2], ARGV[3])
redis.call('HDEL', ARGV[7], ARGV[3])
for _, ep in ipairs(redis.call('SMEMBERS', ARGV[5])) do
  redis.call('DEL', ARGV[4] .. 'q:e:' .. ep)
  redis.call('ZREM', ARGV[4] .. 'q:due', ep)
  redis.call('HDEL', ARGV[4] .. 'q:claims', ep)
end
redis.call('DEL', ARGV[5])
return gone
"""

# A read's first step: a request counted in its fixed rate-limit window, and BEGIN (no lock),
# in one round trip. KEYS: the rate window,
# meta, log. ARGV: window ms, replica's incarnation, version. Answers {used, ms left, then
# BEGIN's answer: kind, inc, ver, changes}.
RATE_BEGIN = """
local used = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); left = tonumber(ARGV[1]) end
local m = redis.call('HMGET', KEYS[2], 'inc', 'ver', 'start')
if not m[1] then return {used, left, 1} end
local ver, start, mine = tonumber(m[2]), tonumber(m[3]), tonumber(ARGV[3])
if m[1] ~= ARGV[2] or mine < start or mine > ver then return {used, left, 2, m[1], ver} end
if mine == ver then return {used, left, 3, m[1], ver} end
return {used, left, 4, m[1], ver, redis.call('LRANGE', KEYS[3], mine - start, -1)}
"""


class RedisLink:
    """One client (a pool of connections, reconnecting by itself) and the scripts."""

    def __init__(self, url: str, namespace: str = "mockserver") -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss", "unix"):
            raise ValueError(f"--state {url!r}: give a redis://HOST:PORT/DB address")
        self.url = url
        # Any: redis-py's own types say little (answers are bytes or str by a setting).
        self.client: Any = redis.Redis.from_url(
            url, socket_timeout=5, socket_connect_timeout=2, retry_on_timeout=False, health_check_interval=0
        )
        self.prefix = f"{namespace}:"
        self.begin: Any = self.client.register_script(BEGIN)
        self.load: Any = self.client.register_script(LOAD)
        self.commit: Any = self.client.register_script(COMMIT)
        self.release: Any = self.client.register_script(RELEASE)
        self.create: Any = self.client.register_script(CREATE)
        self.compact: Any = self.client.register_script(COMPACT)
        self.drop: Any = self.client.register_script(DROP)
        self.rate_begin: Any = self.client.register_script(RATE_BEGIN)

    def check(self) -> None:
        """Reach Redis now (at start), so a wrong address is said before serving."""
        self.client.ping()

    @staticmethod
    def token() -> str:
        """A lock holder's token: unique across processes and hosts."""
        return f"{os.getpid()}-{secrets.token_hex(8)}"

    # -- names ------------------------------------------------------------------------
    def tenant_keys(self, provider: str, key: str) -> list[str]:
        """meta (incarnation, version, base version), base, log, lock."""
        stem = f"{self.prefix}t:{provider}:{key}:"
        return [stem + "meta", stem + "base", stem + "log", stem + "lock"]

    @staticmethod
    def member(provider: str, key: str) -> str:
        """A tenant in sets and endpoint names (API keys never hold a newline)."""
        return f"{provider}\n{key}"

    @property
    def registry(self) -> str:
        return self.prefix + "tenants"

    @property
    def registered(self) -> str:
        return self.prefix + "registered"

    @property
    def incarnations(self) -> str:
        return self.prefix + "incarnations"

    def endpoints_of(self, provider: str, key: str) -> str:
        return f"{self.prefix}q:t:{provider}\n{key}"

    def attempts_of(self, provider: str, key: str) -> str:
        return f"{self.prefix}a:{provider}\n{key}"

    @property
    def dropped_attempts(self) -> str:
        return self.prefix + "a:dropped"

    def rate_key(self, provider: str, key: str) -> str:
        return f"{self.prefix}rl:{provider}\n{key}"
