"""The admin API (engine/admin.py, mount_admin): the index, resets and seeding in their
scopes, accounts and their registration, each provider's actions (where their key, values and
refusals come from), webhook attempts and waits, the journal's filters, the server's and an
account's clock, the event stream and strict mode; and the 400/404 answers, with what they
say, for a body that is no JSON object, an unknown provider, a key of no account and every
bad value. Two small providers of the test's own stand in for the vendors'."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.exceptions import NotFound as WerkzeugNotFound
from werkzeug.test import TestResponse

from mockserver.app import create_app, emulator_of
from mockserver.engine.context import Call, Reply, Services
from mockserver.engine.delivering import Outgoing
from mockserver.engine.errors import ApiError, Conflict, ValidationFailed, Violation
from mockserver.engine.provider import ErrorReply, Event, Provider
from mockserver.engine.ratelimit import Quota
from mockserver.engine.runtime import encode
from mockserver.engine.settings import Settings
from mockserver.engine.store import Tenant
from mockserver.testing import WebhookReceiver

SPEC = """
openapi: 3.1.0
info: {title: Widgets, version: "1"}
paths:
  /api/widgets:
    get:
      operationId: listWidgets
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
    post:
      operationId: createWidget
      requestBody: {required: true, content: {application/json: {schema: {type: object, required: [name]}}}}
      responses:
        "201": {description: made, content: {application/json: {schema: {type: object, required: [id]}}}}
        default: {description: refused, content: {application/json: {schema: {type: object}}}}
"""
PROVIDERS = "provider must be one of ['gadgets', 'widgets']"
JSON = {"Content-Type": "application/json"}


# -- the providers ----------------------------------------------------------------------------
def _create(call: Call) -> Reply:
    """A widget; with `hook`, an event (named `event`, for webhook `webhook`) delivered there."""
    number = call.tenant.next_id("widget")
    row = call.tenant.table("widgets").insert(number, {"id": number, "name": call.body["name"]})
    if "hook" in call.body:
        call.emit(call.body.get("event", "widget.created"), row, url=call.body["hook"], webhook=call.body.get("webhook", "w1"))
    return Reply(201, row)


def _sell(call: Call) -> Reply:
    """A sale happens (outside the API)."""
    if "hook" in call.body:
        call.emit("sale.made", {"id": 0}, url=call.body["hook"], webhook="w-sales")
    return Reply(201, {"key": call.tenant.key, "params": dict(call.params)})


def _peek(call: Call) -> Reply:
    return Reply(200, {"key": call.tenant.key, "params": dict(call.params)})


def _refuse(call: Call) -> Reply:
    raise ValidationFailed("bad sale", violations=[Violation("amount", "must be positive")])


def _clash(call: Call) -> Reply:
    raise Conflict()


def _quiet(call: Call) -> Reply:
    return Reply(202)


def _init(tenant: Tenant, services: Services) -> None:
    tenant.table("widgets")


def _seed_demo(tenant: Tenant, services: Services, seed: int) -> None:
    tenant.settings["seed"] = seed
    tenant.table("widgets").insert(1, {"id": 1, "name": f"demo-{seed}"})


def _deliveries(tenant: Tenant, event: Event, services: Services) -> list[Outgoing]:
    number = tenant.next_id("message")
    body = encode({"event": event.name, "data": event.payload})
    return [Outgoing(event.meta["url"], body, {}, event.name, event.meta["webhook"], f"{tenant.key}-m{number}")]


def _render_error(err: ApiError) -> ErrorReply:
    return ErrorReply(err.status, {"code": err.code})


def _quota_headers(quota: Quota) -> dict[str, str]:
    return {}


def _provider(name: str, spec_file: Path, actions: dict[tuple[str, str], Any], handlers: dict[str, Any]) -> Provider:
    return Provider(
        name=name,
        title=name.title(),
        spec_file=spec_file,
        handlers={"listWidgets": lambda call: Reply(200, {}), "createWidget": _create, **handlers},
        credentials=lambda request: request.headers.get("X-Key"),
        render_error=_render_error,
        init_tenant=_init,
        seed_demo=_seed_demo,
        deliveries=_deliveries,
        retry_schedule=(),
        quota_headers=_quota_headers,
        client_headers=lambda key: {"X-Key": key},
        admin_actions=actions,
    )


WIDGET_ACTIONS = {
    ("POST", "sales"): _sell,
    ("GET", "sales/<int:sale_id>"): _peek,
    ("POST", "refuse"): _refuse,
    ("POST", "clash"): _clash,
    ("POST", "quiet"): _quiet,
}


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("admin") / "widgets.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def _app(spec_file: Path, handlers: dict[str, Any] | None = None, **settings: Any) -> Flask:
    providers = [_provider("widgets", spec_file, WIDGET_ACTIONS, handlers or {}), _provider("gadgets", spec_file, {}, {})]
    # Served as emulator.test too (as with --allowed-host): the index tells base URLs by Host.
    defaults = {"seed": 3, "allow_unknown_keys": False, "webhook_timeout": 5.0, "allowed_hosts": ("emulator.test",)}
    return create_app(Settings(**{**defaults, **settings}), providers)


@pytest.fixture
def app(spec_file: Path) -> Iterator[Flask]:
    """A server of the test's own (these tests reset it and move its clocks) that refuses
    unknown keys; its deliveries run, and stop with the test."""
    served = _app(spec_file)
    yield served
    emulator_of(served).dispatcher.stop()


@pytest.fixture(scope="module")
def untouched(spec_file: Path) -> Iterator[Flask]:
    """One server for the tests of refusals: a refused call changes nothing, which is
    checked once they are all done."""
    served = _app(spec_file)
    yield served
    emulator = emulator_of(served)
    emulator.dispatcher.stop()
    assert (emulator.store.tenants(), emulator.registered, emulator.journal.entries(), emulator.generation) == ([], set(), [], 0)
    assert emulator.clock.state() == {"offsetSeconds": 0.0, "frozenAt": None}


def _admin(app: Flask, method: str, path: str, **kwargs: Any) -> TestResponse:
    with app.test_client() as client:
        return client.open(f"/__admin/{path}", method=method, **kwargs)


def _api(app: Flask, method: str, key: str, provider: str = "widgets", **kwargs: Any) -> TestResponse:
    with app.test_client() as client:
        return client.open(f"/{provider}/api/widgets", method=method, headers={"X-Key": key}, **kwargs)


def _ok(response: TestResponse, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/json"
    return response.get_json()


def _refused(response: TestResponse, status: int, message: str) -> None:
    assert (response.status_code, response.get_json()) == (status, {"error": message}), response.get_data(as_text=True)
    assert response.content_type == "application/json"


def _register(app: Flask, *accounts: tuple[str, str]) -> None:
    for provider, key in accounts:
        _ok(_admin(app, "POST", "tenants", json={"provider": provider, "apiKey": key}), 201)


# -- the index ---------------------------------------------------------------------------------
def test_the_index_says_what_is_emulated_and_how_the_server_runs(app: Flask) -> None:
    _ok(_admin(app, "POST", "clock", json={"set": "2031-05-06T07:08:09Z", "freeze": True}))
    index = _ok(_admin(app, "GET", "", base_url="http://emulator.test:9000"))
    actions = ["POST /__admin/widgets/sales", "GET /__admin/widgets/sales/<int:sale_id>", "POST /__admin/widgets/refuse"]
    actions += ["POST /__admin/widgets/clash", "POST /__admin/widgets/quiet"]
    assert index == {
        # Each provider's title is its spec's (the two providers share one spec here).
        "providers": {
            "widgets": {
                "title": "Widgets",
                "baseUrl": "http://emulator.test:9000/widgets",
                "operations": 2,
                "adminActions": actions,
            },
            "gadgets": {"title": "Widgets", "baseUrl": "http://emulator.test:9000/gadgets", "operations": 2, "adminActions": []},
        },
        "demoKey": "demo",
        "nativeRoot": None,
        "allowUnknownKeys": False,
        "seed": 3,
        "clock": {"now": "2031-05-06T07:08:09+00:00", "frozen": True, "offsetSeconds": 0.0},
    }
    assert _ok(_admin(app, "GET", "health")) == {"status": "ok"}


def test_the_index_of_a_server_without_demo_data_names_no_demo_key(spec_file: Path) -> None:
    served = _app(spec_file, demo_data=False, native="gadgets", allow_unknown_keys=True, seed=11)
    try:
        index = _ok(_admin(served, "GET", ""))
    finally:
        emulator_of(served).dispatcher.stop()
    assert (index["demoKey"], index["nativeRoot"], index["allowUnknownKeys"], index["seed"]) == (None, "gadgets", True, 11)


# -- what every endpoint refuses -----------------------------------------------------------------
BODY_ENDPOINTS = ["reset", "seed", "tenants", "webhooks/wait", "clock", "widgets/sales"]


@pytest.mark.parametrize("path", BODY_ENDPOINTS)
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{", "the body is not valid JSON"),
        (b"advance=60", "the body is not valid JSON"),
        (b'{"advance": NaN}', "the body is not valid JSON"),
        (b'{"apiKey": "\xff"}', "the body is not valid JSON"),  # not UTF-8
        (b"[" * 100_000 + b"]" * 100_000, "the body is not valid JSON"),  # deeper than the parser goes
        (b"[1, 2]", "the body must be a JSON object"),
        (b'"reset"', "the body must be a JSON object"),
        (b"null", "the body must be a JSON object"),
    ],
    ids=["cut", "form", "nan", "latin-1", "deep", "array", "string", "null"],
)
def test_a_body_that_is_no_json_object_is_refused(untouched: Flask, path: str, body: bytes, message: str) -> None:
    _refused(_admin(untouched, "POST", path, data=body, headers=JSON), 400, message)


def test_an_empty_body_asks_for_every_default(app: Flask) -> None:
    _register(app, ("widgets", "a"))
    assert _ok(_admin(app, "POST", "reset", data=b" \r\n\t")) == {"reset": 1}  # everything
    seeded = _ok(_admin(app, "POST", "seed"))["seeded"]
    assert [(t["provider"], t["keyHint"], t["settings"]) for t in seeded] == [
        ("widgets", "…demo", {"seed": 3}),
        ("gadgets", "…demo", {"seed": 3}),
    ]


SCOPED = [
    ("POST", "reset", "json"),
    ("POST", "seed", "json"),
    ("GET", "tenants", "query"),
    ("POST", "tenants", "json"),
    ("GET", "webhooks/attempts", "query"),
    ("POST", "webhooks/wait", "json"),
    ("GET", "journal", "query"),
    ("DELETE", "journal", "query"),
    ("GET", "clock", "query"),
    ("POST", "clock", "json"),
    ("GET", "snapshot", "query"),
    ("PUT", "snapshot", "query"),
    ("GET", "events", "query"),
]


@pytest.mark.parametrize(("method", "path", "where"), SCOPED)
@pytest.mark.parametrize("provider", ["nope", "Widgets", ["widgets"], 5])
def test_a_provider_the_server_does_not_emulate_is_refused(
    untouched: Flask, method: str, path: str, where: str, provider: Any
) -> None:
    if where == "query" and not isinstance(provider, str):
        provider = str(provider)
    scope = {"provider": provider, "apiKey": "a"}
    kwargs: dict[str, Any] = {"json": scope} if where == "json" else {"query_string": scope}
    _refused(_admin(untouched, method, path, **kwargs), 400, PROVIDERS)


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "reset"), ("POST", "seed"), ("POST", "tenants"), ("POST", "webhooks/wait"), ("POST", "widgets/sales")],
)
@pytest.mark.parametrize("key", [5, ["a"], {"key": "a"}, True])
def test_a_key_that_is_no_string_is_refused(untouched: Flask, method: str, path: str, key: Any) -> None:
    _refused(_admin(untouched, method, path, json={"provider": "widgets", "apiKey": key}), 400, "apiKey must be a string")


@pytest.mark.parametrize("provider", ["", 0, False, []])
def test_seeding_refuses_an_empty_provider_as_the_other_endpoints_do(app: Flask, provider: Any) -> None:
    _refused(_admin(app, "POST", "reset", json={"provider": provider}), 400, PROVIDERS)
    _refused(_admin(app, "POST", "seed", json={"provider": provider}), 400, PROVIDERS)
    assert _ok(_admin(app, "GET", "tenants"))["items"] == []  # nothing seeded
    # null is no provider given, as for a reset: every provider is seeded.
    seeded = _ok(_admin(app, "POST", "seed", json={"provider": None}))["seeded"]
    assert [t["provider"] for t in seeded] == ["widgets", "gadgets"]


# -- accounts --------------------------------------------------------------------------------
def test_a_reset_forgets_the_accounts_in_its_scope_and_only_a_whole_one_resets_the_clock(app: Flask) -> None:
    _register(app, ("widgets", "a"), ("widgets", "b"), ("gadgets", "a"), ("gadgets", "b"))
    _ok(_admin(app, "POST", "clock", json={"advance": 3600}))

    def left() -> list[tuple[str, str]]:
        return sorted((t["provider"], t["keyHint"][1:]) for t in _ok(_admin(app, "GET", "tenants"))["items"])

    assert _ok(_admin(app, "POST", "reset", json={"provider": "widgets", "apiKey": "a"})) == {"reset": 1}
    assert left() == [("gadgets", "a"), ("gadgets", "b"), ("widgets", "b")]
    assert _ok(_admin(app, "POST", "reset", json={"apiKey": "a"})) == {"reset": 1}  # that key, of any provider
    assert _ok(_admin(app, "POST", "reset", json={"provider": "gadgets"})) == {"reset": 1}
    assert left() == [("widgets", "b")]
    assert _ok(_admin(app, "GET", "clock"))["offsetSeconds"] == 3600.0
    assert _ok(_admin(app, "POST", "reset", json={})) == {"reset": 1}
    assert left() == [] and _ok(_admin(app, "GET", "clock"))["offsetSeconds"] == 0.0
    # Registered keys stay registered: the API still takes them, with a new, empty account.
    assert _api(app, "GET", "a").status_code == 200
    assert _api(app, "GET", "stranger").status_code == 401


def test_seeding_gives_accounts_demo_data_from_a_seed_and_registers_their_key(app: Flask) -> None:
    one = _ok(_admin(app, "POST", "seed", json={"provider": "widgets", "apiKey": "k", "seed": 9}))
    assert one == {
        "seeded": [{"provider": "widgets", "keyHint": "…k", "demo": True, "settings": {"seed": 9}, "records": {"widgets": 1}}]
    }
    assert _api(app, "GET", "k").status_code == 200
    again = _ok(_admin(app, "POST", "seed", json={"provider": "widgets", "apiKey": "k", "seed": -2}))["seeded"]
    assert again[0]["settings"] == {"seed": -2}  # replaced, not added to
    for seed in ("x", True, 1.5, None, [1]):
        _refused(_admin(app, "POST", "seed", json={"seed": seed}), 400, "seed must be an integer")


def test_registering_an_account_makes_it_empty_or_with_demo_data(app: Flask) -> None:
    assert _api(app, "GET", "newcomer").status_code == 401
    made = _ok(_admin(app, "POST", "tenants", json={"provider": "widgets", "apiKey": "newcomer"}), 201)
    assert made == {"provider": "widgets", "keyHint": "…omer", "demo": False, "settings": {}, "records": {"widgets": 0}}
    assert _api(app, "GET", "newcomer").status_code == 200
    demo = _ok(_admin(app, "POST", "tenants", json={"provider": "gadgets", "apiKey": "d", "demo": True, "seed": 4}), 201)
    assert (demo["demo"], demo["settings"], demo["records"]) == (True, {"seed": 4}, {"widgets": 1})
    default = _ok(_admin(app, "POST", "tenants", json={"provider": "gadgets", "apiKey": "e", "demo": True}), 201)
    assert default["settings"] == {"seed": 3}  # the server's
    for body in ({"provider": "widgets"}, {"provider": "widgets", "apiKey": ""}, {"provider": "widgets", "apiKey": None}):
        _refused(_admin(app, "POST", "tenants", json=body), 400, "apiKey is required")
    _refused(_admin(app, "POST", "tenants", json={"apiKey": "x"}), 400, PROVIDERS)
    _refused(
        _admin(app, "POST", "tenants", json={"provider": "widgets", "apiKey": "x", "demo": True, "seed": "1"}),
        400,
        "seed must be an integer",
    )


def test_the_accounts_are_listed_by_provider_and_key(app: Flask) -> None:
    _register(app, ("widgets", "a"), ("widgets", "b"), ("gadgets", "a"))

    def listed(**query: str) -> list[tuple[str, str]]:
        return sorted((t["provider"], t["keyHint"][1:]) for t in _ok(_admin(app, "GET", "tenants", query_string=query))["items"])

    assert listed() == [("gadgets", "a"), ("widgets", "a"), ("widgets", "b")]
    assert listed(provider="widgets") == [("widgets", "a"), ("widgets", "b")]
    assert listed(apiKey="a") == [("gadgets", "a"), ("widgets", "a")]
    assert listed(provider="gadgets", apiKey="b") == []


# -- the providers' actions ---------------------------------------------------------------------
def test_an_action_runs_for_the_key_in_its_body_its_query_or_the_demo_key(app: Flask) -> None:
    _register(app, ("widgets", "a"), ("widgets", "b"))
    assert _ok(_admin(app, "POST", "widgets/sales", json={"apiKey": "a"}), 201)["key"] == "a"
    assert _ok(_admin(app, "POST", "widgets/sales?apiKey=b", json={}), 201)["key"] == "b"
    assert _ok(_admin(app, "POST", "widgets/sales?apiKey=b", json={"apiKey": "a"}), 201)["key"] == "a"  # the body's first
    assert _ok(_admin(app, "POST", "widgets/sales"), 201)["key"] == "demo"
    peeked = _ok(_admin(app, "GET", "widgets/sales/7", query_string={"apiKey": "a", "colour": "red"}))
    assert peeked == {"key": "a", "params": {"apiKey": "a", "colour": "red", "sale_id": 7}}  # the query and the path's values


def test_an_action_for_a_key_of_no_account_makes_one_and_registers_the_key(app: Flask) -> None:
    assert _api(app, "GET", "walk-in").status_code == 401
    assert _ok(_admin(app, "POST", "widgets/sales", json={"apiKey": "walk-in"}), 201)["key"] == "walk-in"
    assert _ok(_admin(app, "GET", "tenants", query_string={"apiKey": "walk-in"}))["items"][0]["records"] == {"widgets": 0}
    assert _api(app, "GET", "walk-in").status_code == 200


def test_an_actions_refusal_says_why_and_an_empty_reply_has_no_body(app: Flask) -> None:
    refused = _admin(app, "POST", "widgets/refuse", json={})
    assert refused.status_code == 422
    assert refused.get_json() == {"error": "bad sale", "violations": [{"path": "amount", "message": "must be positive"}]}
    _refused(_admin(app, "POST", "widgets/clash", json={}), 409, "conflict")  # no message: its code
    quiet = _admin(app, "POST", "widgets/quiet")
    assert (quiet.status_code, quiet.get_data()) == (202, b"")
    # Only the provider's own actions, at their paths, with their methods, and integer values.
    _refused(_admin(app, "POST", "gadgets/sales", json={}), 404, WerkzeugNotFound.description)
    _refused(_admin(app, "GET", "widgets/sales/seven"), 404, WerkzeugNotFound.description)
    assert _admin(app, "DELETE", "widgets/sales").status_code == 405


# -- webhooks ---------------------------------------------------------------------------------
def test_attempts_are_listed_per_account_and_filtered_and_waits_end_when_they_are_recorded(app: Flask) -> None:
    _register(app, ("widgets", "a"), ("widgets", "b"))
    with WebhookReceiver() as receiver:
        hook = {"name": "w", "hook": receiver.url}
        _ok(_api(app, "POST", "a", json={**hook, "event": "widget.created"}), 201)
        _ok(_api(app, "POST", "a", json={**hook, "event": "widget.renamed", "webhook": "w2"}), 201)
        _ok(_api(app, "POST", "b", json={**hook, "event": "widget.renamed"}), 201)
        _ok(_admin(app, "POST", "widgets/sales", json={"apiKey": "a", "hook": receiver.url}), 201)
        mine = {"provider": "widgets", "apiKey": "a"}
        waited = _ok(_admin(app, "POST", "webhooks/wait", json={**mine, "count": 3, "timeout": 10}))
        assert waited == {"idle": True, "done": True, "attempts": 3, "outstanding": 0}
        renamed = _ok(_admin(app, "POST", "webhooks/wait", json={"provider": "widgets", "event": "widget.renamed", "count": 2}))
        assert (renamed["done"], renamed["attempts"]) == (True, 2)  # both accounts'
        assert _ok(_admin(app, "POST", "webhooks/wait", json={**mine, "timeout": 0}))["idle"] is True  # nothing outstanding
        beyond = _ok(_admin(app, "POST", "webhooks/wait", json={**mine, "count": 4, "timeout": 0}))
        assert beyond == {"idle": False, "done": False, "attempts": 3, "outstanding": 0}

    def attempts(**query: str) -> list[str]:
        found = _ok(_admin(app, "GET", "webhooks/attempts", query_string=query))
        assert (found["outstanding"], found["dropped"]) == (0, 0)
        return [a["messageId"] for a in found["items"]]

    assert attempts(provider="widgets", apiKey="a") == ["a-m1", "a-m2", "a-m3"]  # oldest first
    assert attempts(apiKey="b") == ["b-m1"]
    assert attempts(provider="gadgets") == []
    assert sorted(attempts(event="widget.renamed")) == ["a-m2", "b-m1"]  # two accounts: either first
    assert attempts(webhookId="w-sales") == ["a-m3"]
    assert attempts(messageId="a-m2", apiKey="a") == ["a-m2"]
    assert sorted(attempts(messageId="")) == ["a-m1", "a-m2", "a-m3", "b-m1"]  # an empty filter filters nothing


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"timeout": -1}, "timeout must be a number of seconds between 0 and 600"),
        ({"timeout": 600.5}, "timeout must be a number of seconds between 0 and 600"),
        ({"timeout": "10"}, "timeout must be a number of seconds between 0 and 600"),
        ({"timeout": True}, "timeout must be a number of seconds between 0 and 600"),
        ({"timeout": None}, "timeout must be a number of seconds between 0 and 600"),
        ({"count": -1}, "count must be a whole number of delivery attempts"),
        ({"count": 1.0}, "count must be a whole number of delivery attempts"),
        ({"count": True}, "count must be a whole number of delivery attempts"),
        ({"count": "1"}, "count must be a whole number of delivery attempts"),
        ({"event": 5}, "event must be a string"),
    ],
)
def test_a_wait_refuses_a_bad_value(untouched: Flask, body: dict[str, Any], message: str) -> None:
    _refused(_admin(untouched, "POST", "webhooks/wait", json=body), 400, message)


# -- the journal --------------------------------------------------------------------------------
def _journal(app: Flask, **query: str) -> list[tuple[str, int]]:
    return [(e["method"], e["status"]) for e in _ok(_admin(app, "GET", "journal", query_string=query))["items"]]


def test_the_journal_is_filtered_and_ordered_as_asked(app: Flask) -> None:
    _register(app, ("widgets", "a"), ("gadgets", "a"))
    _ok(_api(app, "GET", "a"))
    _ok(_api(app, "POST", "a", json={"name": "w"}), 201)
    assert _api(app, "POST", "a", json={}).status_code == 422
    assert _api(app, "GET", "stranger").status_code == 401
    _ok(_api(app, "GET", "a", provider="gadgets"))
    mine = {"provider": "widgets", "apiKey": "a"}

    assert _journal(app, **mine) == [("POST", 422), ("POST", 201), ("GET", 200)]  # newest first
    assert _journal(app, **mine, order="asc") == [("GET", 200), ("POST", 201), ("POST", 422)]
    assert _journal(app, **mine, limit="2") == [("POST", 422), ("POST", 201)]  # the newest
    assert _journal(app, **mine, limit="2", order="asc") == [("POST", 201), ("POST", 422)]
    assert _journal(app, **mine, limit="0") == []
    assert _journal(app, provider="widgets") == [("GET", 401), ("POST", 422), ("POST", 201), ("GET", 200)]
    assert _journal(app, apiKey="a") == [("GET", 200), ("POST", 422), ("POST", 201), ("GET", 200)]
    assert _journal(app, **mine, status="4xx") == _journal(app, **mine, status="4XX") == [("POST", 422)]
    assert _journal(app, **mine, status="201") == [("POST", 201)]
    assert _journal(app, **mine, method="post", operationId="createWidget") == [("POST", 422), ("POST", 201)]
    assert _journal(app, **mine, path="/api/widgets", method="GET") == [("GET", 200)]
    first = _ok(_admin(app, "GET", "journal", query_string={**mine, "order": "asc"}))["items"][0]["seq"]
    assert _journal(app, **mine, since=str(first)) == [("POST", 422), ("POST", 201)]


def test_clearing_the_journal_forgets_one_scope_and_answers_no_content(app: Flask) -> None:
    _register(app, ("widgets", "a"), ("widgets", "b"))
    _ok(_api(app, "GET", "a"))
    _ok(_api(app, "GET", "b"))
    cleared = _admin(app, "DELETE", "journal", query_string={"provider": "widgets", "apiKey": "a"})
    assert (cleared.status_code, cleared.get_data(), cleared.headers.get("Content-Type")) == (204, b"", None)
    assert _journal(app, provider="widgets") == [("GET", 200)]
    assert _ok(_admin(app, "GET", "journal", query_string={"provider": "widgets"}))["items"][0]["keyHint"] == "…b"
    assert _admin(app, "DELETE", "journal").status_code == 204
    assert _journal(app) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"limit": "x"}, "limit must be a whole number"),
        ({"limit": "-1"}, "limit must be a whole number"),
        ({"limit": "1.5"}, "limit must be a whole number"),
        ({"limit": ""}, "limit must be a whole number"),
        ({"since": "+3"}, "since must be a whole number"),
        ({"order": "sideways"}, "order must be asc (oldest first) or desc (newest first)"),
        ({"order": "ASC"}, "order must be asc (oldest first) or desc (newest first)"),
        ({"status": "6xx"}, "status must be a status (404) or a class of them (4xx)"),
        ({"status": "40"}, "status must be a status (404) or a class of them (4xx)"),
        ({"status": "4x4"}, "status must be a status (404) or a class of them (4xx)"),
        ({"status": "4Xx"}, "status must be a status (404) or a class of them (4xx)"),
        ({"status": "2000"}, "status must be a status (404) or a class of them (4xx)"),
    ],
)
def test_the_journal_refuses_a_bad_filter(untouched: Flask, query: dict[str, str], message: str) -> None:
    _refused(_admin(untouched, "GET", "journal", query_string=query), 400, message)


@pytest.mark.parametrize("name", ["limit", "since"])
def test_the_journal_refuses_a_digit_that_is_no_decimal_digit(untouched: Flask, name: str) -> None:
    _refused(_admin(untouched, "GET", "journal", query_string={name: "\u00b2"}), 400, f"{name} must be a whole number")


@pytest.mark.parametrize("name", ["limit", "since"])
@pytest.mark.parametrize(
    "value",
    [
        "\u0664",  # an Arabic-Indic 4: int() reads it, the documented ASCII digits do not
        "\uff11",  # a fullwidth 1
        "9" * 5000,  # more digits than int() reads
    ],
)
def test_the_journal_refuses_a_whole_number_in_other_digits_or_too_long_to_read(untouched: Flask, name: str, value: str) -> None:
    _refused(_admin(untouched, "GET", "journal", query_string={name: value}), 400, f"{name} must be a whole number")


def test_the_journal_takes_a_whole_number_larger_than_any_it_holds(app: Flask) -> None:
    _register(app, ("widgets", "a"))
    _ok(_api(app, "GET", "a"))
    huge = "9" * 400
    assert len(_ok(_admin(app, "GET", "journal", query_string={"limit": huge}))["items"]) == 1
    assert _ok(_admin(app, "GET", "journal", query_string={"since": huge}))["items"] == []


@pytest.mark.parametrize("status", ["4\u0660\u0664", "4\uff10\uff14", "40\u0664"])
def test_the_journal_refuses_a_status_in_other_digits(untouched: Flask, status: str) -> None:
    _refused(
        _admin(untouched, "GET", "journal", query_string={"status": status}),
        400,
        "status must be a status (404) or a class of them (4xx)",
    )


# -- clocks ---------------------------------------------------------------------------------------
def _clock(app: Flask, **body: Any) -> dict[str, Any]:
    found: dict[str, Any] = _ok(_admin(app, "POST", "clock", json=body))
    return found


def test_the_servers_clock_is_set_advanced_frozen_and_reset_as_asked(app: Flask) -> None:
    frozen = {"now": "2030-01-02T03:04:05+00:00", "frozen": True, "offsetSeconds": 0.0}
    assert _clock(app, set="2030-01-02T03:04:05Z", freeze=True) == frozen
    assert _clock(app, advance=60)["now"] == "2030-01-02T03:05:05+00:00"  # frozen, it moves only when told
    # A naive instant is UTC; set comes first, then advance.
    assert _clock(app, set="2030-01-01T00:00:00", advance=-1.5)["now"] == "2029-12-31T23:59:58+00:00"
    assert _ok(_admin(app, "GET", "clock"))["now"] == "2029-12-31T23:59:58+00:00"
    running = _clock(app, freeze=False)  # runs on from where it stood
    stood = datetime(2029, 12, 31, 23, 59, 58, 500000, tzinfo=UTC).timestamp()
    assert running["frozen"] is False
    assert abs(running["offsetSeconds"] - (stood - datetime.now(UTC).timestamp())) < 5
    # Running, a move with freeze stops the clock at the target exactly.
    assert _clock(app, set="2040-06-01T12:00:00+02:00", freeze=True)["now"] == "2040-06-01T10:00:00+00:00"
    assert _clock(app, freeze=False, advance=3600)["now"].startswith("2040-06-01T11:00:0")  # moved, then running again
    stopped = _clock(app, freeze=True)  # no move: stopped where it stands
    assert stopped["frozen"] is True and _ok(_admin(app, "GET", "clock")) == stopped
    reset = _clock(app, reset=True)  # real time, running
    assert (reset["frozen"], reset["offsetSeconds"]) == (False, 0.0)
    assert abs(datetime.fromisoformat(reset["now"]).timestamp() - datetime.now(UTC).timestamp()) < 5


def test_an_accounts_clock_moves_alone_and_follows_the_servers(app: Flask) -> None:
    _register(app, ("widgets", "a"), ("widgets", "b"))
    _clock(app, set="2030-01-01T00:00:00Z", freeze=True)
    a = {"provider": "widgets", "apiKey": "a"}
    assert _clock(app, **a, advance=86400) == {"now": "2030-01-02T00:00:00+00:00", "frozen": False, "offsetSeconds": 86400.0}
    assert _ok(_admin(app, "GET", "clock", query_string=a))["now"] == "2030-01-02T00:00:00+00:00"
    assert (
        _ok(_admin(app, "GET", "clock", query_string={"provider": "widgets", "apiKey": "b"}))["now"]
        == "2030-01-01T00:00:00+00:00"
    )
    assert _ok(_admin(app, "GET", "clock"))["now"] == "2030-01-01T00:00:00+00:00"
    _clock(app, advance=3600)  # the server's moves every account's
    assert _ok(_admin(app, "GET", "clock", query_string=a))["now"] == "2030-01-02T01:00:00+00:00"
    assert _clock(app, **a, set="2031-01-01T00:00:00Z", freeze=True)["now"] == "2031-01-01T00:00:00+00:00"
    _clock(app, advance=3600)  # a frozen account's stays
    assert _ok(_admin(app, "GET", "clock", query_string=a))["now"] == "2031-01-01T00:00:00+00:00"
    assert _clock(app, **a, reset=True)["now"] == "2030-01-01T02:00:00+00:00"  # the server's time again


def test_a_clock_of_no_account_or_half_an_accounts_name_is_refused(app: Flask) -> None:
    _register(app, ("widgets", "a"))
    for method, key in (("GET", "query_string"), ("POST", "json")):
        _refused(
            _admin(app, method, "clock", **{key: {"provider": "widgets"}}),
            400,
            "apiKey is required with provider (an account's clock)",
        )
        _refused(
            _admin(app, method, "clock", **{key: {"provider": "widgets", "apiKey": ""}}),
            400,
            "apiKey is required with provider (an account's clock)",
        )
        _refused(_admin(app, method, "clock", **{key: {"apiKey": "a"}}), 400, PROVIDERS)
        unknown = "no gadgets account has that key (unknown keys are refused)"
        _refused(_admin(app, method, "clock", **{key: {"provider": "gadgets", "apiKey": "a"}}), 404, unknown)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"set": "yesterday"}, "set must be an ISO 8601 instant"),
        ({"set": 1700000000}, "set must be an ISO 8601 instant"),
        ({"set": "2030-02-30T00:00:00Z"}, "set must be an ISO 8601 instant"),
        ({"advance": "an hour"}, "advance must be a number of seconds"),
        ({"advance": None}, "advance must be a number of seconds"),
        ({"advance": True}, "advance must be a number of seconds"),
        ({"advance": math.inf}, "advance must be a number of seconds"),  # sent as 1e309
        ({"advance": -1e12}, "the clock must stay between the years 1970 and 9000"),
        ({"set": "1969-12-31T23:59:59Z"}, "the clock must stay between the years 1970 and 9000"),
        ({"set": "9000-01-01T00:00:01Z"}, "the clock must stay between the years 1970 and 9000"),
        ({"set": "8999-12-31T23:00:00Z", "advance": 7200}, "the clock must stay between the years 1970 and 9000"),
    ],
)
def test_a_refused_clock_move_says_why_and_moves_nothing(app: Flask, body: dict[str, Any], message: str) -> None:
    before = _clock(app, set="2030-01-01T00:00:00Z", freeze=True)
    data = json.dumps({**body, "freeze": False}).replace("Infinity", "1e309")  # JSON's own way to overflow
    _refused(_admin(app, "POST", "clock", data=data, headers=JSON), 400, message)
    assert _ok(_admin(app, "GET", "clock")) == before  # not even unfrozen


@pytest.mark.parametrize("name", ["freeze", "reset"])
@pytest.mark.parametrize("value", ["false", "true", 0, 1, [], {}])
def test_a_clock_flag_that_is_no_boolean_is_refused_and_moves_nothing(app: Flask, name: str, value: Any) -> None:
    before = _clock(app, set="2030-01-01T00:00:00Z", freeze=True)
    _refused(_admin(app, "POST", "clock", json={"advance": 60, name: value}), 400, f"{name} must be true or false")
    assert _ok(_admin(app, "GET", "clock")) == before


@pytest.mark.parametrize("value", ["false", "true", 0, 1, [], {}])
def test_registering_refuses_a_demo_flag_that_is_no_boolean(app: Flask, value: Any) -> None:
    body = {"provider": "widgets", "apiKey": "flagged", "demo": value}
    _refused(_admin(app, "POST", "tenants", json=body), 400, "demo must be true or false")
    assert _api(app, "GET", "flagged").status_code == 401  # not registered
    # null is no flag given: an empty account.
    made = _ok(_admin(app, "POST", "tenants", json={**body, "demo": None}), 201)
    assert (made["demo"], made["records"]) == (False, {"widgets": 0})


@pytest.mark.parametrize("path", ["clock", "webhooks/wait"])
def test_a_number_too_large_for_a_float_is_refused(untouched: Flask, path: str) -> None:
    name = "advance" if path == "clock" else "timeout"
    response = _admin(untouched, "POST", path, data=b'{"' + name.encode() + b'": ' + b"9" * 400 + b"}", headers=JSON)
    assert response.status_code == 400
    assert response.get_json()["error"].startswith(f"{name} must be a number of seconds")


def test_large_integers_a_float_holds_are_weighed_as_numbers(app: Flask) -> None:
    before = _clock(app, set="2030-01-01T00:00:00Z", freeze=True)
    big = b"1" + b"0" * 300  # 1e300: a float holds it, the clock's years do not
    response = _admin(app, "POST", "clock", data=b'{"advance": ' + big + b"}", headers=JSON)
    _refused(response, 400, "the clock must stay between the years 1970 and 9000")
    assert _ok(_admin(app, "GET", "clock")) == before
    # A count of attempts is a whole number of any size: none so many come, the wait times out.
    wait = _admin(app, "POST", "webhooks/wait", data=b'{"timeout": 0, "count": ' + b"9" * 400 + b"}", headers=JSON)
    assert _ok(wait) == {"idle": False, "done": False, "attempts": 0, "outstanding": 0}


# -- what the server saw ----------------------------------------------------------------------------
def test_the_event_stream_follows_the_scope_and_kinds_asked_for(app: Flask) -> None:
    _register(app, ("widgets", "a"), ("widgets", "b"), ("gadgets", "a"))
    emulator = emulator_of(app)
    with app.test_client() as client:
        stream = client.get(
            "/__admin/events", query_string={"provider": "widgets", "apiKey": "a", "kinds": "request"}, buffered=False
        )
        try:
            assert stream.status_code == 200
            assert (stream.content_type, stream.headers["Cache-Control"]) == ("text/event-stream", "no-cache")
            chunks = iter(stream.response)
            assert next(chunks) == b": mockserver events\n\n"
            assert emulator.feed.listeners == 1
            _ok(_api(app, "GET", "b"))
            _ok(_api(app, "GET", "a", provider="gadgets"))
            _ok(_api(app, "GET", "a"))
            event = next(chunks)
            assert isinstance(event, bytes)
        finally:
            stream.close()
    assert emulator.feed.listeners == 0  # closing the stream ends its subscription
    head, data = event.split(b"\n", 2)[:2]
    assert head == b"event: request" and data.startswith(b"data: ")
    assert event.count(b"event: ") == 1 and b'"keyHint":"\xe2\x80\xa6a"' in data and b'"provider":"widgets"' in data
    for kinds in ("nope", "request,", "Request", "request,deliveries"):
        _refused(_admin(app, "GET", "events", query_string={"kinds": kinds}), 400, "kinds must name request, delivery or both")


def test_strict_mode_is_reported_with_what_broke_the_spec(spec_file: Path) -> None:
    lax = _app(spec_file)
    try:
        assert _ok(_admin(lax, "GET", "strict")) == {"enabled": False, "problems": []}
    finally:
        emulator_of(lax).dispatcher.stop()
    served = _app(spec_file, strict_responses=True, handlers={"createWidget": lambda call: Reply(201, {"name": "no id"})})
    try:
        _register(served, ("widgets", "a"))
        assert _ok(_admin(served, "GET", "strict")) == {"enabled": True, "problems": []}
        assert _api(served, "POST", "a", json={"name": "w"}).status_code == 500
        problem = {
            "provider": "widgets",
            "operationId": "createWidget",
            "status": 201,
            "problems": ["body id: This value is required."],
        }
        assert _ok(_admin(served, "GET", "strict")) == {"enabled": True, "problems": [problem]}
    finally:
        emulator_of(served).dispatcher.stop()
