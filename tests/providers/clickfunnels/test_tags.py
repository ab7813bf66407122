"""ClickFunnels contact tags and tags applied to contacts, over HTTP."""

from __future__ import annotations

from typing import Any

import requests

from mockserver.testing import Account, ApiSession
from tests.providers.clickfunnels.helpers import (
    PUBLIC_ID,
    TIMESTAMP,
    assert_not_found,
    create_contact,
    create_tag,
)
from tests.support import ok, trigger_response

TAG_KEYS = {"id", "public_id", "workspace_id", "name", "color", "created_at", "updated_at"}
APPLIED_KEYS = {"id", "public_id", "contact_id", "tag_id", "created_at", "updated_at"}


def apply(client: ApiSession, contact_ref: int | str, tag_id: int) -> requests.Response:
    return client.post(f"/api/v2/contacts/{contact_ref}/applied_tags", json={"contacts_applied_tag": {"tag_id": tag_id}})


def carried(client: ApiSession, contact_id: int) -> list[int]:
    return [tag["id"] for tag in ok(client.get(f"/api/v2/contacts/{contact_id}"))["tags"]]


def applied_tag_ids(client: ApiSession, contact_id: int, **params: Any) -> list[int]:
    return [a["tag_id"] for a in ok(client.get(f"/api/v2/contacts/{contact_id}/applied_tags", params=params))]


def assert_422(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert set(body) == {"error", "errors"}
    assert isinstance(body["error"], str) and body["error"]
    return dict(body)


# -- contact tags ----------------------------------------------------------------------
def test_create_returns_201_with_the_tag(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.post(
        f"/api/v2/workspaces/{workspace_id}/contacts/tags", json={"contacts_tag": {"name": "VIP", "color": "#ff9900"}}
    )

    assert response.status_code == 201, response.text
    tag = response.json()
    assert set(tag) == TAG_KEYS
    assert tag["name"] == "VIP"
    assert tag["color"] == "#ff9900"
    assert tag["workspace_id"] == workspace_id
    assert isinstance(tag["id"], int) and tag["id"] >= 1
    assert PUBLIC_ID.match(tag["public_id"])
    assert TIMESTAMP.match(tag["created_at"]) and tag["updated_at"] == tag["created_at"]


def test_color_is_optional(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/contacts/tags", json={"contacts_tag": {"name": "Plain"}})

    assert ok(response, 201)["color"] is None


def test_a_duplicate_name_is_422_name_has_already_been_taken(clickfunnels: ApiSession, workspace_id: int) -> None:
    first = create_tag(clickfunnels, workspace_id, "Customer")

    response = clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/contacts/tags", json={"contacts_tag": {"name": "Customer"}})

    body = assert_422(response)
    assert body["error"] == "Name has already been taken"
    assert body["errors"] == {"name": ["has already been taken"]}
    assert [t["id"] for t in ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/contacts/tags"))] == [first["id"]]


def test_the_same_name_is_allowed_in_another_workspace(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    created = trigger_response(account, "workspaces", name="Other")
    assert created.status_code == 201, created.text
    other = created.json()["id"]
    create_tag(clickfunnels, workspace_id, "Lead")

    tag = create_tag(clickfunnels, other, "Lead")

    assert tag["workspace_id"] == other


def test_a_blank_name_is_422(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/contacts/tags", json={"contacts_tag": {"name": "   "}})

    body = assert_422(response)
    assert body["errors"] == {"name": ["can't be blank"]}


def test_create_without_the_wrapper_is_400(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/contacts/tags", json={"name": "Flat"})

    assert response.status_code == 400
    assert response.json() == {"error": "param is missing or the value is empty: contacts_tag"}


def test_list_returns_the_workspace_tags_ascending(clickfunnels: ApiSession, workspace_id: int) -> None:
    tags = [create_tag(clickfunnels, workspace_id, name) for name in ("Lead", "Customer", "Affiliate")]

    response = clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/contacts/tags")

    assert response.status_code == 200
    assert response.json() == tags


def test_a_new_workspace_has_no_tags(clickfunnels: ApiSession, workspace_id: int) -> None:
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/contacts/tags")) == []


def test_get_by_id_and_by_public_id(clickfunnels: ApiSession, workspace_id: int) -> None:
    tag = create_tag(clickfunnels, workspace_id, "Webinar", "#8b5cf6")

    assert ok(clickfunnels.get(f"/api/v2/contacts/tags/{tag['id']}")) == tag
    assert ok(clickfunnels.get(f"/api/v2/contacts/tags/{tag['public_id']}")) == tag


def test_an_unknown_tag_is_404(clickfunnels: ApiSession, workspace_id: int) -> None:
    tag = create_tag(clickfunnels, workspace_id, "Known")

    assert_not_found(clickfunnels.get(f"/api/v2/contacts/tags/{tag['id'] + 1000}"))
    assert_not_found(clickfunnels.get(f"/api/v2/contacts/tags/{tag['public_id'].swapcase()}"))


# -- applied tags ----------------------------------------------------------------------
def test_apply_returns_201_and_the_contact_carries_the_tag(clickfunnels: ApiSession, workspace_id: int) -> None:
    tag = create_tag(clickfunnels, workspace_id, "Lead", "#3b82f6")
    contact = create_contact(clickfunnels, workspace_id, "apply@example.com")

    response = apply(clickfunnels, contact["id"], tag["id"])

    assert response.status_code == 201, response.text
    applied = response.json()
    assert set(applied) == APPLIED_KEYS
    assert applied["contact_id"] == contact["id"]
    assert applied["tag_id"] == tag["id"]
    assert PUBLIC_ID.match(applied["public_id"])
    assert TIMESTAMP.match(applied["created_at"])
    shown = ok(clickfunnels.get(f"/api/v2/contacts/{contact['id']}"))["tags"]
    assert len(shown) == 1
    assert {k: shown[0][k] for k in ("id", "public_id", "name", "color")} == {
        "id": tag["id"],
        "public_id": tag["public_id"],
        "name": "Lead",
        "color": "#3b82f6",
    }
    assert shown[0]["applied_at"] == applied["created_at"]


def test_apply_by_the_contacts_public_id(clickfunnels: ApiSession, workspace_id: int) -> None:
    tag = create_tag(clickfunnels, workspace_id, "Lead")
    contact = create_contact(clickfunnels, workspace_id, "pub@example.com")

    assert ok(apply(clickfunnels, contact["public_id"], tag["id"]), 201)["contact_id"] == contact["id"]
    assert carried(clickfunnels, contact["id"]) == [tag["id"]]


def test_list_applied_tags_of_a_contact_and_filter_by_tag_id(clickfunnels: ApiSession, workspace_id: int) -> None:
    lead, vip, other = (create_tag(clickfunnels, workspace_id, name) for name in ("Lead", "VIP", "Other"))
    contact = create_contact(clickfunnels, workspace_id, "list@example.com")
    bystander = create_contact(clickfunnels, workspace_id, "bystander@example.com")
    first = ok(apply(clickfunnels, contact["id"], lead["id"]), 201)
    second = ok(apply(clickfunnels, contact["id"], vip["id"]), 201)
    ok(apply(clickfunnels, bystander["id"], lead["id"]), 201)

    listed = ok(clickfunnels.get(f"/api/v2/contacts/{contact['id']}/applied_tags"))

    assert listed == [first, second]
    assert applied_tag_ids(clickfunnels, contact["id"], **{"filter[tag_id]": str(vip["id"])}) == [vip["id"]]
    assert applied_tag_ids(clickfunnels, contact["id"], **{"filter[tag_id]": f"{lead['id']},{vip['id']}"}) == [
        lead["id"],
        vip["id"],
    ]
    assert applied_tag_ids(clickfunnels, contact["id"], **{"filter[tag_id]": str(other["id"])}) == []
    assert applied_tag_ids(clickfunnels, bystander["id"]) == [lead["id"]]


def test_applied_tags_of_an_unknown_contact_is_404(clickfunnels: ApiSession, workspace_id: int) -> None:
    tag = create_tag(clickfunnels, workspace_id, "Lead")

    assert_not_found(clickfunnels.get("/api/v2/contacts/424242/applied_tags"))
    assert_not_found(apply(clickfunnels, 424242, tag["id"]))


def test_applying_a_tag_twice_is_422(clickfunnels: ApiSession, workspace_id: int) -> None:
    tag = create_tag(clickfunnels, workspace_id, "Lead")
    contact = create_contact(clickfunnels, workspace_id, "twice@example.com")
    ok(apply(clickfunnels, contact["id"], tag["id"]), 201)

    assert_422(apply(clickfunnels, contact["id"], tag["id"]))
    assert applied_tag_ids(clickfunnels, contact["id"]) == [tag["id"]]


def test_a_tag_of_another_workspace_is_422(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    created = trigger_response(account, "workspaces", name="Other")
    assert created.status_code == 201, created.text
    foreign = create_tag(clickfunnels, created.json()["id"], "Foreign")
    contact = create_contact(clickfunnels, workspace_id, "foreign@example.com")

    assert_422(apply(clickfunnels, contact["id"], foreign["id"]))
    assert applied_tag_ids(clickfunnels, contact["id"]) == []
    assert carried(clickfunnels, contact["id"]) == []


def test_an_unknown_tag_is_422(clickfunnels: ApiSession, workspace_id: int) -> None:
    contact = create_contact(clickfunnels, workspace_id, "unknown@example.com")

    assert_422(apply(clickfunnels, contact["id"], 987654))
    assert applied_tag_ids(clickfunnels, contact["id"]) == []


def test_apply_without_the_wrapper_is_400(clickfunnels: ApiSession, workspace_id: int) -> None:
    tag = create_tag(clickfunnels, workspace_id, "Lead")
    contact = create_contact(clickfunnels, workspace_id, "flat@example.com")

    response = clickfunnels.post(f"/api/v2/contacts/{contact['id']}/applied_tags", json={"tag_id": tag["id"]})

    assert response.status_code == 400
    assert response.json() == {"error": "param is missing or the value is empty: contacts_applied_tag"}


def test_delete_applied_tag_answers_204_and_the_contact_no_longer_carries_it(clickfunnels: ApiSession, workspace_id: int) -> None:
    lead, vip = (create_tag(clickfunnels, workspace_id, name) for name in ("Lead", "VIP"))
    contact = create_contact(clickfunnels, workspace_id, "untag@example.com")
    applied = ok(apply(clickfunnels, contact["id"], lead["id"]), 201)
    ok(apply(clickfunnels, contact["id"], vip["id"]), 201)

    response = clickfunnels.delete(f"/api/v2/contacts/applied_tags/{applied['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert carried(clickfunnels, contact["id"]) == [vip["id"]]
    assert applied_tag_ids(clickfunnels, contact["id"]) == [vip["id"]]
    contacts_with_lead = ok(
        clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/contacts", params={"filter[tag_ids]": lead["id"]})
    )
    assert contacts_with_lead == []
    assert_not_found(clickfunnels.delete(f"/api/v2/contacts/applied_tags/{applied['id']}"))
    # The tag itself stays, and can be applied again.
    assert ok(clickfunnels.get(f"/api/v2/contacts/tags/{lead['id']}")) == lead
    assert ok(apply(clickfunnels, contact["id"], lead["id"]), 201)["tag_id"] == lead["id"]


def test_delete_applied_tag_by_public_id(clickfunnels: ApiSession, workspace_id: int) -> None:
    tag = create_tag(clickfunnels, workspace_id, "Lead")
    contact = create_contact(clickfunnels, workspace_id, "pubdel@example.com")
    applied = ok(apply(clickfunnels, contact["id"], tag["id"]), 201)

    assert clickfunnels.delete(f"/api/v2/contacts/applied_tags/{applied['public_id']}").status_code == 204
    assert carried(clickfunnels, contact["id"]) == []
