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
from mockserver.providers.base import ErrorStyle

_TYPES = {
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "string": "a string",
    "array": "a list",
    "object": "an object",
}


def _unauthorized(err: ApiError) -> str:
    return "Invalid API key." if isinstance(err, Unauthorized) and err.reason == "invalid" else "Missing API key."


def _not_found(err: ApiError) -> str:
    return err.message if err.message.endswith(".") else "Not found."


def _invalid(err: ApiError) -> str:
    assert isinstance(err, ValidationFailed)
    return " ".join(dict.fromkeys(_message(v) for v in err.violations)) or err.message


STYLE = ErrorStyle(
    body=lambda _, message: {"success": False, "message": message},
    wording={
        Unauthorized: _unauthorized,
        NotFound: _not_found,
        MethodNotAllowed: "Method not allowed.",
        BadRequest: "The request body is not valid JSON.",
        UnsupportedMediaType: "The request body must be JSON (Content-Type: application/json).",
        ValidationFailed: _invalid,
        RateLimited: "Too many requests.",
    },
    otherwise="Internal server error.",
    # Simvoly refuses every kind of bad input with 400.
    statuses={UnsupportedMediaType: 400, ValidationFailed: 400},
)
render_error = STYLE.render


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
