"""What providers share: the declaration type and small helpers over the engine."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from jsonschema.protocols import Validator

from mockserver.engine.clock import Clock
from mockserver.engine.context import Call, Reply, Services
from mockserver.engine.errors import ApiError, ValidationFailed, Violation
from mockserver.engine.provider import ErrorReply, Event, Provider, key_header
from mockserver.engine.store import Row, Tenant

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


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header's value whatever the case of its name (servers and frameworks differ)."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def same_digest(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a computed signature with the one a request carries."""
    return given is not None and hmac.compare_digest(expected.encode(), given.strip().encode())


def fail(*violations: Violation) -> ValidationFailed:
    return ValidationFailed("; ".join(v.message for v in violations), violations=list(violations))


# How a provider words one kind of error: a message, or one made from the error.
Wording = str | Callable[[ApiError], str]


@dataclass(frozen=True)
class ErrorStyle:
    """A provider's error body for a status and a message, and how it words each kind of
    error (the first kind in `wording` that the error is wins). Errors of other kinds keep
    their own status and message (`otherwise` when they carry none)."""

    body: Callable[[int, str], Any]
    wording: Mapping[type[ApiError], Wording]
    otherwise: str
    # Kinds the provider answers with another status (Simvoly refuses bad input with 400).
    statuses: Mapping[type[ApiError], int] = field(default_factory=dict)
    content_type: str = "application/json"

    def reply(self, status: int, message: str) -> ErrorReply:
        return ErrorReply(status, self.body(status, message), self.content_type)

    def render(self, err: ApiError) -> ErrorReply:
        status = next((s for kind, s in self.statuses.items() if isinstance(err, kind)), err.status)
        for kind, wording in self.wording.items():
            if isinstance(err, kind):
                return self.reply(status, wording if isinstance(wording, str) else wording(err))
        return self.reply(status if 400 <= status < 600 else 500, err.message or self.otherwise)


# The Provider fields a provider's modules define under these names, by module.
_BY_CONVENTION = {
    "demo": {"init_tenant": "init_tenant", "seed_demo": "seed_demo"},
    "webhooks": {
        "deliveries": "deliveries",
        "retry_schedule": "RETRY_SCHEDULE",
        "verify_signature": "verify_signature",
        "attempt_headers": "attempt_headers",
    },
    "admin": {"admin_actions": "ACTIONS", "admin_schemas": "SCHEMAS"},
}


def by_convention(**modules: ModuleType) -> dict[str, Any]:
    """The Provider fields that a provider's `demo`, `webhooks` and `admin` modules define
    under the conventional names (`webhooks.RETRY_SCHEDULE`, `admin.ACTIONS`...): what a
    declaration would otherwise spell out one by one."""
    fields = {}
    for role, module in modules.items():
        for field_name, attribute in _BY_CONVENTION[role].items():
            if hasattr(module, attribute):
                fields[field_name] = getattr(module, attribute)
    return fields


def insert_next(
    tenant: Tenant, table: str, counter: str, values: Mapping[str, Any], *, id_name: str = "id", start: int = 1
) -> Row:
    """Store a row under the next id of its counter, the id as its first field (as the
    providers' records render it)."""
    key = tenant.next_id(counter, start)
    return tenant.table(table).insert(key, {id_name: key, **values})


def demo_call(tenant: Tenant, services: Services, provider: str, seed: int, start: datetime) -> Call:
    """What demo seeding works through: a clock frozen at `start` (advanced by the seeding
    itself) and ids from the seed, so one seed always gives the same data. Seeding is not a
    request: the call's events are never delivered."""
    clock = Clock()
    clock.freeze(start)
    return Call(tenant, Services(clock, services.random.derive(provider, "demo", seed=seed)), {}, None)


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
    "ErrorStyle",
    "Event",
    "Provider",
    "Reply",
    "Services",
    "Violation",
    "admin_body",
    "by_convention",
    "demo_call",
    "fail",
    "header",
    "hmac_sha256_hex",
    "insert_next",
    "key_header",
    "same_digest",
    "spec_path",
]
