"""Checks and hooks of our own, loaded into the schemathesis run (SCHEMATHESIS_HOOKS names this
module; the environment says which provider and where to write).

- `native_error_body`: a 4xx has the provider's native error body, whatever its status
  (schemathesis checks bodies only against the schema of a documented status).
- `no_body_on_no_content`: 204 and 205 carry no body.
- read-only runs: any request that is not a read is refused before it leaves.
- runs that may write: every record created is written to a ledger, so that the run can
  delete it at the end.
"""

from __future__ import annotations

import json
import os
import threading
from functools import cache
from typing import Any

import jsonschema
import schemathesis
import yaml

from mockserver.contract.profiles import Profile, profile_named

PROVIDER_VARIABLE = "MOCKSERVER_CONTRACT_PROVIDER"
LEDGER_VARIABLE = "MOCKSERVER_CONTRACT_LEDGER"  # set when writes are allowed
READ_ONLY_VARIABLE = "MOCKSERVER_CONTRACT_READ_ONLY"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
JSON_MEDIA = ("application/json", "application/problem+json")

_ledger_lock = threading.Lock()


class WriteRefused(AssertionError):
    """A read-only run was about to send a write."""


@cache
def _profile() -> Profile:
    return profile_named(os.environ[PROVIDER_VARIABLE])


@cache
def _document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(_profile().spec.read_text(encoding="utf-8"))
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
    if os.environ.get(READ_ONLY_VARIABLE) and case.method.upper() not in SAFE_METHODS:
        raise WriteRefused(f"read-only run: {case.method} {case.formatted_path} not sent")


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
