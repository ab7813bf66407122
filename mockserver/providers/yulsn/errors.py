"""Yulsn's error bodies, as ASP.NET Web API 2 writes them: `{"Message": "..."}`, with
`ModelState` for invalid input."""

from __future__ import annotations

import re

from mockserver.engine.errors import (
    ApiError,
    BadRequest,
    Conflict,
    MethodNotAllowed,
    NoRoute,
    NotFound,
    RateLimited,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
    Violation,
)
from mockserver.engine.provider import ErrorReply
from mockserver.providers.yulsn.records import ConflictWith

_ROUTE = re.compile(r'"(\S+) (.*)"')  # the path may hold spaces (%20)


def render_error(err: ApiError) -> ErrorReply:  # noqa: C901, PLR0911 - one answer per kind of error
    if isinstance(err, Unauthorized):
        return _message(401, "Authorization has been denied for this request.")
    if isinstance(err, NoRoute | MethodNotAllowed):
        match = _ROUTE.search(err.message)
        method, path = match.groups() if match else ("GET", "/")
        if isinstance(err, MethodNotAllowed):
            return ErrorReply(
                405, {"Message": f"The requested resource does not support http method '{method}'."}, headers=err.headers
            )
        native = path.removeprefix("/yulsn")  # the gateway prefix is not part of the vendor's URI
        return _message(404, f"No HTTP resource was found that matches the request URI 'https://api.yulsn.com{native}'.")
    if isinstance(err, NotFound):
        return _message(404, err.message or "Not found")
    if isinstance(err, BadRequest):
        return ErrorReply(
            400, {"Message": "The request is invalid.", "ModelState": {"request": ["The request body is not valid JSON."]}}
        )
    if isinstance(err, UnsupportedMediaType):
        if not err.received:
            return ErrorReply(
                400, {"Message": "The request is invalid.", "ModelState": {"request": ["A request body is required."]}}
            )
        return _message(415, f"The request entity's media type '{err.received}' is not supported for this resource.")
    if isinstance(err, ValidationFailed):
        if err.source == "rule" and all(v.path == "" for v in err.violations):
            return _message(400, err.message)
        state: dict[str, list[str]] = {}
        for v in err.violations:
            state.setdefault(v.path or "request", []).append(_phrase(v))
        return ErrorReply(400, {"Message": "The request is invalid.", "ModelState": state})
    if isinstance(err, ConflictWith):
        return ErrorReply(409, err.body)
    if isinstance(err, Conflict):
        return _message(409, err.message)
    if isinstance(err, RateLimited):
        return _message(429, "Too many requests.")
    return _message(err.status if 400 <= err.status < 600 else 500, err.message or "An error has occurred.")


def _phrase(v: Violation) -> str:
    if v.rule == "custom":
        return v.message
    expected = v.params.get("expected")
    field = v.path.rsplit(".", 1)[-1] or "value"
    if v.rule in ("required", "not_null"):
        return f"The {field} field is required."
    if v.rule == "maxLength":
        return f"The field {field} must be a string with a maximum length of {expected}."
    if v.rule in ("minimum", "maximum"):
        return f"The field {field} is out of range."
    if v.rule == "enum":
        return f"The value is not valid for {field}."
    return f"The value is not valid for {field}."


def _message(status: int, message: str) -> ErrorReply:
    return ErrorReply(status, {"Message": message})
