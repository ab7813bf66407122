"""The admin API (/__admin/) as a Systeme.io user of the emulator sees it: reset, seed,
the index, the request journal, the clock, input checks, and the rate limit it configures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mockserver.testing import Account, ApiSession, Emulator
from tests.spec_tools import METHODS, Spec
from tests.support import admin_response, created


def all_contacts(api: ApiSession) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    query: dict[str, Any] = {"limit": 100}
    while True:
        page = api.get("/api/contacts", params=query).json()
        found += page["items"]
        if not page["hasMore"]:
            return found
        query["startingAfter"] = page["items"][-1]["id"]


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def restore_clock(mockserver: Emulator) -> Iterator[None]:
    """The clock is shared by the whole session: always put it back."""
    try:
        yield
    finally:
        mockserver.admin("POST", "clock", json={"reset": True})


def checked(server: Emulator) -> Iterator[Emulator]:
    """A server of this module's own; its responses must match the spec as well."""
    server.engine.strict_problems.clear()
    yield server
    assert not server.engine.strict_problems


@pytest.fixture(scope="module")
def _small_server() -> Iterator[Emulator]:
    with Emulator.start(journal_size=5, strict_responses=True) as running:
        yield running


@pytest.fixture
def small(_small_server: Emulator) -> Iterator[Emulator]:
    """A server with a journal of 5, also for what must not touch the shared one."""
    yield from checked(_small_server)


@pytest.fixture(scope="module")
def _limited_server() -> Iterator[Emulator]:
    with Emulator.start(rate_limit=3, rate_window=60, strict_responses=True) as running:
        yield running


@pytest.fixture
def limited(_limited_server: Emulator) -> Iterator[Emulator]:
    """A server allowing 3 requests a minute per key (each test uses accounts of its own)."""
    yield from checked(_limited_server)


# -- reset ------------------------------------------------------------------------------------
def test_reset_of_one_tenant_empties_it_and_leaves_the_others(account: Account, systeme: ApiSession, other: ApiSession) -> None:
    for api in (systeme, other):
        created(api.post("/api/contacts", json={"email": "kept@example.com"}))
        created(api.post("/api/tags", json={"name": "Kept"}))
        created(api.post("/api/contact_fields", json={"fieldName": "Shoe size", "slug": "shoe_size"}))

    account.reset()

    assert systeme.get("/api/contacts").json() == {"items": [], "hasMore": False}
    assert systeme.get("/api/tags").json() == {"items": [], "hasMore": False}
    assert "shoe_size" not in {f["slug"] for f in systeme.get("/api/contact_fields").json()["items"]}
    assert [c["email"] for c in other.get("/api/contacts").json()["items"]] == ["kept@example.com"]
    assert [t["name"] for t in other.get("/api/tags").json()["items"]] == ["Kept"]
    assert "shoe_size" in {f["slug"] for f in other.get("/api/contact_fields").json()["items"]}


def test_reset_of_a_tenant_drops_its_webhooks(account: Account, systeme: ApiSession) -> None:
    hook = created(
        systeme.post(
            "/api/webhooks",
            json={"name": "H", "url": "https://hooks.example.com/h", "secret": "s", "subscriptions": ["CONTACT_CREATED"]},
        )
    )
    account.reset()
    assert systeme.get(f"/api/webhooks/{hook['id']}").status_code == 404
    assert systeme.get("/api/webhooks").json()["items"] == []


def test_reset_of_everything_empties_every_tenant(small: Emulator) -> None:
    first, second = small.account("systeme").session(), small.account("systeme").session()
    created(first.post("/api/contacts", json={"email": "one@example.com"}))
    created(second.post("/api/tags", json={"name": "Two"}))
    seeded = small.account("systeme", demo=True).session()
    small.admin("POST", "clock", json={"advance": 86400})

    small.reset()

    assert small.admin("GET", "tenants")["items"] == []
    assert small.admin("GET", "journal")["items"] == []
    assert small.admin("GET", "clock")["offsetSeconds"] == 0
    assert first.get("/api/contacts").json()["items"] == []
    assert second.get("/api/tags").json()["items"] == []
    assert seeded.get("/api/contacts").json()["items"] == []
    assert seeded.get("/api/payment/subscriptions").status_code == 404


# -- seed -------------------------------------------------------------------------------------
def test_same_seed_gives_the_same_contacts_and_another_seed_other_ones(account: Account) -> None:
    api = account.session()

    def seeded(seed: int) -> list[dict[str, Any]]:
        account.seed(seed)
        return all_contacts(api)

    first = seeded(7)
    assert first
    assert seeded(7) == first
    different = seeded(8)
    assert different
    assert {c["email"] for c in different} != {c["email"] for c in first}


def test_seeding_replaces_what_the_account_held(account: Account, systeme: ApiSession) -> None:
    created(systeme.post("/api/contacts", json={"email": "before-seed@example.com"}))
    account.seed(3)
    assert systeme.get("/api/contacts", params={"email": "before-seed@example.com"}).json()["items"] == []


@pytest.mark.parametrize(
    "path", ["/api/contacts", "/api/tags", "/api/school/courses", "/api/community/communities", "/api/payment/subscriptions"]
)
def test_seeding_a_custom_key_gives_it_demo_data(mockserver: Emulator, systeme: ApiSession, api_key: str, path: str) -> None:
    assert systeme.get(path).status_code in (200, 404)  # the account exists, without data
    assert not systeme.get(path).json().get("items")

    response = admin_response(mockserver, "POST", "seed", json={"provider": "systeme", "apiKey": api_key})

    assert response.status_code == 200, response.text
    assert [(t["keyHint"], t["demo"]) for t in response.json()["seeded"]] == [("…" + api_key[-4:], True)]
    listed = systeme.get(path)
    assert listed.status_code == 200, listed.text
    assert listed.json()["items"]


# -- index ------------------------------------------------------------------------------------
def test_index_lists_the_providers(mockserver: Emulator) -> None:
    spec = Spec.load("systeme")
    operations = sum(1 for item in spec["paths"].values() for method in METHODS if method in item)

    response = admin_response(mockserver, "GET", "")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    systeme = response.json()["providers"]["systeme"]
    assert systeme["baseUrl"] == f"{mockserver.url}/systeme"
    assert systeme["operations"] == operations
    assert "POST /__admin/systeme/sales" in systeme["adminActions"]


# -- journal ----------------------------------------------------------------------------------
def test_journal_records_requests_newest_first(
    mockserver: Emulator, systeme: ApiSession, other: ApiSession, api_key: str
) -> None:
    assert systeme.get("/api/tags").status_code == 200
    created(systeme.post("/api/tags", json={"name": "Journal"}))
    assert other.get("/api/contacts").status_code == 200
    assert systeme.get("/api/tags/999999").status_code == 404

    response = admin_response(mockserver, "GET", "journal", params={"apiKey": api_key})

    assert response.status_code == 200
    entries = response.json()["items"]
    seen = [(e["method"], e["path"], e["status"], e["operationId"], e["keyHint"]) for e in entries]
    hint = "…" + api_key[-4:]  # the key's fingerprint: the journal never shows a key
    assert seen == [
        ("GET", "/systeme/api/tags/999999", 404, "getTag", hint),
        ("POST", "/systeme/api/tags", 201, "createTag", hint),
        ("GET", "/systeme/api/tags", 200, "listTags", hint),
    ]
    assert api_key not in response.text
    assert [e["seq"] for e in entries] == sorted((e["seq"] for e in entries), reverse=True)


def test_journal_honours_limit(mockserver: Emulator, systeme: ApiSession, api_key: str) -> None:
    for number in range(4):
        assert systeme.get(f"/api/tags/{number + 1}").status_code == 404
    entries = mockserver.admin("GET", "journal", params={"apiKey": api_key, "limit": 2})["items"]
    assert [e["path"] for e in entries] == ["/systeme/api/tags/4", "/systeme/api/tags/3"]


def test_journal_without_a_key_filter_holds_every_key(mockserver: Emulator, systeme: ApiSession, other: ApiSession) -> None:
    systeme.get("/api/contacts")
    other.get("/api/tags")
    newest = mockserver.admin("GET", "journal", params={"limit": 2})["items"]
    assert [(e["keyHint"], e["operationId"]) for e in newest] == [
        ("…" + other.headers["X-API-Key"][-4:], "listTags"),
        ("…" + systeme.headers["X-API-Key"][-4:], "listContacts"),
    ]


def test_journal_records_refused_requests(mockserver: Emulator) -> None:
    anonymous = ApiSession(f"{mockserver.url}/systeme", {})
    assert anonymous.get("/api/webhooks").status_code == 401
    newest = mockserver.admin("GET", "journal", params={"limit": 1})["items"]
    assert [(e["status"], e["operationId"], e["keyHint"]) for e in newest] == [(401, "listWebhooks", None)]


def test_journal_is_bounded(small: Emulator) -> None:
    api = small.account("systeme").session()
    for number in range(1, 9):
        assert api.get(f"/api/tags/{number}").status_code == 404

    entries = small.admin("GET", "journal")["items"]

    assert [e["path"] for e in entries] == [f"/systeme/api/tags/{n}" for n in (8, 7, 6, 5, 4)]


def test_journal_can_be_cleared(small: Emulator) -> None:
    small.account("systeme").session().get("/api/tags")
    assert admin_response(small, "DELETE", "journal").status_code == 204
    assert small.admin("GET", "journal")["items"] == []


# -- clock ------------------------------------------------------------------------------------
@pytest.mark.usefixtures("restore_clock")
def test_frozen_clock_stamps_identical_times(mockserver: Emulator, systeme: ApiSession) -> None:
    frozen = admin_response(mockserver, "POST", "clock", json={"freeze": True})
    assert frozen.status_code == 200
    assert frozen.json()["frozen"] is True

    one = created(systeme.post("/api/contacts", json={"email": "one@example.com"}))
    two = created(systeme.post("/api/contacts", json={"email": "two@example.com"}))

    assert one["registeredAt"] == two["registeredAt"] == frozen.json()["now"]


@pytest.mark.usefixtures("restore_clock")
def test_advancing_the_clock_moves_timestamps_by_that_much(mockserver: Emulator, systeme: ApiSession) -> None:
    mockserver.admin("POST", "clock", json={"freeze": True})
    before = created(systeme.post("/api/contacts", json={"email": "before@example.com"}))

    moved = admin_response(mockserver, "POST", "clock", json={"advance": 3600})
    after = created(systeme.post("/api/contacts", json={"email": "after@example.com"}))

    assert moved.status_code == 200
    assert instant(after["registeredAt"]) - instant(before["registeredAt"]) == timedelta(hours=1)
    assert moved.json()["now"] == after["registeredAt"]


@pytest.mark.usefixtures("restore_clock")
def test_setting_the_clock_dates_new_records(mockserver: Emulator, systeme: ApiSession) -> None:
    mockserver.admin("POST", "clock", json={"set": "2030-05-17T08:30:00Z", "freeze": True})
    tag = created(systeme.post("/api/tags", json={"name": "Future"}))
    assert instant(tag["createdAt"]) == datetime(2030, 5, 17, 8, 30, tzinfo=UTC)


@pytest.mark.usefixtures("restore_clock")
def test_clock_reset_restores_real_time(mockserver: Emulator, systeme: ApiSession) -> None:
    mockserver.admin("POST", "clock", json={"freeze": True, "advance": 10 * 86400})

    reset = admin_response(mockserver, "POST", "clock", json={"reset": True})
    contact = created(systeme.post("/api/contacts", json={"email": "now@example.com"}))

    assert reset.status_code == 200
    assert reset.json()["frozen"] is False
    assert reset.json()["offsetSeconds"] == 0
    now = datetime.now(UTC)
    assert abs(instant(reset.json()["now"]) - now) < timedelta(seconds=5)
    assert abs(instant(contact["registeredAt"]) - now) < timedelta(seconds=5)
    assert mockserver.admin("GET", "clock")["frozen"] is False


# -- bad admin input --------------------------------------------------------------------------
BAD_ADMIN_INPUT = [
    ("seed-not-an-integer", "POST", "seed", {"json": {"provider": "systeme", "apiKey": "admin-bad", "seed": "x"}}),
    ("seed-boolean", "POST", "seed", {"json": {"provider": "systeme", "apiKey": "admin-bad", "seed": True}}),
    ("seed-unknown-provider", "POST", "seed", {"json": {"provider": "nope"}}),
    ("seed-key-not-a-string", "POST", "seed", {"json": {"provider": "systeme", "apiKey": 5}}),
    ("wait-negative-timeout", "POST", "webhooks/wait", {"json": {"timeout": -1}}),
    ("wait-timeout-not-a-number", "POST", "webhooks/wait", {"json": {"timeout": "soon"}}),
    ("reset-unknown-provider", "POST", "reset", {"json": {"provider": "nope"}}),
    ("reset-not-json", "POST", "reset", {"data": "{not json", "headers": {"Content-Type": "application/json"}}),
    ("reset-not-an-object", "POST", "reset", {"json": [1, 2]}),
    ("tenants-unknown-provider", "POST", "tenants", {"json": {"provider": "nope", "apiKey": "admin-bad"}}),
    ("tenants-without-key", "POST", "tenants", {"json": {"provider": "systeme"}}),
    (
        "tenants-demo-seed-not-an-integer",
        "POST",
        "tenants",
        {"json": {"provider": "systeme", "apiKey": "admin-bad", "demo": True, "seed": "x"}},
    ),
    ("list-tenants-unknown-provider", "GET", "tenants?provider=nope", {}),
    ("journal-unknown-provider", "GET", "journal?provider=nope", {}),
    ("clock-not-json", "POST", "clock", {"data": "advance=60"}),
    ("clock-nan", "POST", "clock", {"data": '{"advance": NaN}', "headers": {"Content-Type": "application/json"}}),
    ("clock-advance-not-a-number", "POST", "clock", {"json": {"advance": "an hour"}}),
    ("clock-set-not-an-instant", "POST", "clock", {"json": {"set": "yesterday"}}),
    ("clock-advance-out-of-range", "POST", "clock", {"json": {"advance": 1e20}}),
    ("clock-set-then-advance-out-of-range", "POST", "clock", {"json": {"set": "9999-12-31T00:00:00Z", "advance": 10 * 86400}}),
    ("sales-not-json", "POST", "systeme/sales", {"data": "{", "headers": {"Content-Type": "application/json"}}),
]


@pytest.mark.usefixtures("restore_clock")
@pytest.mark.parametrize(("method", "path", "kwargs"), [c[1:] for c in BAD_ADMIN_INPUT], ids=[c[0] for c in BAD_ADMIN_INPUT])
def test_bad_admin_input_is_400_with_an_error(mockserver: Emulator, method: str, path: str, kwargs: dict[str, Any]) -> None:
    response = admin_response(mockserver, method, path, **kwargs)
    assert response.status_code == 400, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert isinstance(body["error"], str) and body["error"]


@pytest.mark.usefixtures("restore_clock")
@pytest.mark.parametrize("move", [{"advance": 1e20}, {"advance": -1e20}, {"set": "9999-12-31T00:00:00Z", "advance": 10 * 86400}])
def test_refused_clock_move_leaves_the_api_working(mockserver: Emulator, systeme: ApiSession, move: dict[str, Any]) -> None:
    admin_response(mockserver, "POST", "clock", json=move)
    assert admin_response(mockserver, "GET", "clock").status_code == 200
    response = systeme.post("/api/tags", json={"name": "Still working"})
    assert response.status_code == 201, response.text[:300]


# -- rate limit -------------------------------------------------------------------------------
def test_rate_limit_counts_down_then_answers_429(limited: Emulator) -> None:
    api = limited.account("systeme").session()
    for remaining in (2, 1, 0):
        response = api.get("/api/contacts")
        assert response.status_code == 200, response.text
        assert response.headers["X-RateLimit-Limit"] == "3"
        assert response.headers["X-RateLimit-Remaining"] == str(remaining)
        assert 0 <= int(response.headers["X-RateLimit-Refill"]) <= 60

    refused = api.get("/api/contacts")

    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    body = refused.json()
    assert {"type", "title", "detail"} <= set(body)
    assert api.post("/api/tags", json={"name": "Too many"}).status_code == 429


def test_rate_limit_is_per_key(limited: Emulator) -> None:
    busy, calm = limited.account("systeme").session(), limited.account("systeme").session()
    for _ in range(4):
        busy.get("/api/tags")
    assert busy.get("/api/tags").status_code == 429

    response = calm.get("/api/tags")

    assert response.status_code == 200
    assert response.headers["X-RateLimit-Remaining"] == "2"


def test_reset_of_a_tenant_gives_it_a_fresh_quota(limited: Emulator) -> None:
    account = limited.account("systeme")
    api = account.session()
    for _ in range(3):
        api.get("/api/tags")
    assert api.get("/api/tags").status_code == 429
    account.reset()
    assert api.get("/api/tags").status_code == 200
