"""Delivery attempts (engine/attempts.py): what an answer comes to (acknowledged, failed,
retried on the scaled schedule or not), and a kept attempt's record, made when asked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mockserver.engine.attempts import Attempt, Came, outcome, record
from mockserver.engine.delivering import Outgoing

SCHEDULE = (60.0, 300.0)


def _message(acknowledged: frozenset[int] | None = None) -> Outgoing:
    return Outgoing(
        "https://hooks.example.com/a",
        '{"name":"Zoë"}'.encode(),
        {"Content-Type": "application/json"},
        "CONTACT_CREATED",
        "hook-1",
        "msg-1",
        acknowledged=acknowledged,
    )


@pytest.mark.parametrize(
    ("sent", "attempt", "expected"),
    [
        ((200, "ok", None), 1, (None, None)),
        ((204, "", None), 2, (None, None)),
        ((500, "boom", None), 1, ("HTTP 500", 0.06)),
        ((410, "", None), 2, ("HTTP 410", 0.3)),
        ((500, "", None), 3, ("HTTP 500", None)),  # the schedule is spent
        ((None, "", "ConnectionError: refused"), 1, ("ConnectionError: refused", 0.06)),
    ],
)
def test_an_answer_comes_to_an_error_and_a_retry_on_the_scaled_schedule(
    sent: tuple[int | None, str, str | None], attempt: int, expected: tuple[str | None, float | None]
) -> None:
    error, retry_in = outcome(_message(), attempt, SCHEDULE, 0.001, sent)
    assert (error, None if retry_in is None else round(retry_in, 6)) == expected


def test_a_provider_that_acknowledges_some_statuses_only_retries_the_others() -> None:
    message = _message(acknowledged=frozenset({200}))
    assert outcome(message, 1, SCHEDULE, 1.0, (200, "", None)) == (None, None)
    assert outcome(message, 1, SCHEDULE, 1.0, (202, "", None)) == ("HTTP 202", 60.0)


def test_a_kept_attempt_makes_its_record_when_asked() -> None:
    message = _message()
    came = Came(message, 2, (500, "nope", None), "HTTP 500", 0.01234, 0.3, {"X-Attempt": "2"})
    at = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC).timestamp()
    attempt = Attempt(41, "systeme", "key-1", came, at)
    assert (attempt.id, attempt.provider, attempt.tenant, attempt.event, attempt.ok) == (
        41,
        "systeme",
        "key-1",
        "CONTACT_CREATED",
        False,
    )
    assert attempt.as_dict() == {
        "id": 41,
        "provider": "systeme",
        "apiKey": "key-1",
        "webhookId": "hook-1",
        "messageId": "msg-1",
        "event": "CONTACT_CREATED",
        "url": "https://hooks.example.com/a",
        "attempt": 2,
        "at": "2026-01-02T03:04:05+00:00",
        "ok": False,
        "status": 500,
        "error": "HTTP 500",
        "durationMs": 12.34,
        "willRetry": True,
        "nextAttemptInSeconds": 0.3,
        "requestHeaders": {"X-Attempt": "2"},
        "requestBody": '{"name":"Zoë"}',
        "responseBody": "nope",
    }
    assert attempt.as_dict() == record("systeme", "key-1", came, "2026-01-02T03:04:05+00:00") | {"id": 41}


def test_a_restored_record_is_kept_as_it_was_and_handed_out_as_a_copy() -> None:
    made = {"id": 7, "provider": "simvoly", "apiKey": "k", "event": "order_created", "ok": True, "extra": [1]}
    attempt = Attempt.kept(made)
    assert (attempt.id, attempt.provider, attempt.tenant, attempt.event, attempt.ok) == (7, "simvoly", "k", "order_created", True)
    handed = attempt.as_dict()
    assert handed == made
    handed["ok"] = False
    assert attempt.as_dict()["ok"] is True
