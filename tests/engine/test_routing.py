"""Routes from the specs (engine/routing.py): each operation at /<provider>/... and, for the
native provider, at the root; integer segments that take ASCII digits only; unknown paths and
wrong methods (405 with Allow) answered in the provider's own error body, counted against the
caller's quota; the directory at / and for paths under no provider; the providers' pages; and
what the HTTP layer refuses. Two small providers of the test's own stand in for the vendors'."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.exceptions import MethodNotAllowed as WerkzeugMethodNotAllowed
from werkzeug.exceptions import NotFound as WerkzeugNotFound
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.test import TestResponse

from mockserver.app import MAX_BODY_BYTES, create_app, emulator_of
from mockserver.engine.context import Call, Reply
from mockserver.engine.errors import ApiError
from mockserver.engine.provider import ErrorReply, Page, PageContext, Provider
from mockserver.engine.ratelimit import Quota
from mockserver.engine.routing import AsciiIntegerConverter, mount, operations_by_endpoint, provider_for_path
from mockserver.engine.runtime import Emulator
from mockserver.engine.settings import Settings
from mockserver.engine.shared_store import SharedUnavailable

OK = "{description: ok, content: {application/json: {schema: {type: object}}}}"
ID = "[{name: id, in: path, required: true, schema: {type: integer}}]"
SPEC = f"""
openapi: 3.1.0
info: {{title: Widgets, version: "1"}}
paths:
  /api/widgets:
    get: {{operationId: listWidgets, responses: {{"200": {OK}}}}}
    post:
      operationId: createWidget
      requestBody: {{content: {{application/json: {{schema: {{type: object}}}}}}}}
      responses: {{"201": {OK}}}
  /api/widgets/search-by-name:
    get: {{operationId: searchWidgets, responses: {{"200": {OK}}}}}
  /api/widgets/{{id}}:
    get: {{operationId: getWidget, parameters: {ID}, responses: {{"200": {OK}}}}}
    delete: {{operationId: deleteWidget, parameters: {ID}, responses: {{"204": {{description: gone}}}}}}
"""
OPERATIONS = ("listWidgets", "createWidget", "searchWidgets", "getWidget", "deleteWidget")
KEY = {"X-Key": "k1"}


def _echo(operation_id: str, status: int = 200) -> Any:
    """A handler that answers which operation ran, with what parameters."""

    def handler(call: Call) -> Reply:
        return Reply(status, {"op": operation_id, "params": dict(call.params)} if status != 204 else None)

    return handler


def _provider(name: str, spec_file: Path, **changes: Any) -> Provider:
    def render_error(err: ApiError) -> ErrorReply:
        return ErrorReply(err.status, {"provider": name, "code": err.code, "message": err.message}, headers={"X-Error": err.code})

    def quota_headers(quota: Quota) -> dict[str, str]:
        return {"X-Left": str(quota.remaining)}

    handlers = {op: _echo(op) for op in OPERATIONS} | {
        "createWidget": _echo("createWidget", 201),
        "deleteWidget": _echo("deleteWidget", 204),
    }
    provider = Provider(
        name=name,
        title=name.title(),
        spec_file=spec_file,
        handlers=handlers,
        credentials=lambda request: request.headers.get("X-Key"),
        render_error=render_error,
        init_tenant=lambda tenant, services: None,
        seed_demo=lambda tenant, services, seed: None,
        deliveries=lambda tenant, event, services: [],
        retry_schedule=(),
        quota_headers=quota_headers,
        client_headers=lambda key: {"X-Key": key},
    )
    return replace(provider, **changes)


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("routing") / "widgets.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture
def widgets(spec_file: Path) -> Provider:
    return _provider("widgets", spec_file)


@pytest.fixture
def gadgets(spec_file: Path) -> Provider:
    """The same API under another name, with routes that take any value for an id."""
    return _provider("gadgets", spec_file, typed_routes=False)


def _app(*providers: Provider, **settings: Any) -> Flask:
    return create_app(Settings(**settings), list(providers), deliver=False)


def _call(app: Flask, method: str, path: str, **kwargs: Any) -> TestResponse:
    with app.test_client() as client:
        return client.open(path, method=method, **kwargs)


def _refusal(response: TestResponse, provider: str, code: str, message: str) -> None:
    """The answer is `provider`'s own error body for an ApiError of that code and message."""
    assert response.get_json() == {"provider": provider, "code": code, "message": message}
    assert response.headers["X-Error"] == code
    assert response.content_type == "application/json"


# -- what is routed where --------------------------------------------------------------------
def test_each_operation_is_routed_under_its_providers_prefix_with_its_method(widgets: Provider, gadgets: Provider) -> None:
    app = _app(widgets, gadgets)
    listed = _call(app, "GET", "/widgets/api/widgets", headers=KEY)
    assert listed.status_code == 200 and listed.get_json() == {"op": "listWidgets", "params": {}}
    made = _call(app, "POST", "/gadgets/api/widgets", headers=KEY, json={})
    assert made.status_code == 201 and made.get_json()["op"] == "createWidget"
    found = _call(app, "GET", "/widgets/api/widgets/12", headers=KEY)
    assert found.get_json() == {"op": "getWidget", "params": {"id": 12}}
    # A static segment wins over an integer one; a typed route never takes it for an id.
    assert _call(app, "GET", "/widgets/api/widgets/search-by-name", headers=KEY).get_json()["op"] == "searchWidgets"
    # Without a native provider nothing of theirs is served at the root.
    assert _call(app, "GET", "/api/widgets", headers=KEY).status_code == 404


def test_the_native_provider_is_also_served_at_the_root(widgets: Provider, gadgets: Provider) -> None:
    app = _app(widgets, gadgets, native="widgets")
    assert _call(app, "GET", "/api/widgets/7", headers=KEY).get_json() == {"op": "getWidget", "params": {"id": 7}}
    assert _call(app, "GET", "/widgets/api/widgets/7", headers=KEY).status_code == 200
    # The root is the native provider's: no directory there, its own 404 for a path it lacks.
    _refusal(_call(app, "GET", "/"), "widgets", "no_route", 'No route found for "GET /"')
    _refusal(_call(app, "GET", "/nowhere"), "widgets", "no_route", 'No route found for "GET /nowhere"')
    # Another provider's prefix stays that provider's.
    _refusal(_call(app, "GET", "/gadgets/nowhere"), "gadgets", "no_route", 'No route found for "GET /gadgets/nowhere"')


def test_operations_by_endpoint_names_every_operation_rule_of_the_app(widgets: Provider, gadgets: Provider) -> None:
    app = _app(widgets, gadgets, native="widgets")
    found = operations_by_endpoint(emulator_of(app))
    expected = {f"{name}:{op}:gateway" for name in ("widgets", "gadgets") for op in OPERATIONS}
    expected |= {f"widgets:{op}:native" for op in OPERATIONS}
    assert set(found) == expected
    for endpoint, (provider, op) in found.items():
        name, operation_id, prefix = endpoint.split(":")
        assert (provider.name, op.operation_id) == (name, operation_id)
        [rule] = app.url_map.iter_rules(endpoint)
        typed = op.path.replace("{id}", "<int:id>") if provider.typed_routes else op.path.replace("{id}", "<id>")
        assert rule.rule == (f"/{name}" if prefix == "gateway" else "") + typed
        assert rule.methods == {op.method} | ({"HEAD"} if op.method == "GET" else set())  # never OPTIONS
    assert set(operations_by_endpoint(emulator_of(_app(widgets)))) == {f"widgets:{op}:gateway" for op in OPERATIONS}


def test_a_flask_view_answers_as_the_fast_lane_does(widgets: Provider) -> None:
    """The app's fast lane answers operations before Flask; an app with only mount() (no
    fast lane) goes through the operations' views, and the answers are the same."""
    fast = _app(widgets)
    bare = Flask("bare")
    emulator = Emulator([widgets], Settings())
    bare.extensions["mockserver"] = emulator
    mount(bare, emulator)
    cases: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/widgets/api/widgets/3", {}),
        ("POST", "/widgets/api/widgets", {"json": {"name": "a"}}),
        ("DELETE", "/widgets/api/widgets/3", {}),
        ("POST", "/widgets/api/widgets", {"data": "{", "content_type": "application/json"}),
    ]
    for method, path, kwargs in cases:
        one, other = (_call(app, method, path, headers=KEY, **kwargs) for app in (fast, bare))
        assert (one.status_code, one.get_data()) == (other.status_code, other.get_data()), (method, path)
        assert one.headers.get("Content-Type") == other.headers.get("Content-Type")
        assert one.headers["X-Left"] and other.headers["X-Left"]
    deleted = _call(bare, "DELETE", "/widgets/api/widgets/3", headers=KEY)
    assert deleted.status_code == 204 and "Content-Type" not in deleted.headers  # an empty body has no media type
    assert bare.url_map.converters["int"] is AsciiIntegerConverter


# -- integer segments, case and slashes -------------------------------------------------------
def test_an_integer_segment_takes_ascii_digits_only(widgets: Provider) -> None:
    app = _app(widgets)
    # The second: Arabic-Indic digits; the last: more digits than int() reads.
    for segment in ("abc", "\u0661\u0662", "12a", "-1", "9" * 4301):
        response = _call(app, "GET", f"/widgets/api/widgets/{segment}")  # no key: routing refuses first
        assert response.status_code == 404, segment
        _refusal(response, "widgets", "no_route", f'No route found for "GET /widgets/api/widgets/{segment}"')


def test_untyped_routes_hand_any_value_to_the_operation_after_authentication(gadgets: Provider) -> None:
    app = _app(gadgets)
    _refusal(_call(app, "GET", "/gadgets/api/widgets/abc"), "gadgets", "unauthorized", "missing")
    # With a key the operation refuses the value itself: its 404, not routing's.
    _refusal(_call(app, "GET", "/gadgets/api/widgets/abc", headers=KEY), "gadgets", "not_found", "Not found")
    # And a path that is a static route for GET is an id for DELETE, not a 405.
    _refusal(_call(app, "DELETE", "/gadgets/api/widgets/search-by-name", headers=KEY), "gadgets", "not_found", "Not found")


def test_paths_are_case_sensitive_and_a_trailing_slash_is_no_route(widgets: Provider) -> None:
    app = _app(widgets)
    for path in ("/widgets/API/widgets", "/widgets/api/Widgets", "/widgets/api/widgets/"):
        _refusal(_call(app, "GET", path, headers=KEY), "widgets", "no_route", f'No route found for "GET {path}"')
    # A prefix in another case names no provider: the directory answers.
    assert _call(app, "GET", "/WIDGETS/api/widgets").get_json()["error"] == 'nothing is served at "/WIDGETS/api/widgets"'


def test_a_case_insensitive_provider_matches_any_case_and_a_trailing_slash(widgets: Provider) -> None:
    app = _app(replace(widgets, case_insensitive=True), native="widgets")
    for path in ("/WIDGETS/API/Widgets/", "/widgets/api/WIDGETS/5/", "/Api/Widgets"):
        response = _call(app, "GET", path, headers=KEY)
        assert response.status_code == 200, path
        assert response.get_json()["op"] in ("listWidgets", "getWidget")
    # Integer segments stay typed.
    _refusal(
        _call(app, "GET", "/widgets/API/widgets/abc"), "widgets", "no_route", 'No route found for "GET /widgets/api/widgets/abc"'
    )


def test_a_case_insensitive_native_provider_leaves_other_providers_paths_alone(widgets: Provider, spec_file: Path) -> None:
    shouting = spec_file.parent / "shouting.yaml"
    shouting.write_text(SPEC.replace("/api/widgets", "/api/Widgets"), encoding="utf-8")
    native = _provider("shouty", shouting, case_insensitive=True)
    app = _app(native, widgets, native="shouty")
    assert _call(app, "GET", "/shouty/api/widgets", headers=KEY).status_code == 200  # its own leniency
    response = _call(app, "GET", "/widgets/api/widgets", headers=KEY)  # exactly as widgets' spec spells it
    assert response.status_code == 200 and response.get_json()["op"] == "listWidgets"


# -- 404 and 405 in the provider's own body ----------------------------------------------------
def test_a_wrong_method_is_405_with_the_allowed_methods(widgets: Provider) -> None:
    app = _app(widgets)
    for method, path, allowed in [
        ("PATCH", "/widgets/api/widgets", "GET, HEAD, POST"),
        ("OPTIONS", "/widgets/api/widgets", "GET, HEAD, POST"),  # no automatic OPTIONS on API routes
        ("DELETE", "/widgets/api/widgets/search-by-name", "GET, HEAD"),
        ("POST", "/widgets/api/widgets/4", "DELETE, GET, HEAD"),
    ]:
        response = _call(app, method, path)
        assert response.status_code == 405, (method, path)
        assert response.headers["Allow"] == allowed
        message = f'No route found for "{method} {path}": Method Not Allowed (Allow: {allowed})'
        _refusal(response, "widgets", "method_not_allowed", message)


def test_refusals_count_against_the_callers_quota_and_say_so(widgets: Provider) -> None:
    app = _app(widgets, rate_limit=3)
    assert "X-Left" not in _call(app, "GET", "/widgets/nowhere").headers  # no key: no quota to count
    assert _call(app, "GET", "/widgets/nowhere", headers=KEY).headers["X-Left"] == "2"
    assert _call(app, "PUT", "/widgets/api/widgets", headers=KEY).headers["X-Left"] == "1"
    assert _call(app, "GET", "/widgets/api/widgets", headers=KEY).headers["X-Left"] == "0"
    limited = _call(app, "GET", "/widgets/api/widgets", headers=KEY)
    assert limited.status_code == 429 and limited.get_json()["code"] == "rate_limited"
    assert _call(app, "GET", "/widgets/api/widgets", headers={"X-Key": "k2"}).status_code == 200  # per key


# -- the directory --------------------------------------------------------------------------
def test_the_root_lists_the_providers(widgets: Provider, gadgets: Provider) -> None:
    response = _call(_app(widgets, gadgets), "GET", "/", base_url="http://emulator.test:8080")
    assert response.status_code == 200 and response.content_type == "application/json"
    assert response.get_json() == {
        "mockserver": "emulated APIs: put a provider's path after its base URL",
        "providers": {
            "widgets": {"title": "Widgets", "baseUrl": "http://emulator.test:8080/widgets"},
            "gadgets": {"title": "Gadgets", "baseUrl": "http://emulator.test:8080/gadgets"},
        },
        "admin": "http://emulator.test:8080/__admin/",
        "adminOpenApi": "http://emulator.test:8080/__admin/openapi.json",
    }


def test_a_path_under_no_provider_is_404_with_the_directory(widgets: Provider) -> None:
    app = _app(widgets)
    for accept in (None, "*/*", "application/json", "text/html;q=0.5, application/json"):
        response = _call(app, "POST", "/nowhere/at/all", headers={"Accept": accept} if accept else {})
        assert response.status_code == 404 and response.content_type == "application/json", accept
        body = response.get_json()
        assert body["error"] == 'nothing is served at "/nowhere/at/all"'
        assert body["providers"] == {"widgets": {"title": "Widgets", "baseUrl": "http://localhost/widgets"}}
    # A browser gets a page, with the path escaped.
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = _call(app, "GET", "/%3Cscript%3Ealert(1)%3C/script%3E", headers={"Accept": browser})
    assert page.status_code == 404 and page.content_type == "text/html; charset=utf-8"
    html = page.get_data(as_text=True)
    assert "<script>" not in html
    assert "Nothing is served at <code>/&lt;script&gt;alert(1)&lt;/script&gt;</code>" in html
    assert "<td>Widgets</td><td><code>http://localhost/widgets</code></td>" in html
    home = _call(app, "GET", "/", headers={"Accept": browser})
    assert home.status_code == 200 and "Nothing is served" not in home.get_data(as_text=True)


def test_the_admin_api_answers_its_own_refusals_in_plain_json(widgets: Provider) -> None:
    app = _app(widgets, native="widgets")  # even where the root is a provider's
    missing = _call(app, "GET", "/__admin/nowhere")
    assert missing.status_code == 404 and missing.get_json() == {"error": WerkzeugNotFound.description}
    wrong = _call(app, "DELETE", "/__admin/health")
    assert wrong.status_code == 405 and wrong.get_json() == {"error": WerkzeugMethodNotAllowed.description}
    assert wrong.headers["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize(
    ("path", "native", "expected"),
    [
        ("/widgets/api/widgets", None, "widgets"),
        ("/widgets", None, "widgets"),
        ("/gadgets/x/y", "widgets", "gadgets"),
        ("/widgetsx/api", None, None),
        ("/WIDGETS/api", None, None),
        ("/", None, None),
        ("/nowhere", "widgets", "widgets"),
        ("/__admin/tenants", None, None),
        ("/__admin/tenants", "widgets", None),
        ("/__admin", "widgets", None),
    ],
)
def test_provider_for_path(widgets: Provider, gadgets: Provider, path: str, native: str | None, expected: str | None) -> None:
    emulator = Emulator([widgets, gadgets], Settings(native=native))
    found = provider_for_path(emulator, path)
    assert (found.name if found is not None else None) == expected


# -- pages, and what the HTTP layer refuses ---------------------------------------------------
def _pages() -> dict[tuple[str, str], Page]:
    def hello(context: PageContext) -> Reply:  # a page reads its own path values
        request = context.request
        keys = sorted(tenant.key for tenant in context.tenants())
        body = {"token": request.path.rsplit("/", 1)[-1], "q": request.args.get("q"), "tenants": keys}
        return Reply(201, body, {"Content-Type": "application/json", "X-Page": "hello"})

    def raw(context: PageContext) -> Reply:
        return Reply(200, f"<p>{int(context.services.clock.time()) > 0}</p>".encode(), {"Content-Type": "text/html"})

    def upload(context: PageContext) -> Reply:
        return Reply(200, {"size": len(context.request.get_data())}, {"Content-Type": "application/json"})

    def down(context: PageContext) -> Reply:
        raise SharedUnavailable("redis gone")

    return {("GET", "hello/<token>"): hello, ("GET", "raw"): raw, ("POST", "upload"): upload, ("GET", "down"): down}


def test_a_page_is_served_under_its_provider_and_sees_that_providers_accounts(widgets: Provider, gadgets: Provider) -> None:
    app = _app(replace(widgets, pages=_pages()), gadgets)
    emulator = emulator_of(app)
    for provider, key in ((widgets, "b"), (widgets, "a"), (gadgets, "c")):
        assert emulator.tenant(emulator.providers[provider.name], key) is not None
    response = _call(app, "GET", "/widgets/hello/t0k?q=1")
    assert response.status_code == 201 and response.headers["X-Page"] == "hello"
    assert response.get_json() == {"token": "t0k", "q": "1", "tenants": ["a", "b"]}
    raw = _call(app, "GET", "/widgets/raw")
    assert (raw.get_data(), raw.content_type) == (b"<p>True</p>", "text/html")
    # Only under its own provider's prefix, and only with its method.
    _refusal(_call(app, "GET", "/gadgets/raw"), "gadgets", "no_route", 'No route found for "GET /gadgets/raw"')
    assert _call(app, "GET", "/raw").status_code == 404
    wrong = _call(app, "DELETE", "/widgets/raw")
    assert wrong.status_code == 405 and wrong.headers["Allow"] == "GET, HEAD, OPTIONS"
    _refusal(
        wrong,
        "widgets",
        "method_not_allowed",
        'No route found for "DELETE /widgets/raw": Method Not Allowed (Allow: GET, HEAD, OPTIONS)',
    )


def test_what_the_http_layer_refuses_under_a_provider_is_answered_in_its_body(widgets: Provider) -> None:
    app = _app(replace(widgets, pages=_pages()))
    assert _call(app, "POST", "/widgets/upload", data=b"x" * 10).get_json() == {"size": 10}
    response = _call(app, "POST", "/widgets/upload", data=b"x" * (MAX_BODY_BYTES + 1))
    assert response.status_code == 413
    _refusal(response, "widgets", "internal", RequestEntityTooLarge.description)


def test_shared_state_out_of_reach_in_a_page_is_503_in_plain_json(widgets: Provider, caplog: pytest.LogCaptureFixture) -> None:
    app = _app(replace(widgets, pages=_pages()))
    with caplog.at_level(logging.WARNING, logger="mockserver"):
        response = _call(app, "GET", "/widgets/down")
    assert response.status_code == 503
    assert response.get_json() == {"error": "shared state unavailable: redis gone"}
    assert "GET /widgets/down: shared state unavailable: redis gone" in caplog.text
