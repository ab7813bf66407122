"""Isolation between websites: an API key is one website, and nothing of one website
(contacts, members, groups, products, categories, orders, submissions, bookings, subscriber
lists, webhooks, sign-on sessions, e-mails) is reachable from another: 404 by id, absent
from lists and searches. Each website numbers its records from 1 on its own.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from mockserver.testing import Account, ApiSession, Emulator
from tests.providers.simvoly.helpers import emails
from tests.support import created, trigger_response

# Every list of the API that answers the {totalCount, limit, skip, items} envelope.
PAGED_LISTS = [
    "/api/site/contacts",
    "/api/site/members",
    "/api/site/member-groups",
    "/api/site/products",
    "/api/site/orders",
    "/api/site/form-submissions",
    "/api/site/bookings",
    "/api/site/subscriber-lists",
]


def assert_not_found(response: requests.Response) -> None:
    assert response.status_code == 404, f"{response.status_code}: {response.text[:300]}"
    body = response.json()
    assert body["success"] is False and isinstance(body["message"], str), body


def every_record(client: ApiSession, path: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    while True:
        page = client.get(path, params={"limit": 50, "skip": len(records)}).json()
        records += page["items"]
        if len(page["items"]) < 50:
            return records


@dataclass
class Website:
    account: Account
    ids: dict[str, Any] = field(default_factory=dict)  # record path -> id of the record made there
    emails: dict[str, str] = field(default_factory=dict)  # kind -> e-mail address used
    client: ApiSession = field(init=False)

    def __post_init__(self) -> None:
        self.client = self.account.session()


def populate(account: Account, tag: str) -> Website:
    """A website with one record of every kind; `tag` makes its e-mail addresses and names its own."""
    site = Website(account)
    client = site.client

    def admin(action: str, **body: Any) -> dict[str, Any]:
        return created(trigger_response(account, action, **body))

    site.emails = {kind: f"{kind}.{tag}@example.com" for kind in ("contact", "member", "buyer", "visitor", "guest")}
    subscriber_list = created(client.post("/api/site/subscriber-lists", json={"name": f"List {tag}"}))
    contact = created(
        client.post(
            "/api/site/contacts",
            json={
                "email": site.emails["contact"],
                "name": f"Contact {tag}",
                "subscribed": True,
                "subscriberLists": [subscriber_list["id"]],
            },
        )
    )
    group = created(client.post("/api/site/member-groups", json={"name": f"Group {tag}"}))
    member = created(
        client.post("/api/site/members", json={"name": f"Member {tag}", "email": site.emails["member"], "groups": [group["id"]]})
    )
    product = created(
        client.post(
            "/api/site/products",
            json={
                "type": "physical",
                "title": f"Product {tag}",
                "categories": [{"name": f"Category {tag}"}],
                "variants": [{"price": 10}],
            },
        )
    )
    order = admin("orders", customerEmail=site.emails["buyer"], items=[{"productId": product["id"]}])
    admin("form-submissions", formName=f"Form {tag}", fields=[{"name": "Email", "value": site.emails["visitor"]}])
    booking = admin("bookings", name=f"Guest {tag}", email=site.emails["guest"], start=1_800_000_000)
    webhook = created(
        client.post("/api/site/webhooks", json={"target": f"http://127.0.0.1:9/{tag}", "events": ["order_created"]})
    )
    site.ids = {
        "/api/site/contacts": contact["id"],
        "/api/site/members": member["id"],
        "/api/site/member-groups": group["id"],
        "/api/site/products": product["id"],
        "/api/site/orders": order["id"],
        "/api/site/bookings": booking["id"],
        "/api/site/subscriber-lists": subscriber_list["id"],
        "/api/site/webhooks": webhook["id"],
        "category": product["categories"][0]["id"],
    }
    return site


@pytest.fixture
def sites(mockserver: Emulator) -> tuple[Website, Website]:
    """Website A holds one record of every kind; website B is new and empty."""
    return populate(mockserver.account("simvoly"), "a"), Website(mockserver.account("simvoly"))


@pytest.fixture
def both_populated(mockserver: Emulator) -> tuple[Website, Website]:
    """Two websites, each holding one record of every kind (so with the same ids)."""
    return populate(mockserver.account("simvoly"), "a"), populate(mockserver.account("simvoly"), "b")


# -- one website's records are not the other's ------------------------------------------------
SINGLE_RECORD_PATHS = [
    "/api/site/contacts",
    "/api/site/members",
    "/api/site/member-groups",
    "/api/site/products",
    "/api/site/orders",
    "/api/site/subscriber-lists",
]


@pytest.mark.parametrize("path", SINGLE_RECORD_PATHS)
def test_a_record_of_one_website_is_404_on_another(sites: tuple[Website, Website], path: str) -> None:
    a, b = sites
    record = f"{path}/{a.ids[path]}"
    assert a.client.get(record).status_code == 200
    assert_not_found(b.client.get(record))


@pytest.mark.parametrize("path", PAGED_LISTS)
def test_the_lists_of_another_website_stay_empty(sites: tuple[Website, Website], path: str) -> None:
    a, b = sites
    assert a.client.get(path).json()["totalCount"] >= 1
    assert b.client.get(path).json() == {"totalCount": 0, "limit": 30, "skip": 0, "items": []}


def test_categories_and_webhooks_of_another_website_are_absent(sites: tuple[Website, Website]) -> None:
    a, b = sites
    assert [c["id"] for c in a.client.get("/api/site/products/categories").json()] == [a.ids["category"]]
    assert [w["id"] for w in a.client.get("/api/site/webhooks").json()] == [a.ids["/api/site/webhooks"]]
    assert b.client.get("/api/site/products/categories").json() == []
    assert b.client.get("/api/site/webhooks").json() == []


def test_searching_by_email_does_not_reach_another_website(sites: tuple[Website, Website]) -> None:
    a, b = sites
    for kind in ("contact", "buyer", "visitor", "guest", "member"):
        assert a.client.get("/api/site/contacts/search-by-email", params={"email": a.emails[kind]}).status_code == 200
        assert_not_found(b.client.get("/api/site/contacts/search-by-email", params={"email": a.emails[kind]}))
    assert a.client.get("/api/site/members/search-by-email", params={"email": a.emails["member"]}).status_code == 200
    assert_not_found(b.client.get("/api/site/members/search-by-email", params={"email": a.emails["member"]}))


def test_writes_to_another_websites_records_are_404_and_change_nothing(sites: tuple[Website, Website]) -> None:
    a, b = sites
    before = {path: a.client.get(f"{path}/{a.ids[path]}").json() for path in SINGLE_RECORD_PATHS}
    attempts = [
        b.client.put(f"/api/site/contacts/{a.ids['/api/site/contacts']}", json={"email": "taken@example.com", "name": "B"}),
        b.client.delete(f"/api/site/contacts/{a.ids['/api/site/contacts']}"),
        b.client.put(f"/api/site/members/{a.ids['/api/site/members']}", json={"name": "B", "email": "b@example.com"}),
        b.client.put(f"/api/site/member-groups/{a.ids['/api/site/member-groups']}", json={"name": "B"}),
        b.client.delete(f"/api/site/member-groups/{a.ids['/api/site/member-groups']}"),
        b.client.put(f"/api/site/products/{a.ids['/api/site/products']}", json={"type": "digital", "title": "B"}),
        b.client.put(f"/api/site/orders/{a.ids['/api/site/orders']}", json={"status": "CANCELED"}),
        b.client.put(f"/api/site/subscriber-lists/{a.ids['/api/site/subscriber-lists']}", json={"name": "B"}),
        b.client.delete(f"/api/site/subscriber-lists/{a.ids['/api/site/subscriber-lists']}"),
        b.client.delete(f"/api/site/webhooks/{a.ids['/api/site/webhooks']}"),
    ]
    for response in attempts:
        assert_not_found(response)
    assert {path: a.client.get(f"{path}/{a.ids[path]}").json() for path in SINGLE_RECORD_PATHS} == before
    assert [w["id"] for w in a.client.get("/api/site/webhooks").json()] == [a.ids["/api/site/webhooks"]]


def test_references_to_another_websites_records_are_refused(sites: tuple[Website, Website]) -> None:
    """A group, list or category id of website A means nothing on website B (400)."""
    a, b = sites
    refused = [
        b.client.post(
            "/api/site/members", json={"name": "M", "email": "m@example.com", "groups": [a.ids["/api/site/member-groups"]]}
        ),
        b.client.post(
            "/api/site/contacts", json={"email": "c@example.com", "subscriberLists": [a.ids["/api/site/subscriber-lists"]]}
        ),
        b.client.post("/api/site/products", json={"type": "physical", "title": "P", "categories": [{"id": a.ids["category"]}]}),
    ]
    for response in refused:
        assert response.status_code == 400, response.text
        assert response.json()["success"] is False
    for path in ("/api/site/members", "/api/site/contacts", "/api/site/products"):
        assert b.client.get(path).json()["totalCount"] == 0


def test_an_order_cannot_buy_another_websites_product(sites: tuple[Website, Website]) -> None:
    a, b = sites
    response = trigger_response(
        b.account, "orders", customerEmail="x@example.com", items=[{"productId": a.ids["/api/site/products"]}]
    )
    assert 400 <= response.status_code < 500, response.text
    assert b.client.get("/api/site/orders").json()["totalCount"] == 0


def test_an_id_of_one_website_never_answers_its_record_on_another(both_populated: tuple[Website, Website]) -> None:
    """Read on A, an id of B's record is either unknown (404) or one of A's own records."""
    a, b = both_populated
    for path in SINGLE_RECORD_PATHS:
        theirs = b.client.get(f"{path}/{b.ids[path]}").json()
        response = a.client.get(f"{path}/{b.ids[path]}")
        if response.status_code == 404:
            continue
        assert response.status_code == 200, response.text
        assert response.json() != theirs, path
        assert response.json() in every_record(a.client, path), path
    contact = a.client.get(f"/api/site/contacts/{b.ids['/api/site/contacts']}")
    assert contact.status_code == 404 or contact.json()["email"] != b.emails["contact"]


def test_the_same_email_is_a_new_contact_on_each_website(sites: tuple[Website, Website]) -> None:
    a, b = sites
    response = b.client.post("/api/site/contacts", json={"email": a.emails["contact"], "name": "Someone else"})
    assert response.status_code == 201, "an upsert must not find the other website's contact"
    assert a.client.get(f"/api/site/contacts/{a.ids['/api/site/contacts']}").json()["name"] == "Contact a"


def test_the_same_email_can_be_a_member_of_each_website(sites: tuple[Website, Website]) -> None:
    a, b = sites
    created(b.client.post("/api/site/members", json={"name": "Twin", "email": a.emails["member"]}))
    assert a.client.get("/api/site/members/search-by-email", params={"email": a.emails["member"]}).json()["name"] == "Member a"


def test_deleting_on_one_website_leaves_the_other_alone(both_populated: tuple[Website, Website]) -> None:
    a, b = both_populated
    for path in ("/api/site/contacts", "/api/site/member-groups", "/api/site/subscriber-lists", "/api/site/webhooks"):
        assert a.client.delete(f"{path}/{a.ids[path]}").status_code == 200
    for path in ("/api/site/contacts", "/api/site/member-groups", "/api/site/subscriber-lists"):
        assert b.client.get(f"{path}/{b.ids[path]}").status_code == 200
        assert_not_found(a.client.get(f"{path}/{a.ids[path]}"))
    assert [w["id"] for w in b.client.get("/api/site/webhooks").json()] == [b.ids["/api/site/webhooks"]]
    assert b.client.get("/api/site/members").json()["items"][0]["groups"] == [b.ids["/api/site/member-groups"]]


def test_subscriber_counters_count_only_the_websites_own_contacts(both_populated: tuple[Website, Website]) -> None:
    a, b = both_populated
    for number in range(3):
        list_id = a.ids["/api/site/subscriber-lists"]
        a.client.post(
            "/api/site/contacts", json={"email": f"s{number}@example.com", "subscribed": True, "subscriberLists": [list_id]}
        )
    assert a.client.get(f"/api/site/subscriber-lists/{a.ids['/api/site/subscriber-lists']}").json()["subscribers"] == 4
    assert b.client.get(f"/api/site/subscriber-lists/{b.ids['/api/site/subscriber-lists']}").json()["subscribers"] == 1


def test_admin_emails_are_per_website(both_populated: tuple[Website, Website]) -> None:
    a, b = both_populated
    for site in (a, b):
        mail = emails(site.account)
        assert [m["to"] for m in mail] == [site.emails["member"]]


# -- single sign-on --------------------------------------------------------------------------
def claims_of(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return claims


def encoded(claims: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).decode().rstrip("=")


def open_link(mockserver: Emulator, token: str) -> requests.Response:
    """The accessUrl, as a browser without cookies opens it (no API key)."""
    browser = ApiSession(mockserver.url, {"User-Agent": "Mozilla/5.0"})
    return browser.get("/simvoly/members/sso", params={"token": token}, allow_redirects=False)


def session(site: Website, path: str) -> dict[str, Any]:
    response = site.client.post("/api/site/members/start-session", json={"email": site.emails["member"], "path": path})
    assert response.status_code == 200, response.text
    started: dict[str, Any] = response.json()
    return started


def test_a_session_cannot_be_started_for_another_websites_member(sites: tuple[Website, Website]) -> None:
    a, b = sites
    assert_not_found(b.client.post("/api/site/members/start-session", json={"email": a.emails["member"], "path": "/b"}))


def test_each_websites_token_opens_its_own_members_page(mockserver: Emulator, both_populated: tuple[Website, Website]) -> None:
    a, b = both_populated
    for site, path in ((a, "/members-a"), (b, "/members-b")):
        response = open_link(mockserver, session(site, path)["token"])
        assert response.status_code == 302, response.text
        assert response.headers["Location"].endswith(path)


def test_a_token_moved_to_another_website_finds_no_member(mockserver: Emulator, both_populated: tuple[Website, Website]) -> None:
    """A's token with B's website in its claims (everything else A's) signs no one in."""
    a, b = both_populated
    token_a, token_b = session(a, "/a")["token"], session(b, "/b")["token"]
    claims_a, claims_b = claims_of(token_a), claims_of(token_b)
    assert claims_a["site"] != claims_b["site"]
    header, _, secret = token_a.split(".")
    forged = ".".join([header, encoded({**claims_a, "site": claims_b["site"]}), secret])
    response = open_link(mockserver, forged)
    assert response.status_code == 404, response.text
    assert "Location" not in response.headers


def test_a_token_with_another_websites_session_number_finds_no_member(
    mockserver: Emulator, both_populated: tuple[Website, Website]
) -> None:
    """B's claims (its website and session number) with A's signature part sign no one in."""
    a, b = both_populated
    token_a, token_b = session(a, "/a")["token"], session(b, "/b")["token"]
    header_b, claims_b, _ = token_b.split(".")
    forged = ".".join([header_b, claims_b, token_a.split(".")[2]])
    assert forged != token_b
    response = open_link(mockserver, forged)
    assert response.status_code == 404, response.text
    assert "Location" not in response.headers


# -- the demo website ----------------------------------------------------------------------------
def test_the_demo_websites_data_is_not_visible_to_a_fresh_key(simvoly_demo: ApiSession, simvoly: ApiSession) -> None:
    for path in PAGED_LISTS:
        assert simvoly_demo.get(path).json()["totalCount"] > 0, path
        assert simvoly.get(path).json()["totalCount"] == 0, path
    assert simvoly_demo.get("/api/site/products/categories").json() != []
    assert simvoly.get("/api/site/products/categories").json() == []
    for path in SINGLE_RECORD_PATHS:
        record = simvoly_demo.get(path).json()["items"][0]
        assert simvoly_demo.get(f"{path}/{record['id']}").json() == record, path
        assert_not_found(simvoly.get(f"{path}/{record['id']}"))
    member = simvoly_demo.get("/api/site/members").json()["items"][0]
    assert_not_found(simvoly.get("/api/site/members/search-by-email", params={"email": member["email"]}))
    assert_not_found(simvoly.get("/api/site/contacts/search-by-email", params={"email": member["email"]}))
    assert_not_found(simvoly.post("/api/site/members/start-session", json={"email": member["email"]}))


def test_a_fresh_key_has_none_of_the_demo_websites_emails(
    mockserver: Emulator, simvoly_demo_account: Account, simvoly_demo: ApiSession, api_key: str
) -> None:
    assert emails(simvoly_demo_account) != []
    assert simvoly_demo.get("/api/site/members").status_code == 200
    assert mockserver.admin("GET", "simvoly/emails", params={"apiKey": api_key}) == {"items": []}


def test_writing_on_a_fresh_key_leaves_the_demo_website_unchanged(simvoly_demo: ApiSession, simvoly: ApiSession) -> None:
    before = {path: every_record(simvoly_demo, path) for path in PAGED_LISTS}
    contact = created(simvoly.post("/api/site/contacts", json={"email": "new@example.com"}))
    group = created(simvoly.post("/api/site/member-groups", json={"name": "Group"}))
    created(simvoly.post("/api/site/subscriber-lists", json={"name": "List"}))
    assert simvoly.delete(f"/api/site/contacts/{contact['id']}").status_code == 200
    assert simvoly.delete(f"/api/site/member-groups/{group['id']}").status_code == 200
    assert {path: every_record(simvoly_demo, path) for path in PAGED_LISTS} == before
