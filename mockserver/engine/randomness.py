"""The one seeded source of randomness, so that a run can be replayed."""

from __future__ import annotations

import hashlib
import random
import threading
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from faker import Faker


class Randomness:
    """Ids and tokens for live traffic, and derived generators for demo data.

    Demo data gets its own generator per (seed, scope), so a tenant's demo data does not
    depend on what else happened in the run.
    """

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._last_uuid7 = 0

    def bits(self, count: int) -> int:
        with self._lock:
            return self._rng.getrandbits(count)

    def uuid4(self) -> str:
        return str(uuid.UUID(int=self.bits(128), version=4))

    def uuid7(self, unix_seconds: float) -> str:
        """A UUIDv7 (RFC 9562): time-ordered, strictly increasing within this process."""
        millis = int(unix_seconds * 1000) & ((1 << 48) - 1)
        with self._lock:
            rand_a = self._rng.getrandbits(12)
            value = (millis << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | self._rng.getrandbits(62)
            if value <= self._last_uuid7:
                # Same millisecond (or a clock moved back): keep the order by counting on in
                # the random bits, carrying into the time when they run out (RFC 9562 6.2).
                value = _next_uuid7(self._last_uuid7)
            self._last_uuid7 = value
        digits = f"{value:032x}"  # as str(uuid.UUID(int=value)), without its checks (ids on every write)
        return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"

    def state(self) -> dict[str, Any]:
        """What a snapshot keeps, so a restored emulator goes on where this one was (and
        never hands out an id it already gave)."""
        with self._lock:
            version, internal, gauss = self._rng.getstate()
            return {"generator": [version, list(internal), gauss], "lastUuid7": f"{self._last_uuid7:032x}"}

    def restore(self, state: dict[str, Any]) -> None:
        version, internal, gauss = state["generator"]
        with self._lock:
            self._rng.setstate((version, tuple(internal), gauss))
        self.restore_uuid7(state["lastUuid7"])

    def absorb(self, state: dict[str, Any]) -> None:
        """Take in a snapshot restored into a running emulator: the generator moves to a
        state made from its own and the snapshot's (neither sequence is replayed, so no id
        of the snapshot's nor one already handed out here comes again; the same run still
        makes the same ids)."""
        with self._lock:
            mixed = hashlib.sha256(repr((self._rng.getstate(), state["generator"])).encode()).digest()
            self._rng.seed(int.from_bytes(mixed, "big"))
        self.restore_uuid7(state["lastUuid7"])

    def salt(self, value: object) -> None:
        """Move to a sequence of its own, made from the current state and `value`: processes
        that share state (and a seed) never make the same ids or tokens."""
        with self._lock:
            mixed = hashlib.sha256(repr((self._rng.getstate(), value)).encode()).digest()
            self._rng.seed(int.from_bytes(mixed, "big"))

    def restore_uuid7(self, last: str) -> None:
        """UUIDv7s keep increasing across a restore, as they do within a process (`last`:
        the highest handed out, as 32 hex digits)."""
        with self._lock:
            self._last_uuid7 = max(self._last_uuid7, int(last, 16))

    def token(self, nbytes: int = 16) -> str:
        return f"{self.bits(nbytes * 8):0{nbytes * 2}x}"

    def derived(self, *scope: object, seed: int | None = None) -> random.Random:
        """A generator of its own for one scope, e.g. ('demo', 'systeme')."""
        return random.Random(_scope_seed(self.seed if seed is None else seed, scope))

    def derive(self, *scope: object, seed: int | None = None) -> Randomness:
        """A Randomness of its own for one scope, so that what it makes (ids, tokens)
        depends only on the seed and the scope, e.g. a tenant's demo data."""
        return Randomness(_scope_seed(self.seed if seed is None else seed, scope))

    def faker(self, *scope: object, seed: int | None = None, locale: str = "en_US") -> Faker:
        from faker import Faker  # imported late: it is slow to import and only demo data needs it

        fake = Faker(locale)
        fake.seed_instance(_scope_seed(self.seed if seed is None else seed, scope))
        return fake


def _next_uuid7(previous: int) -> int:
    millis, rand_a, rand_b = previous >> 80, (previous >> 64) & 0xFFF, previous & ((1 << 62) - 1)
    rand_b += 1
    if rand_b >> 62:
        rand_b, rand_a = 0, rand_a + 1
        if rand_a >> 12:
            rand_a, millis = 0, millis + 1
    return (millis << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b


def _scope_seed(seed: int, scope: tuple[object, ...]) -> int:
    text = ":".join([str(seed), *map(str, scope)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
