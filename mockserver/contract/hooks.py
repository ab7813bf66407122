"""Checks and hooks of our own, loaded into the schemathesis run (SCHEMATHESIS_HOOKS names this
module; the environment says which provider and where to write).

- `native_error_body`: a 4xx has the provider's native error body, whatever its status
  (schemathesis checks bodies only against the schema of a documented status).
- `no_body_on_no_content`: 204 and 205 carry no body.
- read-only runs: any request that is not a read is refused before it leaves.
- runs that may write: every record created is written to a ledger, so that the run can
  delete it at the end; and (unless the account is disposable) an update, delete or action
  aims only at records the run created: any other id in its path is swapped for one that
  names no record, so a generated DELETE /contacts/1 never deletes someone's contact.
"""

from __future__ import annotations

import json
import os
import threading
from functools import cache
from typing import Any

import jsonschema
import schemathesis

from mockserver.contract.profiles import Profile, profile_named
from mockserver.engine.spec import read_yaml

PROVIDER_VARIABLE = "MOCKSERVER_CONTRACT_PROVIDER"
LEDGER_VARIABLE = "MOCKSERVER_CONTRACT_LEDGER"  # set when writes are allowed
READ_ONLY_VARIABLE = "MOCKSERVER_CONTRACT_READ_ONLY"
PROTECT_VARIABLE = "MOCKSERVER_CONTRACT_PROTECT_EXISTING"  # set: writes touch only what the run created
ABSENT_INTEGER = 2147483647  # ids that name no record (the largest 32-bit id; a UUID no one is given)
ABSENT_UUID = "00000000-0000-4000-8000-000000000000"
ABSENT_TEXT = "mockserver-contract-absent"
ID_NAMES = frozenset({"id", "public_id", "uuid", "key"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
JSON_MEDIA = ("application/json", "application/problem+json")

_ledger_lock = threading.Lock()
# (kind, id) of the records this run created; the kind is the collection's name ("contacts"),
# as ids of different collections overlap (enrollment 2 is not contact 2).
_created: set[tuple[str, str]] = set()


class WriteRefused(AssertionError):
    """A read-only run was about to send a write."""


@cache
def _profile() -> Profile:
    return profile_named(os.environ[PROVIDER_VARIABLE])


@cache
def _document() -> dict[str, Any]:
    loaded: dict[str, Any] = read_yaml(_profile().spec)
    return loaded


def _resolve(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = _document()
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def documented_body(path: str, method: str, status: int) -> tuple[bool, str | None]:
    """Whether the spec documents a JSON body for this status of this operation, and the
    name of the component schema it uses (None for an inline schema)."""
    operation = _document()["paths"].get(path, {}).get(method.lower())
    if operation is None:
        operation = _document()["paths"].get(path, {}).get("x-methods", {}).get(method.upper(), {})
    responses = operation.get("responses", {})
    response = _resolve(responses.get(str(status)) or responses.get(f"{status // 100}XX") or responses.get("default"))
    if not isinstance(response, dict):
        return False, None
    for media, content in (response.get("content") or {}).items():
        if media in JSON_MEDIA:
            schema = (content or {}).get("schema") or {}
            ref = schema.get("$ref", "") if isinstance(schema, dict) else ""
            return True, ref.rsplit("/", 1)[-1] if ref else None
        return False, media  # documented, but not as JSON (e.g. an HTML block page)
    return False, None


@schemathesis.check
def native_error_body(ctx: Any, response: Any, case: Any) -> bool | None:
    """A 4xx answer carries the provider's native error body."""
    status = response.status_code
    if not 400 <= status < 500:
        return None
    is_json, name = documented_body(case.operation.path, case.method, status)
    if name is not None and not is_json:
        return None  # documented as something else than JSON
    if is_json and name not in _profile().error_schemas:
        return None  # documented with a schema that is not an error body
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"{status} answer is not JSON: {response.content[:200]!r}") from None
    errors = sorted(jsonschema.Draft202012Validator(_profile().error_body).iter_errors(body), key=str)
    if errors:
        body_text = response.content[:200].decode("utf-8", "replace")
        raise AssertionError(f"{status} body is not the native error ({errors[0].message}): {body_text}")
    return None


@schemathesis.check
def no_body_on_no_content(ctx: Any, response: Any, case: Any) -> bool | None:
    """204 No Content and 205 Reset Content carry no body."""
    if response.status_code not in (204, 205):
        return None
    # HTTP clients drop what follows a 204, so the header is often the only trace of a body
    # (which then corrupts the next response on the same connection).
    lengths = [value for name, values in response.headers.items() if name.lower() == "content-length" for value in values]
    if response.content or any(value.strip() not in ("", "0") for value in lengths):
        shown = f"Content-Length: {lengths[0]}" if lengths else repr(response.content[:200])
        raise AssertionError(f"{response.status_code} answer has a body ({shown})")
    return None


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    method = case.method.upper()
    if os.environ.get(READ_ONLY_VARIABLE) and method not in SAFE_METHODS:
        raise WriteRefused(f"read-only run: {case.method} {case.formatted_path} not sent")
    if os.environ.get(PROTECT_VARIABLE) and method not in SAFE_METHODS and case.path_parameters:
        _aim_at_own_records(case)


def _aim_at_own_records(case: Any) -> None:
    """Every record a write names in its path must be one the run created, but for the
    containers records are created in that the API cannot create (a workspace, a table): a
    generated DELETE /contacts/1 or POST /subscriptions/9/cancel never reaches a real record."""
    segments = case.operation.path.strip("/").split("/")
    parameters = [(i, segment[1:-1]) for i, segment in enumerate(segments) if segment.startswith("{")]
    for index, name in parameters:
        kind = segments[index - 1].lower() if index > 0 else ""
        if name not in case.path_parameters or kind in _containers():
            continue
        with _ledger_lock:
            own = (kind, str(case.path_parameters[name])) in _created
        if not own:
            case.path_parameters[name] = _absent(case.path_parameters[name])


def _creates(operation: dict[str, Any]) -> bool:
    """A creation answers 201, or links its answer to the record (the spec's links)."""
    responses = operation.get("responses", {})
    return "201" in responses or any("links" in (_resolve(r) or {}) for r in responses.values())


def _absent(value: Any) -> Any:
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return ABSENT_INTEGER if isinstance(value, int) else str(ABSENT_INTEGER)
    if isinstance(value, str) and len(value) == 36 and value.count("-") == 4:
        return ABSENT_UUID
    return ABSENT_TEXT


def _kind_of_record(path: str) -> str:
    """The collection a path's last parameter names a record of: /contacts/{id}/tags/{tag} -> tags."""
    segments = path.strip("/").split("/")
    last = max(i for i, segment in enumerate(segments) if segment.startswith("{"))
    return segments[last - 1].lower() if last > 0 else ""


def _kinds_created(path: str, operation: dict[str, Any]) -> set[str]:
    """What a creation makes: the collection it posts to, and the records its links name."""
    kinds = {path.strip("/").split("/")[-1].lower()}
    for response in operation.get("responses", {}).values():
        for link in ((_resolve(response) or {}).get("links") or {}).values():
            target = _path_of(_resolve(link).get("operationId", ""))
            if target and "{" in target:
                kinds.add(_kind_of_record(target))
    return kinds


@cache
def _path_of(operation_id: str) -> str | None:
    for path, item in _document()["paths"].items():
        for operation in [*item.values(), *(item.get("x-methods") or {}).values()]:
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return str(path)
    return None


def _remember(kinds: set[str], node: Any) -> None:
    """The ids of a created record: its own, not those of records it refers to; a body
    wrapped in one member ({"contact": {...}}) is unwrapped first."""
    if isinstance(node, dict) and len(node) == 1 and isinstance(next(iter(node.values())), dict):
        node = next(iter(node.values()))
    if isinstance(node, dict):
        for name, value in node.items():
            if name.lower() in ID_NAMES and isinstance(value, (str, int)) and not isinstance(value, bool):
                _created.update((kind, str(value)) for kind in kinds)


@cache
def _containers() -> frozenset[str]:
    """Kinds that records are created in (a path parameter of a creation) and that no
    operation of the spec creates: the run cannot make its own, so it uses the account's."""
    created: set[str] = set()
    holding: set[str] = set()
    for path, item in _document()["paths"].items():
        post = item.get("post")
        if isinstance(post, dict) and _creates(post):
            created |= _kinds_created(path, post)
            segments = path.strip("/").split("/")
            holding |= {segments[i - 1].lower() for i, segment in enumerate(segments) if segment.startswith("{") and i > 0}
    return frozenset(holding - created)


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    ledger = os.environ.get(LEDGER_VARIABLE)
    if not ledger or case.method.upper() in SAFE_METHODS or not 200 <= response.status_code < 300:
        return
    try:
        created = json.loads(response.content) if response.content else None
    except ValueError:
        created = None
    entry = {
        "operationId": case.operation.definition.raw.get("operationId"),
        "method": case.method.upper(),
        "path": case.operation.path,
        "status": response.status_code,
        "pathParameters": case.path_parameters or {},
        "query": case.query or {},
        "body": case.body if isinstance(case.body, (dict, list, str, int, float, bool)) else None,
        "response": created,
    }
    with _ledger_lock, open(ledger, "a", encoding="utf-8") as file:
        file.write(json.dumps(entry, default=str) + "\n")
        operation = case.operation.definition.raw
        # an upsert answers 200 with a record that was already there: not the run's own
        fresh = response.status_code == 201 or "201" not in operation.get("responses", {})
        if case.method.upper() == "POST" and _creates(operation) and fresh:
            _remember(_kinds_created(case.operation.path, operation), created)
