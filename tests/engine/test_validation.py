"""Reading requests against compiled operations (parameters, content type, body), checking
responses, and agreement with openapi-core's full request validator on the Systeme.io spec."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest
from openapi_core.exceptions import OpenAPIError
from werkzeug.datastructures import Headers, MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from mockserver.engine.errors import ApiError, BadRequest, NotFound, UnsupportedMediaType, ValidationFailed, Violation
from mockserver.engine.spec import ApiSpec, Operation, flask_rule, load_spec
from mockserver.engine.validation import check_response, parse_json, read_body, read_parameters

SYSTEME_SPEC = Path(__file__).resolve().parents[2] / "specs" / "systeme.yaml"

TINY = {
    "openapi": "3.1.0",
    "info": {"title": "Tiny", "version": "1"},
    "paths": {
        "/things/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}],
            "get": {
                "operationId": "getThing",
                "parameters": [
                    {"name": "mode", "in": "query", "required": True, "schema": {"type": "string", "enum": ["fast", "slow"]}},
                    {"name": "count", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 5}},
                    {"name": "ratio", "in": "query", "schema": {"type": "number"}},
                    {"name": "flag", "in": "query", "schema": {"type": "boolean"}},
                    {
                        "name": "ids",
                        "in": "query",
                        "style": "form",
                        "explode": False,
                        "schema": {"type": "array", "items": {"type": "integer", "minimum": 1}},
                    },
                    {"name": "names", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
                    {
                        "name": "filter",
                        "in": "query",
                        "style": "deepObject",
                        "explode": True,
                        "schema": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "status": {"type": "string", "enum": ["open", "closed"]},
                                "owner": {"type": "string"},
                            },
                        },
                    },
                    {
                        "name": "range",
                        "in": "query",
                        "style": "deepObject",
                        "explode": True,
                        "schema": {
                            "type": "object",
                            "properties": {"min": {"type": "integer"}, "exact": {"type": "boolean"}},
                        },
                    },
                    {"name": "X-Trace", "in": "header", "required": True, "schema": {"type": "string", "minLength": 3}},
                ],
                "responses": {
                    "200": {
                        "description": "A thing.",
                        "headers": {
                            "X-Count": {"required": True, "schema": {"type": "integer", "minimum": 0}},
                            "X-Note": {"schema": {"type": "string"}},
                        },
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["id"],
                                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                                }
                            }
                        },
                    },
                    "204": {"description": "Nothing."},
                },
            },
        },
        "/things": {
            "post": {
                "operationId": "createThing",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "fields": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["slug"],
                                            "properties": {
                                                "slug": {"type": "string"},
                                                "value": {"type": ["string", "null"], "maxLength": 3},
                                            },
                                        },
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {"201": {"description": "Created."}},
            },
            "patch": {
                "operationId": "patchThings",
                "requestBody": {
                    "required": False,
                    "content": {"application/merge-patch+json": {"schema": {"type": "object"}}},
                },
                "responses": {"200": {"description": "Patched."}},
            },
            "get": {"operationId": "listThings", "responses": {"200": {"description": "All."}}},
        },
    },
}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> ApiSpec:
    path = tmp_path_factory.mktemp("spec") / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY, sort_keys=False), encoding="utf-8")
    return load_spec(path)


@pytest.fixture(scope="module")
def get_thing(tiny: ApiSpec) -> Operation:
    return tiny.operation("getThing")


@pytest.fixture(scope="module")
def create_thing(tiny: ApiSpec) -> Operation:
    return tiny.operation("createThing")


def _read(op: Operation, query: str = "mode=fast", *, thing: str = "7", trace: str | None = "abc") -> dict[str, Any]:
    args: MultiDict[str, str] = MultiDict()
    for pair in filter(None, query.split("&")):
        key, _, value = pair.partition("=")
        args.add(key, value)
    headers = Headers()
    if trace is not None:
        headers["X-Trace"] = trace
    return read_parameters(op, {"id": thing}, args, headers)


def _violations(op: Operation, query: str, **kwargs: Any) -> list[Violation]:
    with pytest.raises(ValidationFailed) as caught:
        _read(op, query, **kwargs)
    return caught.value.violations


def _paths(violations: list[Violation]) -> set[str]:
    return {v.path for v in violations}


# -- parameters ---------------------------------------------------------------------------


def test_path_and_query_values_are_cast_and_defaults_filled(get_thing: Operation) -> None:
    values = _read(get_thing)
    assert values == {"id": 7, "mode": "fast", "count": 5, "X-Trace": "abc"}


def test_integers_are_cast(get_thing: Operation) -> None:
    assert _read(get_thing, "mode=fast&count=12")["count"] == 12
    assert _read(get_thing, "mode=fast&count=+3")["count"] == 3
    assert _read(get_thing, "mode=fast&count=007")["count"] == 7
    assert _read(get_thing, "mode=fast&count=" + "0" * 4299 + "9")["count"] == 9  # as long as int() reads


@pytest.mark.parametrize("raw", ["1.5", "ten", "", "1e3", "9" * 4301])  # int() refuses over 4,300 digits
def test_text_that_is_not_an_integer_is_a_violation(get_thing: Operation, raw: str) -> None:
    found = _violations(get_thing, f"mode=fast&count={raw}")
    assert _paths(found) == {"count"}
    assert found[0].rule == "type"


def test_integer_bounds_are_checked(get_thing: Operation) -> None:
    found = _violations(get_thing, "mode=fast&count=-1")
    assert _paths(found) == {"count"}
    assert found[0].rule == "minimum"


def test_numbers_are_cast(get_thing: Operation) -> None:
    assert _read(get_thing, "mode=fast&ratio=2.5")["ratio"] == 2.5
    assert _read(get_thing, "mode=fast&ratio=1e3")["ratio"] == 1000.0
    assert _read(get_thing, "mode=fast&ratio=-.5")["ratio"] == -0.5
    assert _paths(_violations(get_thing, "mode=fast&ratio=lots")) == {"ratio"}


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("false", False), ("1", True), ("0", False), ("TRUE", True)])
def test_booleans_are_cast(get_thing: Operation, raw: str, expected: bool) -> None:
    assert _read(get_thing, f"mode=fast&flag={raw}")["flag"] is expected


@pytest.mark.parametrize("raw", ["yes", "2", "", "truthy"])
def test_other_boolean_text_is_a_violation(get_thing: Operation, raw: str) -> None:
    assert _paths(_violations(get_thing, f"mode=fast&flag={raw}")) == {"flag"}


def test_comma_separated_arrays_are_split_and_cast(get_thing: Operation) -> None:
    assert _read(get_thing, "mode=fast&ids=3,1,2")["ids"] == [3, 1, 2]
    assert _read(get_thing, "mode=fast&ids=4")["ids"] == [4]


def test_a_bad_array_item_is_reported_at_its_index(get_thing: Operation) -> None:
    assert _paths(_violations(get_thing, "mode=fast&ids=1,x,3")) == {"ids[1]"}
    assert _paths(_violations(get_thing, "mode=fast&ids=1,2,0")) == {"ids[2]"}


def test_exploded_arrays_collect_repeated_keys(get_thing: Operation) -> None:
    assert _read(get_thing, "mode=fast&names=a&names=b")["names"] == ["a", "b"]


def test_deep_object_is_gathered_from_bracketed_keys(get_thing: Operation) -> None:
    values = _read(get_thing, "mode=fast&filter[status]=open&filter[owner]=ann&other[status]=x")
    assert values["filter"] == {"status": "open", "owner": "ann"}


def test_deep_object_absent_is_left_out(get_thing: Operation) -> None:
    assert "filter" not in _read(get_thing, "mode=fast")


def test_deep_object_members_are_validated(get_thing: Operation) -> None:
    assert _paths(_violations(get_thing, "mode=fast&filter[status]=lost")) == {"filter.status"}
    assert _violations(get_thing, "mode=fast&filter[colour]=red")[0].rule == "additionalProperties"


def test_deep_object_members_are_cast_to_their_types(get_thing: Operation) -> None:
    """Query text of a typed deepObject member must be cast like any other query value."""
    values = _read(get_thing, "mode=fast&range[min]=3&range[exact]=true")
    assert values["range"] == {"min": 3, "exact": True}


def test_missing_required_query_and_header_are_reported_together(get_thing: Operation) -> None:
    found = _violations(get_thing, "", trace=None)
    assert _paths(found) == {"mode", "X-Trace"}
    assert {v.rule for v in found} == {"required"}


def test_every_violation_is_reported_at_once(get_thing: Operation) -> None:
    found = _violations(get_thing, "mode=medium&count=-1&flag=maybe&ids=0")
    assert _paths(found) == {"mode", "count", "flag", "ids[0]"}


def test_headers_are_read_whatever_their_case(get_thing: Operation) -> None:
    headers = Headers({"x-trace": "lower"})
    values = read_parameters(get_thing, {"id": "1"}, MultiDict({"mode": "slow"}), headers)
    assert values["X-Trace"] == "lower"


def test_header_values_are_validated(get_thing: Operation) -> None:
    assert _paths(_violations(get_thing, "mode=fast", trace="ab")) == {"X-Trace"}


@pytest.mark.parametrize("thing", ["abc", "0", "1.5", "-3"])
def test_a_path_value_that_breaks_its_schema_is_not_found(get_thing: Operation, thing: str) -> None:
    with pytest.raises(NotFound) as caught:
        _read(get_thing, thing=thing)
    assert caught.value.status == 404
    assert _paths(caught.value.violations) == {"id"}


def test_a_bad_path_value_wins_over_query_violations(get_thing: Operation) -> None:
    with pytest.raises(NotFound):
        _read(get_thing, "count=-1", thing="abc", trace=None)


# -- bodies -------------------------------------------------------------------------------


def test_an_operation_without_a_body_ignores_what_is_sent(tiny: ApiSpec) -> None:
    assert read_body(tiny.operation("listThings"), "text/plain", b"whatever") == (None, None)


def test_a_valid_json_body_is_parsed(create_thing: Operation) -> None:
    body = {"name": "x", "fields": [{"slug": "a", "value": None}]}
    assert read_body(create_thing, "application/json", json.dumps(body).encode()) == ("application/json", body)


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "Application/JSON", " application/json ;charset=UTF-8"]
)
def test_content_type_parameters_and_case_are_ignored(create_thing: Operation, content_type: str) -> None:
    media_type, value = read_body(create_thing, content_type, b'{"name": "x"}')
    assert media_type == "application/json"
    assert value == {"name": "x"}


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/merge-patch+json"])
def test_a_content_type_the_operation_does_not_accept_is_415(create_thing: Operation, content_type: str) -> None:
    with pytest.raises(UnsupportedMediaType) as caught:
        read_body(create_thing, content_type, b'{"name": "x"}')
    assert caught.value.status == 415
    assert caught.value.received == content_type
    assert caught.value.supported == ["application/json"]


@pytest.mark.parametrize("content_type", [None, ""])
def test_a_body_without_a_content_type_is_415(create_thing: Operation, content_type: str | None) -> None:
    with pytest.raises(UnsupportedMediaType) as caught:
        read_body(create_thing, content_type, b'{"name": "x"}')
    assert caught.value.received == ""


def test_a_required_body_left_out_entirely_is_415(create_thing: Operation) -> None:
    with pytest.raises(UnsupportedMediaType):
        read_body(create_thing, None, b"")


def test_an_optional_body_may_be_left_out(tiny: ApiSpec) -> None:
    assert read_body(tiny.operation("patchThings"), None, b"") == (None, None)


def test_merge_patch_bodies_are_parsed_as_json(tiny: ApiSpec) -> None:
    media_type, value = read_body(tiny.operation("patchThings"), "application/merge-patch+json", b'{"a": null}')
    assert media_type == "application/merge-patch+json"
    assert value == {"a": None}


@pytest.mark.parametrize(
    "data",
    [b"{bad", b'{"name": "x",}', b"", b"   \n", b'{"name": NaN}', b'{"name": Infinity}', b"-Infinity", b'"\xff\xfe"'],
)
def test_unreadable_json_is_a_bad_request(create_thing: Operation, data: bytes) -> None:
    with pytest.raises(BadRequest) as caught:
        read_body(create_thing, "application/json", data)
    assert caught.value.status == 400
    assert caught.value.message == "Syntax error"


def test_parse_json_reads_plain_json() -> None:
    assert parse_json(b' {"a": [1, 2.5, null, true]} ') == {"a": [1, 2.5, None, True]}


def test_body_violations_carry_json_paths(create_thing: Operation) -> None:
    body = {"fields": [{"slug": "ok", "value": "toolong"}, {"value": "x"}]}
    with pytest.raises(ValidationFailed) as caught:
        read_body(create_thing, "application/json", json.dumps(body).encode())
    found = {(v.path, v.rule) for v in caught.value.violations}
    assert found == {("name", "required"), ("fields[0].value", "maxLength"), ("fields[1].slug", "required")}


def test_a_null_where_a_value_is_required_is_not_null(create_thing: Operation) -> None:
    with pytest.raises(ValidationFailed) as caught:
        read_body(create_thing, "application/json", b'{"name": null}')
    assert [(v.path, v.rule) for v in caught.value.violations] == [("name", "not_null")]


def test_a_body_of_the_wrong_type_is_reported_at_the_root(create_thing: Operation) -> None:
    with pytest.raises(ValidationFailed) as caught:
        read_body(create_thing, "application/json", b"[1, 2]")
    assert [(v.path, v.rule) for v in caught.value.violations] == [("", "type")]


# -- responses ----------------------------------------------------------------------------

GOOD_HEADERS = {"X-Count": "3"}


def test_a_conforming_response_has_no_problems(get_thing: Operation) -> None:
    assert check_response(get_thing.response_for(200), "application/json", {"id": 1, "name": "x"}, GOOD_HEADERS) == []
    assert check_response(get_thing.response_for(204), None, None, {}) == []


def test_an_undocumented_status_is_a_problem(get_thing: Operation) -> None:
    spec = get_thing.response_for(418)
    assert spec is None
    assert check_response(spec, "application/json", {"id": 1}, GOOD_HEADERS) == ["the status code is not documented"]


@pytest.mark.parametrize("media_type", ["application/problem+json", "text/html", None])
def test_a_wrong_content_type_is_a_problem(get_thing: Operation, media_type: str | None) -> None:
    problems = check_response(get_thing.response_for(200), media_type, {"id": 1}, GOOD_HEADERS)
    assert len(problems) == 1
    assert "content type" in problems[0]


def test_a_body_that_breaks_the_schema_is_a_problem(get_thing: Operation) -> None:
    problems = check_response(get_thing.response_for(200), "application/json", {"id": "one", "name": 2}, GOOD_HEADERS)
    assert len(problems) == 2
    assert any(p.startswith("body id:") for p in problems)
    assert any(p.startswith("body name:") for p in problems)


def test_a_missing_required_body_member_is_a_problem(get_thing: Operation) -> None:
    problems = check_response(get_thing.response_for(200), "application/json", {"name": "x"}, GOOD_HEADERS)
    assert len(problems) == 1
    assert problems[0].startswith("body id:")
    assert "required" in problems[0]


def test_a_body_where_none_is_documented_is_a_problem(get_thing: Operation) -> None:
    problems = check_response(get_thing.response_for(204), "application/json", {"id": 1}, {})
    assert len(problems) == 1
    assert "body" in problems[0]


def test_a_missing_required_header_is_a_problem(get_thing: Operation) -> None:
    problems = check_response(get_thing.response_for(200), "application/json", {"id": 1}, {"X-Note": "n"})
    assert len(problems) == 1
    assert "X-Count" in problems[0]
    assert "missing" in problems[0]


def test_header_names_match_whatever_their_case(get_thing: Operation) -> None:
    assert check_response(get_thing.response_for(200), "application/json", {"id": 1}, {"x-count": "0"}) == []


@pytest.mark.parametrize("value", ["many", "-1", "1.5"])
def test_a_header_value_that_breaks_its_schema_is_a_problem(get_thing: Operation, value: str) -> None:
    problems = check_response(get_thing.response_for(200), "application/json", {"id": 1}, {"X-Count": value})
    assert len(problems) == 1
    assert problems[0].startswith("header X-Count:")


# -- agreement with openapi-core on the Systeme.io spec -----------------------------------

CONTACT = {"email": "someone@example.com"}
WEBHOOK = {"name": "n", "url": "https://example.com/hook", "secret": "s", "subscriptions": ["CONTACT_CREATED"]}

# (method, path with query, JSON body or raw bytes, content type)
AGREEMENT_CASES: list[tuple[str, str, Any, str | None]] = [
    ("GET", "/api/contacts", None, None),
    ("GET", "/api/contacts?limit=50&order=asc&startingAfter=3", None, None),
    ("GET", "/api/contacts?limit=5", None, None),
    ("GET", "/api/contacts?limit=abc", None, None),
    ("GET", "/api/contacts?order=sideways", None, None),
    ("GET", "/api/contacts?tags=1,2,3", None, None),
    ("GET", "/api/contacts?tags=1,x", None, None),
    ("GET", "/api/contacts?unsubscribed=true&bounced=0", None, None),
    ("GET", "/api/contacts?unsubscribed=maybe", None, None),
    ("GET", "/api/contacts?registeredAfter=2024-01-01T00:00:00%2B00:00", None, None),
    ("GET", "/api/contacts?registeredAfter=last-week", None, None),
    ("GET", "/api/contacts/12", None, None),
    ("GET", "/api/contacts/abc", None, None),
    ("GET", "/api/contacts/0", None, None),
    ("GET", "/api/webhooks/0190a0e2-7b1c-7cc0-8000-000000000001", None, None),
    ("GET", "/api/webhooks/not-a-uuid", None, None),
    ("POST", "/api/contacts", CONTACT, "application/json"),
    ("POST", "/api/contacts", {**CONTACT, "fields": [{"slug": "city", "value": None}], "tags": [{"id": 2}]}, "application/json"),
    ("POST", "/api/contacts", {}, "application/json"),
    ("POST", "/api/contacts", {"email": "not-an-address"}, "application/json"),
    ("POST", "/api/contacts", {**CONTACT, "locale": "xx"}, "application/json"),
    ("POST", "/api/contacts", {**CONTACT, "fields": [{"value": "x"}]}, "application/json"),
    ("POST", "/api/contacts", b"hello", "text/plain"),
    ("POST", "/api/contacts", b"{bad", "application/json"),
    ("POST", "/api/contacts", None, None),
    ("POST", "/api/tags", {"name": "x" * 65}, "application/json"),
    ("POST", "/api/contacts/5/tags", {"tagId": 7}, "application/json"),
    ("POST", "/api/contacts/5/tags", {"tagId": "7"}, "application/json"),
    ("DELETE", "/api/contacts/3/tags/4", None, None),
    ("POST", "/api/payment/subscriptions/3/cancel", None, None),
    ("POST", "/api/payment/subscriptions/3/cancel", {"cancel": "Later"}, "application/json"),
    ("POST", "/api/webhooks", WEBHOOK, "application/json"),
    ("POST", "/api/webhooks", {**WEBHOOK, "subscriptions": []}, "application/json"),
]


@pytest.fixture(scope="module")
def systeme_spec() -> ApiSpec:
    return load_spec(SYSTEME_SPEC)


@pytest.fixture(scope="module")
def reference() -> OpenAPI:
    return OpenAPI.from_file_path(str(SYSTEME_SPEC))


@pytest.fixture(scope="module")
def routes(systeme_spec: ApiSpec) -> Map:
    return Map([Rule(flask_rule(op), endpoint=op.operation_id, methods=[op.method]) for op in systeme_spec.operations])


def _request(method: str, target: str, body: Any, content_type: str | None) -> Request:
    path, _, query = target.partition("?")
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    builder = EnvironBuilder(
        path=path,
        base_url="https://api.systeme.io",
        method=method,
        query_string=query,
        data=data,
        content_type=content_type,
        headers=Headers({"X-API-Key": "key"}),
    )
    return builder.get_request()


def _our_verdict(spec: ApiSpec, routes: Map, request: Request) -> bool:
    try:
        operation_id, path_values = routes.bind_to_environ(request.environ).match()
    except HTTPException:  # no route takes it (e.g. a non-integer id): refused
        return False
    op = spec.operation(operation_id)
    try:
        read_parameters(op, path_values, request.args, request.headers)
        read_body(op, request.content_type, request.get_data())
    except ApiError:
        return False
    return True


def _reference_verdict(reference: OpenAPI, request: Request) -> bool:
    try:
        reference.validate_request(WerkzeugOpenAPIRequest(request))
    except OpenAPIError:
        return False
    return True


def test_agreement_cases_cover_both_verdicts(reference: OpenAPI) -> None:
    """The table must hold valid and invalid requests, or agreement would prove little."""
    verdicts = {_reference_verdict(reference, _request(*case)) for case in AGREEMENT_CASES}
    assert verdicts == {True, False}


@pytest.mark.parametrize(("method", "target", "body", "content_type"), AGREEMENT_CASES)
def test_our_verdict_agrees_with_openapi_core(
    systeme_spec: ApiSpec,
    routes: Map,
    reference: OpenAPI,
    method: str,
    target: str,
    body: Any,
    content_type: str | None,
) -> None:
    request = _request(method, target, body, content_type)
    ours = _our_verdict(systeme_spec, routes, request)
    theirs = _reference_verdict(reference, _request(method, target, body, content_type))
    assert ours == theirs, f"we say {'valid' if ours else 'invalid'}, openapi-core says {'valid' if theirs else 'invalid'}"
