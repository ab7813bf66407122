"""Systeme.io e-mail campaigns (`/api/mailing/campaigns`: made, renamed by merge patch,
deleted) and funnels (`/api/funnels`: made empty through the API, or named by a sale in the
app), as public clients use them."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.testing import Account, ApiSession
from tests.providers.systeme.helpers import violations
from tests.support import created, trigger_response

CAMPAIGNS = "/api/mailing/campaigns"
FUNNELS = "/api/funnels"
MONTHLY = {"name": "Monthly", "type": "subscription", "amount": 1000, "currency": "EUR", "interval": "month"}


# -- campaigns ------------------------------------------------------------------------------
def test_a_campaign_is_made_read_and_listed(systeme: ApiSession) -> None:
    made = created(
        systeme.post(CAMPAIGNS, json={"name": "Onboarding", "senderEmail": "hello@example.com", "description": "Day 1-5"})
    )
    assert made == {"id": made["id"], "name": "Onboarding", "senderEmail": "hello@example.com", "description": "Day 1-5"}
    assert systeme.get(f"{CAMPAIGNS}/{made['id']}").json() == made
    assert systeme.get(CAMPAIGNS).json() == {"items": [made], "hasMore": False}


def test_a_campaign_without_sender_or_description_shows_them_null(systeme: ApiSession) -> None:
    made = created(systeme.post(CAMPAIGNS, json={"name": "  Plain  "}))
    assert (made["name"], made["senderEmail"], made["description"]) == ("Plain", None, None)


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({}, "name"),
        ({"name": " "}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"name": "C", "senderEmail": "nobody"}, "senderEmail"),
        ({"name": "C", "description": "x" * 2001}, "description"),
    ],
)
def test_a_campaign_needs_a_name_and_valid_members(systeme: ApiSession, body: dict[str, Any], path: str) -> None:
    assert path in [p for p, _ in violations(systeme.post(CAMPAIGNS, json=body))]
    assert systeme.get(CAMPAIGNS).json()["items"] == []


def test_the_campaign_list_finds_names(systeme: ApiSession) -> None:
    welcome = created(systeme.post(CAMPAIGNS, json={"name": "Welcome series"}))
    created(systeme.post(CAMPAIGNS, json={"name": "Win-back"}))
    assert [c["id"] for c in systeme.get(CAMPAIGNS, params={"query": "WELCOME"}).json()["items"]] == [welcome["id"]]


def test_a_merge_patch_changes_what_it_names(systeme: ApiSession) -> None:
    made = created(systeme.post(CAMPAIGNS, json={"name": "Old", "senderEmail": "a@example.com", "description": "Text"}))
    response = systeme.merge_patch(f"{CAMPAIGNS}/{made['id']}", {"name": "New", "description": None})
    assert response.status_code == 200, response.text
    assert response.json() == {"id": made["id"], "name": "New", "senderEmail": "a@example.com", "description": None}
    assert systeme.get(f"{CAMPAIGNS}/{made['id']}").json() == response.json()


def test_a_campaign_keeps_a_name(systeme: ApiSession) -> None:
    made = created(systeme.post(CAMPAIGNS, json={"name": "Named"}))
    assert violations(systeme.merge_patch(f"{CAMPAIGNS}/{made['id']}", {"name": None})) == [
        ("name", "This value should not be blank.")
    ]
    assert systeme.get(f"{CAMPAIGNS}/{made['id']}").json()["name"] == "Named"


def test_a_deleted_campaign_is_gone(systeme: ApiSession) -> None:
    kept = created(systeme.post(CAMPAIGNS, json={"name": "Kept"}))
    gone = created(systeme.post(CAMPAIGNS, json={"name": "Gone"}))
    response = systeme.delete(f"{CAMPAIGNS}/{gone['id']}")
    assert (response.status_code, response.content) == (204, b"")
    assert systeme.get(f"{CAMPAIGNS}/{gone['id']}").status_code == 404
    assert systeme.delete(f"{CAMPAIGNS}/{gone['id']}").status_code == 404
    assert systeme.get(CAMPAIGNS).json()["items"] == [kept]


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_an_unknown_campaign_is_404(systeme: ApiSession, method: str) -> None:
    headers = {"Content-Type": "application/merge-patch+json"} if method == "PATCH" else {}
    body = {"name": "X"} if method == "PATCH" else None
    response = systeme.request(method, f"{CAMPAIGNS}/4242", json=body, headers=headers)
    assert response.status_code == 404
    assert response.json()["detail"] == "Not Found"


def test_the_demo_has_campaigns(systeme_demo_account: Account) -> None:
    items = systeme_demo_account.session().get(CAMPAIGNS, params={"order": "asc"}).json()["items"]
    assert [c["name"] for c in items] == ["Welcome sequence", "Webinar follow-up"]


# -- funnels --------------------------------------------------------------------------------
def test_a_funnel_is_made_empty_and_active(systeme: ApiSession) -> None:
    made = created(systeme.post(FUNNELS, json={"name": "Webinar registration"}))
    assert made == {"id": made["id"], "name": "Webinar registration", "isActive": True}
    assert systeme.get(f"{FUNNELS}/{made['id']}").json() == made
    assert systeme.get(FUNNELS).json() == {"items": [made], "hasMore": False}


@pytest.mark.parametrize(("body", "path"), [({}, "name"), ({"name": ""}, "name"), ({"name": "x" * 256}, "name")])
def test_a_funnel_needs_a_name(systeme: ApiSession, body: dict[str, Any], path: str) -> None:
    assert [p for p, _ in violations(systeme.post(FUNNELS, json=body))] == [path]
    assert systeme.get(FUNNELS).json()["items"] == []


def test_an_unknown_funnel_is_404(systeme: ApiSession) -> None:
    response = systeme.get(f"{FUNNELS}/31337")
    assert response.status_code == 404
    assert response.json()["detail"] == "Not Found"


def test_the_funnel_list_finds_names(systeme: ApiSession) -> None:
    launch = created(systeme.post(FUNNELS, json={"name": "Product LAUNCH"}))
    created(systeme.post(FUNNELS, json={"name": "Lead magnet"}))
    assert [f["id"] for f in systeme.get(FUNNELS, params={"query": "launch"}).json()["items"]] == [launch["id"]]


def test_a_sale_in_a_funnel_is_in_that_funnel(account: Account, systeme: ApiSession) -> None:
    made = created(systeme.post(FUNNELS, json={"name": "Launch"}))
    sale = trigger_response(account, "sales", email="buyer@example.com", pricePlan=MONTHLY, funnel="Launch")
    assert sale.status_code == 201, sale.text
    assert sale.json()["payload"]["funnelStep"]["funnel"] == {"id": made["id"], "name": "Launch"}
    assert [f["id"] for f in systeme.get(FUNNELS).json()["items"]] == [made["id"]]


def test_a_sale_in_a_new_funnel_lists_that_funnel(account: Account, systeme: ApiSession) -> None:
    sale = trigger_response(account, "sales", email="buyer@example.com", pricePlan=MONTHLY, funnel="Summer offer")
    assert sale.status_code == 201, sale.text
    funnel = sale.json()["payload"]["funnelStep"]["funnel"]
    assert systeme.get(f"{FUNNELS}/{funnel['id']}").json() == {**funnel, "isActive": True}


def test_funnels_of_another_account_are_not_seen(systeme: ApiSession, other: ApiSession) -> None:
    made = created(systeme.post(FUNNELS, json={"name": "Mine"}))
    assert other.get(f"{FUNNELS}/{made['id']}").status_code == 404
    assert other.get(FUNNELS).json()["items"] == []
