"""What the suite's tests share beyond the test kit (mockserver.testing): the settings the
suite runs its emulators with, raw admin calls for the tests of the admin API itself, keys no
account has, and the response checks every provider's tests use."""

from __future__ import annotations

import sys
import uuid
from typing import Any

import requests
from urllib3.util import SKIP_HEADER

from mockserver.engine.provider import Provider
from mockserver.providers import all_providers
from mockserver.testing import Account, Emulator

# The contact fields every new Systeme.io account has, in order.
SYSTEME_DEFAULT_SLUGS = [
    "first_name",
    "surname",
    "phone_number",
    "street_address",
    "city",
    "country",
    "state",
    "postcode",
    "company_name",
]

# The User-Agent the tests' own clients send to providers that require one (ClickFunnels,
# Simvoly), where a test sends a key no account has, or none.
USER_AGENT = "mockserver-tests/1.0"
# requests always sends a User-Agent, and urllib3 adds its own when the header is left out
# (so `headers={"User-Agent": None}` still sends one); SKIP_HEADER really sends none.
NO_USER_AGENT = {"User-Agent": SKIP_HEADER}

# What the suite runs its emulators with (the `mockserver_settings` of tests/conftest.py, and
# `Emulator.start(**STRICT_SETTINGS, ...)` for servers of their own): strict response checks
# on, retries compressed a thousandfold, and a rate limit no test reaches by accident.
STRICT_SETTINGS: dict[str, Any] = {
    "strict_responses": True,
    "webhook_time_scale": 0.001,
    "webhook_timeout": 2.0,
    "rate_limit": 1_000_000,
    "rate_window": 60,
}


def providers_under_test() -> list[Provider]:
    """Every provider the suite's emulators serve: what provider-wide tests parametrise over,
    so a provider added to the registry is tested without an edit here."""
    return all_providers()


def admin_response(emulator: Emulator, method: str, path: str, **kwargs: Any) -> requests.Response:
    """An admin API call (`path` below /__admin/) answered as it is, whatever its status: for
    the tests of the admin API itself (Emulator.admin raises on a 4xx and keeps only the JSON)."""
    with requests.Session() as session:
        session.trust_env = False  # loopback only: never through a proxy from the environment
        return session.request(method, f"{emulator.url}/__admin/{path.lstrip('/')}", timeout=30, **kwargs)


def trigger_response(account: Account, action: str, **fields: Any) -> requests.Response:
    """What `account.trigger(action, **fields)` sends, answered as it is: for the tests that
    check a vendor-side action's status or refusal (Account.trigger keeps only the JSON)."""
    body = {**fields, "apiKey": account.api_key}
    return admin_response(account.emulator, "POST", f"{account.provider}/{action.strip('/')}", json=body)


def unregistered_key() -> str:
    """A key no account has, for the tests of what a provider does with a key it does not
    know (the kit's accounts are always registered first)."""
    return f"unregistered-{uuid.uuid4().hex}"


def ok(response: requests.Response, status: int = 200) -> Any:
    """The JSON body of a response with the status expected."""
    assert response.status_code == status, response.text
    return response.json()


def created(response: requests.Response) -> dict[str, Any]:
    """The record a 201 answers."""
    assert response.status_code == 201, response.text
    record: dict[str, Any] = response.json()
    return record


def assert_same_state(original: Any, restored: Any, keys: set[tuple[str, str]] | None = None, *, pending: bool = True) -> None:
    """Two engines (mockserver.engine.runtime.Emulator) hold the same accounts, exactly: rows
    (in order, with their types), recent deletes, what every index finds, id counters,
    settings, demo flags, clocks and pending deliveries (unless `pending` is False: a delivery
    may still be in flight in the original). `keys` limits it to some accounts.
    Values are compared by repr, which tells a tuple from a list and 1 from 1.0 (== does not)."""
    mine = {(t.provider, t.key): t for t in original.store.tenants() if keys is None or (t.provider, t.key) in keys}
    theirs = {(t.provider, t.key): t for t in restored.store.tenants() if keys is None or (t.provider, t.key) in keys}
    assert sorted(mine) == sorted(theirs)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))  # accounts may hold JSON 1,000 levels deep
    try:
        for ident, tenant in mine.items():
            other = theirs[ident]
            assert sorted(tenant.tables) == sorted(other.tables), ident
            for name, table in tenant.tables.items():
                twin = other.tables[name]
                assert repr(table.dump()) == repr(twin.dump()), (ident, name)
                for kind in ("_indexes", "_values", "_sorted"):  # unique, value and sorted indexes
                    indexes = {index: entries for index, (_, entries) in getattr(table, kind).items()}
                    assert indexes == {index: entries for index, (_, entries) in getattr(twin, kind).items()}, (ident, name)
            kept = (tenant.counters, tenant.settings, tenant.demo)
            assert repr(kept) == repr((other.counters, other.settings, other.demo)), ident
            assert tenant.clock.state() == other.clock.state(), ident
            if pending:
                assert _undated(original.dispatcher.pending(*ident)) == _undated(restored.dispatcher.pending(*ident)), ident
    finally:
        sys.setrecursionlimit(limit)


def _undated(pending: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pending deliveries without the seconds until they are due (which run on)."""
    return [{k: v for k, v in item.items() if k != "dueInSeconds"} for item in pending]


def assert_pending_as_saved(snapshot: dict[str, Any], restored: Any) -> None:
    """The restored engine's pending deliveries are those the snapshot (as read) saved,
    account by account."""
    for account in snapshot["accounts"]:
        ident = (account["provider"], account["apiKey"])
        assert _undated(account["pendingDeliveries"]) == _undated(restored.dispatcher.pending(*ident)), ident
