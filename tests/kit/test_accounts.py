"""The test kit's accounts: fresh and isolated, the provider's own headers, reset and seed,
vendor-side triggers, and the per-account journal."""

from __future__ import annotations

import pytest
import requests

from mockserver.providers.generic import Spec
from mockserver.testing import Emulator, MockserverError
from tests.support import providers_under_test

PROVIDERS = [provider.name for provider in providers_under_test()]
# A list every provider answers on a brand-new account: these, and for any other provider its
# spec's first list without path parameters.
LISTS = {
    "systeme": "/api/tags",
    "clickfunnels": "/api/v2/teams",
    "simvoly": "/api/site/contacts",
    "yulsn": "/api/v1/Stores",
} | {
    provider.name: next(op.path for op in Spec(provider.spec_file).operations() if op.method == "GET" and "{" not in op.path)
    for provider in providers_under_test()
    if provider.name not in ("systeme", "clickfunnels", "simvoly", "yulsn")
}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_account_talks_to_its_provider_with_the_headers_it_wants(mockserver: Emulator, provider: str) -> None:
    account = mockserver.account(provider)
    assert account.base_url == f"{mockserver.url}/{provider}"
    assert account.api_key in " ".join(account.headers.values())
    response = account.session().get(LISTS[provider])
    assert response.status_code == 200, response.text
    # the same request without the headers is refused by the provider itself
    bare = requests.get(account.base_url + LISTS[provider], headers={"User-Agent": "x"}, timeout=10)
    assert bare.status_code in (401, 403)


@pytest.mark.parametrize("provider", ["clickfunnels", "simvoly"])
def test_providers_that_refuse_requests_without_a_user_agent_get_one(mockserver: Emulator, provider: str) -> None:
    assert mockserver.account(provider).headers["User-Agent"].startswith("mockserver-testing/")


def test_each_account_is_fresh_and_sees_nothing_of_another(mockserver: Emulator) -> None:
    first, second = mockserver.account("systeme"), mockserver.account("systeme")
    assert first.api_key != second.api_key
    created = first.session().post("/api/tags", json={"name": "Only mine"})
    assert created.status_code == 201
    assert [t["name"] for t in first.session().get("/api/tags").json()["items"]] == ["Only mine"]
    assert second.session().get("/api/tags").json()["items"] == []


def test_a_demo_account_has_the_demo_data(mockserver: Emulator) -> None:
    demo = mockserver.account("systeme", demo=True)
    contacts = demo.session().get("/api/contacts", params={"limit": 10}).json()
    assert len(contacts["items"]) == 10 and contacts["hasMore"] is True
    assert demo.describe()["demo"] is True


def test_accounts_are_registered_where_unknown_keys_are_refused() -> None:
    with Emulator.start(allow_unknown_keys=False) as emulator:
        account = emulator.account("simvoly")
        assert account.session().get("/api/site/contacts").status_code == 200
        stranger = requests.get(
            f"{emulator.url}/simvoly/api/site/contacts", headers={**account.headers, "Authorization": "Bearer nope"}
        )
        assert stranger.status_code == 401
        # a reset empties the account; its key stays accepted
        account.session().post("/api/site/contacts", json={"email": "ada@example.com"})
        account.reset()
        after = account.session().get("/api/site/contacts")
        assert after.status_code == 200 and after.json()["totalCount"] == 0


def test_reset_and_seed_act_on_one_account_only(mockserver: Emulator) -> None:
    mine, theirs = mockserver.account("yulsn"), mockserver.account("yulsn")
    for account in (mine, theirs):
        assert account.session().post("/api/v1/Stores", json={"Number": "S-1", "Name": "Shop"}).status_code == 200
    mine.reset()
    assert mine.session().get("/api/v1/Stores").json() == []
    assert len(theirs.session().get("/api/v1/Stores").json()) == 1
    mine.seed(seed=3)
    assert mine.describe()["demo"] is True
    assert len(theirs.session().get("/api/v1/Stores").json()) == 1


def test_seed_is_deterministic(mockserver: Emulator) -> None:
    one, two = mockserver.account("simvoly"), mockserver.account("simvoly")
    one.seed(seed=5)
    two.seed(seed=5)
    emails = [
        [c["email"] for c in account.session().get("/api/site/contacts", params={"limit": 50}).json()["items"]]
        for account in (one, two)
    ]
    assert emails[0] == emails[1] and emails[0]


def test_trigger_makes_a_vendor_side_event_for_that_account(mockserver: Emulator) -> None:
    account = mockserver.account("systeme")
    sale = account.trigger(
        "sales", email="buyer@gmail.com", pricePlan={"name": "Pro", "amount": 4900, "currency": "eur", "type": "one_shot"}
    )
    assert sale["order"]["status"] == "paid"
    buyers = account.session().get("/api/contacts", params={"email": "buyer@gmail.com"}).json()["items"]
    assert [c["email"] for c in buyers] == ["buyer@gmail.com"]
    cancelled = account.trigger(f"sales/{sale['order']['id']}/cancel")
    assert cancelled["order"]["status"] != "paid"


def test_a_refused_trigger_says_why(mockserver: Emulator) -> None:
    account = mockserver.account("systeme")
    with pytest.raises(MockserverError, match=r"422|400") as refused:
        account.trigger("sales", pricePlan={"amount": -1})
    assert "sales" in str(refused.value)


def test_session_joins_relative_paths_and_keeps_absolute_ones(mockserver: Emulator) -> None:
    account = mockserver.account("systeme")
    api = account.session()
    assert api.get("api/tags").status_code == 200
    assert api.get(f"{account.base_url}/api/tags").status_code == 200
    assert account.url("/api/tags") == f"{account.base_url}/api/tags"


def test_an_unknown_provider_is_refused_at_once(mockserver: Emulator) -> None:
    with pytest.raises(KeyError):
        mockserver.account("hubspot")


def test_seed_by_default_gives_the_demo_accounts_data(mockserver: Emulator) -> None:
    demo, reseeded = mockserver.account("systeme", demo=True), mockserver.account("systeme")
    reseeded.seed()
    lists = [account.session().get("/api/tags").json()["items"] for account in (demo, reseeded)]
    assert lists[0] == lists[1] and lists[0]


def test_a_refusal_carries_its_status_and_body(mockserver: Emulator) -> None:
    account = mockserver.account("clickfunnels")
    with pytest.raises(MockserverError) as refused:
        account.trigger("forms/999999/submissions", data={"email": "ada@example.com"})
    assert refused.value.status == 404
    assert isinstance(refused.value.body, dict) and refused.value.body["error"]


def test_read_shows_the_vendors_side_of_one_account(mockserver: Emulator) -> None:
    account, other = mockserver.account("simvoly"), mockserver.account("simvoly")
    account.session().post("/api/site/members", json={"email": "member@example.com", "name": "Mem"})
    emails = account.read("emails")["items"]
    assert [e["to"] for e in emails] == ["member@example.com"]
    assert other.read("emails")["items"] == []


def test_freezing_an_accounts_clock_at_an_instant_stops_it_exactly_there(mockserver: Emulator) -> None:
    from datetime import UTC, datetime

    account = mockserver.account("systeme")
    at = datetime(2030, 5, 17, 8, 30, tzinfo=UTC)
    assert account.freeze_clock(at) == at
    assert account.now() == at
    tag = account.session().post("/api/tags", json={"name": "Frozen"}).json()
    assert tag["createdAt"] == "2030-05-17T08:30:00+00:00"
    assert account.advance_clock(90) == datetime(2030, 5, 17, 8, 31, 30, tzinfo=UTC)
    account.reset_clock()
    assert abs((account.now() - datetime.now(UTC)).total_seconds()) < 60
