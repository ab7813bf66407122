"""The demo website (key "demo") and the Simvoly admin actions.

Demo: 3 subscriber lists, 2 member groups, 5 categories in a tree, 7 products, 45+
contacts plus those made by members, orders, forms and bookings, 8 members (the 8th not
approved; odd ones have a password, even ones got a password-reset e-mail), 14 orders, 10
form submissions, 6 bookings - all consistent with each other, and the same for the same
seed. Admin actions refuse bad input with a 4xx (never a 5xx) and leave nothing half made.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from mockserver.testing import Account, ApiSession, Emulator, WebhookReceiver
from tests.providers.simvoly.helpers import EVENTS, client_for, emails
from tests.support import admin_response, trigger_response

EMAIL_FIELDS = {"to", "subject", "text", "kind", "sentAt"}


def every_record(client: ApiSession, path: str, **params: Any) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    while True:
        response = client.get(path, params={**params, "limit": 50, "skip": len(records)})
        assert response.status_code == 200, response.text
        page = response.json()
        records += page["items"]
        if len(page["items"]) < 50:
            assert page["totalCount"] == len(records)
            return records


def seed(account: Account, value: int) -> ApiSession:
    account.seed(value)
    return account.session()


def by_email(records: list[dict[str, Any]], name: str = "email") -> dict[str, dict[str, Any]]:
    return {r[name].casefold(): r for r in records}


def submission_email(submission: dict[str, Any]) -> str | None:
    return next((f["value"] for f in submission["fields"] if f["name"].lower() in ("email", "e-mail") and f["value"]), None)


# -- the demo website's contents ---------------------------------------------------------------------
def test_demo_has_three_subscriber_lists(simvoly_demo: ApiSession) -> None:
    lists = every_record(simvoly_demo, "/api/site/subscriber-lists")
    assert len(lists) == 3
    assert len({sl["name"] for sl in lists}) == 3


def test_demo_has_the_two_member_groups(simvoly_demo: ApiSession) -> None:
    groups = every_record(simvoly_demo, "/api/site/member-groups")
    assert [(g["id"], g["name"]) for g in groups] == [(1, "Basic Members"), (2, "Premium Members")]


def test_demo_has_the_category_tree(simvoly_demo: ApiSession) -> None:
    categories = simvoly_demo.get("/api/site/products/categories").json()
    assert [(c["id"], c["name"], c["parentCategory"]) for c in categories] == [
        (1, "Clothing", 0),
        (2, "Shoes", 1),
        (3, "T-Shirts", 1),
        (4, "Courses", 0),
        (5, "Gift cards", 0),
    ]
    top = simvoly_demo.get("/api/site/products/categories", params={"parent": 0}).json()
    assert [c["name"] for c in top] == ["Clothing", "Courses", "Gift cards"]
    assert [c["name"] for c in simvoly_demo.get("/api/site/products/categories", params={"parent": 1}).json()] == [
        "Shoes",
        "T-Shirts",
    ]


def test_demo_counts(simvoly_demo: ApiSession) -> None:
    counts = {path: simvoly_demo.get(f"/api/site/{path}").json()["totalCount"] for path in ("products", "members", "orders")}
    counts["form-submissions"] = simvoly_demo.get("/api/site/form-submissions").json()["totalCount"]
    counts["bookings"] = simvoly_demo.get("/api/site/bookings").json()["totalCount"]
    assert counts == {"products": 7, "members": 8, "orders": 14, "form-submissions": 10, "bookings": 6}


def test_demo_has_45_contacts_besides_those_members_forms_and_bookings_made(simvoly_demo: ApiSession) -> None:
    contacts = by_email(every_record(simvoly_demo, "/api/site/contacts"))
    made = {m["email"].casefold() for m in every_record(simvoly_demo, "/api/site/members")}
    made |= {str(submission_email(s)).casefold() for s in every_record(simvoly_demo, "/api/site/form-submissions")}
    made |= {b["email"].casefold() for b in every_record(simvoly_demo, "/api/site/bookings")}
    assert made <= set(contacts), made - set(contacts)
    assert len(set(contacts) - made) >= 45


def test_demo_has_eight_members_the_eighth_not_approved(simvoly_demo: ApiSession) -> None:
    members = every_record(simvoly_demo, "/api/site/members")
    assert [m["approved"] for m in members] == [True] * 7 + [False]


def test_demo_members_are_in_groups_that_exist(simvoly_demo: ApiSession) -> None:
    groups = {g["id"] for g in every_record(simvoly_demo, "/api/site/member-groups")}
    members = every_record(simvoly_demo, "/api/site/members")
    assert all(m["groups"] and set(m["groups"]) <= groups for m in members), members


# -- consistency ---------------------------------------------------------------------------------
def test_every_demo_order_belongs_to_a_contact_that_exists(simvoly_demo: ApiSession) -> None:
    contacts = {c["id"]: c for c in every_record(simvoly_demo, "/api/site/contacts")}
    members = by_email(every_record(simvoly_demo, "/api/site/members"))
    for order in every_record(simvoly_demo, "/api/site/orders"):
        contact = contacts.get(order["contactId"])
        assert contact is not None, f"order {order['id']}: contact {order['contactId']} does not exist"
        assert contact["email"].casefold() == order["customerEmail"].casefold()
        member = members.get(order["customerEmail"].casefold())
        assert order["memberId"] == (member["id"] if member else None), order["id"]


def test_every_demo_order_item_is_a_demo_product(simvoly_demo: ApiSession) -> None:
    products = {p["id"]: p for p in every_record(simvoly_demo, "/api/site/products")}
    for order in every_record(simvoly_demo, "/api/site/orders"):
        assert order["items"], order["id"]
        for item in order["items"]:
            product = products[item["productId"]]
            assert (item["name"], item["type"], item["url"]) == (product["title"], product["type"], product["url"])


def test_demo_members_and_their_contacts_point_at_each_other(simvoly_demo: ApiSession) -> None:
    members = every_record(simvoly_demo, "/api/site/members")
    for member in members:
        response = simvoly_demo.get(f"/api/site/contacts/{member['contactId']}")
        assert response.status_code == 200, f"member {member['id']}: contact {member['contactId']} does not exist"
        contact = response.json()
        assert contact["memberId"] == member["id"]
        assert contact["email"].casefold() == member["email"].casefold()
    linked = [c for c in every_record(simvoly_demo, "/api/site/contacts") if c["memberId"] is not None]
    assert sorted(c["memberId"] for c in linked) == sorted(m["id"] for m in members)


def test_demo_subscriber_counters_equal_the_subscribed_contacts(simvoly_demo: ApiSession) -> None:
    contacts = every_record(simvoly_demo, "/api/site/contacts")
    lists = every_record(simvoly_demo, "/api/site/subscriber-lists")
    for subscriber_list in lists:
        subscribed = [c for c in contacts if c["subscribed"] and subscriber_list["id"] in c["subscriberLists"]]
        assert subscriber_list["subscribers"] == len(subscribed), subscriber_list["name"]
        assert simvoly_demo.get(f"/api/site/subscriber-lists/{subscriber_list['id']}").json() == subscriber_list
    assert sum(sl["subscribers"] for sl in lists) > 0
    known = {sl["id"] for sl in lists}
    assert all(set(c["subscriberLists"]) <= known for c in contacts)


def test_demo_product_categories_exist(simvoly_demo: ApiSession) -> None:
    categories = {c["id"]: c for c in simvoly_demo.get("/api/site/products/categories").json()}
    products = every_record(simvoly_demo, "/api/site/products")
    for product in products:
        for category in product["categories"]:
            assert categories.get(category["id"]) == category, product["title"]
    assert all(c["parentCategory"] == 0 or c["parentCategory"] in categories for c in categories.values())
    assert any(p["categories"] for p in products), "no demo product has a category"


def test_demo_bookings_and_submissions_belong_to_contacts(simvoly_demo: ApiSession) -> None:
    contacts = {c["id"]: c for c in every_record(simvoly_demo, "/api/site/contacts")}
    emails_known = {c["email"].casefold() for c in contacts.values()}
    for booking in every_record(simvoly_demo, "/api/site/bookings"):
        assert contacts[booking["contactId"]]["email"].casefold() == booking["email"].casefold()
        assert booking["end"] >= booking["start"]
    for submission in every_record(simvoly_demo, "/api/site/form-submissions"):
        assert str(submission_email(submission)).casefold() in emails_known


# -- seeds ---------------------------------------------------------------------------------------
def test_the_same_seed_twice_gives_identical_contacts(account: Account) -> None:
    first = every_record(seed(account, 4242), "/api/site/contacts")
    second = every_record(seed(account, 4242), "/api/site/contacts")
    assert first == second
    assert len(first) > 45


def test_the_same_seed_on_two_keys_gives_identical_data(mockserver: Emulator) -> None:
    one, two = seed(mockserver.account("simvoly"), 77), seed(mockserver.account("simvoly"), 77)
    for path in ("/api/site/contacts", "/api/site/members", "/api/site/orders", "/api/site/bookings", "/api/site/products"):
        assert every_record(one, path) == every_record(two, path), path


def test_another_seed_gives_other_contacts(account: Account) -> None:
    first = every_record(seed(account, 1001), "/api/site/contacts")
    other = every_record(seed(account, 1002), "/api/site/contacts")
    assert [c["email"] for c in first] != [c["email"] for c in other]


def test_seeding_again_undoes_changes(account: Account) -> None:
    client = seed(account, 5)
    before = every_record(client, "/api/site/contacts")
    assert client.delete("/api/site/contacts/1").status_code == 200
    assert client.post("/api/site/contacts", json={"email": "extra@example.com"}).status_code == 201
    assert every_record(seed(account, 5), "/api/site/contacts") == before


# -- e-mails -------------------------------------------------------------------------------------
def password_resets(account: Account) -> list[dict[str, Any]]:
    return [e for e in emails(account) if e["kind"] == "password_reset"]


def test_emails_default_to_the_demo_website(mockserver: Emulator) -> None:
    """Without an apiKey the admin action reads the emulator's demo website (key "demo")."""
    demo = client_for(mockserver, "demo")
    assert demo.get("/api/site/members").status_code == 200
    default = mockserver.admin("GET", "simvoly/emails")["items"]
    assert default == mockserver.admin("GET", "simvoly/emails", params={"apiKey": "demo"})["items"]
    assert default != []


def test_demo_password_reset_emails_go_to_the_members_without_a_password(
    simvoly_demo_account: Account, simvoly_demo: ApiSession
) -> None:
    """Half the demo members were made without a password: each got one password-reset e-mail."""
    members = by_email(every_record(simvoly_demo, "/api/site/members"))
    resets = password_resets(simvoly_demo_account)
    assert len(resets) == 4
    assert len({e["to"].casefold() for e in resets}) == 4, "one e-mail per member"
    for mail in resets:
        assert set(mail) >= EMAIL_FIELDS, mail
        member = members.get(mail["to"].casefold())
        assert member is not None, f"{mail['to']} is not a demo member"
        assert mail["sentAt"] == member["registeredOn"]
        assert member["name"] in mail["text"]
        assert isinstance(mail["subject"], str) and mail["subject"]


def test_demo_members_alternate_password_and_reset_email(simvoly_demo_account: Account, simvoly_demo: ApiSession) -> None:
    """Counting the members 1 to 8 (as in "the 8th not approved"): the odd ones have a
    password (no e-mail), the even ones got a password-reset e-mail."""
    members = every_record(simvoly_demo, "/api/site/members")
    reset_to = {e["to"].casefold() for e in password_resets(simvoly_demo_account)}
    got_email = [number for number, member in enumerate(members, start=1) if member["email"].casefold() in reset_to]
    assert got_email == [2, 4, 6, 8]


def test_a_member_made_without_password_adds_a_reset_email(simvoly_demo_account: Account, simvoly_demo: ApiSession) -> None:
    before = password_resets(simvoly_demo_account)
    created = simvoly_demo.post("/api/site/members", json={"name": "New Member", "email": "new.member@example.com"})
    assert created.status_code == 201, created.text
    with_password = simvoly_demo.post(
        "/api/site/members", json={"name": "Other", "email": "other@example.com", "password": "s3cret!"}
    )
    assert with_password.status_code == 201
    after = password_resets(simvoly_demo_account)
    assert after[: len(before)] == before
    assert [e["to"] for e in after[len(before) :]] == ["new.member@example.com"]


# -- admin validation ---------------------------------------------------------------------------------
class Shop:
    """A fresh website with one product, and a webhook receiver for every event."""

    def __init__(self, account: Account, receiver: WebhookReceiver) -> None:
        self.account = account
        self.client = account.session()
        self.receiver = receiver
        product = self.client.post("/api/site/products", json={"type": "physical", "title": "Mug", "variants": [{"price": 12}]})
        assert product.status_code == 201, product.text
        self.product_id: int = product.json()["id"]
        hook = self.client.post("/api/site/webhooks", json={"target": receiver.url, "events": EVENTS})
        assert hook.status_code == 201, hook.text

    def admin(self, action: str, body: Any) -> requests.Response:
        return trigger_response(self.account, action, **body)

    def state(self) -> dict[str, Any]:
        return {
            path: every_record(self.client, path)
            for path in ("/api/site/contacts", "/api/site/orders", "/api/site/bookings", "/api/site/form-submissions")
        }

    def events_since(self, count: int, expected: int) -> list[str]:
        """The events delivered after the first `count`, once `expected` more have come
        (and every delivery of the website is done, so that an unexpected one would show too)."""
        self.receiver.wait(count + expected, timeout=10)
        assert self.account.wait_for_idle()
        return [r.headers["X-Webhook-Topic"] for r in self.receiver.requests[count:]]

    def assert_no_events_since(self, count: int) -> None:
        """A marker (a new contact: contact_updated) shows that deliveries flow; nothing
        else may arrive with it."""
        marker = self.client.post("/api/site/contacts", json={"email": f"marker-{uuid.uuid4().hex[:8]}@example.com"})
        assert marker.status_code == 201, marker.text
        assert self.events_since(count, 1) == ["contact_updated"]
        assert self.receiver.requests[count].json["email"] == marker.json()["email"]


@pytest.fixture
def shop(account: Account, webhook_receiver: WebhookReceiver) -> Shop:
    return Shop(account, webhook_receiver)


def assert_refused(response: requests.Response) -> None:
    assert 400 <= response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    assert isinstance(response.json(), dict)


BAD_ORDERS = {
    "no-items": {"customerEmail": "buyer@example.com", "items": []},
    "items-left-out": {"customerEmail": "buyer@example.com"},
    "items-not-a-list": {"customerEmail": "buyer@example.com", "items": "mug"},
    "unknown-product": {"customerEmail": "buyer@example.com", "items": [{"productId": 987654}]},
    "known-then-unknown-product": {
        "customerEmail": "buyer@example.com",
        "items": [{"productId": "PRODUCT"}, {"productId": 987654}],
    },
    "product-id-zero": {"customerEmail": "buyer@example.com", "items": [{"productId": 0}]},
    "quantity-zero": {"customerEmail": "buyer@example.com", "items": [{"productId": "PRODUCT", "quantity": 0}]},
    "bad-email": {"customerEmail": "not-an-email", "items": [{"productId": "PRODUCT"}]},
    "email-with-space": {"customerEmail": "buyer @example.com", "items": [{"productId": "PRODUCT"}]},
    "no-email": {"items": [{"productId": "PRODUCT"}]},
    "negative-discount": {"customerEmail": "buyer@example.com", "items": [{"productId": "PRODUCT"}], "discountAmount": -5},
    # An order stores its extra fields as given, and every order list shows them: only objects.
    "extra-fields-not-a-list": {
        "customerEmail": "buyer@example.com",
        "items": [{"productId": "PRODUCT"}],
        "additionalFields": "x",
    },
    "extra-field-not-an-object": {
        "customerEmail": "buyer@example.com",
        "items": [{"productId": "PRODUCT"}],
        "additionalFields": ["x"],
    },
    "extra-field-without-value": {
        "customerEmail": "buyer@example.com",
        "items": [{"productId": "PRODUCT"}],
        "additionalFields": [{"field": "Gift note"}],
    },
}


def with_product(body: Any, product_id: int) -> Any:
    if isinstance(body, dict):
        return {k: with_product(v, product_id) for k, v in body.items()}
    if isinstance(body, list):
        return [with_product(v, product_id) for v in body]
    return product_id if body == "PRODUCT" else body


@pytest.mark.parametrize("case", list(BAD_ORDERS))
def test_a_refused_order_leaves_nothing_behind(shop: Shop, case: str) -> None:
    """No order, no contact for the buyer, no webhook: a refused order made nothing."""
    before, delivered = shop.state(), len(shop.receiver.requests)
    assert_refused(shop.admin("orders", with_product(BAD_ORDERS[case], shop.product_id)))
    assert shop.state() == before
    missing = shop.client.get("/api/site/contacts/search-by-email", params={"email": "buyer@example.com"})
    assert missing.status_code == 404, f"the refused order left a contact behind: {missing.text}"
    shop.assert_no_events_since(delivered)


def test_a_valid_order_is_made_with_its_contact(shop: Shop) -> None:
    """The control for the refusals: the same order with good input is made, with its contact and events."""
    delivered = len(shop.receiver.requests)
    extra = [{"field": "Gift note", "value": "For Ada"}, {"field": "Floor", "value": None}]
    response = shop.admin(
        "orders",
        {
            "customerEmail": "buyer@example.com",
            "items": [{"productId": shop.product_id, "quantity": 2}],
            "additionalFields": extra,
        },
    )
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["additionalFields"] == extra
    contact = shop.client.get("/api/site/contacts/search-by-email", params={"email": "buyer@example.com"}).json()
    assert order["contactId"] == contact["id"]
    assert shop.client.get(f"/api/site/orders/{order['id']}").json() == order
    assert sorted(shop.events_since(delivered, 2)) == ["contact_updated", "order_created"]


BAD_BOOKINGS = {
    "end-before-start": {"name": "Guest", "email": "guest@example.com", "start": 1_800_000_000, "end": 1_799_999_999},
    "bad-email": {"name": "Guest", "email": "not-an-email", "start": 1_800_000_000},
    "no-email": {"name": "Guest", "start": 1_800_000_000},
    "no-start": {"name": "Guest", "email": "guest@example.com"},
    "start-not-a-number": {"name": "Guest", "email": "guest@example.com", "start": "tomorrow"},
    "negative-start": {"name": "Guest", "email": "guest@example.com", "start": -1},
    "empty-name": {"name": "", "email": "guest@example.com", "start": 1_800_000_000},
}


@pytest.mark.parametrize("case", list(BAD_BOOKINGS))
def test_a_refused_booking_leaves_nothing_behind(shop: Shop, case: str) -> None:
    before, delivered = shop.state(), len(shop.receiver.requests)
    assert_refused(shop.admin("bookings", BAD_BOOKINGS[case]))
    assert shop.state() == before
    assert shop.client.get("/api/site/contacts/search-by-email", params={"email": "guest@example.com"}).status_code == 404
    shop.assert_no_events_since(delivered)


def test_a_booking_ending_when_it_starts_is_accepted(shop: Shop) -> None:
    delivered = len(shop.receiver.requests)
    response = shop.admin(
        "bookings", {"name": "Guest", "email": "guest@example.com", "start": 1_800_000_000, "end": 1_800_000_000}
    )
    assert response.status_code == 201, response.text
    assert (response.json()["start"], response.json()["end"]) == (1_800_000_000, 1_800_000_000)
    assert sorted(shop.events_since(delivered, 2)) == ["booking_created", "contact_updated"]


BAD_SUBMISSIONS = {
    "no-fields": {"formName": "Contact"},
    "fields-not-a-list": {"fields": {"Email": "visitor@example.com"}},
    "field-without-name": {"fields": [{"value": "visitor@example.com"}]},
    "empty-form-name": {"formName": "", "fields": [{"name": "Email", "value": "visitor@example.com"}]},
}


@pytest.mark.parametrize("case", list(BAD_SUBMISSIONS))
def test_a_refused_form_submission_leaves_nothing_behind(shop: Shop, case: str) -> None:
    before, delivered = shop.state(), len(shop.receiver.requests)
    assert_refused(shop.admin("form-submissions", BAD_SUBMISSIONS[case]))
    assert shop.state() == before
    shop.assert_no_events_since(delivered)


@pytest.mark.parametrize("action", ["orders", "bookings", "form-submissions"])
def test_admin_actions_refuse_a_body_that_is_not_json(mockserver: Emulator, action: str) -> None:
    for payload in ("{broken", "[1, 2]", '"text"'):
        headers = {"Content-Type": "application/json"}
        response = admin_response(mockserver, "POST", f"simvoly/{action}", data=payload, headers=headers)
        assert_refused(response)
