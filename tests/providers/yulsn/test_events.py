"""Yulsn contact events: batch create (contact by id or secret, unknown contacts, unique
external ids), the type/subtype/contact/time filters (dates as .NET writes them), and
`lastId` paging across thousands of events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from mockserver.testing import Account, ApiSession
from tests.providers.yulsn.helpers import message
from tests.support import ok

EVENT_KEYS = {"Id", "Created", "ContactId", "Type", "SubType", "ParentId", "ParentType", "UniqueExtId", "InfoJson"}
EVENTS = "/api/v1/ContactEvents"
# 2024-05-14T10:00:00Z, where the tests freeze the clock.
START = datetime(2024, 5, 14, 10, 0, tzinfo=UTC)


def contact(client: ApiSession, email: str) -> dict[str, Any]:
    found: dict[str, Any] = ok(client.post("/api/v1/Contacts", json={"Email": email}))
    return found


def post(client: ApiSession, events: list[dict[str, Any]], **params: Any) -> list[dict[str, Any]]:
    created: list[dict[str, Any]] = ok(client.post(EVENTS, json=events, params=params))
    return created


def of_type(client: ApiSession, kind: str, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ok(client.get(EVENTS, params={"type": kind, **params}))
    return found


@pytest.fixture
def clock(account: Account) -> Account:
    """The account's clock (no other account's) frozen at START."""
    # Frozen first, then set: freeze_clock(START) lands microseconds past START (the admin
    # API sets a running clock, then freezes it).
    account.freeze_clock()
    account.set_clock(START)
    return account


def advance(account: Account, seconds: int) -> None:
    account.advance_clock(seconds)


# -- create -------------------------------------------------------------------------------
def test_create_answers_the_events_created(yulsn: ApiSession) -> None:
    person = contact(yulsn, "ev@example.dk")
    created = post(
        yulsn,
        [
            {"ContactId": person["Id"], "Type": "PageView", "SubType": "Product", "InfoJson": {"Url": "/shoes", "Depth": [1, 2]}},
            {"ContactId": person["Id"], "Type": "Purchase", "ParentId": "W-1", "ParentType": "Order", "UniqueExtId": "u-1"},
        ],
    )
    assert len(created) == 2
    assert all(set(event) == EVENT_KEYS for event in created)
    first, second = created
    assert first["Id"] < second["Id"]
    assert (first["ContactId"], first["Type"], first["SubType"]) == (person["Id"], "PageView", "Product")
    assert first["InfoJson"] == {"Url": "/shoes", "Depth": [1, 2]}
    assert first["UniqueExtId"] is None
    assert (second["ParentId"], second["ParentType"], second["UniqueExtId"]) == ("W-1", "Order", "u-1")
    assert second["InfoJson"] is None
    assert of_type(yulsn, "PageView") == [first]
    assert of_type(yulsn, "Purchase") == [second]


def test_camel_case_bodies_are_read_like_pascal_case(yulsn: ApiSession) -> None:
    person = contact(yulsn, "camel@example.dk")
    created = post(yulsn, [{"contactId": person["Id"], "type": "Login", "subType": "App", "infoJson": {"Device": "ios"}}])
    assert (created[0]["ContactId"], created[0]["Type"], created[0]["SubType"]) == (person["Id"], "Login", "App")
    assert created[0]["InfoJson"] == {"Device": "ios"}


def test_a_contact_may_be_named_by_its_secret(yulsn: ApiSession) -> None:
    person = contact(yulsn, "secret@example.dk")
    created = post(yulsn, [{"ContactSecret": person["Secret"], "Type": "Login"}])
    assert created[0]["ContactId"] == person["Id"]


def test_an_event_without_contact_id_or_secret_is_400_and_nothing_is_created(yulsn: ApiSession) -> None:
    person = contact(yulsn, "n@example.dk")
    response = yulsn.post(EVENTS, json=[{"ContactId": person["Id"], "Type": "Login"}, {"Type": "Login"}])
    assert "ContactSecret" in message(response, 400)
    assert of_type(yulsn, "Login") == []


def test_an_unknown_contact_is_404_and_nothing_is_created(yulsn: ApiSession) -> None:
    person = contact(yulsn, "k@example.dk")
    batch = [{"ContactId": person["Id"], "Type": "Login"}, {"ContactId": 9999, "Type": "Login"}]
    message(yulsn.post(EVENTS, json=batch), 404)
    message(yulsn.post(EVENTS, json=[{"ContactSecret": "NoSuchSecret", "Type": "Login"}]), 404)
    assert of_type(yulsn, "Login") == []


@pytest.mark.parametrize("flag", ["true", "True"])
def test_ignore_unknown_contacts_skips_their_events(yulsn: ApiSession, flag: str) -> None:
    person = contact(yulsn, "i@example.dk")
    batch = [
        {"ContactId": 9999, "Type": "Login"},
        {"ContactId": person["Id"], "Type": "Login", "SubType": "kept"},
        {"ContactSecret": "NoSuchSecret", "Type": "Login"},
    ]
    created = post(yulsn, batch, ignoreUnknownContacts=flag)
    assert [(e["ContactId"], e["SubType"]) for e in created] == [(person["Id"], "kept")]
    assert of_type(yulsn, "Login") == created


def test_ignore_unknown_contacts_false_still_refuses(yulsn: ApiSession) -> None:
    message(yulsn.post(EVENTS, json=[{"ContactId": 9999, "Type": "Login"}], params={"ignoreUnknownContacts": "false"}), 404)


def test_a_unique_ext_id_already_used_skips_the_event(yulsn: ApiSession) -> None:
    person = contact(yulsn, "u@example.dk")
    first = post(yulsn, [{"ContactId": person["Id"], "Type": "Purchase", "UniqueExtId": "order-1", "SubType": "first"}])
    again = post(
        yulsn,
        [
            {"ContactId": person["Id"], "Type": "Purchase", "UniqueExtId": "order-1", "SubType": "repeat"},
            {"ContactId": person["Id"], "Type": "Purchase", "UniqueExtId": "order-2", "SubType": "new"},
            {"ContactId": person["Id"], "Type": "Purchase", "UniqueExtId": "order-2", "SubType": "twice in the batch"},
            {"ContactId": person["Id"], "Type": "Purchase", "UniqueExtId": None, "SubType": "null 1"},
            {"ContactId": person["Id"], "Type": "Purchase", "SubType": "null 2"},
        ],
    )
    assert [e["SubType"] for e in again] == ["new", "null 1", "null 2"]
    assert [e["SubType"] for e in of_type(yulsn, "Purchase")] == ["first", "new", "null 1", "null 2"]
    assert first[0]["UniqueExtId"] == "order-1"


def test_an_empty_batch_creates_nothing(yulsn: ApiSession) -> None:
    assert post(yulsn, []) == []


@pytest.mark.parametrize(
    "body",
    [
        {"ContactId": 1, "Type": "Login"},  # an object, not an array
        [{"ContactId": 1}],  # no Type
        [{"ContactId": 1, "Type": ""}],
    ],
)
def test_malformed_batches_are_400(yulsn: ApiSession, body: Any) -> None:
    contact(yulsn, "m@example.dk")
    assert yulsn.post(EVENTS, json=body).status_code == 400
    assert of_type(yulsn, "Login") == []


# -- reading ------------------------------------------------------------------------------
def test_type_is_required(yulsn: ApiSession) -> None:
    assert yulsn.get(EVENTS).status_code == 400
    assert yulsn.get(EVENTS, params={"lastId": 0}).status_code == 400


def test_filters_by_type_subtype_and_contact(yulsn: ApiSession) -> None:
    ann, bob = contact(yulsn, "ann@example.dk"), contact(yulsn, "bob@example.dk")
    made = post(
        yulsn,
        [
            {"ContactId": ann["Id"], "Type": "PageView", "SubType": "Product"},
            {"ContactId": bob["Id"], "Type": "PageView", "SubType": "Product"},
            {"ContactId": ann["Id"], "Type": "PageView", "SubType": "Category"},
            {"ContactId": ann["Id"], "Type": "Login", "SubType": "Product"},
        ],
    )
    assert of_type(yulsn, "PageView") == made[:3]
    assert of_type(yulsn, "pageview") == made[:3], "types match without regard to case"
    assert of_type(yulsn, "PageView", subtype="Product") == made[:2]
    assert of_type(yulsn, "PageView", contactId=ann["Id"]) == [made[0], made[2]]
    assert of_type(yulsn, "PageView", subtype="Product", contactId=bob["Id"]) == [made[1]]
    assert of_type(yulsn, "Nothing") == []


def test_from_is_inclusive_and_to_exclusive(yulsn: ApiSession, clock: Account) -> None:
    person = contact(yulsn, "t@example.dk")
    made = []
    for _ in range(3):  # at 10:00, 11:00 and 12:00 on 2024-05-14
        made += post(yulsn, [{"ContactId": person["Id"], "Type": "Visit"}])
        advance(clock, 3600)
    assert made[0]["Created"] == "2024-05-14T10:00:00+00:00"
    assert of_type(yulsn, "Visit", **{"from": "2024-05-14T11:00:00+00:00"}) == made[1:]
    assert of_type(yulsn, "Visit", to="2024-05-14T12:00:00Z") == made[:2]
    assert of_type(yulsn, "Visit", **{"from": "2024-05-14T10:00:00Z", "to": "2024-05-14T11:00:00Z"}) == made[:1]


def test_dotnet_dates_are_read_with_the_plus_unescaped(yulsn: ApiSession, clock: Account) -> None:
    """The vendor's client sends `05/14/2024 10:00:00 +00:00` without escaping the `+`,
    so it arrives as a space."""
    person = contact(yulsn, "dotnet@example.dk")
    made = []
    for _ in range(3):
        made += post(yulsn, [{"ContactId": person["Id"], "Type": "Visit"}])
        advance(clock, 3600)
    raw = ok(yulsn.get(f"{EVENTS}?type=Visit&from=05/14/2024 11:00:00 +00:00&to=05/14/2024 12:00:00 +00:00"))
    assert raw == [made[1]]
    escaped = of_type(yulsn, "Visit", **{"from": "05/14/2024 11:00:00 +00:00"})
    assert escaped == made[1:]
    offset = of_type(yulsn, "Visit", to="05/14/2024 13:00:00 +02:00")  # 11:00 UTC
    assert offset == made[:1]
    assert of_type(yulsn, "Visit", **{"from": "05/14/2024"}) == made, "a date alone is midnight"


def test_an_unreadable_date_is_400(yulsn: ApiSession) -> None:
    message(yulsn.get(EVENTS, params={"type": "Visit", "from": "yesterday"}), 400)
    message(yulsn.get(EVENTS, params={"type": "Visit", "to": "13/45/2024 10:00:00"}), 400)


def test_last_id_answers_the_types_later_events_ascending(yulsn: ApiSession) -> None:
    person = contact(yulsn, "l@example.dk")
    made = post(yulsn, [{"ContactId": person["Id"], "Type": kind} for kind in ("A", "B", "A", "A", "B")])
    a_ids = [e["Id"] for e in made if e["Type"] == "A"]
    assert [e["Id"] for e in of_type(yulsn, "A", lastId=0)] == a_ids
    assert [e["Id"] for e in of_type(yulsn, "A", lastId=a_ids[0])] == a_ids[1:], "lastId itself is not repeated"
    assert of_type(yulsn, "A", lastId=a_ids[-1]) == []


def test_last_id_pages_across_2500_events_without_gaps_or_repeats(yulsn: ApiSession) -> None:
    people = [contact(yulsn, f"p{i}@example.dk") for i in range(5)]
    wanted: list[int] = []
    for batch in range(5):
        events = [{"ContactId": people[i % 5]["Id"], "Type": "PageView", "SubType": f"b{batch}"} for i in range(500)]
        events += [{"ContactId": people[0]["Id"], "Type": "Login"} for _ in range(20)]  # another type in between
        created = post(yulsn, events)
        assert len(created) == 520
        wanted += [e["Id"] for e in created if e["Type"] == "PageView"]
    seen: list[int] = []
    pages = []
    last = 0
    while True:
        page = of_type(yulsn, "PageView", lastId=last)
        if not page:
            break
        ids = [e["Id"] for e in page]
        assert len(ids) <= 1000
        assert ids == sorted(ids)
        assert ids[0] > last
        assert {e["Type"] for e in page} == {"PageView"}
        pages.append(len(ids))
        seen += ids
        last = ids[-1]
    assert pages == [1000, 1000, 500]
    assert seen == wanted
    assert len(set(seen)) == 2500


# -- the demo account ---------------------------------------------------------------------
def test_the_demo_events_page_completely_by_type(yulsn_demo: ApiSession) -> None:
    """The demo's ~2600 events, paged by lastId per type, are exactly the unfiltered lists."""
    total = 0
    for kind in ("PageView", "Purchase", "Login"):
        everything = of_type(yulsn_demo, kind)
        assert everything, f"the demo has {kind} events"
        paged: list[dict[str, Any]] = []
        last = 0
        while page := of_type(yulsn_demo, kind, lastId=last):
            assert len(page) <= 1000
            paged += page
            last = page[-1]["Id"]
        assert paged == everything
        assert len({e["Id"] for e in paged}) == len(paged)
        total += len(paged)
    assert total >= 2500
    known = set(ok(yulsn_demo.get("/api/v1/Contacts")))
    assert {e["ContactId"] for e in of_type(yulsn_demo, "Purchase")} <= known
