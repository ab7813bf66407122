"""ClickFunnels contact tags changed and deleted, an applied tag read, a contact redacted
(GDPR), and PATCH where PUT updates."""

from __future__ import annotations

import pytest

from mockserver.testing import Account, ApiSession
from tests.providers.clickfunnels.helpers import (
    assert_invalid,
    assert_not_found,
    create_contact,
    create_product,
    create_tag,
    events_of_last_request,
)
from tests.support import ok


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_tag_is_renamed_and_recoloured(clickfunnels: ApiSession, workspace_id: int, method: str) -> None:
    tag = create_tag(clickfunnels, workspace_id, "Lead", "#000000")
    contact = create_contact(clickfunnels, workspace_id, "tagged@example.com", tag_ids=[tag["id"]])

    changed = ok(
        clickfunnels.request(
            method, f"/api/v2/contacts/tags/{tag['id']}", json={"contacts_tag": {"name": "Prospect", "color": "#ffffff"}}
        )
    )

    assert (changed["name"], changed["color"]) == ("Prospect", "#ffffff")
    assert ok(clickfunnels.get(f"/api/v2/contacts/tags/{tag['public_id']}")) == changed
    (carried,) = ok(clickfunnels.get(f"/api/v2/contacts/{contact['id']}"))["tags"]
    assert carried["name"] == "Prospect"


def test_a_tag_cannot_take_another_tags_name(clickfunnels: ApiSession, workspace_id: int) -> None:
    create_tag(clickfunnels, workspace_id, "Lead")
    tag = create_tag(clickfunnels, workspace_id, "Customer")

    response = clickfunnels.put(f"/api/v2/contacts/tags/{tag['id']}", json={"contacts_tag": {"name": "LEAD"}})

    assert_invalid(response, "name", "has already been taken")
    # Its own name again (in another case) is no conflict.
    assert (
        ok(clickfunnels.put(f"/api/v2/contacts/tags/{tag['id']}", json={"contacts_tag": {"name": "customer"}}))["name"]
        == "customer"
    )


def test_a_deleted_tag_leaves_every_contact(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    tag = create_tag(clickfunnels, workspace_id, "Webinar")
    kept = create_tag(clickfunnels, workspace_id, "Customer")
    first = create_contact(clickfunnels, workspace_id, "a@example.com", tag_ids=[tag["id"], kept["id"]])
    second = create_contact(clickfunnels, workspace_id, "b@example.com", tag_ids=[tag["id"]])

    response = clickfunnels.delete(f"/api/v2/contacts/tags/{tag['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert events_of_last_request(account) == ["contact/applied_tag.deleted", "contact/applied_tag.deleted"]
    assert_not_found(clickfunnels.get(f"/api/v2/contacts/tags/{tag['id']}"))
    assert [t["id"] for t in ok(clickfunnels.get(f"/api/v2/contacts/{first['id']}"))["tags"]] == [kept["id"]]
    assert ok(clickfunnels.get(f"/api/v2/contacts/{second['id']}"))["tags"] == []
    assert [t["id"] for t in ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/contacts/tags"))] == [kept["id"]]


def test_an_unknown_tag_is_404_on_update_and_delete(clickfunnels: ApiSession) -> None:
    assert_not_found(clickfunnels.patch("/api/v2/contacts/tags/424242", json={"contacts_tag": {"name": "X"}}))
    assert_not_found(clickfunnels.delete("/api/v2/contacts/tags/424242"))


def test_an_applied_tag_is_read_by_id_and_public_id(clickfunnels: ApiSession, workspace_id: int) -> None:
    tag = create_tag(clickfunnels, workspace_id, "VIP")
    contact = create_contact(clickfunnels, workspace_id, "vip@example.com", tag_ids=[tag["id"]])
    (applied,) = ok(clickfunnels.get(f"/api/v2/contacts/{contact['id']}/applied_tags"))

    assert ok(clickfunnels.get(f"/api/v2/contacts/applied_tags/{applied['id']}")) == applied
    assert ok(clickfunnels.get(f"/api/v2/contacts/applied_tags/{applied['public_id']}")) == applied
    assert clickfunnels.delete(f"/api/v2/contacts/applied_tags/{applied['id']}").status_code == 204
    assert_not_found(clickfunnels.get(f"/api/v2/contacts/applied_tags/{applied['id']}"))


def test_a_redacted_contact_keeps_nothing_personal(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    tag = create_tag(clickfunnels, workspace_id, "Lead")
    contact = create_contact(
        clickfunnels,
        workspace_id,
        "private@example.com",
        first_name="Pat",
        phone_number="+1 555 0100",
        tag_ids=[tag["id"]],
        custom_attributes={"Source": "Ads"},
    )

    response = clickfunnels.delete(f"/api/v2/contacts/{contact['id']}/gdpr_destroy")

    assert response.status_code == 200, response.text
    assert response.content == b""
    assert events_of_last_request(account) == ["contact.updated"]
    redacted = ok(clickfunnels.get(f"/api/v2/contacts/{contact['id']}"))
    assert (redacted["email_address"], redacted["first_name"], redacted["phone_number"]) == (None, None, None)
    assert redacted["custom_attributes"] == {}
    assert [t["id"] for t in redacted["tags"]] == [tag["id"]]
    # The address is free again in the workspace.
    assert create_contact(clickfunnels, workspace_id, "private@example.com")["id"] != contact["id"]


def test_redacting_an_unknown_contact_is_404(clickfunnels: ApiSession) -> None:
    assert_not_found(clickfunnels.delete("/api/v2/contacts/424242/gdpr_destroy"))


def test_a_product_is_updated_by_patch(clickfunnels: ApiSession, workspace_id: int) -> None:
    product = create_product(clickfunnels, workspace_id, "Mug")

    changed = ok(clickfunnels.patch(f"/api/v2/products/{product['id']}", json={"product": {"seo_title": "Best mug"}}))

    assert (changed["seo_title"], changed["name"]) == ("Best mug", "Mug")
