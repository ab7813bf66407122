"""Compiling OpenAPI documents: the Systeme.io spec itself, and the compiler's rules on
small documents written for the purpose."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from mockserver.engine.spec import HTTP_METHODS, ApiSpec, Operation, Parameter, flask_rule, load_spec, read_yaml
from mockserver.providers.systeme import HANDLERS

SPEC_FILE = Path(__file__).resolve().parents[2] / "specs" / "systeme.yaml"


@pytest.fixture(scope="module")
def spec() -> ApiSpec:
    return load_spec(SPEC_FILE)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = read_yaml(SPEC_FILE)
    return loaded


def _param(op: Operation, name: str) -> Parameter:
    found = [p for p in op.parameters if p.name == name]
    assert len(found) == 1, f"{op.operation_id} has {len(found)} parameters named {name}"
    return found[0]


def _write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def _tiny(paths: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "Tiny", "version": "1"}, "paths": paths}


# -- the Systeme.io document --------------------------------------------------------------


def test_the_systeme_document_is_a_valid_openapi_document(document: dict[str, Any]) -> None:
    validate(document, base_uri=SPEC_FILE.as_uri())


def test_every_operation_is_compiled_with_a_unique_operation_id(spec: ApiSpec, document: dict[str, Any]) -> None:
    declared = [(path, method) for path, item in document["paths"].items() for method in HTTP_METHODS if method in item]
    ids = [op.operation_id for op in spec.operations]
    assert len(ids) == len(declared)
    assert len(set(ids)) == len(ids)
    assert {(op.path, op.method.lower()) for op in spec.operations} == set(declared)


def test_every_operation_has_a_handler_and_every_handler_an_operation(spec: ApiSpec) -> None:
    ids = {op.operation_id for op in spec.operations}
    assert ids - set(HANDLERS) == set(), "operations without a handler"
    assert set(HANDLERS) - ids == set(), "handlers without an operation"


def test_title_and_operation_lookup(spec: ApiSpec) -> None:
    assert spec.title == "Systeme.io Public API"
    assert spec.operation("getContact").path == "/api/contacts/{id}"
    assert spec.operation("getContact").method == "GET"
    with pytest.raises(KeyError):
        spec.operation("noSuchOperation")


def test_every_operation_is_secured_by_the_global_api_key(spec: ApiSpec) -> None:
    assert all(op.secured for op in spec.operations)


def test_list_parameters_are_compiled_with_kinds_and_defaults(spec: ApiSpec) -> None:
    op = spec.operation("listContacts")
    limit = _param(op, "limit")
    assert (limit.location, limit.kind, limit.default, limit.required) == ("query", "integer", 10, False)
    assert limit.validator.is_valid(10)
    assert not limit.validator.is_valid(9)
    assert not limit.validator.is_valid(101)
    order = _param(op, "order")
    assert (order.kind, order.default) == ("string", "desc")
    assert order.validator.is_valid("asc")
    assert not order.validator.is_valid("sideways")
    starting_after = _param(op, "startingAfter")
    assert (starting_after.kind, starting_after.default) == ("integer", None)
    assert _param(op, "unsubscribed").kind == "boolean"
    assert _param(op, "registeredAfter").kind == "string"


def test_comma_separated_array_parameter(spec: ApiSpec) -> None:
    tags = _param(spec.operation("listContacts"), "tags")
    assert (tags.kind, tags.item_kind, tags.style, tags.explode) == ("array", "integer", "form", False)
    assert tags.validator.is_valid([1, 2])
    assert not tags.validator.is_valid([0])


def test_path_level_parameters_reach_every_operation_of_the_path(spec: ApiSpec) -> None:
    for operation_id in ("getContact", "updateContact", "deleteContact"):
        ident = _param(spec.operation(operation_id), "id")
        assert (ident.location, ident.required, ident.kind, ident.style) == ("path", True, "integer", "simple")
    remove = spec.operation("removeTagFromContact")
    assert {p.name for p in remove.parameters} == {"id", "tagId"}
    webhook_id = _param(spec.operation("getWebhook"), "id")
    assert webhook_id.kind == "string"
    assert not webhook_id.validator.is_valid(5)


def test_request_bodies_are_compiled(spec: ApiSpec) -> None:
    create = spec.operation("createContact").body
    assert create is not None
    assert create.required is True
    assert list(create.media) == ["application/json"]
    validator = create.media["application/json"]
    assert validator is not None
    assert validator.is_valid({"email": "someone@example.com"})
    assert not validator.is_valid({})
    update = spec.operation("updateContact").body
    assert update is not None
    assert list(update.media) == ["application/merge-patch+json"]
    cancel = spec.operation("cancelSubscription").body
    assert cancel is not None
    assert cancel.required is False
    assert spec.operation("listContacts").body is None
    assert spec.operation("deleteContact").body is None


def test_responses_are_compiled_with_media_and_headers(spec: ApiSpec) -> None:
    op = spec.operation("createContact")
    assert set(op.responses) == {"201", "400", "401", "415", "422", "429"}
    created = op.responses["201"]
    assert list(created.media) == ["application/json"]
    assert {(h.name, h.required) for h in created.headers} == {
        ("X-RateLimit-Limit", True),
        ("X-RateLimit-Remaining", True),
        ("X-RateLimit-Refill", True),
    }
    assert list(op.responses["422"].media) == ["application/problem+json"]
    assert op.responses["401"].headers == ()
    assert "Retry-After" in {h.name for h in op.responses["429"].headers}
    deleted = spec.operation("deleteContact").responses["204"]
    assert deleted.media == {}


def test_response_for_finds_exact_statuses_and_nothing_else(spec: ApiSpec) -> None:
    op = spec.operation("getContact")
    assert op.response_for(200) is op.responses["200"]
    assert op.response_for(404) is op.responses["404"]
    assert op.response_for(500) is None
    assert op.response_for(201) is None


def test_webhook_payload_validators(spec: ApiSpec, document: dict[str, Any]) -> None:
    assert set(spec.webhooks) == set(document["webhooks"])
    assert all(validator is not None for validator in spec.webhooks.values())
    created = spec.webhooks["CONTACT_CREATED"]
    assert created is not None
    assert not created.is_valid({})


def test_extensions_are_kept_on_operations(tmp_path: Path) -> None:
    path = _write(
        tmp_path, _tiny({"/a": {"get": {"operationId": "a", "x-note": 1, "responses": {"200": {"description": "ok"}}}}})
    )
    assert load_spec(path).operation("a").extensions == {"x-note": 1}


# -- compiler rules on small documents ----------------------------------------------------


def _answers(media_type: str) -> dict[str, Any]:
    return {"description": media_type, "content": {media_type: {"schema": {"type": "object"}}}}


def _media_of(op: Operation, status: int) -> list[str] | None:
    found = op.response_for(status)
    return None if found is None else list(found.media)


def test_response_for_falls_back_to_range_then_default(tmp_path: Path) -> None:
    responses = {
        "200": _answers("application/exact+json"),
        "2XX": _answers("application/range+json"),
        "4XX": _answers("application/client-error+json"),
        "default": _answers("application/default+json"),
    }
    op = load_spec(_write(tmp_path, _tiny({"/a": {"get": {"operationId": "a", "responses": responses}}}))).operation("a")
    assert _media_of(op, 200) == ["application/exact+json"]
    assert _media_of(op, 201) == ["application/range+json"]
    assert _media_of(op, 299) == ["application/range+json"]
    assert _media_of(op, 404) == ["application/client-error+json"]
    assert _media_of(op, 500) == ["application/default+json"]
    assert _media_of(op, 302) == ["application/default+json"]


def test_default_response_alone_answers_every_status(tmp_path: Path) -> None:
    responses = {"default": _answers("application/default+json")}
    op = load_spec(_write(tmp_path, _tiny({"/a": {"get": {"operationId": "a", "responses": responses}}}))).operation("a")
    for status in (200, 204, 404, 503):
        assert _media_of(op, status) == ["application/default+json"]


def test_duplicate_operation_ids_are_refused(tmp_path: Path) -> None:
    ok = {"200": {"description": "ok"}}
    path = _write(
        tmp_path,
        _tiny({"/a": {"get": {"operationId": "same", "responses": ok}}, "/b": {"get": {"operationId": "same", "responses": ok}}}),
    )
    with pytest.raises(ValueError, match="same"):
        load_spec(path)


def test_operation_parameters_override_path_parameters(tmp_path: Path) -> None:
    item = {
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "get": {
            "operationId": "a",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}],
            "responses": {"200": {"description": "ok"}},
        },
        "delete": {"operationId": "b", "responses": {"204": {"description": "gone"}}},
    }
    spec = load_spec(_write(tmp_path, _tiny({"/things/{id}": item})))
    assert [(p.name, p.kind) for p in spec.operation("a").parameters] == [("id", "string")]
    assert [(p.name, p.kind) for p in spec.operation("b").parameters] == [("id", "integer")]


def test_nullable_type_lists_take_the_non_null_kind(tmp_path: Path) -> None:
    params = [{"name": "n", "in": "query", "schema": {"type": ["null", "integer"]}}]
    spec = load_spec(_write(tmp_path, _tiny({"/a": {"get": {"operationId": "a", "parameters": params, "responses": {}}}})))
    assert _param(spec.operation("a"), "n").kind == "integer"


def test_security_can_be_switched_off_per_operation(tmp_path: Path) -> None:
    document = _tiny(
        {
            "/open": {"get": {"operationId": "open", "security": [], "responses": {}}},
            "/closed": {"get": {"operationId": "closed", "responses": {}}},
        }
    )
    document["security"] = [{"key": []}]
    document["components"] = {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "K"}}}
    spec = load_spec(_write(tmp_path, document))
    assert spec.operation("open").secured is False
    assert spec.operation("closed").secured is True


def test_extra_methods_are_declared_with_x_methods(tmp_path: Path) -> None:
    item = {
        "get": {"operationId": "get", "responses": {}},
        "x-methods": {"purge": {"operationId": "purge", "responses": {"204": {"description": "purged"}}}},
    }
    spec = load_spec(_write(tmp_path, _tiny({"/cache": item})))
    assert spec.operation("purge").method == "PURGE"
    assert spec.operation("purge").path == "/cache"


def test_remote_refs_are_refused(tmp_path: Path) -> None:
    params = [{"$ref": "other.yaml#/components/parameters/limit"}]
    path = _write(tmp_path, _tiny({"/a": {"get": {"operationId": "a", "parameters": params, "responses": {}}}}))
    with pytest.raises(ValueError, match="local"):
        load_spec(path)


# -- flask rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation_id", "rule"),
    [
        ("listContacts", "/api/contacts"),
        ("getContact", "/api/contacts/<int:id>"),
        ("removeTagFromContact", "/api/contacts/<int:id>/tags/<int:tagId>"),
        ("createEnrollment", "/api/school/courses/<int:courseId>/enrollments"),
        ("updateContactField", "/api/contact_fields/<slug>"),
        ("getWebhook", "/api/webhooks/<id>"),
    ],
)
def test_flask_rule_types_integer_segments_only(spec: ApiSpec, operation_id: str, rule: str) -> None:
    assert flask_rule(spec.operation(operation_id)) == rule


def test_every_systeme_path_becomes_a_rule_without_braces(spec: ApiSpec) -> None:
    for op in spec.operations:
        rule = flask_rule(op)
        assert "{" not in rule
        assert "}" not in rule
        assert rule.count("<") == op.path.count("{")
