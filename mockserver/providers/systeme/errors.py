"""Systeme.io's error bodies: Symfony/API Platform problems, phrased as the real API does."""

from __future__ import annotations

from typing import Any

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
from mockserver.providers.base import ErrorStyle, fail

PROBLEM_TYPE = "https://tools.ietf.org/html/rfc2616#section-10"
PROBLEM_JSON = "application/problem+json"

# Symfony constraint codes, so clients that branch on `code` see the real values.
CODES = {
    "required": "c1051bb4-d103-4f74-8988-acbcafc7fdc3",  # NotBlank
    "not_null": "ad32d13f-c3d4-423b-909a-857b961eb720",  # NotNull
    "type": "ba785a8c-82cb-4283-967c-3cf342181b40",  # Type
    "enum": "8e179f1b-97aa-4560-a02f-2a8b42e49df7",  # Choice
    "minimum": "ea4e51d1-3342-48bd-87f1-9e672cd90cad",  # GreaterThanOrEqual
    "maximum": "30fbb013-d015-4232-8b3b-8f3be97a7e14",  # LessThanOrEqual
    "maxLength": "d94b19cc-114f-4f44-9cc4-4138e80a87b9",  # Length, too long
    "minLength": "9ff3fdc4-b214-49db-8718-39c315e33d45",  # Length, too short
    "email": "bd79c0ab-ddba-46cc-a703-a7a4b08de310",  # Email
    "date-time": "1a9da513-2640-4f84-9b6a-4d99dcddc628",  # DateTime
    "uuid": "51120b12-a2bc-41bf-aa53-cd73daf330d0",  # Uuid
    "pattern": "de1e3db3-5ed4-4941-aae4-59f3667cc3a3",  # Regex
    "minItems": "bef8e338-6ae5-4caf-b8e2-50e7b0579e69",  # Count, too few
    "maxItems": "756b1212-697c-468d-a9ad-50dd783bb169",  # Count, too many
    "uniqueItems": "7911c98d-b845-4da0-94b7-a8dac36bc55a",  # Unique
    "unique": "23bd9dbf-6b9b-41cd-a99e-4844bcf3077f",  # UniqueEntity
    "url": "57c2f299-1154-4870-89bb-ef3b1f5ad229",  # Url
    "uri": "57c2f299-1154-4870-89bb-ef3b1f5ad229",  # Url, when the spec's format check finds it
    "country": "8f900c12-61bd-455d-9398-996cd040f32e",  # Country
    "positive": "778b7ae0-84d3-481a-9dec-35fdb64b1d78",  # Positive
}

_TYPE_NAMES = {"integer": "int", "boolean": "bool", "number": "float", "object": "array"}


def _unsupported(err: ApiError) -> str:
    assert isinstance(err, UnsupportedMediaType)
    if not err.received:
        return 'The "Content-Type" header must exist.'
    supported = ", ".join(f'"{m}"' for m in err.supported)
    return f'The content-type "{err.received}" is not supported. Supported MIME types are {supported}.'


STYLE = ErrorStyle(
    body=lambda _, detail: {"type": PROBLEM_TYPE, "title": "An error occurred", "detail": detail},
    wording={
        UnsupportedMediaType: _unsupported,
        BadRequest: lambda err: err.message or "Syntax error",
        NotFound: "Not Found",
        MethodNotAllowed: lambda err: err.message,
        RateLimited: "Too many requests",
    },
    otherwise="Internal Server Error",
    content_type=PROBLEM_JSON,
)


def render_error(err: ApiError) -> ErrorReply:
    if isinstance(err, Unauthorized):
        if err.reason == "invalid":
            return ErrorReply(401, {"detail": "Invalid API Key."}, headers={"WWW-Authenticate": "API Key"})
        return ErrorReply(401, {"detail": "Full authentication is required to access this resource."})
    if isinstance(err, ValidationFailed):
        violations = _unique([_violation(v) for v in err.violations]) or [
            {"propertyPath": "", "message": err.message, "code": None}
        ]
        detail = "\n".join(f"{v['propertyPath']}: {v['message']}" if v["propertyPath"] else v["message"] for v in violations)
        return ErrorReply(422, {**STYLE.body(422, detail), "violations": violations}, PROBLEM_JSON)
    return STYLE.render(err)


def violation(path: str, message: str, code: str | None = None) -> Violation:
    """A violation phrased by a handler (business rules), with its Symfony code."""
    return Violation(path, message, "custom", {"code": CODES.get(code or "", code)})


# The violations handlers report most often: violation(path, *BLANK).
BLANK = ("This value should not be blank.", "required")
USED = ("This value is already used.", "unique")


def refuse(problems: list[Violation]) -> None:
    """One 422 for every problem found, if any (Symfony checks every constraint, then answers)."""
    if problems:
        raise fail(*problems)


def _unique(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per (path, message), as Symfony reports a constraint once."""
    kept, seen = [], set()
    for v in violations:
        key = (v["propertyPath"], v["message"])
        if key not in seen:
            seen.add(key)
            kept.append(v)
    return kept


def _violation(v: Violation) -> dict[str, Any]:
    if v.rule == "custom":
        return {"propertyPath": v.path, "message": v.message, "code": v.params.get("code")}
    if v.path == "limit":
        # The real API reports the page size this way, whatever was wrong with it.
        return {"propertyPath": "pagination.limit", "message": "Wrong value of pagination limit parameter", "code": None}
    rule, expected = v.rule, v.params.get("expected")
    message = _MESSAGES.get(rule, "This value is not valid.")
    if rule == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        named = [_TYPE_NAMES.get(str(k), str(k)) for k in kinds if k != "null"]
        message = f"This value should be of type {'|'.join(named) or 'null'}."
    elif rule == "format":
        rule = str(expected)
        message = _FORMAT_MESSAGES.get(rule, "This value is not valid.")
    elif rule in ("minimum", "maximum", "maxLength", "minLength", "minItems", "maxItems"):
        message = message.format(n=expected, s="" if expected == 1 else "s")
    return {"propertyPath": v.path, "message": message, "code": CODES.get(rule)}


_MESSAGES = {
    "required": "This value should not be blank.",
    "not_null": "This value should not be null.",
    "enum": "The value you selected is not a valid choice.",
    "minimum": "This value should be greater than or equal to {n}.",
    "maximum": "This value should be less than or equal to {n}.",
    "maxLength": "This value is too long. It should have {n} character{s} or less.",
    "minLength": "This value is too short. It should have {n} character{s} or more.",
    "minItems": "This collection should contain {n} element{s} or more.",
    "maxItems": "This collection should contain {n} element{s} or less.",
    "uniqueItems": "This collection should contain only unique elements.",
    "pattern": "This value is not valid.",
}
_FORMAT_MESSAGES = {
    "email": "This value is not a valid email address.",
    "uri": "This value is not a valid URL.",
    "date-time": "This value is not a valid datetime.",
    "uuid": "This is not a valid UUID.",
}
