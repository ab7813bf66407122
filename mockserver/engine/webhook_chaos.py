"""Webhook chaos (POST /__admin/webhooks/chaos): one account's deliveries duplicated,
delayed or reordered on demand, drawn from the server's seed (engine/webhooks.py applies it
where messages are submitted)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mockserver.engine.journal import key_hint
from mockserver.engine.randomness import Randomness

if TYPE_CHECKING:
    from mockserver.engine.delivering import Outgoing

# Shuffle: a message opens a window, those due before it closes join it; all are held until
# it closes, then each goes at a random moment within one more window, so their order is the
# draws' alone. Real seconds, not scaled by time_scale: it gathers a burst of writes as a
# client makes them, which time_scale (the provider's retry schedule) does not speed up.
SHUFFLE_WINDOW = 0.25


@dataclass
class Chaos:
    """An account's webhook chaos (POST /__admin/webhooks/chaos): duplicates, a delay before
    the first attempt, a shuffled order; drawn from a generator of the account's own, so a
    seeded run is delivered the same way again."""

    duplicate: float = 0.0  # the probability that a message is delivered twice
    delay_ms: float | tuple[float, float] | None = None  # before the first attempt, or [min, max]
    shuffle: bool = False
    draws: random.Random = field(default_factory=random.Random, repr=False)
    window_ends: float = 0.0  # when the shuffle window new messages join closes (time.monotonic())

    def as_dict(self, provider: str, tenant: str) -> dict[str, Any]:
        delay = list(self.delay_ms) if isinstance(self.delay_ms, tuple) else self.delay_ms
        return {
            "provider": provider,
            "keyHint": key_hint(tenant),
            "duplicate": self.duplicate,
            "delayMs": delay,
            "shuffle": self.shuffle,
        }

    def copies(self) -> int:
        """How many times the next message goes: twice when the duplicate draw says so."""
        return 2 if self.duplicate and self.draws.random() < self.duplicate else 1

    def plan(self, now: float, messages: list[Outgoing], time_scale: float) -> list[tuple[float, Outgoing]]:
        """When each delivery of these messages (in commit order) is first due."""
        return [(self._due(now, time_scale), m) for m in messages for _ in range(self.copies())]

    def _due(self, now: float, time_scale: float) -> float:
        due = now
        if isinstance(self.delay_ms, tuple):
            low, high = self.delay_ms
            due += self.draws.uniform(low, high) / 1000 * time_scale  # scaled as retry delays are
        elif self.delay_ms:
            due += self.delay_ms / 1000 * time_scale
        if self.shuffle:
            # The order within a window comes from the draws alone, not from when each write
            # arrived: the same writes are shuffled the same way in a seeded run.
            if due >= self.window_ends:
                self.window_ends = due + SHUFFLE_WINDOW
            due = self.window_ends + self.draws.random() * SHUFFLE_WINDOW
        return due


def make_chaos(setting: Mapping[str, Any], seed: int, provider: str, tenant: str) -> Chaos:
    """A Chaos from checked admin values (duplicate, delayMs, shuffle; absent or null: none),
    its draws seeded from (seed, provider, tenant) alone."""
    delay = setting.get("delayMs")
    return Chaos(
        duplicate=setting.get("duplicate") or 0,
        delay_ms=(delay[0], delay[1]) if isinstance(delay, list | tuple) else delay,
        shuffle=bool(setting.get("shuffle")),
        draws=Randomness(seed).derived("webhook-chaos", provider, tenant),
    )
