"""Pagination, the same for every ClickFunnels list: a bare array of at most 20 records,
`after=<id>` for the next page in the chosen order (`sort_order` asc|desc, default asc;
`sort_property` id|updated_at), and the `Pagination-Next` and `Link: <url>; rel="next"`
headers while more records remain (and only then)."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from mockserver.testing import Account, ApiSession, Emulator
from tests.providers.clickfunnels.helpers import first_workspace
from tests.spec_tools import Spec
from tests.support import created, trigger_response

SPEC = Spec.load("clickfunnels")
PAGE = 20
CROWD = 95  # contacts in the shared account: four full pages and one of 15
FEW = 23  # records per list in the per-operation walks: a full page and one of 3
LINK = re.compile(r'^<([^>]+)>; rel="next"$')

# Every list operation of the spec (a GET that takes the `after` cursor).
LIST_OPERATIONS = sorted(
    op["operationId"]
    for item in SPEC["paths"].values()
    for method, op in item.items()
    if method == "get" and any(p.get("$ref", "").endswith("/after") for p in op.get("parameters", []))
)


# -- walking ------------------------------------------------------------------------------
@dataclass
class Page:
    url: str
    records: list[dict[str, Any]]
    next: str | None  # the Pagination-Next header
    link: str | None  # the Link header


def fetch(session: requests.Session, url: str, params: dict[str, Any] | None = None) -> Page:
    response = session.get(url, params=params, timeout=30)
    assert response.status_code == 200, response.text
    records = response.json()
    assert isinstance(records, list)
    return Page(response.url, records, response.headers.get("Pagination-Next"), response.headers.get("Link"))


def walk_by_next(client: ApiSession, path: str, params: dict[str, Any] | None = None) -> list[Page]:
    """Every page, passing the Pagination-Next header back as `after`."""
    query = dict(params or {})
    pages = [fetch(client, client.base_url + path, query)]
    while pages[-1].next is not None:
        assert len(pages) < 50, "the walk does not end"
        pages.append(fetch(client, client.base_url + path, {**query, "after": pages[-1].next}))
    return pages


def walk_by_link(client: ApiSession, path: str, params: dict[str, Any] | None = None) -> list[Page]:
    """Every page, following the Link header's URL exactly as given."""
    pages = [fetch(client, client.base_url + path, params)]
    while pages[-1].link is not None:
        assert len(pages) < 50, "the walk does not end"
        match = LINK.match(pages[-1].link)
        assert match, pages[-1].link
        pages.append(fetch(client, match.group(1)))
    return pages


def check_pages(pages: list[Page], path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Full pages of 20 carrying both headers, then a last page carrying neither. The
    Link names the same list, `after` = Pagination-Next = the page's last id, and every
    other query parameter of the request. Answers the records in the order seen."""
    *full, last = pages
    for number, page in enumerate(full, start=1):
        where = f"page {number} of {len(pages)}"
        assert len(page.records) == PAGE, where
        assert page.next == str(page.records[-1]["id"]), where
        assert page.link is not None, where
        match = LINK.match(page.link)
        assert match, page.link
        target = urlsplit(match.group(1))
        assert target.path == urlsplit(page.url).path
        query = dict(parse_qsl(target.query, keep_blank_values=True))
        assert query.pop("after") == page.next, where
        assert query == {name: str(value) for name, value in (params or {}).items()}, where
    assert last.next is None and last.link is None, "the last page announces a next one"
    assert len(last.records) <= PAGE
    if full:
        assert last.records, "an empty page after a full one"
    records = [record for page in pages for record in page.records]
    ids = [record["id"] for record in records]
    assert len(set(ids)) == len(ids), "a record was seen twice"
    return records


def assert_ids_run(ids: list[int], *, descending: bool) -> None:
    pairs = list(itertools.pairwise(ids))
    assert all(a > b for a, b in pairs) if descending else all(a < b for a, b in pairs), ids


# -- making records ---------------------------------------------------------------------------
def create_contacts(client: ApiSession, workspace: int, count: int, prefix: str = "person") -> list[int]:
    path = f"/api/v2/workspaces/{workspace}/contacts"
    bodies = [{"contact": {"email_address": f"{prefix}{n}@example.com"}} for n in range(count)]
    return [created(client.post(path, json=body))["id"] for body in bodies]


@dataclass
class Crowd:
    client: ApiSession
    path: str
    ids: list[int]


@pytest.fixture(scope="module")
def crowd(mockserver: Emulator) -> Crowd:
    """An account whose workspace holds 95 contacts; the tests using it only read."""
    client = mockserver.account("clickfunnels").session()
    workspace = first_workspace(client)
    ids = create_contacts(client, workspace, CROWD)
    return Crowd(client, f"/api/v2/workspaces/{workspace}/contacts", ids)


ORDERS = {
    "asc": ({"sort_order": "asc"}, False),
    "desc": ({"sort_order": "desc"}, True),
    "default": ({}, False),
}


# -- the 95 contacts ------------------------------------------------------------------------
@pytest.mark.parametrize("order", list(ORDERS))
def test_walk_by_pagination_next_sees_every_contact_once(crowd: Crowd, order: str) -> None:
    params, descending = ORDERS[order]
    pages = walk_by_next(crowd.client, crowd.path, params)
    assert [len(page.records) for page in pages] == [20, 20, 20, 20, 15]
    ids = [record["id"] for record in check_pages(pages, crowd.path, params)]
    assert_ids_run(ids, descending=descending)
    assert sorted(ids) == sorted(crowd.ids)


@pytest.mark.parametrize("order", list(ORDERS))
def test_walk_by_link_sees_every_contact_once(crowd: Crowd, order: str) -> None:
    params, descending = ORDERS[order]
    pages = walk_by_link(crowd.client, crowd.path, params)
    assert [len(page.records) for page in pages] == [20, 20, 20, 20, 15]
    ids = [record["id"] for record in check_pages(pages, crowd.path, params)]
    assert_ids_run(ids, descending=descending)
    assert sorted(ids) == sorted(crowd.ids)


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_both_walks_see_the_same_pages(crowd: Crowd, order: str) -> None:
    params, _ = ORDERS[order]
    by_next = [page.records for page in walk_by_next(crowd.client, crowd.path, params)]
    by_link = [page.records for page in walk_by_link(crowd.client, crowd.path, params)]
    assert by_next == by_link


def test_default_order_is_ascending_by_id(crowd: Crowd) -> None:
    default = [record["id"] for page in walk_by_next(crowd.client, crowd.path) for record in page.records]
    assert default == sorted(crowd.ids)


def test_desc_walk_is_the_asc_walk_reversed(crowd: Crowd) -> None:
    asc = [r["id"] for page in walk_by_next(crowd.client, crowd.path, {"sort_order": "asc"}) for r in page.records]
    desc = [r["id"] for page in walk_by_next(crowd.client, crowd.path, {"sort_order": "desc"}) for r in page.records]
    assert desc == asc[::-1]


def test_first_page_is_the_lowest_ids(crowd: Crowd) -> None:
    page = fetch(crowd.client, crowd.client.base_url + crowd.path)
    assert [record["id"] for record in page.records] == sorted(crowd.ids)[:PAGE]
    assert page.next == str(sorted(crowd.ids)[PAGE - 1])


def test_after_starts_strictly_after_the_cursor(crowd: Crowd) -> None:
    ordered = sorted(crowd.ids)
    cursor = ordered[30]
    asc = fetch(crowd.client, crowd.client.base_url + crowd.path, {"after": cursor}).records
    assert [record["id"] for record in asc] == ordered[31:51]
    desc = fetch(crowd.client, crowd.client.base_url + crowd.path, {"after": cursor, "sort_order": "desc"}).records
    assert [record["id"] for record in desc] == ordered[10:30][::-1]


def test_after_the_last_record_is_an_empty_page_without_headers(crowd: Crowd) -> None:
    page = fetch(crowd.client, crowd.client.base_url + crowd.path, {"after": max(crowd.ids)})
    assert page.records == []
    assert page.next is None and page.link is None


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_link_keeps_the_filters_and_the_sort_order(crowd: Crowd, order: str) -> None:
    """A filtered walk (every other contact: 48 of them) stays filtered and sorted on
    every page reached through the Link header."""
    wanted = sorted(crowd.ids)[::2]
    params: dict[str, Any] = {"sort_order": order, "sort_property": "id", "filter[id]": ",".join(map(str, wanted))}
    pages = walk_by_link(crowd.client, crowd.path, params)
    assert [len(page.records) for page in pages] == [20, 20, 8]
    ids = [record["id"] for record in check_pages(pages, crowd.path, params)]
    assert ids == (wanted if order == "asc" else wanted[::-1])


def test_filtered_walk_by_pagination_next_matches_the_link_walk(crowd: Crowd) -> None:
    wanted = sorted(crowd.ids)[1::3]
    params: dict[str, Any] = {"sort_order": "desc", "filter[id]": ",".join(map(str, wanted))}
    by_next = walk_by_next(crowd.client, crowd.path, params)
    by_link = walk_by_link(crowd.client, crowd.path, params)
    ids = [record["id"] for record in check_pages(by_next, crowd.path, params)]
    assert ids == wanted[::-1]
    assert [page.records for page in by_next] == [page.records for page in by_link]


# -- page boundaries ------------------------------------------------------------------------
def test_exactly_twenty_records_are_one_page_without_headers(clickfunnels: ApiSession, workspace_id: int) -> None:
    path = f"/api/v2/workspaces/{workspace_id}/contacts"
    ids = create_contacts(clickfunnels, workspace_id, PAGE)
    pages = walk_by_next(clickfunnels, path)
    assert len(pages) == 1
    assert [record["id"] for record in check_pages(pages, path)] == ids
    create_contacts(clickfunnels, workspace_id, 1, prefix="one-more")
    pages = walk_by_next(clickfunnels, path)
    assert [len(page.records) for page in pages] == [20, 1]
    check_pages(pages, path)


def test_empty_list_has_no_pagination_headers(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/contacts")
    assert response.status_code == 200
    assert response.json() == []
    assert "Pagination-Next" not in response.headers
    assert "Link" not in response.headers


# -- sort_property=updated_at ---------------------------------------------------------------
def updated_order(records: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(record["updated_at"], record["id"]) for record in records]


@pytest.mark.parametrize("walk", [walk_by_next, walk_by_link], ids=["pagination-next", "link"])
def test_sort_by_updated_at_orders_by_updated_at_then_id(
    clickfunnels: ApiSession, workspace_id: int, walk: Callable[..., list[Page]]
) -> None:
    """Contacts updated after the others move to the end (asc) or the front (desc), in
    the order of their updates; the walk still sees every contact exactly once."""
    path = f"/api/v2/workspaces/{workspace_id}/contacts"
    ids = create_contacts(clickfunnels, workspace_id, 45)
    touched = [ids[30], ids[2], ids[17], ids[44], ids[0]]
    for contact_id in touched:
        time.sleep(0.003)  # distinct milliseconds: the rendered updated_at tells the order
        response = clickfunnels.put(f"/api/v2/contacts/{contact_id}", json={"contact": {"first_name": f"Touched {contact_id}"}})
        assert response.status_code == 200, response.text
    untouched = [contact_id for contact_id in ids if contact_id not in touched]

    asc_params = {"sort_property": "updated_at"}
    asc = check_pages(walk(clickfunnels, path, asc_params), path, asc_params)
    assert [record["id"] for record in asc] == untouched + touched
    keys = updated_order(asc)
    assert keys == sorted(keys) and len(set(keys)) == len(keys)

    desc_params = {"sort_property": "updated_at", "sort_order": "desc"}
    desc = check_pages(walk(clickfunnels, path, desc_params), path, desc_params)
    assert [record["id"] for record in desc] == (untouched + touched)[::-1]


def test_sort_by_updated_at_with_a_filter(clickfunnels: ApiSession, workspace_id: int) -> None:
    path = f"/api/v2/workspaces/{workspace_id}/contacts"
    ids = create_contacts(clickfunnels, workspace_id, 30)
    time.sleep(0.003)
    assert clickfunnels.put(f"/api/v2/contacts/{ids[0]}", json={"contact": {"last_name": "Later"}}).status_code == 200
    wanted = ids[:25]
    params = {"sort_property": "updated_at", "filter[id]": ",".join(map(str, wanted))}
    records = check_pages(walk_by_link(clickfunnels, path, params), path, params)
    assert [record["id"] for record in records] == wanted[1:] + wanted[:1]


# -- cursors whose record is gone -----------------------------------------------------------
def test_cursor_of_a_deleted_record_still_works_ascending(clickfunnels: ApiSession, workspace_id: int) -> None:
    path = f"/api/v2/workspaces/{workspace_id}/contacts"
    ids = create_contacts(clickfunnels, workspace_id, 45)
    first = walk_by_next(clickfunnels, path)[0]
    assert first.next == str(ids[19])
    for gone in (ids[19], ids[20]):
        assert clickfunnels.delete(f"/api/v2/contacts/{gone}").status_code == 204
    second = fetch(clickfunnels, clickfunnels.base_url + path, {"after": first.next})
    assert [record["id"] for record in second.records] == ids[21:41]
    assert second.next == str(ids[40])


def test_cursor_of_a_deleted_record_still_works_descending(clickfunnels: ApiSession, workspace_id: int) -> None:
    path = f"/api/v2/workspaces/{workspace_id}/contacts"
    ids = create_contacts(clickfunnels, workspace_id, 45)
    first = fetch(clickfunnels, clickfunnels.base_url + path, {"sort_order": "desc"})
    assert first.next == str(ids[25])
    assert clickfunnels.delete(f"/api/v2/contacts/{ids[25]}").status_code == 204
    assert first.link is not None
    match = LINK.match(first.link)
    assert match
    second = fetch(clickfunnels, match.group(1))
    assert [record["id"] for record in second.records] == ids[5:25][::-1]


def test_cursor_of_a_deleted_record_still_works_by_updated_at(clickfunnels: ApiSession, workspace_id: int) -> None:
    path = f"/api/v2/workspaces/{workspace_id}/contacts"
    ids = create_contacts(clickfunnels, workspace_id, 30)
    time.sleep(0.003)
    assert clickfunnels.put(f"/api/v2/contacts/{ids[3]}", json={"contact": {"first_name": "Moved"}}).status_code == 200
    order = [contact_id for contact_id in ids if contact_id != ids[3]] + [ids[3]]
    params = {"sort_property": "updated_at"}
    first = fetch(clickfunnels, clickfunnels.base_url + path, params)
    assert [record["id"] for record in first.records] == order[:20]
    assert clickfunnels.delete(f"/api/v2/contacts/{order[19]}").status_code == 204
    second = fetch(clickfunnels, clickfunnels.base_url + path, {**params, "after": first.next})
    assert [record["id"] for record in second.records] == order[20:]


# -- a cursor that is not an id ---------------------------------------------------------------
@pytest.mark.parametrize("value", ["abc", "1.5", "1e3", "0x10", "12abc", "twenty"])
def test_after_that_is_not_an_integer_is_400(crowd: Crowd, value: str) -> None:
    response = crowd.client.get(crowd.path, params={"after": value})
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"error"} and isinstance(body["error"], str) and body["error"]


# -- every list operation ---------------------------------------------------------------------
@dataclass
class Target:
    """The account (and its workspace) a list is filled in."""

    client: ApiSession
    account: Account
    workspace: int

    def post(self, path: str, wrapper: str, **attributes: Any) -> dict[str, Any]:
        return created(self.client.post(path, json={wrapper: attributes}))

    def admin(self, action: str, **body: Any) -> dict[str, Any]:
        return created(trigger_response(self.account, action, **body))

    def contact(self, email: str) -> int:
        contact_id: int = self.post(f"/api/v2/workspaces/{self.workspace}/contacts", "contact", email_address=email)["id"]
        return contact_id

    def product(self, name: str) -> int:
        product_id: int = self.post(f"/api/v2/workspaces/{self.workspace}/products", "product", name=name, price="5.00")["id"]
        return product_id


Listing = tuple[str, list[int]]  # the list's path, and the ids it must show


def list_teams(account: Target) -> Listing:
    """A new account has one team, and teams cannot be made: a single page."""
    return "/api/v2/teams", [team["id"] for team in account.client.get("/api/v2/teams").json()]


def list_workspaces(account: Target) -> Listing:
    team = account.client.get("/api/v2/teams").json()[0]["id"]
    ids = [account.workspace] + [account.admin("workspaces", name=f"Store {n}")["id"] for n in range(FEW - 1)]
    return f"/api/v2/teams/{team}/workspaces", ids


def list_contacts(account: Target) -> Listing:
    return f"/api/v2/workspaces/{account.workspace}/contacts", [account.contact(f"c{n}@example.com") for n in range(FEW)]


def list_contact_tags(account: Target) -> Listing:
    path = f"/api/v2/workspaces/{account.workspace}/contacts/tags"
    return path, [account.post(path, "contacts_tag", name=f"Tag {n}")["id"] for n in range(FEW)]


def list_applied_tags(account: Target) -> Listing:
    tags = f"/api/v2/workspaces/{account.workspace}/contacts/tags"
    tag_ids = [account.post(tags, "contacts_tag", name=f"Tag {n}")["id"] for n in range(FEW)]
    contact = account.contact("tagged@example.com")
    path = f"/api/v2/contacts/{contact}/applied_tags"
    return path, [account.post(path, "contacts_applied_tag", tag_id=tag_id)["id"] for tag_id in tag_ids]


def list_products(account: Target) -> Listing:
    return f"/api/v2/workspaces/{account.workspace}/products", [account.product(f"Product {n}") for n in range(FEW)]


def list_orders(account: Target) -> Listing:
    product, contact = account.product("Book"), account.contact("buyer@example.com")
    ids = [account.admin("orders", contact_id=contact, line_items=[{"product_id": product}])["id"] for _ in range(FEW)]
    return f"/api/v2/workspaces/{account.workspace}/orders", ids


def list_fulfillments(account: Target) -> Listing:
    product, contact = account.product("Poster"), account.contact("shipped@example.com")
    order = account.admin("orders", contact_id=contact, line_items=[{"product_id": product, "quantity": FEW}])
    item = order["line_items"][0]["id"]
    path = f"/api/v2/workspaces/{account.workspace}/fulfillments"
    parts = [{"invoices_line_item_id": item, "quantity": 1}]
    ids = [
        account.post(path, "fulfillment", contact_id=contact, included_orders_invoices_line_items_attributes=parts)["id"]
        for _ in range(FEW)
    ]
    return path, ids


def list_courses(account: Target) -> Listing:
    return f"/api/v2/workspaces/{account.workspace}/courses", [
        account.admin("courses", title=f"Course {n}")["id"] for n in range(FEW)
    ]


def list_enrollments(account: Target) -> Listing:
    course = account.admin("courses", title="Academy")["id"]
    path = f"/api/v2/courses/{course}/enrollments"
    contacts = [account.contact(f"student{n}@example.com") for n in range(FEW)]
    return path, [account.post(path, "courses_enrollment", contact_id=contact)["id"] for contact in contacts]


def list_forms(account: Target) -> Listing:
    return f"/api/v2/workspaces/{account.workspace}/forms", [account.admin("forms", name=f"Form {n}")["id"] for n in range(FEW)]


def list_submissions(account: Target) -> Listing:
    form = account.admin("forms", name="Survey")["id"]
    ids = [account.admin(f"forms/{form}/submissions", data={"first_name": f"Visitor {n}"})["id"] for n in range(FEW)]
    return f"/api/v2/forms/{form}/submissions", ids


def list_webhook_endpoints(account: Target) -> Listing:
    path = f"/api/v2/workspaces/{account.workspace}/webhooks/outgoing/endpoints"
    hooks = [
        {"url": f"https://hooks.example.com/{n}", "name": f"Hook {n}", "event_type_ids": ["contact.created"]} for n in range(FEW)
    ]
    return path, [account.post(path, "webhooks_outgoing_endpoint", **hook)["id"] for hook in hooks]


def list_images(account: Target) -> Listing:
    path = f"/api/v2/workspaces/{account.workspace}/images"
    return path, [account.post(path, "image", upload_source_url=f"https://cdn.example.com/{n}.png")["id"] for n in range(FEW)]


def list_users(account: Target) -> Listing:
    """An account has its owner, and users cannot be made: a single page."""
    return "/api/v2/users", [user["id"] for user in account.client.get("/api/v2/users").json()]


def list_webhook_events(account: Target) -> Listing:
    """Each contact made is an event the workspace sends out; in a new account their ids count from 1."""
    hooks = f"/api/v2/workspaces/{account.workspace}/webhooks/outgoing/endpoints"
    account.post(
        hooks, "webhooks_outgoing_endpoint", url="http://127.0.0.1:9/e", name="Events", event_type_ids=["contact.created"]
    )
    for n in range(FEW):
        account.contact(f"e{n}@example.com")
    return f"/api/v2/workspaces/{account.workspace}/webhooks/outgoing/events", list(range(1, FEW + 1))


def list_sections(account: Target) -> Listing:
    """Sections are made with their course; in a new account their ids count from 1."""
    course = account.admin("courses", title="Academy", sections=[{"title": f"Module {n}"} for n in range(FEW)])["id"]
    return f"/api/v2/courses/{course}/sections", list(range(1, FEW + 1))


def list_lessons(account: Target) -> Listing:
    lessons = [{"title": f"Lesson {n}"} for n in range(FEW)]
    account.admin("courses", title="Academy", sections=[{"title": "Module", "lessons": lessons}])
    return "/api/v2/courses/sections/1/lessons", list(range(1, FEW + 1))


def new_form(account: Target) -> int:
    form_id: int = account.post(f"/api/v2/workspaces/{account.workspace}/forms", "form", name="Survey")["id"]
    return form_id


def list_field_sets(account: Target) -> Listing:
    path = f"/api/v2/forms/{new_form(account)}/field_sets"
    return path, [account.post(path, "forms_field_set", title=f"Set {n}")["id"] for n in range(FEW)]


def new_field(account: Target) -> tuple[int, int]:
    form = new_form(account)
    field_set = account.post(f"/api/v2/forms/{form}/field_sets", "forms_field_set", title="Set")["id"]
    return form, account.post(f"/api/v2/forms/field_sets/{field_set}/fields", "forms_field", label="Colour")["id"]


def list_fields(account: Target) -> Listing:
    form = new_form(account)
    field_set = account.post(f"/api/v2/forms/{form}/field_sets", "forms_field_set", title="Set")["id"]
    path = f"/api/v2/forms/field_sets/{field_set}/fields"
    return path, [account.post(path, "forms_field", label=f"Field {n}")["id"] for n in range(FEW)]


def list_field_options(account: Target) -> Listing:
    path = f"/api/v2/forms/fields/{new_field(account)[1]}/options"
    return path, [account.post(path, "forms_fields_option", label=f"Option {n}")["id"] for n in range(FEW)]


def list_answers(account: Target) -> Listing:
    form, field = new_field(account)
    submission = account.post(f"/api/v2/forms/{form}/submissions", "forms_submission")["id"]
    path = f"/api/v2/forms/submissions/{submission}/answers"
    return path, [account.post(path, "forms_submissions_answer", field_id=field, entry=f"{n}")["id"] for n in range(FEW)]


def list_variants(account: Target) -> Listing:
    product = account.client.get(f"/api/v2/products/{account.product('Shirt')}").json()
    path = f"/api/v2/products/{product['id']}/variants"
    made = [
        account.post(path, "products_variant", name=f"Size {n}", product_type="physical", weight_unit="lb")["id"]
        for n in range(FEW - 1)
    ]
    return path, [product["default_variant_id"], *made]


def list_prices(account: Target) -> Listing:
    product = account.client.get(f"/api/v2/products/{account.product('Plan')}").json()
    path = f"/api/v2/products/{product['id']}/prices"
    made = [account.post(path, "products_price", amount=f"{n}.00", currency="USD")["id"] for n in range(FEW - 1)]
    return path, [*product["price_ids"], *made]


def workspace_list(path: str, wrapper: str, make: Callable[[int], dict[str, Any]]) -> Callable[[Target], Listing]:
    """A list under the workspace, filled by FEW POSTs of `make(n)`."""

    def build(account: Target) -> Listing:
        url = f"/api/v2/workspaces/{account.workspace}/{path}"
        return url, [account.post(url, wrapper, **make(n))["id"] for n in range(FEW)]

    return build


def list_order_applied_tags(account: Target) -> Listing:
    tags = f"/api/v2/workspaces/{account.workspace}/orders/tags"
    tag_ids = [account.post(tags, "orders_tag", name=f"Tag {n}")["id"] for n in range(FEW)]
    order = account.admin(
        "orders", contact_id=account.contact("b@example.com"), line_items=[{"product_id": account.product("Pen")}]
    )
    path = f"/api/v2/orders/{order['id']}/applied_tags"
    return path, [account.post(path, "orders_applied_tag", tag_id=tag_id)["id"] for tag_id in tag_ids]


def refunded_order(account: Target) -> dict[str, Any]:
    lines = [{"product_id": account.product("Refunded")}]
    return account.admin("orders", contact_id=account.contact("r@example.com"), line_items=lines, refunded=True)


def list_invoices(account: Target) -> Listing:
    """An order is invoiced once: a single page."""
    order = refunded_order(account)["id"]
    path = f"/api/v2/orders/{order}/invoices"
    return path, [invoice["id"] for invoice in account.client.get(path).json()]


def list_transactions(account: Target) -> Listing:
    """A refunded order's sale and refund: a single page."""
    order = refunded_order(account)["id"]
    path = f"/api/v2/orders/{order}/transactions"
    return path, [transaction["id"] for transaction in account.client.get(path).json()]


def list_restocks(account: Target) -> Listing:
    contact, product = account.contact("r@example.com"), account.product("Refunded")
    for _ in range(FEW):
        account.admin("orders", contact_id=contact, line_items=[{"product_id": product}], refunded=True)
    return f"/api/v2/workspaces/{account.workspace}/orders/invoices/restocks", list(range(1, FEW + 1))


def new_zone(account: Target) -> int:
    profile = account.post(f"/api/v2/workspaces/{account.workspace}/shipping/profiles", "shipping_profile", name="Standard")["id"]
    group = account.client.get(f"/api/v2/shipping/profiles/{profile}/location_groups").json()[0]["id"]
    zone_id: int = account.post(f"/api/v2/shipping/location_groups/{group}/zones", "shipping_zone", name="Zone")["id"]
    return zone_id


def list_location_groups(account: Target) -> Listing:
    """A profile is made with one location group: a single page."""
    profile = account.post(f"/api/v2/workspaces/{account.workspace}/shipping/profiles", "shipping_profile", name="Standard")["id"]
    path = f"/api/v2/shipping/profiles/{profile}/location_groups"
    return path, [group["id"] for group in account.client.get(path).json()]


def list_shipping_zones(account: Target) -> Listing:
    profile = account.post(f"/api/v2/workspaces/{account.workspace}/shipping/profiles", "shipping_profile", name="Standard")["id"]
    group = account.client.get(f"/api/v2/shipping/profiles/{profile}/location_groups").json()[0]["id"]
    path = f"/api/v2/shipping/location_groups/{group}/zones"
    return path, [account.post(path, "shipping_zone", name=f"Zone {n}")["id"] for n in range(FEW)]


def list_shipping_rates(account: Target) -> Listing:
    name = account.post(f"/api/v2/workspaces/{account.workspace}/shipping/rates/names", "shipping_rates_name", name="Ground")[
        "id"
    ]
    path = f"/api/v2/shipping/zones/{new_zone(account)}/rates"
    return path, [
        account.post(path, "shipping_rate", price=f"{n}", price_currency="USD", rates_name_id=name)["id"] for n in range(FEW)
    ]


def package(n: int) -> dict[str, Any]:
    return {"name": f"Box {n}", "package_type": "box", "height": 1, "width": 1, "length": n + 1, "distance_unit": "cm"}


def location(n: int) -> dict[str, Any]:
    return {"name": f"Depot {n}", "address_name": "Depot", "email_address": f"d{n}@example.com", "external_app": True}


BUILDERS: dict[str, Callable[[Target], Listing]] = {
    "listUsers": list_users,
    "listWebhookEvents": list_webhook_events,
    "listSections": list_sections,
    "listLessons": list_lessons,
    "listFieldSets": list_field_sets,
    "listFields": list_fields,
    "listFieldOptions": list_field_options,
    "listAnswers": list_answers,
    "listVariants": list_variants,
    "listPrices": list_prices,
    "listProductTags": workspace_list("products/tags", "products_tag", lambda n: {"name": f"Tag {n}"}),
    "listOrderTags": workspace_list("orders/tags", "orders_tag", lambda n: {"name": f"Tag {n}"}),
    "listOrderAppliedTags": list_order_applied_tags,
    "listInvoices": list_invoices,
    "listTransactions": list_transactions,
    "listRestocks": list_restocks,
    "listLocations": workspace_list("fulfillments/locations", "fulfillments_location", location),
    "listShippingProfiles": workspace_list("shipping/profiles", "shipping_profile", lambda n: {"name": f"Profile {n}"}),
    "listLocationGroups": list_location_groups,
    "listShippingZones": list_shipping_zones,
    "listShippingRates": list_shipping_rates,
    "listRateNames": workspace_list("shipping/rates/names", "shipping_rates_name", lambda n: {"name": f"Name {n}"}),
    "listPackages": workspace_list("shipping/packages", "shipping_package", package),
    "listTeams": list_teams,
    "listWorkspaces": list_workspaces,
    "listContacts": list_contacts,
    "listContactTags": list_contact_tags,
    "listAppliedTags": list_applied_tags,
    "listProducts": list_products,
    "listOrders": list_orders,
    "listFulfillments": list_fulfillments,
    "listCourses": list_courses,
    "listEnrollments": list_enrollments,
    "listForms": list_forms,
    "listSubmissions": list_submissions,
    "listWebhookEndpoints": list_webhook_endpoints,
    "listImages": list_images,
}


def test_the_spec_has_list_operations() -> None:
    assert len(LIST_OPERATIONS) >= 14, LIST_OPERATIONS


@pytest.mark.parametrize("operation_id", LIST_OPERATIONS)
def test_every_list_operation_pages_alike(
    account: Account, clickfunnels: ApiSession, workspace_id: int, operation_id: str
) -> None:
    """Each list walked four ways (asc and desc, by Pagination-Next and by Link) shows
    its records exactly once, in id order, 20 to a page, with the headers on every page
    but the last. A list missing from BUILDERS fails here, so none is forgotten."""
    path, expected = BUILDERS[operation_id](Target(clickfunnels, account, workspace_id))
    for order in ("asc", "desc"):
        params, descending = ORDERS[order]
        for walk in (walk_by_next, walk_by_link):
            pages = walk(clickfunnels, path, params)
            sizes = [len(page.records) for page in pages]
            assert sizes == [PAGE] * (len(expected) // PAGE) + ([len(expected) % PAGE] if len(expected) % PAGE else []), sizes
            ids = [record["id"] for record in check_pages(pages, path, params)]
            assert_ids_run(ids, descending=descending)
            assert sorted(ids) == sorted(expected)


@pytest.mark.parametrize("operation_id", LIST_OPERATIONS)
def test_every_list_operation_refuses_a_cursor_that_is_not_an_integer(clickfunnels_demo: ApiSession, operation_id: str) -> None:
    """On the demo account, where the record each list hangs off (team, workspace,
    contact, course and form 1) exists."""
    path = next(
        path
        for path, item in SPEC["paths"].items()
        for op in item.values()
        if isinstance(op, dict) and op.get("operationId") == operation_id
    )
    filled = re.sub(r"\{[a-z_]+\}", "1", path)
    assert clickfunnels_demo.get(filled).status_code == 200
    response = clickfunnels_demo.get(filled, params={"after": "abc"})
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"error"}
