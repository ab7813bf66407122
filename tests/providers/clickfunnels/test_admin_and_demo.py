"""The demo account (key "demo") and the ClickFunnels admin actions.

Demo: team "Demo Team" with "Demo Workspace" (40 contacts, 6 tags, 6 products of which
the last is archived, 15 orders, 4 fulfillments of which one is cancelled, a course with
10 enrollments, a form with 12 submissions that also made contacts, 3 images) and "Second
Store" (8 contacts, 2 tags, 2 products, 2 orders); the same seed gives the same data.
Admin actions refuse bad bodies with a 4xx `{"error": ...}`, never a 5xx.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import requests

from mockserver.testing import Account, ApiSession, Emulator
from tests.support import admin_response, trigger_response

COLLECTIONS = {
    "contacts": "contacts",
    "tags": "contacts/tags",
    "products": "products",
    "orders": "orders",
    "fulfillments": "fulfillments",
    "courses": "courses",
    "forms": "forms",
    "images": "images",
    "endpoints": "webhooks/outgoing/endpoints",
}
SECOND_STORE = {
    "contacts": 8,
    "tags": 2,
    "products": 2,
    "orders": 2,
    "fulfillments": 0,
    "courses": 0,
    "forms": 0,
    "images": 0,
    "endpoints": 0,
}


# -- helpers --------------------------------------------------------------------------------
def walk(client: ApiSession, path: str) -> list[dict[str, Any]]:
    """Every record of a list, following Pagination-Next."""
    records: list[dict[str, Any]] = []
    params: dict[str, Any] = {}
    for _ in range(100):
        response = client.get(path, params=params)
        assert response.status_code == 200, response.text
        records += response.json()
        after = response.headers.get("Pagination-Next")
        if after is None:
            return records
        params["after"] = after
    raise AssertionError("the walk does not end")


def workspaces(client: ApiSession) -> dict[str, dict[str, Any]]:
    team = client.get("/api/v2/teams").json()[0]
    return {space["name"]: space for space in walk(client, f"/api/v2/teams/{team['id']}/workspaces")}


def everything(client: ApiSession, workspace_id: int) -> dict[str, list[dict[str, Any]]]:
    return {kind: walk(client, f"/api/v2/workspaces/{workspace_id}/{path}") for kind, path in COLLECTIONS.items()}


def assert_admin_error(response: requests.Response, *statuses: int) -> dict[str, Any]:
    """A 4xx (one of `statuses` when given) with a JSON body carrying an "error" text."""
    assert 400 <= response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    if statuses:
        assert response.status_code in statuses, f"{response.status_code}: {response.text[:500]}"
    assert response.headers["Content-Type"].split(";")[0] == "application/json"
    body: dict[str, Any] = response.json()
    assert isinstance(body.get("error"), str) and body["error"], body
    return body


@pytest.fixture
def demo(clickfunnels_demo: ApiSession) -> dict[str, Any]:
    """The demo account read whole: its workspaces and every record of each."""
    spaces = workspaces(clickfunnels_demo)
    return {name: {"workspace": space, **everything(clickfunnels_demo, space["id"])} for name, space in spaces.items()}


# -- the demo account ------------------------------------------------------------------------
def test_demo_has_one_team_with_two_workspaces(clickfunnels_demo: ApiSession) -> None:
    teams = walk(clickfunnels_demo, "/api/v2/teams")
    assert [team["name"] for team in teams] == ["Demo Team"]
    spaces = walk(clickfunnels_demo, f"/api/v2/teams/{teams[0]['id']}/workspaces")
    assert [space["name"] for space in spaces] == ["Demo Workspace", "Second Store"]
    assert all(space["team_id"] == teams[0]["id"] for space in spaces)


def test_demo_workspace_counts(demo: dict[str, Any]) -> None:
    """Everything but the contacts (see the next test)."""
    main = demo["Demo Workspace"]
    counts = {kind: len(main[kind]) for kind in COLLECTIONS if kind != "contacts"}
    assert counts == {
        "tags": 6,
        "products": 6,
        "orders": 15,
        "fulfillments": 4,
        "courses": 1,
        "forms": 1,
        "images": 3,
        "endpoints": 0,
    }


def test_demo_workspace_has_40_contacts_besides_those_its_form_made(clickfunnels_demo: ApiSession, demo: dict[str, Any]) -> None:
    main = demo["Demo Workspace"]
    (form,) = main["forms"]
    submissions = walk(clickfunnels_demo, f"/api/v2/forms/{form['id']}/submissions")
    assert len(submissions) == 12
    submitters = {submission["contact_id"] for submission in submissions}
    assert None not in submitters
    contact_ids = {contact["id"] for contact in main["contacts"]}
    assert submitters <= contact_ids
    assert len(contact_ids - submitters) == 40
    assert len(main["contacts"]) == 40 + len(submitters)


def test_second_store_counts(demo: dict[str, Any]) -> None:
    second = demo["Second Store"]
    assert {kind: len(second[kind]) for kind in COLLECTIONS} == SECOND_STORE


@pytest.mark.parametrize("name", ["Demo Workspace", "Second Store"])
def test_demo_records_belong_to_their_workspace(demo: dict[str, Any], name: str) -> None:
    space = demo[name]
    workspace_id = space["workspace"]["id"]
    for kind in ("contacts", "tags", "products", "orders", "fulfillments", "forms", "images"):
        assert all(record["workspace_id"] == workspace_id for record in space[kind]), kind


@pytest.mark.parametrize("name", ["Demo Workspace", "Second Store"])
def test_demo_contacts_are_unique_and_carry_their_workspace_tags(demo: dict[str, Any], name: str) -> None:
    space = demo[name]
    emails = [contact["email_address"].casefold() for contact in space["contacts"]]
    assert len(set(emails)) == len(emails)
    tag_ids = {tag["id"] for tag in space["tags"]}
    for contact in space["contacts"]:
        assert {tag["id"] for tag in contact["tags"]} <= tag_ids, contact
    names = [tag["name"].casefold() for tag in space["tags"]]
    assert len(set(names)) == len(names)


def test_the_last_demo_product_is_archived(demo: dict[str, Any]) -> None:
    products = sorted(demo["Demo Workspace"]["products"], key=lambda product: product["id"])
    assert [product["archived"] for product in products] == [False] * 5 + [True]
    assert not any(product["archived"] for product in demo["Second Store"]["products"])


def test_one_demo_fulfillment_is_cancelled(demo: dict[str, Any]) -> None:
    statuses = sorted(fulfillment["status"] for fulfillment in demo["Demo Workspace"]["fulfillments"])
    assert statuses == ["cancelled", "fulfilled", "fulfilled", "fulfilled"]


def test_demo_fulfillments_name_line_items_of_their_contact_orders(demo: dict[str, Any]) -> None:
    main = demo["Demo Workspace"]
    contact_ids = {contact["id"] for contact in main["contacts"]}
    items_of: dict[int, set[int]] = {}
    for order in main["orders"]:
        items_of.setdefault(order["contact_id"], set()).update(item["id"] for item in order["line_items"])
    for fulfillment in main["fulfillments"]:
        assert fulfillment["contact_id"] in contact_ids
        parts = fulfillment["included_invoices_line_items"]
        assert parts
        assert {part["invoices_line_item_id"] for part in parts} <= items_of[fulfillment["contact_id"]]
        assert all(part["fulfillment_id"] == fulfillment["id"] for part in parts)


def test_demo_enrollments_reference_existing_contacts(clickfunnels_demo: ApiSession, demo: dict[str, Any]) -> None:
    main = demo["Demo Workspace"]
    (course,) = main["courses"]
    enrollments = walk(clickfunnels_demo, f"/api/v2/courses/{course['id']}/enrollments")
    assert len(enrollments) == 10
    assert all(enrollment["course_id"] == course["id"] for enrollment in enrollments)
    contact_ids = [enrollment["contact_id"] for enrollment in enrollments]
    assert len(set(contact_ids)) == 10
    for contact_id in contact_ids:
        response = clickfunnels_demo.get(f"/api/v2/contacts/{contact_id}")
        assert response.status_code == 200, contact_id
        assert response.json()["workspace_id"] == main["workspace"]["id"]


def test_demo_submissions_reference_existing_contacts(clickfunnels_demo: ApiSession, demo: dict[str, Any]) -> None:
    main = demo["Demo Workspace"]
    (form,) = main["forms"]
    for submission in walk(clickfunnels_demo, f"/api/v2/forms/{form['id']}/submissions"):
        assert submission["form_id"] == form["id"]
        response = clickfunnels_demo.get(f"/api/v2/contacts/{submission['contact_id']}")
        assert response.status_code == 200, submission
        contact = response.json()
        assert contact["workspace_id"] == main["workspace"]["id"]
        assert contact["email_address"].casefold() == submission["data"]["email_address"].casefold()


@pytest.mark.parametrize("name", ["Demo Workspace", "Second Store"])
def test_demo_orders_reference_existing_contacts_and_products(
    clickfunnels_demo: ApiSession, demo: dict[str, Any], name: str
) -> None:
    space = demo[name]
    contact_ids = {contact["id"] for contact in space["contacts"]}
    products = {product["id"]: product for product in space["products"]}
    numbers = [order["order_number"] for order in space["orders"]]
    assert len(set(numbers)) == len(numbers)
    for order in space["orders"]:
        assert order["contact_id"] in contact_ids, order["id"]
        assert order["line_items"], order["id"]
        total = Decimal(0)
        for item in order["line_items"]:
            assert item["order_id"] == order["id"]
            product_id = item["original_product"]["id"]
            assert product_id in products, order["id"]
            assert item["original_product"]["name"] == products[product_id]["name"]
            response = clickfunnels_demo.get(f"/api/v2/products/{product_id}")
            assert response.status_code == 200 and response.json()["workspace_id"] == space["workspace"]["id"]
            total += Decimal(item["products_price"]["amount"]) * item["quantity"]
        assert Decimal(order["total_amount"]) == total, order["id"]


def test_demo_images_have_urls_and_names(demo: dict[str, Any]) -> None:
    images = demo["Demo Workspace"]["images"]
    assert len({image["name"] for image in images}) == 3
    assert all(image["url"].startswith("https://") and image["url"].endswith(image["name"]) for image in images)


def test_reseeding_the_demo_undoes_changes(
    mockserver: Emulator, clickfunnels_demo_account: Account, clickfunnels_demo: ApiSession, demo: dict[str, Any]
) -> None:
    main = demo["Demo Workspace"]
    space = main["workspace"]["id"]
    gone = main["contacts"][0]
    assert clickfunnels_demo.delete(f"/api/v2/contacts/{gone['id']}").status_code == 204
    added = clickfunnels_demo.post(
        f"/api/v2/workspaces/{space}/contacts", json={"contact": {"email_address": "extra@example.com"}}
    )
    assert added.status_code == 201
    # Account.seed() seeds with 0 unless told; a demo account holds the emulator's seed's data.
    clickfunnels_demo_account.seed(mockserver.admin("GET", "")["seed"])
    contacts = walk(clickfunnels_demo, f"/api/v2/workspaces/{space}/contacts")
    assert len(contacts) == len(main["contacts"])
    assert "extra@example.com" not in {contact["email_address"] for contact in contacts}
    assert gone["email_address"] in {contact["email_address"] for contact in contacts}


# -- seeds ---------------------------------------------------------------------------------
def seeded_contacts(account: Account, value: int) -> dict[str, list[dict[str, Any]]]:
    account.seed(value)
    client = account.session()
    return {name: walk(client, f"/api/v2/workspaces/{space['id']}/contacts") for name, space in workspaces(client).items()}


def test_seeding_twice_with_the_same_seed_gives_identical_contacts(account: Account) -> None:
    """Whole records: ids, public ids, uuids, tags and timestamps alike."""
    first = seeded_contacts(account, 4242)
    second = seeded_contacts(account, 4242)
    assert first == second


def test_seeding_twice_with_the_same_seed_gives_the_same_people(account: Account, mockserver: Emulator) -> None:
    """The fields that come from the seeded generators (not ids made up per record)."""

    def people(contacts: dict[str, list[dict[str, Any]]]) -> dict[str, list[tuple[Any, ...]]]:
        return {
            name: [
                (
                    c["id"],
                    c["email_address"],
                    c["first_name"],
                    c["last_name"],
                    c["phone_number"],
                    c["created_at"],
                    c["custom_attributes"],
                )
                for c in found
            ]
            for name, found in contacts.items()
        }

    first = seeded_contacts(account, 4242)
    second = seeded_contacts(mockserver.account("clickfunnels"), 4242)
    assert people(first) == people(second)
    assert sum(len(found) for found in first.values()) == 52 + 8


def test_another_seed_gives_other_contacts(account: Account) -> None:
    first = seeded_contacts(account, 1)
    second = seeded_contacts(account, 2)
    emails = {name: [c["email_address"] for c in found] for name, found in first.items()}
    assert emails != {name: [c["email_address"] for c in found] for name, found in second.items()}
    assert {name: len(found) for name, found in first.items()}.keys() == {"Demo Workspace", "Second Store"}


# -- admin orders ------------------------------------------------------------------------------
@pytest.fixture
def shop(account: Account, clickfunnels: ApiSession, workspace_id: int) -> dict[str, Any]:
    """A fresh account with a product and a contact, and a second workspace with its own."""
    space = f"/api/v2/workspaces/{workspace_id}"
    product = clickfunnels.post(f"{space}/products", json={"product": {"name": "Book", "price": "12.50"}}).json()
    contact = clickfunnels.post(f"{space}/contacts", json={"contact": {"email_address": "buyer@example.com"}}).json()
    other = trigger_response(account, "workspaces", name="Other").json()
    other_space = f"/api/v2/workspaces/{other['id']}"
    other_product = clickfunnels.post(f"{other_space}/products", json={"product": {"name": "Other book"}}).json()
    other_contact = clickfunnels.post(f"{other_space}/contacts", json={"contact": {"email_address": "o@example.com"}}).json()
    return {
        "workspace": workspace_id,
        "product": product["id"],
        "contact": contact["id"],
        "other_workspace": other["id"],
        "other_product": other_product["id"],
        "other_contact": other_contact["id"],
    }


def order_attempts(shop: dict[str, Any]) -> dict[str, Any]:
    line = [{"product_id": shop["product"], "quantity": 1}]
    return {
        "no line_items": {"contact_id": shop["contact"]},
        "empty line_items": {"contact_id": shop["contact"], "line_items": []},
        "unknown product": {"contact_id": shop["contact"], "line_items": [{"product_id": 987654}]},
        "unknown product for a new buyer": {
            "contact": {"email_address": "newbie@example.com"},
            "line_items": [{"product_id": 987654}],
        },
        "product of another workspace": {"contact_id": shop["contact"], "line_items": [{"product_id": shop["other_product"]}]},
        "both contact and contact_id": {
            "contact_id": shop["contact"],
            "contact": {"email_address": "x@example.com"},
            "line_items": line,
        },
        "neither contact nor contact_id": {"line_items": line},
        "unknown contact_id": {"contact_id": 987654, "line_items": line},
        "contact of another workspace": {"contact_id": shop["other_contact"], "line_items": line},
        "invalid buyer e-mail": {"contact": {"email_address": "not-an-address"}, "line_items": line},
        "product_id not an integer": {"contact_id": shop["contact"], "line_items": [{"product_id": "one"}]},
        "quantity zero": {"contact_id": shop["contact"], "line_items": [{"product_id": shop["product"], "quantity": 0}]},
        "unknown order_type": {"contact_id": shop["contact"], "line_items": line, "order_type": "gift"},
        "unknown workspace": {"workspace_id": 987654, "contact_id": shop["contact"], "line_items": line},
        "line_items not a list": {"contact_id": shop["contact"], "line_items": {"product_id": shop["product"]}},
    }


ORDER_ATTEMPTS = list(order_attempts(dict.fromkeys(("product", "contact", "other_product", "other_contact"), 1)))


@pytest.mark.parametrize("case", ORDER_ATTEMPTS)
def test_admin_order_validation_errors_are_4xx_and_change_nothing(
    account: Account, clickfunnels: ApiSession, shop: dict[str, Any], case: str
) -> None:
    """Refused, in a JSON error body, with no order placed and no buyer created."""
    spaces = (shop["workspace"], shop["other_workspace"])
    before = {space: everything(clickfunnels, space) for space in spaces}
    response = trigger_response(account, "orders", **order_attempts(shop)[case])
    assert_admin_error(response)
    after = {space: everything(clickfunnels, space) for space in spaces}
    assert after == before


def test_admin_order_refuses_a_body_that_is_not_json(mockserver: Emulator) -> None:
    headers = {"Content-Type": "application/json"}
    response = admin_response(mockserver, "POST", "clickfunnels/orders", data=b"{not json", headers=headers)
    assert_admin_error(response, 400)
    response = admin_response(mockserver, "POST", "clickfunnels/orders", json=["not", "an", "object"])
    assert_admin_error(response, 400)


def test_admin_order_for_an_existing_contact_is_placed(account: Account, clickfunnels: ApiSession, shop: dict[str, Any]) -> None:
    """The control for the refusals: a valid order is placed and listed."""
    line_items = [{"product_id": shop["product"], "quantity": 2}]
    response = trigger_response(account, "orders", contact_id=shop["contact"], line_items=line_items)
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["contact_id"] == shop["contact"] and order["total_amount"] == "25.00"
    assert [o["id"] for o in walk(clickfunnels, f"/api/v2/workspaces/{shop['workspace']}/orders")] == [order["id"]]


# -- other admin actions -------------------------------------------------------------------------
def test_admin_submission_for_an_unknown_form_is_404(account: Account) -> None:
    response = trigger_response(account, "forms/987654/submissions", data={"first_name": "Al"})
    assert_admin_error(response, 404)


def test_admin_submission_for_a_form_of_another_account_is_404(account: Account, mockserver: Emulator) -> None:
    form = trigger_response(account, "forms", name="Mine")
    assert form.status_code == 201, form.text
    stranger = mockserver.account("clickfunnels")
    response = trigger_response(stranger, f"forms/{form.json()['id']}/submissions", data={"first_name": "Al"})
    assert_admin_error(response, 404)


@pytest.mark.parametrize(
    "data", [None, "text", ["a"], {"email_address": 5}, {"nested": {"a": "b"}}], ids=["null", "text", "list", "number", "nested"]
)
def test_admin_submission_with_bad_data_is_4xx(account: Account, clickfunnels: ApiSession, data: Any) -> None:
    form = trigger_response(account, "forms", name="Survey").json()
    response = trigger_response(account, f"forms/{form['id']}/submissions", data=data)
    assert_admin_error(response)
    assert walk(clickfunnels, f"/api/v2/forms/{form['id']}/submissions") == []


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("forms", {}),
        ("forms", {"name": ""}),
        ("forms", {"name": 5}),
        ("courses", {}),
        ("courses", {"title": ["x"]}),
        ("workspaces", {}),
        ("workspaces", {"name": "Shop", "subdomain": "Not A Subdomain"}),
        ("workspaces", {"name": "Shop", "team_id": 987654}),
        ("forms", {"name": "Form", "workspace_id": 987654}),
        ("courses", {"title": "Course", "workspace_id": 987654}),
    ],
    ids=lambda value: value if isinstance(value, str) else "-".join(f"{k}={v}" for k, v in value.items()) or "empty",
)
def test_other_admin_actions_refuse_bad_bodies(account: Account, action: str, body: dict[str, Any]) -> None:
    response = trigger_response(account, action, **body)
    assert_admin_error(response)
