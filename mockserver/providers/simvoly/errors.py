"""Simvoly's error body: `{"success": false, "message": "..."}`."""

from __future__ import annotations

from mockserver.engine.errors import (
    ApiError,
    BadRequest,
    MethodNotAllowed,
    NotFound,
    RateLimited,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
    Violation,
)
from mockserver.engine.provider import ErrorReply

_TYPES = {
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "string": "a string",
    "array": "a list",
    "object": "an object",
}


def render_error(err: ApiError) -> ErrorReply:
    if isinstance(err, Unauthorized):
        return _error(401, "Invalid API key." if err.reason == "invalid" else "Missing API key.")
    if isinstance(err, NotFound):
        return _error(404, err.message if err.message.endswith(".") else "Not found.")
    if isinstance(err, MethodNotAllowed):
        return ErrorReply(405, {"success": False, "message": "Method not allowed."}, headers=err.headers)
    if isinstance(err, BadRequest):
        return _error(400, "The request body is not valid JSON.")
    if isinstance(err, UnsupportedMediaType):
        return _error(400, "The request body must be JSON (Content-Type: application/json).")
    if isinstance(err, ValidationFailed):
        return _error(400, " ".join(dict.fromkeys(_message(v) for v in err.violations)) or err.message)
    if isinstance(err, RateLimited):
        return _error(429, "Too many requests.")
    return _error(err.status if 400 <= err.status < 600 else 500, err.message or "Internal server error.")


def _message(v: Violation) -> str:  # noqa: PLR0911 - one message per rule
    if v.rule == "custom":
        return v.message
    field = v.path or "request"
    expected = v.params.get("expected")
    if v.rule in ("required", "not_null"):
        return f"The {field} field is required."
    if v.rule == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        named = " or ".join(_TYPES.get(str(k), str(k)) for k in kinds if k != "null")
        return f"The {field} field must be {named}."
    if v.rule == "enum":
        return f"The {field} field must be one of: {', '.join(str(e) for e in expected or [] if e is not None)}."
    if v.rule == "format":
        return f"The {field} field must be a valid {'email address' if expected == 'email' else expected}."
    if v.rule in ("maxLength", "maxItems"):
        return f"The {field} field must not have more than {expected} {'characters' if v.rule == 'maxLength' else 'items'}."
    if v.rule in ("minLength", "minItems"):
        return f"The {field} field must have at least {expected} {'characters' if v.rule == 'minLength' else 'items'}."
    if v.rule == "minimum":
        return f"The {field} field must be at least {expected}."
    if v.rule == "maximum":
        return f"The {field} field must be at most {expected}."
    return f"The {field} field is invalid."


def _error(status: int, message: str) -> ErrorReply:
    return ErrorReply(status, {"success": False, "message": message})
