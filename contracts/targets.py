"""What a contract test checks: a base URL with a key, and what the run may do there."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    provider: str
    base_url: str
    api_key: str
    allow_writes: bool
    max_examples: int
    emulated: bool  # our own emulator, started by this suite
