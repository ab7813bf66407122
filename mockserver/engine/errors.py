"""One exception hierarchy for every provider; each provider renders it natively."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Violation:
    """One broken rule. `rule` and `params` let a provider phrase its own message."""

    path: str
    message: str
    rule: str = "invalid"
    params: dict[str, Any] = field(default_factory=dict)


class ApiError(Exception):
    """An error answered to the client. `code` is the engine's name for the kind."""

    status = 500
    code = "internal"

    def __init__(
        self,
        message: str = "",
        *,
        violations: list[Violation] | None = None,
        headers: dict[str, str] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.violations = violations or []
        self.headers = headers or {}
        if status is not None:
            self.status = status


class BadRequest(ApiError):
    """The body cannot be read at all (e.g. malformed JSON)."""

    status = 400
    code = "malformed"


class Unauthorized(ApiError):
    """No credentials (`missing`) or credentials the server does not know (`invalid`)."""

    status = 401
    code = "unauthorized"

    def __init__(self, reason: str = "missing", **kwargs: Any) -> None:
        super().__init__(reason, **kwargs)
        self.reason = reason


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class NoRoute(NotFound):
    """No operation at this path at all (as opposed to no record)."""

    code = "no_route"


class MethodNotAllowed(ApiError):
    status = 405
    code = "method_not_allowed"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class UnsupportedMediaType(ApiError):
    """`message` holds the content type received; `supported` lists the accepted ones."""

    status = 415
    code = "unsupported_media_type"

    def __init__(self, received: str, supported: list[str]) -> None:
        super().__init__(received)
        self.received = received
        self.supported = supported


class ValidationFailed(ApiError):
    """The request is well-formed but breaks the spec or a business rule. `source` says
    what was wrong: "parameters" (path, query, header), "body", or "rule" (business)."""

    status = 422
    code = "validation"

    def __init__(self, message: str = "", *, source: str = "rule", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.source = source


class RateLimited(ApiError):
    status = 429
    code = "rate_limited"


class StrictResponseMismatch(ApiError):
    """A response the emulator produced does not match its own spec (strict mode only)."""

    status = 500
    code = "strict_response_mismatch"
