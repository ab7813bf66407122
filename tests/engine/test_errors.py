"""The one exception hierarchy (engine/errors.py): each kind's status and code, what it
carries for the provider to phrase its own answer, and a status given for one error."""

from __future__ import annotations

import pytest

from mockserver.engine.errors import (
    ApiError,
    BadRequest,
    Conflict,
    Forbidden,
    MethodNotAllowed,
    NoRoute,
    NotFound,
    RateLimited,
    StrictResponseMismatch,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
    Violation,
)


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        (ApiError, 500, "internal"),
        (BadRequest, 400, "malformed"),
        (Unauthorized, 401, "unauthorized"),
        (Forbidden, 403, "forbidden"),
        (NotFound, 404, "not_found"),
        (NoRoute, 404, "no_route"),
        (MethodNotAllowed, 405, "method_not_allowed"),
        (Conflict, 409, "conflict"),
        (ValidationFailed, 422, "validation"),
        (RateLimited, 429, "rate_limited"),
        (StrictResponseMismatch, 500, "strict_response_mismatch"),
    ],
)
def test_each_kind_has_its_status_and_code(kind: type[ApiError], status: int, code: str) -> None:
    err = kind()
    assert (err.status, err.code, err.violations, err.headers) == (status, code, [], {})


def test_an_error_carries_its_message_violations_and_headers_and_may_change_its_status() -> None:
    broken = Violation("body.email", "not an e-mail", rule="format", params={"format": "email"})
    err = ValidationFailed("invalid", source="body", violations=[broken], headers={"X-Why": "1"}, status=400)
    assert (str(err), err.message, err.source, err.status) == ("invalid", "invalid", "body", 400)
    assert err.violations == [broken] and err.headers == {"X-Why": "1"}
    assert ValidationFailed.status == 422  # the kind keeps its own
    assert ValidationFailed().source == "rule"


def test_what_a_provider_needs_to_phrase_its_answer() -> None:
    assert Unauthorized().reason == "missing" and Unauthorized("invalid").reason == "invalid"
    refused = UnsupportedMediaType("text/plain", ["application/json"])
    assert (refused.status, refused.received, refused.supported, refused.message) == (
        415,
        "text/plain",
        ["application/json"],
        "text/plain",
    )
    assert isinstance(NoRoute(), NotFound)  # a provider that says nothing else answers it as a 404
    assert Violation("q", "bad").rule == "invalid" and Violation("q", "bad").params == {}
