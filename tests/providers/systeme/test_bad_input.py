"""Bad input, for every operation of specs/systeme.yaml (read here, so that an operation
added to the spec is covered without editing this file). Whatever is wrong with a request,
the answer is a 4xx in Systeme.io's native error shape, never a 5xx:

- 401 `{"detail": ...}` (application/json) when the API key is missing;
- 400 / 404 / 405 / 415 problems `{"type", "title", "detail"}` (application/problem+json);
- 422 problems that add `violations: [{propertyPath, message, code}]`.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from mockserver.testing import Account, ApiSession, Emulator
from tests.providers.systeme.helpers import MISSING_KEY
from tests.spec_tools import MEGABYTE, METHODS, Sampler, Spec, SpecOperation, ids, wrong_type
from tests.support import trigger_response

SPEC = Spec.load("systeme")
resolve = SPEC.resolve
PROBLEM_JSON = "application/problem+json"


# -- reading the spec -------------------------------------------------------------------------
def kinds(schema: dict[str, Any]) -> set[str]:
    schema = resolve(schema)
    kind = schema.get("type")
    if kind is None and "enum" in schema:
        return {"string" if isinstance(v, str) else "null" for v in schema["enum"]}
    if kind is None and "oneOf" in schema:
        return set().union(*(kinds(option) for option in schema["oneOf"]))
    return set(kind) if isinstance(kind, list) else {kind or "object"}


@dataclass(frozen=True)
class Operation(SpecOperation):
    body: dict[str, Any] | None  # the resolved requestBody

    @property
    def media_types(self) -> list[str]:
        return list(self.body["content"]) if self.body else []

    @property
    def body_schema(self) -> dict[str, Any]:
        assert self.body is not None
        schema: dict[str, Any] = resolve(self.body["content"][self.media_types[0]]["schema"])
        return schema

    def url(self, **values: str) -> str:
        """The operation's path with its path parameters filled: by `values`, else by a
        well-formed value that names no record."""
        path = self.path
        for param in self.path_parameters:
            path = path.replace("{" + param["name"] + "}", values.get(param["name"], unknown_value(param)))
        return path


def load_operations() -> list[Operation]:
    found = []
    for path, item in SPEC["paths"].items():
        shared = [resolve(p) for p in item.get("parameters", [])]
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            own = [resolve(p) for p in op.get("parameters", [])]
            names = {(p["name"], p["in"]) for p in own}
            parameters = tuple(own + [p for p in shared if (p["name"], p["in"]) not in names])
            body = resolve(op["requestBody"]) if "requestBody" in op else None
            found.append(Operation(op["operationId"], method.upper(), path, parameters, body))
    return found


OPERATIONS = load_operations()
WITH_BODY = [op for op in OPERATIONS if op.body is not None]
WITH_REQUIRED_BODY = [op for op in WITH_BODY if op.body and op.body.get("required")]
WITH_PATH_PARAMETERS = [op for op in OPERATIONS if op.path_parameters]
WITH_LIMIT = [op for op in OPERATIONS if any(p["name"] == "limit" for p in op.query_parameters)]


def unknown_value(param: dict[str, Any]) -> str:
    """A value that fits the parameter's schema but names no record."""
    schema = resolve(param["schema"])
    if "integer" in kinds(schema):
        return str(schema.get("maximum", 2_000_000_000))
    if schema.get("format") == "uuid":
        return str(uuid.uuid4())
    return "no_such_record"


def misfits(param: dict[str, Any]) -> list[str]:
    """Path values that do not fit the parameter's schema at all."""
    schema = resolve(param["schema"])
    if "integer" in kinds(schema):
        return ["abc", "1.5", "1e3", "0x1", "0", "-1", str(schema.get("maximum", 2**31 - 1) + 1)]
    if schema.get("format") == "uuid":
        # fixed values: parallel test workers must collect the same test ids
        return ["not-a-uuid", "12345", "0f8e6a52-3c1d-4b7e-9a2f-5d6c7b8a9e0"]
    return ["has-a-dash", "x" * 256]


def first_option(schema: Any) -> Any:
    """The schema resolved; of a oneOf, its first option."""
    schema = resolve(schema)
    while "oneOf" in schema:
        schema = resolve(schema["oneOf"][0])
    return schema


def scalar_sample(kind: str, schema: dict[str, Any]) -> Any:
    """The smallest number or string that satisfies a schema."""
    if kind == "integer":
        return schema.get("minimum", 1)
    if schema.get("format") == "email":
        return "someone@example.com"
    if schema.get("format") == "uri":
        return "https://hooks.example.com/sample"
    return "sample"


sample = Sampler(first_option, kinds, scalar_sample)


def body_properties(op: Operation) -> list[tuple[Operation, str]]:
    return [(op, name) for name in op.body_schema.get("properties", {})]


def send(client: ApiSession, op: Operation, *, path: str | None = None, body: Any = None, **kwargs: Any) -> requests.Response:
    """Send a JSON body as the operation's (first) media type."""
    if body is not None:
        kwargs["data"] = body if isinstance(body, str | bytes) else json.dumps(body)
        kwargs.setdefault("headers", {"Content-Type": op.media_types[0]})
    return client.request(op.method, path or op.url(), **kwargs)


# -- native error shapes ------------------------------------------------------------------
def assert_problem(response: requests.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, f"{response.status_code}: {response.text[:500]}"
    assert response.headers.get("Content-Type", "").split(";")[0] == PROBLEM_JSON
    body = response.json()
    assert isinstance(body, dict), body
    for member in ("type", "title", "detail"):
        assert isinstance(body.get(member), str) and body[member], body
    return body


def violation_paths(response: requests.Response) -> list[str]:
    """The propertyPaths of a well-formed 422 problem, whose detail joins its violations."""
    body = assert_problem(response, 422)
    violations = body["violations"]
    assert isinstance(violations, list) and violations, body
    for violation in violations:
        assert isinstance(violation["propertyPath"], str)
        assert isinstance(violation["message"], str) and violation["message"]
        assert "code" in violation
        line = f"{violation['propertyPath']}: {violation['message']}" if violation["propertyPath"] else violation["message"]
        assert line in body["detail"].split("\n"), body
    return [violation["propertyPath"] for violation in violations]


# -- authentication ---------------------------------------------------------------------------
@pytest.mark.parametrize("op", OPERATIONS, ids=ids(OPERATIONS))
def test_missing_api_key_is_401(mockserver: Emulator, op: Operation) -> None:
    anonymous = ApiSession(f"{mockserver.url}/systeme", {})
    response = send(anonymous, op, body=sample(op.body_schema) if op.body else None)
    assert response.status_code == 401, response.text
    assert response.headers["Content-Type"].split(";")[0] == "application/json"
    assert response.json() == {"detail": MISSING_KEY}


@pytest.mark.parametrize("op", OPERATIONS, ids=ids(OPERATIONS))
def test_missing_api_key_is_checked_before_anything_else(mockserver: Emulator, op: Operation) -> None:
    """Even a request that is wrong in every other way is first refused for the key."""
    anonymous = ApiSession(f"{mockserver.url}/systeme", {})
    path = op.url(**{p["name"]: "abc" for p in op.path_parameters}) + "?limit=5&order=sideways"
    response = send(anonymous, op, path=path, body="{broken" if op.body else None)
    assert response.status_code == 401, response.text
    assert response.json() == {"detail": MISSING_KEY}


def test_empty_api_key_counts_as_missing(mockserver: Emulator) -> None:
    response = ApiSession(f"{mockserver.url}/systeme", {"X-API-Key": ""}).get("/api/contacts")
    assert response.status_code == 401
    assert response.json() == {"detail": MISSING_KEY}


# -- bodies -----------------------------------------------------------------------------------------
MALFORMED = ['{"broken": ', "{'single': 'quotes'}", '{"a": NaN}', "{}}", b"\xff\xfe{}"]


@pytest.mark.parametrize("payload", MALFORMED, ids=["truncated", "single-quotes", "nan", "trailing", "not-utf8"])
@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_malformed_json_is_400_syntax_error(systeme: ApiSession, op: Operation, payload: str | bytes) -> None:
    body = assert_problem(send(systeme, op, body=payload), 400)
    assert body["detail"] == "Syntax error"


def _unsupported_types(op: Operation) -> list[tuple[Operation, str]]:
    candidates = [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
        "application/json",
        "application/merge-patch+json",
    ]
    return [(op, media_type) for media_type in candidates if media_type not in op.media_types]


UNSUPPORTED = [case for op in WITH_BODY for case in _unsupported_types(op)]


@pytest.mark.parametrize(("op", "media_type"), UNSUPPORTED, ids=ids(UNSUPPORTED))
def test_unsupported_content_type_is_415(systeme: ApiSession, op: Operation, media_type: str) -> None:
    response = send(systeme, op, body=sample(op.body_schema), headers={"Content-Type": media_type})
    assert_problem(response, 415)


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_body_without_content_type_is_415(systeme: ApiSession, op: Operation) -> None:
    response = send(systeme, op, body=sample(op.body_schema), headers={})
    assert_problem(response, 415)


@pytest.mark.parametrize("op", WITH_REQUIRED_BODY, ids=ids(WITH_REQUIRED_BODY))
def test_required_body_left_out_is_415(systeme: ApiSession, op: Operation) -> None:
    assert_problem(send(systeme, op), 415)


WRONG_TYPES = [case for op in WITH_BODY for case in body_properties(op)]


@pytest.mark.parametrize(("op", "name"), WRONG_TYPES, ids=ids(WRONG_TYPES))
def test_wrong_type_in_the_body_is_422_naming_the_property(systeme: ApiSession, op: Operation, name: str) -> None:
    schema = op.body_schema["properties"][name]
    body = {**sample(op.body_schema), name: wrong_type(kinds(schema))}
    assert name in violation_paths(send(systeme, op, body=body))


@pytest.mark.parametrize("body", [[], "text", 5, None], ids=["array", "string", "number", "null"])
@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_body_that_is_not_an_object_is_422(systeme: ApiSession, op: Operation, body: Any) -> None:
    assert violation_paths(send(systeme, op, body=json.dumps(body)))


WITH_REQUIRED_FIELDS = [op for op in WITH_BODY if op.body_schema.get("required")]
REQUIRED_FIELDS = [(op, name) for op in WITH_REQUIRED_FIELDS for name in op.body_schema["required"]]


@pytest.mark.parametrize("op", WITH_REQUIRED_FIELDS, ids=ids(WITH_REQUIRED_FIELDS))
def test_missing_required_fields_are_422_naming_each(systeme: ApiSession, op: Operation) -> None:
    paths = violation_paths(send(systeme, op, body={}))
    assert set(op.body_schema["required"]) <= set(paths)


@pytest.mark.parametrize(("op", "name"), REQUIRED_FIELDS, ids=ids(REQUIRED_FIELDS))
def test_required_field_left_out_alone_is_422_naming_it(systeme: ApiSession, op: Operation, name: str) -> None:
    body = sample(op.body_schema)
    del body[name]
    assert violation_paths(send(systeme, op, body=body)) == [name]


@pytest.mark.parametrize(("op", "name"), REQUIRED_FIELDS, ids=ids(REQUIRED_FIELDS))
def test_required_field_set_to_null_is_422_naming_it(systeme: ApiSession, op: Operation, name: str) -> None:
    body = {**sample(op.body_schema), name: None}
    assert name in violation_paths(send(systeme, op, body=body))


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_huge_malformed_body_is_400(systeme: ApiSession, op: Operation) -> None:
    assert_problem(send(systeme, op, body=b"{" + b"x" * MEGABYTE), 400)


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_huge_json_body_is_422(systeme: ApiSession, op: Operation) -> None:
    """A megabyte of well-formed JSON that is not an object."""
    payload = json.dumps(["x" * 1000] * (MEGABYTE // 1000 + 1))
    assert len(payload) > MEGABYTE
    assert violation_paths(send(systeme, op, body=payload))


def test_megabyte_string_is_422_too_long(systeme: ApiSession) -> None:
    response = systeme.post("/api/contacts", json={"email": "a" * MEGABYTE + "@example.com"})
    assert "email" in violation_paths(response)


def test_body_over_the_size_limit_is_413_in_the_native_shape(systeme: ApiSession) -> None:
    response = systeme.post(
        "/api/contacts", data=b"[" + b"0," * (6 * MEGABYTE) + b"0]", headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 413)


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_deeply_nested_json_is_refused_not_a_crash(systeme: ApiSession, op: Operation) -> None:
    depth = 100_000
    response = send(systeme, op, body="[" * depth + "]" * depth)
    assert 400 <= response.status_code < 500, response.text[:500]
    assert_problem(response, response.status_code)


def test_deeply_nested_objects_inside_a_field_are_refused_not_a_crash(systeme: ApiSession) -> None:
    depth = 50_000
    nested = '{"a":' * depth + "1" + "}" * depth
    response = systeme.post(
        "/api/contacts",
        data='{"email": "deep@example.com", "fields": [' + nested + "]}",
        headers={"Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500, response.text[:500]
    assert_problem(response, response.status_code)
    assert systeme.get("/api/contacts", params={"email": "deep@example.com"}).json()["items"] == []


# -- query parameters -------------------------------------------------------------------------
@pytest.mark.parametrize("limit", ["9", "101", "abc", "-1", "1e2"])
@pytest.mark.parametrize("op", WITH_LIMIT, ids=ids(WITH_LIMIT))
def test_out_of_range_limit_is_422(systeme: ApiSession, op: Operation, limit: str) -> None:
    response = systeme.request(op.method, op.url(), params={"limit": limit})
    assert violation_paths(response) == ["pagination.limit"]


def bad_query_value(param: dict[str, Any]) -> str:
    schema = resolve(param["schema"])
    allowed = kinds(schema)
    if "array" in allowed:
        return "a,b"
    if allowed & {"integer", "boolean"} or "enum" in schema:
        return "maybe"
    if schema.get("format") in ("date-time", "uuid"):
        return "yesterday"
    return "x" * (schema.get("maxLength", 255) + 1)


QUERY = [(op, param["name"]) for op in OPERATIONS for param in op.query_parameters]


@pytest.mark.parametrize(("op", "name"), QUERY, ids=ids(QUERY))
def test_bad_query_parameter_is_422_naming_it(systeme: ApiSession, op: Operation, name: str) -> None:
    param = next(p for p in op.query_parameters if p["name"] == name)
    response = systeme.request(op.method, op.url(), params={name: bad_query_value(param)})
    expected = "pagination.limit" if name == "limit" else name
    paths = violation_paths(response)
    assert all(path == expected or path.startswith(expected + "[") for path in paths), paths


def test_non_ascii_digits_are_not_a_limit(systeme: ApiSession) -> None:
    """Arabic-Indic "10" is not the integer 10 in a URL."""
    assert violation_paths(systeme.get("/api/contacts", params={"limit": "\u0661\u0660"})) == ["pagination.limit"]


# -- path parameters --------------------------------------------------------------------------
@pytest.fixture
def payments_on(account: Account) -> None:
    """Payments enabled, so that a payment 404 comes from the unknown id, not the account."""
    response = trigger_response(account, "payments", enabled=True)
    assert response.status_code == 200, response.text


@pytest.mark.usefixtures("payments_on")
@pytest.mark.parametrize("op", WITH_PATH_PARAMETERS, ids=ids(WITH_PATH_PARAMETERS))
def test_unknown_ids_are_404(systeme: ApiSession, op: Operation) -> None:
    response = send(systeme, op, body=sample(op.body_schema) if op.body else None)
    body = assert_problem(response, 404)
    assert body["detail"] == "Not Found"


MISFITS = [(op, param["name"], value) for op in WITH_PATH_PARAMETERS for param in op.path_parameters for value in misfits(param)]


@pytest.mark.parametrize(("op", "name", "value"), MISFITS, ids=ids(MISFITS))
def test_path_values_that_do_not_fit_are_404(systeme: ApiSession, op: Operation, name: str, value: str) -> None:
    response = send(systeme, op, path=op.url(**{name: value}), body=sample(op.body_schema) if op.body else None)
    assert_problem(response, 404)


# "1" in Arabic-Indic, Extended Arabic-Indic and Devanagari digits.
@pytest.mark.parametrize("value", ["\u0661", "\u06f1", "\u0967"], ids=["arabic", "persian", "devanagari"])
@pytest.mark.parametrize("resource", ["contacts", "tags"])
def test_non_ascii_digits_name_no_record(systeme: ApiSession, resource: str, value: str) -> None:
    """A non-ASCII digit one is not `1`, even when record 1 exists."""
    created = systeme.post("/api/contacts", json={"email": "one@example.com"}).json()
    tag = systeme.post("/api/tags", json={"name": "One"}).json()
    assert created["id"] == tag["id"] == 1
    assert systeme.get(f"/api/{resource}/1").status_code == 200
    assert_problem(systeme.get(f"/api/{resource}/{value}"), 404)


# -- routing ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path", ["/api/nothing", "/api/contacts/1/nothing", "/nothing", "/api", "/api/contacts/1/tags/1/extra", "/api/school"]
)
def test_unknown_path_is_404_problem(systeme: ApiSession, path: str) -> None:
    assert_problem(systeme.get(path), 404)
    assert_problem(systeme.post(path, json={}), 404)


WRONG_METHODS = [(path, method.upper()) for path, item in SPEC["paths"].items() for method in METHODS if method not in item]


@pytest.mark.parametrize(("path", "method"), WRONG_METHODS, ids=ids(WRONG_METHODS))
def test_wrong_method_on_a_known_path_is_405_with_allow(systeme: ApiSession, path: str, method: str) -> None:
    item = SPEC["paths"][path]
    filled = path
    for param in [resolve(p) for p in item.get("parameters", [])]:
        filled = filled.replace("{" + param["name"] + "}", unknown_value(param))
    response = systeme.request(method, filled, json={})
    assert_problem(response, 405)
    allowed = {part.strip() for part in response.headers["Allow"].split(",")}
    assert allowed - {"HEAD", "OPTIONS"} == {m.upper() for m in METHODS if m in item}
