"""The emulator (engine/runtime.py): what it builds from its providers and settings (and
refuses), which keys get an account and what a new one holds, seeding, registration and
resets, running an action under the account's hold with its webhooks queued, each step of
the request pipeline and the answer for what a request raised, the strict response check,
the journal, and the JSON encoder. A small provider of the test's own stands in for the
vendors'; the engine is driven directly, with werkzeug requests."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from mockserver.engine.context import Call, Reply, Services
from mockserver.engine.delivering import Outgoing
from mockserver.engine.errors import ApiError, Forbidden, NotFound, Unauthorized
from mockserver.engine.fastlane import request_class
from mockserver.engine.logs import RequestLog
from mockserver.engine.provider import ErrorReply, Event, Provider
from mockserver.engine.ratelimit import Quota
from mockserver.engine.runtime import Emulator, encode
from mockserver.engine.settings import Settings
from mockserver.engine.shared_store import SharedConflict, SharedUnavailable
from mockserver.engine.store import MemoryStore, Tenant
from mockserver.testing import WebhookReceiver

ERROR = "default: {description: error, content: {application/json: {schema: {type: object, required: [code]}}}}"
WIDGET = "{type: object, required: [id, name], properties: {id: {type: integer}, name: {type: string}}}"
SPEC = f"""
openapi: 3.1.0
info: {{title: Widgets, version: "1"}}
paths:
  /api/widgets:
    get:
      operationId: listWidgets
      parameters: [{{name: limit, in: query, schema: {{type: integer, minimum: 1, maximum: 50}}}}]
      responses:
        "200": {{description: ok, content: {{application/json: {{schema: {{type: object}}}}}}}}
        {ERROR}
    post:
      operationId: createWidget
      requestBody:
        required: true
        content: {{application/json: {{schema: {{type: object, required: [name], properties: {{name: {{type: string}}}}}}}}}}
      responses:
        "201": {{description: made, content: {{application/json: {{schema: {WIDGET}}}}}}}
        {ERROR}
  /api/widgets/{{id}}:
    delete:
      operationId: deleteWidget
      parameters: [{{name: id, in: path, required: true, schema: {{type: integer}}}}]
      responses:
        "204": {{description: gone}}
        {ERROR}
  /api/fragile:
    get:
      operationId: fragile
      responses:
        "200": {{description: ok, content: {{application/json: {{schema: {{type: object}}}}}}}}
"""
KEY = "k-0001"


def _create(call: Call) -> Reply:
    tenant = call.tenant
    number = tenant.next_id("widget")
    row = tenant.table("widgets").insert(number, {"id": number, "name": call.body["name"]})
    if "hook" in call.body:
        call.emit("widget.created", row, url=call.body["hook"])
    return Reply(201, row)


def _list(call: Call) -> Reply:
    return Reply(200, {"items": list(call.tenant.table("widgets").rows()), "limit": call.params.get("limit")})


def _delete(call: Call) -> Reply:
    return Reply(204)


def _fragile(call: Call) -> Reply:
    return Reply(200, {})


def _init(tenant: Tenant, services: Services) -> None:
    tenant.table("widgets")
    tenant.settings["initialised"] = tenant.settings.get("initialised", 0) + 1
    tenant.settings["own services"] = services is tenant.services


def _seed_demo(tenant: Tenant, services: Services, seed: int) -> None:
    tenant.table("widgets").insert(1, {"id": 1, "name": f"demo-{seed}"})


def _deliveries(tenant: Tenant, event: Event, services: Services) -> list[Outgoing]:
    row = event.payload
    body = encode({"event": event.name, "widget": row, "own services": services is tenant.services})
    return [Outgoing(event.meta["url"], body, {"Content-Type": "application/json"}, event.name, "w1", f"m-{row['id']}")]


def _render_error(err: ApiError) -> ErrorReply:
    body = {"code": err.code, "message": err.message, "violations": [v.path for v in err.violations]}
    return ErrorReply(err.status, body, headers={"X-Error": err.code, "Retry-After": "never"})


def _quota_headers(quota: Quota) -> dict[str, str]:
    return {"X-Left": str(quota.remaining)}


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("runtime") / "widgets.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture
def widgets(spec_file: Path) -> Provider:
    return Provider(
        name="widgets",
        title="Widgets",
        spec_file=spec_file,
        handlers={"listWidgets": _list, "createWidget": _create, "deleteWidget": _delete, "fragile": _fragile},
        credentials=lambda request: request.headers.get("X-Key"),
        render_error=_render_error,
        init_tenant=_init,
        seed_demo=_seed_demo,
        deliveries=_deliveries,
        retry_schedule=(1.0,),
        quota_headers=_quota_headers,
        client_headers=lambda key: {"X-Key": key},
    )


def _request(
    method: str,
    path: str = "/widgets/api/widgets",
    *,
    key: str | None = KEY,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> Request:
    sent = {**({"X-Key": key} if key else {}), **(headers or {})}
    return Request(EnvironBuilder(method=method, path=path, headers=list(sent.items()), **kwargs).get_environ())


def _handle(
    emulator: Emulator, operation_id: str, request: Request, **path_values: str
) -> tuple[int, dict[str, str], str | None, Any]:
    """The answer, with its body decoded (JSON when it has a JSON type)."""
    provider = emulator.providers["widgets"]
    op = emulator.specs["widgets"].operation(operation_id)
    status, headers, content_type, payload = emulator.handle(provider, op, path_values, request)
    return status, headers, content_type, json.loads(payload) if content_type == "application/json" else payload


# -- what an emulator is built of ----------------------------------------------------------------
def test_an_emulator_is_built_from_its_providers_and_settings(widgets: Provider) -> None:
    settings = Settings(seed=7, rate_limit=5, rate_window=2.5, webhook_time_scale=0.5, webhook_timeout=1.5)
    emulator = Emulator([widgets], settings)
    assert emulator.providers == {"widgets": widgets}
    assert [op.operation_id for op in emulator.specs["widgets"].operations] == [
        "listWidgets",
        "createWidget",
        "deleteWidget",
        "fragile",
    ]
    assert emulator.settings is settings and emulator.random.seed == 7
    assert emulator.services.clock is emulator.clock and emulator.services.random is emulator.random
    assert isinstance(emulator.store, MemoryStore) and emulator.store.tenants() == []
    assert (emulator.limiter.limit, emulator.limiter.window) == (5, 2.5)
    assert (emulator.dispatcher.time_scale, emulator.dispatcher.timeout) == (0.5, 1.5)
    assert emulator.dispatcher.clock is emulator.clock
    assert emulator.request_log is None and emulator.shared is None
    assert (emulator.registered, emulator.strict_problems, emulator.generation) == (set(), [], 0)
    store = MemoryStore()
    talking = Emulator([widgets], Settings(log_format="json"), store)
    assert talking.store is store
    assert isinstance(talking.request_log, RequestLog) and talking.request_log.format == "json"


def test_an_emulator_refuses_an_operation_without_a_handler_and_an_unknown_native_provider(widgets: Provider) -> None:
    handlers = {op: handler for op, handler in widgets.handlers.items() if op not in ("fragile", "deleteWidget")}
    with pytest.raises(ValueError, match=r"^widgets: operations without a handler: \['deleteWidget', 'fragile'\]$"):
        Emulator([replace(widgets, handlers=handlers)], Settings())
    with pytest.raises(ValueError, match=r"^unknown provider 'gadgets' for the native root$"):
        Emulator([widgets], Settings(native="gadgets"))


def test_the_journal_keeps_as_many_requests_as_the_settings_say(widgets: Provider) -> None:
    emulator = Emulator([widgets], Settings(journal_size=2))
    for limit in ("1", "2", "3"):
        assert _handle(emulator, "listWidgets", _request("GET", query_string={"limit": limit}))[0] == 200
    assert [entry.query for entry in emulator.journal.entries()] == ["limit=3", "limit=2"]


def test_deliveries_wait_until_the_dispatcher_is_started_and_each_attempt_is_told(widgets: Provider) -> None:
    emulator = Emulator([widgets], Settings(webhook_timeout=5.0))
    with WebhookReceiver() as receiver:
        made = _handle(emulator, "createWidget", _request("POST", json={"name": "a", "hook": receiver.url}))
        assert made[0] == 201
        # Built, not started: the message is queued, and nothing sends it.
        assert emulator.dispatcher.outstanding("widgets", KEY) == 1
        assert emulator.dispatcher.wait_idle(0) is False
        listener = emulator.feed.subscribe()
        before = emulator.generation
        emulator.dispatcher.start()
        try:
            [(kind, attempt)] = listener.next_items(10)  # told once the attempt is recorded
            [received] = receiver.wait(1)
        finally:
            emulator.dispatcher.stop()
            listener.close()
    assert received.json == {"event": "widget.created", "widget": {"id": 1, "name": "a"}, "own services": True}
    assert kind == "delivery"
    assert (attempt["provider"], attempt["apiKey"], attempt["messageId"], attempt["ok"]) == ("widgets", KEY, "m-1", True)
    assert emulator.generation == before + 1


def test_an_attempts_record_is_made_only_for_someone_watching(widgets: Provider) -> None:
    emulator = Emulator([widgets], Settings())

    def never() -> dict[str, Any]:
        raise AssertionError("the record was made with nobody watching")

    emulator._attempted(never)
    assert emulator.generation == 1


# -- accounts --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("settings", "key", "demo"),
    [
        (Settings(), "anyone", False),
        (Settings(allow_unknown_keys=False), "anyone", None),
        (Settings(allow_unknown_keys=False, api_keys=("listed",)), "listed", False),
        (Settings(allow_unknown_keys=False), "demo", True),
        (Settings(allow_unknown_keys=False, demo_data=False), "demo", False),  # accepted, but empty
        (Settings(allow_unknown_keys=False, demo_key="d3m0"), "d3m0", True),
        (Settings(allow_unknown_keys=False, demo_key="d3m0"), "demo", None),
        (Settings(demo_key="d3m0"), "demo", False),
    ],
)
def test_which_keys_get_an_account_and_which_hold_the_demo_data(
    widgets: Provider, settings: Settings, key: str, demo: bool | None
) -> None:
    emulator = Emulator([widgets], replace(settings, seed=42))
    assert emulator.tenant(widgets, key, create=False) is None
    tenant = emulator.tenant(widgets, key)
    if demo is None:
        assert tenant is None and emulator.store.tenants() == []
        assert emulator.accepts("widgets", key) is False
        return
    assert tenant is not None and emulator.accepts("widgets", key)
    assert (tenant.provider, tenant.key, tenant.demo) == ("widgets", key, demo)
    names = [row["name"] for row in tenant.table("widgets").rows()]
    assert names == (["demo-42"] if demo else [])
    assert emulator.tenant(widgets, key) is tenant and emulator.tenant(widgets, key, create=False) is tenant
    assert tenant.settings["initialised"] == 1


def test_a_new_account_has_its_own_clock_on_the_servers_and_its_own_services(widgets: Provider) -> None:
    emulator = Emulator([widgets], Settings())
    emulator.clock.freeze()
    tenant = emulator.tenant(widgets, KEY)
    assert tenant is not None and tenant.settings["own services"] is True
    services = emulator.services_of(tenant)
    assert services.clock is tenant.clock and services.random is emulator.random
    start = emulator.clock.time()
    emulator.clock.advance(100)  # the server's clock moves every account's
    assert tenant.clock.time() == start + 100
    tenant.clock.advance(50)  # an account's moves no other clock
    assert (emulator.clock.time(), tenant.clock.time()) == (start + 100, start + 150)
    with pytest.raises(AssertionError, match="a tenant gets its services when it is created"):
        Emulator.services_of(Tenant("widgets", "bare"))


def test_seeding_replaces_an_account_with_demo_data_and_registers_its_key(widgets: Provider) -> None:
    emulator = Emulator([widgets], Settings(allow_unknown_keys=False, api_keys=(KEY,)))
    old = emulator.tenant(widgets, KEY)
    assert old is not None
    assert _handle(emulator, "createWidget", _request("POST", json={"name": "mine"}))[0] == 201
    seeded = emulator.seed(widgets, KEY, 5)
    assert seeded is not old and seeded.demo is True
    assert [row["name"] for row in seeded.table("widgets").rows()] == ["demo-5"]
    assert emulator.journal.entries() == []  # the account's past went with it
    assert not emulator.accepts("widgets", "newcomer")  # a key the settings refuse
    fresh = emulator.seed(widgets, "newcomer", 6)
    assert emulator.accepts("widgets", "newcomer") and emulator.tenant(widgets, "newcomer") is fresh
    assert ("widgets", "newcomer") in emulator.registered


def test_creating_an_account_registers_its_key_and_leaves_it_empty(widgets: Provider) -> None:
    emulator = Emulator([widgets], Settings(allow_unknown_keys=False))
    assert emulator.tenant(widgets, "newcomer") is None
    tenant = emulator.create_tenant(widgets, "newcomer")
    assert (tenant.key, tenant.demo, len(tenant.table("widgets"))) == ("newcomer", False, 0)
    assert emulator.tenant(widgets, "newcomer") is tenant and emulator.generation == 1
    demo = emulator.create_tenant(widgets, "demo")  # the demo key too: registered empty
    assert demo.demo is False and len(demo.table("widgets")) == 0


def test_a_reset_forgets_accounts_in_its_scope_and_everything_they_left(widgets: Provider) -> None:
    gadgets = replace(widgets, name="gadgets")
    emulator = Emulator([widgets, gadgets], Settings(allow_unknown_keys=False, rate_limit=1))
    for provider, key in ((widgets, "a"), (widgets, "b"), (gadgets, "a")):
        emulator.create_tenant(provider, key)
        op = emulator.specs[provider.name].operation("listWidgets")
        assert emulator.handle(provider, op, {}, _request("GET", key=key))[0] == 200
    emulator.dispatcher.submit("widgets", "a", [Outgoing("http://127.0.0.1:9/", b"{}", {}, "e", "w1", "m1")], ())
    assert emulator.dispatcher.outstanding("widgets", "a") == 1
    generation = emulator.generation

    assert emulator.reset("widgets", "a") == 1
    assert sorted((t.provider, t.key) for t in emulator.store.tenants()) == [("gadgets", "a"), ("widgets", "b")]
    assert [(e.provider, e.api_key) for e in emulator.journal.entries()] == [("gadgets", "a"), ("widgets", "b")]
    assert emulator.dispatcher.outstanding("widgets", "a") == 0
    assert emulator.limiter.take("widgets", "a").allowed  # a fresh quota
    assert not emulator.limiter.take("widgets", "b").allowed  # the others' stay used
    assert emulator.tenant(widgets, "a") is not None  # still registered: a new, empty account
    assert emulator.generation > generation

    assert emulator.reset("widgets") == 2
    assert emulator.reset(key="a") == 1  # the gadgets one, any provider
    assert emulator.reset() == 0 and emulator.store.tenants() == [] and emulator.journal.entries() == []


# -- running an action ------------------------------------------------------------------------
class WatchedStore(MemoryStore):
    """Remembers each hold (key, write), which hold is under way, and each settle; can end
    the next read holds with a conflict, as a shared store does when a read changed the
    account while another worker wrote (it then drops what the read queued with it)."""

    def __init__(self) -> None:
        super().__init__()
        self.holds: list[tuple[str, bool]] = []
        self.current: tuple[str, bool] | None = None
        self.settled = 0
        self.conflicts = 0

    def hold(self, tenant: Tenant, *, write: bool) -> AbstractContextManager[Any]:
        self.holds.append((tenant.key, write))
        return self._held(tenant, write)

    @contextmanager
    def _held(self, tenant: Tenant, write: bool) -> Iterator[None]:
        with tenant.lock:
            self.current = (tenant.key, write)
            try:
                yield
            finally:
                self.current = None
            if not write and self.conflicts:
                self.conflicts -= 1
                raise SharedConflict("changed while another worker wrote")

    def settle(self) -> None:
        self.settled += 1


@pytest.mark.parametrize(
    ("method", "write"), [("GET", False), ("HEAD", False), ("OPTIONS", False), ("POST", True), ("DELETE", True)]
)
def test_safe_methods_hold_the_account_to_read_and_others_to_write(widgets: Provider, method: str, write: bool) -> None:
    store = WatchedStore()
    emulator = Emulator([widgets], Settings(), store)
    tenant = emulator.create_tenant(widgets, KEY)
    reply, payload = emulator.run(widgets, tenant, _list, Call(tenant, emulator.services_of(tenant), {}, None, _request(method)))
    assert store.holds == [(KEY, write)]
    assert reply.status == 200 and payload == b'{"items":[],"limit":null}'
    emulator.run(widgets, tenant, _list, Call(tenant, emulator.services_of(tenant), {}, None))  # no request: an admin action
    assert store.holds[-1] == (KEY, True)


def test_an_actions_events_are_queued_as_deliveries_and_a_dropped_subscription_stops_them(widgets: Provider) -> None:
    emulator = Emulator([widgets], Settings())
    tenant = emulator.create_tenant(widgets, KEY)

    def two_events(call: Call) -> Reply:
        for name in ("first", "second"):
            call.emit(name, {"id": name}, url="http://127.0.0.1:9/hook")
        return Reply(202, {"queued": 2})

    call = Call(tenant, emulator.services_of(tenant), {}, None)
    generation = emulator.generation
    reply, payload = emulator.run(widgets, tenant, two_events, call)
    assert (reply.status, payload) == (202, b'{"queued":2}')
    assert call.caused == [{"event": "first", "messageIds": ["m-first"]}, {"event": "second", "messageIds": ["m-second"]}]
    pending = emulator.dispatcher.pending("widgets", KEY)
    assert [(p["event"], p["messageId"]) for p in pending] == [("first", "m-first"), ("second", "m-second")]
    assert emulator.generation == generation + 1

    def unsubscribe(call: Call) -> Reply:
        call.unsubscribe("w1")
        return Reply(204)

    assert emulator.run(widgets, tenant, unsubscribe, Call(tenant, emulator.services_of(tenant), {}, None)) == (Reply(204), b"")
    assert emulator.dispatcher.outstanding("widgets", KEY) == 0


def test_a_read_that_conflicts_runs_again_as_a_write_without_its_first_events(
    widgets: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = WatchedStore()
    emulator = Emulator([widgets], Settings(), store)
    tenant = emulator.create_tenant(widgets, KEY)
    runs: list[int] = []

    def read_that_writes(call: Call) -> Reply:
        runs.append(1)
        call.emit("touched", {"id": len(runs)}, url="http://127.0.0.1:9/hook")
        call.unsubscribe("nothing")
        return Reply(200, {"run": len(runs)})

    submitted: list[tuple[list[str], tuple[str, bool] | None]] = []

    def submit(provider: str, key: str, messages: list[Outgoing], schedule: tuple[float, ...]) -> None:
        submitted.append(([m.message_id for m in messages], store.current))

    monkeypatch.setattr(emulator.dispatcher, "submit", submit)
    store.conflicts = 1
    call = Call(tenant, emulator.services_of(tenant), {}, None, _request("GET"))
    _, payload = emulator.run(widgets, tenant, read_that_writes, call)
    assert store.holds == [(KEY, False), (KEY, True)]
    assert (len(runs), payload) == (2, b'{"run":2}')
    # Each run's messages are queued within its own hold: a shared store commits them with
    # the change, or drops them with the conflict.
    assert submitted == [(["m-1"], (KEY, False)), (["m-2"], (KEY, True))]
    assert [e.payload for e in call.events] == [{"id": 2}] and call.unsubscribed == ["nothing"]
    assert call.caused == [{"event": "touched", "messageIds": ["m-2"]}]


# -- the request pipeline ---------------------------------------------------------------------
def test_an_answer_carries_the_handlers_reply_the_quota_and_the_providers_content_type(widgets: Provider) -> None:
    store = WatchedStore()
    emulator = Emulator([widgets], Settings(rate_limit=10), store)
    made = _handle(emulator, "createWidget", _request("POST", json={"name": "a"}))
    assert made == (201, {"X-Left": "9"}, "application/json", {"id": 1, "name": "a"})
    listed = _handle(emulator, "listWidgets", _request("GET", query_string={"limit": "5"}))
    assert listed == (200, {"X-Left": "8"}, "application/json", {"items": [{"id": 1, "name": "a"}], "limit": 5})
    # An empty body has no content type.
    assert _handle(emulator, "deleteWidget", _request("DELETE", "/widgets/api/widgets/1"), id="1") == (
        204,
        {"X-Left": "7"},
        None,
        b"",
    )
    assert _handle(emulator, "listWidgets", _request("GET", key=None))[0] == 401
    assert store.settled == 4  # once after every request, refusals too


def test_a_preflight_refusal_comes_before_credentials_and_quota(widgets: Provider) -> None:
    def front_door(request: Request) -> None:
        if request.headers.get("User-Agent") != "ok":
            raise Forbidden("no user agent")

    emulator = Emulator([replace(widgets, preflight=front_door)], Settings(rate_limit=1))
    refused = _handle(emulator, "listWidgets", _request("GET", key=None))
    assert refused == (
        403,
        {"X-Error": "forbidden", "Retry-After": "never"},
        "application/json",
        {"code": "forbidden", "message": "no user agent", "violations": []},
    )
    assert emulator.store.tenants() == []
    assert _handle(emulator, "listWidgets", _request("GET", headers={"User-Agent": "ok"}))[0] == 200  # quota untouched


def test_a_request_without_a_key_or_with_one_refused_is_401_and_makes_no_account(widgets: Provider) -> None:
    emulator = Emulator([widgets], Settings(allow_unknown_keys=False))
    missing = _handle(emulator, "listWidgets", _request("GET", key=None))
    assert (missing[0], missing[3]["message"]) == (401, "missing")
    invalid = _handle(emulator, "listWidgets", _request("GET", key="stranger"))
    assert (invalid[0], invalid[3]["message"]) == (401, "invalid")
    assert "X-Left" not in invalid[1]  # refused before the quota
    assert emulator.store.tenants() == []


def test_over_the_quota_is_429_with_retry_after_and_the_handler_does_not_run(widgets: Provider) -> None:
    runs: list[int] = []

    def counted(call: Call) -> Reply:
        runs.append(1)
        return Reply(200, {})

    emulator = Emulator(
        [replace(widgets, handlers={**widgets.handlers, "listWidgets": counted})], Settings(rate_limit=1, rate_window=30)
    )
    assert _handle(emulator, "listWidgets", _request("GET"))[0] == 200
    status, headers, _, body = _handle(emulator, "listWidgets", _request("GET"))
    assert (status, body["code"], len(runs)) == (429, "rate_limited", 1)
    # The error's own header wins over the provider's, and the quota is told.
    assert headers["Retry-After"] in ("29", "30") and headers["X-Left"] == "0" and headers["X-Error"] == "rate_limited"


@pytest.mark.parametrize(
    ("operation_id", "kwargs", "path_values", "status", "code", "violations"),
    [
        ("listWidgets", {"query_string": {"limit": "0"}}, {}, 422, "validation", ["limit"]),
        ("listWidgets", {"query_string": {"limit": "many"}}, {}, 422, "validation", ["limit"]),
        ("deleteWidget", {}, {"id": "abc"}, 404, "not_found", ["id"]),
        (
            "createWidget",
            {"data": "name=a", "content_type": "application/x-www-form-urlencoded"},
            {},
            415,
            "unsupported_media_type",
            [],
        ),
        ("createWidget", {"data": "{", "content_type": "application/json"}, {}, 400, "malformed", []),
        ("createWidget", {"json": {"colour": "red"}}, {}, 422, "validation", ["name"]),
    ],
)
def test_parameters_and_body_are_read_by_the_spec_before_the_handler_runs(
    widgets: Provider,
    operation_id: str,
    kwargs: dict[str, Any],
    path_values: dict[str, str],
    status: int,
    code: str,
    violations: list[str],
) -> None:
    runs: list[str] = []

    def never(call: Call) -> Reply:
        runs.append(operation_id)
        return Reply(500, {"code": "ran"})

    emulator = Emulator([replace(widgets, handlers=dict.fromkeys(widgets.handlers, never))], Settings(strict_responses=True))
    method = "DELETE" if operation_id == "deleteWidget" else ("POST" if operation_id == "createWidget" else "GET")
    answer = _handle(emulator, operation_id, _request(method, **kwargs), **path_values)
    assert (answer[0], answer[3]["code"], runs) == (status, code, [])
    assert [path.split(".")[-1] for path in answer[3]["violations"]] == violations
    assert emulator.strict_problems == []  # every refusal matches the spec's default answer


def test_a_bug_in_a_handler_is_a_500_without_its_details_and_is_logged(
    widgets: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(call: Call) -> Reply:
        raise KeyError("secret detail")

    emulator = Emulator([replace(widgets, handlers={**widgets.handlers, "listWidgets": broken})], Settings())
    with caplog.at_level(logging.ERROR, logger="mockserver"):
        answer = _handle(emulator, "listWidgets", _request("GET"))
    assert answer[0] == 500 and answer[3] == {"code": "internal", "message": "Internal Server Error", "violations": []}
    [record] = [r for r in caplog.records if r.name == "mockserver"]
    assert record.getMessage() == "GET /widgets/api/widgets failed" and record.exc_info is not None
    assert record.exc_info[0] is KeyError


def test_answers_of_the_serving_layer_are_not_held_to_the_spec(widgets: Provider, caplog: pytest.LogCaptureFixture) -> None:
    """A body over the size limit (413) and shared state out of reach (503) are no behaviour
    of the API's: strict mode lets them through though the spec has no such answer."""

    def unreachable(call: Call) -> Reply:
        raise SharedUnavailable("redis gone")

    def buggy(call: Call) -> Reply:
        raise ValueError("a bug")

    emulator = Emulator([widgets], Settings(strict_responses=True))
    op = emulator.specs["widgets"].operation("fragile")  # documents 200 only
    small = request_class(4)(EnvironBuilder(method="GET", headers=[("X-Key", KEY)], data=b"more than four").get_environ())
    too_large = emulator.handle(widgets, op, {}, small)
    assert too_large[0] == 413 and b"exceeds the capacity limit" in too_large[3]
    with caplog.at_level(logging.WARNING, logger="mockserver"):
        down = emulator.handle(
            replace(widgets, handlers={"fragile": unreachable}), op, {}, _request("GET", "/widgets/api/fragile")
        )
    assert down[0] == 503 and b'"message":"Service Unavailable"' in down[3]
    assert "GET /widgets/api/fragile: shared state unavailable: redis gone" in caplog.text
    assert emulator.strict_problems == []
    # A bug's 500 is the API's answer: held to the spec, which does not document it.
    assert emulator.handle(replace(widgets, handlers={"fragile": buggy}), op, {}, _request("GET"))[0] == 500
    assert [p["problems"] for p in emulator.strict_problems] == [["the status code is not documented"]]


def test_strict_mode_answers_a_reply_that_breaks_the_spec_with_a_500_and_records_it(
    widgets: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    def sloppy(call: Call) -> Reply:
        return Reply(201, {"id": "one"})

    provider = replace(widgets, handlers={**widgets.handlers, "createWidget": sloppy})
    lax = Emulator([provider], Settings())
    assert _handle(lax, "createWidget", _request("POST", json={"name": "a"}))[:2] == (201, {"X-Left": "999"})
    strict = Emulator([provider], Settings(strict_responses=True))
    with caplog.at_level(logging.ERROR, logger="mockserver"):
        answer = _handle(strict, "createWidget", _request("POST", json={"name": "a"}))
    record = {
        "provider": "widgets",
        "operationId": "createWidget",
        "status": 201,
        "problems": ["body name: This value is required.", "body id: 'one' is not of type 'integer'"],
    }
    assert answer == (500, {}, "application/json", {"mockserver": "the response did not match the spec (strict mode)", **record})
    assert strict.strict_problems == [record]
    assert "strict response check failed" in caplog.text


def test_each_request_is_journaled_with_its_answer_and_the_events_it_caused(
    widgets: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator = Emulator([widgets], Settings(log_format="text"))
    assert emulator.request_log is not None
    logged: list[Any] = []
    monkeypatch.setattr(emulator.request_log, "write", logged.append)
    emulator.clock.freeze()
    request = _request("POST", query_string={"trace": "1"}, json={"name": "a", "hook": "http://127.0.0.1:9/hook"})
    assert _handle(emulator, "createWidget", request)[0] == 201
    assert _handle(emulator, "listWidgets", _request("GET", key=None))[0] == 401
    refused, made = emulator.journal.entries()
    assert logged == [made, refused]
    assert made.at == emulator.clock.time()
    entry = made.to_json()
    assert {
        name: entry[name] for name in ("provider", "keyHint", "operationId", "route", "method", "path", "query", "status")
    } == {
        "provider": "widgets",
        "keyHint": "…" + KEY[-4:],
        "operationId": "createWidget",
        "route": "/api/widgets",
        "method": "POST",
        "path": "/widgets/api/widgets",
        "query": {"trace": "1"},
        "status": 201,
    }
    assert entry["requestBody"] == {"name": "a", "hook": "http://127.0.0.1:9/hook"}
    assert entry["responseBody"] == {"id": 1, "name": "a"}
    assert entry["responseHeaders"] == {"X-Left": "999", "Content-Type": "application/json"}
    assert entry["requestHeaders"]["X-Key"] == KEY and entry["events"] == [{"event": "widget.created", "messageIds": ["m-1"]}]
    assert (refused.api_key, refused.status, refused.events) == (None, 401, [])


# -- rendering and encoding -------------------------------------------------------------------
def test_render_phrases_an_error_the_providers_way_with_the_errors_own_headers_last(widgets: Provider) -> None:
    emulator = Emulator([widgets], Settings())
    status, payload, content_type, headers = emulator.render(widgets, NotFound("gone", headers={"Retry-After": "5"}))
    assert (status, content_type) == (404, "application/json")
    assert payload == b'{"code":"not_found","message":"gone","violations":[]}'
    assert headers == {"X-Error": "not_found", "Retry-After": "5"}
    plain = emulator.render(
        replace(widgets, render_error=lambda err: ErrorReply(418, b"<p>teapot</p>", "text/html")), Unauthorized()
    )
    assert plain == (418, b"<p>teapot</p>", "text/html", {})


@pytest.mark.parametrize(
    ("body", "encoded"),
    [
        (None, b""),
        (b"<p>as it is</p>", b"<p>as it is</p>"),
        ({"a": [1, 2.5, True, None], "b": "\u00e9"}, '{"a":[1,2.5,true,null],"b":"\u00e9"}'.encode()),
        ({1: "one"}, b'{"1":"one"}'),
        ([], b"[]"),
        ({"big": 2**70, "word": "\u00fc"}, '{"big":1180591620717411303424,"word":"\u00fc"}'.encode()),  # past orjson's 64 bits
    ],
)
def test_encode_makes_compact_utf8_json_and_passes_bytes_through(body: Any, encoded: bytes) -> None:
    assert encode(body) == encoded


def test_encode_refuses_what_is_no_json() -> None:
    with pytest.raises(TypeError):
        encode({"when": object()})
