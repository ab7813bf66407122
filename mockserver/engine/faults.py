"""Faults on demand: rules that make matching API requests fail, wait or lose their
connection, per provider, per account and per operation (POST /__admin/faults).

A rule is checked only for requests of a provider that has rules: with none set, the
pipeline's whole cost is one dictionary lookup (`FaultBook.by_provider.get`). Matching
rules apply in creation order: a rule that only adds latency lets the next one apply too;
the first that answers (a status) or drops the connection ends the search. Probabilities
are drawn from a generator of the rule's own, seeded from the server's seed and the rule's
number, so two seeded runs that send the same requests fault the same ones.
"""

from __future__ import annotations

import fnmatch
import hashlib
import math
import os
import random
import socket
import struct
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from mockserver.engine.journal import key_hint

# Where the pipeline leaves a request's Fault in the WSGI environ, for the serving layer.
FAULT_KEY = "mockserver.fault"
ACTIONS = ("reset", "hang")
WHEN = ("before", "after")
MAX_DELAY_MS = 600_000  # a delay or a hang is bounded (ten minutes)
FIELDS = (
    "provider",
    "apiKey",
    "operation",
    "method",
    "path",
    "status",
    "body",
    "headers",
    "delayMs",
    "action",
    "after",
    "times",
    "probability",
)


class FaultRuleError(ValueError):
    """A rule that cannot be made; the message names the field."""


@dataclass
class FaultRule:
    id: str
    provider: str
    api_key: str | None = None
    operation: str | None = None
    method: str | None = None
    path: str | None = None
    status: int | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_ms: tuple[float, float] | None = None
    action: str | None = None
    after: str = "before"
    times: int | None = None  # what is left of them
    probability: float | None = None
    hits: int = 0
    draws: random.Random = field(default_factory=random.Random, repr=False)

    @property
    def answers(self) -> bool:
        """Whether a hit ends the request (a status or a dropped connection), not only delays it."""
        return self.status is not None or self.action is not None

    def matches(self, key: str | None, operation_id: str, method: str, route: str, path: str) -> bool:
        return (
            (self.api_key is None or self.api_key == key)
            and (self.operation is None or self.operation == operation_id)
            and (self.method is None or self.method == method)
            and (self.path is None or self.path == route or fnmatch.fnmatchcase(path, self.path))
        )

    def to_json(self) -> dict[str, Any]:
        delay = None if self.delay_ms is None else _delay_json(self.delay_ms)
        return {
            "id": self.id,
            "provider": self.provider,
            "keyHint": key_hint(self.api_key),
            "operation": self.operation,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "body": self.body,
            "headers": self.headers,
            "delayMs": delay,
            "action": self.action,
            "after": self.after,
            "times": self.times,
            "probability": self.probability,
            "hits": self.hits,
        }


@dataclass(frozen=True)
class Fault:
    """What a request that hit rules gets: a delay (seconds), and from the rule that answers
    (if any) its status, body and headers, or a dropped connection; `after`: once the
    request has run and committed."""

    rule_id: str
    delay: float = 0.0
    status: int | None = None
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    action: str | None = None
    after: bool = False

    @property
    def drops(self) -> bool:
        return self.action is not None

    @property
    def answers(self) -> bool:
        """Whether the request ends with the fault (a status or a cut), not only later."""
        return self.status is not None or self.drops


class FaultBook:
    """Every rule of the server. `by_provider` is replaced, never changed in place, so the
    request path reads it without the lock."""

    def __init__(self, seed: int, operations: Mapping[str, set[str]]) -> None:
        self.seed = seed
        self._operations = operations  # each provider's operationIds, to refuse a typo
        self._lock = threading.Lock()
        self._number = 0
        self.by_provider: dict[str, tuple[FaultRule, ...]] = {}

    # -- rules --------------------------------------------------------------------------
    def add(self, fields: Any) -> FaultRule:
        with self._lock:
            rule = parse_rule(fields, self._operations, f"flt_{self._number + 1}")
            self._number += 1
            digest = hashlib.sha256(f"{self.seed}:{rule.id}".encode()).digest()
            rule.draws = random.Random(int.from_bytes(digest[:8], "big"))
            rules = self.by_provider.get(rule.provider, ())
            self.by_provider = {**self.by_provider, rule.provider: (*rules, rule)}
            return rule

    def rules(self, provider: str | None = None, key: str | None = None) -> list[FaultRule]:
        return [
            rule
            for name, rules in self.by_provider.items()
            if provider is None or name == provider
            for rule in rules
            if key is None or rule.api_key == key
        ]

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            return self._drop(lambda rule: rule.id == rule_id) > 0

    def clear(self, provider: str | None = None, key: str | None = None) -> int:
        with self._lock:
            return self._drop(
                lambda rule: (provider is None or rule.provider == provider) and (key is None or rule.api_key == key)
            )

    def _drop(self, gone: Any) -> int:
        kept = {name: tuple(rule for rule in rules if not gone(rule)) for name, rules in self.by_provider.items()}
        dropped = sum(len(rules) for rules in self.by_provider.values()) - sum(len(rules) for rules in kept.values())
        self.by_provider = {name: rules for name, rules in kept.items() if rules}
        return dropped

    # -- the request path ---------------------------------------------------------------
    def take(self, provider: str, key: str | None, operation_id: str, method: str, route: str, path: str) -> Fault | None:
        """The fault a request gets from the provider's rules, counting the hits (a rule
        whose `times` run out is gone)."""
        with self._lock:
            delay = 0.0
            hit: list[str] = []
            for rule in self.by_provider.get(provider, ()):
                if not rule.matches(key, operation_id, method, route, path):
                    continue
                if rule.probability is not None and rule.draws.random() >= rule.probability:
                    continue
                rule.hits += 1
                hit.append(rule.id)
                if rule.delay_ms is not None:
                    low, high = rule.delay_ms
                    delay += (low if low == high else rule.draws.uniform(low, high)) / 1000
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times == 0:
                        self._drop(lambda gone, used=rule: gone is used)
                if rule.answers:
                    return Fault(",".join(hit), delay, rule.status, rule.body, rule.headers, rule.action, rule.after == "after")
            return Fault(",".join(hit), delay) if hit else None


def parse_rule(fields: Any, operations: Mapping[str, set[str]], rule_id: str) -> FaultRule:  # noqa: C901, PLR0912 - one check per field
    """A rule from the admin API's (or a --faults file's) fields, or FaultRuleError naming the field."""
    if not isinstance(fields, dict):
        raise FaultRuleError("a rule must be a JSON object")
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise FaultRuleError(f"{unknown[0]}: not a field of a rule (fields: {', '.join(FIELDS)})")
    provider = fields.get("provider")
    if not isinstance(provider, str) or provider not in operations:
        raise FaultRuleError(f"provider: must be one of {sorted(operations)}")
    rule = FaultRule(rule_id, provider)
    for name in ("apiKey", "operation", "method", "path"):
        value = fields.get(name)
        if value is not None and (not isinstance(value, str) or not value):
            raise FaultRuleError(f"{name}: must be a non-empty string")
    rule.api_key, rule.path = fields.get("apiKey"), fields.get("path")
    rule.operation = fields.get("operation")
    if rule.operation is not None and rule.operation not in operations[provider]:
        raise FaultRuleError(f"operation: {rule.operation!r} is no operationId of {provider}'s spec")
    method = fields.get("method")
    rule.method = method.upper() if method else None
    status = fields.get("status")
    if status is not None and (not _integer(status) or not 100 <= status <= 599):
        raise FaultRuleError("status: must be an HTTP status from 100 to 599")
    rule.status = status
    rule.body = fields.get("body")
    if rule.body is not None and status is None:
        raise FaultRuleError("body: needs a status")
    headers = fields.get("headers") or {}
    if not isinstance(headers, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
        raise FaultRuleError("headers: must be an object of header names and string values")
    if any(set(k + v) & {"\r", "\n"} for k, v in headers.items()):
        raise FaultRuleError("headers: a name or value holds a line break")
    rule.headers = headers
    rule.delay_ms = _delay(fields.get("delayMs"))
    action = fields.get("action")
    if action is not None and action not in ACTIONS:
        raise FaultRuleError(f"action: must be one of {list(ACTIONS)}")
    if action is not None and status is not None:
        raise FaultRuleError("action: a dropped connection has no status; give one or the other")
    if action == "hang" and rule.delay_ms is None:
        raise FaultRuleError("delayMs: a hang needs how long to hold the request")
    rule.action = action
    after = fields.get("after", "before")
    if after not in WHEN:
        raise FaultRuleError(f"after: must be one of {list(WHEN)}")
    if after == "after" and not rule.answers:
        raise FaultRuleError("after: needs a status or an action (what the client sees once the request ran)")
    rule.after = after
    times = fields.get("times")
    if times is not None and (not _integer(times) or times < 1):
        raise FaultRuleError("times: must be a whole number from 1")
    rule.times = times
    probability = fields.get("probability")
    if probability is not None and (not _number(probability) or not 0 <= probability <= 1):
        raise FaultRuleError("probability: must be a number from 0 to 1")
    rule.probability = probability
    if not rule.answers and rule.delay_ms is None:
        raise FaultRuleError("status: a rule needs a status, an action or a delayMs")
    return rule


def _delay(value: Any) -> tuple[float, float] | None:
    if value is None:
        return None
    if _number(value):
        value = [value, value]
    if not (isinstance(value, list) and len(value) == 2 and all(_number(v) for v in value)):
        raise FaultRuleError("delayMs: must be a number of milliseconds or [min, max]")
    low, high = float(value[0]), float(value[1])
    if not 0 <= low <= high <= MAX_DELAY_MS:
        raise FaultRuleError(f"delayMs: must be from 0 to {MAX_DELAY_MS}, min before max")
    return low, high


def _delay_json(delay: tuple[float, float]) -> Any:
    low, high = (int(v) if v.is_integer() else v for v in delay)
    return low if low == high else [low, high]


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def reason(status: int) -> str:
    """The reason phrase of a status ("Service Unavailable"), for a fault's native error."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


# -- what the serving layer does with a faulted answer ----------------------------------
class FaultedBody:
    """The body of a faulted answer (WSGI): `payload` after `delay` seconds, or no answer
    at all when `drop` (the connection is cut). Under waitress (threads) the wait is here,
    before anything is written; the RSGI adapter (granian) reads `delay` and `drop` and
    waits on its event loop instead, so one slow request never holds the others."""

    def __init__(self, payload: bytes, delay: float, drop: bool, environ: Mapping[str, Any]) -> None:
        self.payload = payload
        self.delay = delay
        self.drop = drop
        self.environ = environ

    def __iter__(self) -> Iterator[bytes]:
        if self.delay:
            time.sleep(self.delay)
        if self.drop:
            drop_connection(self.environ)
            return  # nothing to write: the socket is shut
        yield self.payload

    def close(self) -> None:
        """WSGI's close (nothing held)."""


def drop_connection(environ: Mapping[str, Any]) -> bool:
    """Cut the request's TCP connection with a reset, so the client gets no answer at all.
    Neither WSGI nor RSGI hands the socket over, so it is found among this process's open
    sockets by its two ends (Linux's /proc); the server then fails to write and closes it."""
    client = (environ.get("REMOTE_ADDR"), str(environ.get("REMOTE_PORT")))
    server_port = str(environ.get("SERVER_PORT"))
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return False
    for name in names:
        try:
            if not os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                continue
            sock = socket.socket(fileno=os.dup(int(name)))
        except (OSError, ValueError):
            continue
        try:
            peer, own = sock.getpeername(), sock.getsockname()
            if isinstance(peer, tuple) and (peer[0], str(peer[1])) == client and str(own[1]) == server_port:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.shutdown(socket.SHUT_RDWR)
                return True
        except OSError:
            continue
        finally:
            sock.close()  # our duplicate only: the server's own descriptor stays its to close
    return False
