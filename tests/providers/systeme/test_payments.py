"""Systeme.io payments over HTTP: subscriptions, their cancellation, and admin-made sales.

Sales happen in funnels, not through the API: the tests make them with the admin API
(POST /__admin/systeme/sales). Billing periods follow the emulator's clock, which the
tests move with POST /__admin/clock and always restore.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from mockserver.testing import Account, ApiSession
from tests.support import trigger_response

DAY = 86400.0
STATUSES = {"active", "cancelled", "completed", "in_charge", "incomplete", "incomplete_expired"}
SUBSCRIPTION_KEYS = {"id", "createdAt", "status", "completedAt", "cancelledAt", "pricePlan"}
MONTHLY = {"name": "Monthly club", "amount": 2900, "currency": "EUR", "type": "subscription", "interval": "month"}


@pytest.fixture
def advance_clock(account: Account) -> Callable[[float], None]:
    """Moves the account's clock (no other account's) forward."""

    def advance(seconds: float) -> None:
        account.advance_clock(seconds)

    return advance


@pytest.fixture
def sell(account: Account) -> Callable[..., dict[str, Any]]:
    def make(email: str, plan: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
        body = {"email": email, **extra}
        if plan is not None:
            body["pricePlan"] = plan
        response = trigger_response(account, "sales", **body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return make


def subscriptions(client: ApiSession, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/payment/subscriptions", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    assert response.json()["hasMore"] is False
    return list(response.json()["items"])


def subscription(client: ApiSession, subscription_id: int) -> dict[str, Any]:
    return next(s for s in subscriptions(client) if s["id"] == subscription_id)


def cancel(client: ApiSession, subscription_id: int, **kwargs: Any) -> requests.Response:
    return client.post(f"/api/payment/subscriptions/{subscription_id}/cancel", **kwargs)


def instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() is not None
    return moment


# -- accounts without payments ---------------------------------------------------------
def test_a_new_account_has_no_payments_so_subscriptions_are_404(systeme: ApiSession) -> None:
    response = systeme.get("/api/payment/subscriptions")

    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert {"type", "title", "detail"} <= set(response.json())


def test_a_new_account_has_no_payments_so_cancel_is_404(systeme: ApiSession) -> None:
    response = cancel(systeme, 1)

    assert response.status_code == 404
    assert {"type", "title", "detail"} <= set(response.json())


# -- the demo account ------------------------------------------------------------------
def test_demo_account_has_subscriptions_with_a_valid_shape(systeme_demo: ApiSession) -> None:
    found = subscriptions(systeme_demo)

    assert found
    for item in found:
        assert set(item) == SUBSCRIPTION_KEYS
        assert item["status"] in STATUSES
        instant(item["createdAt"])
        plan = item["pricePlan"]
        assert plan["type"] in {"subscription", "limited_subscription"}
        assert plan["recurringOptions"]["interval"] in {"day", "week", "month", "year"}
        assert plan["currency"] == plan["currency"].lower()
        if item["status"] == "completed":
            assert instant(item["completedAt"]) > instant(item["createdAt"])
        if item["status"] == "cancelled":
            assert instant(item["cancelledAt"]) >= instant(item["createdAt"])


def test_demo_subscriptions_page_with_starting_after(systeme_demo: ApiSession) -> None:
    everything = [s["id"] for s in subscriptions(systeme_demo)]
    first = systeme_demo.get("/api/payment/subscriptions", params={"limit": 10, "order": "asc"}).json()
    rest = [s["id"] for s in subscriptions(systeme_demo, order="asc", startingAfter=first["items"][-1]["id"])]

    assert first["hasMore"] is (len(everything) > 10)
    assert [s["id"] for s in first["items"]] + rest == sorted(everything)


# -- admin sales -----------------------------------------------------------------------
def test_a_subscription_sale_enables_payments_on_a_new_account(systeme: ApiSession, sell: Callable[..., dict[str, Any]]) -> None:
    assert systeme.get("/api/payment/subscriptions").status_code == 404

    sale = sell("first.buyer@gmail.com", MONTHLY)

    assert sale["order"]["subscriptionId"] == sale["subscription"]["id"]
    assert sale["subscription"]["status"] == "active"
    listed = subscriptions(systeme)
    assert [s["id"] for s in listed] == [sale["subscription"]["id"]]
    assert listed[0]["status"] == "active"
    assert listed[0]["cancelledAt"] is None and listed[0]["completedAt"] is None
    assert listed[0]["pricePlan"]["type"] == "subscription"
    assert listed[0]["pricePlan"]["amount"] == 2900
    assert listed[0]["pricePlan"]["currency"] == "eur"


def test_a_sale_to_a_new_email_creates_the_contact(systeme: ApiSession, sell: Callable[..., dict[str, Any]]) -> None:
    sale = sell("new.buyer@gmail.com", MONTHLY, fields={"first_name": "Nina"})

    found = systeme.get("/api/contacts", params={"email": "new.buyer@gmail.com"}).json()["items"]

    assert [c["id"] for c in found] == [sale["order"]["contactId"]]
    assert {"fieldName": "First name", "slug": "first_name", "value": "Nina"} in found[0]["fields"]


def test_a_sale_to_a_known_email_reuses_the_contact(systeme: ApiSession, sell: Callable[..., dict[str, Any]]) -> None:
    contact = systeme.post("/api/contacts", json={"email": "known.buyer@gmail.com"}).json()

    sale = sell("Known.Buyer@gmail.com", MONTHLY)

    assert sale["order"]["contactId"] == contact["id"]
    assert len(systeme.get("/api/contacts").json()["items"]) == 1


def test_a_one_shot_sale_has_no_subscription(systeme: ApiSession, sell: Callable[..., dict[str, Any]]) -> None:
    sale = sell("one.shot@gmail.com", {"name": "Ebook", "amount": 1500, "type": "one_shot"})

    assert sale["subscription"] is None
    assert sale["order"]["subscriptionId"] is None
    assert subscriptions(systeme) == []


def test_subscriptions_filter_by_contact(systeme: ApiSession, sell: Callable[..., dict[str, Any]]) -> None:
    ann = sell("ann.subscriber@gmail.com", MONTHLY)
    bob = sell("bob.subscriber@gmail.com", MONTHLY)
    ann_again = sell("ann.subscriber@gmail.com", {**MONTHLY, "name": "Second plan"})

    ann_ids = [s["id"] for s in subscriptions(systeme, contact=ann["order"]["contactId"])]
    bob_ids = [s["id"] for s in subscriptions(systeme, contact=bob["order"]["contactId"])]

    assert sorted(ann_ids) == sorted([ann["subscription"]["id"], ann_again["subscription"]["id"]])
    assert bob_ids == [bob["subscription"]["id"]]
    assert subscriptions(systeme, contact=424242) == []


# -- cancelling ------------------------------------------------------------------------
def test_cancel_without_a_body_cancels_now(systeme: ApiSession, sell: Callable[..., dict[str, Any]], account: Account) -> None:
    sub_id = sell("cancel.now@gmail.com", MONTHLY)["subscription"]["id"]

    response = cancel(systeme, sub_id)

    assert response.status_code == 204
    assert len(response.content) == 0
    after = subscription(systeme, sub_id)
    assert after["status"] == "cancelled"
    assert abs(instant(after["cancelledAt"]) - account.now()) < timedelta(seconds=5)


def test_cancel_now_explicitly(systeme: ApiSession, sell: Callable[..., dict[str, Any]]) -> None:
    sub_id = sell("cancel.explicit@gmail.com", MONTHLY)["subscription"]["id"]

    assert cancel(systeme, sub_id, json={"cancel": "Now"}).status_code == 204
    assert subscription(systeme, sub_id)["status"] == "cancelled"


def test_cancelling_twice_is_422(systeme: ApiSession, sell: Callable[..., dict[str, Any]]) -> None:
    sub_id = sell("cancel.twice@gmail.com", MONTHLY)["subscription"]["id"]
    assert cancel(systeme, sub_id).status_code == 204
    cancelled_at = subscription(systeme, sub_id)["cancelledAt"]

    response = cancel(systeme, sub_id)

    assert response.status_code == 422
    assert response.json()["violations"]
    assert subscription(systeme, sub_id)["cancelledAt"] == cancelled_at


def test_cancel_an_unknown_subscription_is_404(systeme: ApiSession, sell: Callable[..., dict[str, Any]]) -> None:
    sell("payments.on@gmail.com", MONTHLY)

    assert cancel(systeme, 424242).status_code == 404


def test_cancel_with_an_unknown_mode_is_422(systeme: ApiSession, sell: Callable[..., dict[str, Any]]) -> None:
    sub_id = sell("cancel.later.maybe@gmail.com", MONTHLY)["subscription"]["id"]

    assert cancel(systeme, sub_id, json={"cancel": "Someday"}).status_code == 422
    assert subscription(systeme, sub_id)["status"] == "active"


def test_cancel_when_the_billing_period_ends_waits_for_the_period_end(
    systeme: ApiSession, sell: Callable[..., dict[str, Any]], advance_clock: Callable[[float], None]
) -> None:
    sub = sell("cancel.later@gmail.com", MONTHLY)["subscription"]
    created = instant(sub["createdAt"])

    response = cancel(systeme, sub["id"], json={"cancel": "WhenBillingPeriodEnds"})

    assert response.status_code == 204
    assert subscription(systeme, sub["id"])["status"] == "active"
    assert subscription(systeme, sub["id"])["cancelledAt"] is None
    advance_clock(20 * DAY)
    assert subscription(systeme, sub["id"])["status"] == "active"
    advance_clock(15 * DAY)
    after = subscription(systeme, sub["id"])
    assert after["status"] == "cancelled"
    # Cancelled at the end of the first monthly period, not at the moment the clock was read.
    assert created + timedelta(days=28) <= instant(after["cancelledAt"]) <= created + timedelta(days=31)


def test_a_pending_cancellation_cannot_be_requested_again(systeme: ApiSession, sell: Callable[..., dict[str, Any]]) -> None:
    sub_id = sell("cancel.pending@gmail.com", MONTHLY)["subscription"]["id"]
    assert cancel(systeme, sub_id, json={"cancel": "WhenBillingPeriodEnds"}).status_code == 204

    assert cancel(systeme, sub_id, json={"cancel": "WhenBillingPeriodEnds"}).status_code == 422


def test_a_limited_subscription_completes_after_its_payments(
    systeme: ApiSession, sell: Callable[..., dict[str, Any]], advance_clock: Callable[[float], None]
) -> None:
    plan = {"name": "Three payments", "amount": 9900, "type": "limited_subscription", "interval": "month", "limitOfPayments": 3}
    sub = sell("three.payments@gmail.com", plan)["subscription"]
    created = instant(sub["createdAt"])
    assert sub["pricePlan"]["recurringOptions"]["limitOfPayments"] == 3

    advance_clock(60 * DAY)
    assert subscription(systeme, sub["id"])["status"] == "active"
    advance_clock(35 * DAY)
    after = subscription(systeme, sub["id"])

    assert after["status"] == "completed"
    assert created + timedelta(days=89) <= instant(after["completedAt"]) <= created + timedelta(days=92)
    assert after["cancelledAt"] is None
    assert cancel(systeme, sub["id"]).status_code == 422


def test_an_open_ended_subscription_stays_active_as_time_passes(
    systeme: ApiSession, sell: Callable[..., dict[str, Any]], advance_clock: Callable[[float], None]
) -> None:
    sub_id = sell("forever@gmail.com", MONTHLY)["subscription"]["id"]

    advance_clock(400 * DAY)

    assert subscription(systeme, sub_id)["status"] == "active"


def test_admin_cancel_of_a_sale_is_200_then_409(
    systeme: ApiSession, sell: Callable[..., dict[str, Any]], account: Account
) -> None:
    sale = sell("refund.me@gmail.com", MONTHLY)
    path = f"sales/{sale['order']['id']}/cancel"

    first = trigger_response(account, path)

    assert first.status_code == 200
    assert first.json()["order"]["status"] != sale["order"]["status"]
    assert first.json()["subscription"]["status"] == "cancelled"
    assert subscription(systeme, sale["subscription"]["id"])["status"] == "cancelled"
    second = trigger_response(account, path)
    assert second.status_code == 409


def test_admin_cancel_of_an_unknown_sale_is_404(account: Account) -> None:
    assert trigger_response(account, "sales/424242/cancel").status_code == 404
