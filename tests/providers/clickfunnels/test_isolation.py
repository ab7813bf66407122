"""Isolation between workspaces of one account, and between accounts.

Workspaces: collections (`/workspaces/{id}/...`) show only their own workspace's records,
and records of one workspace cannot be combined with another's (enrollments,
fulfillments, tags: 422), while single-record paths reach every record of the account.
Accounts: nothing of one account is reachable from another, by id or by public_id (404).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from mockserver.testing import Account, ApiSession, Emulator
from tests.providers.clickfunnels.helpers import NOT_FOUND
from tests.spec_tools import Spec
from tests.support import created, trigger_response

SPEC = Spec.load("clickfunnels")

# The collections under a workspace, by the kind of record they list.
WORKSPACE_LISTS = {
    "contact": "contacts",
    "tag": "contacts/tags",
    "product": "products",
    "order": "orders",
    "fulfillment": "fulfillments",
    "course": "courses",
    "form": "forms",
    "endpoint": "webhooks/outgoing/endpoints",
    "image": "images",
    "event": "webhooks/outgoing/events",
    "product_tag": "products/tags",
    "order_tag": "orders/tags",
    "restock": "orders/invoices/restocks",
    "location": "fulfillments/locations",
    "profile": "shipping/profiles",
    "rate_name": "shipping/rates/names",
    "package": "shipping/packages",
}
# The single-record path of each kind.
RECORD_PATHS = {
    "team": "/api/v2/teams/{}",
    "workspace": "/api/v2/workspaces/{}",
    "contact": "/api/v2/contacts/{}",
    "tag": "/api/v2/contacts/tags/{}",
    "product": "/api/v2/products/{}",
    "order": "/api/v2/orders/{}",
    "fulfillment": "/api/v2/fulfillments/{}",
    "course": "/api/v2/courses/{}",
    "enrollment": "/api/v2/courses/enrollments/{}",
    "form": "/api/v2/forms/{}",
    "submission": "/api/v2/forms/submissions/{}",
    "endpoint": "/api/v2/webhooks/outgoing/endpoints/{}",
    "image": "/api/v2/images/{}",
    "user": "/api/v2/users/{}",
    "applied_tag": "/api/v2/contacts/applied_tags/{}",
    "event": "/api/v2/webhooks/outgoing/events/{}",
    "section": "/api/v2/courses/sections/{}",
    "lesson": "/api/v2/courses/lessons/{}",
    "field_set": "/api/v2/forms/field_sets/{}",
    "field": "/api/v2/forms/fields/{}",
    "option": "/api/v2/forms/fields/options/{}",
    "answer": "/api/v2/forms/submissions/answers/{}",
    "variant": "/api/v2/products/variants/{}",
    "price": "/api/v2/products/prices/{}",
    "product_tag": "/api/v2/products/tags/{}",
    "order_tag": "/api/v2/orders/tags/{}",
    "order_applied_tag": "/api/v2/orders/applied_tags/{}",
    "invoice": "/api/v2/orders/invoices/{}",
    "transaction": "/api/v2/orders/transactions/{}",
    "restock": "/api/v2/orders/invoices/restocks/{}",
    "location": "/api/v2/fulfillments/locations/{}",
    "profile": "/api/v2/shipping/profiles/{}",
    "location_group": "/api/v2/shipping/location_groups/{}",
    "zone": "/api/v2/shipping/zones/{}",
    "rate": "/api/v2/shipping/rates/{}",
    "rate_name": "/api/v2/shipping/rates/names/{}",
    "package": "/api/v2/shipping/packages/{}",
}
# Kinds whose ids are counted per account, so that another account's record may have the same id.
PER_ACCOUNT = ("{team_id}", "{user_id}")
# Which kind of record each path parameter of the spec names.
PARAMETER_KINDS = {
    "team_id": "team",
    "workspace_id": "workspace",
    "contact_id": "contact",
    "tag_id": "tag",
    "applied_tag_id": "applied_tag",
    "product_id": "product",
    "order_id": "order",
    "fulfillment_id": "fulfillment",
    "course_id": "course",
    "enrollment_id": "enrollment",
    "form_id": "form",
    "submission_id": "submission",
    "endpoint_id": "endpoint",
    "image_id": "image",
    "user_id": "user",
    "event_id": "event",
    "section_id": "section",
    "lesson_id": "lesson",
    "field_set_id": "field_set",
    "field_id": "field",
    "option_id": "option",
    "answer_id": "answer",
    "variant_id": "variant",
    "price_id": "price",
    "product_tag_id": "product_tag",
    "order_tag_id": "order_tag",
    "order_applied_tag_id": "order_applied_tag",
    "invoice_id": "invoice",
    "transaction_id": "transaction",
    "restock_id": "restock",
    "location_id": "location",
    "profile_id": "profile",
    "location_group_id": "location_group",
    "zone_id": "zone",
    "rate_id": "rate",
    "rate_name_id": "rate_name",
    "package_id": "package",
}


# -- building two populated workspaces ----------------------------------------------------------
@dataclass
class Workspace:
    """One workspace and one record of every kind in it (`records[kind]`)."""

    id: int
    records: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __getitem__(self, kind: str) -> dict[str, Any]:
        return self.records[kind]


@dataclass
class Tenant:
    """An account, and how this module fills its workspaces."""

    account: Account
    client: ApiSession

    def admin(self, action: str, **body: Any) -> requests.Response:
        return trigger_response(self.account, action, **body)

    def populate(self, workspace: Workspace, email: str) -> Workspace:
        """A contact (`email`, tagged), a tag, a product, an order, a fulfillment, a
        course with an enrollment, a form with a submission by the contact, a webhook
        endpoint and an image, all in the workspace."""
        client, space = self.client, f"/api/v2/workspaces/{workspace.id}"
        records = workspace.records
        records["tag"] = created(client.post(f"{space}/contacts/tags", json={"contacts_tag": {"name": "Shared name"}}))
        records["contact"] = created(
            client.post(f"{space}/contacts", json={"contact": {"email_address": email, "tag_ids": [records["tag"]["id"]]}})
        )
        records["applied_tag"] = client.get(f"/api/v2/contacts/{records['contact']['id']}/applied_tags").json()[0]
        records["product"] = created(
            client.post(f"{space}/products", json={"product": {"name": "Shared product", "price": "9.00"}})
        )
        lines = [{"product_id": records["product"]["id"], "quantity": 3}]
        records["order"] = created(
            self.admin("orders", workspace_id=workspace.id, contact_id=records["contact"]["id"], line_items=lines, refunded=True)
        )
        parts = [{"invoices_line_item_id": records["order"]["line_items"][0]["id"], "quantity": 1}]
        fulfillment = {"contact_id": records["contact"]["id"], "included_orders_invoices_line_items_attributes": parts}
        records["fulfillment"] = created(client.post(f"{space}/fulfillments", json={"fulfillment": fulfillment}))
        sections = [{"title": "Shared section", "lessons": [{"title": "Shared lesson"}]}]
        records["course"] = created(self.admin("courses", workspace_id=workspace.id, title="Shared course", sections=sections))
        enrollment = {"courses_enrollment": {"contact_id": records["contact"]["id"]}}
        records["enrollment"] = created(client.post(f"/api/v2/courses/{records['course']['id']}/enrollments", json=enrollment))
        records["form"] = created(self.admin("forms", workspace_id=workspace.id, name="Shared form"))
        records["submission"] = created(self.admin(f"forms/{records['form']['id']}/submissions", data={"email_address": email}))
        hook = {"url": "http://127.0.0.1:9/in", "name": "Hook", "event_type_ids": ["contact.created", "contact.updated"]}
        records["endpoint"] = created(
            client.post(f"{space}/webhooks/outgoing/endpoints", json={"webhooks_outgoing_endpoint": hook})
        )
        records["contact"] = client.patch(
            f"/api/v2/contacts/{records['contact']['id']}", json={"contact": {"first_name": "Sam"}}
        ).json()
        records["event"] = client.get(f"{space}/webhooks/outgoing/events").json()[0]
        records["image"] = created(
            client.post(f"{space}/images", json={"image": {"upload_source_url": "https://cdn.example.com/a.png"}})
        )
        team = client.get("/api/v2/teams").json()[0]
        records["team"] = team
        records["workspace"] = client.get(f"/api/v2/workspaces/{workspace.id}").json()
        records["user"] = client.get("/api/v2/users").json()[0]
        self.populate_parts(records)
        self.populate_commerce(workspace, records)
        return workspace

    def populate_parts(self, records: dict[str, dict[str, Any]]) -> None:
        """The course's section and lesson; a field set, field, option and answer of the form."""
        client = self.client
        records["section"] = client.get(f"/api/v2/courses/{records['course']['id']}/sections").json()[0]
        records["lesson"] = client.get(f"/api/v2/courses/sections/{records['section']['id']}/lessons").json()[0]
        made = {"forms_field_set": {"title": "Shared set"}}
        records["field_set"] = created(client.post(f"/api/v2/forms/{records['form']['id']}/field_sets", json=made))
        made = {"forms_field": {"label": "Shared field"}}
        records["field"] = created(client.post(f"/api/v2/forms/field_sets/{records['field_set']['id']}/fields", json=made))
        made = {"forms_fields_option": {"label": "Shared option"}}
        records["option"] = created(client.post(f"/api/v2/forms/fields/{records['field']['id']}/options", json=made))
        made = {"forms_submissions_answer": {"field_id": records["field"]["id"], "fields_option_id": records["option"]["id"]}}
        records["answer"] = created(client.post(f"/api/v2/forms/submissions/{records['submission']['id']}/answers", json=made))

    def populate_commerce(self, workspace: Workspace, records: dict[str, dict[str, Any]]) -> None:
        """The product's variant, price and a tag; an order tag applied to the order, its invoice,
        transaction and restock (it was refunded); a location and what ships from it."""
        client, space, order = self.client, f"/api/v2/workspaces/{workspace.id}", records["order"]["id"]
        records["variant"] = client.get(f"/api/v2/products/{records['product']['id']}/variants").json()[0]
        records["price"] = client.get(f"/api/v2/products/{records['product']['id']}/prices").json()[0]
        records["product_tag"] = created(client.post(f"{space}/products/tags", json={"products_tag": {"name": "Shared tag"}}))
        records["order_tag"] = created(client.post(f"{space}/orders/tags", json={"orders_tag": {"name": "Shared tag"}}))
        applied = {"orders_applied_tag": {"tag_id": records["order_tag"]["id"]}}
        records["order_applied_tag"] = created(client.post(f"/api/v2/orders/{order}/applied_tags", json=applied))
        records["invoice"] = client.get(f"/api/v2/orders/{order}/invoices").json()[0]
        records["transaction"] = client.get(f"/api/v2/orders/{order}/transactions").json()[0]
        records["restock"] = client.get(f"{space}/orders/invoices/restocks").json()[0]
        where = {"name": "Depot", "address_name": "Depot", "email_address": "depot@example.com", "address": {"country": "US"}}
        records["location"] = created(client.post(f"{space}/fulfillments/locations", json={"fulfillments_location": where}))
        profile = {"shipping_profile": {"name": "Shared profile", "variant_ids": [records["variant"]["id"]]}}
        records["profile"] = created(client.post(f"{space}/shipping/profiles", json=profile))
        records["location_group"] = client.get(f"/api/v2/shipping/profiles/{records['profile']['id']}/location_groups").json()[0]
        zone = {"shipping_zone": {"name": "Shared zone"}}
        records["zone"] = created(
            client.post(f"/api/v2/shipping/location_groups/{records['location_group']['id']}/zones", json=zone)
        )
        records["rate_name"] = created(
            client.post(f"{space}/shipping/rates/names", json={"shipping_rates_name": {"name": "Ground"}})
        )
        rate = {"shipping_rate": {"price": "4.00", "price_currency": "USD", "rates_name_id": records["rate_name"]["id"]}}
        records["rate"] = created(client.post(f"/api/v2/shipping/zones/{records['zone']['id']}/rates", json=rate))
        package = {"name": "Box", "package_type": "box", "height": 1, "width": 1, "length": 1, "distance_unit": "cm"}
        records["package"] = created(client.post(f"{space}/shipping/packages", json={"shipping_package": package}))


@pytest.fixture
def tenant(account: Account, clickfunnels: ApiSession) -> Tenant:
    return Tenant(account, clickfunnels)


@pytest.fixture
def spaces(tenant: Tenant, workspace_id: int) -> tuple[Workspace, Workspace]:
    """Workspace A (the account's first) and B (made through the admin API), each with
    one record of every kind; both have a contact with the same e-mail address."""
    second = created(tenant.admin("workspaces", name="Second Store"))
    assert second["id"] != workspace_id
    a = tenant.populate(Workspace(workspace_id), "same@example.com")
    b = tenant.populate(Workspace(second["id"]), "same@example.com")
    return a, b


def ids_of(response: requests.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [record["id"] for record in response.json()]


# -- two workspaces of one account ----------------------------------------------------------------
def test_the_second_workspace_belongs_to_the_same_team(tenant: Tenant, spaces: tuple[Workspace, Workspace]) -> None:
    a, b = spaces
    team = tenant.client.get("/api/v2/teams").json()
    assert len(team) == 1
    assert ids_of(tenant.client.get(f"/api/v2/teams/{team[0]['id']}/workspaces")) == [a.id, b.id]


@pytest.mark.parametrize("kind", list(WORKSPACE_LISTS))
def test_lists_show_only_their_workspace_records(tenant: Tenant, spaces: tuple[Workspace, Workspace], kind: str) -> None:
    for mine, theirs in (spaces, spaces[::-1]):
        found = ids_of(tenant.client.get(f"/api/v2/workspaces/{mine.id}/{WORKSPACE_LISTS[kind]}"))
        assert found == [mine[kind]["id"]]
        assert theirs[kind]["id"] not in found


def test_records_carry_their_workspace(spaces: tuple[Workspace, Workspace]) -> None:
    for space in spaces:
        for kind in ("contact", "tag", "product", "order", "fulfillment", "form", "submission", "endpoint", "image"):
            assert space[kind]["workspace_id"] == space.id, kind


def test_nested_lists_show_only_their_parent_records(tenant: Tenant, spaces: tuple[Workspace, Workspace]) -> None:
    for space in spaces:
        client = tenant.client
        assert ids_of(client.get(f"/api/v2/contacts/{space['contact']['id']}/applied_tags")) == [space["applied_tag"]["id"]]
        assert ids_of(client.get(f"/api/v2/courses/{space['course']['id']}/enrollments")) == [space["enrollment"]["id"]]
        assert ids_of(client.get(f"/api/v2/forms/{space['form']['id']}/submissions")) == [space["submission"]["id"]]


def test_submissions_and_orders_link_the_contact_of_their_own_workspace(spaces: tuple[Workspace, Workspace]) -> None:
    """Both workspaces hold same@example.com: each form submission and order is linked
    to the contact of its own workspace."""
    a, b = spaces
    assert a["contact"]["id"] != b["contact"]["id"]
    for space in spaces:
        assert space["submission"]["contact_id"] == space["contact"]["id"]
        assert space["order"]["contact_id"] == space["contact"]["id"]


@pytest.mark.parametrize("kind", list(RECORD_PATHS))
@pytest.mark.parametrize("ref", ["id", "public_id"])
def test_single_record_paths_reach_records_of_both_workspaces(
    tenant: Tenant, spaces: tuple[Workspace, Workspace], kind: str, ref: str
) -> None:
    for space in spaces:
        record = space[kind]
        response = tenant.client.get(RECORD_PATHS[kind].format(record[ref]))
        assert response.status_code == 200, response.text
        assert response.json()["id"] == record["id"]
        assert response.json().get("workspace_id", space.id) == space.id


def test_filtering_one_workspace_by_ids_of_the_other_finds_nothing(tenant: Tenant, spaces: tuple[Workspace, Workspace]) -> None:
    a, b = spaces
    client = tenant.client
    for kind in ("contact", "product", "order", "fulfillment"):
        path = f"/api/v2/workspaces/{a.id}/{WORKSPACE_LISTS[kind]}"
        assert ids_of(client.get(path, params={"filter[id]": b[kind]["id"]})) == [], kind
    orders = f"/api/v2/workspaces/{a.id}/orders"
    assert ids_of(client.get(orders, params={"filter[contact_id]": b["contact"]["id"]})) == []
    contacts = f"/api/v2/workspaces/{a.id}/contacts"
    assert ids_of(client.get(contacts, params={"filter[tag_ids]": b["tag"]["id"]})) == []
    assert ids_of(client.get(contacts, params={"filter[email_address]": "same@example.com"})) == [a["contact"]["id"]]


def test_creating_through_a_workspace_path_never_lands_in_the_other(tenant: Tenant, spaces: tuple[Workspace, Workspace]) -> None:
    a, b = spaces
    client = tenant.client
    made = created(client.post(f"/api/v2/workspaces/{a.id}/contacts", json={"contact": {"email_address": "new@example.com"}}))
    assert made["workspace_id"] == a.id
    assert made["id"] not in ids_of(client.get(f"/api/v2/workspaces/{b.id}/contacts"))
    # The same address is free in the other workspace, and stays apart.
    other = created(client.post(f"/api/v2/workspaces/{b.id}/contacts", json={"contact": {"email_address": "NEW@example.com"}}))
    assert other["workspace_id"] == b.id and other["id"] != made["id"]


def test_upsert_matches_only_contacts_of_its_workspace(tenant: Tenant, spaces: tuple[Workspace, Workspace]) -> None:
    a, b = spaces
    client = tenant.client
    only_b = created(
        client.post(f"/api/v2/workspaces/{b.id}/contacts", json={"contact": {"email_address": "only-b@example.com"}})
    )
    response = client.post(
        f"/api/v2/workspaces/{a.id}/contacts/upsert", json={"contact": {"email_address": "only-b@example.com", "first_name": "A"}}
    )
    assert response.status_code == 201, response.text
    assert response.json()["workspace_id"] == a.id and response.json()["id"] != only_b["id"]
    assert client.get(f"/api/v2/contacts/{only_b['id']}").json()["first_name"] is None
    response = client.post(
        f"/api/v2/workspaces/{a.id}/contacts/upsert", json={"contact": {"email_address": "same@example.com", "last_name": "A"}}
    )
    assert response.status_code == 200, response.text
    assert response.json()["id"] == a["contact"]["id"]
    assert client.get(f"/api/v2/contacts/{b['contact']['id']}").json()["last_name"] is None


def assert_invalid(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    body: dict[str, Any] = response.json()
    assert isinstance(body.get("error"), str) and body["error"]
    assert isinstance(body.get("errors"), dict) and body["errors"]
    return body


def test_contact_of_one_workspace_cannot_be_enrolled_in_a_course_of_the_other(
    tenant: Tenant, spaces: tuple[Workspace, Workspace]
) -> None:
    a, b = spaces
    path = f"/api/v2/courses/{b['course']['id']}/enrollments"
    assert_invalid(tenant.client.post(path, json={"courses_enrollment": {"contact_id": a["contact"]["id"]}}))
    assert ids_of(tenant.client.get(path)) == [b["enrollment"]["id"]]


def test_contact_of_one_workspace_cannot_be_fulfilled_in_the_other(tenant: Tenant, spaces: tuple[Workspace, Workspace]) -> None:
    a, b = spaces
    path = f"/api/v2/workspaces/{b.id}/fulfillments"
    a_item = a["order"]["line_items"][0]["id"]
    b_item = b["order"]["line_items"][0]["id"]
    attempts = [
        (a["contact"]["id"], a_item),  # A's contact and A's order, fulfilled in B
        (a["contact"]["id"], b_item),  # A's contact with B's order
        (b["contact"]["id"], a_item),  # B's contact with A's order
    ]
    for contact_id, item_id in attempts:
        body = {
            "fulfillment": {
                "contact_id": contact_id,
                "included_orders_invoices_line_items_attributes": [{"invoices_line_item_id": item_id, "quantity": 1}],
            }
        }
        assert_invalid(tenant.client.post(path, json=body))
    assert ids_of(tenant.client.get(path)) == [b["fulfillment"]["id"]]
    assert ids_of(tenant.client.get(f"/api/v2/workspaces/{a.id}/fulfillments")) == [a["fulfillment"]["id"]]


def test_contact_of_one_workspace_cannot_be_given_a_tag_of_the_other(tenant: Tenant, spaces: tuple[Workspace, Workspace]) -> None:
    a, b = spaces
    client = tenant.client
    contact, foreign = a["contact"]["id"], b["tag"]["id"]
    assert_invalid(client.post(f"/api/v2/contacts/{contact}/applied_tags", json={"contacts_applied_tag": {"tag_id": foreign}}))
    assert_invalid(client.put(f"/api/v2/contacts/{contact}", json={"contact": {"tag_ids": [foreign]}}))
    assert_invalid(client.patch(f"/api/v2/contacts/{contact}", json={"contact": {"tag_ids": [a["tag"]["id"], foreign]}}))
    assert_invalid(
        client.post(
            f"/api/v2/workspaces/{a.id}/contacts", json={"contact": {"email_address": "x@example.com", "tag_ids": [foreign]}}
        )
    )
    assert_invalid(
        client.post(
            f"/api/v2/workspaces/{a.id}/contacts/upsert",
            json={"contact": {"email_address": "same@example.com", "tag_ids": [foreign]}},
        )
    )
    tags = client.get(f"/api/v2/contacts/{contact}").json()["tags"]
    assert [tag["id"] for tag in tags] == [a["tag"]["id"]]
    assert ids_of(client.get(f"/api/v2/workspaces/{a.id}/contacts", params={"filter[email_address]": "x@example.com"})) == []


def test_admin_order_cannot_mix_workspaces(tenant: Tenant, spaces: tuple[Workspace, Workspace]) -> None:
    a, b = spaces
    foreign_product = tenant.admin(
        "orders", workspace_id=b.id, contact_id=b["contact"]["id"], line_items=[{"product_id": a["product"]["id"]}]
    )
    foreign_contact = tenant.admin(
        "orders", workspace_id=b.id, contact_id=a["contact"]["id"], line_items=[{"product_id": b["product"]["id"]}]
    )
    for response in (foreign_product, foreign_contact):
        assert 400 <= response.status_code < 500, response.text
        assert isinstance(response.json()["error"], str)
    assert ids_of(tenant.client.get(f"/api/v2/workspaces/{b.id}/orders")) == [b["order"]["id"]]


# -- two accounts ---------------------------------------------------------------------------------
def path_operations() -> list[tuple[str, str, str]]:
    """(operationId, method, path) of every operation whose path names a record."""
    found = []
    for path, item in SPEC["paths"].items():
        if "{" not in path:
            continue
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                found.append((op["operationId"], method.upper(), path))
    return found


PATH_OPERATIONS = path_operations()


def request_body(method: str, path: str, records: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """A well-formed body for the operation, naming the other account's records."""
    op = SPEC["paths"][path][method.lower()]
    if "requestBody" not in op:
        return None
    wrapper = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    contact = records["contact"]["id"]
    bodies = {
        "ContactRequest": {"contact": {"first_name": "Intruder"}},
        "ContactUpsertRequest": {"contact": {"email_address": "same@example.com", "first_name": "Intruder"}},
        "ContactTagRequest": {"contacts_tag": {"name": "Intruder"}},
        "AppliedTagRequest": {"contacts_applied_tag": {"tag_id": records["tag"]["id"]}},
        "ProductRequest": {"product": {"name": "Intruder"}},
        "FulfillmentRequest": {
            "fulfillment": {
                "contact_id": contact,
                "included_orders_invoices_line_items_attributes": [
                    {"invoices_line_item_id": records["order"]["line_items"][0]["id"], "quantity": 1}
                ],
            }
        },
        "EnrollmentRequest": {"courses_enrollment": {"contact_id": contact}},
        "WebhookEndpointRequest": {
            "webhooks_outgoing_endpoint": {
                "url": "https://evil.example.com/",
                "name": "Intruder",
                "event_type_ids": ["contact.created"],
            }
        },
        "WebhookEndpointUpdateRequest": {"webhooks_outgoing_endpoint": {"url": "https://evil.example.com/"}},
        "ImageRequest": {"image": {"upload_source_url": "https://evil.example.com/x.png"}},
        **INTRUSIONS,
        "AnswerRequest": {"forms_submissions_answer": {"field_id": records["field"]["id"]}},
        "OrderAppliedTagRequest": {"orders_applied_tag": {"tag_id": records["order_tag"]["id"]}},
        "ShippingRateRequest": {
            "shipping_rate": {"price": "1", "price_currency": "USD", "rates_name_id": records["rate_name"]["id"]}
        },
        "ShippingProfileRequest": {"shipping_profile": {"name": "Intruder", "variant_ids": [records["variant"]["id"]]}},
    }
    return bodies[wrapper]


# Well-formed bodies of the other requests (naming no record).
INTRUSIONS: dict[str, dict[str, Any]] = {
    "TeamRequest": {"team": {"name": "Intruder"}},
    "WorkspaceRequest": {"workspace": {"name": "Intruder", "subdomain": "intruder"}},
    "WorkspaceUpdateRequest": {"workspace": {"name": "Intruder"}},
    "UserRequest": {"user": {"first_name": "Intruder"}},
    "ContactTagUpdateRequest": {"contacts_tag": {"name": "Intruder"}},
    "EnrollmentUpdateRequest": {"courses_enrollment": {"suspended": True}},
    "SectionRequest": {"courses_section": {"title": "Intruder"}},
    "LessonRequest": {"courses_lesson": {"title": "Intruder"}},
    "FormRequest": {"form": {"name": "Intruder"}},
    "FormUpdateRequest": {"form": {"name": "Intruder"}},
    "FieldSetRequest": {"forms_field_set": {"title": "Intruder"}},
    "FieldSetUpdateRequest": {"forms_field_set": {"title": "Intruder"}},
    "FieldRequest": {"forms_field": {"label": "Intruder"}},
    "FieldUpdateRequest": {"forms_field": {"label": "Intruder"}},
    "FieldOptionRequest": {"forms_fields_option": {"label": "Intruder"}},
    "FieldOptionUpdateRequest": {"forms_fields_option": {"label": "Intruder"}},
    "SubmissionRequest": {"forms_submission": {"contact_id": None}},
    "AnswerUpdateRequest": {"forms_submissions_answer": {"entry": "Intruder"}},
    "VariantRequest": {"products_variant": {"name": "Intruder", "product_type": "digital", "weight_unit": "lb"}},
    "VariantUpdateRequest": {"products_variant": {"name": "Intruder"}},
    "PriceRequest": {"products_price": {"amount": "1.00", "currency": "USD"}},
    "PriceUpdateRequest": {"products_price": {"amount": "1.00"}},
    "ProductTagRequest": {"products_tag": {"name": "Intruder"}},
    "ProductTagUpdateRequest": {"products_tag": {"name": "Intruder"}},
    "OrderUpdateRequest": {"order": {"notes": "Intruder"}},
    "OrderTagRequest": {"orders_tag": {"name": "Intruder"}},
    "OrderTagUpdateRequest": {"orders_tag": {"name": "Intruder"}},
    "FulfillmentUpdateRequest": {"fulfillment": {"tracking_code": "Intruder"}},
    "LocationRequest": {
        "fulfillments_location": {"name": "Intruder", "address_name": "X", "email_address": "x@example.com", "external_app": True}
    },
    "LocationUpdateRequest": {"fulfillments_location": {"name": "Intruder"}},
    "ImageUpdateRequest": {"image": {"name": "Intruder"}},
    "ShippingProfileUpdateRequest": {"shipping_profile": {"name": "Intruder"}},
    "ShippingZoneRequest": {"shipping_zone": {"name": "Intruder"}},
    "ShippingZoneUpdateRequest": {"shipping_zone": {"name": "Intruder"}},
    "ShippingRateUpdateRequest": {"shipping_rate": {"price": "1"}},
    "RateNameRequest": {"shipping_rates_name": {"name": "Intruder"}},
    "RateNameUpdateRequest": {"shipping_rates_name": {"name": "Intruder"}},
    "PackageRequest": {
        "shipping_package": {
            "name": "Intruder",
            "package_type": "box",
            "height": 1,
            "width": 1,
            "length": 1,
            "distance_unit": "in",
        }
    },
    "PackageUpdateRequest": {"shipping_package": {"name": "Intruder"}},
}


@dataclass
class TwoAccounts:
    owner: Tenant
    owned: Workspace  # the owner's second workspace, full of records
    stranger: ApiSession  # a fresh account: one team, one workspace, nothing else


@pytest.fixture
def two_accounts(mockserver: Emulator, tenant: Tenant, workspace_id: int) -> TwoAccounts:
    """The owner's records live in its second workspace, so that no id of theirs (but
    the team's) is also an id of the stranger's own records."""
    second = created(tenant.admin("workspaces", name="Owned"))["id"]
    assert second != workspace_id
    owned = tenant.populate(Workspace(second), "owner@example.com")
    stranger = mockserver.account("clickfunnels").session()
    return TwoAccounts(tenant, owned, stranger)


def fill(path: str, records: dict[str, dict[str, Any]], ref: str) -> str:
    return re.sub(r"\{([a-z_]+)\}", lambda m: str(records[PARAMETER_KINDS[m.group(1)]][ref]), path)


STRANGER_CASES = [
    (op_id, method, path, ref)
    for op_id, method, path in PATH_OPERATIONS
    for ref in ("id", "public_id")
    if not (ref == "id" and any(name in path for name in PER_ACCOUNT))  # counted per account (see below)
]


@pytest.mark.parametrize(
    ("operation_id", "method", "path", "ref"), STRANGER_CASES, ids=[f"{case[0]}-{case[3]}" for case in STRANGER_CASES]
)
def test_another_account_gets_404_on_every_single_record_path(
    two_accounts: TwoAccounts, operation_id: str, method: str, path: str, ref: str
) -> None:
    records = two_accounts.owned.records
    body = request_body(method, path, records)
    response = two_accounts.stranger.request(method, fill(path, records, ref), json=body)
    assert response.status_code == 404, f"{operation_id}: {response.status_code} {response.text}"
    assert response.json() == NOT_FOUND


def test_a_team_id_names_each_account_s_own_team(two_accounts: TwoAccounts) -> None:
    """Ids are counted per account, so the stranger's only team has the owner's team
    id; through it the stranger sees its own team and workspace, never the owner's."""
    owner_team = two_accounts.owned["team"]
    mine = two_accounts.stranger.get("/api/v2/teams").json()
    assert len(mine) == 1 and mine[0]["public_id"] != owner_team["public_id"]
    response = two_accounts.stranger.get(f"/api/v2/teams/{owner_team['id']}")
    if response.status_code == 200:
        assert response.json() == mine[0]
    else:
        assert response.status_code == 404 and response.json() == NOT_FOUND
    workspaces = two_accounts.stranger.get(f"/api/v2/teams/{mine[0]['id']}/workspaces").json()
    owner_public_ids = {two_accounts.owned["workspace"]["public_id"]}
    assert len(workspaces) == 1 and workspaces[0]["public_id"] not in owner_public_ids


def test_another_account_lists_none_of_the_owner_records(two_accounts: TwoAccounts) -> None:
    stranger = two_accounts.stranger
    team = stranger.get("/api/v2/teams").json()[0]
    (workspace,) = stranger.get(f"/api/v2/teams/{team['id']}/workspaces").json()
    for collection in WORKSPACE_LISTS.values():
        assert ids_of(stranger.get(f"/api/v2/workspaces/{workspace['id']}/{collection}")) == [], collection


def test_failed_attempts_of_another_account_change_nothing(two_accounts: TwoAccounts) -> None:
    """After the stranger tried every operation on the owner's records, they are as
    they were."""
    owner, records = two_accounts.owner.client, two_accounts.owned.records
    before = {kind: owner.get(RECORD_PATHS[kind].format(records[kind]["id"])).json() for kind in RECORD_PATHS}
    for _, method, path in PATH_OPERATIONS:
        for ref in ("id", "public_id"):
            if ref == "id" and any(name in path for name in PER_ACCOUNT):
                continue
            two_accounts.stranger.request(method, fill(path, records, ref), json=request_body(method, path, records))
    after = {kind: owner.get(RECORD_PATHS[kind].format(records[kind]["id"])).json() for kind in RECORD_PATHS}
    assert after == before
    space = f"/api/v2/workspaces/{two_accounts.owned.id}"
    assert ids_of(owner.get(f"{space}/contacts")) == [records["contact"]["id"]]
    assert ids_of(owner.get(f"/api/v2/contacts/{records['contact']['id']}/applied_tags")) == [records["applied_tag"]["id"]]
    assert ids_of(owner.get(f"/api/v2/courses/{records['course']['id']}/enrollments")) == [records["enrollment"]["id"]]


def test_the_demo_account_records_are_not_reachable_from_a_fresh_account(
    clickfunnels_demo: ApiSession, clickfunnels: ApiSession
) -> None:
    contact = clickfunnels_demo.get("/api/v2/workspaces/1/contacts").json()[0]
    product = clickfunnels_demo.get("/api/v2/workspaces/1/products").json()[0]
    for path in (f"/api/v2/contacts/{contact['public_id']}", f"/api/v2/products/{product['public_id']}", "/api/v2/workspaces/2"):
        response = clickfunnels.get(path)
        assert response.status_code == 404, path
        assert response.json() == NOT_FOUND
