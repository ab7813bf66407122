"""What a handler receives (Call) and returns (Reply), and the shared services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request

from mockserver.engine.clock import Clock
from mockserver.engine.provider import Event
from mockserver.engine.randomness import Randomness
from mockserver.engine.store import Tenant


@dataclass(frozen=True)
class Services:
    """Process-wide helpers handed to providers."""

    clock: Clock
    random: Randomness


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # JSON-able; None means an empty body
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    """One request as a handler sees it. The tenant's lock is held while it runs."""

    tenant: Tenant
    services: Services
    params: Mapping[str, Any]
    body: Any
    request: Request | None = None
    events: list[Event] = field(default_factory=list)
    unsubscribed: list[str] = field(default_factory=list)  # webhook ids whose deliveries stop
    # What the events became: [{"event": name, "messageIds": [...]}] (for the journal).
    caused: list[dict[str, Any]] = field(default_factory=list)

    @property
    def clock(self) -> Clock:
        return self.services.clock

    @property
    def random(self) -> Randomness:
        return self.services.random

    def unsubscribe(self, webhook_id: str) -> None:
        """A subscription is gone: its queued deliveries and retries are dropped once the
        request succeeds (a deleted endpoint gets nothing more)."""
        self.unsubscribed.append(str(webhook_id))

    def emit(self, name: str, payload: Any, **meta: Any) -> None:
        """Record an event; it is delivered to subscribers once the request succeeds."""
        self.events.append(Event(name, payload, self.clock.time(), meta))
