"""What providers share: the declaration type and small helpers over the engine."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any

from jsonschema.protocols import Validator

from mockserver.engine.context import Call, Reply, Services
from mockserver.engine.errors import ValidationFailed, Violation
from mockserver.engine.provider import ErrorReply, Event, Provider

_PACKAGE = Path(__file__).resolve().parent.parent
# A wheel ships specs/ inside the package; a source checkout keeps it at the top level.
SPEC_DIRS = (_PACKAGE / "specs", _PACKAGE.parent / "specs")


def spec_path(name: str) -> Path:
    """Where a provider's OpenAPI document lives."""
    for folder in SPEC_DIRS:
        candidate = folder / f"{name}.yaml"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"specs/{name}.yaml not found in {[str(d) for d in SPEC_DIRS]}")


def hmac_sha256_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def fail(*violations: Violation) -> ValidationFailed:
    return ValidationFailed("; ".join(v.message for v in violations), violations=list(violations))


def admin_body(validator: Validator, body: Any) -> dict[str, Any]:
    """An admin action's JSON body, checked against its schema (422 listing what is wrong)."""
    body = body if body is not None else {}
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        raise ValidationFailed(
            "invalid body",
            violations=[Violation(".".join(map(str, e.absolute_path)) or "(body)", e.message) for e in errors],
        )
    assert isinstance(body, dict)
    return body


__all__ = [
    "Call",
    "ErrorReply",
    "Event",
    "Provider",
    "Reply",
    "Services",
    "Violation",
    "admin_body",
    "fail",
    "hmac_sha256_hex",
    "spec_path",
]
