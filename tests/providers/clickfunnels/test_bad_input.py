"""Bad input, for every operation of specs/clickfunnels.yaml (read here, so that an
operation added to the spec is covered without editing this file). Whatever is wrong with
a request, the answer is a 4xx, never a 5xx, with ClickFunnels' JSON body
`{"error": "..."}` (422 adds `"errors": {attribute: [messages]}`) - except the 403 that
Cloudflare answers, as an HTML page, to a request without a User-Agent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from mockserver.testing import ApiSession, Emulator
from tests.providers.clickfunnels.helpers import NOT_FOUND, client_for
from tests.spec_tools import MEGABYTE, METHODS, Sampler, Spec, SpecOperation, ids, send, wrong_type
from tests.support import NO_USER_AGENT, created, trigger_response

SPEC = Spec.load("clickfunnels")
resolve = SPEC.resolve
UNAUTHORIZED = {"error": "API key missing or invalid"}
NO_ROUTE = {"error": "No such route"}


# -- reading the spec -----------------------------------------------------------------------
def merged(node: Any) -> dict[str, Any]:
    """A schema with its `allOf` parts folded in (properties and required lists)."""
    schema: dict[str, Any] = dict(resolve(node))
    for part in map(merged, schema.pop("allOf", [])):
        schema["properties"] = {**schema.get("properties", {}), **part.get("properties", {})}
        schema["required"] = [*schema.get("required", []), *part.get("required", [])]
        for key, value in part.items():
            schema.setdefault(key, value)
    return schema


def kinds(schema: Any) -> set[str]:
    kind = merged(schema).get("type", "object")
    return set(kind) if isinstance(kind, list) else {kind}


@dataclass(frozen=True)
class Operation(SpecOperation):
    body_schema: dict[str, Any] | None

    @property
    def path_names(self) -> list[str]:
        return [p["name"] for p in self.path_parameters]

    @property
    def wrapper(self) -> str:
        """The key the body is wrapped in (`contact`, `product`...)."""
        assert self.body_schema is not None
        (key,) = self.body_schema["required"]
        return str(key)

    @property
    def attributes(self) -> dict[str, Any]:
        """The schema of what goes inside the wrapper."""
        assert self.body_schema is not None
        return merged(self.body_schema["properties"][self.wrapper])

    def url(self, value: str | None = None, records: dict[str, Any] | None = None) -> str:
        """The path with every parameter set to `value`, or to the record of `records`
        the parameter names."""
        path = self.path
        for name in self.path_names:
            filled = value if value is not None else str(records[name] if records else 987654321)
            path = path.replace("{" + name + "}", filled)
        return path


def load_operations() -> list[Operation]:
    return [
        Operation(op.operation_id, op.method, op.path, op.parameters, None if op.body_schema is None else merged(op.body_schema))
        for op in SPEC.operations()
    ]


OPERATIONS = load_operations()
WITH_BODY = [op for op in OPERATIONS if op.body_schema is not None]
WITH_PATH_PARAMETERS = [op for op in OPERATIONS if op.path_parameters]
LISTS = [op for op in OPERATIONS if "after" in {p["name"] for p in op.query_parameters}]


def scalar_sample(kind: str, schema: dict[str, Any]) -> Any:
    """The smallest number or string that satisfies a schema."""
    if kind == "integer":
        return schema.get("minimum", 1)
    if schema.get("format") == "uri":
        return "https://hooks.example.com/sample"
    return "sample"


sample = Sampler(merged, kinds, scalar_sample)


def valid_body(op: Operation) -> dict[str, Any] | None:
    return None if op.body_schema is None else {op.wrapper: sample(op.attributes)}


# -- checking ----------------------------------------------------------------------------------
def assert_error(response: requests.Response, status: int) -> dict[str, Any]:
    """The status, and ClickFunnels' JSON error body: exactly {"error": "<text>"} (a 422
    may add "errors")."""
    assert response.status_code == status, f"{response.status_code}: {response.text[:500]}"
    assert response.headers.get("Content-Type", "").split(";")[0] == "application/json", response.headers
    body = response.json()
    assert isinstance(body, dict), body
    assert isinstance(body.get("error"), str) and body["error"], body
    assert set(body) <= ({"error", "errors"} if status == 422 else {"error"}), body
    return body


def assert_client_error(response: requests.Response) -> dict[str, Any]:
    """Some 4xx, in the JSON error shape (never a 5xx)."""
    assert 400 <= response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    return assert_error(response, response.status_code)


def assert_invalid(response: requests.Response) -> dict[str, list[str]]:
    """A 422 whose `errors` map attributes to messages; answers that map."""
    body = assert_error(response, 422)
    errors = body.get("errors")
    assert isinstance(errors, dict) and errors, body
    for attribute, messages in errors.items():
        assert isinstance(attribute, str)
        assert isinstance(messages, list) and messages and all(isinstance(m, str) and m for m in messages), body
    return errors


# -- an account with one record of every kind --------------------------------------------------
@dataclass
class World:
    client: ApiSession
    records: dict[str, int]  # path parameter name -> the id of an existing record


@pytest.fixture(scope="module")
def world(mockserver: Emulator) -> World:
    """One account holding a record for every path parameter of the spec. The tests that
    use it send only bad requests, which must change nothing."""
    account = mockserver.account("clickfunnels")
    client = account.session()

    def admin(action: str, **body: Any) -> dict[str, Any]:
        return created(trigger_response(account, action, **body))

    team = client.get("/api/v2/teams").json()[0]["id"]
    workspace = client.get(f"/api/v2/teams/{team}/workspaces").json()[0]["id"]
    space = f"/api/v2/workspaces/{workspace}"
    tag = created(client.post(f"{space}/contacts/tags", json={"contacts_tag": {"name": "Lead"}}))["id"]
    contact = created(client.post(f"{space}/contacts", json={"contact": {"email_address": "w@example.com", "tag_ids": [tag]}}))[
        "id"
    ]
    applied = client.get(f"/api/v2/contacts/{contact}/applied_tags").json()[0]["id"]
    product = created(client.post(f"{space}/products", json={"product": {"name": "Book", "price": "10.00"}}))["id"]
    order = admin("orders", contact_id=contact, line_items=[{"product_id": product, "quantity": 5}])
    parts = [{"invoices_line_item_id": order["line_items"][0]["id"], "quantity": 1}]
    body = {"fulfillment": {"contact_id": contact, "included_orders_invoices_line_items_attributes": parts}}
    fulfillment = created(client.post(f"{space}/fulfillments", json=body))["id"]
    course = admin("courses", title="Academy")["id"]
    enrollment = created(
        client.post(f"/api/v2/courses/{course}/enrollments", json={"courses_enrollment": {"contact_id": contact}})
    )
    form = admin("forms", name="Signup")["id"]
    submission = admin(f"forms/{form}/submissions", data={"email_address": "w@example.com"})["id"]
    hook = {"url": "https://hooks.example.com/h", "name": "Hook", "event_type_ids": ["contact.created"]}
    endpoint = created(client.post(f"{space}/webhooks/outgoing/endpoints", json={"webhooks_outgoing_endpoint": hook}))["id"]
    image = created(client.post(f"{space}/images", json={"image": {"upload_source_url": "https://cdn.example.com/a.png"}}))["id"]
    records = {
        "team_id": team,
        "workspace_id": workspace,
        "contact_id": contact,
        "tag_id": tag,
        "applied_tag_id": applied,
        "product_id": product,
        "order_id": order["id"],
        "fulfillment_id": fulfillment,
        "course_id": course,
        "enrollment_id": enrollment["id"],
        "form_id": form,
        "submission_id": submission,
        "endpoint_id": endpoint,
        "image_id": image,
    }
    missing = {name for op in OPERATIONS for name in op.path_names} - set(records)
    assert not missing, f"the world has no record for {missing}"
    return World(client, records)


def test_every_operation_is_covered() -> None:
    assert len(OPERATIONS) == 46
    assert len({op.operation_id for op in OPERATIONS}) == len(OPERATIONS)


# -- authentication and the front door ---------------------------------------------------------
@pytest.mark.parametrize("op", OPERATIONS, ids=ids(OPERATIONS))
def test_missing_authorization_is_401(mockserver: Emulator, op: Operation) -> None:
    response = send(client_for(mockserver, None), op, op.url(), valid_body(op))
    assert_error(response, 401)
    assert response.json() == UNAUTHORIZED


AUTHORIZATIONS = ["Basic x", "Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token abc", "abc"]
AUTH_CASES = [(op, value) for op in OPERATIONS for value in AUTHORIZATIONS]


@pytest.mark.parametrize(("op", "authorization"), AUTH_CASES, ids=ids(AUTH_CASES))
def test_authorization_that_is_not_a_bearer_token_is_401(mockserver: Emulator, op: Operation, authorization: str) -> None:
    response = send(client_for(mockserver, None, Authorization=authorization), op, op.url(), valid_body(op))
    assert_error(response, 401)
    assert response.json() == UNAUTHORIZED


@pytest.mark.parametrize("op", OPERATIONS, ids=ids(OPERATIONS))
def test_missing_authorization_is_checked_before_the_request_itself(mockserver: Emulator, op: Operation) -> None:
    """A request wrong in every other way is first refused for the missing key."""
    path = op.url("not-an-id") + "?after=abc&sort_order=sideways&filter[nope]=1"
    response = send(client_for(mockserver, None), op, path, "{broken" if op.body_schema else None)
    assert_error(response, 401)
    assert response.json() == UNAUTHORIZED


def assert_blocked(response: requests.Response) -> None:
    assert response.status_code == 403, response.text[:500]
    assert response.headers["Content-Type"].split(";")[0] == "text/html"
    assert "1010" in response.text
    assert "<html" in response.text.lower()


@pytest.mark.parametrize("op", OPERATIONS, ids=ids(OPERATIONS))
def test_no_user_agent_is_403_html(clickfunnels: ApiSession, op: Operation) -> None:
    response = send(clickfunnels, op, op.url(), valid_body(op), headers=NO_USER_AGENT)
    assert_blocked(response)


@pytest.mark.parametrize("op", OPERATIONS, ids=ids(OPERATIONS))
def test_no_user_agent_is_403_even_without_authorization(mockserver: Emulator, op: Operation) -> None:
    response = send(ApiSession(f"{mockserver.url}/clickfunnels", {}), op, op.url(), valid_body(op), headers=NO_USER_AGENT)
    assert_blocked(response)


def test_blank_user_agent_is_blocked_too(clickfunnels: ApiSession, workspace_id: int) -> None:
    assert_blocked(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/contacts", headers={"User-Agent": ""}))


def test_any_user_agent_passes(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/contacts", headers={"User-Agent": "x"})
    assert response.status_code == 200
    assert response.json() == []


# -- bodies -----------------------------------------------------------------------------------
MALFORMED = ['{"contact": ', "{'single': 'quotes'}", '{"a": NaN}', "{}}", b"\xff\xfe{}", "{,}", '{"a" 1}']
MALFORMED_CASES = [(op, payload) for op in WITH_BODY for payload in MALFORMED]


@pytest.mark.parametrize(
    ("op", "payload"), MALFORMED_CASES, ids=ids([(op, n) for op in WITH_BODY for n in range(len(MALFORMED))])
)
def test_malformed_json_is_400(world: World, op: Operation, payload: str | bytes) -> None:
    assert_error(send(world.client, op, op.url(records=world.records), payload), 400)


CONTENT_TYPES = ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
CONTENT_TYPE_CASES = [(op, media_type) for op in WITH_BODY for media_type in CONTENT_TYPES]


@pytest.mark.parametrize(("op", "media_type"), CONTENT_TYPE_CASES, ids=ids(CONTENT_TYPE_CASES))
def test_wrong_content_type_is_415(world: World, op: Operation, media_type: str) -> None:
    body = json.dumps(valid_body(op))
    response = send(world.client, op, op.url(records=world.records), body, headers={"Content-Type": media_type})
    assert_error(response, 415)


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_body_without_content_type_is_415(world: World, op: Operation) -> None:
    path = op.url(records=world.records)
    response = world.client.request(op.method, path, data=json.dumps(valid_body(op)).encode())
    assert "Content-Type" not in response.request.headers
    assert_error(response, 415)


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_no_body_at_all_is_refused(world: World, op: Operation) -> None:
    """Nothing to read: a 400 (no wrapper) or a 415 (no JSON), never a success."""
    response = world.client.request(op.method, op.url(records=world.records))
    assert response.status_code in (400, 415), response.text
    assert_error(response, response.status_code)


def missing_wrapper_bodies(op: Operation) -> list[Any]:
    return [{}, {"something_else": sample(op.attributes)}, {op.wrapper: None}, {op.wrapper: "text"}, {op.wrapper: []}]


WRAPPER_CASES = [(op, number) for op in WITH_BODY for number in range(5)]


@pytest.mark.parametrize(("op", "number"), WRAPPER_CASES, ids=ids(WRAPPER_CASES))
def test_missing_wrapper_key_is_400_naming_it(world: World, op: Operation, number: int) -> None:
    body = missing_wrapper_bodies(op)[number]
    response = send(world.client, op, op.url(records=world.records), body)
    assert_error(response, 400)
    assert response.json() == {"error": f"param is missing or the value is empty: {op.wrapper}"}


NOT_OBJECTS = ["[]", '"text"', "5", "null", "true", '[{"contact": {}}]']


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_body_that_is_not_an_object_is_400_naming_the_wrapper(world: World, op: Operation) -> None:
    """Rails reads such a body as `_json`, so the wrapper key is missing."""
    answers = {payload: send(world.client, op, op.url(records=world.records), payload) for payload in NOT_OBJECTS}
    for response in answers.values():
        assert_error(response, 400)
    expected = {"error": f"param is missing or the value is empty: {op.wrapper}"}
    assert {payload: response.json() for payload, response in answers.items()} == dict.fromkeys(NOT_OBJECTS, expected)


WRONG_TYPE_CASES = [(op, name) for op in WITH_BODY for name in op.attributes.get("properties", {})]


@pytest.mark.parametrize(("op", "name"), WRONG_TYPE_CASES, ids=ids(WRONG_TYPE_CASES))
def test_wrong_type_inside_the_wrapper_is_422_naming_the_attribute(world: World, op: Operation, name: str) -> None:
    attributes = {**sample(op.attributes), name: wrong_type(kinds(op.attributes["properties"][name]))}
    errors = assert_invalid(send(world.client, op, op.url(records=world.records), {op.wrapper: attributes}))
    assert set(errors) == {name}, errors


REQUIRED_CASES = [(op, name) for op in WITH_BODY for name in op.attributes.get("required", [])]


@pytest.mark.parametrize(("op", "name"), REQUIRED_CASES, ids=ids(REQUIRED_CASES))
def test_required_attribute_left_out_is_422_naming_it(world: World, op: Operation, name: str) -> None:
    attributes = sample(op.attributes)
    del attributes[name]
    errors = assert_invalid(send(world.client, op, op.url(records=world.records), {op.wrapper: attributes}))
    assert set(errors) == {name}, errors


@pytest.mark.parametrize(("op", "name"), REQUIRED_CASES, ids=ids(REQUIRED_CASES))
def test_required_attribute_set_to_null_is_422_naming_it(world: World, op: Operation, name: str) -> None:
    attributes = {**sample(op.attributes), name: None}
    errors = assert_invalid(send(world.client, op, op.url(records=world.records), {op.wrapper: attributes}))
    assert name in errors, errors


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_deeply_nested_json_is_refused_not_a_crash(world: World, op: Operation) -> None:
    depth = 100_000
    assert_client_error(send(world.client, op, op.url(records=world.records), "[" * depth + "]" * depth))


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_deeply_nested_json_inside_the_wrapper_is_refused_not_a_crash(world: World, op: Operation) -> None:
    depth = 50_000
    name = next(iter(op.attributes["properties"]))
    nested = '{"a":' * depth + "1" + "}" * depth
    payload = '{"' + op.wrapper + '": {"' + name + '": ' + nested + "}}"
    assert_client_error(send(world.client, op, op.url(records=world.records), payload))


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_megabyte_of_malformed_json_is_400(world: World, op: Operation) -> None:
    assert_error(send(world.client, op, op.url(records=world.records), b"{" + b"x" * MEGABYTE), 400)


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_megabyte_of_json_without_the_wrapper_is_400(world: World, op: Operation) -> None:
    payload = json.dumps({"padding": ["x" * 1000] * (MEGABYTE // 1000 + 1)})
    assert len(payload) > MEGABYTE
    response = send(world.client, op, op.url(records=world.records), payload)
    assert_error(response, 400)
    assert response.json() == {"error": f"param is missing or the value is empty: {op.wrapper}"}


LONG_STRING_CASES = [
    (op, name)
    for op in WITH_BODY
    for name, schema in op.attributes.get("properties", {}).items()
    if "string" in kinds(schema) and "maxLength" in merged(schema) and not {"integer", "number"} & kinds(schema)
]


@pytest.mark.parametrize(("op", "name"), LONG_STRING_CASES, ids=ids(LONG_STRING_CASES))
def test_megabyte_string_attribute_is_422_too_long(world: World, op: Operation, name: str) -> None:
    attributes = {**sample(op.attributes), name: "a" * MEGABYTE}
    errors = assert_invalid(send(world.client, op, op.url(records=world.records), {op.wrapper: attributes}))
    assert name in errors, errors


def test_body_over_the_size_limit_is_refused_in_the_json_shape(world: World) -> None:
    payload = b"[" + b"0," * (6 * MEGABYTE) + b"0]"
    response = world.client.post(
        f"/api/v2/workspaces/{world.records['workspace_id']}/contacts", data=payload, headers={"Content-Type": "application/json"}
    )
    assert_client_error(response)


# -- path parameters ----------------------------------------------------------------------------
UNKNOWN_REFS = ["987654321", "999999999999999999", "Zzzzzzz", "QqQqQq"]
UNKNOWN_CASES = [(op, ref) for op in WITH_PATH_PARAMETERS for ref in UNKNOWN_REFS]


@pytest.mark.parametrize(("op", "ref"), UNKNOWN_CASES, ids=ids(UNKNOWN_CASES))
def test_unknown_ids_are_404(world: World, op: Operation, ref: str) -> None:
    """Well-formed ids (integer or public id) that name no record; the body is valid."""
    response = send(world.client, op, op.url(ref), valid_body(op))
    assert_error(response, 404)
    assert response.json() == NOT_FOUND


MISFITS = ["abc-def", "12ab", "0", "-1", "1.5", "1e3", "abcde", "abcdefgh", "1" * 19, "\u0661", "a_b_c_d", "%20"]
MISFIT_CASES = [(op, value) for op in WITH_PATH_PARAMETERS for value in MISFITS]


@pytest.mark.parametrize(
    ("op", "value"), MISFIT_CASES, ids=ids([(op, n) for op in WITH_PATH_PARAMETERS for n in range(len(MISFITS))])
)
def test_ids_that_are_neither_integers_nor_public_ids_are_404(world: World, op: Operation, value: str) -> None:
    response = send(world.client, op, op.url(value), valid_body(op))
    assert_error(response, 404)
    assert response.json() == NOT_FOUND


READS_BY_ID = [op for op in WITH_PATH_PARAMETERS if op.method == "GET"]


@pytest.mark.parametrize("op", READS_BY_ID, ids=ids(READS_BY_ID))
def test_the_same_reads_on_existing_records_succeed(world: World, op: Operation) -> None:
    """The control for the 404 tests: the paths are right, only the ids were unknown."""
    response = world.client.get(op.url(records=world.records))
    assert response.status_code == 200, response.text


# -- query parameters ---------------------------------------------------------------------------
BAD_QUERY = [("after", "abc"), ("after", "-1"), ("sort_order", "sideways"), ("sort_property", "name"), ("sort_order", "")]
QUERY_CASES = [(op, name, value) for op in LISTS for name, value in BAD_QUERY]


@pytest.mark.parametrize(("op", "name", "value"), QUERY_CASES, ids=ids(QUERY_CASES))
def test_bad_list_parameters_are_400(world: World, op: Operation, name: str, value: str) -> None:
    response = world.client.get(op.url(records=world.records), params={name: value})
    assert_error(response, 400)


# -- routing ------------------------------------------------------------------------------------
UNKNOWN_PATHS = [
    "/api/v2/nothing",
    "/api/v2/contacts/1/nothing",
    "/api/v2/workspaces/1/contacts/1",
    "/api/v2",
    "/api/v1/teams",
    "/api/v3/teams",
    "/nothing",
    "/",
    "/api/v2/teams/1/workspaces/1",
    "/api/v2/products/1/archive/now",
]


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_unknown_path_is_404_no_such_route(world: World, path: str, method: str) -> None:
    response = world.client.request(method, path, json={})
    assert_error(response, 404)
    assert response.json() == NO_ROUTE


WRONG_METHODS = [(path, method.upper()) for path, item in SPEC["paths"].items() for method in METHODS if method not in item]


@pytest.mark.parametrize(("path", "method"), WRONG_METHODS, ids=ids(WRONG_METHODS))
def test_wrong_method_on_a_known_path_is_405_with_allow(world: World, path: str, method: str) -> None:
    item = SPEC["paths"][path]
    filled = path
    for param in [resolve(p) for p in item.get("parameters", [])]:
        filled = filled.replace("{" + param["name"] + "}", str(world.records[param["name"]]))
    response = world.client.request(method, filled, json={})
    assert_error(response, 405)
    allowed = {part.strip() for part in response.headers["Allow"].split(",")}
    assert allowed - {"HEAD", "OPTIONS"} == {m.upper() for m in METHODS if m in item}


# -- nothing changed ------------------------------------------------------------------------------
def test_the_world_is_untouched_by_bad_requests(world: World) -> None:
    """Runs last in this module: every refused request above left the records alone."""
    client, records = world.client, world.records
    space = f"/api/v2/workspaces/{records['workspace_id']}"
    contacts = client.get(f"{space}/contacts").json()
    assert [(c["id"], c["email_address"], c["first_name"]) for c in contacts] == [(records["contact_id"], "w@example.com", None)]
    assert [t["id"] for t in contacts[0]["tags"]] == [records["tag_id"]]
    assert [p["name"] for p in client.get(f"{space}/products").json()] == ["Book"]
    assert client.get(f"/api/v2/products/{records['product_id']}").json()["archived"] is False
    assert client.get(f"/api/v2/fulfillments/{records['fulfillment_id']}").json()["status"] == "fulfilled"
    assert len(client.get(f"{space}/fulfillments").json()) == 1
    assert len(client.get(f"/api/v2/courses/{records['course_id']}/enrollments").json()) == 1
    assert [e["url"] for e in client.get(f"{space}/webhooks/outgoing/endpoints").json()] == ["https://hooks.example.com/h"]
    assert len(client.get(f"{space}/images").json()) == 1
    assert len(client.get(f"{space}/contacts/tags").json()) == 1
