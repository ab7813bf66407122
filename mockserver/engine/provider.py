"""What a provider declares so the engine can run it. Providers fill it; the engine reads it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request

from mockserver import __version__
from mockserver.engine.errors import ApiError
from mockserver.engine.store import Tenant

if TYPE_CHECKING:
    from mockserver.engine.context import Call, Reply, Services
    from mockserver.engine.delivering import Outgoing
    from mockserver.engine.ratelimit import Quota


@dataclass(frozen=True)
class ErrorReply:
    status: int
    body: Any  # JSON-able
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    """Something that happened in a tenant and may have webhook subscribers."""

    name: str
    payload: Any
    at: float  # emulator clock, epoch seconds
    meta: Mapping[str, Any] = field(default_factory=dict)


Handler = Callable[["Call"], "Reply"]
AdminAction = Callable[["Call"], "Reply"]


@dataclass(frozen=True)
class PageContext:
    """What a provider's page (a non-API URL, e.g. a sign-on link) gets: no API key, so
    the page finds its tenant itself among the provider's tenants."""

    request: Request
    services: Services
    tenants: Callable[[], list[Tenant]]


Page = Callable[[PageContext], "Reply"]


# What a client sends with a key where a provider's front door wants a User-Agent.
CLIENT_USER_AGENT = f"mockserver-testing/{__version__}"


def bearer_token(request: Request) -> str | None:
    """The key of `Authorization: Bearer <key>`."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def key_header(name: str) -> Callable[[Request], str | None]:
    """Credentials read from one header that carries the key alone (`X-API-Key: <key>`)."""
    return lambda request: request.headers.get(name)


def bearer_client_headers(key: str) -> dict[str, str]:
    """A bearer token, and a User-Agent (for front doors that refuse requests without one)."""
    return {"Authorization": f"Bearer {key}", "User-Agent": CLIENT_USER_AGENT}


def no_quota_headers(_: Quota) -> dict[str, str]:
    return {}  # most APIs say nothing of their rate limit until it is reached


def no_deliveries(*_: object) -> list[Outgoing]:
    return []  # a provider without webhooks


def nothing_to_set_up(*_: object) -> None:
    """A new account, or a demo one, starts empty."""


@dataclass(frozen=True)
class Provider:
    name: str  # short name and gateway prefix: /systeme/...
    title: str
    spec_file: Path
    handlers: Mapping[str, Handler]  # operationId -> behaviour
    render_error: Callable[[ApiError], ErrorReply]
    credentials: Callable[[Request], str | None] = bearer_token  # the API key a request carries, if any
    init_tenant: Callable[[Tenant, Services], None] = nothing_to_set_up  # what a brand-new account has
    seed_demo: Callable[[Tenant, Services, int], None] = nothing_to_set_up  # demo data, from a seed
    deliveries: Callable[[Tenant, Event, Services], list[Outgoing]] = no_deliveries  # signed webhook messages
    retry_schedule: tuple[float, ...] = ()  # seconds before each retry of a failed delivery
    quota_headers: Callable[[Quota], dict[str, str]] = no_quota_headers
    # The headers a client sends with a key (credentials, and whatever the front door
    # wants): what the test kit's accounts send.
    client_headers: Callable[[str], dict[str, str]] = bearer_client_headers
    # Extra admin endpoints under /__admin/<name>/: (METHOD, path) -> action.
    admin_actions: Mapping[tuple[str, str], AdminAction] = field(default_factory=dict)
    # What the admin API's OpenAPI document says of those actions, by the same keys: "body",
    # the JSON Schema the action checks its body against, and "responses", {status: when}
    # (400 and, with a body, 422 go without saying). Actions left out are documented loosely.
    admin_schemas: Mapping[tuple[str, str], Mapping[str, Any]] = field(default_factory=dict)
    # Web pages beside the API under /<name>/: (METHOD, path) -> page.
    pages: Mapping[tuple[str, str], Page] = field(default_factory=dict)
    # Runs before authentication, for checks a provider's front door makes (e.g. User-Agent).
    preflight: Callable[[Request], None] | None = None
    content_type: str = "application/json"
    # Integer path segments route only digits (an integer route constraint); when False,
    # any value reaches the operation and is refused there, after authentication.
    typed_routes: bool = True
    # ASP.NET-style servers: paths and query names match without regard to case (and a
    # trailing slash), and JSON bodies are read without regard to the case of names.
    case_insensitive: bool = False
    # Whether a delivery's headers and raw body carry a valid signature made with `secret`
    # (the provider's own scheme); None when the provider sends no webhooks.
    verify_signature: Callable[[str, Mapping[str, str], bytes], bool] | None = None
    # Headers that change with each delivery attempt (an attempt id, a signature with a fresh
    # timestamp), given the account's services, the message's body, its `signing` values and
    # the attempt number. Declared here rather than kept only in a message, so a message
    # restored from a snapshot gets them too.
    attempt_headers: Callable[[Services, bytes, Mapping[str, Any], int], Mapping[str, str]] | None = None
