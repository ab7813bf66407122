"""Yulsn's error bodies, as ASP.NET Web API 2 writes them: `{"Message": "..."}`, with
`ModelState` for invalid input."""

from __future__ import annotations

import re

from mockserver.engine.errors import (
    ApiError,
    BadRequest,
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
from mockserver.providers.base import ErrorStyle
from mockserver.providers.yulsn.records import ConflictWith

_ROUTE = re.compile(r'"(\S+) (.*)"')  # the path may hold spaces (%20)


STYLE = ErrorStyle(
    body=lambda _, message: {"Message": message},
    wording={
        Unauthorized: "Authorization has been denied for this request.",
        NotFound: lambda err: err.message or "Not found",
        RateLimited: "Too many requests.",
    },
    otherwise="An error has occurred.",
)


def render_error(err: ApiError) -> ErrorReply:
    if isinstance(err, NoRoute | MethodNotAllowed):
        return _no_route(err)
    if isinstance(err, BadRequest):
        return _invalid({"request": ["The request body is not valid JSON."]})
    if isinstance(err, UnsupportedMediaType):
        if not err.received:
            return _invalid({"request": ["A request body is required."]})
        return STYLE.reply(415, f"The request entity's media type '{err.received}' is not supported for this resource.")
    if isinstance(err, ValidationFailed):
        if err.source == "rule" and all(v.path == "" for v in err.violations):
            return STYLE.reply(400, err.message)
        state: dict[str, list[str]] = {}
        for v in err.violations:
            state.setdefault(v.path or "request", []).append(_phrase(v))
        return _invalid(state)
    if isinstance(err, ConflictWith):
        return ErrorReply(409, err.body)
    return STYLE.render(err)


def _no_route(err: ApiError) -> ErrorReply:
    match = _ROUTE.search(err.message)
    method, path = match.groups() if match else ("GET", "/")
    if isinstance(err, MethodNotAllowed):
        return STYLE.reply(405, f"The requested resource does not support http method '{method}'.")
    native = path.removeprefix("/yulsn")  # the gateway prefix is not part of the vendor's URI
    return STYLE.reply(404, f"No HTTP resource was found that matches the request URI 'https://api.yulsn.com{native}'.")


def _invalid(state: dict[str, list[str]]) -> ErrorReply:
    return ErrorReply(400, {"Message": "The request is invalid.", "ModelState": state})


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
