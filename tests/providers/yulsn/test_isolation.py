"""Isolation between accounts: two API keys are two accounts, and nothing of one (contacts,
companies, events, points, stores, orders, tables and their entities, segments, media,
campaigns, dispatches, actions, feeds, banners, iframe tokens, dynamic fields, types) is
reachable from the other: 404 by id, absent from lists and id lists, not found by any key
(e-mail, phone, secret, number, external id). Uniqueness rules hold within an account only,
and writes in one account leave the other exactly as it was. The demo account's data is
invisible to a fresh key, and the other way round.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from mockserver.testing import Account, ApiSession, Emulator
from tests.providers.yulsn.helpers import PNG
from tests.support import trigger_response

OWNERS = ("Contacts", "ContactCompanies", "Stores", "Orders", "OrderLines")


def ok(response: requests.Response) -> Any:
    assert response.status_code in (200, 201), (
        f"{response.request.method} {response.url}: {response.status_code} {response.text[:300]}"
    )
    return response.json() if response.content else None


def assert_not_found(response: requests.Response) -> None:
    assert response.status_code == 404, f"{response.request.method} {response.url}: {response.status_code} {response.text[:300]}"
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("Message"), str), body


@dataclass
class Filled:
    """An account with one record of every kind; `tag` makes its names, numbers and
    addresses its own."""

    account: Account
    tag: str
    ids: dict[str, Any] = field(default_factory=dict)
    client: ApiSession = field(init=False)

    def __post_init__(self) -> None:
        self.client = self.account.session()

    def __getitem__(self, name: str) -> Any:
        return self.ids[name]

    @property
    def key(self) -> str:
        return self.account.api_key

    def admin(self, method: str, action: str, **body: Any) -> Any:
        """A back-office action of the account (GET: what the back office lists)."""
        if method == "GET":
            return self.account.emulator.admin("GET", f"yulsn/{action}", params={"apiKey": self.key})
        return ok(trigger_response(self.account, action, **body))

    @property
    def email(self) -> str:
        return f"{self.tag}@example.dk"

    def snapshot(self) -> dict[str, Any]:
        """Everything the account holds that the API and the admin API list."""
        client = self.client
        paths = [
            "/api/v1/Contacts",
            "/api/v1/Contacts/Registration",
            "/api/v1/Contacts/GetContactsBaseInfo",
            "/api/v1/ContactCompanies",
            "/api/v1/Stores",
            "/api/v1/Points?lastId=0",
            "/api/v1/Points/Totals",
            "/api/v1/Points/Types",
            "/api/v1/Orders/Types",
            "/api/v1/ContactEvents?type=PageView",
            "/api/v1/Segments?folderId=1",
            "/api/v1/DynamicTables",
            "/api/v1/table/Things?lastId=0",
            f"/api/v1/table/Table{self.tag}?lastId=0",
            "/api/v1/Media/Folders",
            "/api/v1/Media?folderId=1",
            "/api/v1/Actions",
            "/api/v1/BulkExport",
            "/api/v1/EmailDispatches",
            "/api/v1/EmailDispatchReceiver?lastId=0",
            "/api/v1/PermissionSourceCategories",
            *(f"/api/v1/DynamicFields?owner={owner}" for owner in OWNERS),
        ]
        seen: dict[str, Any] = {path: ok(client.get(path)) for path in paths}
        seen["orders"] = ok(client.request("SEARCH", "/api/v1/Orders", json=[]))
        seen["segment"] = ok(client.get(f"/api/v1/Segments/{self['segment']}/GetContactIds"))
        for action in ("banners", "feeds", "triggers", "email2-dispatches"):
            seen[action] = self.admin("GET", action)
        return seen


def populate(mockserver: Emulator, tag: str) -> Filled:
    account = Filled(mockserver.account("yulsn"), tag)
    client, admin = account.client, account.admin
    for owner in OWNERS:
        admin("POST", "dynamic-fields", owner=owner, name=f"Field{tag}", type=1)
    things = admin("POST", "tables", name="Things", fields=[{"name": "Size", "type": 3}])
    own_table = admin("POST", "tables", name=f"Table{tag}")
    admin("POST", "types", pointTypes=["Loyalty", f"Points{tag}"], orderTypes=["Default", f"Orders{tag}"])
    store = ok(client.post("/api/v1/Stores", json={"Number": f"S-{tag}", "Name": f"Store {tag}"}))
    company = ok(client.post("/api/v1/ContactCompanies", json={"Name": f"Company {tag}", "Number": f"C-{tag}"}))
    phone = f"+45{abs(hash(tag)) % 10**8:08d}"
    contact = ok(
        client.post(
            "/api/v1/Contacts",
            json={
                "Email": account.email,
                "Phone": phone,
                "FirstName": tag,
                "PreferredStoreId": store["Id"],
                "ContactCompanyId": company["Id"],
            },
        )
    )
    other = ok(client.post("/api/v1/Contacts", json={"Email": f"other.{tag}@example.dk", "FirstName": tag}))
    cid = contact["Id"]
    ok(client.patch("/api/v1/ContactCompanies", json={"Id": company["Id"], "PrimaryContactId": cid}))
    ok(client.post(f"/api/v1/Contacts/{cid}/SetPassword", json={"NewPassword": f"password-{tag}"}))
    event = ok(client.post("/api/v1/ContactEvents", json=[{"ContactId": cid, "Type": "PageView", "UniqueExtId": f"E-{tag}"}]))[0]
    point = ok(
        client.post(
            "/api/v1/Points",
            json={"ContactId": cid, "Type": "Loyalty", "Amount": 100, "SourceId": f"P-{tag}", "StoreId": store["Id"]},
        )
    )
    spare = ok(
        client.post("/api/v1/Points", json={"ContactId": cid, "Type": f"Points{tag}", "Amount": 7, "SourceId": f"Q-{tag}"})
    )
    lines = [{"Quantity": 1, "Price": 10, "Name": f"Line {tag}"}, {"Quantity": 2, "Price": 5}]
    order = ok(
        client.post("/api/v1/Orders", json={"Type": "Default", "ExtOrderId": f"O-{tag}", "ContactId": cid, "OrderLines": lines})
    )
    segment = ok(
        client.post(
            "/api/v1/Segments/ContactIds", json={"Name": f"Segment {tag}", "FolderId": 1, "ContactIds": [cid, other["Id"]]}
        )
    )
    entity = ok(client.post("/api/v1/table/Things", json={"ExternalId": f"T-{tag}", "Name": f"Thing {tag}", "Size": 1}))
    own_entity = ok(client.post(f"/api/v1/table/Table{tag}", json={"ExternalId": f"U-{tag}"}))
    folder = admin("POST", "media-folders", name=f"Folder {tag}")
    media = ok(client.post("/api/v1/Media", json={"Name": f"{tag}.png", "FolderId": 1, "ContentType": "image/png", "Media": PNG}))
    template = admin("POST", "email-templates", name=f"Template {tag}")
    draft = ok(client.post("/api/v1/EmailBuilderCampaigns", json={"Name": f"Draft {tag}", "EmailTemplateId": template["Id"]}))
    ok(client.post(f"/api/v1/EmailBuilderCampaigns/{draft['Id']}/AddBlock", json={"EmailBuilderBlockId": 1}))
    scheduled = ok(client.post("/api/v1/EmailBuilderCampaigns", json={"Name": f"Scheduled {tag}", "EmailTemplateId": 1}))
    ok(client.post(f"/api/v1/EmailBuilderCampaigns/{scheduled['Id']}/AddBlock", json={"EmailBuilderBlockId": 1}))
    ok(client.post(f"/api/v1/EmailBuilderCampaigns/{scheduled['Id']}/Schedule", json={"IncludeSegments": [segment["Id"]]}))
    dispatch = ok(client.post("/api/v1/EmailDispatches", json={"EmailCampaignId": draft["EmailCampaignId"], "ContactId": cid}))
    ok(client.post("/api/v1/BulkExport", json={"Type": 0, "SuffixFileName": tag}))
    action = admin("POST", "actions", name=f"Action {tag}")
    feed = admin("POST", "feeds", name=f"Feed {tag}")
    banner = admin("POST", "banners", name=f"Banner {tag}", versions=1)
    token = admin("POST", "iframe-tokens", id=f"token-{account.key}")
    trigger = admin("POST", "email2-triggers", name=f"Trigger {tag}")
    admin("POST", "permission-categories", name=f"Category {tag}", permissionSources=[f"Source {tag}"])
    account.ids = {
        "contact": cid,
        "other": other["Id"],
        "secret": contact["Secret"],
        "phone": phone,
        "company": company["Id"],
        "store": store["Id"],
        "event": event["Id"],
        "point": point["Id"],
        "spare": spare["Id"],
        "order": order["Id"],
        "line": order["OrderLines"][0]["Id"],
        "segment": segment["Id"],
        "table_id": own_table["Id"],
        "things_id": things["Id"],
        "entity": entity["Id"],
        "entity_secret": entity["Secret"],
        "own_entity": own_entity["Id"],
        "folder": folder["Id"],
        "media": media["Id"],
        "template": template["Id"],
        "draft": draft["Id"],
        "scheduled": scheduled["Id"],
        "email_campaign": draft["EmailCampaignId"],
        "dispatch": dispatch["Id"],
        "action": action["Id"],
        "feed": feed["Id"],
        "banner": banner["Id"],
        "banner_secret": banner["Secret"],
        "token": token["Id"],
        "trigger": trigger["Id"],
    }
    return account


@pytest.fixture
def first(mockserver: Emulator) -> Filled:
    return populate(mockserver, f"a{uuid.uuid4().hex[:8]}")


@pytest.fixture
def second(mockserver: Emulator) -> Filled:
    return populate(mockserver, f"b{uuid.uuid4().hex[:8]}")


# Reads of one record, by the ids of an account: (label, method, path, query, body).
def single_reads(a: Filled) -> list[tuple[str, str, str, dict[str, Any], Any]]:
    return [
        ("contact", "GET", f"/api/v1/Contacts/{a['contact']}", {}, None),
        ("person data file", "GET", f"/api/v1/Contacts/{a['contact']}/PersonDataFile", {}, None),
        ("company", "GET", f"/api/v1/ContactCompanies/{a['company']}", {}, None),
        ("company contacts", "GET", f"/api/v1/ContactCompanies/{a['company']}/Contacts", {}, None),
        ("store", "GET", f"/api/v1/Stores/{a['store']}", {}, None),
        ("point", "GET", f"/api/v1/Points/{a['point']}", {}, None),
        ("order", "GET", f"/api/v1/Orders/{a['order']}", {}, None),
        ("segment", "GET", f"/api/v1/Segments/{a['segment']}", {}, None),
        ("segment ids", "GET", f"/api/v1/Segments/{a['segment']}/GetContactIds", {}, None),
        ("segment base info", "GET", f"/api/v1/Segments/{a['segment']}/GetContactsBaseInfo", {}, None),
        ("segment count", "GET", "/api/v1/Segments/GetContactCount", {"s": a["segment"]}, None),
        ("segment count by body", "POST", "/api/v1/Segments/GetContactCount", {}, [a["segment"]]),
        ("table fields", "GET", f"/api/v1/DynamicFields/{a['table_id']}", {"owner": "DynamicTable"}, None),
        ("own table", "GET", f"/api/v1/table/Table{a.tag}", {}, None),
        ("own table entity", "GET", f"/api/v1/table/Table{a.tag}/{a['own_entity']}", {}, None),
        ("media", "GET", f"/api/v1/Media/{a['media']}", {}, None),
        ("iframe token", "GET", "/api/v1/IframeToken", {"tokenId": a["token"]}, None),
        ("contact by email", "GET", "/api/v1/Contacts", {"email": a.email}, None),
        ("contact by phone", "GET", "/api/v1/Contacts", {"phone": a["phone"]}, None),
        ("contact by secret", "GET", "/api/v1/Contacts", {"secret": a["secret"]}, None),
        ("company by number", "GET", "/api/v1/ContactCompanies", {"contactCompanyNumber": f"C-{a.tag}"}, None),
        ("store by number", "GET", "/api/v1/Stores", {"number": f"S-{a.tag}"}, None),
        ("entity by external id", "GET", "/api/v1/table/Things", {"externalId": f"T-{a.tag}"}, None),
        ("entity by secret", "GET", "/api/v1/table/Things", {"secret": a["entity_secret"]}, None),
        ("receiver", "GET", "/api/v1/EmailDispatchReceiver", {"emailDispatchId": a["dispatch"], "contactId": a["contact"]}, None),
        ("contact total", "GET", "/api/v1/Points/TotalForContact", {"contactId": a["contact"], "type": "Loyalty"}, None),
        (
            "company total",
            "GET",
            "/api/v1/Points/TotalForContactCompany",
            {"contactCompanyId": a["company"], "type": "Loyalty"},
            None,
        ),
        ("company points", "GET", "/api/v1/Points/ByContactCompany", {"contactCompanyId": a["company"], "type": "Loyalty"}, None),
    ]


# Writes that name an account's records: (label, method, path, query, body).
def writes_naming(a: Filled) -> list[tuple[str, str, str, dict[str, Any], Any]]:
    return [
        ("patch contact", "PATCH", f"/api/v1/Contacts/{a['contact']}", {}, {"FirstName": "Intruder"}),
        ("put contact", "PUT", f"/api/v1/Contacts/{a['contact']}", {}, {"FirstName": "Intruder"}),
        ("delete contact", "DELETE", f"/api/v1/Contacts/{a['contact']}", {}, None),
        ("login", "POST", f"/api/v1/Contacts/{a['contact']}/Login", {}, {"Password": f"password-{a.tag}"}),
        ("set password", "POST", f"/api/v1/Contacts/{a['contact']}/SetPassword", {}, {"NewPassword": "intruder"}),
        ("unblock e-mail", "POST", f"/api/v1/Contacts/{a['contact']}/UnblockEmail", {}, None),
        ("patch company", "PATCH", "/api/v1/ContactCompanies", {}, {"Id": a["company"], "Name": "Intruder"}),
        ("add to company", "POST", f"/api/v1/ContactCompanies/{a['company']}/AddContact", {}, {"ContactId": a["contact"]}),
        (
            "remove from company",
            "POST",
            f"/api/v1/ContactCompanies/{a['company']}/RemoveContact",
            {},
            {"ContactId": a["contact"]},
        ),
        ("patch store", "PATCH", "/api/v1/Stores", {}, {"Id": a["store"], "Name": "Intruder"}),
        ("event", "POST", "/api/v1/ContactEvents", {}, [{"ContactId": a["contact"], "Type": "PageView"}]),
        ("event by secret", "POST", "/api/v1/ContactEvents", {}, [{"ContactSecret": a["secret"], "Type": "PageView"}]),
        ("point", "POST", "/api/v1/Points", {}, {"ContactId": a["contact"], "Type": "Loyalty", "Amount": 1}),
        ("cancel point", "POST", f"/api/v1/Points/{a['point']}/Cancel", {}, None),
        ("patch order", "PATCH", f"/api/v1/Orders/{a['order']}", {}, {"City": "Intruder"}),
        ("delete order", "DELETE", f"/api/v1/Orders/{a['order']}", {}, None),
        ("add line", "POST", f"/api/v1/Orders/{a['order']}/Lines", {}, {"Quantity": 1, "Price": 1}),
        ("patch line", "PATCH", f"/api/v1/Orders/{a['order']}/Lines/{a['line']}", {}, {"Quantity": 9}),
        ("delete line", "DELETE", f"/api/v1/Orders/{a['order']}/Lines/{a['line']}", {}, None),
        ("create in own table", "POST", f"/api/v1/table/Table{a.tag}", {}, {"Name": "Intruder"}),
        ("patch entity", "PATCH", f"/api/v1/table/Table{a.tag}/{a['own_entity']}", {}, {"Name": "Intruder"}),
        ("delete entity", "DELETE", f"/api/v1/table/Table{a.tag}/{a['own_entity']}", {}, None),
        ("rename media", "POST", f"/api/v1/Media/{a['media']}/Rename", {"newName": "intruder.png"}, None),
        ("delete media", "DELETE", f"/api/v1/Media/{a['media']}", {}, None),
        (
            "media in folder",
            "POST",
            "/api/v1/Media",
            {},
            {"Name": "x.png", "FolderId": a["folder"], "ContentType": "image/png", "Media": PNG},
        ),
        ("campaign block", "POST", f"/api/v1/EmailBuilderCampaigns/{a['draft']}/AddBlock", {}, {"EmailBuilderBlockId": 2}),
        ("schedule campaign", "POST", f"/api/v1/EmailBuilderCampaigns/{a['draft']}/Schedule", {}, {}),
        ("cancel campaign", "POST", f"/api/v1/EmailBuilderCampaigns/{a['scheduled']}/Cancel", {}, None),
        ("campaign template", "POST", "/api/v1/EmailBuilderCampaigns", {}, {"Name": "X", "EmailTemplateId": a["template"]}),
        (
            "dispatch",
            "POST",
            "/api/v1/EmailDispatches",
            {},
            {"EmailCampaignId": a["email_campaign"], "SegmentIds": [a["segment"]]},
        ),
        (
            "email2",
            "POST",
            "/api/v1/Email2Dispatches",
            {},
            {"TriggerId": a["trigger"], "Scope": {"Emails": {"x@example.dk": {}}}},
        ),
        ("trigger action", "POST", f"/api/v1/Actions/{a['action']}", {"segmentId": a["segment"]}, None),
        ("sync feed", "POST", f"/api/v1/FeedSyncs/{a['feed']}/SyncNow", {}, None),
        ("banner cache", "POST", "/api/v1/Banners/CacheReset", {}, [a["banner"]]),
        ("banner version cache", "POST", "/api/v1/Banners/CacheReset", {"secret": a["banner_secret"]}, [1]),
    ]


def send(client: ApiSession, method: str, path: str, params: dict[str, Any], body: Any) -> requests.Response:
    return client.request(method, path, params=params, **({"json": body} if body is not None else {}))


# -- a fresh account sees nothing -----------------------------------------------------------------
EMPTY_LISTS = [
    "/api/v1/Contacts",
    "/api/v1/Contacts/Registration",
    "/api/v1/Contacts/GetContactsBaseInfo",
    "/api/v1/Contacts/DynamicFields",
    "/api/v1/ContactCompanies",
    "/api/v1/Stores",
    "/api/v1/Points?lastId=0",
    "/api/v1/ContactEvents?type=PageView",
    "/api/v1/ContactEvents?type=PageView&lastId=0",
    "/api/v1/Segments?folderId=1",
    "/api/v1/DynamicTables",
    "/api/v1/Media?folderId=1",
    "/api/v1/Actions",
    "/api/v1/BulkExport",
    "/api/v1/EmailDispatches",
    "/api/v1/EmailDispatchReceiver?lastId=0",
    "/api/v1/PermissionSourceCategoryRelations",
    *(f"/api/v1/DynamicFields?owner={owner}" for owner in OWNERS),
]


@pytest.mark.parametrize("path", EMPTY_LISTS)
def test_a_fresh_account_lists_nothing_of_another(first: Filled, yulsn: ApiSession, path: str) -> None:
    assert ok(first.client.get(path)), "the other account does have something there"
    assert ok(yulsn.get(path)) == []


def test_a_fresh_account_finds_nothing_of_another_by_id_or_key(first: Filled, yulsn: ApiSession) -> None:
    for label, method, path, params, body in single_reads(first):
        assert ok(send(first.client, method, path, params, body)) is not None, label
        assert_not_found(send(yulsn, method, path, params, body))


def test_a_fresh_accounts_look_ups_by_other_fields_are_empty(first: Filled, yulsn: ApiSession) -> None:
    queries = [
        ("/api/v1/Orders", {"contactId": first["contact"]}),
        ("/api/v1/Orders", {"extOrderId": f"O-{first.tag}"}),
        ("/api/v1/Points", {"sourceId": f"P-{first.tag}"}),
        ("/api/v1/Points", {"contactId": first["contact"]}),
        ("/api/v1/Points", {"type": "Loyalty", "storeId": first["store"]}),
        ("/api/v1/Points/SumsByContact", {"type": "Loyalty"}),
        ("/api/v1/Points/SumsByStore", {"type": "Loyalty"}),
        ("/api/v1/Points/SumsByContactCompanies", {"type": "Loyalty"}),
        ("/api/v1/Points/Sums", {"contactId": first["contact"]}),
        ("/api/v1/ContactEvents", {"type": "PageView", "contactId": first["contact"]}),
        ("/api/v1/ContactCompanies", {"primaryContactEmail": first.email}),
        ("/api/v1/Contacts", {"field": f"Field{first.tag}", "value": "x"}),
        ("/api/v1/Contacts/Registration", {"source": "Api"}),
        ("/api/v1/Media", {"folderId": first["folder"]}),
        ("/api/v1/Segments", {"folderId": 1}),
    ]
    for path, params in queries:
        assert ok(yulsn.get(path, params=params)) == [], (path, params)
    assert ok(yulsn.request("SEARCH", "/api/v1/Orders", json=[])) == []
    assert ok(yulsn.request("SEARCH", "/api/v1/Points/ForStores", params={"type": "Loyalty"}, json=[first["store"]])) == []
    assert ok(yulsn.get("/api/v1/Points/Totals")) == [{"Type": "Loyalty", "Sum": 0, "Count": 0}]
    assert f"Points{first.tag}" not in ok(yulsn.get("/api/v1/Points/Types"))
    assert f"Orders{first.tag}" not in ok(yulsn.get("/api/v1/Orders/Types"))
    assert [f["Id"] for f in ok(yulsn.get("/api/v1/Media/Folders"))] == [1], "only the root folder"
    names = [c["Name"] for c in ok(yulsn.get("/api/v1/PermissionSourceCategories"))]
    assert f"Category {first.tag}" not in names


def test_a_fresh_account_cannot_write_to_another(first: Filled, yulsn: ApiSession) -> None:
    before = first.snapshot()
    for label, method, path, params, body in writes_naming(first):
        response = send(yulsn, method, path, params, body)
        assert response.status_code == 404, (label, response.status_code, response.text[:300])
    assert first.snapshot() == before


def test_a_fresh_account_has_none_of_anothers_tables_or_fields(first: Filled, yulsn: ApiSession) -> None:
    for path in (f"/api/v1/table/Table{first.tag}", "/api/v1/table/Things"):
        assert_not_found(yulsn.get(path))
        assert_not_found(yulsn.request("SEARCH", path, json={"Fields": []}))
        assert_not_found(yulsn.post(path, json={"Name": "x"}))
    assert ok(yulsn.get("/api/v1/Contacts/PatchFields")) == [
        f for f in ok(first.client.get("/api/v1/Contacts/PatchFields")) if f != f"Field{first.tag}"
    ]


# -- two accounts with the same kinds of records ------------------------------------------------------
def test_each_account_reads_its_own_record_under_an_id(first: Filled, second: Filled) -> None:
    """Ids are counted per account, so both may have a record under one id: each reads its own."""
    checks: list[tuple[str, str, Callable[[dict[str, Any]], Any]]] = [
        ("/api/v1/Contacts/{}", "contact", lambda r: r["Email"]),
        ("/api/v1/ContactCompanies/{}", "company", lambda r: r["Number"]),
        ("/api/v1/Stores/{}", "store", lambda r: r["Number"]),
        ("/api/v1/Points/{}", "point", lambda r: r["SourceId"]),
        ("/api/v1/Orders/{}", "order", lambda r: r["ExtOrderId"]),
        ("/api/v1/Segments/{}", "segment", lambda r: r["Name"]),
        ("/api/v1/table/Things/{}", "entity", lambda r: r["ExternalId"]),
        ("/api/v1/Media/{}", "media", lambda r: r["Name"]),
    ]
    for template, name, value in checks:
        mine, theirs = first.client.get(template.format(first[name])), second.client.get(template.format(first[name]))
        assert first.tag in str(value(ok(mine))), template
        if theirs.status_code == 404:
            continue
        assert second.tag in str(value(ok(theirs))), (template, theirs.json())
        assert first.tag not in str(theirs.json()), template


def test_each_accounts_lists_hold_only_its_own_records(first: Filled, second: Filled) -> None:
    for account, stranger in ((first, second), (second, first)):
        seen = account.snapshot()
        assert account.tag in str(seen)
        assert stranger.tag not in str(seen), f"{account.tag} sees {stranger.tag}"


def test_look_ups_by_another_accounts_keys_find_nothing(first: Filled, second: Filled) -> None:
    for label, method, path, params, body in single_reads(first):
        response = send(second.client, method, path, params, body)
        if response.status_code == 404:
            continue
        assert first.tag not in response.text, (label, response.text[:300])
    for by, value in (("email", first.email), ("phone", first["phone"]), ("secret", first["secret"])):
        assert_not_found(second.client.get("/api/v1/Contacts", params={by: value}))
    assert_not_found(second.client.get("/api/v1/Stores", params={"number": f"S-{first.tag}"}))
    assert_not_found(second.client.get("/api/v1/ContactCompanies", params={"contactCompanyNumber": f"C-{first.tag}"}))
    assert_not_found(second.client.get("/api/v1/table/Things", params={"externalId": f"T-{first.tag}"}))
    assert_not_found(second.client.get("/api/v1/table/Things", params={"secret": first["entity_secret"]}))
    assert_not_found(second.client.get("/api/v1/IframeToken", params={"tokenId": first["token"]}))
    assert_not_found(second.client.post("/api/v1/Banners/CacheReset", params={"secret": first["banner_secret"]}, json=[1]))
    assert ok(second.client.get("/api/v1/Orders", params={"extOrderId": f"O-{first.tag}"})) == []
    assert ok(second.client.get("/api/v1/Points", params={"sourceId": f"P-{first.tag}"})) == []
    assert ok(second.client.get("/api/v1/ContactCompanies", params={"primaryContactEmail": first.email})) == []
    search = [{"Field": "ExternalId", "Operator": "Equal", "Value": f"T-{first.tag}"}]
    assert ok(second.client.request("SEARCH", "/api/v1/table/Things", json={"Fields": search})) == []
    assert ok(second.client.request("SEARCH", "/api/v1/table/Things/Count", json={"Fields": search})) == 0
    orders = [{"Field": "ExtOrderId", "Operator": "Equal", "Value": f"O-{first.tag}"}]
    assert ok(second.client.request("SEARCH", "/api/v1/Orders", json=orders)) == []
    result = ok(
        second.client.patch("/api/v1/Contacts", json={"KeyType": "Email", "Keys": [first.email], "Fields": {"FirstName": "X"}})
    )
    assert result == {"Updated": [], "NotFound": [first.email]}


def test_uniqueness_holds_within_an_account_only(first: Filled, second: Filled) -> None:
    """What is taken in one account (an e-mail, a phone, a number, an external id, a table
    name) is free in the other."""
    client = second.client
    ok(client.post("/api/v1/Contacts", json={"Email": first.email, "Phone": first["phone"]}))
    ok(client.post("/api/v1/Stores", json={"Number": f"S-{first.tag}"}))
    ok(client.post("/api/v1/ContactCompanies", json={"Number": f"C-{first.tag}"}))
    ok(client.post("/api/v1/table/Things", json={"ExternalId": f"T-{first.tag}", "Secret": first["entity_secret"]}))
    second.admin("POST", "tables", name=f"Table{first.tag}")
    ok(client.post(f"/api/v1/table/Table{first.tag}", json={"ExternalId": f"U-{first.tag}"}))
    assert ok(first.client.get("/api/v1/Contacts", params={"email": first.email}))["Id"] == first["contact"]
    duplicate = first.client.post("/api/v1/Contacts", json={"Email": first.email})
    assert duplicate.status_code == 409, "still taken in its own account"


def test_writes_in_one_account_leave_the_other_unchanged(first: Filled, second: Filled) -> None:
    """The second account changes and deletes its records under the same ids as the first's."""
    before = first.snapshot()
    sums_before = ok(first.client.get("/api/v1/Points/Sums", params={"contactId": first["contact"]}))
    for label, method, path, params, body in writes_naming(second):
        response = send(second.client, method, path, params, body)
        assert response.status_code < 500, (label, response.status_code, response.text[:300])
    ok(second.client.post("/api/v1/Points", json={"ContactId": second["other"], "Type": "Loyalty", "Amount": 5000}))
    ok(
        second.client.patch(
            "/api/v1/Contacts", json={"KeyType": "Id", "Keys": [str(first["contact"])], "Fields": {"FirstName": "Bulk"}}
        )
    )
    second.admin("POST", "bounces", contactId=second["other"])
    second.admin("POST", "types", pointTypes=["Loyalty"], orderTypes=["Default"])
    second.admin("POST", "dynamic-fields", owner="Contacts", name="OnlySecond", type=1)
    assert first.snapshot() == before
    assert ok(first.client.get("/api/v1/Points/Sums", params={"contactId": first["contact"]})) == sums_before


def test_back_office_setup_is_per_account(first: Filled, second: Filled) -> None:
    first.admin("POST", "bounces", contactId=first["contact"])
    for contact in ok(second.client.get("/api/v1/Contacts/Registration")):
        assert contact["EmailBounced"] is False, contact
        assert ok(second.client.post(f"/api/v1/Contacts/{contact['Id']}/UnblockEmail")) is False
    assert ok(first.client.post(f"/api/v1/Contacts/{first['contact']}/UnblockEmail")) is True
    for owner in OWNERS:
        names = [f["Name"] for f in ok(second.client.get("/api/v1/DynamicFields", params={"owner": owner}))]
        assert f"Field{second.tag}" in names and f"Field{first.tag}" not in names, owner
    tables = [t["Name"] for t in ok(second.client.get("/api/v1/DynamicTables"))]
    assert sorted(tables) == sorted(["Things", f"Table{second.tag}"])
    assert ok(second.client.get("/api/v1/Points/Types")) == ["Loyalty", f"Points{second.tag}"]
    assert_not_found(second.client.get("/api/v1/Points/TotalForContact", params={"contactId": 987654, "type": "Loyalty"}))
    wrong_type = second.client.post(
        "/api/v1/Points", json={"ContactId": second["contact"], "Type": f"Points{first.tag}", "Amount": 1}
    )
    assert wrong_type.status_code == 400, "the first account's point type is not the second's"


def test_person_data_files_hold_the_requesting_accounts_contact(first: Filled, second: Filled) -> None:
    for account in (first, second):
        url = ok(account.client.get(f"/api/v1/Contacts/{account['contact']}/PersonDataFile"))
        session = requests.Session()
        session.trust_env = False  # loopback only
        data = ok(session.get(url, timeout=10))
        assert data["Contact"]["Email"] == account.email
        assert data["Contact"]["Id"] == account["contact"]


def test_one_key_is_one_account_whatever_client_sends_it(mockserver: Emulator, first: Filled) -> None:
    again = ApiSession(f"{mockserver.url}/yulsn", {"X-ApiKey": first.key})
    assert ok(again.get("/api/v1/Contacts/Registration")) == ok(first.client.get("/api/v1/Contacts/Registration"))


# -- the demo account ---------------------------------------------------------------------------
def test_the_demo_accounts_data_is_invisible_to_a_fresh_key(yulsn_demo: ApiSession, yulsn: ApiSession) -> None:
    contacts = ok(yulsn_demo.get("/api/v1/Contacts/Registration"))
    stores = ok(yulsn_demo.get("/api/v1/Stores"))
    tables = ok(yulsn_demo.get("/api/v1/DynamicTables"))
    assert contacts and stores and tables
    for path in ("/api/v1/Contacts", "/api/v1/Stores", "/api/v1/ContactCompanies", "/api/v1/DynamicTables", "/api/v1/Actions"):
        assert ok(yulsn_demo.get(path)), path
        assert ok(yulsn.get(path)) == [], path
    assert ok(yulsn.get("/api/v1/Points", params={"lastId": 0})) == []
    assert ok(yulsn.request("SEARCH", "/api/v1/Orders", json=[])) == []
    for contact in contacts[:20]:
        assert_not_found(yulsn.get(f"/api/v1/Contacts/{contact['Id']}"))
        assert_not_found(yulsn.get("/api/v1/Contacts", params={"email": contact["Email"]}))
        assert_not_found(yulsn.get("/api/v1/Contacts", params={"secret": contact["Secret"]}))
    for store in stores:
        assert_not_found(yulsn.get(f"/api/v1/Stores/{store['Id']}"))
        assert_not_found(yulsn.get("/api/v1/Stores", params={"number": store["Number"]}))
    for table in tables:
        assert_not_found(yulsn.get(f"/api/v1/table/{table['Name']}"))
        assert_not_found(yulsn.get(f"/api/v1/DynamicFields/{table['Id']}", params={"owner": "DynamicTable"}))
    for folder in (1, 2):
        assert ok(yulsn_demo.get("/api/v1/Segments", params={"folderId": folder})), folder
        assert ok(yulsn.get("/api/v1/Segments", params={"folderId": folder})) == []
    assert ok(yulsn.get("/api/v1/Contacts/DynamicFields")) == []
    assert ok(yulsn.get("/api/v1/Points/Types")) != ok(yulsn_demo.get("/api/v1/Points/Types"))


def test_a_fresh_key_writes_nothing_into_the_demo(yulsn_demo: ApiSession, yulsn: ApiSession) -> None:
    contacts = ok(yulsn_demo.get("/api/v1/Contacts/Registration"))
    stores = ok(yulsn_demo.get("/api/v1/Stores"))
    taken = next(c for c in contacts if c["Email"])
    made = ok(yulsn.post("/api/v1/Contacts", json={"Email": taken["Email"]}))
    ok(yulsn.post("/api/v1/Stores", json={"Number": stores[0]["Number"]}))
    ok(yulsn.delete(f"/api/v1/Contacts/{made['Id']}"))
    assert ok(yulsn_demo.get("/api/v1/Contacts/Registration")) == contacts
    assert ok(yulsn_demo.get("/api/v1/Stores")) == stores
    assert ok(yulsn_demo.get("/api/v1/Contacts", params={"email": taken["Email"]})) == taken
