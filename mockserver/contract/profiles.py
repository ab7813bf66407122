"""What the contract suite needs to know about each provider beyond its spec: how to
authenticate, what its native error body looks like, how its webhook deliveries are signed.

These are facts about the real services (see each spec's description); they are written
here independently of the emulators, so that checking an emulator really checks it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockserver.providers.base import spec_path

# A function telling whether a webhook delivery carries a valid signature for `secret`.
SignatureCheck = Callable[[bytes, Mapping[str, str], str], bool]


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    auth_header: str
    auth_prefix: str  # what comes before the key in the auth header ("Bearer ")
    # JSON Schema of the provider's native error body: every 4xx the spec does not describe
    # otherwise must have this shape.
    error_body: dict[str, Any]
    # The spec's components that describe error bodies; a 4xx the spec documents with another
    # schema (Yulsn's 409 carries the latest contact) is not an error body.
    error_schemas: tuple[str, ...]
    # Statuses the provider answers to requests the schema calls valid when a business rule
    # refuses them (a name already used, an unknown reference): not a sign of drift.
    business_rule_statuses: tuple[str, ...]
    needs_user_agent: bool = False
    # Operations under a created record's path whose 404 is about something else (an empty
    # sub-list, another record named in the body): not a sign that the record is missing.
    not_found_is_not_missing: tuple[str, ...] = ()
    excluded_checks: tuple[str, ...] = ()
    excluded_checks_why: str = ""
    signature_header: str | None = None
    signature_check: SignatureCheck | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def spec(self) -> Path:
        return spec_path(self.name)

    def headers(self, api_key: str) -> dict[str, str]:
        """The headers every request to this provider carries."""
        headers = {self.auth_header: f"{self.auth_prefix}{api_key}"}
        if self.needs_user_agent:
            headers["User-Agent"] = USER_AGENT
        return headers


USER_AGENT = "mockserver-contract/1.0"


def _hex_hmac(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((value for key, value in headers.items() if key.lower() == lowered), None)


def _systeme_signed(body: bytes, headers: Mapping[str, str], secret: str) -> bool:
    # X-Webhook-Signature: lowercase hex HMAC-SHA256 of the raw body, keyed with the secret.
    given = _header(headers, "X-Webhook-Signature") or ""
    return hmac.compare_digest(given, _hex_hmac(secret, body))


def _clickfunnels_signed(body: bytes, headers: Mapping[str, str], secret: str) -> bool:
    # X-Webhook-ClickFunnels-Signature: hex HMAC-SHA256 of "<timestamp>.<raw body>".
    timestamp = _header(headers, "X-Webhook-ClickFunnels-Timestamp") or ""
    given = _header(headers, "X-Webhook-ClickFunnels-Signature") or ""
    return bool(timestamp) and hmac.compare_digest(given, _hex_hmac(secret, timestamp.encode() + b"." + body))


def _simvoly_signed(body: bytes, headers: Mapping[str, str], secret: str) -> bool:
    # X-Simvoly-Signature: "sha256=" and the hex HMAC-SHA256 of the raw body.
    given = _header(headers, "X-Simvoly-Signature") or ""
    return hmac.compare_digest(given, "sha256=" + _hex_hmac(secret, body))


def _object_with(*required: str, **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": properties}


PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile(
            name="systeme",
            title="Systeme.io",
            auth_header="X-API-Key",
            auth_prefix="",
            # RFC 7807 problems, and {"detail"} for authentication failures.
            error_body=_object_with("detail", detail={"type": "string"}, title={"type": "string"}),
            error_schemas=("Problem", "ConstraintViolationList", "AuthenticationError"),
            business_rule_statuses=("404", "409", "422"),
            signature_header="X-Webhook-Signature",
            signature_check=_systeme_signed,
        ),
        Profile(
            name="clickfunnels",
            title="ClickFunnels 2.0",
            auth_header="Authorization",
            auth_prefix="Bearer ",
            error_body=_object_with("error", error={"type": "string"}),
            error_schemas=("Error", "ValidationError"),
            business_rule_statuses=("404", "409", "422"),
            needs_user_agent=True,
            signature_header="X-Webhook-ClickFunnels-Signature",
            signature_check=_clickfunnels_signed,
        ),
        Profile(
            name="simvoly",
            title="Simvoly",
            auth_header="Authorization",
            auth_prefix="Bearer ",
            error_body=_object_with("success", "message", success={"const": False}, message={"type": "string"}),
            error_schemas=("Error",),
            # Simvoly answers every refused request, business rules included, with 400.
            business_rule_statuses=("400", "404", "409", "422"),
            needs_user_agent=True,
            signature_header="X-Simvoly-Signature",
            signature_check=_simvoly_signed,
        ),
        Profile(
            name="yulsn",
            title="Yulsn",
            auth_header="X-ApiKey",
            auth_prefix="",
            error_body=_object_with("Message", Message={"type": "string"}),
            error_schemas=("Error",),
            # ASP.NET answers refused business rules with 400 (and 409/423 where documented).
            business_rule_statuses=("400", "404", "409", "422", "423"),
            # A company without contacts lists them as 404; AddContact/RemoveContact answer 404
            # for the contact the body names.
            not_found_is_not_missing=(
                "GET /api/v1/ContactCompanies/{id}/Contacts",
                "POST /api/v1/ContactCompanies/{id}/AddContact",
                "POST /api/v1/ContactCompanies/{id}/RemoveContact",
            ),
            # Schemathesis cannot see operations declared under `x-methods` (Yulsn's SEARCH),
            # so it takes the SEARCH that a 405's Allow header lists for an undocumented method.
            excluded_checks=("allow_header_conformance",),
            excluded_checks_why="the SEARCH operations (under x-methods) are invisible to schemathesis",
            # Paging (contract/paging.py): lists paged by `lastId` answer at most 1000 records
            # (the spec says so in words only); a table's entities are listed by its name.
            extra={"page_size": 1000, "path_values": {"tableName": ("/api/v1/DynamicTables", "Name")}},
        ),
    )
}


def profile_named(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise KeyError(f"unknown provider {name!r}; one of: {', '.join(PROFILES)}") from None
