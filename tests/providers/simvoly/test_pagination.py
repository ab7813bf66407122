"""Offset pages: every Simvoly list answers `{"totalCount", "limit", "skip", "items"}` with
`limit` 1..50 (default 30) and `skip` >= 0, records in creation order. Walking a list page
by page with any limit yields every record once; filters change `totalCount` to the
number of matching records. Bad paging values are 400 `{"success": false, "message"}`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from mockserver.testing import ApiSession, Emulator
from tests.spec_tools import Spec

SPEC = Spec.load("simvoly")
resolve = SPEC.resolve
CONTACT_COUNT = 120
DEFAULT_LIMIT = 30
MAX_LIMIT = 50


def paginated_lists() -> list[tuple[str, str]]:
    """(operationId, path) of every GET in the spec that takes `limit` and `skip`."""
    found = []
    for path, item in SPEC["paths"].items():
        op = item.get("get")
        if op is None:
            continue
        names = {resolve(p)["name"] for p in [*item.get("parameters", []), *op.get("parameters", [])]}
        if {"limit", "skip"} <= names:
            found.append((op["operationId"], path))
    return found


LISTS = paginated_lists()
LIST_PATHS = [path for _, path in LISTS]
LIST_IDS = [operation_id for operation_id, _ in LISTS]


# -- helpers -----------------------------------------------------------------------------------
def assert_error(response: requests.Response, status: int) -> str:
    """Simvoly's error body, exactly `{"success": false, "message": "<text>"}`; answers the message."""
    assert response.status_code == status, f"{response.status_code}: {response.text[:500]}"
    body = response.json()
    assert set(body) == {"success", "message"}, body
    assert body["success"] is False
    assert isinstance(body["message"], str) and body["message"], body
    return str(body["message"])


def get_page(client: ApiSession, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    assert set(page) == {"totalCount", "limit", "skip", "items"}, page
    return page


def walk(client: ApiSession, path: str, limit: int | None, **filters: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every record of a list, page by page (no `limit` sent when it is None); answers the
    records and the pages (the last page is the first one that came back short)."""
    records: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    while True:
        params = {**filters, "skip": len(records), **({"limit": limit} if limit is not None else {})}
        page = get_page(client, path, **params)
        pages.append(page)
        records += page["items"]
        if len(page["items"]) < (limit or DEFAULT_LIMIT):
            return records, pages
        assert len(pages) <= 500, "the pages never end"


def identity(record: dict[str, Any]) -> Any:
    """What tells records apart (form submissions have no id)."""
    return record.get("id", (record.get("name"), record.get("received"), repr(record.get("fields"))))


def assert_creation_order(records: list[dict[str, Any]]) -> None:
    if records and "id" in records[0]:
        ids = [r["id"] for r in records]
        assert ids == sorted(ids) and len(set(ids)) == len(ids), ids
    for name in ("createdOn", "created", "registeredOn", "received"):
        if records and name in records[0]:
            times = [r[name] for r in records]
            assert times == sorted(times), f"{name}: {times}"


# -- 120 contacts in a fresh website ----------------------------------------------------------------
@pytest.fixture(scope="module")
def website(mockserver: Emulator) -> tuple[ApiSession, list[int]]:
    """A fresh website with 120 contacts; answers the client and the ids in creation order."""
    client = mockserver.account("simvoly").session()
    ids = []
    for number in range(CONTACT_COUNT):
        response = client.post(
            "/api/site/contacts", json={"email": f"person{number:03d}@example.com", "name": f"Person {number}"}
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return client, ids


@pytest.mark.parametrize("limit", [1, 7, None, MAX_LIMIT], ids=["limit-1", "limit-7", "default-limit", "limit-50"])
def test_walking_the_contacts_yields_each_once_in_creation_order(
    website: tuple[ApiSession, list[int]], limit: int | None
) -> None:
    client, ids = website
    records, pages = walk(client, "/api/site/contacts", limit)
    assert [r["id"] for r in records] == ids
    assert [r["email"] for r in records] == [f"person{n:03d}@example.com" for n in range(CONTACT_COUNT)]
    expected_limit = limit or DEFAULT_LIMIT
    assert len(pages) == CONTACT_COUNT // expected_limit + 1
    for number, page in enumerate(pages):
        assert page["totalCount"] == CONTACT_COUNT
        assert page["limit"] == expected_limit
        assert page["skip"] == number * expected_limit
        assert len(page["items"]) == min(expected_limit, CONTACT_COUNT - page["skip"])


def test_default_page_is_the_first_thirty(website: tuple[ApiSession, list[int]]) -> None:
    client, ids = website
    page = get_page(client, "/api/site/contacts")
    assert (page["totalCount"], page["limit"], page["skip"]) == (CONTACT_COUNT, DEFAULT_LIMIT, 0)
    assert [r["id"] for r in page["items"]] == ids[:DEFAULT_LIMIT]


def test_a_page_in_the_middle_starts_at_skip(website: tuple[ApiSession, list[int]]) -> None:
    client, ids = website
    page = get_page(client, "/api/site/contacts", skip=45, limit=13)
    assert (page["totalCount"], page["limit"], page["skip"]) == (CONTACT_COUNT, 13, 45)
    assert [r["id"] for r in page["items"]] == ids[45:58]


def test_the_last_page_is_short(website: tuple[ApiSession, list[int]]) -> None:
    client, ids = website
    page = get_page(client, "/api/site/contacts", skip=100, limit=MAX_LIMIT)
    assert [r["id"] for r in page["items"]] == ids[100:]
    assert (page["totalCount"], page["limit"], page["skip"]) == (CONTACT_COUNT, MAX_LIMIT, 100)


@pytest.mark.parametrize("skip", [CONTACT_COUNT, CONTACT_COUNT + 1, 10_000, 2147483647])
def test_a_page_past_the_end_is_empty(website: tuple[ApiSession, list[int]], skip: int) -> None:
    client, _ = website
    page = get_page(client, "/api/site/contacts", skip=skip, limit=10)
    assert page == {"totalCount": CONTACT_COUNT, "limit": 10, "skip": skip, "items": []}


BAD_PAGING = [
    ({"limit": 0}, "limit"),
    ({"limit": 51}, "limit"),
    ({"limit": "x"}, "limit"),
    ({"limit": -1}, "limit"),
    ({"limit": "1.5"}, "limit"),
    ({"limit": ""}, "limit"),
    ({"skip": -1}, "skip"),
    ({"skip": "x"}, "skip"),
    ({"skip": "2.5"}, "skip"),
    ({"skip": 2147483648}, "skip"),
]
BAD_PAGING_IDS = ["-".join(f"{k}={v}" for k, v in params.items()) for params, _ in BAD_PAGING]


@pytest.mark.parametrize(("params", "name"), BAD_PAGING, ids=BAD_PAGING_IDS)
def test_bad_paging_values_are_400_naming_the_parameter(
    website: tuple[ApiSession, list[int]], params: dict[str, Any], name: str
) -> None:
    client, _ = website
    message = assert_error(client.get("/api/site/contacts", params=params), 400)
    assert name in message


def test_new_contacts_join_the_end_of_the_list(simvoly: ApiSession) -> None:
    """Creation order holds when records arrive between page reads."""
    for number in range(5):
        simvoly.post("/api/site/contacts", json={"email": f"early{number}@example.com"}).raise_for_status()
    first = get_page(simvoly, "/api/site/contacts", limit=3)
    simvoly.post("/api/site/contacts", json={"email": "late@example.com"}).raise_for_status()
    second = get_page(simvoly, "/api/site/contacts", limit=3, skip=3)
    assert first["totalCount"] == 5 and second["totalCount"] == 6
    emails = [r["email"] for r in first["items"] + second["items"]]
    assert emails == [*[f"early{n}@example.com" for n in range(5)], "late@example.com"]


def test_an_upsert_does_not_move_a_contact(simvoly: ApiSession) -> None:
    """Updating by e-mail (200) keeps the contact where it was created."""
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        simvoly.post("/api/site/contacts", json={"email": email}).raise_for_status()
    assert simvoly.post("/api/site/contacts", json={"email": "A@example.com", "name": "Ann"}).status_code == 200
    page = get_page(simvoly, "/api/site/contacts")
    assert [r["email"] for r in page["items"]] == ["a@example.com", "b@example.com", "c@example.com"]
    assert page["totalCount"] == 3


def test_a_deleted_contact_leaves_the_pages(simvoly: ApiSession) -> None:
    ids = [simvoly.post("/api/site/contacts", json={"email": f"d{n}@example.com"}).json()["id"] for n in range(6)]
    assert simvoly.delete(f"/api/site/contacts/{ids[2]}").status_code == 200
    records, pages = walk(simvoly, "/api/site/contacts", 2)
    assert [r["id"] for r in records] == [*ids[:2], *ids[3:]]
    assert {page["totalCount"] for page in pages} == {5}


# -- every paginated list of the spec, on the demo website ---------------------------------------------
def test_the_spec_has_the_expected_paginated_lists() -> None:
    assert set(LIST_IDS) == {
        "listContacts",
        "listMembers",
        "listMemberGroups",
        "listProducts",
        "listOrders",
        "listFormSubmissions",
        "listBookings",
        "listSubscriberLists",
    }


@pytest.mark.parametrize("path", LIST_PATHS, ids=LIST_IDS)
def test_every_list_answers_the_envelope_with_default_paging(simvoly_demo: ApiSession, path: str) -> None:
    page = get_page(simvoly_demo, path)
    assert page["limit"] == DEFAULT_LIMIT and page["skip"] == 0
    assert page["totalCount"] > 0, f"the demo website has nothing at {path}"
    assert len(page["items"]) == min(DEFAULT_LIMIT, page["totalCount"])
    assert_creation_order(page["items"])


@pytest.mark.parametrize("path", LIST_PATHS, ids=LIST_IDS)
@pytest.mark.parametrize("limit", [1, 3, MAX_LIMIT])
def test_every_list_walks_completely_in_creation_order(simvoly_demo: ApiSession, path: str, limit: int) -> None:
    everything, _ = walk(simvoly_demo, path, MAX_LIMIT)
    records, pages = walk(simvoly_demo, path, limit)
    assert records == everything
    assert len({repr(identity(r)) for r in records}) == len(records), "a record came twice"
    assert_creation_order(records)
    for number, page in enumerate(pages):
        assert page["totalCount"] == len(everything)
        assert (page["limit"], page["skip"]) == (limit, number * limit)


@pytest.mark.parametrize("path", LIST_PATHS, ids=LIST_IDS)
def test_every_list_has_an_empty_page_past_the_end(simvoly_demo: ApiSession, path: str) -> None:
    total = get_page(simvoly_demo, path)["totalCount"]
    for skip in (total, total + 7):
        assert get_page(simvoly_demo, path, skip=skip, limit=5) == {"totalCount": total, "limit": 5, "skip": skip, "items": []}


@pytest.mark.parametrize("path", LIST_PATHS, ids=LIST_IDS)
@pytest.mark.parametrize(("params", "name"), BAD_PAGING, ids=BAD_PAGING_IDS)
def test_every_list_refuses_bad_paging_with_400(simvoly_demo: ApiSession, path: str, params: dict[str, Any], name: str) -> None:
    message = assert_error(simvoly_demo.get(path, params=params), 400)
    assert name in message


@pytest.mark.parametrize("path", LIST_PATHS, ids=LIST_IDS)
def test_every_list_of_a_fresh_website_is_empty(simvoly: ApiSession, path: str) -> None:
    assert get_page(simvoly, path, skip=3, limit=4) == {"totalCount": 0, "limit": 4, "skip": 3, "items": []}


# -- filters with paging -------------------------------------------------------------------------
Predicate = Callable[[dict[str, Any]], bool]


def middle(values: list[int]) -> tuple[int, int]:
    """A range holding the middle half of `values` (so that a filter keeps some, not all)."""
    ordered = sorted(values)
    return ordered[len(ordered) // 4], ordered[(3 * len(ordered)) // 4]


def subcategories(client: ApiSession, category_id: int) -> set[int]:
    categories = client.get("/api/site/products/categories").json()
    found = {category_id}
    while True:
        grown = found | {c["id"] for c in categories if c["parentCategory"] in found}
        if grown == found:
            return found
        found = grown


def filter_cases(client: ApiSession) -> dict[str, tuple[str, dict[str, Any], Predicate]]:
    """By name: (path, filter parameters, the same filter as a predicate), with values
    taken from the demo data so that each filter keeps some records but not all."""
    contacts, _ = walk(client, "/api/site/contacts", MAX_LIMIT)
    low, high = middle([c["createdOn"] for c in contacts])
    orders, _ = walk(client, "/api/site/orders", MAX_LIMIT)
    order_low, order_high = middle([o["created"] for o in orders])
    submissions, _ = walk(client, "/api/site/form-submissions", MAX_LIMIT)
    sub_low, sub_high = middle([s["received"] for s in submissions])
    bookings, _ = walk(client, "/api/site/bookings", MAX_LIMIT)
    book_low, book_high = middle([b["start"] for b in bookings])
    event = bookings[0]["eventId"]
    clothing = subcategories(client, 1)

    def in_clothing(product: dict[str, Any]) -> bool:
        return bool(clothing & {c["id"] for c in product["categories"]})

    return {
        "contacts-created-min": ("/api/site/contacts", {"created_at_min": low}, lambda r: r["createdOn"] >= low),
        "contacts-created-max": ("/api/site/contacts", {"created_at_max": high}, lambda r: r["createdOn"] <= high),
        "contacts-created-range": (
            "/api/site/contacts",
            {"created_at_min": low, "created_at_max": high},
            lambda r: low <= r["createdOn"] <= high,
        ),
        "members-groupId": ("/api/site/members", {"groupId": 2}, lambda r: 2 in r["groups"]),
        "members-group_id": ("/api/site/members", {"group_id": 2}, lambda r: 2 in r["groups"]),
        "products-category": ("/api/site/products", {"category_id": 1}, in_clothing),
        "products-title": ("/api/site/products", {"title": "o"}, lambda r: "o" in r["title"].casefold()),
        "products-title-and-category": (
            "/api/site/products",
            {"title": "O", "category_id": 1},
            lambda r: "o" in r["title"].casefold() and in_clothing(r),
        ),
        "orders-created-range": (
            "/api/site/orders",
            {"created_at_min": order_low, "created_at_max": order_high},
            lambda r: order_low <= r["created"] <= order_high,
        ),
        "submissions-from": ("/api/site/form-submissions", {"from": sub_low}, lambda r: r["received"] >= sub_low),
        "submissions-range": (
            "/api/site/form-submissions",
            {"from": sub_low, "to": sub_high},
            lambda r: sub_low <= r["received"] <= sub_high,
        ),
        "bookings-event": ("/api/site/bookings", {"eventId": event}, lambda r: r["eventId"] == event),
        "bookings-range": (
            "/api/site/bookings",
            {"from": book_low, "to": book_high},
            lambda r: book_low <= r["start"] <= book_high,
        ),
        "bookings-to-and-event": (
            "/api/site/bookings",
            {"to": book_high, "eventId": event},
            lambda r: r["start"] <= book_high and r["eventId"] == event,
        ),
    }


FILTER_CASES = [
    "contacts-created-min",
    "contacts-created-max",
    "contacts-created-range",
    "members-groupId",
    "members-group_id",
    "products-category",
    "products-title",
    "products-title-and-category",
    "orders-created-range",
    "submissions-from",
    "submissions-range",
    "bookings-event",
    "bookings-range",
    "bookings-to-and-event",
]


@pytest.mark.parametrize("case", FILTER_CASES)
def test_filters_with_paging_keep_total_count_the_filtered_count(simvoly_demo: ApiSession, case: str) -> None:
    cases = filter_cases(simvoly_demo)
    assert sorted(cases) == sorted(FILTER_CASES)
    path, filters, predicate = cases[case]
    everything, _ = walk(simvoly_demo, path, MAX_LIMIT)
    expected = [r for r in everything if predicate(r)]
    assert 0 < len(expected) < len(everything), f"{path} {filters} should keep some records, not all"
    records, pages = walk(simvoly_demo, path, 2, **filters)
    assert records == expected
    assert {page["totalCount"] for page in pages} == {len(expected)}
    past = get_page(simvoly_demo, path, **filters, skip=len(expected), limit=2)
    assert past["items"] == [] and past["totalCount"] == len(expected)


def test_a_filter_keeping_every_record_counts_them_all(simvoly_demo: ApiSession) -> None:
    """Every demo member is in Basic Members (group 1)."""
    everything, _ = walk(simvoly_demo, "/api/site/members", MAX_LIMIT)
    records, pages = walk(simvoly_demo, "/api/site/members", 3, groupId=1)
    assert records == [m for m in everything if 1 in m["groups"]]
    assert {page["totalCount"] for page in pages} == {len(records)}


def test_filter_matching_nothing_counts_zero(simvoly_demo: ApiSession) -> None:
    page = get_page(simvoly_demo, "/api/site/products", title="no product is called this", limit=1)
    assert page == {"totalCount": 0, "limit": 1, "skip": 0, "items": []}


def test_member_group_filter_on_a_deleted_group_counts_zero(simvoly_demo: ApiSession) -> None:
    assert get_page(simvoly_demo, "/api/site/members", groupId=2)["totalCount"] > 0
    assert simvoly_demo.delete("/api/site/member-groups/2").status_code == 200
    assert get_page(simvoly_demo, "/api/site/members", groupId=2, limit=5)["totalCount"] == 0
