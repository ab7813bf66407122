"""List filters: `filter[attr]=a,b` (a comma is OR inside one attribute, several
attributes are ANDed); only the attributes the spec lists for a list may be used, others
are 400 `found unpermitted parameter: :attr`; nothing found is `[]` with no paging headers."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from mockserver.testing import Account, ApiSession
from tests.providers.clickfunnels.helpers import create_contact, create_product
from tests.spec_tools import Spec
from tests.support import created, trigger_response

SPEC = Spec.load("clickfunnels")


def filterable_lists() -> list[tuple[str, str, list[str]]]:
    """(operationId, path, filter attributes) of every list that takes `filter[...]`."""
    found = []
    for path, item in SPEC["paths"].items():
        op = item.get("get")
        if not op:
            continue
        for param in op.get("parameters", []):
            if param.get("name") == "filter":
                found.append((op["operationId"], path, sorted(param["schema"]["properties"])))
    return found


FILTERABLE = filterable_lists()


# -- helpers ------------------------------------------------------------------------------
def listed(client: ApiSession, path: str, **filters: str) -> list[dict[str, Any]]:
    """One page of a list with `filter[name]=value` for each keyword; asserts a 200 page
    without paging headers (every filtered result here is under 20 records)."""
    response = client.get(path, params={f"filter[{name}]": value for name, value in filters.items()})
    assert response.status_code == 200, response.text
    assert "Pagination-Next" not in response.headers and "Link" not in response.headers
    records: list[dict[str, Any]] = response.json()
    ids = [record["id"] for record in records]
    assert ids == sorted(ids), "filtered lists are still ascending by id"
    return records


def ids_of(records: list[dict[str, Any]]) -> list[int]:
    return [record["id"] for record in records]


def joined(*values: Any) -> str:
    return ",".join(map(str, values))


def admin(account: Account, action: str, **body: Any) -> dict[str, Any]:
    return created(trigger_response(account, action, **body))


def assert_unpermitted(response: requests.Response, *names: str) -> None:
    assert response.status_code == 400, response.text
    assert response.json() == {"error": "found unpermitted parameter: " + ", ".join(f":{name}" for name in names)}


# -- contacts -------------------------------------------------------------------------------
@pytest.fixture
def people(clickfunnels: ApiSession, workspace_id: int) -> dict[str, dict[str, Any]]:
    """Four contacts: ada carries Lead, bob Customer, cy both, dee none (and tag Unused
    is carried by no one)."""
    tags_path = f"/api/v2/workspaces/{workspace_id}/contacts/tags"
    tags = {
        name: created(clickfunnels.post(tags_path, json={"contacts_tag": {"name": name}}))["id"]
        for name in ("Lead", "Customer", "Unused")
    }
    carried = {"ada": ["Lead"], "bob": ["Customer"], "cy": ["Lead", "Customer"], "dee": []}
    found = {
        name: create_contact(clickfunnels, workspace_id, f"{name}@example.com", tag_ids=[tags[t] for t in carried[name]])
        for name in carried
    }
    return {**found, **{f"tag:{name}": {"id": tag_id} for name, tag_id in tags.items()}}


def test_email_filter_is_an_or_list_without_regard_to_case(
    clickfunnels: ApiSession, workspace_id: int, people: dict[str, dict[str, Any]]
) -> None:
    path = f"/api/v2/workspaces/{workspace_id}/contacts"
    found = listed(clickfunnels, path, email_address="ADA@Example.com,bob@EXAMPLE.COM")
    assert ids_of(found) == [people["ada"]["id"], people["bob"]["id"]]
    assert [record["email_address"] for record in found] == ["ada@example.com", "bob@example.com"]
    assert ids_of(listed(clickfunnels, path, email_address="cy@example.com")) == [people["cy"]["id"]]


def test_email_filter_matches_whole_addresses_only(clickfunnels: ApiSession, workspace_id: int, people: dict[str, Any]) -> None:
    path = f"/api/v2/workspaces/{workspace_id}/contacts"
    assert listed(clickfunnels, path, email_address="ada") == []
    assert listed(clickfunnels, path, email_address="example.com") == []
    assert people["ada"]["email_address"] == "ada@example.com"


def test_id_filter_is_an_or_list(clickfunnels: ApiSession, workspace_id: int, people: dict[str, dict[str, Any]]) -> None:
    path = f"/api/v2/workspaces/{workspace_id}/contacts"
    wanted = [people["bob"]["id"], people["dee"]["id"]]
    assert ids_of(listed(clickfunnels, path, id=joined(*wanted))) == wanted
    assert ids_of(listed(clickfunnels, path, id=str(people["cy"]["id"]))) == [people["cy"]["id"]]


def test_two_attributes_are_anded(clickfunnels: ApiSession, workspace_id: int, people: dict[str, dict[str, Any]]) -> None:
    path = f"/api/v2/workspaces/{workspace_id}/contacts"
    emails = "ada@example.com,bob@example.com"
    both = listed(clickfunnels, path, email_address=emails, id=joined(people["bob"]["id"], people["cy"]["id"]))
    assert ids_of(both) == [people["bob"]["id"]]
    assert listed(clickfunnels, path, email_address=emails, id=str(people["dee"]["id"])) == []


def test_tag_ids_filter_finds_contacts_carrying_any_of_the_tags(
    clickfunnels: ApiSession, workspace_id: int, people: dict[str, dict[str, Any]]
) -> None:
    path = f"/api/v2/workspaces/{workspace_id}/contacts"
    lead, customer, unused = (people[f"tag:{name}"]["id"] for name in ("Lead", "Customer", "Unused"))
    assert ids_of(listed(clickfunnels, path, tag_ids=str(lead))) == [people["ada"]["id"], people["cy"]["id"]]
    assert ids_of(listed(clickfunnels, path, tag_ids=joined(lead, customer))) == [people[n]["id"] for n in ("ada", "bob", "cy")]
    assert listed(clickfunnels, path, tag_ids=str(unused)) == []


def test_tag_ids_filter_anded_with_email(clickfunnels: ApiSession, workspace_id: int, people: dict[str, dict[str, Any]]) -> None:
    path = f"/api/v2/workspaces/{workspace_id}/contacts"
    lead = people["tag:Lead"]["id"]
    found = listed(clickfunnels, path, tag_ids=str(lead), email_address="bob@example.com,cy@example.com")
    assert ids_of(found) == [people["cy"]["id"]]


def test_tag_ids_filter_follows_tag_changes(
    clickfunnels: ApiSession, workspace_id: int, people: dict[str, dict[str, Any]]
) -> None:
    path = f"/api/v2/workspaces/{workspace_id}/contacts"
    lead = people["tag:Lead"]["id"]
    response = clickfunnels.put(f"/api/v2/contacts/{people['ada']['id']}", json={"contact": {"tag_ids": []}})
    assert response.status_code == 200, response.text
    assert ids_of(listed(clickfunnels, path, tag_ids=str(lead))) == [people["cy"]["id"]]


def test_tag_ids_filter_on_the_demo_account(clickfunnels_demo: ApiSession) -> None:
    """For each demo tag, the filter finds exactly the contacts whose `tags` name it."""
    path = "/api/v2/workspaces/1/contacts"
    contacts: list[dict[str, Any]] = []
    after = None
    while True:
        response = clickfunnels_demo.get(path, params={"after": after} if after else {})
        contacts += response.json()
        after = response.headers.get("Pagination-Next")
        if after is None:
            break
    tags = clickfunnels_demo.get("/api/v2/workspaces/1/contacts/tags").json()
    assert tags
    for tag in tags:
        carriers = [c["id"] for c in contacts if tag["id"] in {t["id"] for t in c["tags"]}]
        response = clickfunnels_demo.get(path, params={"filter[tag_ids]": tag["id"]})
        assert response.status_code == 200
        found = ids_of(response.json())
        assert found == carriers[:20], tag["name"]
        assert ("Pagination-Next" in response.headers) == (len(carriers) > 20)


def test_applied_tags_filter_by_tag_id_and_id(clickfunnels: ApiSession, people: dict[str, dict[str, Any]]) -> None:
    path = f"/api/v2/contacts/{people['cy']['id']}/applied_tags"
    by_tag = {record["tag_id"]: record for record in listed(clickfunnels, path)}
    lead, customer = people["tag:Lead"]["id"], people["tag:Customer"]["id"]
    assert set(by_tag) == {lead, customer}
    assert listed(clickfunnels, path, tag_id=str(lead)) == [by_tag[lead]]
    assert listed(clickfunnels, path, id=str(by_tag[customer]["id"])) == [by_tag[customer]]
    assert listed(clickfunnels, path, tag_id=str(lead), id=str(by_tag[lead]["id"])) == [by_tag[lead]]
    assert listed(clickfunnels, path, tag_id=str(lead), id=str(by_tag[customer]["id"])) == []


# -- products ---------------------------------------------------------------------------------
def test_product_filters(clickfunnels: ApiSession, workspace_id: int) -> None:
    path = f"/api/v2/workspaces/{workspace_id}/products"
    shown = create_product(clickfunnels, workspace_id, "Shown", visible_in_store=True)
    hidden = create_product(clickfunnels, workspace_id, "Hidden", visible_in_store=False, visible_in_customer_center=True)
    retired = create_product(clickfunnels, workspace_id, "Retired", visible_in_store=True)
    assert clickfunnels.post(f"/api/v2/products/{retired['id']}/archive").status_code == 200

    assert ids_of(listed(clickfunnels, path, archived="true")) == [retired["id"]]
    assert ids_of(listed(clickfunnels, path, archived="false")) == [shown["id"], hidden["id"]]
    assert ids_of(listed(clickfunnels, path, visible_in_store="true")) == [shown["id"], retired["id"]]
    assert ids_of(listed(clickfunnels, path, visible_in_store="false")) == [hidden["id"]]
    assert ids_of(listed(clickfunnels, path, visible_in_customer_center="true")) == [hidden["id"]]
    assert ids_of(listed(clickfunnels, path, visible_in_store="true", archived="false")) == [shown["id"]]
    assert ids_of(listed(clickfunnels, path, archived="true,false")) == [shown["id"], hidden["id"], retired["id"]]
    assert ids_of(listed(clickfunnels, path, id=joined(hidden["id"], retired["id"]), archived="false")) == [hidden["id"]]


def test_product_archived_filter_follows_unarchive(clickfunnels: ApiSession, workspace_id: int) -> None:
    path = f"/api/v2/workspaces/{workspace_id}/products"
    product = create_product(clickfunnels, workspace_id, "Seasonal")
    assert clickfunnels.post(f"/api/v2/products/{product['id']}/archive").status_code == 200
    assert ids_of(listed(clickfunnels, path, archived="true")) == [product["id"]]
    assert clickfunnels.post(f"/api/v2/products/{product['id']}/unarchive").status_code == 200
    assert listed(clickfunnels, path, archived="true") == []


# -- orders and fulfillments --------------------------------------------------------------------
def test_order_filters(account: Account, clickfunnels: ApiSession, workspace_id: int) -> None:
    path = f"/api/v2/workspaces/{workspace_id}/orders"
    product = create_product(clickfunnels, workspace_id, "Course", price="20.00")
    ann = create_contact(clickfunnels, workspace_id, "ann@example.com")
    ben = create_contact(clickfunnels, workspace_id, "ben@example.com")
    line = [{"product_id": product["id"]}]
    ann_once = admin(account, "orders", contact_id=ann["id"], line_items=line, order_type="one-time-order")
    ann_monthly = admin(account, "orders", contact_id=ann["id"], line_items=line, order_type="subscription")
    ben_once = admin(account, "orders", contact_id=ben["id"], line_items=line, order_type="one-time-order")

    assert ids_of(listed(clickfunnels, path, contact_id=str(ann["id"]))) == [ann_once["id"], ann_monthly["id"]]
    assert ids_of(listed(clickfunnels, path, contact_id=joined(ann["id"], ben["id"]))) == [
        ann_once["id"],
        ann_monthly["id"],
        ben_once["id"],
    ]
    assert ids_of(listed(clickfunnels, path, order_type="subscription")) == [ann_monthly["id"]]
    assert ids_of(listed(clickfunnels, path, order_type="one-time-order")) == [ann_once["id"], ben_once["id"]]
    assert ids_of(listed(clickfunnels, path, order_type="one-time-order", contact_id=str(ben["id"]))) == [ben_once["id"]]
    assert listed(clickfunnels, path, order_type="subscription", contact_id=str(ben["id"])) == []
    assert ids_of(listed(clickfunnels, path, id=joined(ann_once["id"], ben_once["id"]))) == [ann_once["id"], ben_once["id"]]


def test_fulfillment_filters(account: Account, clickfunnels: ApiSession, workspace_id: int) -> None:
    path = f"/api/v2/workspaces/{workspace_id}/fulfillments"
    product = create_product(clickfunnels, workspace_id, "Mug")
    buyers = [create_contact(clickfunnels, workspace_id, f"{name}@example.com") for name in ("cat", "dan")]
    fulfillments = []
    for buyer in buyers:
        order = admin(account, "orders", contact_id=buyer["id"], line_items=[{"product_id": product["id"], "quantity": 2}])
        parts = [{"invoices_line_item_id": order["line_items"][0]["id"], "quantity": 1}]
        for _ in range(2):
            body = {"fulfillment": {"contact_id": buyer["id"], "included_orders_invoices_line_items_attributes": parts}}
            fulfillments.append(created(clickfunnels.post(path, json=body)))
    cancelled = fulfillments[1]
    assert clickfunnels.post(f"/api/v2/fulfillments/{cancelled['id']}/cancel").status_code == 200
    everyone = ids_of(fulfillments)

    assert ids_of(listed(clickfunnels, path, status="cancelled")) == [cancelled["id"]]
    assert ids_of(listed(clickfunnels, path, status="fulfilled")) == [i for i in everyone if i != cancelled["id"]]
    assert ids_of(listed(clickfunnels, path, status="fulfilled,cancelled")) == everyone
    assert ids_of(listed(clickfunnels, path, contact_id=str(buyers[1]["id"]))) == everyone[2:]
    assert ids_of(listed(clickfunnels, path, contact_id=str(buyers[0]["id"]), status="fulfilled")) == [everyone[0]]


# -- enrollments and submissions --------------------------------------------------------------------
def test_enrollment_filter_by_contact(account: Account, clickfunnels: ApiSession, workspace_id: int) -> None:
    course = admin(account, "courses", title="Academy")
    path = f"/api/v2/courses/{course['id']}/enrollments"
    students = [create_contact(clickfunnels, workspace_id, f"student{n}@example.com") for n in range(3)]
    enrollments = [created(clickfunnels.post(path, json={"courses_enrollment": {"contact_id": s["id"]}})) for s in students]

    found = listed(clickfunnels, path, contact_id=joined(students[0]["id"], students[2]["id"]))
    assert ids_of(found) == [enrollments[0]["id"], enrollments[2]["id"]]
    assert [record["contact_id"] for record in found] == [students[0]["id"], students[2]["id"]]
    assert ids_of(listed(clickfunnels, path, id=str(enrollments[1]["id"]))) == [enrollments[1]["id"]]
    assert listed(clickfunnels, path, contact_id=str(students[1]["id"]), id=str(enrollments[0]["id"])) == []


def test_submission_filter_by_contact(account: Account, clickfunnels: ApiSession) -> None:
    form = admin(account, "forms", name="Webinar")
    submit = f"forms/{form['id']}/submissions"
    eve = admin(account, submit, data={"email_address": "eve@example.com", "first_name": "Eve"})
    anonymous = admin(account, submit, data={"first_name": "Nobody"})
    fay = admin(account, submit, data={"email_address": "fay@example.com"})
    eve_again = admin(account, submit, data={"email_address": "EVE@example.com"})
    assert eve["contact_id"] is not None and eve_again["contact_id"] == eve["contact_id"]
    assert anonymous["contact_id"] is None

    path = f"/api/v2/forms/{form['id']}/submissions"
    assert ids_of(listed(clickfunnels, path, contact_id=str(eve["contact_id"]))) == [eve["id"], eve_again["id"]]
    assert ids_of(listed(clickfunnels, path, contact_id=joined(fay["contact_id"], eve["contact_id"]))) == [
        eve["id"],
        fay["id"],
        eve_again["id"],
    ]
    assert ids_of(listed(clickfunnels, path, id=str(anonymous["id"]))) == [anonymous["id"]]


# -- what may not be filtered, and nothing found ------------------------------------------------------
def demo_path(path: str) -> str:
    """The path on the demo account, where every record a list hangs off has id 1."""
    return re.sub(r"\{[a-z_]+\}", "1", path)


@pytest.mark.parametrize(("operation_id", "path", "attributes"), FILTERABLE, ids=[case[0] for case in FILTERABLE])
def test_unknown_filter_attribute_is_400(
    clickfunnels_demo: ApiSession, operation_id: str, path: str, attributes: list[str]
) -> None:
    assert "name" not in attributes
    assert clickfunnels_demo.get(demo_path(path)).status_code == 200, operation_id
    assert_unpermitted(clickfunnels_demo.get(demo_path(path), params={"filter[name]": "x"}), "name")


@pytest.mark.parametrize(("operation_id", "path", "attributes"), FILTERABLE, ids=[case[0] for case in FILTERABLE])
def test_unknown_filter_attribute_beside_a_known_one_is_400(
    clickfunnels_demo: ApiSession, operation_id: str, path: str, attributes: list[str]
) -> None:
    params = {f"filter[{attributes[0]}]": "1", "filter[secret_sauce]": "yes"}
    assert_unpermitted(clickfunnels_demo.get(demo_path(path), params=params), "secret_sauce")


@pytest.mark.parametrize(("operation_id", "path", "attributes"), FILTERABLE, ids=[case[0] for case in FILTERABLE])
def test_every_declared_filter_attribute_is_accepted(
    clickfunnels_demo: ApiSession, operation_id: str, path: str, attributes: list[str]
) -> None:
    for attribute in attributes:
        response = clickfunnels_demo.get(demo_path(path), params={f"filter[{attribute}]": "987654321"})
        assert response.status_code == 200, f"{operation_id} filter[{attribute}]: {response.text}"
        assert response.json() == []


def test_contacts_cannot_be_filtered_by_a_contact_attribute_the_spec_does_not_list(
    clickfunnels: ApiSession, workspace_id: int
) -> None:
    create_contact(clickfunnels, workspace_id, "gil@example.com", first_name="Gil")
    response = clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/contacts", params={"filter[first_name]": "Gil"})
    assert_unpermitted(response, "first_name")


def test_empty_result_is_an_empty_array_without_pagination_headers(clickfunnels_demo: ApiSession) -> None:
    """The demo workspace has more than 20 contacts, so an unfiltered first page carries
    the headers; a filter that matches nothing answers [] and no headers."""
    path = "/api/v2/workspaces/1/contacts"
    assert "Pagination-Next" in clickfunnels_demo.get(path).headers
    response = clickfunnels_demo.get(path, params={"filter[email_address]": "nobody@nowhere.example.com"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.content.strip() == b"[]"
    assert "Pagination-Next" not in response.headers
    assert "Link" not in response.headers


def test_filter_matching_fewer_than_a_page_has_no_pagination_headers(clickfunnels_demo: ApiSession) -> None:
    path = "/api/v2/workspaces/1/contacts"
    first_page = clickfunnels_demo.get(path).json()
    wanted = [contact["id"] for contact in first_page[:5]]
    response = clickfunnels_demo.get(path, params={"filter[id]": joined(*wanted)})
    assert ids_of(response.json()) == wanted
    assert "Pagination-Next" not in response.headers and "Link" not in response.headers
