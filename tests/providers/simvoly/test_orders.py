"""Simvoly orders over HTTP: placed through the admin API (as a visitor's checkout),
then listed, read and updated through the API (status, payment, fulfillment, e-mails)."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.testing import Account, ApiSession
from tests.providers.simvoly.helpers import emails, refused
from tests.support import ok, trigger_response

ORDER_KEYS = {
    "id",
    "invoiceNo",
    "created",
    "customerName",
    "customerEmail",
    "contactId",
    "memberId",
    "shippingAddress",
    "billingAddress",
    "shippingRequired",
    "weight",
    "weightUnit",
    "subTotal",
    "total",
    "discountCode",
    "discountType",
    "discountAmount",
    "shippingName",
    "shippingAmount",
    "paid",
    "paymentMethod",
    "transactionId",
    "status",
    "taxes",
    "items",
    "tags",
    "additionalFields",
    "notes",
}
ITEM_KEYS = {
    "id",
    "name",
    "url",
    "productId",
    "type",
    "sku",
    "quantity",
    "total",
    "weight",
    "width",
    "height",
    "length",
    "shippingRequired",
    "variation",
    "additions",
}
ADDRESS = {"name": "Ada Buyer", "country": "GB", "city": "London", "zipCode": "N1 9GU", "address": "1 King's Cross"}


def product(client: ApiSession, title: str, kind: str = "physical", **variant: Any) -> dict[str, Any]:
    body = {"type": kind, "title": title, "variants": [{"price": 10, "quantity": 100, "weight": 0.5, **variant}]}
    return dict(ok(client.post("/api/site/products", json=body), 201))


def place(account: Account, email: str, items: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return dict(ok(trigger_response(account, "orders", customerEmail=email, items=items, **fields), 201))


def get(client: ApiSession, order_id: int) -> dict[str, Any]:
    return dict(ok(client.get(f"/api/site/orders/{order_id}")))


def update(client: ApiSession, order_id: int, **fields: Any) -> dict[str, Any]:
    return dict(ok(client.put(f"/api/site/orders/{order_id}", json=fields)))


@pytest.fixture
def shoes(simvoly: ApiSession) -> dict[str, Any]:
    return product(simvoly, "Shoes", price=40)


@pytest.fixture
def ebook(simvoly: ApiSession) -> dict[str, Any]:
    return product(simvoly, "E-book", kind="digital", price=15, weight=0)


# -- placing an order ------------------------------------------------------------------
def test_an_order_totals_price_times_quantity_using_sale_prices(
    simvoly: ApiSession, account: Account, shoes: dict[str, Any]
) -> None:
    jacket = product(simvoly, "Jacket", price=100, onSale=True, regularPrice=100, salePrice=80)

    order = place(
        account,
        "buyer@example.com",
        [{"productId": shoes["id"], "quantity": 2}, {"productId": jacket["id"], "quantity": 3}],
    )

    assert set(order) == ORDER_KEYS
    assert order["subTotal"] == 40 * 2 + 80 * 3
    assert order["total"] == 40 * 2 + 80 * 3
    assert [i["total"] for i in order["items"]] == [80, 240]
    assert [i["quantity"] for i in order["items"]] == [2, 3]
    assert [i["productId"] for i in order["items"]] == [shoes["id"], jacket["id"]]
    assert all(set(i) == ITEM_KEYS for i in order["items"])
    assert order["status"] == "pending"
    assert order["customerEmail"] == "buyer@example.com"
    assert get(simvoly, order["id"]) == order


def test_the_quantity_defaults_to_one(simvoly: ApiSession, account: Account, shoes: dict[str, Any]) -> None:
    order = place(account, "one@example.com", [{"productId": shoes["id"]}])

    assert order["items"][0]["quantity"] == 1
    assert order["total"] == 40


def test_shipping_is_required_only_for_physical_items(
    simvoly: ApiSession, account: Account, shoes: dict[str, Any], ebook: dict[str, Any]
) -> None:
    digital_only = place(account, "reader@example.com", [{"productId": ebook["id"]}])
    mixed = place(account, "mixed@example.com", [{"productId": ebook["id"]}, {"productId": shoes["id"]}])

    assert digital_only["shippingRequired"] is False
    assert [i["shippingRequired"] for i in digital_only["items"]] == [False]
    assert mixed["shippingRequired"] is True
    assert [(i["type"], i["shippingRequired"]) for i in mixed["items"]] == [("digital", False), ("physical", True)]


def test_an_order_creates_the_buyers_contact(simvoly: ApiSession, account: Account, shoes: dict[str, Any]) -> None:
    order = place(account, "new.buyer@example.com", [{"productId": shoes["id"]}], customerName="New Buyer")

    contact = ok(simvoly.get("/api/site/contacts/search-by-email", params={"email": "new.buyer@example.com"}))
    assert order["contactId"] == contact["id"]
    assert order["memberId"] is None
    assert order["customerName"] == "New Buyer"


def test_an_order_by_a_member_names_the_member_and_its_contact(
    simvoly: ApiSession, account: Account, shoes: dict[str, Any]
) -> None:
    member = ok(
        simvoly.post("/api/site/members", json={"name": "Mem Ber", "email": "member@example.com", "password": "pw-pw-pw"}), 201
    )

    order = place(account, "member@example.com", [{"productId": shoes["id"]}])

    assert order["memberId"] == member["id"]
    assert order["contactId"] == member["contactId"]


def test_an_order_by_an_existing_contact_reuses_it(simvoly: ApiSession, account: Account, shoes: dict[str, Any]) -> None:
    contact = ok(simvoly.post("/api/site/contacts", json={"email": "Known@example.com"}), 201)

    order = place(account, "known@example.com", [{"productId": shoes["id"]}])

    assert order["contactId"] == contact["id"]
    assert ok(simvoly.get("/api/site/contacts"))["totalCount"] == 1


# -- list and get ----------------------------------------------------------------------
def test_list_is_an_offset_page_in_creation_order(simvoly: ApiSession, account: Account, shoes: dict[str, Any]) -> None:
    made = [place(account, f"o{n}@example.com", [{"productId": shoes["id"]}])["id"] for n in range(3)]

    page = ok(simvoly.get("/api/site/orders"))

    assert page["totalCount"] == 3
    assert page["limit"] == 30
    assert page["skip"] == 0
    assert [o["id"] for o in page["items"]] == made
    assert all(set(o) == ORDER_KEYS for o in page["items"])


def test_list_created_at_bounds_are_inclusive(simvoly: ApiSession, account: Account, shoes: dict[str, Any], clock: int) -> None:
    made = []
    for n in range(4):
        order = place(account, f"dated{n}@example.com", [{"productId": shoes["id"]}])
        assert order["created"] == clock + 60 * n
        made.append(order["id"])
        account.advance_clock(60)

    def ids(**params: int) -> list[int]:
        page = ok(simvoly.get("/api/site/orders", params=params))
        assert page["totalCount"] == len(page["items"])
        return [o["id"] for o in page["items"]]

    assert ids(created_at_min=clock + 60) == made[1:]
    assert ids(created_at_max=clock + 120) == made[:3]
    assert ids(created_at_min=clock + 60, created_at_max=clock + 120) == made[1:3]
    assert ids(created_at_min=clock + 120, created_at_max=clock + 120) == [made[2]]
    assert ids(created_at_min=clock + 61, created_at_max=clock + 119) == []


def test_an_unknown_order_answers_404(simvoly: ApiSession, account: Account, shoes: dict[str, Any]) -> None:
    order = place(account, "only@example.com", [{"productId": shoes["id"]}])

    refused(simvoly.get(f"/api/site/orders/{order['id'] + 1}"), 404)
    refused(simvoly.put(f"/api/site/orders/{order['id'] + 1}", json={"status": "SHIPPED"}), 404)


# -- update ----------------------------------------------------------------------------
@pytest.fixture
def order(account: Account, shoes: dict[str, Any]) -> dict[str, Any]:
    return place(account, "customer@example.com", [{"productId": shoes["id"], "quantity": 1}], customerName="Cus Tomer")


def test_status_is_set_in_upper_case_and_returned_in_lower_case(simvoly: ApiSession, order: dict[str, Any]) -> None:
    shipped = update(simvoly, order["id"], status="SHIPPED")

    assert shipped["status"] == "shipped"
    assert get(simvoly, order["id"])["status"] == "shipped"
    assert update(simvoly, order["id"], status="CANCELED")["status"] == "canceled"


def test_a_lower_case_status_is_refused_with_400(simvoly: ApiSession, order: dict[str, Any]) -> None:
    refused(simvoly.put(f"/api/site/orders/{order['id']}", json={"status": "shipped"}))

    assert get(simvoly, order["id"]) == order


def test_put_sets_payment_fields_and_addresses(simvoly: ApiSession, order: dict[str, Any]) -> None:
    updated = update(
        simvoly,
        order["id"],
        paid=False,
        paymentMethod="bank-transfer",
        transactionId="TX-778899",
        billingAddress=ADDRESS,
        shippingAddress={**ADDRESS, "city": "Leeds"},
    )

    assert updated["paid"] is False
    assert updated["paymentMethod"] == "bank-transfer"
    assert updated["transactionId"] == "TX-778899"
    assert updated["billingAddress"]["city"] == "London"
    assert updated["billingAddress"]["zipCode"] == "N1 9GU"
    assert updated["shippingAddress"]["city"] == "Leeds"
    assert updated["status"] == order["status"]
    assert updated["total"] == order["total"]
    assert get(simvoly, order["id"]) == updated

    assert update(simvoly, order["id"], paid=True)["paid"] is True


def test_put_sets_only_non_empty_fields(simvoly: ApiSession, order: dict[str, Any]) -> None:
    updated = update(simvoly, order["id"], customerName="", paymentMethod="", transactionId="TX-1")

    assert updated["customerName"] == order["customerName"]
    assert updated["paymentMethod"] == order["paymentMethod"]
    assert updated["transactionId"] == "TX-1"


def test_a_fulfillment_is_recorded_as_a_note_with_courier_and_tracking(
    simvoly: ApiSession, order: dict[str, Any], clock: int
) -> None:
    assert order["notes"] == []

    updated = update(
        simvoly,
        order["id"],
        status="SHIPPED",
        fulfillment={"courier": "UPS", "trackingNo": "1Z999AA10123456784", "trackingUrl": "https://ups.example/t/1Z9"},
    )

    assert len(updated["notes"]) == 1
    note = updated["notes"][0]
    assert "UPS" in note["value"]
    assert "1Z999AA10123456784" in note["value"]
    assert note["time"] == clock
    assert get(simvoly, order["id"])["notes"] == updated["notes"]


def test_fulfillment_without_notify_sends_no_email(simvoly: ApiSession, account: Account, order: dict[str, Any]) -> None:
    update(simvoly, order["id"], status="SHIPPED", fulfillment={"courier": "DHL", "trackingNo": "JD0001"})

    assert emails(account) == []


def test_notify_customer_emails_the_customer(simvoly: ApiSession, account: Account, order: dict[str, Any]) -> None:
    update(
        simvoly, order["id"], status="SHIPPED", fulfillment={"courier": "UPS", "trackingNo": "123456789ABC"}, notifyCustomer=True
    )

    sent = emails(account)
    assert len(sent) == 1
    assert sent[0]["to"] == "customer@example.com"
    assert sent[0]["subject"]
    assert sent[0]["text"]


def test_notify_customer_on_a_status_change_alone_emails_the_customer(
    simvoly: ApiSession, account: Account, order: dict[str, Any]
) -> None:
    update(simvoly, order["id"], status="CANCELED", notifyCustomer=True)

    assert [e["to"] for e in emails(account)] == ["customer@example.com"]


def test_completing_an_order_with_a_digital_product_emails_access(
    simvoly: ApiSession, account: Account, ebook: dict[str, Any]
) -> None:
    digital = place(account, "reader@example.com", [{"productId": ebook["id"]}])

    assert update(simvoly, digital["id"], status="COMPLETED")["status"] == "completed"

    sent = emails(account)
    assert [e["to"] for e in sent] == ["reader@example.com"]
    # Completing it again sends nothing more.
    update(simvoly, digital["id"], status="COMPLETED")
    assert len(emails(account)) == 1


def test_completing_an_order_of_physical_products_alone_sends_no_email(
    simvoly: ApiSession, account: Account, order: dict[str, Any]
) -> None:
    assert update(simvoly, order["id"], status="COMPLETED")["status"] == "completed"

    assert emails(account) == []
