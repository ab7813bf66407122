"""Bad input, for every operation of specs/simvoly.yaml (read here, so that an operation
added to the spec is covered without editing this file). Whatever is wrong with a request,
the answer is a 4xx, never a 5xx, with Simvoly's body `{"success": false, "message": "..."}`:
401 without a key, 400 without a User-Agent (checked first), 400 for bad bodies and bad
parameters (the message names the field), 404 for unknown or malformed ids and unknown
paths, 405 with an Allow header for a method a path does not have.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from mockserver.testing import ApiSession, Emulator
from tests.providers.simvoly.helpers import client_for
from tests.spec_tools import MEGABYTE, METHODS, Sampler, Spec, SpecOperation, ids, send, wrong_type
from tests.support import NO_USER_AGENT, created, trigger_response

SPEC = Spec.load("simvoly")
resolve = SPEC.resolve


# -- reading the spec -----------------------------------------------------------------------
def kinds(schema: Any) -> set[str]:
    kind = resolve(schema).get("type", "object")
    return set(kind) if isinstance(kind, list) else {kind}


@dataclass(frozen=True)
class Operation(SpecOperation):
    body_schema: dict[str, Any] | None

    @property
    def collection(self) -> str:
        """The path up to its parameter: where the record an id names lives."""
        return self.path.split("/{", 1)[0]

    @property
    def id_is_integer(self) -> bool:
        return all("integer" in kinds(p["schema"]) for p in self.path_parameters)

    @property
    def properties(self) -> dict[str, Any]:
        assert self.body_schema is not None
        return {name: resolve(schema) for name, schema in self.body_schema.get("properties", {}).items()}

    def url(self, value: Any) -> str:
        path = self.path
        for parameter in self.path_parameters:
            path = path.replace("{" + parameter["name"] + "}", str(value))
        return path


def load_operations() -> list[Operation]:
    return [Operation(op.operation_id, op.method, op.path, op.parameters, op.body_schema) for op in SPEC.operations()]


OPERATIONS = load_operations()
WITH_BODY = [op for op in OPERATIONS if op.body_schema is not None]
WITH_ID = [op for op in OPERATIONS if op.path_parameters]
PAGED = [op for op in OPERATIONS if {"limit", "skip"} <= {p["name"] for p in op.query_parameters}]
PATHS = {path: {m.upper() for m in METHODS if m in item} for path, item in SPEC["paths"].items()}


def scalar_sample(kind: str, schema: dict[str, Any]) -> Any:
    """The smallest number or string that satisfies a schema."""
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if schema.get("format") == "email":
        return "sample@example.com"
    if schema.get("format") == "uri":
        return "http://127.0.0.1:9/sample"
    if schema.get("pattern") == "^/":
        return "/sample"
    return "sample"


sample = Sampler(resolve, kinds, scalar_sample)


def valid_body(op: Operation) -> Any:
    return None if op.body_schema is None else sample(op.body_schema)


# -- checking ----------------------------------------------------------------------------------------
def assert_error(response: requests.Response, status: int) -> str:
    """The status, and Simvoly's JSON error body, exactly {"success": false, "message": str};
    answers the message."""
    assert response.status_code == status, f"{response.status_code}: {response.text[:500]}"
    assert response.headers.get("Content-Type", "").split(";")[0] == "application/json", response.headers
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"success", "message"}, body
    assert body["success"] is False, body
    assert isinstance(body["message"], str) and body["message"], body
    return str(body["message"])


def assert_client_error(response: requests.Response) -> str:
    """Some 4xx (never a 5xx), in the error body."""
    assert 400 <= response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    return assert_error(response, response.status_code)


# -- a website with one record of every kind ---------------------------------------------------------
@dataclass
class World:
    key: str
    client: ApiSession
    records: dict[str, Any]  # collection path -> the id of an existing record there
    initial: dict[str, Any] = field(default_factory=dict)  # the snapshot taken once it was made

    def url(self, op: Operation) -> str:
        return op.url(self.records[op.collection]) if op.path_parameters else op.path

    def snapshot(self) -> dict[str, Any]:
        """Everything the website holds, to show that bad requests changed nothing."""
        lists = [op.path for op in PAGED]
        seen = {path: self.client.get(path, params={"limit": 50}).json() for path in lists}
        seen["webhooks"] = self.client.get("/api/site/webhooks").json()
        seen["categories"] = self.client.get("/api/site/products/categories").json()
        return seen


def make_world(mockserver: Emulator) -> World:
    """A fresh website holding a record for every collection with single-record paths."""
    account = mockserver.account("simvoly")
    client = account.session()
    contact = created(client.post("/api/site/contacts", json={"email": "world@example.com"}))
    group = created(client.post("/api/site/member-groups", json={"name": "Group"}))
    member = created(client.post("/api/site/members", json={"name": "Member", "email": "member@example.com", "groups": [1]}))
    product = created(client.post("/api/site/products", json={"type": "physical", "title": "Book", "variants": [{"price": 5}]}))
    order = created(trigger_response(account, "orders", customerEmail="world@example.com", items=[{"productId": 1}]))
    subscriber_list = created(client.post("/api/site/subscriber-lists", json={"name": "List"}))
    webhook = created(client.post("/api/site/webhooks", json={"target": "http://127.0.0.1:9/w", "events": ["order_created"]}))
    records = {
        "/api/site/contacts": contact["id"],
        "/api/site/members": member["id"],
        "/api/site/member-groups": group["id"],
        "/api/site/products": product["id"],
        "/api/site/orders": order["id"],
        "/api/site/subscriber-lists": subscriber_list["id"],
        "/api/site/webhooks": webhook["id"],
    }
    missing = {op.collection for op in WITH_ID} - set(records)
    assert not missing, f"the world has no record at {missing}"
    world = World(account.api_key, client, records)
    world.initial = world.snapshot()
    return world


@pytest.fixture(scope="module")
def world(mockserver: Emulator) -> World:
    """Shared by the tests that send only bad requests (which must change nothing)."""
    return make_world(mockserver)


def test_every_operation_is_covered() -> None:
    assert len(OPERATIONS) == 35
    assert len({op.operation_id for op in OPERATIONS}) == len(OPERATIONS)
    assert len(PAGED) == 8


# -- authentication and the front door -------------------------------------------------------------
@pytest.mark.parametrize("op", OPERATIONS, ids=ids(OPERATIONS))
def test_missing_authorization_is_401(mockserver: Emulator, world: World, op: Operation) -> None:
    assert_error(send(client_for(mockserver, None), op, world.url(op), valid_body(op)), 401)


AUTHORIZATIONS = ["Bearer ", "Bearer", "Basic dXNlcjpwYXNz", "Token abc", "abc", ""]
AUTH_CASES = [(op, value) for op in OPERATIONS for value in AUTHORIZATIONS]


@pytest.mark.parametrize(
    ("op", "authorization"), AUTH_CASES, ids=ids([(op, n) for op in OPERATIONS for n in range(len(AUTHORIZATIONS))])
)
def test_authorization_without_a_bearer_key_is_401(mockserver: Emulator, world: World, op: Operation, authorization: str) -> None:
    """ "Bearer " with nothing after it, other schemes, or a bare value: no key at all."""
    response = send(client_for(mockserver, None, Authorization=authorization), op, world.url(op), valid_body(op))
    assert_error(response, 401)


@pytest.mark.parametrize("op", OPERATIONS, ids=ids(OPERATIONS))
def test_missing_authorization_is_checked_before_the_request_itself(mockserver: Emulator, op: Operation) -> None:
    """A request wrong in every other way (unknown id, bad paging, broken JSON) is refused for the key."""
    path = op.url(987654 if op.id_is_integer else "rh_987654") + "?limit=0&skip=-1"
    response = send(client_for(mockserver, None), op, path, "{broken" if op.body_schema else None)
    assert_error(response, 401)


@pytest.mark.parametrize("op", OPERATIONS, ids=ids(OPERATIONS))
def test_no_user_agent_is_400_naming_it(world: World, op: Operation) -> None:
    message = assert_error(send(world.client, op, world.url(op), valid_body(op), headers=NO_USER_AGENT), 400)
    assert "User-Agent" in message


@pytest.mark.parametrize("op", OPERATIONS, ids=ids(OPERATIONS))
def test_no_user_agent_is_400_even_without_authorization(mockserver: Emulator, world: World, op: Operation) -> None:
    anonymous = ApiSession(f"{mockserver.url}/simvoly", {})
    message = assert_error(send(anonymous, op, world.url(op), valid_body(op), headers=NO_USER_AGENT), 400)
    assert "User-Agent" in message


def test_a_blank_user_agent_is_400_too(world: World) -> None:
    message = assert_error(world.client.get("/api/site/contacts", headers={"User-Agent": ""}), 400)
    assert "User-Agent" in message


def test_any_user_agent_passes(world: World) -> None:
    response = world.client.get("/api/site/member-groups", headers={"User-Agent": "x"})
    assert response.status_code == 200
    assert response.json()["totalCount"] == 1


# -- bodies -------------------------------------------------------------------------------------
MALFORMED = ['{"email": ', "{'single': 'quotes'}", '{"a": NaN}', "{}}", b"\xff\xfe{}", "{,}", '{"a" 1}', " "]
MALFORMED_CASES = [(op, payload) for op in WITH_BODY for payload in MALFORMED]


@pytest.mark.parametrize(
    ("op", "payload"), MALFORMED_CASES, ids=ids([(op, n) for op in WITH_BODY for n in range(len(MALFORMED))])
)
def test_malformed_json_is_400(world: World, op: Operation, payload: str | bytes) -> None:
    assert_error(send(world.client, op, world.url(op), payload), 400)


CONTENT_TYPES = ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
CONTENT_TYPE_CASES = [(op, media_type) for op in WITH_BODY for media_type in CONTENT_TYPES]


@pytest.mark.parametrize(("op", "media_type"), CONTENT_TYPE_CASES, ids=ids(CONTENT_TYPE_CASES))
def test_non_json_content_type_is_400(world: World, op: Operation, media_type: str) -> None:
    response = send(world.client, op, world.url(op), json.dumps(valid_body(op)), headers={"Content-Type": media_type})
    assert_error(response, 400)


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_body_without_content_type_is_400(world: World, op: Operation) -> None:
    response = world.client.request(op.method, world.url(op), data=json.dumps(valid_body(op)).encode())
    assert "Content-Type" not in response.request.headers
    assert_error(response, 400)


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_no_body_at_all_is_400(world: World, op: Operation) -> None:
    assert_error(world.client.request(op.method, world.url(op)), 400)


NOT_OBJECTS = ["[]", '"text"', "5", "null", "true", "[{}]"]
NOT_OBJECT_CASES = [(op, payload) for op in WITH_BODY for payload in NOT_OBJECTS]


@pytest.mark.parametrize(("op", "payload"), NOT_OBJECT_CASES, ids=ids(NOT_OBJECT_CASES))
def test_json_that_is_not_an_object_is_400(world: World, op: Operation, payload: str) -> None:
    assert_error(send(world.client, op, world.url(op), payload), 400)


WRONG_TYPE_CASES = [(op, name) for op in WITH_BODY for name in op.properties]


@pytest.mark.parametrize(("op", "name"), WRONG_TYPE_CASES, ids=ids(WRONG_TYPE_CASES))
def test_wrong_type_is_400_naming_the_field(world: World, op: Operation, name: str) -> None:
    body = {**valid_body(op), name: wrong_type(kinds(op.properties[name]))}
    message = assert_error(send(world.client, op, world.url(op), body), 400)
    assert name in message


REQUIRED_CASES = [(op, name) for op in WITH_BODY for name in (op.body_schema or {}).get("required", [])]


@pytest.mark.parametrize(("op", "name"), REQUIRED_CASES, ids=ids(REQUIRED_CASES))
def test_required_field_left_out_is_400_naming_it(world: World, op: Operation, name: str) -> None:
    body = valid_body(op)
    del body[name]
    message = assert_error(send(world.client, op, world.url(op), body), 400)
    assert name in message


NON_NULLABLE_REQUIRED = [(op, name) for op, name in REQUIRED_CASES if "null" not in kinds(op.properties[name])]


@pytest.mark.parametrize(("op", "name"), NON_NULLABLE_REQUIRED, ids=ids(NON_NULLABLE_REQUIRED))
def test_required_field_set_to_null_is_400_naming_it(world: World, op: Operation, name: str) -> None:
    message = assert_error(send(world.client, op, world.url(op), {**valid_body(op), name: None}), 400)
    assert name in message


FORMAT_CASES = [
    (op, name, value)
    for op in WITH_BODY
    for name, schema in op.properties.items()
    if schema.get("format") in ("email", "uri")
    for value in ("not an address", "")
]


@pytest.mark.parametrize(("op", "name", "value"), FORMAT_CASES, ids=ids(FORMAT_CASES))
def test_badly_formatted_address_is_400_naming_the_field(world: World, op: Operation, name: str, value: str) -> None:
    message = assert_error(send(world.client, op, world.url(op), {**valid_body(op), name: value}), 400)
    assert name in message


ENUM_CASES = [(op, name) for op in WITH_BODY for name, schema in op.properties.items() if "enum" in schema]


@pytest.mark.parametrize(("op", "name"), ENUM_CASES, ids=ids(ENUM_CASES))
def test_value_outside_the_enum_is_400_naming_the_field(world: World, op: Operation, name: str) -> None:
    message = assert_error(send(world.client, op, world.url(op), {**valid_body(op), name: "no-such-value"}), 400)
    assert name in message


def test_array_items_of_the_wrong_type_are_400_naming_the_field(world: World) -> None:
    cases = [
        ("POST", "/api/site/contacts", {"email": "a@example.com", "tags": [5]}, "tags"),
        ("POST", "/api/site/contacts", {"email": "a@example.com", "subscriberLists": ["one"]}, "subscriberLists"),
        ("POST", "/api/site/members", {"name": "M", "email": "n@example.com", "groups": ["x"]}, "groups"),
        ("POST", "/api/site/webhooks", {"target": "https://h.example.com", "events": ["nope"]}, "events"),
        ("POST", "/api/site/webhooks", {"target": "https://h.example.com", "events": []}, "events"),
        ("POST", "/api/site/products", {"type": "physical", "title": "T", "variants": [{"price": -1}]}, "variants"),
    ]
    before = world.snapshot()
    for method, path, body, name in cases:
        message = assert_error(world.client.request(method, path, json=body), 400)
        assert name in message, (path, body, message)
    assert world.snapshot() == before


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_deeply_nested_json_is_refused_not_a_crash(world: World, op: Operation) -> None:
    depth = 100_000
    assert_client_error(send(world.client, op, world.url(op), "[" * depth + "]" * depth))


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_deeply_nested_json_inside_a_field_is_refused_not_a_crash(world: World, op: Operation) -> None:
    depth = 50_000
    name = next(iter(op.properties))
    nested = '{"a":' * depth + "1" + "}" * depth
    payload = json.dumps(valid_body(op))[:-1].rstrip()
    payload = (payload + ", " if payload != "{" else payload) + f'"{name}": {nested}' + "}"
    assert_client_error(send(world.client, op, world.url(op), payload))


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_moderately_nested_json_in_a_field_is_400_naming_it(world: World, op: Operation) -> None:
    """Deep enough to be absurd, shallow enough to parse: the field has the wrong type."""
    name = next(iter(op.properties))
    nested: Any = 1
    for _ in range(200):
        nested = {"a": nested} if "object" not in kinds(op.properties[name]) else [nested]
    message = assert_error(send(world.client, op, world.url(op), {**valid_body(op), name: nested}), 400)
    assert name in message


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_megabyte_of_malformed_json_is_400(world: World, op: Operation) -> None:
    assert_error(send(world.client, op, world.url(op), b"{" + b"x" * MEGABYTE), 400)


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_megabyte_of_json_without_the_required_fields_is_400(world: World, op: Operation) -> None:
    required = (op.body_schema or {}).get("required", [])
    if not required:  # nothing is required: a megabyte in the first string field instead
        name = next(n for n, s in op.properties.items() if "string" in kinds(s))
        body = {name: "x" * MEGABYTE}
    else:
        name, body = required[0], {"padding": ["x" * 1000] * (MEGABYTE // 1000 + 1)}
    payload = json.dumps(body)
    assert len(payload) > MEGABYTE
    message = assert_error(send(world.client, op, world.url(op), payload), 400)
    assert name in message


LONG_STRING_CASES = [
    (op, name)
    for op in WITH_BODY
    for name, schema in op.properties.items()
    if "string" in kinds(schema) and "maxLength" in schema and "enum" not in schema
]


@pytest.mark.parametrize(("op", "name"), LONG_STRING_CASES, ids=ids(LONG_STRING_CASES))
def test_megabyte_string_field_is_400_naming_it(world: World, op: Operation, name: str) -> None:
    body = {**valid_body(op), name: "a" * MEGABYTE}
    message = assert_error(send(world.client, op, world.url(op), body), 400)
    assert name in message


def test_body_over_the_size_limit_is_refused_in_the_error_shape(world: World) -> None:
    payload = b"[" + b"0," * (6 * MEGABYTE) + b"0]"
    response = world.client.post("/api/site/contacts", data=payload, headers={"Content-Type": "application/json"})
    assert_client_error(response)


# -- parameters ---------------------------------------------------------------------------------
QUERY_TYPE_CASES = [
    (op, p["name"]) for op in OPERATIONS for p in op.query_parameters if kinds(p["schema"]) & {"integer", "number", "boolean"}
]


@pytest.mark.parametrize(("op", "name"), QUERY_TYPE_CASES, ids=ids(QUERY_TYPE_CASES))
def test_query_parameter_of_the_wrong_type_is_400_naming_it(world: World, op: Operation, name: str) -> None:
    message = assert_error(send(world.client, op, world.url(op), valid_body(op), params={name: "abc"}), 400)
    assert name in message


QUERY_RANGE_CASES = [
    (op, p["name"], p["schema"][bound] + step)
    for op in OPERATIONS
    for p in op.query_parameters
    for bound, step in (("minimum", -1), ("maximum", 1))
    if bound in p["schema"]
]


@pytest.mark.parametrize(("op", "name", "value"), QUERY_RANGE_CASES, ids=ids(QUERY_RANGE_CASES))
def test_query_parameter_out_of_range_is_400_naming_it(world: World, op: Operation, name: str, value: int) -> None:
    message = assert_error(send(world.client, op, world.url(op), valid_body(op), params={name: value}), 400)
    assert name in message


REQUIRED_QUERY_CASES = [(op, p["name"]) for op in OPERATIONS for p in op.query_parameters if p.get("required")]


@pytest.mark.parametrize(("op", "name"), REQUIRED_QUERY_CASES, ids=ids(REQUIRED_QUERY_CASES))
def test_required_query_parameter_left_out_is_400_naming_it(world: World, op: Operation, name: str) -> None:
    message = assert_error(send(world.client, op, world.url(op), valid_body(op)), 400)
    assert name in message


@pytest.mark.parametrize(("op", "name"), REQUIRED_QUERY_CASES, ids=ids(REQUIRED_QUERY_CASES))
def test_required_email_query_parameter_that_is_not_an_address_is_400(world: World, op: Operation, name: str) -> None:
    for value in ("not-an-address", "", "a" * 300 + "@example.com"):
        message = assert_error(send(world.client, op, world.url(op), valid_body(op), params={name: value}), 400)
        assert name in message


PAGING_CASES = [(op, params) for op in PAGED for params in ("limit=0", "limit=51", "limit=x", "skip=-1", "skip=x")]


@pytest.mark.parametrize(("op", "query"), PAGING_CASES, ids=ids(PAGING_CASES))
def test_out_of_range_paging_is_400(world: World, op: Operation, query: str) -> None:
    message = assert_error(world.client.get(f"{op.path}?{query}"), 400)
    assert query.split("=", maxsplit=1)[0] in message


# -- ids -----------------------------------------------------------------------------------------
def unknown_ids(op: Operation) -> list[str]:
    return ["987654", "2147483647"] if op.id_is_integer else ["rh_987654", "rh_00000000000000000000"]


UNKNOWN_CASES = [(op, ref) for op in WITH_ID for ref in unknown_ids(op)]


@pytest.mark.parametrize(("op", "ref"), UNKNOWN_CASES, ids=ids(UNKNOWN_CASES))
def test_unknown_ids_are_404(world: World, op: Operation, ref: str) -> None:
    """Well-formed ids that name no record; the body is valid."""
    assert_error(send(world.client, op, op.url(ref), valid_body(op)), 404)


def misfits(op: Operation) -> list[str]:
    """Path values that are not ids at all."""
    if op.id_is_integer:
        return ["abc", "1.5", "-1", "0", "+1", "1e3", "1abc", "0x1", "2147483648", "99999999999999999999", "%20"]
    return ["abc", "1", "rh_", "rh_abc", "RH_1", "rh_1.5", "rh_-1", "rh_" + "1" * 21, "%20", "rh_\u0661"]


MISFIT_CASES = [(op, value) for op in WITH_ID for value in misfits(op)]


@pytest.mark.parametrize(("op", "value"), MISFIT_CASES, ids=ids([(op, n) for op in WITH_ID for n in range(len(misfits(op)))]))
def test_ids_that_are_not_ids_are_404(world: World, op: Operation, value: str) -> None:
    """The shared website has a record in every collection, so a value misread as its id would reach it."""
    assert_error(send(world.client, op, op.url(value), valid_body(op)), 404)


INTEGER_ID_OPERATIONS = [op for op in WITH_ID if op.id_is_integer]


def other_digits(number: int) -> list[str]:
    """`number` written in ARABIC-INDIC DIGITs and in FULLWIDTH DIGITs: not an integer in a URL."""
    return ["".join(chr(zero + int(d)) for d in str(number)) for zero in (0x0660, 0xFF10)]


@pytest.mark.parametrize("op", INTEGER_ID_OPERATIONS, ids=ids(INTEGER_ID_OPERATIONS))
def test_digits_of_other_scripts_are_not_ids(mockserver: Emulator, op: Operation) -> None:
    """The id of a real record written in other scripts' digits is 404, and that record is
    neither read nor changed. Run on a website of its own, as a request that reaches the
    record may change or delete it."""
    world = make_world(mockserver)
    for value in other_digits(world.records[op.collection]):
        assert not value.isascii()
        assert_error(send(world.client, op, op.url(value), valid_body(op)), 404)
    assert world.snapshot() == world.initial


# -- routes --------------------------------------------------------------------------------------
UNKNOWN_PATHS = [
    "/api/site/nothing",
    "/api/site",
    "/api/site/",
    "/api/site/contacts/1/extra",
    "/api/site/contactz",
    "/api/site/webhooks/rh_1/deliveries",
    "/api/v2/contacts",
    "/api/site/products/categories/1",
    "/api/site/members/sso",
]
UNKNOWN_PATH_CASES = [(path, method) for path in UNKNOWN_PATHS for method in ("GET", "POST", "PUT", "DELETE")]


@pytest.mark.parametrize(("path", "method"), UNKNOWN_PATH_CASES, ids=ids(UNKNOWN_PATH_CASES))
def test_unknown_paths_are_404(world: World, path: str, method: str) -> None:
    assert_error(world.client.request(method, path, json={}), 404)


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
def test_unknown_paths_are_404_without_authorization_too(mockserver: Emulator, path: str) -> None:
    assert_error(client_for(mockserver, None).get(path), 404)


WRONG_METHOD_CASES = [
    (path, method)
    for path, allowed in PATHS.items()
    for method in ("GET", "POST", "PUT", "DELETE", "PATCH")
    if method not in allowed
]


@pytest.mark.parametrize(("path", "method"), WRONG_METHOD_CASES, ids=ids(WRONG_METHOD_CASES))
def test_wrong_method_on_a_known_path_is_405_with_allow(world: World, path: str, method: str) -> None:
    collection = path.split("/{", 1)[0]
    url = path.replace("{id}", str(world.records.get(collection, 1)))
    response = world.client.request(method, url, json={})
    assert_error(response, 405)
    allowed = {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()}
    assert PATHS[path] <= allowed, response.headers
    assert method not in allowed


def test_the_shared_website_is_unchanged_by_every_bad_request(world: World) -> None:
    """Runs last: none of the refusals above created, changed or deleted anything."""
    assert world.snapshot() == world.initial
