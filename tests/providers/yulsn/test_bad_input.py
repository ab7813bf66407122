"""Bad input, for every operation of specs/yulsn.yaml: the paths' get/post/put/patch/delete
and the operations under each path item's `x-methods` (SEARCH). The spec is read here, so an
operation added to it is covered without editing this file.

Whatever is wrong with a request, the answer is a 4xx, never a 5xx, and its body is JSON with
a "Message" string (ASP.NET Web API's error body): 401 without an X-ApiKey; 400 with
"ModelState" for malformed JSON, a body of the wrong JSON type or wrong property types (the
property named); 415 for a body that is not JSON; 404 for unknown ids, for path values that
are not ids and for unknown paths; 405 with Allow for a method a path does not have; 400 for
missing required query parameters and unreadable dates.

Requests that must reach the handlers (unknown ids, unreadable dates, dynamic fields of the
wrong type) run against one shared account that holds a record of every kind; it gets only
refusals and reads, which must leave it unchanged, as the last test checks. Requests that may
be accepted and change something run on an account of their operation's own.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from mockserver.testing import Account, ApiSession, Emulator
from tests.providers.yulsn.helpers import PNG
from tests.spec_tools import MEGABYTE, Sampler, Spec, SpecOperation, ids, send
from tests.support import trigger_response

SPEC = Spec.load("yulsn")
resolve = SPEC.resolve
STANDARD_METHODS = ("get", "post", "put", "patch", "delete")
EXTENSION = "x-methods"  # methods OpenAPI has no field for, e.g. {SEARCH: <operation>}
EVERY_METHOD = ("GET", "POST", "PUT", "PATCH", "DELETE", "SEARCH")
DENIED = {"Message": "Authorization has been denied for this request."}
NO_ROUTE = "No HTTP resource was found that matches the request URI 'https://api.yulsn.com{}'."
UNKNOWN_IDS = ("987654", "2147483647")  # well-formed ids that name nothing
PASSWORD = "world-password"
MISSING = object()  # marks a property to leave out of a body


# -- reading the spec -----------------------------------------------------------------------
def branches(schema: Any) -> list[dict[str, Any]]:
    schema = resolve(schema)
    for combinator in ("oneOf", "anyOf"):
        if combinator in schema:
            return [resolve(branch) for branch in schema[combinator]]
    return [schema]


def kinds(schema: Any) -> set[str]:
    """The JSON types a schema allows (empty for a free-form schema)."""
    found: set[str] = set()
    for branch in branches(schema):
        kind = branch.get("type")
        if kind is not None:
            found |= set(kind) if isinstance(kind, list) else {kind}
    return found


@dataclass(frozen=True)
class Operation(SpecOperation):
    body_schema: dict[str, Any] | None
    extension: bool  # declared under x-methods

    @property
    def integer_path_parameters(self) -> list[str]:
        return [p["name"] for p in self.path_parameters if "integer" in kinds(p["schema"])]

    @property
    def area(self) -> str:
        """The first path segment after /api/v1: `Contacts`, `table`, ..."""
        return self.path.split("/")[3]

    def url(self, values: Mapping[str, Any]) -> str:
        path = self.path
        for parameter in self.path_parameters:
            path = path.replace("{" + parameter["name"] + "}", str(values[parameter["name"]]))
        return path


def load_operations() -> list[Operation]:
    return [
        Operation(op.operation_id, op.method, op.path, op.parameters, op.body_schema, op.extension)
        for op in SPEC.operations(STANDARD_METHODS, EXTENSION)
    ]


OPERATIONS = load_operations()
BY_ID = {op.operation_id: op for op in OPERATIONS}
WITH_BODY = [op for op in OPERATIONS if op.body_schema is not None]
WITH_INTEGER_ID = [op for op in OPERATIONS if op.integer_path_parameters]
ON_TABLES = [op for op in OPERATIONS if any(p["name"] == "tableName" for p in op.path_parameters)]
SPEC_RESPONSES = {
    op.operation_id: (SPEC["paths"][op.path].get(op.method.lower()) or SPEC["paths"][op.path][EXTENSION][op.method])["responses"]
    for op in OPERATIONS
}


PATHS = {
    path: {m.upper() for m in STANDARD_METHODS if m in item} | {m.upper() for m in item.get(EXTENSION, {})}
    for path, item in SPEC["paths"].items()
}


# -- values from schemas ----------------------------------------------------------------------
def first_branch(schema: Any) -> dict[str, Any]:
    return branches(schema)[0]


def scalar_sample(kind: str, schema: dict[str, Any]) -> Any:
    """A small number or string that satisfies a schema."""
    if kind in ("integer", "number"):
        return max(schema.get("minimum", 1), 1)
    if schema.get("format") == "date-time":
        return "2024-05-14T10:00:00+00:00"
    return "sample"


# A small value that satisfies a schema (the first branch of a oneOf).
sample = Sampler(first_branch, kinds, scalar_sample)


def wrong_value(schema: Any) -> Any:
    """A JSON value of a type the schema does not allow (None for a free-form schema)."""
    allowed = kinds(schema)
    if not allowed:
        return None
    candidates: list[tuple[set[str], Any]] = [
        ({"string"}, "text"),
        ({"integer", "number"}, 5),
        ({"boolean"}, True),
        ({"array"}, [5]),
        ({"object"}, {"a": 1}),
    ]
    return next(value for types, value in candidates if not types & allowed)


def members(schema: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Every property of a body schema, nested ones included, as (path, schema); an array's
    items are reached through index 0."""
    seen: set[tuple[Any, ...]] = set()
    for branch in branches(schema):
        if "properties" in branch:
            for name, sub in branch["properties"].items():
                path = (*prefix, name)
                if path not in seen:
                    seen.add(path)
                    yield path, resolve(sub)
                    yield from members(sub, path)
        elif "array" in kinds(branch) and isinstance(branch.get("items"), dict):
            yield from members(branch["items"], (*prefix, 0))


def containers(schema: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Every object schema of a body (the body itself included), as (path, schema)."""
    for branch in branches(schema):
        if "properties" in branch:
            yield prefix, branch
            for name, sub in branch["properties"].items():
                yield from containers(sub, (*prefix, name))
        elif "array" in kinds(branch) and isinstance(branch.get("items"), dict):
            yield from containers(branch["items"], (*prefix, 0))


def inject(body: Any, schema: Any, path: tuple[Any, ...], value: Any) -> Any:
    """`body` with `value` at `path` (MISSING leaves the property out); containers along the
    way that the body lacks are made from the schema."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        array = next(b for b in branches(schema) if "array" in kinds(b))
        items = list(body) if isinstance(body, list) and body else [sample(array["items"])]
        items[0] = inject(items[0], array["items"], rest, value)
        return items
    obj = next(b for b in branches(schema) if head in b.get("properties", {}))
    sub = obj["properties"][head]
    result = dict(body) if isinstance(body, dict) else {}
    if not rest and value is MISSING:
        result.pop(head, None)
        return result
    current = result.get(head)
    result[head] = inject(current if current is not None or not rest else sample(sub), sub, rest, value)
    return result


def dotted(path: tuple[Any, ...]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".")


def names_of(path: tuple[Any, ...]) -> list[str]:
    return [part for part in path if isinstance(part, str)]


# -- the account the requests are made on ---------------------------------------------------------
@dataclass
class World:
    """An account and the ids of its records (`placeholder` worlds name records that do
    not exist: enough for refusals made before any record is looked up)."""

    key: str
    client: ApiSession
    ids: dict[str, Any]
    account: Account | None = None
    initial: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def placeholder(cls, client: ApiSession) -> World:
        values: dict[str, Any] = {name: 1 for name in WORLD_IDS}
        values.update(table="Things", contact_email="nobody@example.dk", order_ext="O-1", token="token-1")
        return cls("", client, values)

    def admin(self, method: str, action: str, **body: Any) -> Any:
        """A Yulsn admin action on this account."""
        assert self.account is not None
        if method == "GET":
            return self.account.emulator.admin("GET", f"yulsn/{action}", params={"apiKey": self.key})
        response = trigger_response(self.account, action, **body)
        assert response.status_code in (200, 201), f"{action}: {response.status_code} {response.text[:300]}"
        return response.json()

    def __getitem__(self, name: str) -> Any:
        return self.ids[name]

    def path_values(self, op: Operation) -> dict[str, Any]:
        values = {}
        for parameter in op.path_parameters:
            name = parameter["name"]
            record = OP_RECORDS.get((op.operation_id, name)) or PATH_RECORDS[(op.area, name)]
            values[name] = self.ids[record]
        return values

    def url(self, op: Operation, **overrides: Any) -> str:
        return op.url({**self.path_values(op), **overrides})

    def request(self, op: Operation) -> tuple[dict[str, Any], Any]:
        """Query parameters and a body with which the operation succeeds on this world."""
        make = VALID.get(op.operation_id)
        if make is not None:
            return make(self)
        return {}, sample(op.body_schema) if op.body_schema is not None else None

    def snapshot(self) -> dict[str, Any]:
        """Everything the account holds that a refused request could have changed."""
        paths = [
            "/api/v1/Contacts/Registration",
            "/api/v1/ContactCompanies",
            "/api/v1/Stores",
            "/api/v1/Points?lastId=0",
            "/api/v1/Points/Totals",
            f"/api/v1/Orders?contactId={self['contact']}",
            "/api/v1/Segments?folderId=1",
            f"/api/v1/Segments/{self['segment']}/GetContactIds",
            "/api/v1/table/Things?lastId=0",
            "/api/v1/DynamicTables",
            "/api/v1/Media?folderId=1",
            "/api/v1/Media/Folders",
            "/api/v1/ContactEvents?type=PageView",
            "/api/v1/EmailDispatches",
            "/api/v1/EmailDispatchReceiver?lastId=0",
            "/api/v1/BulkExport",
            "/api/v1/Actions",
        ]
        seen: dict[str, Any] = {}
        for path in paths:
            response = self.client.get(path)
            assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:300]}"
            seen[path] = response.json()
        for action in ("banners", "feeds", "triggers", "email2-dispatches"):
            seen[action] = self.admin("GET", action)
        return seen


PATH_RECORDS = {
    ("Actions", "id"): "action",
    ("ContactCompanies", "id"): "company",
    ("Contacts", "id"): "contact",
    ("DynamicFields", "id"): "table_id",
    ("table", "tableName"): "table",
    ("table", "id"): "entity",
    ("EmailBuilderCampaigns", "id"): "draft",
    ("FeedSyncs", "id"): "feed",
    ("Media", "id"): "media",
    ("Orders", "id"): "order",
    ("Orders", "lid"): "line",
    ("Points", "id"): "point",
    ("Segments", "id"): "segment",
    ("Stores", "id"): "store",
}
OP_RECORDS = {("cancelEmailBuilderCampaign", "id"): "scheduled"}
WORLD_IDS = (
    "contact",
    "company",
    "store",
    "point",
    "order",
    "line",
    "segment",
    "table_id",
    "entity",
    "draft",
    "scheduled",
    "email_campaign",
    "media",
    "media_folder",
    "segment_folder",
    "action",
    "feed",
    "banner",
    "trigger",
)

Request = tuple[dict[str, Any], Any]
VALID: dict[str, Callable[[World], Request]] = {
    "triggerAction": lambda w: ({"contactId": w["contact"]}, None),
    "resetBannerCache": lambda w: ({}, [w["banner"]]),
    "createBulkExport": lambda w: ({}, {"Type": 0}),
    "createContactCompany": lambda w: ({}, {"Name": "Another", "Number": "C-2"}),
    "patchContactCompany": lambda w: ({}, {"Id": w["company"], "Name": "Renamed"}),
    "addContactToCompany": lambda w: ({}, {"ContactId": w["contact"]}),
    "removeContactFromCompany": lambda w: ({}, {"ContactId": w["contact"]}),
    "listContactEvents": lambda w: ({"type": "PageView"}, None),
    "createContactEvents": lambda w: ({}, [{"ContactId": w["contact"], "Type": "PageView"}]),
    "createContact": lambda w: ({}, {"Email": "another@example.dk"}),
    "bulkPatchContacts": lambda w: ({}, {"KeyType": "Id", "Keys": [str(w["contact"])], "Fields": {"FirstName": "Bulk"}}),
    "updateContact": lambda w: ({}, {"Email": w["contact_email"], "FirstName": "Put"}),
    "patchContact": lambda w: ({}, {"FirstName": "Patched"}),
    "loginContact": lambda w: ({}, {"Password": PASSWORD}),
    "setContactPassword": lambda w: ({}, {"NewPassword": "another-password"}),
    "listDynamicFieldsOf": lambda w: ({"owner": "DynamicTable"}, None),
    "listDynamicFields": lambda w: ({"owner": "Contacts"}, None),
    "createTableEntity": lambda w: ({}, {"Name": "Another", "Size": 3}),
    "searchTableEntities": lambda w: ({}, {"Fields": [{"Field": "Size", "Operator": "MoreThan", "Value": 1}]}),
    "patchTableEntity": lambda w: ({}, {"Name": "Patched"}),
    "createTableEntities": lambda w: ({}, [{"Name": "Bulk"}]),
    "countTableEntities": lambda w: ({}, {"Fields": []}),
    "createEmail2Dispatch": lambda w: ({}, {"TriggerId": w["trigger"], "Scope": {"Contacts": {str(w["contact"]): {}}}}),
    "createEmailBuilderCampaign": lambda w: ({}, {"Name": "Another", "EmailTemplateId": 1}),
    "addEmailBuilderBlock": lambda w: ({}, {"EmailBuilderBlockId": 7}),
    "scheduleEmailBuilderCampaign": lambda w: ({}, {}),
    "createEmailDispatch": lambda w: ({}, {"EmailCampaignId": w["email_campaign"], "ContactId": w["contact"]}),
    "getIframeToken": lambda w: ({"tokenId": w["token"]}, None),
    "listMedia": lambda w: ({"folderId": w["media_folder"]}, None),
    "createMedia": lambda w: ({}, {"Name": "b.png", "FolderId": w["media_folder"], "ContentType": "image/png", "Media": PNG}),
    "renameMedia": lambda w: ({"newName": "renamed.png"}, None),
    "findOrders": lambda w: ({"contactId": w["contact"]}, None),
    "createOrder": lambda w: ({}, {"Type": "Default", "ContactId": w["contact"], "OrderLines": [{"Quantity": 1, "Price": 10}]}),
    "searchOrders": lambda w: ({}, [{"Field": "ExtOrderId", "Operator": "Equal", "Value": w["order_ext"]}]),
    "patchOrder": lambda w: ({}, {"City": "Aarhus"}),
    "createOrderLine": lambda w: ({}, {"Quantity": 2, "Price": 5}),
    "patchOrderLine": lambda w: ({}, {"Quantity": 3}),
    "createPoint": lambda w: ({}, {"ContactId": w["contact"], "Type": "Loyalty", "Amount": 5}),
    "listPointSums": lambda w: ({"contactId": w["contact"]}, None),
    "listPointSumsByContact": lambda w: ({"type": "Loyalty"}, None),
    "listPointSumsByStore": lambda w: ({"type": "Loyalty"}, None),
    "getPointTotalForContact": lambda w: ({"contactId": w["contact"], "type": "Loyalty"}, None),
    "listPointSumsByContactCompanies": lambda w: ({"type": "Loyalty"}, None),
    "getPointTotalForContactCompany": lambda w: ({"contactCompanyId": w["company"], "type": "Loyalty"}, None),
    "listPointsByContactCompany": lambda w: ({"contactCompanyId": w["company"], "type": "Loyalty"}, None),
    "searchPointsForStores": lambda w: ({"type": "Loyalty"}, [w["store"]]),
    "searchPointSumsForStoresByContactCompanies": lambda w: ({"type": "Loyalty"}, [w["store"]]),
    "listSegments": lambda w: ({"folderId": w["segment_folder"]}, None),
    "countSegmentContacts": lambda w: ({"s": w["segment"]}, None),
    "countSegmentContactsFromBody": lambda w: ({}, [w["segment"]]),
    "createSegmentFromContacts": lambda w: ({}, {"Name": "Another", "FolderId": 1, "ContactIds": [w["contact"]]}),
    "createStore": lambda w: ({}, {"Number": "S-2"}),
    "patchStore": lambda w: ({}, {"Id": w["store"], "Name": "Renamed"}),
}
# The account's dynamic fields, one per owner and one per type: (owner, name, type, values).
DYNAMIC_FIELDS = (
    ("Contacts", "Newsletter", 2, None),
    ("ContactCompanies", "Employees", 3, None),
    ("Stores", "Opened", 4, None),
    ("Orders", "Channel", 1, ["Online", "Store"]),
    ("OrderLines", "Discount", 5, None),
)


def ok(response: requests.Response) -> Any:
    assert response.status_code == 200, f"{response.request.method} {response.url}: {response.status_code} {response.text[:300]}"
    return response.json() if response.content else None


def make_world(mockserver: Emulator) -> World:
    """A fresh account with a record of every kind the operations name."""
    account = mockserver.account("yulsn")
    client = account.session()
    world = World(account.api_key, client, {}, account)
    for owner, name, kind, values in DYNAMIC_FIELDS:
        world.admin("POST", "dynamic-fields", owner=owner, name=name, type=kind, values=values)
    table = world.admin("POST", "tables", name="Things", fields=[{"name": "Size", "type": 3}])
    post = client.post
    store = ok(post("/api/v1/Stores", json={"Number": "S-1", "Name": "Store"}))
    company = ok(post("/api/v1/ContactCompanies", json={"Name": "Acme", "Number": "C-1"}))
    email = "world@example.dk"
    contact = ok(
        post("/api/v1/Contacts", json={"Email": email, "PreferredStoreId": store["Id"], "ContactCompanyId": company["Id"]})
    )
    cid = contact["Id"]
    ok(post(f"/api/v1/Contacts/{cid}/SetPassword", json={"NewPassword": PASSWORD}))
    ok(post("/api/v1/ContactEvents", json=[{"ContactId": cid, "Type": "PageView"}]))
    point = ok(post("/api/v1/Points", json={"ContactId": cid, "Type": "Loyalty", "Amount": 10, "StoreId": store["Id"]}))
    lines = [{"Quantity": 1, "Price": 10}, {"Quantity": 2, "Price": 5}]
    order = ok(post("/api/v1/Orders", json={"Type": "Default", "ExtOrderId": "O-1", "ContactId": cid, "OrderLines": lines}))
    segment = ok(post("/api/v1/Segments/ContactIds", json={"Name": "World", "FolderId": 1, "ContactIds": [cid]}))
    entity = ok(post("/api/v1/table/Things", json={"ExternalId": "T-1", "Name": "Thing", "Size": 2}))
    media = ok(post("/api/v1/Media", json={"Name": "a.png", "FolderId": 1, "ContentType": "image/png", "Media": PNG}))
    draft = ok(post("/api/v1/EmailBuilderCampaigns", json={"Name": "Draft", "EmailTemplateId": 1}))
    ok(post(f"/api/v1/EmailBuilderCampaigns/{draft['Id']}/AddBlock", json={"EmailBuilderBlockId": 1}))
    scheduled = ok(post("/api/v1/EmailBuilderCampaigns", json={"Name": "Scheduled", "EmailTemplateId": 1}))
    ok(post(f"/api/v1/EmailBuilderCampaigns/{scheduled['Id']}/AddBlock", json={"EmailBuilderBlockId": 1}))
    ok(post(f"/api/v1/EmailBuilderCampaigns/{scheduled['Id']}/Schedule", json={"IncludeSegments": [segment["Id"]]}))
    ok(post("/api/v1/EmailDispatches", json={"EmailCampaignId": draft["EmailCampaignId"], "ContactId": cid}))
    action = world.admin("POST", "actions", name="Action")
    feed = world.admin("POST", "feeds", name="Feed")
    banner = world.admin("POST", "banners", name="Banner", versions=1)
    token = world.admin("POST", "iframe-tokens", id=f"token-{account.api_key}")
    trigger = world.admin("POST", "email2-triggers", name="Trigger")
    world.ids = {
        "contact": cid,
        "contact_email": email,
        "company": company["Id"],
        "store": store["Id"],
        "point": point["Id"],
        "order": order["Id"],
        "order_ext": "O-1",
        "line": order["OrderLines"][0]["Id"],
        "segment": segment["Id"],
        "segment_folder": 1,
        "table": "Things",
        "table_id": table["Id"],
        "entity": entity["Id"],
        "draft": draft["Id"],
        "scheduled": scheduled["Id"],
        "email_campaign": draft["EmailCampaignId"],
        "media": media["Id"],
        "media_folder": 1,
        "action": action["Id"],
        "feed": feed["Id"],
        "banner": banner["Id"],
        "token": token["Id"],
        "trigger": trigger["Id"],
    }
    return world


@pytest.fixture(scope="module")
def world(mockserver: Emulator) -> World:
    """Shared by the tests whose requests must be refused (and so change nothing)."""
    shared = make_world(mockserver)
    shared.initial = shared.snapshot()
    return shared


READ_ONLY = ("GET", "SEARCH")


@pytest.fixture(scope="module")
def own_world(mockserver: Emulator, world: World) -> Callable[[Operation], World]:
    """The account an operation's accepted requests are made on: the shared one for reads
    (GET and SEARCH change nothing), otherwise one of the operation's own, made on first use,
    where its requests may change what they like."""
    made: dict[str, World] = {}

    def world_of(op: Operation) -> World:
        if op.method in READ_ONLY:
            return world
        if op.operation_id not in made:
            made[op.operation_id] = make_world(mockserver)
        return made[op.operation_id]

    return world_of


@pytest.fixture
def nowhere(yulsn: ApiSession) -> Iterator[World]:
    """A fresh, empty account: for refusals made before any record is looked up."""
    yield World.placeholder(yulsn)
    yulsn.close()  # no idle connection left behind for each of the many tests


@pytest.fixture
def client_without(mockserver: Emulator) -> Iterator[Callable[..., ApiSession]]:
    """Clients with only the given headers (no X-ApiKey unless given), closed after the test."""
    made: list[ApiSession] = []

    def make(**headers: str) -> ApiSession:
        client = ApiSession(f"{mockserver.url}/yulsn", headers)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


# -- sending and checking ---------------------------------------------------------------------
def send_valid(world: World, op: Operation, client: ApiSession | None = None, **overrides: Any) -> requests.Response:
    """The operation's valid request on the world, with path values overridden."""
    params, body = world.request(op)
    return send(client or world.client, op, world.url(op, **overrides), body, params=params)


def send_body(world: World, op: Operation, payload: Any, **kwargs: Any) -> requests.Response:
    """`payload` as the body of the operation's otherwise valid request (its query parameters given)."""
    params, _ = world.request(op)
    return send(world.client, op, world.url(op), payload, params=params, **kwargs)


def assert_error(response: requests.Response, status: int) -> dict[str, Any]:
    """The status, and an error body that is JSON with a "Message" string."""
    assert response.status_code == status, f"{response.status_code}: {response.text[:500]}"
    assert response.headers.get("Content-Type", "").split(";")[0] == "application/json", response.headers
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("Message"), str) and body["Message"], body
    return body


def assert_client_error(response: requests.Response) -> dict[str, Any]:
    """Some 4xx (never a 5xx), with the error body."""
    assert 400 <= response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    return assert_error(response, response.status_code)


def assert_model_state(response: requests.Response, *names: str) -> dict[str, list[str]]:
    """400 with a ModelState (lists of messages by key) with a key that names all of `names`."""
    body = assert_error(response, 400)
    state = body.get("ModelState")
    assert isinstance(state, dict) and state, body
    assert all(isinstance(messages, list) and all(isinstance(m, str) for m in messages) for messages in state.values()), body
    if names:
        wanted = [name.lower() for name in names]
        assert any(all(name in key.lower() for name in wanted) for key in state), (names, body)
    return state


def assert_never_a_server_error(response: requests.Response) -> None:
    """A 2xx, or a 4xx with the error body; a concurrent contact update (409) may answer the
    latest contact instead, as the spec says."""
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    if response.status_code == 409 and "Version" in response.json():
        return
    if response.status_code >= 400:
        assert_error(response, response.status_code)


def every(values: Iterable[Any], check: Callable[[Any], object]) -> None:
    """`check` each value; fail once, listing every value that failed."""
    problems = []
    for value in values:
        try:
            check(value)
        except AssertionError as exc:
            problems.append(f"{value!r}"[:120] + f": {exc}"[:600])
    assert not problems, "\n".join(problems)


# -- the spec as read ---------------------------------------------------------------------------
def test_every_operation_of_the_spec_is_read_including_the_extension_methods() -> None:
    assert len(OPERATIONS) == 94
    assert len(BY_ID) == len(OPERATIONS), "operationIds are unique"
    extension = sorted(op.operation_id for op in OPERATIONS if op.extension)
    assert extension == sorted(
        [
            "searchTableEntities",
            "countTableEntities",
            "searchOrders",
            "searchPointsForStores",
            "searchPointSumsForStoresByContactCompanies",
        ]
    )
    assert {op.method for op in OPERATIONS if op.extension} == {"SEARCH"}


def test_every_valid_request_and_path_value_belongs_to_an_operation_of_the_spec() -> None:
    assert set(VALID) <= set(BY_ID)
    assert {operation_id for operation_id, _ in OP_RECORDS} <= set(BY_ID)
    for op in OPERATIONS:
        for parameter in op.path_parameters:
            assert (op.operation_id, parameter["name"]) in OP_RECORDS or (op.area, parameter["name"]) in PATH_RECORDS, op


@pytest.mark.parametrize("op", OPERATIONS, ids=ids(OPERATIONS))
def test_the_valid_request_of_every_operation_succeeds(own_world: Callable[[Operation], World], op: Operation) -> None:
    """The control for everything below: on an account of its own, the request the other
    tests spoil is accepted, so their refusals come from what they spoil."""
    response = send_valid(own_world(op), op)
    assert 200 <= response.status_code < 300, f"{response.status_code}: {response.text[:500]}"


# -- authentication -----------------------------------------------------------------------------
@pytest.mark.parametrize("op", OPERATIONS, ids=ids(OPERATIONS))
def test_no_api_key_is_401_with_the_web_api_message(
    client_without: Callable[..., ApiSession], world: World, op: Operation
) -> None:
    anonymous = client_without(Accept="application/json")
    response = send_valid(world, op, client=anonymous)
    assert_error(response, 401)
    assert response.json() == DENIED


@pytest.mark.parametrize("op", OPERATIONS, ids=ids(OPERATIONS))
def test_an_empty_api_key_is_401(client_without: Callable[..., ApiSession], world: World, op: Operation) -> None:
    blank = client_without(**{"X-ApiKey": ""})
    response = send_valid(world, op, client=blank)
    assert_error(response, 401)
    assert response.json() == DENIED


@pytest.mark.parametrize("op", OPERATIONS, ids=ids(OPERATIONS))
def test_the_key_is_checked_before_the_request_itself(client_without: Callable[..., ApiSession], op: Operation) -> None:
    """Unknown ids, out-of-range query parameters, missing ones and broken JSON: still 401."""
    anonymous = client_without()
    path = op.url({p["name"]: "NoSuchTable" if p["name"] == "tableName" else "987654" for p in op.path_parameters})
    params = {p["name"]: "-5" for p in op.query_parameters if "integer" in kinds(p["schema"])}
    response = send(anonymous, op, path, "{broken" if op.body_schema is not None else None, params=params)
    assert_error(response, 401)
    assert response.json() == DENIED


# -- bodies ---------------------------------------------------------------------------------------
MALFORMED = ['{"Email": ', "{'single': 'quotes'}", '{"a": NaN}', "{}}", b"\xff\xfe{}", "{,}", '{"a" 1}', "[1,]", " "]


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_malformed_json_is_400_with_model_state(nowhere: World, op: Operation) -> None:
    every(MALFORMED, lambda payload: assert_model_state(send_body(nowhere, op, payload)))


CONTENT_TYPES = [
    "text/plain",
    "application/xml",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "text/json",
]


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_a_body_that_is_not_json_is_415_naming_its_media_type(nowhere: World, op: Operation) -> None:
    _, body = nowhere.request(op)

    def check(media_type: str) -> None:
        response = send_body(nowhere, op, json.dumps(body), headers={"Content-Type": media_type})
        assert_error(response, 415)
        named = media_type.split(";", maxsplit=1)[0]
        assert response.json() == {"Message": f"The request entity's media type '{named}' is not supported for this resource."}

    every(CONTENT_TYPES, check)


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_no_body_at_all_is_400_with_model_state(nowhere: World, op: Operation) -> None:
    params, _ = nowhere.request(op)
    assert_model_state(nowhere.client.request(op.method, nowhere.url(op), params=params))


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_a_json_body_without_a_content_type_is_refused(nowhere: World, op: Operation) -> None:
    params, body = nowhere.request(op)
    response = nowhere.client.request(op.method, nowhere.url(op), params=params, data=json.dumps(body).encode())
    assert "Content-Type" not in response.request.headers
    assert_client_error(response)


NOT_OBJECTS = ["[]", "[{}]", '"text"', "5", "true", "null"]
NOT_ARRAYS = ["{}", '{"Fields": []}', '"text"', "5", "true", "null"]


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_a_body_of_the_wrong_json_type_is_400(nowhere: World, op: Operation) -> None:
    """An object where the operation takes an array, and the other way round (or a scalar)."""
    payloads = NOT_ARRAYS if "array" in kinds(op.body_schema) else NOT_OBJECTS
    every(payloads, lambda payload: assert_model_state(send_body(nowhere, op, payload)))


def property_schema(op: Operation, path: tuple[Any, ...]) -> dict[str, Any]:
    return dict(members(op.body_schema))[path]


PROPERTY_CASES = [
    (op, path)
    for op in WITH_BODY
    for path, schema in members(op.body_schema)
    if wrong_value(schema) is not None and len(path) <= 4
]


@pytest.mark.parametrize(("op", "path"), PROPERTY_CASES, ids=ids([(op, dotted(path)) for op, path in PROPERTY_CASES]))
def test_a_property_of_the_wrong_type_is_400_naming_it(nowhere: World, op: Operation, path: tuple[Any, ...]) -> None:
    _, valid = nowhere.request(op)
    body = inject(valid, op.body_schema, path, wrong_value(property_schema(op, path)))
    assert_model_state(send_body(nowhere, op, body), *names_of(path))
    if len(path) == 1:  # bodies are read without regard to the case of names, and so are their errors
        lowered = {k: v for k, v in valid.items() if k != path[0]} | {path[0].lower(): wrong_value(property_schema(op, path))}
        assert_model_state(send_body(nowhere, op, lowered), path[0])


REQUIRED_CASES = [
    (op, (*where, name))
    for op in WITH_BODY
    for where, schema in containers(op.body_schema)
    for name in schema.get("required", [])
]


@pytest.mark.parametrize(("op", "path"), REQUIRED_CASES, ids=ids([(op, dotted(path)) for op, path in REQUIRED_CASES]))
def test_a_required_property_left_out_or_null_is_400_naming_it(nowhere: World, op: Operation, path: tuple[Any, ...]) -> None:
    _, valid = nowhere.request(op)
    assert_model_state(send_body(nowhere, op, inject(valid, op.body_schema, path, MISSING)), *names_of(path))
    if "null" not in kinds(property_schema(op, path)):
        assert_model_state(send_body(nowhere, op, inject(valid, op.body_schema, path, None)), *names_of(path))


def beyond(schema: dict[str, Any]) -> list[Any]:
    """Values just outside a property's bounds (length, range, enumeration)."""
    found: list[Any] = []
    if "maxLength" in schema and schema["maxLength"] <= 200_000:
        found.append("x" * (schema["maxLength"] + 1))
    if schema.get("minLength", 0) >= 1:
        found.append("")
    if "maximum" in schema:
        found.append(int(schema["maximum"]) + 1)
    if "minimum" in schema:
        found.append(int(schema["minimum"]) - 1)
    if "enum" in schema:
        numeric = bool(kinds(schema) & {"integer"})
        found.append(max(v for v in schema["enum"] if v is not None) + 100 if numeric else "NoSuchValue")
    return found


BOUND_CASES = [(op, path) for op in WITH_BODY for path, schema in members(op.body_schema) if beyond(schema)]


@pytest.mark.parametrize(("op", "path"), BOUND_CASES, ids=ids([(op, dotted(path)) for op, path in BOUND_CASES]))
def test_a_property_outside_its_bounds_is_400_naming_it(nowhere: World, op: Operation, path: tuple[Any, ...]) -> None:
    _, valid = nowhere.request(op)

    def check(value: Any) -> None:
        assert_model_state(send_body(nowhere, op, inject(valid, op.body_schema, path, value)), *names_of(path))

    every(beyond(property_schema(op, path)), check)


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_a_megabyte_of_malformed_json_is_400(nowhere: World, op: Operation) -> None:
    assert_model_state(send_body(nowhere, op, b"{" + b"x" * MEGABYTE))


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_a_megabyte_of_json_of_the_wrong_type_is_400(nowhere: World, op: Operation) -> None:
    if "array" in kinds(op.body_schema):
        payload = json.dumps({"Padding": "x" * MEGABYTE})
    else:
        payload = json.dumps(["x" * 1000] * (MEGABYTE // 1000 + 1))
    assert len(payload) > MEGABYTE
    assert_model_state(send_body(nowhere, op, payload))


def first_bounded_string(op: Operation) -> tuple[Any, ...] | None:
    return next(
        (
            path
            for path, schema in members(op.body_schema)
            if "string" in kinds(schema) and schema.get("maxLength", MEGABYTE) < MEGABYTE and len(path) <= 4
        ),
        None,
    )


WITH_BOUNDED_STRING = [op for op in WITH_BODY if first_bounded_string(op) is not None]


@pytest.mark.parametrize("op", WITH_BOUNDED_STRING, ids=ids(WITH_BOUNDED_STRING))
def test_a_megabyte_string_in_a_bounded_property_is_400_naming_it(nowhere: World, op: Operation) -> None:
    path = first_bounded_string(op)
    assert path is not None
    _, valid = nowhere.request(op)
    body = inject(valid, op.body_schema, path, "a" * MEGABYTE)
    assert_model_state(send_body(nowhere, op, body), *names_of(path))


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_deeply_nested_json_is_400_not_a_crash(nowhere: World, op: Operation) -> None:
    depth = 100_000
    assert_model_state(send_body(nowhere, op, "[" * depth + "]" * depth))
    nested = '{"a":' * depth + "1" + "}" * depth
    inside = f"[{nested}]" if "array" in kinds(op.body_schema) else '{"Deep": ' + nested + "}"
    assert_model_state(send_body(nowhere, op, inside))


def first_typed(op: Operation) -> tuple[Any, ...] | None:
    """The first property that is not free-form and takes neither objects nor arrays."""
    return next(
        (path for path, schema in members(op.body_schema) if kinds(schema) and not kinds(schema) & {"object", "array"}),
        None,
    )


WITH_TYPED = [op for op in WITH_BODY if first_typed(op) is not None]


@pytest.mark.parametrize("op", WITH_TYPED, ids=ids(WITH_TYPED))
def test_moderately_nested_json_in_a_typed_property_is_400_naming_it(nowhere: World, op: Operation) -> None:
    """Deep enough to be absurd, shallow enough to parse: the property has the wrong type."""
    path = first_typed(op)
    assert path is not None
    nested: Any = 1
    for _ in range(200):
        nested = {"a": nested}
    _, valid = nowhere.request(op)
    assert_model_state(send_body(nowhere, op, inject(valid, op.body_schema, path, nested)), *names_of(path))


def _decode_deep(response: requests.Response) -> Any:
    """Read a body as deep as the server stores, whatever stack depth this test already runs at
    (a parallel test worker starts deeper than the main thread)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(limit + 2000)
    try:
        return response.json()
    finally:
        sys.setrecursionlimit(limit)


@pytest.mark.parametrize("depth", [10, 200, 500, 900, 950, 980, 1000, 5000])
def test_deep_json_in_a_free_form_property_is_never_a_server_error(nowhere: World, depth: int) -> None:
    """`InfoJson` takes any JSON: as deep as the server reads it, it is stored and read back;
    deeper, it is refused as malformed."""
    contact = ok(nowhere.client.post("/api/v1/Contacts", json={"Email": "deep@example.dk"}))
    info = '{"a":' * depth + "1" + "}" * depth
    payload = '[{"ContactId": ' + str(contact["Id"]) + ', "Type": "Deep", "InfoJson": ' + info + "}]"
    response = nowhere.client.post("/api/v1/ContactEvents", data=payload, headers={"Content-Type": "application/json"})
    assert_never_a_server_error(response)
    listed = nowhere.client.get("/api/v1/ContactEvents", params={"type": "Deep"})
    assert listed.status_code == 200, listed.text[:300]
    assert len(_decode_deep(listed)) == (1 if response.status_code == 200 else 0)
    if response.status_code != 200:
        assert_model_state(response)


def test_a_body_over_the_size_limit_is_refused_with_a_message(nowhere: World) -> None:
    payload = b"[" + b"0," * (6 * MEGABYTE) + b"0]"
    response = nowhere.client.post("/api/v1/Segments/GetContactCount", data=payload, headers={"Content-Type": "application/json"})
    assert_client_error(response)


# -- dynamic fields (the account's own, defined through the admin API) --------------------------
DYNAMIC_CASES: list[tuple[str, str, Callable[[World], Any]]] = [
    ("createContact", "Newsletter", lambda w: {"Email": "new@example.dk", "Newsletter": "yes"}),
    ("updateContact", "Newsletter", lambda w: {"Email": w["contact_email"], "Newsletter": "yes"}),
    ("patchContact", "Newsletter", lambda w: {"Newsletter": 1}),
    ("bulkPatchContacts", "Newsletter", lambda w: {"KeyType": 1, "Keys": [str(w["contact"])], "Fields": {"Newsletter": "yes"}}),
    ("createContactCompany", "Employees", lambda w: {"Name": "New", "Employees": "many"}),
    ("patchContactCompany", "Employees", lambda w: {"Id": w["company"], "Employees": True}),
    ("createStore", "Opened", lambda w: {"Number": "S-9", "Opened": "not a date"}),
    ("patchStore", "Opened", lambda w: {"Id": w["store"], "Opened": 5}),
    ("createOrder", "Channel", lambda w: {"Type": "Default", "Channel": 5, "OrderLines": [{"Quantity": 1, "Price": 1}]}),
    ("createOrder", "Channel", lambda w: {"Type": "Default", "Channel": "Fax", "OrderLines": [{"Quantity": 1, "Price": 1}]}),
    ("patchOrder", "Channel", lambda w: {"Channel": ["Online"]}),
    ("createOrder", "Discount", lambda w: {"Type": "Default", "OrderLines": [{"Quantity": 1, "Price": 1, "Discount": "x"}]}),
    ("createOrderLine", "Discount", lambda w: {"Quantity": 1, "Price": 1, "Discount": "x"}),
    ("patchOrderLine", "Discount", lambda w: {"Discount": False}),
    ("createTableEntity", "Size", lambda w: {"Name": "Big", "Size": "big"}),
    ("createTableEntities", "Size", lambda w: [{"Name": "Fine", "Size": 1}, {"Name": "Big", "Size": "big"}]),
    ("patchTableEntity", "Size", lambda w: {"Size": {"a": 1}}),
]


@pytest.mark.parametrize(
    ("operation_id", "name", "make"), DYNAMIC_CASES, ids=[f"{o}-{n}-{i}" for i, (o, n, _) in enumerate(DYNAMIC_CASES)]
)
def test_a_dynamic_field_of_the_wrong_type_is_400_naming_it(
    world: World, operation_id: str, name: str, make: Callable[[World], Any]
) -> None:
    op = BY_ID[operation_id]
    assert_model_state(send(world.client, op, world.url(op), make(world)), name)


# -- query parameters -------------------------------------------------------------------------
REQUIRED_QUERY_CASES = [(op, p["name"]) for op in OPERATIONS for p in op.query_parameters if p.get("required")]


@pytest.mark.parametrize(("op", "name"), REQUIRED_QUERY_CASES, ids=ids(REQUIRED_QUERY_CASES))
def test_a_required_query_parameter_left_out_is_400_naming_it(world: World, op: Operation, name: str) -> None:
    params, body = world.request(op)
    assert name in params, "the valid request gives it"
    del params[name]
    assert_model_state(send(world.client, op, world.url(op), body, params=params), name)


def misread(schema: dict[str, Any]) -> list[Any]:
    """Query values of the wrong type or outside the bounds of a parameter's schema."""
    items = schema.get("items", {}) if schema.get("type") == "array" else schema
    found: list[Any] = []
    if items.get("type") in ("integer", "number"):
        found += ["abc", "1.5", "1e3", "0x10", "\u0661"]
    if items.get("type") == "boolean":
        found += ["maybe", "yes"]
    if "enum" in items:
        found.append("NoSuchValue" if items.get("type") == "string" else "4000")
    if "minimum" in items:
        found.append(str(items["minimum"] - 1))
    if "maximum" in items:
        found.append(str(items["maximum"] + 1))
    if "maxLength" in items:
        found.append("x" * (items["maxLength"] + 1))
    if items.get("minLength", 0) >= 1:
        found.append("")
    return found


QUERY_CASES = [(op, p["name"]) for op in OPERATIONS for p in op.query_parameters if misread(p["schema"])]


@pytest.mark.parametrize(("op", "name"), QUERY_CASES, ids=ids(QUERY_CASES))
def test_a_query_parameter_of_the_wrong_type_or_out_of_bounds_is_400_naming_it(world: World, op: Operation, name: str) -> None:
    params, body = world.request(op)
    schema = next(p["schema"] for p in op.query_parameters if p["name"] == name)

    def check(value: str) -> None:
        assert_model_state(send(world.client, op, world.url(op), body, params={**params, name: value}), name)

    every(misread(schema), check)


def is_date(parameter: dict[str, Any]) -> bool:
    return "date and time" in parameter["schema"].get("description", "")


DATE_CASES = [(op, p["name"]) for op in OPERATIONS for p in op.query_parameters if is_date(p)]
# What a look-up needs besides the date for the date to be read at all.
DATE_NEEDS = {("findPoints", "datetimeFrom"): "contactId", ("findPoints", "datetimeTo"): "contactId"}
UNREADABLE_DATES = [
    "garbage",
    "2024-13-45T10:00:00+00:00",
    "2024-02-30",
    "13/45/2024 10:00:00 +00:00",
    "05/14/2024 25:00:00 +00:00",
    "yesterday",
    "1714",
]


def date_request(world: World, op: Operation, name: str) -> tuple[dict[str, Any], Any]:
    params, body = world.request(op)
    if (op.operation_id, name) in DATE_NEEDS:
        params[DATE_NEEDS[(op.operation_id, name)]] = world["contact"]
    return params, body


@pytest.mark.parametrize(("op", "name"), DATE_CASES, ids=ids(DATE_CASES))
def test_an_unreadable_date_is_400_naming_the_parameter(world: World, op: Operation, name: str) -> None:
    params, body = date_request(world, op, name)

    def check(value: str) -> None:
        response = send(world.client, op, world.url(op), body, params={**params, name: value})
        assert_error(response, 400)
        assert name.lower() in json.dumps(response.json()).lower(), response.json()

    every(UNREADABLE_DATES, check)


@pytest.mark.parametrize(("op", "name"), DATE_CASES, ids=ids(DATE_CASES))
def test_a_readable_date_in_either_format_is_accepted(world: World, op: Operation, name: str) -> None:
    """The control for the test above: ISO 8601 and .NET's own format are read."""
    params, body = date_request(world, op, name)

    def check(value: str) -> None:
        response = send(world.client, op, world.url(op), body, params={**params, name: value})
        assert response.status_code == 200, response.text[:300]

    every(["2024-05-14T10:00:00+00:00", "2024-05-14T10:00:00Z", "05/14/2024 10:00:00 +00:00", "2024-05-14"], check)


JUNK = ["", " ", "\x00", "null", "-1", "0", "1e400", "NaN", "[]", "{}", "'", "%", "\u0661", "True", "x" * 600]
WITH_QUERY = [op for op in OPERATIONS if op.query_parameters]


@pytest.mark.parametrize("op", WITH_QUERY, ids=ids(WITH_QUERY))
def test_junk_in_any_query_parameter_is_never_a_server_error(own_world: Callable[[Operation], World], op: Operation) -> None:
    world = own_world(op)
    params, body = world.request(op)
    names = [p["name"] for p in op.query_parameters]
    cases = [(name, value) for name in names for value in JUNK]
    every(
        cases,
        lambda case: assert_never_a_server_error(
            send(world.client, op, world.url(op), body, params={**params, case[0]: case[1]})
        ),
    )


JUNK_VALUES: list[Any] = [None, "", -1, 2**63, 1.5, True, "x\u0000" * 150, [], {"a": 1}]


@pytest.mark.parametrize("op", WITH_BODY, ids=ids(WITH_BODY))
def test_junk_in_any_body_property_is_never_a_server_error(own_world: Callable[[Operation], World], op: Operation) -> None:
    world = own_world(op)
    params, valid = world.request(op)
    cases = [(path, value) for path, _ in members(op.body_schema) if len(path) <= 4 for value in JUNK_VALUES]

    def check(case: tuple[tuple[Any, ...], Any]) -> None:
        body = inject(valid, op.body_schema, case[0], case[1])
        assert_never_a_server_error(send(world.client, op, world.url(op), body, params=params))

    every(cases, check)


# -- ids ------------------------------------------------------------------------------------
UNKNOWN_PATH_CASES = [(op, name) for op in WITH_INTEGER_ID for name in op.integer_path_parameters]


@pytest.mark.parametrize(("op", "name"), UNKNOWN_PATH_CASES, ids=ids(UNKNOWN_PATH_CASES))
def test_an_unknown_id_in_the_path_is_404(world: World, op: Operation, name: str) -> None:
    """The request is valid and every other path value names a real record."""
    every(UNKNOWN_IDS, lambda value: assert_error(send_valid(world, op, **{name: value}), 404))


@pytest.mark.parametrize("op", ON_TABLES, ids=ids(ON_TABLES))
def test_an_unknown_table_is_404(world: World, op: Operation) -> None:
    assert_error(send_valid(world, op, tableName="NoSuchTable"), 404)


# Unknown records named in queries and bodies: (operationId, the request, the status the spec gives).
REFERENCE_CASES: list[tuple[str, Callable[[World], Request], int]] = [
    ("findContacts", lambda w: ({"email": "nobody@example.dk"}, None), 404),
    ("findContacts", lambda w: ({"phone": "+4599999999"}, None), 404),
    ("findContacts", lambda w: ({"secret": "NoSuchSecret"}, None), 404),
    ("listContactCompanies", lambda w: ({"contactCompanyNumber": "NoSuchNumber"}, None), 404),
    ("findStores", lambda w: ({"number": "NoSuchNumber"}, None), 404),
    ("findTableEntities", lambda w: ({"secret": "NoSuch"}, None), 404),
    ("findTableEntities", lambda w: ({"externalId": "NoSuch"}, None), 404),
    ("getIframeToken", lambda w: ({"tokenId": "no-such-token"}, None), 404),
    ("findEmailDispatchReceivers", lambda w: ({"emailDispatchId": 987654, "contactId": w["contact"]}, None), 404),
    ("triggerAction", lambda w: ({"contactId": 987654}, None), 404),
    ("triggerAction", lambda w: ({"segmentId": 987654}, None), 404),
    ("resetBannerCache", lambda w: ({}, [987654]), 404),
    ("resetBannerCache", lambda w: ({"secret": "NoSuchSecret"}, [1]), 404),
    ("patchContactCompany", lambda w: ({}, {"Id": 987654, "Name": "X"}), 404),
    ("addContactToCompany", lambda w: ({}, {"ContactId": 987654}), 404),
    ("removeContactFromCompany", lambda w: ({}, {"ContactId": 987654}), 404),
    ("createContactCompany", lambda w: ({}, {"Name": "X", "PrimaryContactId": 987654}), 400),
    ("createContactCompany", lambda w: ({}, {"Name": "X", "ContactCompanyId": 987654}), 400),
    ("createContactEvents", lambda w: ({}, [{"ContactId": 987654, "Type": "PageView"}]), 404),
    ("createContactEvents", lambda w: ({}, [{"ContactSecret": "NoSuchSecret", "Type": "PageView"}]), 404),
    ("createContact", lambda w: ({}, {"Email": "n1@example.dk", "PreferredStoreId": 987654}), 409),
    ("createContact", lambda w: ({}, {"Email": "n2@example.dk", "RegistrationStoreId": 987654}), 409),
    ("patchStore", lambda w: ({}, {"Id": 987654, "Name": "X"}), 404),
    ("createPoint", lambda w: ({}, {"ContactId": 987654, "Type": "Loyalty", "Amount": 1}), 404),
    ("createPoint", lambda w: ({}, {"ContactId": w["contact"], "Type": "Loyalty", "Amount": 1, "StoreId": 987654}), 400),
    ("getPointTotalForContact", lambda w: ({"contactId": 987654, "type": "Loyalty"}, None), 404),
    ("getPointTotalForContactCompany", lambda w: ({"contactCompanyId": 987654, "type": "Loyalty"}, None), 404),
    ("listPointsByContactCompany", lambda w: ({"contactCompanyId": 987654, "type": "Loyalty"}, None), 404),
    ("countSegmentContacts", lambda w: ({"s": 987654}, None), 404),
    ("countSegmentContacts", lambda w: ({"s[0]": w["segment"], "s[1]": 987654}, None), 404),
    ("countSegmentContactsFromBody", lambda w: ({}, [w["segment"], 987654]), 404),
    ("createSegmentFromContacts", lambda w: ({}, {"Name": "X", "ContactIds": [w["contact"], 987654]}), 400),
    ("createOrder", lambda w: ({}, {"Type": "Default", "ContactId": 987654, "OrderLines": [{"Quantity": 1, "Price": 1}]}), 400),
    ("createOrder", lambda w: ({}, {"Type": "Default", "StoreId": 987654, "OrderLines": [{"Quantity": 1, "Price": 1}]}), 400),
    ("createMedia", lambda w: ({}, {"Name": "x.png", "FolderId": 987654, "ContentType": "image/png", "Media": PNG}), 404),
    ("createEmailBuilderCampaign", lambda w: ({}, {"Name": "X", "EmailTemplateId": 987654}), 404),
    ("scheduleEmailBuilderCampaign", lambda w: ({}, {"IncludeSegments": [987654]}), 404),
    ("createEmailDispatch", lambda w: ({}, {"EmailCampaignId": 987654, "ContactId": w["contact"]}), 404),
    ("createEmailDispatch", lambda w: ({}, {"EmailCampaignId": w["email_campaign"], "ContactId": 987654}), 404),
    ("createEmailDispatch", lambda w: ({}, {"EmailCampaignId": w["email_campaign"], "SegmentIds": [987654]}), 404),
    (
        "createEmailDispatch",
        lambda w: ({}, {"EmailCampaignId": w["email_campaign"], "ContactId": w["contact"], "OrderId": 987654}),
        404,
    ),
    ("createEmail2Dispatch", lambda w: ({}, {"TriggerId": 987654, "Scope": {"Contacts": {str(w["contact"]): {}}}}), 404),
    ("createEmail2Dispatch", lambda w: ({}, {"TriggerId": w["trigger"], "Scope": {"Contacts": {"987654": {}}}}), 404),
    ("createEmail2Dispatch", lambda w: ({}, {"TriggerId": w["trigger"], "Scope": {"Segments": {"InSegmentIds": [987654]}}}), 404),
]


@pytest.mark.parametrize(
    ("operation_id", "make", "status"),
    REFERENCE_CASES,
    ids=[f"{o}-{n}" for n, (o, _, _) in enumerate(REFERENCE_CASES)],
)
def test_an_unknown_record_named_in_a_query_or_body_is_refused(
    world: World, operation_id: str, make: Callable[[World], Request], status: int
) -> None:
    """404 where the record is what the request is about; the status the spec gives for a
    record the request merely refers to."""
    op = BY_ID[operation_id]
    params, body = make(world)
    assert str(status) in SPEC_RESPONSES[operation_id]
    assert_error(send(world.client, op, world.url(op), body, params=params), status)


def misfits(real: int) -> list[str]:
    """Path values that are not integer ids (some of them close to a real one)."""
    digits = str(real)
    return [
        "abc",
        f"{digits}.0",
        f"{digits}.5",
        f"-{digits}",
        "0",
        f"+{digits}",
        "1e3",
        f"{digits}abc",
        "0x1",
        "2147483648",
        "99999999999999999999",
        "%20",
        "".join(chr(0x0660 + int(d)) for d in digits),  # ARABIC-INDIC DIGITs
        "".join(chr(0xFF10 + int(d)) for d in digits),  # FULLWIDTH DIGITs
    ]


@pytest.mark.parametrize(("op", "name"), UNKNOWN_PATH_CASES, ids=ids(UNKNOWN_PATH_CASES))
def test_a_path_value_that_is_not_an_integer_id_is_404(world: World, op: Operation, name: str) -> None:
    """Every other path value names a real record, and the real id is close to some of these
    values, so a value misread as an id would reach a record."""
    real = world.path_values(op)[name]
    every(misfits(real), lambda value: assert_error(send_valid(world, op, **{name: value}), 404))


TABLE_MISFITS = ["1Things", "Th-ings", "_Things", "T" * 101, "Th%20ings", "Th.ings", "Thing\u00df"]


@pytest.mark.parametrize("op", ON_TABLES, ids=ids(ON_TABLES))
def test_a_table_name_that_cannot_be_one_is_404(world: World, op: Operation) -> None:
    every(TABLE_MISFITS, lambda value: assert_error(send_valid(world, op, tableName=value), 404))


# -- routes -------------------------------------------------------------------------------------
UNKNOWN_PATHS = [
    "/api/v1/Nothing",
    "/api/v1",
    "/api/v2/Contacts",
    "/api",
    "/api/v1/Contactz",
    "/api/v1/Contacts/1/Extra",
    "/api/v1/Contacts/1/Login/Again",
    "/api/v1/table",
    "/api/v1/Points/1/Cancel/Now",
    "/api/v1/Orders/1/Lines/1/Extra",
    "/api/v1/Segments/1/GetContactIds/2",
    "/Contacts",
]


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
def test_an_unknown_path_is_404_with_the_web_api_message(nowhere: World, path: str) -> None:
    def check(method: str) -> None:
        response = nowhere.client.request(method, path, json={})
        assert_error(response, 404)
        assert response.json() == {"Message": NO_ROUTE.format(path)}

    every(EVERY_METHOD, check)


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
def test_an_unknown_path_is_404_without_a_key_too(client_without: Callable[..., ApiSession], path: str) -> None:
    response = client_without().get(path)
    assert_error(response, 404)
    assert response.json() == {"Message": NO_ROUTE.format(path)}


SPACED_PATHS = [
    ("/api/v1/Contacts/a%20b", "/api/v1/Contacts/a"),
    ("/api/v1/No%20Such/Thing", "Such/Thing"),
    ("/api/v1/Stores/%20", "/api/v1/Stores/"),
]


@pytest.mark.parametrize(("path", "fragment"), SPACED_PATHS, ids=[path for path, _ in SPACED_PATHS])
def test_the_unknown_uri_in_the_message_is_the_one_requested_even_with_a_space(nowhere: World, path: str, fragment: str) -> None:
    response = nowhere.client.get(path)
    message = assert_error(response, 404)["Message"]
    assert message.startswith("No HTTP resource was found that matches the request URI 'https://api.yulsn.com/api/v1/"), message
    assert fragment in message, message


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "SEARCH"])
def test_the_wrong_method_message_names_the_method_even_when_the_path_holds_a_space(nowhere: World, method: str) -> None:
    """`table/{tableName}/Bulk` takes any segment as the table's name (POST only)."""
    response = nowhere.client.request(method, "/api/v1/table/Two%20Words/Bulk", json={})
    assert_error(response, 405)
    assert response.json() == {"Message": f"The requested resource does not support http method '{method}'."}


def concrete(path: str) -> str:
    return path.replace("{tableName}", "Things").replace("{id}", "1").replace("{lid}", "1")


@pytest.mark.parametrize("path", list(PATHS), ids=list(PATHS))
def test_a_wrong_method_on_a_known_path_is_405_with_allow(nowhere: World, path: str) -> None:
    def check(method: str) -> None:
        response = nowhere.client.request(method, concrete(path), json={})
        assert_error(response, 405)
        assert response.json() == {"Message": f"The requested resource does not support http method '{method}'."}
        allowed = {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()}
        assert PATHS[path] <= allowed, response.headers
        assert method not in allowed

    every([method for method in EVERY_METHOD if method not in PATHS[path]], check)


@pytest.mark.parametrize("path", list(PATHS), ids=list(PATHS))
def test_a_wrong_method_is_405_without_a_key_too(client_without: Callable[..., ApiSession], path: str) -> None:
    method = next(m for m in ("PUT", "DELETE", "SEARCH", "PATCH", "GET") if m not in PATHS[path])
    response = client_without().request(method, concrete(path))
    assert_error(response, 405)
    assert PATHS[path] <= {m.strip() for m in response.headers.get("Allow", "").split(",")}


# -- last ---------------------------------------------------------------------------------------
def test_the_shared_account_is_unchanged_by_every_refused_request(world: World) -> None:
    """Runs last: none of the refusals above created, changed or deleted anything."""
    assert world.snapshot() == world.initial
