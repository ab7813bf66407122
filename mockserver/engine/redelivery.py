"""Redelivering a message (POST /__admin/webhooks/redeliver): the same message id, body and
endpoint, queued now for one new sequence of attempts whose numbers continue after the
last one made (or queued), each signed as an attempt is signed now."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockserver.engine.attempts import Attempt
    from mockserver.engine.delivering import Outgoing

# What the shared queue keeps beside an attempt's record to send its message again (the
# listings never show it: it may hold a signing secret).
KEPT = "_message"


def sequence(schedule: tuple[float, ...], last: int) -> tuple[float, ...]:
    """The retry schedule of a sequence whose first attempt is number `last + 1`: attempt n
    waits schedule[n - 1] before its retry (attempts.outcome), so the first `last` places
    are never read."""
    return (0.0,) * last + tuple(schedule)


def latest(message_id: str, queued: Iterable[tuple[Outgoing, int]], made: Iterable[Attempt]) -> tuple[Outgoing | None, int]:
    """One account's message with that id (from its queued jobs, else from a recorded
    attempt) and the highest attempt number it has had; (None, 0) when it has none."""
    from mockserver.engine.delivering import Outgoing

    found: Outgoing | None = None
    last = 0
    for message, number in queued:
        if message.message_id == message_id:
            found, last = message, max(last, number)
    for attempt in made:
        came = attempt._came
        if came is not None:
            if came.message.message_id == message_id:
                found, last = found or came.message, max(last, came.attempt)
            continue
        kept = attempt.as_dict()  # restored from a snapshot: only its record is known
        if kept["messageId"] == message_id:
            last = max(last, int(kept["attempt"]))
            # The headers as last sent: the provider's per-attempt signing is not kept there.
            found = found or Outgoing(
                kept["url"],
                kept["requestBody"].encode("utf-8"),
                kept["requestHeaders"],
                kept["event"],
                kept["webhookId"],
                message_id,
            )
    return found, last


def state_of(record: dict[str, Any]) -> dict[str, Any]:
    """A recorded attempt's message as the shared queue keeps one (webhooks.message_state)."""
    kept = record.get(KEPT) or {"headers": record["requestHeaders"], "signing": None, "acknowledged": None}
    state = {key: record[key] for key in ("provider", "apiKey", "url", "event", "webhookId", "messageId")}
    if "bodyBase64" not in kept:
        state["body"] = record["requestBody"]
    return {**state, **kept}


def kept_of(state: dict[str, Any]) -> dict[str, Any]:
    """What an attempt's record needs beside it to rebuild its queued message `state`."""
    names = ("headers", "signing", "acknowledged", "bodyBase64")
    return {name: state[name] for name in names if name in state}
