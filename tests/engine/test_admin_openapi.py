"""The admin API's OpenAPI document (GET /__admin/openapi.json): valid OpenAPI 3.1, the same
endpoints as the app's real Flask rules, and every answer of a realistic series of admin
calls (errors included) has a documented status and a body its schema accepts."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from mockserver.engine import admin as admin_module
from mockserver.engine.admin_openapi import admin_document
from mockserver.engine.context import Call, Reply
from mockserver.providers.systeme import PROVIDER as SYSTEME
from mockserver.testing import Emulator, WebhookReceiver
from tests.support import providers_under_test

URI = "urn:mockserver:admin-openapi"
PROVIDERS = [provider.name for provider in providers_under_test()]
# Flask answers HEAD and OPTIONS for every rule by itself.
IMPLICIT = {"HEAD", "OPTIONS"}
USER_AGENT = "mockserver-tests/1.0"


def fresh_key() -> str:
    return f"test-{uuid.uuid4().hex}"


def loopback() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # never through a proxy from the environment
    return session


@pytest.fixture(scope="module")
def server() -> Iterator[Emulator]:
    """A server of its own (these tests reset everything and move its clock) that refuses
    unknown keys, so accounts are registered through the admin API as in a shared setup."""
    with Emulator.start(strict_responses=True, allow_unknown_keys=False, rate_limit=1_000_000) as running:
        yield running


@pytest.fixture(scope="module")
def document(server: Emulator) -> dict[str, Any]:
    with loopback() as session:
        response = session.get(f"{server.url}/__admin/openapi.json", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    found: dict[str, Any] = response.json()
    return found


def pointer(*parts: str) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


class Checker:
    """Admin calls against the server, each answer checked against the document; remembers
    which (method, path template, documented status) it saw."""

    def __init__(self, server: Emulator, document: dict[str, Any]) -> None:
        self.server = server
        self.url = server.url
        self.document = document
        self.registry = Registry().with_resource(URI, Resource.from_contents(document, default_specification=DRAFT202012))
        self.seen: set[tuple[str, str, str]] = set()
        self.session = loopback()

    def validator(self, *parts: str) -> Draft202012Validator:
        """A validator of the document's schema at that place ($refs to components resolve)."""
        schema = {"$ref": URI + "#" + pointer(*parts)}
        return Draft202012Validator(schema, registry=self.registry, format_checker=Draft202012Validator.FORMAT_CHECKER)

    def operation(self, method: str, template: str) -> dict[str, Any]:
        found: dict[str, Any] = self.document["paths"][template][method.lower()]
        return found

    def call(self, method: str, template: str, values: dict[str, Any] | None = None, **kwargs: Any) -> requests.Response:
        path = template.format(**(values or {}))
        response = self.session.request(method, self.url + path, timeout=30, **kwargs)
        self.check(method, template, response)
        if "json" in kwargs:
            self.check_request_body(method, template, kwargs["json"], response.status_code)
        return response

    def check(self, method: str, template: str, response: requests.Response) -> None:
        responses = self.operation(method, template)["responses"]
        status = str(response.status_code)
        key = status if status in responses else f"{status[0]}XX"
        assert key in responses, f"{method} {template} answered {status}, which it does not document: {response.text[:300]}"
        self.seen.add((method, template, key))
        content = responses[key].get("content")
        if content is None:
            assert response.content == b"", f"{method} {template} {status} documents no body"
            return
        media = response.headers["Content-Type"].split(";")[0].strip()
        assert media in content, f"{method} {template} {status} answered {media}, documented: {sorted(content)}"
        if media == "application/json":
            schema = self.validator("paths", template, method.lower(), "responses", key, "content", media, "schema")
            errors = [error.message for error in schema.iter_errors(response.json())]
            assert not errors, f"{method} {template} {status}: {errors}"

    def check_request_body(self, method: str, template: str, body: Any, status: int) -> None:
        """The document and the server agree on the body: one the document refuses is refused
        (400 or 422); one the server takes is one the document takes."""
        if "requestBody" not in self.operation(method, template):
            return
        schema = self.validator("paths", template, method.lower(), "requestBody", "content", "application/json", "schema")
        accepted = schema.is_valid(body)
        if not accepted:
            assert status in (400, 422), f"{method} {template}: {body} breaks the document, yet the server answered {status}"
        if status < 300:
            assert accepted, f"{method} {template}: the server took {body}, which the document refuses"

    def documented(self, where: str) -> set[tuple[str, str, str]]:
        """Every (method, template, status) the document lists for engine or provider paths."""
        found = set()
        for template, item in self.document["paths"].items():
            provider = template.split("/")[2] in PROVIDERS
            if provider == (where == "providers"):
                found |= {(method.upper(), template, status) for method, op in item.items() for status in op["responses"]}
        return found


@pytest.fixture
def checker(server: Emulator, document: dict[str, Any]) -> Iterator[Checker]:
    server.engine.strict_problems.clear()
    checker = Checker(server, document)
    yield checker
    checker.session.close()
    assert server.engine.strict_problems == [], "an API answer broke its provider's spec"


# -- the document ----------------------------------------------------------------------------
def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"].startswith("3.1.")
    assert document["servers"] == [{"url": "/", "description": "The server that serves this document"}]
    operations = [op for item in document["paths"].values() for op in item.values()]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))
    assert all(op["tags"] and op["summary"] for op in operations)
    assert document["components"]["schemas"]["ProviderName"]["enum"] == list(PROVIDERS)


def test_every_admin_rule_is_documented_and_nothing_else(server: Emulator, document: dict[str, Any]) -> None:
    rules: set[tuple[str, str]] = set()
    integers: set[tuple[str, str]] = set()
    for rule in server.app.url_map.iter_rules():
        if not rule.rule.startswith("/__admin/"):
            continue
        path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule)
        rules |= {(path, method) for method in (rule.methods or set()) - IMPLICIT}
        integers |= {(path, name) for name in re.findall(r"<int:(\w+)>", rule.rule)}
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    assert rules == documented
    assert ("/__admin/systeme/sales/{order_id}/cancel", "POST") in documented
    # Integer routes say so, as path parameters every templated path declares.
    for path, item in document["paths"].items():
        for op in item.values():
            params = {p["name"]: p["schema"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert set(params) == set(re.findall(r"{(\w+)}", path))
            for name, schema in params.items():
                assert (schema["type"] == "integer") == ((path, name) in integers)


def test_the_document_is_built_once_at_start_up(server: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    def rebuilt(*_: Any) -> bytes:
        raise AssertionError("the document was built again for a request")

    monkeypatch.setattr(admin_module, "admin_openapi_json", rebuilt)
    with loopback() as session:
        first, second = (session.get(f"{server.url}/__admin/openapi.json", timeout=10) for _ in range(2))
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert json.loads(first.content) == admin_document(server.engine.providers.values(), "demo")


def test_each_action_is_documented_from_its_providers_declaration(server: Emulator, document: dict[str, Any]) -> None:
    for provider in server.engine.providers.values():
        assert set(provider.admin_schemas) <= set(provider.admin_actions)
        for (method, path), action in provider.admin_actions.items():
            template = f"/__admin/{provider.name}/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
            op = document["paths"][template][method.lower()]
            assert op["tags"] == [provider.name]
            assert (action.__doc__ or "").split("\n")[0].strip() in op["summary"]
            declared = provider.admin_schemas.get((method, path), {})
            assert {str(s) for s in declared.get("responses", {})} <= set(op["responses"])
            if "body" in declared:
                schema = op["requestBody"]["content"]["application/json"]["schema"]
                assert schema.get("required") == declared["body"].get("required")
                assert set(schema["properties"]) == set(declared["body"]["properties"]) | {"apiKey"}
                assert "422" in op["responses"]


def test_a_new_action_needs_no_engine_code() -> None:
    def ship(call: Call) -> Reply:
        """A parcel leaves the warehouse.

        Longer words for the description."""
        return Reply(200, {})

    def peek(call: Call) -> Reply:
        return Reply(200, {})

    actions = {("POST", "parcels/<int:parcel_id>/ship"): ship, ("GET", "parcels/<token>"): peek}
    schemas = {
        ("POST", "parcels/<int:parcel_id>/ship"): {
            "body": {"type": "object", "required": ["carrier"]},
            "responses": {202: "Shipped"},
        }
    }
    provider = replace(SYSTEME, name="parcels", admin_actions=actions, admin_schemas=schemas)
    paths = admin_document([provider], "demo-key")["paths"]

    shipped = paths["/__admin/parcels/parcels/{parcel_id}/ship"]["post"]
    assert shipped["summary"] == "A parcel leaves the warehouse."
    assert shipped["description"] == "Longer words for the description."
    assert shipped["parameters"][0] == {
        "name": "parcel_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    }
    body = shipped["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"]["properties"]["apiKey"]["default"] == "demo-key"
    assert sorted(shipped["responses"]) == ["202", "400", "422"]
    # Without a declaration: a loose answer, no body for a GET, the apiKey in the query.
    peeked = paths["/__admin/parcels/parcels/{token}"]["get"]
    assert peeked["summary"] == "GET parcels/<token>"
    assert "requestBody" not in peeked
    assert sorted(peeked["responses"]) == ["2XX", "400"]
    assert [p["name"] for p in peeked["parameters"]] == ["token", "apiKey"]

    with pytest.raises(ValueError, match="no admin action"):
        admin_document([replace(provider, admin_schemas={("POST", "nowhere"): {}})], "demo")


# -- the engine's endpoints, for real --------------------------------------------------------
def test_the_engines_answers_match_the_document(checker: Checker) -> None:  # noqa: PLR0915 - every engine route, in one walk
    key, other, unknown = fresh_key(), fresh_key(), fresh_key()
    call = checker.call
    sent = {"headers": {"Content-Type": "application/json"}}

    index = call("GET", "/__admin/").json()
    assert sorted(index["providers"]) == sorted(PROVIDERS) and index["allowUnknownKeys"] is False
    assert call("GET", "/__admin/health").json() == {"status": "ok"}
    assert call("GET", "/__admin/openapi.json").json()["openapi"] == "3.1.0"

    # accounts
    assert call("POST", "/__admin/tenants", json={"provider": "systeme", "apiKey": key}).status_code == 201
    demo = call("POST", "/__admin/tenants", json={"provider": "clickfunnels", "apiKey": other, "demo": True, "seed": 7})
    assert demo.status_code == 201 and demo.json()["demo"] is True
    assert call("POST", "/__admin/tenants", json={"provider": "systeme"}).status_code == 400
    assert call("POST", "/__admin/tenants", json={"apiKey": key}).status_code == 400
    assert call("POST", "/__admin/tenants", data="[]", **sent).status_code == 400
    assert [
        t["keyHint"] for t in call("GET", "/__admin/tenants", params={"provider": "systeme", "apiKey": key}).json()["items"]
    ] == ["…" + key[-4:]]
    assert call("GET", "/__admin/tenants", params={"provider": "nope"}).status_code == 400
    engine, settings = checker.server.engine, checker.server.engine.settings
    engine.settings = dataclasses.replace(settings, max_accounts=engine.store.count())  # full
    try:
        assert call("POST", "/__admin/tenants", json={"provider": "systeme", "apiKey": unknown}).status_code == 429
        assert call("POST", "/__admin/seed", json={"provider": "systeme", "apiKey": unknown}).status_code == 429
    finally:
        engine.settings = settings
    seeded = call("POST", "/__admin/seed", json={"provider": "simvoly", "apiKey": other, "seed": 3}).json()["seeded"]
    assert [t["provider"] for t in seeded] == ["simvoly"]
    assert len(call("POST", "/__admin/seed", json={}).json()["seeded"]) == len(PROVIDERS)
    assert call("POST", "/__admin/seed", json={"seed": "x"}).status_code == 400
    assert call("POST", "/__admin/seed", json={"provider": "nope"}).status_code == 400

    # webhooks: a real delivery, then its attempt
    api = {"X-API-Key": key}
    mine = {"provider": "systeme", "apiKey": key}
    with WebhookReceiver() as receiver:
        hook = {"name": "hook", "url": receiver.url, "secret": "s3cr3t-secret", "subscriptions": ["CONTACT_CREATED"]}
        assert checker.session.post(f"{checker.url}/systeme/api/webhooks", json=hook, headers=api, timeout=10).status_code == 201
        contact = {"email": "ada@gmail.com"}
        assert (
            checker.session.post(f"{checker.url}/systeme/api/contacts", json=contact, headers=api, timeout=10).status_code == 201
        )
        waited = call("POST", "/__admin/webhooks/wait", json={**mine, "count": 1, "timeout": 10}).json()
        assert waited["done"] is True and waited["attempts"] == 1
        assert call("POST", "/__admin/webhooks/wait", json={**mine, "timeout": 5}).json()["idle"] is True
        message_id = call("GET", "/__admin/webhooks/attempts", params=mine).json()["items"][0]["messageId"]
        again = call("POST", "/__admin/webhooks/redeliver", json={**mine, "messageId": message_id})
        assert again.status_code == 202 and again.json() == {"queued": True, "messageId": message_id}
        assert call("POST", "/__admin/webhooks/wait", json={**mine, "count": 2, "timeout": 10}).json()["done"] is True
    assert call("POST", "/__admin/webhooks/redeliver", json={**mine, "messageId": "nope"}).status_code == 404
    assert call("POST", "/__admin/webhooks/redeliver", json={**mine, "apiKey": other, "messageId": message_id}).status_code == 404
    assert call("POST", "/__admin/webhooks/redeliver", json=mine).status_code == 400
    attempts = call(
        "GET", "/__admin/webhooks/attempts", params={"provider": "systeme", "apiKey": key, "event": "CONTACT_CREATED"}
    )
    assert [(a["attempt"], a["ok"]) for a in attempts.json()["items"]] == [(1, True), (2, True)]
    assert call("GET", "/__admin/webhooks/attempts", params={"provider": "nope"}).status_code == 400
    for bad in ({"timeout": -1}, {"timeout": "soon"}, {"count": 1.5}, {"provider": "nope"}, {"apiKey": 5}):
        assert call("POST", "/__admin/webhooks/wait", json=bad).status_code == 400
    assert call("POST", "/__admin/webhooks/wait", data="{", **sent).status_code == 400

    # journal
    entries = call("GET", "/__admin/journal", params={**mine, "order": "asc"}).json()["items"]
    assert [e["operationId"] for e in entries] == ["createWebhook", "createContact"]
    assert entries[1]["events"][0]["event"] == "CONTACT_CREATED"
    filters = {
        "method": "post",
        "path": "/api/contacts",
        "status": "2xx",
        "operationId": "createContact",
        "since": "0",
        "limit": "1",
    }
    assert len(call("GET", "/__admin/journal", params={**mine, **filters}).json()["items"]) == 1
    for bad in ({"limit": "x"}, {"since": "-1"}, {"order": "sideways"}, {"status": "6xx"}, {"provider": "nope"}):
        assert call("GET", "/__admin/journal", params=bad).status_code == 400
    assert call("DELETE", "/__admin/journal", params=mine).status_code == 204
    assert call("GET", "/__admin/journal", params=mine).json()["items"] == []
    assert call("DELETE", "/__admin/journal", params={"provider": "nope"}).status_code == 400

    # clocks: the server's, and one account's
    assert call("GET", "/__admin/clock").json()["frozen"] is False
    assert call("GET", "/__admin/clock", params=mine).status_code == 200
    assert call("GET", "/__admin/clock", params={"provider": "systeme"}).status_code == 400
    assert call("GET", "/__admin/clock", params={"apiKey": key}).status_code == 400
    assert call("GET", "/__admin/clock", params={"provider": "systeme", "apiKey": unknown}).status_code == 404
    moved = call("POST", "/__admin/clock", json={**mine, "set": "2030-01-01T00:00:00Z", "advance": 3600, "freeze": True}).json()
    assert moved["now"] == "2030-01-01T01:00:00+00:00" and moved["frozen"] is True
    assert call("POST", "/__admin/clock", json={**mine, "reset": True}).json()["frozen"] is False
    assert call("POST", "/__admin/clock", json={"freeze": True}).json()["frozen"] is True
    assert call("POST", "/__admin/clock", json={"reset": True}).json()["frozen"] is False
    for bad in ({"set": "yesterday"}, {"advance": "x"}, {"advance": 1e12}, {"provider": "systeme"}):
        assert call("POST", "/__admin/clock", json=bad).status_code == 400
    assert call("POST", "/__admin/clock", json={"provider": "systeme", "apiKey": unknown, "freeze": True}).status_code == 404

    # snapshots: one account's, restored as another; refusals
    saved = call("GET", "/__admin/snapshot", params=mine)
    assert [a["apiKey"] for a in saved.json()["accounts"]] == [key]
    assert call("GET", "/__admin/snapshot").json()["scope"] == "server"
    assert call("GET", "/__admin/snapshot", params={"apiKey": key}).status_code == 400
    assert call("GET", "/__admin/snapshot", params={"provider": "systeme", "apiKey": unknown}).status_code == 404
    copy = {"provider": "systeme", "apiKey": fresh_key()}
    restored = call("PUT", "/__admin/snapshot", params=copy, data=saved.content, **sent)
    assert [t["keyHint"] for t in restored.json()["restored"]] == ["…" + copy["apiKey"][-4:]]
    assert call("PUT", "/__admin/snapshot", data="{}", **sent).status_code == 400

    # what the server saw
    assert call("GET", "/__admin/strict").json()["enabled"] is True
    with checker.session.get(f"{checker.url}/__admin/events", params={"provider": "systeme"}, stream=True, timeout=10) as stream:
        checker.check("GET", "/__admin/events", stream)
        assert stream.headers["Content-Type"].startswith("text/event-stream")
    assert call("GET", "/__admin/events", params={"kinds": "nope"}).status_code == 400

    # faults on demand
    scope = {"provider": "systeme", "apiKey": key}
    rule = call("POST", "/__admin/faults", json={**scope, "status": 503, "times": 1}).json()
    assert call("POST", "/__admin/faults", json={**scope, "status": 99}).status_code == 400
    assert [r["id"] for r in call("GET", "/__admin/faults", params=scope).json()["items"]] == [rule["id"]]
    assert call("GET", "/__admin/faults", params={"apiKey": key}).status_code == 400
    assert call("DELETE", "/__admin/faults/{rule_id}", {"rule_id": rule["id"]}).status_code == 204
    assert call("DELETE", "/__admin/faults/{rule_id}", {"rule_id": rule["id"]}).status_code == 404
    assert call("DELETE", "/__admin/faults", params=scope).json() == {"deleted": 0}
    assert call("DELETE", "/__admin/faults", params={"provider": "nope"}).status_code == 400
    assert call("POST", "/__admin/rate-limits", json={**scope, "limit": 5, "window": 1}).status_code == 200
    assert call("POST", "/__admin/rate-limits", json={**scope, "limit": 0, "window": 1}).status_code == 400
    assert call("GET", "/__admin/rate-limits", params=scope).json()["items"][0]["limit"] == 5
    assert call("GET", "/__admin/rate-limits", params={"apiKey": key}).status_code == 400
    assert call("DELETE", "/__admin/rate-limits", params=scope).json() == {"deleted": 1}
    assert call("DELETE", "/__admin/rate-limits", params={"provider": "nope"}).status_code == 400
    assert call("POST", "/__admin/webhooks/chaos", json={**scope, "duplicate": 1}).status_code == 200
    assert call("POST", "/__admin/webhooks/chaos", json={**scope, "duplicate": 2}).status_code == 400
    assert len(call("GET", "/__admin/webhooks/chaos", params=scope).json()["items"]) == 1
    assert call("GET", "/__admin/webhooks/chaos", params={"apiKey": key}).status_code == 400
    assert call("DELETE", "/__admin/webhooks/chaos", params=scope).json() == {"deleted": 1}
    assert call("DELETE", "/__admin/webhooks/chaos", params={"provider": "nope"}).status_code == 400

    # reset: one account, then everything
    assert call("POST", "/__admin/reset", json=mine).json() == {"reset": 1}
    assert call("POST", "/__admin/reset", json={"provider": "nope"}).status_code == 400
    assert call("POST", "/__admin/reset", json={"apiKey": 5}).status_code == 400
    assert call("POST", "/__admin/reset", data="not json", **sent).status_code == 400
    assert call("POST", "/__admin/reset").json()["reset"] >= 1

    assert checker.seen == checker.documented("engine"), "a documented status the series never saw, or the reverse"


# -- the providers' actions, for real --------------------------------------------------------
def test_the_providers_actions_answer_as_documented(checker: Checker) -> None:  # noqa: PLR0915 - every provider action, in one walk
    keys = {name: fresh_key() for name in PROVIDERS}

    def act(method: str, provider: str, path: str, body: Any = None, **values: Any) -> requests.Response:
        template = f"/__admin/{provider}/{path}"
        if method == "GET":
            return checker.call(method, template, values, params={"apiKey": keys[provider]})
        return checker.call(method, template, values, json={"apiKey": keys[provider], **(body or {})})

    def api(provider: str, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
        response = checker.session.post(f"{checker.url}/{provider}{path}", json=body, headers=headers, timeout=10)
        assert response.status_code in (200, 201), response.text
        return response.json()

    missing = 999999

    # Systeme.io
    sale = act("POST", "systeme", "sales", {"email": "ada@gmail.com", "pricePlan": {"type": "subscription", "amount": 1900}})
    order_id = sale.json()["order"]["id"]
    assert sale.status_code == 201
    assert act("POST", "systeme", "sales", {"contactId": missing}).status_code == 404
    assert [s["order"]["id"] for s in act("GET", "systeme", "sales").json()["items"]] == [order_id]
    assert act("POST", "systeme", "sales/{order_id}/cancel", order_id=order_id).status_code == 200
    assert act("POST", "systeme", "sales/{order_id}/cancel", order_id=order_id).status_code == 409
    assert act("POST", "systeme", "sales/{order_id}/cancel", order_id=missing).status_code == 404
    opted_in = act("POST", "systeme", "opt-ins", {"email": "bob@gmail.com"})
    assert opted_in.status_code == 200
    bounced = act("POST", "systeme", "email-status", {"contactId": opted_in.json()["id"], "bounced": True})
    assert bounced.json()["bounced"] is True
    assert act("POST", "systeme", "email-status", {"contactId": missing}).status_code == 404
    assert act("POST", "systeme", "courses", {"name": "Course", "modules": ["One"]}).status_code == 201
    assert act("POST", "systeme", "communities", {"name": "Club"}).status_code == 201
    assert act("POST", "systeme", "payments", {"enabled": True}).json() == {"payments": True}

    # ClickFunnels 2.0
    workspace = act("POST", "clickfunnels", "workspaces", {"name": "Shop two"}).json()["id"]
    assert act("POST", "clickfunnels", "workspaces", {"name": "Nowhere", "team_id": missing}).status_code == 404
    cf = {"Authorization": f"Bearer {keys['clickfunnels']}", "User-Agent": USER_AGENT}
    product = api("clickfunnels", f"/api/v2/workspaces/{workspace}/products", {"product": {"name": "Mug"}}, cf)["id"]
    order = {"contact": {"email_address": "c@example.com"}, "line_items": [{"product_id": product}]}
    assert act("POST", "clickfunnels", "orders", {"workspace_id": workspace, **order}).status_code == 201
    assert act("POST", "clickfunnels", "orders", {"workspace_id": missing, **order}).status_code == 404
    form = act("POST", "clickfunnels", "forms", {"name": "Sign-up", "workspace_id": workspace}).json()["id"]
    assert act("POST", "clickfunnels", "forms", {"name": "Sign-up", "workspace_id": missing}).status_code == 404
    submission = {"data": {"email_address": "v@example.com"}}
    assert act("POST", "clickfunnels", "forms/{form_id}/submissions", submission, form_id=form).status_code == 201
    assert act("POST", "clickfunnels", "forms/{form_id}/submissions", submission, form_id=missing).status_code == 404
    assert act("POST", "clickfunnels", "courses", {"title": "Course"}).status_code == 201
    assert act("POST", "clickfunnels", "courses", {"title": "Course", "workspace_id": missing}).status_code == 404

    # Simvoly (the first action makes the account, so the API knows the key)
    assert (
        act("POST", "simvoly", "form-submissions", {"fields": [{"name": "email", "value": "v@example.com"}]}).status_code == 201
    )
    booking = {"name": "Vi", "email": "v@example.com", "start": 1900000000}
    assert act("POST", "simvoly", "bookings", booking).status_code == 201
    assert act("POST", "simvoly", "bookings", {**booking, "end": 1800000000}).status_code == 422
    sv = {"Authorization": f"Bearer {keys['simvoly']}", "User-Agent": USER_AGENT}
    item = api("simvoly", "/api/site/products", {"type": "physical", "title": "Mug", "variants": [{"price": 12}]}, sv)["id"]
    assert act("POST", "simvoly", "orders", {"customerEmail": "c@example.com", "items": [{"productId": item}]}).status_code == 201
    assert (
        act("POST", "simvoly", "orders", {"customerEmail": "c@example.com", "items": [{"productId": missing}]}).status_code == 422
    )
    assert act("GET", "simvoly", "emails").status_code == 200

    # Yulsn
    assert act("POST", "yulsn", "dynamic-fields", {"owner": "Contacts", "name": "Shoe", "type": 1}).status_code == 201
    assert act("POST", "yulsn", "tables", {"name": "Visits"}).status_code == 201
    assert act("POST", "yulsn", "tables", {"name": "Visits"}).status_code == 409
    assert act("POST", "yulsn", "types", {"orderTypes": ["Web"]}).json()["orderTypes"] == ["Web"]
    contact = api(
        "yulsn", "/api/v1/Contacts", {"Email": "y@example.dk"}, {"X-ApiKey": keys["yulsn"], "Accept": "application/json"}
    )
    assert act("POST", "yulsn", "bounces", {"contactId": contact["Id"]}).status_code == 200
    assert act("POST", "yulsn", "bounces", {"contactId": missing}).status_code == 404
    for path, body in (
        ("actions", {"name": "Act"}),
        ("banners", {"name": "Banner", "versions": 2}),
        ("feeds", {"name": "Feed"}),
        ("iframe-tokens", {"id": "token-1"}),
        ("permission-categories", {"name": "Cat", "permissionSources": ["Newsletter"]}),
        ("email-templates", {"name": "Welcome"}),
        ("email2-triggers", {"name": "Trigger"}),
        ("media-folders", {"name": "Pictures"}),
    ):
        assert act("POST", "yulsn", path, body).status_code == 201
    assert act("POST", "yulsn", "iframe-tokens", {"id": "token-1"}).status_code == 409
    assert act("POST", "yulsn", "media-folders", {"name": "Lost", "parentId": missing}).status_code == 404
    for path in ("triggers", "banners", "feeds", "email2-dispatches"):
        assert act("GET", "yulsn", path).status_code == 200

    # Every action refuses a body that is no object (400), and one breaking its schema (422).
    for template, item in checker.document["paths"].items():
        provider = template.split("/")[2]
        if provider not in PROVIDERS:
            continue
        values = dict.fromkeys(re.findall(r"{(\w+)}", template), 1)
        for method, op in item.items():
            refused = checker.call(method.upper(), template, values, data="[1]", headers={"Content-Type": "application/json"})
            assert refused.status_code == 400
            if "requestBody" in op and "422" in op["responses"]:
                properties = op["requestBody"]["content"]["application/json"]["schema"]["properties"]
                wrong = {name: [{"not": "this"}] for name in properties if name != "apiKey"}  # fits no property here
                assert checker.call(method.upper(), template, values, json={"apiKey": keys[provider], **wrong}).status_code == 422

    assert checker.seen == checker.documented("providers"), "a documented status the series never saw, or the reverse"


def test_action_bodies_the_document_takes_the_server_takes(checker: Checker) -> None:
    """A few bodies checked against the document's schema first, then sent."""
    key = fresh_key()
    template = "/__admin/systeme/sales"
    schema = checker.validator("paths", template, "post", "requestBody", "content", "application/json", "schema")
    good = [
        {"apiKey": key, "email": f"{uuid.uuid4().hex[:8]}@gmail.com"},
        {"apiKey": key, "email": "zoe@gmail.com", "coupon": {"code": "TEN", "discountAmount": 10, "discountType": "percent"}},
    ]
    bad = [
        {"apiKey": key},  # neither email nor contactId
        {"apiKey": key, "email": "zoe@gmail.com", "pricePlan": {"currency": "euro"}},
        {"apiKey": key, "email": "zoe@gmail.com", "coupon": {"code": "TEN"}},
    ]
    for body in good:
        assert schema.is_valid(body)
        assert checker.call("POST", template, json=body).status_code == 201
    for body in bad:
        assert not schema.is_valid(body)
        answer = checker.call("POST", template, json=body)
        assert answer.status_code == 422 and answer.json()["violations"]
    # The action's apiKey says whose account it is: the sales went to that one only.
    listed = checker.call("GET", template, params={"apiKey": key}).json()["items"]
    assert len(listed) == len(good)
