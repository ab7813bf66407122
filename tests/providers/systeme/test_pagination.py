"""Pagination, the same for every Systeme.io list: `{"items", "hasMore"}`, `limit` 10..100
(default 10), `startingAfter=<id of the last item>` (a positional cursor) and `order`
asc|desc (default desc, newest first)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from mockserver.testing import Account, ApiSession, Emulator
from tests.spec_tools import Spec
from tests.support import trigger_response

CROWD = 250  # contacts in the shared tenant walked by the first tests
FEW = 23  # records per list in the other tests: two full pages of 10 and a part page
MONTHLY = {"name": "Monthly", "type": "subscription", "amount": 1000, "currency": "EUR", "interval": "month"}


# -- helpers ------------------------------------------------------------------------------
def walk(client: ApiSession, path: str, *, limit: int | None = None, order: str | None = None) -> list[dict[str, Any]]:
    """Every page of a list, following `startingAfter=<id of the last item>`."""
    query: dict[str, Any] = {}
    if limit is not None:
        query["limit"] = limit
    if order is not None:
        query["order"] = order
    pages: list[dict[str, Any]] = []
    while True:
        response = client.get(path, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == {"items", "hasMore"}
        pages.append(page)
        if not page["hasMore"]:
            return pages
        assert page["items"], "hasMore is true on an empty page"
        assert len(pages) < 200, "the walk does not end"
        query["startingAfter"] = page["items"][-1]["id"]


def check_pages(pages: list[dict[str, Any]], *, size: int, descending: bool) -> list[Any]:
    """The page rules: full pages with hasMore true, then a last page with hasMore false;
    ids never repeat and run strictly in the requested order. Answers the ids in order."""
    *full, last = pages
    for number, page in enumerate(full, start=1):
        assert page["hasMore"] is True, f"page {number} of {len(pages)}"
        assert len(page["items"]) == size, f"page {number} of {len(pages)}"
    assert last["hasMore"] is False
    assert 0 < len(last["items"]) <= size
    ids = [item["id"] for page in pages for item in page["items"]]
    assert len(set(ids)) == len(ids), "an item was seen twice"
    pairs = list(itertools.pairwise(ids))
    if descending:
        assert all(a > b for a, b in pairs), ids
    else:
        assert all(a < b for a, b in pairs), ids
    return ids


def create_contacts(client: ApiSession, count: int, prefix: str = "contact") -> list[int]:
    ids = []
    for number in range(count):
        response = client.post("/api/contacts", json={"email": f"{prefix}{number}@example.com"})
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def admin_create(account: Account, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = trigger_response(account, path, **body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


# -- one contact list of 250, walked every way ------------------------------------------------
@pytest.fixture(scope="module")
def crowd(mockserver: Emulator) -> Iterator[tuple[ApiSession, list[int]]]:
    """A tenant holding 250 contacts, only read by the tests that use it."""
    account = mockserver.account("systeme")
    client = account.session()
    yield client, create_contacts(client, CROWD)
    account.reset()


@pytest.mark.parametrize("limit", [None, 10, 17, 50, 99, 100])
@pytest.mark.parametrize("order", [None, "desc", "asc"])
def test_walking_every_page_sees_each_contact_once_in_order(
    crowd: tuple[ApiSession, list[int]], limit: int | None, order: str | None
) -> None:
    client, created = crowd
    descending = order != "asc"
    pages = walk(client, "/api/contacts", limit=limit, order=order)
    ids = check_pages(pages, size=limit or 10, descending=descending)
    assert ids == sorted(created, reverse=descending)
    assert len(pages) == -(-CROWD // (limit or 10))


def test_default_page_is_the_ten_newest_contacts(crowd: tuple[ApiSession, list[int]]) -> None:
    client, created = crowd
    page = client.get("/api/contacts").json()
    assert [item["id"] for item in page["items"]] == sorted(created, reverse=True)[:10]
    assert page["hasMore"] is True


@pytest.mark.parametrize("order", ["desc", "asc"])
def test_cursor_at_the_last_item_gives_an_empty_last_page(crowd: tuple[ApiSession, list[int]], order: str) -> None:
    client, created = crowd
    end = min(created) if order == "desc" else max(created)
    page = client.get("/api/contacts", params={"order": order, "startingAfter": end}).json()
    assert page == {"items": [], "hasMore": False}


# -- the cursor is positional ------------------------------------------------------------------
@pytest.mark.parametrize("order", ["desc", "asc"])
def test_cursor_still_works_after_its_record_is_deleted(systeme: ApiSession, order: str) -> None:
    created = create_contacts(systeme, 30)
    in_order = sorted(created, reverse=order == "desc")
    first = systeme.get("/api/contacts", params={"order": order}).json()
    assert [item["id"] for item in first["items"]] == in_order[:10]
    cursor = first["items"][-1]["id"]
    assert systeme.delete(f"/api/contacts/{cursor}").status_code == 204
    assert systeme.get(f"/api/contacts/{cursor}").status_code == 404

    second = systeme.get("/api/contacts", params={"order": order, "startingAfter": cursor})

    assert second.status_code == 200, second.text
    assert [item["id"] for item in second.json()["items"]] == in_order[10:20]
    assert second.json()["hasMore"] is True


def test_cursor_deleted_with_its_neighbours_skips_to_the_next_record(systeme: ApiSession) -> None:
    created = sorted(create_contacts(systeme, 15), reverse=True)
    cursor = created[9]
    for contact_id in created[9:12]:  # the cursor and the two records after it
        assert systeme.delete(f"/api/contacts/{contact_id}").status_code == 204
    page = systeme.get("/api/contacts", params={"startingAfter": cursor}).json()
    assert [item["id"] for item in page["items"]] == created[12:]
    assert page["hasMore"] is False


# -- every list operation pages the same way -------------------------------------------------------
@dataclass(frozen=True)
class Listing:
    """A list operation, and how to fill a tenant with `FEW` records it shows.

    `fill` answers what identifies each record created; `identify` reads that back from a
    listed item (usually its id)."""

    path: str
    fill: Callable[[Account, ApiSession], set[Any]]
    identify: Callable[[dict[str, Any]], Any] = lambda item: item["id"]


def _contacts(_: Account, client: ApiSession) -> set[Any]:
    return set(create_contacts(client, FEW))


def _tags(_: Account, client: ApiSession) -> set[Any]:
    ids = set()
    for number in range(FEW):
        response = client.post("/api/tags", json={"name": f"Tag {number}"})
        assert response.status_code == 201, response.text
        ids.add(response.json()["id"])
    return ids


def _courses(account: Account, _: ApiSession) -> set[Any]:
    return {admin_create(account, "courses", {"name": f"Course {n}", "modules": ["One"]})["id"] for n in range(FEW)}


def _enrollments(account: Account, client: ApiSession) -> set[Any]:
    course = admin_create(account, "courses", {"name": "Course", "modules": ["One"]})
    ids = set()
    for contact_id in create_contacts(client, FEW):
        response = client.post(f"/api/school/courses/{course['id']}/enrollments", json={"contactId": contact_id})
        assert response.status_code == 201, response.text
        ids.add(response.json()["id"])
    return ids


def _communities(account: Account, _: ApiSession) -> set[Any]:
    return {admin_create(account, "communities", {"name": f"Community {n}"})["id"] for n in range(FEW)}


def _memberships(account: Account, client: ApiSession) -> set[Any]:
    """Memberships are accepted with 202 {} (no id), so they are told apart by contact."""
    community = admin_create(account, "communities", {"name": "Community"})
    members = set()
    for contact_id in create_contacts(client, FEW):
        response = client.post(f"/api/community/communities/{community['id']}/memberships", json={"contactId": contact_id})
        assert response.status_code == 202, response.text
        members.add(contact_id)
    return members


def _subscriptions(account: Account, _: ApiSession) -> set[Any]:
    sales = [admin_create(account, "sales", {"email": f"buyer{n}@example.com", "pricePlan": MONTHLY}) for n in range(FEW)]
    return {sale["subscription"]["id"] for sale in sales}


def _webhooks(_: Account, client: ApiSession) -> set[Any]:
    ids = set()
    for number in range(FEW):
        body = {
            "name": f"Hook {number}",
            "url": f"https://hooks.example.com/{number}",
            "secret": "secret",
            "subscriptions": ["CONTACT_CREATED"],
        }
        response = client.post("/api/webhooks", json=body)
        assert response.status_code == 201, response.text
        ids.add(response.json()["id"])
    return ids


def _posted(client: ApiSession, path: str, bodies: list[dict[str, Any]]) -> set[Any]:
    ids = set()
    for body in bodies:
        response = client.post(path, json=body)
        assert response.status_code == 201, response.text
        ids.add(response.json()["id"])
    return ids


def _funnels(_: Account, client: ApiSession) -> set[Any]:
    return _posted(client, "/api/funnels", [{"name": f"Funnel {n}"} for n in range(FEW)])


def _campaigns(_: Account, client: ApiSession) -> set[Any]:
    return _posted(client, "/api/mailing/campaigns", [{"name": f"Campaign {n}"} for n in range(FEW)])


def _newsletters(_: Account, client: ApiSession) -> set[Any]:
    return _posted(client, "/api/mailing/newsletters", [{"content": {"subject": f"Issue {n}"}} for n in range(FEW)])


LISTINGS = {
    "listContacts": Listing("/api/contacts", _contacts),
    "listTags": Listing("/api/tags", _tags),
    "listCourses": Listing("/api/school/courses", _courses),
    "listEnrollments": Listing("/api/school/enrollments", _enrollments),
    "listCommunities": Listing("/api/community/communities", _communities),
    "listMemberships": Listing("/api/community/memberships", _memberships, lambda item: item["contact"]["id"]),
    "listSubscriptions": Listing("/api/payment/subscriptions", _subscriptions),
    "listWebhooks": Listing("/api/webhooks", _webhooks),
    "listFunnels": Listing("/api/funnels", _funnels),
    "listCampaigns": Listing("/api/mailing/campaigns", _campaigns),
    "listNewsletters": Listing("/api/mailing/newsletters", _newsletters),
}


def test_every_paged_operation_of_the_spec_is_covered_here() -> None:
    """A list operation added to the spec must be added to LISTINGS too."""
    spec = Spec.load("systeme")
    paged = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            names = {param.get("name") or param["$ref"].rsplit("/", 1)[-1] for param in operation.get("parameters", [])}
            if "startingAfter" in names:
                assert method == "get"
                paged[operation["operationId"]] = path
    assert paged == {name: listing.path for name, listing in LISTINGS.items()}


@pytest.mark.parametrize("order", [None, "asc"])
@pytest.mark.parametrize("operation", sorted(LISTINGS))
def test_every_list_pages_by_the_same_rules(account: Account, systeme: ApiSession, operation: str, order: str | None) -> None:
    listing = LISTINGS[operation]
    created = listing.fill(account, systeme)

    pages = walk(systeme, listing.path, order=order)

    check_pages(pages, size=10, descending=order != "asc")
    assert len(pages) == 3
    seen = [listing.identify(item) for page in pages for item in page["items"]]
    assert sorted(seen) == sorted(created)


@pytest.mark.parametrize("operation", sorted(LISTINGS))
def test_every_list_honours_a_larger_limit(account: Account, systeme: ApiSession, operation: str) -> None:
    listing = LISTINGS[operation]
    created = listing.fill(account, systeme)
    pages = walk(systeme, listing.path, limit=12, order="desc")
    check_pages(pages, size=12, descending=True)
    assert [len(page["items"]) for page in pages] == [12, FEW - 12]
    assert {listing.identify(item) for page in pages for item in page["items"]} == created


# -- bad paging parameters -----------------------------------------------------------------------
def violation_paths(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["violations"], body
    return [violation["propertyPath"] for violation in body["violations"]]


@pytest.mark.parametrize("limit", ["9", "101", "abc", "0", "-10", "10.5"])
@pytest.mark.parametrize("operation", sorted(LISTINGS))
def test_limit_out_of_range_is_422_pagination_limit(systeme: ApiSession, operation: str, limit: str) -> None:
    response = systeme.get(LISTINGS[operation].path, params={"limit": limit})
    assert violation_paths(response) == ["pagination.limit"]


@pytest.mark.parametrize("operation", sorted(LISTINGS))
def test_unknown_order_is_422(systeme: ApiSession, operation: str) -> None:
    response = systeme.get(LISTINGS[operation].path, params={"order": "sideways"})
    assert violation_paths(response) == ["order"]


@pytest.mark.parametrize("limit", [10, 100])
def test_limit_bounds_are_accepted(crowd: tuple[ApiSession, list[int]], limit: int) -> None:
    client, _ = crowd
    response = client.get("/api/contacts", params={"limit": limit})
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) == limit
