"""What the contract suite needs to know about each provider beyond its spec: how to
authenticate, what its native error body looks like, how its webhook deliveries are signed
and what makes the provider send some.

These are facts about the real services (see each spec's description); each provider writes
them in its package's `contract.py` (a `PROFILE`), apart from its emulator, so that checking
an emulator really checks it. The profiles are those of the providers' registry.
"""

from __future__ import annotations

import hmac
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockserver.providers import package_of, provider_named, provider_packages

if TYPE_CHECKING:
    from mockserver.contract.receiver import Delivery
    from mockserver.contract.webhooks import Run

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
    # The webhook scenario (contract/webhooks.py): subscribe, make the changes whose events
    # the provider promises; and how a delivery names its event. None: no webhooks.
    webhook_scenario: Callable[[Run], None] | None = None
    webhook_event: Callable[[Delivery], Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def spec(self) -> Path:
        return provider_named(self.name).spec_file

    def headers(self, api_key: str) -> dict[str, str]:
        """The headers every request to this provider carries."""
        headers = {self.auth_header: f"{self.auth_prefix}{api_key}"}
        if self.needs_user_agent:
            headers["User-Agent"] = USER_AGENT
        return headers


USER_AGENT = "mockserver-contract/1.0"


def object_with(*required: str, **properties: Any) -> dict[str, Any]:
    """The JSON Schema of an object with these members (the `required` ones always there)."""
    return {"type": "object", "required": list(required), "properties": properties}


def hex_hmac(secret: str, message: bytes, *, algorithm: str = "sha256") -> str:
    """The lowercase hex HMAC of `message` keyed with `secret`, by a hashlib `algorithm`
    (SHA-256 unless told: "sha512"...)."""
    return hmac.new(secret.encode("utf-8"), message, algorithm).hexdigest()


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((value for key, value in headers.items() if key.lower() == lowered), None)


def profile_from_spec(name: str, title: str, spec_file: Path) -> Profile:
    """A profile read from a spec alone (a provider made by `mockserver new-provider`): its
    security scheme, its 4xx responses' schema as the error body."""
    from mockserver.providers.generic import Spec

    spec = Spec(spec_file)
    scheme = spec.security()
    bearer = scheme.get("type") != "apiKey"
    error = spec.error_schema()
    return Profile(
        name=name,
        title=title,
        auth_header="Authorization" if bearer else str(scheme["name"]),
        auth_prefix="Bearer " if bearer else "",
        error_body=object_with(
            *error.get("required", []), **{name: spec.resolve(schema) for name, schema in error.get("properties", {}).items()}
        ),
        error_schemas=tuple(spec.error_schema_names()),
        business_rule_statuses=("404", "409", "422"),
    )


def profiles() -> dict[str, Profile]:
    """Every registered provider's profile, by name."""
    return {profile.name: profile for profile in map(_profile_of, provider_packages())}


def _profile_of(package: Any) -> Profile:
    name = package.PROVIDER.name
    try:
        module = importlib.import_module(f"{package.__name__}.contract")
    except ModuleNotFoundError as missing:
        if missing.name != f"{package.__name__}.contract":
            raise
        where = f"{package.__name__}.contract"
        raise LookupError(f"provider {name!r} has no contract profile: add {where} with a PROFILE") from None
    profile = getattr(module, "PROFILE", None)
    if not isinstance(profile, Profile) or profile.name != name:
        raise LookupError(f"{module.__name__} must define PROFILE, a contract Profile named {name!r}")
    return profile


def profile_named(name: str) -> Profile:
    try:
        return _profile_of(package_of(name))
    except KeyError:
        raise KeyError(f"unknown provider {name!r}; one of: {', '.join(profiles())}") from None
