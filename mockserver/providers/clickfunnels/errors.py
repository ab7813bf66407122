"""ClickFunnels' error bodies: `{"error": "..."}` (Rails), and Cloudflare's HTML page for
requests stopped before they reach the API."""

from __future__ import annotations

from mockserver.engine.errors import (
    ApiError,
    BadRequest,
    Forbidden,
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

BLOCKED_PAGE = b"""<!DOCTYPE html>
<html lang="en-US">
<head><title>Attention Required! | Cloudflare</title><meta charset="UTF-8" /></head>
<body>
<div id="cf-wrapper">
<h1>Sorry, you have been blocked</h1>
<h2>You are unable to access myclickfunnels.com</h2>
<p>Error code: 1010</p>
<p>The owner of this website has banned your access based on your browser's signature.</p>
</div>
</body>
</html>
"""

_RULE_MESSAGES = {
    "required": "can't be blank",
    "not_null": "can't be blank",
    "enum": "is not included in the list",
    "maxLength": "is too long (maximum is {n} characters)",
    "minLength": "is too short (minimum is {n} characters)",
    "minimum": "must be greater than or equal to {n}",
    "maximum": "must be less than or equal to {n}",
    "maxItems": "is too long (maximum is {n} items)",
    "minItems": "can't be blank",
}


STYLE = ErrorStyle(
    body=lambda _, message: {"error": message},
    wording={
        Unauthorized: "API key missing or invalid",
        NoRoute: "No such route",
        NotFound: "Not found: Record missing",
        MethodNotAllowed: "Method not allowed",
        BadRequest: "Error occurred while parsing request parameters",
        UnsupportedMediaType: "Unsupported media type: send application/json",
        RateLimited: "Too many requests",
    },
    otherwise="Internal server error",
)


def render_error(err: ApiError) -> ErrorReply:
    if isinstance(err, Forbidden):
        return ErrorReply(403, BLOCKED_PAGE, "text/html; charset=UTF-8")
    if isinstance(err, ValidationFailed):
        return _validation(err)
    return STYLE.render(err)


def _validation(err: ValidationFailed) -> ErrorReply:
    if err.source == "parameters":
        first = err.violations[0] if err.violations else Violation("", "is invalid")
        if first.rule == "additionalProperties":
            extra = ", ".join(f":{name}" for name in first.params.get("extra", [])) or ":unknown"
            return STYLE.reply(400, f"found unpermitted parameter: {extra}")
        return STYLE.reply(400, f"{first.path or 'parameter'} is invalid")
    if err.source == "body":
        # Rails' `params.require(:contact)`: the wrapper key missing or not an object.
        for v in err.violations:
            if "." not in v.path and "[" not in v.path and v.rule in ("required", "type", "not_null"):
                wrapper = v.path or next(iter(v.params.get("required") or []), "")
                return STYLE.reply(400, f"param is missing or the value is empty: {wrapper}")
    messages: dict[str, list[str]] = {}
    for v in err.violations:
        attribute = _attribute(v.path)
        messages.setdefault(attribute, []).append(_message(v))
    full = ", ".join(f"{_humanize(attribute)} {message}" for attribute, found in messages.items() for message in found)
    return ErrorReply(422, {"error": full or err.message, "errors": messages})


def _message(v: Violation) -> str:
    if v.rule == "custom":
        return v.message
    expected = v.params.get("expected")
    return _RULE_MESSAGES.get(v.rule, "is invalid").format(n=expected)


def _attribute(path: str) -> str:
    """`contact.email_address` -> `email_address` (the wrapper is not part of the name)."""
    return path.split(".", 1)[1] if "." in path else path


def _humanize(attribute: str) -> str:
    text = attribute.replace("_", " ").replace(".", " ")
    return text[:1].upper() + text[1:]
