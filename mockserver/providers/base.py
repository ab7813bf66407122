"""What providers share: the declaration type and small helpers over the engine."""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.protocols import Validator

from mockserver.engine.clock import Clock
from mockserver.engine.context import Call, Reply, Services
from mockserver.engine.errors import ApiError, NotFound, ValidationFailed, Violation
from mockserver.engine.provider import AdminAction, ErrorReply, Event, Provider, key_header
from mockserver.engine.store import Row, Table, Tenant

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
}


def by_convention(**modules: ModuleType) -> dict[str, Any]:
    """The Provider fields that a provider's `demo`, `webhooks` and `admin` modules define
    under the conventional names (`webhooks.RETRY_SCHEDULE`, `admin.ADMIN`...): what a
    declaration would otherwise spell out one by one."""
    fields: dict[str, Any] = {}
    for role, module in modules.items():
        if role == "admin":
            fields.update(admin_actions=module.ADMIN.actions, admin_schemas=module.ADMIN.schemas)
            continue
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


# -- one table's reads and deletes ------------------------------------------------------------
Render = Callable[[Row], Any]
Where = Callable[[Row], bool]
Handler = Callable[[Call], Reply]


def found(row: Row | None, message: str = "Not Found") -> Row:
    """The row looked up, or a 404 with the provider's message."""
    if row is None:
        raise NotFound(message)
    return row


def held_by_another(table: Table, index: str, value: Any, row_id: Any, *, id_name: str = "id") -> bool:
    """Whether a row other than `row_id` (any row, for None) holds `value` in a unique index
    (a tag's name, a contact's e-mail address): the check before a write that must not repeat it."""
    holder = table.find(index, value)
    return holder is not None and holder[id_name] != row_id


@dataclass(frozen=True)
class Reads:
    """The list, get and delete of a plain table: written once, but for what each provider
    does its own way: how it cuts a page (`page(call, table, render, **options)`, answering
    the whole reply) and how it finds the record a path names (`lookup(call, table)`, its own
    404 when there is none)."""

    page: Callable[..., Reply]
    lookup: Callable[[Call, str], Row]
    id_name: str = "id"

    def lister(self, table: str, render: Render, **options: Any) -> Handler:
        return lambda call: self.page(call, table, render, **options)

    def getter(self, table: str, render: Render) -> Handler:
        return lambda call: Reply(200, render(self.lookup(call, table)))

    def deleter(self, table: str, status: int = 204, body: Any = None) -> Handler:
        def delete(call: Call) -> Reply:
            found(call.tenant.table(table).delete(self.lookup(call, table)[self.id_name]))
            return Reply(status, body)

        return delete


def demo_call(tenant: Tenant, services: Services, provider: str, seed: int, start: datetime) -> Call:
    """What demo seeding works through: a clock frozen at `start` (advanced by the seeding
    itself) and ids from the seed, so one seed always gives the same data. Seeding is not a
    request: the call's events are never delivered."""
    clock = Clock()
    clock.freeze(start)
    return Call(tenant, Services(clock, services.random.derive(provider, "demo", seed=seed)), {}, None)


class AdminActions:
    """A provider's admin actions (under /__admin/<provider>/), each declared once where it
    is written: its method and path, the JSON Schema its body is checked against (a 422
    listing what is wrong), and what it answers. `actions` and `schemas` are the Provider's
    `admin_actions` and `admin_schemas` (by_convention reads them from `admin.ADMIN`)."""

    def __init__(self, *parts: AdminActions) -> None:
        self.actions: dict[tuple[str, str], AdminAction] = {}
        self.schemas: dict[tuple[str, str], dict[str, Any]] = {}
        for part in parts:  # the actions other modules declare
            self.actions.update(part.actions)
            self.schemas.update(part.schemas)

    def post(
        self, path: str, body: Mapping[str, Any] | None = None, responses: Mapping[int, str] | None = None
    ) -> Callable[[Callable[..., Reply]], Callable[..., Reply]]:
        """Declare `run` the action of POST `path`; with a `body` schema, `run(call, body)`
        gets the body once checked."""
        return self.action("POST", path, body, responses)

    def action(
        self, method: str, path: str, body: Mapping[str, Any] | None = None, responses: Mapping[int, str] | None = None
    ) -> Callable[[Callable[..., Reply]], Callable[..., Reply]]:
        validator = Draft202012Validator(body) if body is not None else None

        def declare(run: Callable[..., Reply]) -> Callable[..., Reply]:
            if validator is None:
                self.actions[method, path] = run
            else:

                @functools.wraps(run)  # the admin document reads the action's name and docstring
                def checked(call: Call) -> Reply:
                    return run(call, admin_body(validator, call.body))

                self.actions[method, path] = checked
            declared = {"body": body, "responses": responses}
            self.schemas[method, path] = {key: value for key, value in declared.items() if value is not None}
            return run

        return declare


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
    "AdminActions",
    "Call",
    "ErrorReply",
    "ErrorStyle",
    "Event",
    "Provider",
    "Reads",
    "Reply",
    "Services",
    "Violation",
    "admin_body",
    "by_convention",
    "demo_call",
    "fail",
    "found",
    "header",
    "held_by_another",
    "hmac_sha256_hex",
    "insert_next",
    "key_header",
    "same_digest",
    "spec_path",
]
