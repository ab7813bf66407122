"""Snapshots: an emulator's state (or one account's) as versioned JSON, and back.

What a snapshot holds: every account (its tables with keys, rows and recent deletes, id
counters, settings, demo flag and clock), its undelivered webhook messages (with attempt
counts and message ids) and recorded delivery attempts; for the whole server also the
server's clock, the random generator's state (so no id is handed out twice after a
restore) and the keys registered through the admin API. Not kept: the request journal and
rate-limit counts (they describe traffic, not state).

Each account is read under its lock, with its queued messages (queued under the same lock),
so a snapshot never holds half a write. A restore builds every account first and puts them
in at once: a snapshot that cannot be read changes nothing.
"""

from __future__ import annotations

import base64
import contextlib
import json
import sys
from collections.abc import Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

import orjson

from mockserver.engine.clock import Clock, iso
from mockserver.engine.context import Services
from mockserver.engine.delivering import Outgoing
from mockserver.engine.randomness import Randomness
from mockserver.engine.store import Tenant
from mockserver.engine.validation import refuse_constant

if TYPE_CHECKING:
    from mockserver.engine.runtime import Emulator

FORMAT = "mockserver-snapshot"
VERSION = 1
BYTES_TAG = "$bytes"  # a bytes value in a record, base64-encoded


class SnapshotError(ValueError):
    """A snapshot that cannot be taken or restored; the message says why, for a person."""


# -- taking ---------------------------------------------------------------------------
def take(emulator: Emulator, provider: str | None = None, key: str | None = None) -> bytes:
    """The whole state (no provider or key), one provider's accounts, or one account, as
    JSON bytes. Raises LookupError for an account that does not exist."""
    tenants = sorted(
        (t for t in emulator.store.tenants(provider) if key is None or t.key == key),
        key=lambda t: (t.provider, t.key),
    )
    if key is not None and not tenants:
        raise LookupError(f"no account {provider}/{key}")
    whole = provider is None and key is None
    wide: list[bool] = []
    accounts = b",".join(_account(emulator, tenant, wide) for tenant in tenants)
    head: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "savedAt": iso(emulator.clock.now()),
        "scope": "server" if whole else "accounts",
        # Read after the accounts: the generator is then past every id they hold, so a
        # restore never hands one of them out again.
        "random": emulator.random.state(),
    }
    if whole:
        registered = list(emulator.registered)  # one copy in C: other threads may be adding
        head["server"] = {"clock": emulator.clock.state(), "registered": sorted([p, k] for p, k in registered)}
    if wide:  # numbers beyond 64 bits or JSON over 255 deep: read with the standard library
        head["wide"] = True
    # Spliced, not encoded again: each account was encoded under its own lock.
    return orjson.dumps(head)[:-1] + b',"accounts":[' + accounts + b"]}"


def _account(emulator: Emulator, tenant: Tenant, wide: list[bool]) -> bytes:
    with emulator.store.hold(tenant, write=False):
        doc = {
            **tenant_doc(tenant),
            "pendingDeliveries": emulator.dispatcher.pending(tenant.provider, tenant.key),
            "deliveryAttempts": emulator.dispatcher.attempts(tenant.provider, tenant.key),
        }
        tagged: list[bool] = []
        encoded = _dumps(doc, tagged, wide, f"{tenant.provider}/{tenant.key}")
        if tagged:  # say so, so that reading walks this account for tags (and no other)
            encoded = _dumps({**doc, "tagged": True}, tagged, wide, f"{tenant.provider}/{tenant.key}")
        return encoded


def tenant_doc(tenant: Tenant) -> dict[str, Any]:
    """An account's own state (not its deliveries) as plain values; the caller holds it."""
    return {
        "provider": tenant.provider,
        "apiKey": tenant.key,
        "demo": tenant.demo,
        "clock": tenant.clock.state(),
        "counters": tenant.counters,
        "settings": tenant.settings,
        "tables": {name: table.dump() for name, table in sorted(tenant.tables.items())},
    }


def pack(doc: Any, where: str) -> bytes:
    """Plain values as bytes that `unpack` reads back exactly (bytes values, integers over 64
    bits and JSON over 255 levels included): a first byte says how the rest was written."""
    tagged: list[bool] = []
    wide: list[bool] = []
    encoded = _dumps(doc, tagged, wide, where)
    return (b"W" if wide else b"J") + (b"T" if tagged else b"-") + encoded


def unpack(raw: bytes) -> Any:
    value = _read_wide(raw[2:]) if raw[:1] == b"W" else orjson.loads(raw[2:])
    return _untag(value) if raw[1:2] == b"T" else value


class _Unsayable(TypeError):
    """A value JSON has no word for (a bug of ours: records hold JSON values and bytes)."""


def _dumps(doc: dict[str, Any], tagged: list[bool], wide: list[bool], where: str) -> bytes:
    def other(value: Any) -> Any:
        if isinstance(value, bytes):
            tagged.append(True)
            return {BYTES_TAG: base64.b64encode(value).decode("ascii")}
        raise _Unsayable(f"a {type(value).__name__} value")

    try:
        return orjson.dumps(doc, default=other)
    except TypeError as exc:
        if isinstance(exc, _Unsayable) or isinstance(exc.__cause__, _Unsayable):
            raise SnapshotError(f"cannot save account {where}: {exc.__cause__ or exc}") from exc
    # orjson stops at 255 levels and at 64-bit integers, both of which an account may hold
    # (a free-form JSON property, a big number): the standard library says them exactly.
    wide.append(True)
    with _deep_recursion():
        return json.dumps(doc, default=other, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


@contextlib.contextmanager
def _deep_recursion() -> Iterator[None]:
    """Room for JSON as deep as the request reader accepts (about 1,000 levels), plus ours."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 5_000))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


# -- reading --------------------------------------------------------------------------
def read(raw: bytes, known_providers: Iterable[str]) -> dict[str, Any]:
    """A snapshot document, checked: a SnapshotError names what is wrong with it."""
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        doc = _read_wide(raw)  # deeper than orjson reads, or not JSON at all
    if isinstance(doc, dict) and doc.get("wide"):
        doc = _read_wide(raw)  # orjson reads integers beyond 64 bits as floats: not exact
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SnapshotError(f'not a mockserver snapshot: "format" is not "{FORMAT}"')
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SnapshotError('not a mockserver snapshot: "version" is not a number')
    if version > VERSION:
        raise SnapshotError(
            f"the snapshot has format version {version}, written by a newer mockserver; this one reads up to version {VERSION}"
        )
    known = set(known_providers)
    accounts = doc.get("accounts")
    if not isinstance(accounts, list):
        raise SnapshotError('a broken snapshot: "accounts" is not a list')
    for number, account in enumerate(accounts):
        _check_account(account, number, known)
        if account.get("tagged"):
            with _deep_recursion():
                account["tables"] = _untag(account["tables"])
    if doc.get("scope") == "server" and not isinstance(doc.get("server"), dict):
        raise SnapshotError('a broken snapshot: "server" is missing')
    _check_random(doc.get("random"))
    if doc.get("scope") == "server":
        try:
            Clock().restore(doc["server"]["clock"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SnapshotError('a broken snapshot: "server.clock" cannot be read') from exc
    return doc


def _read_wide(raw: bytes) -> Any:
    try:
        with _deep_recursion():
            return json.loads(raw, parse_constant=refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise SnapshotError(f"not a mockserver snapshot: not valid JSON ({exc})") from exc


def _check_random(state: Any) -> None:
    try:
        Randomness(0).restore(state)
        return
    except (KeyError, TypeError, ValueError) as exc:
        raise SnapshotError('a broken snapshot: "random" cannot be read') from exc


def _check_account(account: Any, number: int, known: set[str]) -> None:
    where = f"accounts[{number}]"
    if not isinstance(account, dict):
        raise SnapshotError(f"a broken snapshot: {where} is not an object")
    shape = (("provider", str), ("apiKey", str), ("tables", dict), ("counters", dict), ("settings", dict), ("clock", dict))
    for name, kind in shape:
        if not isinstance(account.get(name), kind):
            raise SnapshotError(f"a broken snapshot: {where}.{name} is missing or not a {kind.__name__}")
    if account["provider"] not in known:
        raise SnapshotError(f"a snapshot of a provider this server does not run: {account['provider']!r} in {where}")
    for table, content in account["tables"].items():
        if not (isinstance(content, dict) and isinstance(content.get("keys"), list) and isinstance(content.get("rows"), list)):
            raise SnapshotError(f"a broken snapshot: {where}.tables.{table} needs keys and rows")


def _untag(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and BYTES_TAG in value:
            return base64.b64decode(value[BYTES_TAG])
        return {name: _untag(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_untag(item) for item in value]
    return value


# -- restoring ------------------------------------------------------------------------
def restore(
    emulator: Emulator, doc: dict[str, Any], provider: str | None = None, key: str | None = None, *, at_start: bool = False
) -> list[Tenant]:
    """Put a read snapshot's state in: a server snapshot replaces everything; an accounts
    snapshot replaces those accounts. With `provider` and `key`, the snapshot's one account
    becomes that account (a copy under another key). Answers the accounts restored.

    `at_start` (a state file read before serving): the random generator goes on exactly
    where the snapshot's was. Into a running emulator, it takes in the snapshot's state
    instead (Randomness.absorb), so no id is handed out twice either way."""
    accounts = doc["accounts"]
    if key is not None:
        if len(accounts) != 1:
            raise SnapshotError(f"restoring as one account needs a snapshot of one account; this one has {len(accounts)}")
        if provider is not None and accounts[0]["provider"] != provider:
            raise SnapshotError(f"the snapshot's account is a {accounts[0]['provider']} account, not {provider}")
        accounts = [{**accounts[0], "apiKey": key}]
    try:  # everything is built before anything changes
        built = []
        for account in accounts:
            tenant = build_tenant(emulator, account)
            pending = [_pending(emulator, tenant, item) for item in account.get("pendingDeliveries", [])]
            built.append((tenant, (_attempts(account, tenant), pending)))
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise SnapshotError(f"a broken snapshot: {exc!r}") from exc
    whole = doc.get("scope") == "server" and key is None
    if whole:
        emulator.reset()
        emulator.store.replace([tenant for tenant, _ in built], everything=True)
        server = doc["server"]
        emulator.clock.restore(server["clock"])
        emulator.registered.clear()
        emulator.registered.update((p, k) for p, k in server.get("registered", []))
    else:
        for tenant, _ in built:
            emulator.reset(tenant.provider, tenant.key)
        emulator.store.replace([tenant for tenant, _ in built])
    if at_start and whole:
        emulator.random.restore(doc["random"])
    else:
        emulator.random.absorb(doc["random"])
    for tenant, (attempts, pending) in built:
        emulator.registered.add((tenant.provider, tenant.key))
        emulator.dispatcher.restore_attempts(attempts)
        emulator.dispatcher.restore_pending(pending)
    emulator.generation += 1
    return [tenant for tenant, _ in built]


def build_tenant(emulator: Emulator, account: dict[str, Any]) -> Tenant:
    """A tenant from `tenant_doc`'s plain values (tables, counters, settings, clock)."""
    provider = emulator.providers[account["provider"]]
    tenant = Tenant(provider=provider.name, key=account["apiKey"])
    tenant.clock = Clock(base=emulator.clock)
    tenant.clock.restore(account["clock"])
    tenant.services = Services(tenant.clock, emulator.random)
    provider.init_tenant(tenant, tenant.services)  # declares the tables and their indexes
    for name, content in account["tables"].items():
        try:
            tenant.table(name).load(content)
        except ValueError as exc:
            raise ValueError(f"{provider.name}/{tenant.key} table {name}: {exc}") from exc
    tenant.counters = {name: int(value) for name, value in account["counters"].items()}
    tenant.settings = account["settings"]
    tenant.demo = bool(account.get("demo"))
    return tenant


Pending = tuple[str, str, Outgoing, tuple[float, ...], int, float]


def _pending(emulator: Emulator, tenant: Tenant, item: dict[str, Any]) -> Pending:
    message, schedule, attempt, due_in = message_of(emulator, tenant.provider, emulator.services_of(tenant), item)
    return tenant.provider, tenant.key, message, schedule, attempt, due_in


def message_of(
    emulator: Emulator, provider_name: str, services: Services, item: dict[str, Any]
) -> tuple[Outgoing, tuple[float, ...], int, float]:
    """An undelivered message from its plain values (webhooks.message_state): the message,
    its retry schedule, the number of its next attempt and the seconds until it is due."""
    provider = emulator.providers[provider_name]
    body = item["body"].encode("utf-8") if "body" in item else base64.b64decode(item["bodyBase64"])
    signing = item.get("signing")
    attempt_headers = None
    if signing is not None and provider.attempt_headers is not None:
        attempt_headers = partial(provider.attempt_headers, services, body, signing)
    acknowledged = item.get("acknowledged")
    message = Outgoing(
        item["url"],
        body,
        dict(item["headers"]),
        item["event"],
        item["webhookId"],
        item["messageId"],
        attempt_headers,
        None if acknowledged is None else frozenset(acknowledged),
        signing,
    )
    schedule = tuple(float(delay) for delay in item["schedule"])
    return message, schedule, int(item["attempt"]), float(item.get("dueInSeconds") or 0)


def _attempts(account: dict[str, Any], tenant: Tenant) -> list[dict[str, Any]]:
    """The account's recorded attempts, under the key it is restored as."""
    return [{**record, "apiKey": tenant.key} for record in account.get("deliveryAttempts", [])]
