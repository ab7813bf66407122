"""What the test kit reads back from an emulator: journal entries (RecordedRequest) and
webhook delivery attempts (Delivery), as plain values."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from requests.structures import CaseInsensitiveDict


@dataclass(frozen=True)
class RecordedRequest:
    """An API request from the journal, with credentials redacted."""

    seq: int
    at: str
    method: str
    path: str  # as sent, with the provider's prefix: /systeme/api/contacts
    route: str  # the spec's template: /api/contacts/{id}
    operation_id: str
    query: dict[str, Any]
    status: int
    headers: CaseInsensitiveDict[str]
    # Bodies: JSON as parsed, else text; None when empty. One over 64 KiB is kept cut, as
    # text ending with "…[truncated: N bytes in all]".
    body: Any
    response_headers: CaseInsensitiveDict[str]
    response_body: Any
    duration_ms: float
    events: list[dict[str, Any]]  # webhook events it caused: {"event", "messageIds"}
    fault: str | None = None  # the fault rules it hit (ids, comma-separated): POST /__admin/faults

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> RecordedRequest:
        return cls(
            seq=item["seq"],
            at=item["at"],
            method=item["method"],
            path=item["path"],
            route=item["route"],
            operation_id=item["operationId"],
            query=item["query"],
            status=item["status"],
            headers=CaseInsensitiveDict(item["requestHeaders"]),
            body=item["requestBody"],
            response_headers=CaseInsensitiveDict(item["responseHeaders"]),
            response_body=item["responseBody"],
            duration_ms=item["durationMs"],
            events=item["events"],
            fault=item.get("fault"),
        )


@dataclass(frozen=True)
class Delivery:
    """One attempt to deliver a webhook message to an endpoint."""

    id: int
    event: str
    url: str
    webhook_id: str
    message_id: str  # the same on every attempt of one message
    attempt: int
    at: str
    ok: bool
    status: int | None
    error: str | None
    will_retry: bool
    next_attempt_in_seconds: float | None  # after the provider's schedule and the time scale
    headers: CaseInsensitiveDict[str]
    body: bytes
    response_body: str
    duration_ms: float

    @property
    def json(self) -> Any:

        return json.loads(self.body)

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Delivery:
        return cls(
            id=item["id"],
            event=item["event"],
            url=item["url"],
            webhook_id=str(item["webhookId"]),
            message_id=item["messageId"],
            attempt=item["attempt"],
            at=item["at"],
            ok=item["ok"],
            status=item["status"],
            error=item["error"],
            will_retry=item["willRetry"],
            next_attempt_in_seconds=item["nextAttemptInSeconds"],
            headers=CaseInsensitiveDict(item["requestHeaders"]),
            body=item["requestBody"].encode("utf-8"),
            response_body=item["responseBody"],
            duration_ms=item["durationMs"],
        )
