"""What an account holds: a family it never uses (shipping, order tags...) costs it nothing,
reading one makes nothing, and a family once used is found again after a snapshot."""

from __future__ import annotations

from mockserver.testing import Account, ApiSession, Emulator
from tests.providers.clickfunnels.helpers import assert_not_found
from tests.support import created, ok

EAGER = {
    "teams",
    "workspaces",
    "users",
    "contacts",
    "tags",
    "applied_tags",
    "products",
    "orders",
    "line_items",
    "fulfillments",
    "courses",
    "enrollments",
    "forms",
    "submissions",
    "endpoints",
    "images",
}
LISTS = (
    "webhooks/outgoing/events",
    "products/tags",
    "orders/tags",
    "orders/invoices/restocks",
    "fulfillments/locations",
    "shipping/profiles",
    "shipping/rates/names",
    "shipping/packages",
)
RECORDS = (
    "/api/v2/webhooks/outgoing/events/Zzzzzzz",
    "/api/v2/courses/sections/1",
    "/api/v2/forms/fields/options/1",
    "/api/v2/orders/invoices/1",
    "/api/v2/shipping/zones/1",
    "/api/v2/shipping/location_groups/1/zones",
)


def tables(account: Account) -> set[str]:
    return set(account.describe()["records"])


def test_a_new_account_holds_only_the_tables_every_account_uses(account: Account, clickfunnels: ApiSession) -> None:
    clickfunnels.get("/api/v2/teams")
    assert tables(account) == EAGER


def test_reading_a_family_the_account_never_used_makes_nothing(
    account: Account, clickfunnels: ApiSession, workspace_id: int
) -> None:
    for path in LISTS:
        assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/{path}")) == [], path
    for path in RECORDS:
        assert_not_found(clickfunnels.get(path))
    assert_not_found(clickfunnels.put("/api/v2/shipping/packages/1", json={"shipping_package": {"name": "X"}}))
    assert tables(account) == EAGER


def test_a_family_once_used_is_found_again_after_a_snapshot(
    mockserver: Emulator, account: Account, clickfunnels: ApiSession, workspace_id: int
) -> None:
    tag = created(clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/products/tags", json={"products_tag": {"name": "Sale"}}))
    assert tables(account) == EAGER | {"product_tags"}

    twin = mockserver.account("clickfunnels")
    twin.restore(account.snapshot())
    copy = twin.session()

    assert ok(copy.get(f"/api/v2/products/tags/{tag['public_id']}")) == tag
    second = created(copy.post(f"/api/v2/workspaces/{workspace_id}/products/tags", json={"products_tag": {"name": "New"}}))
    assert second["id"] == tag["id"] + 1
    listed = ok(copy.get(f"/api/v2/workspaces/{workspace_id}/products/tags", params={"sort_property": "updated_at"}))
    assert [t["id"] for t in listed] == [tag["id"], second["id"]]
