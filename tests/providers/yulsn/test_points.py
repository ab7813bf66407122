"""Yulsn points: the ledger (types, running `Sum`, cancellation), the four GET /Points
look-ups, and every sum and total, which count only live points (neither cancelled nor
cancellers) and must agree with a recomputation from GET /Points."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from mockserver.testing import Account, ApiSession
from tests.providers.yulsn.helpers import message
from tests.support import ok, trigger_response

POINT_KEYS = {
    "Id", "ContactId", "ContactCompanyId", "Type", "Amount", "Sum", "DateTime", "Description", "SourceId", "SourceDescription",
    "StoreId", "AdministratorId", "BookValue", "SubType", "PointCalculationBase", "ConverterTransactionId", "IsCanceller",
    "CancellerPointId",
}  # fmt: skip
POINTS = "/api/v1/Points"
MAY = "2024-05-{:02d}T12:00:00+00:00"


def give(client: ApiSession, contact_id: int, amount: float, kind: str = "Loyalty", **fields: Any) -> dict[str, Any]:
    point: dict[str, Any] = ok(client.post(POINTS, json={"ContactId": contact_id, "Type": kind, "Amount": amount, **fields}))
    return point


def every_point(client: ApiSession) -> list[dict[str, Any]]:
    """GET /Points paged by lastId to the end."""
    found: list[dict[str, Any]] = []
    last = 0
    while page := ok(client.get(POINTS, params={"lastId": last})):
        found += page
        last = page[-1]["Id"]
    return found


def live(point: dict[str, Any]) -> bool:
    return not point["IsCanceller"] and point["CancellerPointId"] is None


@dataclass
class World:
    """A fresh account with two point types, two stores, a company and three contacts
    (the first belongs to the company)."""

    stores: list[int]
    company: int
    contacts: list[int]


@pytest.fixture
def world(yulsn: ApiSession, account: Account) -> World:
    types = trigger_response(account, "types", pointTypes=["Loyalty", "Bonus"])
    assert types.status_code == 200, types.text
    stores = [ok(yulsn.post("/api/v1/Stores", json={"Number": str(n), "Name": f"Store {n}"}))["Id"] for n in (101, 102)]
    company = ok(yulsn.post("/api/v1/ContactCompanies", json={"Name": "Acme", "Number": "DK1"}))["Id"]
    contacts = [
        ok(yulsn.post("/api/v1/Contacts", json={"Email": "a@example.dk", "ContactCompanyId": company}))["Id"],
        ok(yulsn.post("/api/v1/Contacts", json={"Email": "b@example.dk"}))["Id"],
        ok(yulsn.post("/api/v1/Contacts", json={"Email": "c@example.dk"}))["Id"],
    ]
    return World(stores, company, contacts)


# -- types --------------------------------------------------------------------------------
def test_a_new_account_has_the_loyalty_type(yulsn: ApiSession) -> None:
    assert ok(yulsn.get(f"{POINTS}/Types")) == ["Loyalty"]


def test_the_types_are_the_accounts(yulsn: ApiSession, world: World) -> None:
    assert ok(yulsn.get(f"{POINTS}/Types")) == ["Loyalty", "Bonus"]
    assert (
        message(yulsn.post(POINTS, json={"ContactId": world.contacts[0], "Type": "Stars", "Amount": 5}), 400)
        == "Invalid point type!"
    )
    assert give(yulsn, world.contacts[0], 5, kind="bonus")["Type"] == "Bonus", "types match without regard to case"


def test_an_unknown_type_in_a_query_is_400(yulsn: ApiSession, world: World) -> None:
    assert message(yulsn.get(f"{POINTS}/Totals", params={"type": "Stars"}), 400) == "Invalid point type!"
    message(yulsn.get(f"{POINTS}/SumsByContact", params={"type": "Stars"}), 400)
    message(yulsn.get(POINTS, params={"lastId": 0, "type": "Stars"}), 400)


# -- create and read ----------------------------------------------------------------------
def test_create_answers_the_point_with_its_sum(yulsn: ApiSession, world: World) -> None:
    point = give(
        yulsn, world.contacts[0], 100, StoreId=world.stores[0], Description="Purchase", SourceId="W-1", SourceDescription="Order",
        SubType="Webshop", BookValue=12.5, PointCalculationBase=1000,
    )  # fmt: skip
    assert set(point) == POINT_KEYS
    assert (point["ContactId"], point["Type"], point["Amount"], point["Sum"]) == (world.contacts[0], "Loyalty", 100, 100)
    assert (point["StoreId"], point["SourceId"], point["SubType"], point["BookValue"]) == (
        world.stores[0],
        "W-1",
        "Webshop",
        12.5,
    )
    assert point["IsCanceller"] is False
    assert point["CancellerPointId"] is None
    assert point["ContactCompanyId"] is None
    assert ok(yulsn.get(f"{POINTS}/{point['Id']}")) == point


def test_camel_case_bodies_are_read_like_pascal_case(yulsn: ApiSession, world: World) -> None:
    point = ok(
        yulsn.post(POINTS, json={"contactId": world.contacts[1], "type": "Loyalty", "amount": 7.5, "storeId": world.stores[1]})
    )
    assert (point["ContactId"], point["Amount"], point["StoreId"]) == (world.contacts[1], 7.5, world.stores[1])


def test_a_given_date_time_is_kept(yulsn: ApiSession, world: World) -> None:
    point = give(yulsn, world.contacts[0], 1, DateTime="2024-05-03T12:00:00+02:00")
    assert point["DateTime"] == "2024-05-03T10:00:00+00:00"


def test_create_refuses_unknown_contacts_stores_and_companies(yulsn: ApiSession, world: World) -> None:
    message(yulsn.post(POINTS, json={"ContactId": 999, "Type": "Loyalty", "Amount": 1}), 404)
    body = {"ContactId": world.contacts[0], "Type": "Loyalty", "Amount": 1}
    assert "998" in message(yulsn.post(POINTS, json={**body, "StoreId": 998}), 400)
    assert "997" in message(yulsn.post(POINTS, json={**body, "ContactCompanyId": 997}), 400)
    assert yulsn.post(POINTS, json={"ContactId": world.contacts[0], "Type": "Loyalty"}).status_code == 400, "Amount is required"
    assert every_point(yulsn) == []


def test_an_unknown_point_is_404(yulsn: ApiSession) -> None:
    message(yulsn.get(f"{POINTS}/12345"), 404)
    message(yulsn.post(f"{POINTS}/12345/Cancel"), 404)


def test_sum_is_the_contacts_running_balance_of_the_type(yulsn: ApiSession, world: World) -> None:
    ann, bob = world.contacts[:2]
    made = [
        give(yulsn, ann, 100),
        give(yulsn, bob, 40),
        give(yulsn, ann, 50),
        give(yulsn, ann, 25, kind="Bonus"),
        give(yulsn, ann, -30),
    ]
    assert [p["Sum"] for p in made] == [100, 40, 150, 25, 120]
    assert [p["Sum"] for p in every_point(yulsn)] == [100, 40, 150, 25, 120], "the sums read back the same"


# -- cancellation -------------------------------------------------------------------------
def test_cancel_adds_a_canceller_and_marks_the_original(yulsn: ApiSession, world: World) -> None:
    ann = world.contacts[0]
    first = give(yulsn, ann, 100, StoreId=world.stores[0], SourceId="W-9", BookValue=10)
    second = give(yulsn, ann, 30)
    canceller = ok(yulsn.post(f"{POINTS}/{first['Id']}/Cancel"))
    assert set(canceller) == POINT_KEYS
    assert canceller["Id"] > second["Id"]
    assert canceller["IsCanceller"] is True
    assert canceller["CancellerPointId"] is None
    assert (canceller["Amount"], canceller["BookValue"]) == (-100, -10)
    assert (canceller["ContactId"], canceller["Type"], canceller["StoreId"]) == (ann, "Loyalty", world.stores[0])
    original = ok(yulsn.get(f"{POINTS}/{first['Id']}"))
    assert original["CancellerPointId"] == canceller["Id"]
    assert original["IsCanceller"] is False
    assert original["Amount"] == 100
    # Neither the cancelled point nor its canceller counts any more.
    assert [p["Sum"] for p in every_point(yulsn)] == [0, 30, 30]
    assert canceller["Sum"] == 30
    assert ok(yulsn.get(f"{POINTS}/TotalForContact", params={"contactId": ann, "type": "Loyalty"})) == 30


def test_a_point_is_cancelled_once_and_a_canceller_never(yulsn: ApiSession, world: World) -> None:
    point = give(yulsn, world.contacts[0], 10)
    canceller = ok(yulsn.post(f"{POINTS}/{point['Id']}/Cancel"))
    message(yulsn.post(f"{POINTS}/{point['Id']}/Cancel"), 400)
    message(yulsn.post(f"{POINTS}/{canceller['Id']}/cancel"), 400)
    assert len(every_point(yulsn)) == 2, "refused cancellations add nothing"


# -- GET /Points look-ups -----------------------------------------------------------------
def test_last_id_pages_ascending_at_most_1000(yulsn: ApiSession, world: World) -> None:
    made = [give(yulsn, world.contacts[i % 3], 1, kind="Loyalty" if i % 4 else "Bonus")["Id"] for i in range(1010)]
    first = ok(yulsn.get(POINTS, params={"lastId": 0}))
    assert [p["Id"] for p in first] == made[:1000]
    assert [p["Id"] for p in ok(yulsn.get(POINTS, params={"lastId": made[999]}))] == made[1000:]
    bonus = [p["Id"] for p in ok(yulsn.get(POINTS, params={"lastId": made[0], "type": "Bonus"}))]
    assert bonus == [made[i] for i in range(4, 1010, 4)]
    assert [p["Id"] for p in every_point(yulsn)] == made


def test_by_source_id_and_type(yulsn: ApiSession, world: World) -> None:
    a = give(yulsn, world.contacts[0], 1, SourceId="ORDER-1")
    give(yulsn, world.contacts[0], 2, SourceId="ORDER-2")
    c = give(yulsn, world.contacts[1], 3, kind="Bonus", SourceId="ORDER-1")
    assert ok(yulsn.get(POINTS, params={"sourceId": "ORDER-1"})) == [a, c]
    assert ok(yulsn.get(POINTS, params={"sourceId": "ORDER-1", "type": "Bonus"})) == [c]
    assert ok(yulsn.get(POINTS, params={"sourceId": "NONE"})) == []


def test_by_contact_with_type_and_period(yulsn: ApiSession, world: World) -> None:
    ann, bob = world.contacts[:2]
    made = [give(yulsn, ann, day, DateTime=MAY.format(day)) for day in (1, 2, 3)]
    give(yulsn, bob, 5, DateTime=MAY.format(2))
    bonus = give(yulsn, ann, 9, kind="Bonus", DateTime=MAY.format(2))
    assert ok(yulsn.get(POINTS, params={"contactId": ann})) == [*made, bonus]
    assert ok(yulsn.get(POINTS, params={"contactId": ann, "type": "Loyalty"})) == made
    window = {"contactId": ann, "type": "Loyalty", "datetimeFrom": MAY.format(2), "datetimeTo": MAY.format(3)}
    assert ok(yulsn.get(POINTS, params=window)) == [made[1]], "from inclusive, to exclusive"
    dotnet = f"{POINTS}?contactId={ann}&type=Loyalty&datetimeFrom=05/02/2024 12:00:00 +00:00"
    assert ok(yulsn.get(dotnet)) == made[1:], "dates as .NET writes them, the + unescaped"


def test_by_type_period_and_store(yulsn: ApiSession, world: World) -> None:
    one, two = world.stores
    a = give(yulsn, world.contacts[0], 1, StoreId=one, DateTime=MAY.format(1))
    b = give(yulsn, world.contacts[1], 2, StoreId=two, DateTime=MAY.format(2))
    c = give(yulsn, world.contacts[2], 3, DateTime=MAY.format(3))
    d = give(yulsn, world.contacts[0], 4, kind="Bonus", StoreId=one, DateTime=MAY.format(2))
    assert ok(yulsn.get(POINTS, params={"type": "Loyalty"})) == [a, b, c]
    assert ok(yulsn.get(POINTS, params={"type": "Loyalty", "from": MAY.format(2)})) == [b, c]
    assert ok(yulsn.get(POINTS, params={"type": "Loyalty", "to": MAY.format(2)})) == [a]
    assert ok(yulsn.get(POINTS, params={"type": "Loyalty", "storeId": one})) == [a]
    assert ok(yulsn.get(POINTS, params={"type": "Bonus", "storeId": one})) == [d]
    message(yulsn.get(POINTS, params={"type": "Loyalty", "from": "not a date"}), 400)


def test_search_for_stores_takes_an_array_of_store_ids(yulsn: ApiSession, world: World) -> None:
    one, two = world.stores
    a = give(yulsn, world.contacts[0], 1, StoreId=one, DateTime=MAY.format(1))
    b = give(yulsn, world.contacts[1], 2, StoreId=two, DateTime=MAY.format(2))
    give(yulsn, world.contacts[2], 3, DateTime=MAY.format(3))
    search = f"{POINTS}/ForStores"
    assert ok(yulsn.request("SEARCH", search, params={"type": "Loyalty"}, json=[one, two])) == [a, b]
    assert ok(yulsn.request("SEARCH", search, params={"type": "Loyalty", "from": MAY.format(2)}, json=[one, two])) == [b]
    assert ok(yulsn.request("SEARCH", search, params={"type": "Loyalty"}, json=[two])) == [b]
    assert ok(yulsn.request("SEARCH", search, params={"type": "Loyalty"}, json=[])) == []
    assert yulsn.request("SEARCH", search, params={"type": "Loyalty"}, json={"Stores": [one]}).status_code == 400
    assert yulsn.request("SEARCH", search, json=[one]).status_code == 400, "type is required"


# -- sums and totals ----------------------------------------------------------------------
def test_totals_count_live_points_per_type(yulsn: ApiSession, world: World) -> None:
    ann, bob = world.contacts[:2]
    give(yulsn, ann, 100)
    cancelled = give(yulsn, bob, 70)
    give(yulsn, bob, -20)
    give(yulsn, ann, 5, kind="Bonus")
    ok(yulsn.post(f"{POINTS}/{cancelled['Id']}/Cancel"))
    assert ok(yulsn.get(f"{POINTS}/Totals")) == [
        {"Type": "Loyalty", "Sum": 80, "Count": 2},
        {"Type": "Bonus", "Sum": 5, "Count": 1},
    ]
    assert ok(yulsn.get(f"{POINTS}/Totals", params={"type": "Bonus"})) == [{"Type": "Bonus", "Sum": 5, "Count": 1}]


def test_sums_of_a_contact_per_type(yulsn: ApiSession, world: World) -> None:
    ann = world.contacts[0]
    give(yulsn, ann, 10, DateTime=MAY.format(1))
    give(yulsn, ann, 15, DateTime=MAY.format(4))
    sums = ok(yulsn.get(f"{POINTS}/Sums", params={"contactId": ann}))
    assert sums == [
        {"ContactId": ann, "Type": "Loyalty", "Sum": 25, "LastModified": MAY.format(4)},
        {"ContactId": ann, "Type": "Bonus", "Sum": 0, "LastModified": None},
    ]
    assert ok(yulsn.get(f"{POINTS}/Sums", params={"contactId": ann, "type": "loyalty"})) == sums[:1]
    assert ok(yulsn.get(f"{POINTS}/Sums", params={"contactId": 999})) == []
    assert yulsn.get(f"{POINTS}/Sums").status_code == 400, "contactId is required"


def test_sums_by_contact_for_a_type_and_store(yulsn: ApiSession, world: World) -> None:
    ann, bob, cy = world.contacts
    one, two = world.stores
    give(yulsn, ann, 10, StoreId=one, DateTime=MAY.format(1))
    give(yulsn, bob, 20, StoreId=two, DateTime=MAY.format(2))
    give(yulsn, ann, 5, StoreId=two, DateTime=MAY.format(3))
    ok(yulsn.post(f"{POINTS}/{give(yulsn, cy, 50)['Id']}/Cancel"))
    assert ok(yulsn.get(f"{POINTS}/SumsByContact", params={"type": "Loyalty"})) == [
        {"ContactId": ann, "Type": "Loyalty", "Sum": 15, "LastModified": MAY.format(3)},
        {"ContactId": bob, "Type": "Loyalty", "Sum": 20, "LastModified": MAY.format(2)},
    ]
    assert ok(yulsn.get(f"{POINTS}/SumsByContact", params={"type": "Loyalty", "storeId": two})) == [
        {"ContactId": ann, "Type": "Loyalty", "Sum": 5, "LastModified": MAY.format(3)},
        {"ContactId": bob, "Type": "Loyalty", "Sum": 20, "LastModified": MAY.format(2)},
    ]
    assert yulsn.get(f"{POINTS}/SumsByContact").status_code == 400, "type is required"


def test_sums_by_store_in_a_period(yulsn: ApiSession, world: World) -> None:
    one, two = world.stores
    give(yulsn, world.contacts[0], 10, StoreId=one, DateTime=MAY.format(1))
    give(yulsn, world.contacts[1], 20, StoreId=two, DateTime=MAY.format(2))
    give(yulsn, world.contacts[2], 30, DateTime=MAY.format(3))
    give(yulsn, world.contacts[2], 1, kind="Bonus", StoreId=one, DateTime=MAY.format(3))
    assert ok(yulsn.get(f"{POINTS}/SumsByStore", params={"type": "Loyalty"})) == [
        {"StoreId": one, "Type": "Loyalty", "Sum": 10},
        {"StoreId": two, "Type": "Loyalty", "Sum": 20},
        {"StoreId": None, "Type": "Loyalty", "Sum": 30},
    ]
    period = {"type": "Loyalty", "from": "05/02/2024 00:00:00 +00:00", "to": MAY.format(3)}
    assert ok(yulsn.get(f"{POINTS}/SumsByStore", params=period)) == [{"StoreId": two, "Type": "Loyalty", "Sum": 20}]


def test_total_for_a_contact_by_type_and_subtype(yulsn: ApiSession, world: World) -> None:
    ann = world.contacts[0]
    give(yulsn, ann, 10, SubType="Webshop")
    give(yulsn, ann, 20, SubType="Store")
    give(yulsn, ann, 40, kind="Bonus", SubType="Webshop")
    total = f"{POINTS}/TotalForContact"
    assert ok(yulsn.get(total, params={"contactId": ann, "type": "Loyalty"})) == 30
    assert ok(yulsn.get(total, params={"contactId": ann, "type": "Loyalty", "subType": "webshop"})) == 10
    assert ok(yulsn.get(total, params={"contactid": ann, "type": "Loyalty", "subtype": "Store"})) == 20, "query names in any case"
    assert ok(yulsn.get(total, params={"contactId": world.contacts[1], "type": "Loyalty"})) == 0
    message(yulsn.get(total, params={"contactId": 999, "type": "Loyalty"}), 404)
    assert yulsn.get(total, params={"contactId": ann}).status_code == 400, "type is required"


def test_company_points_are_its_own_and_its_contacts(yulsn: ApiSession, world: World) -> None:
    """A point counts for its ContactCompanyId, or else for its contact's company."""
    member, outsider, _ = world.contacts
    one, two = world.stores
    via_contact = give(yulsn, member, 10, StoreId=one, DateTime=MAY.format(1))
    named = give(yulsn, outsider, 20, StoreId=two, ContactCompanyId=world.company, DateTime=MAY.format(2))
    give(yulsn, outsider, 40, StoreId=one, DateTime=MAY.format(3))
    assert named["ContactCompanyId"] == world.company
    by_company = f"{POINTS}/ByContactCompany"
    params = {"contactCompanyId": world.company, "type": "Loyalty"}
    assert ok(yulsn.get(by_company, params=params)) == [via_contact, named]
    assert ok(yulsn.get(by_company, params={**params, "storeId": two})) == [named]
    assert ok(yulsn.get(by_company, params={**params, "from": MAY.format(2)})) == [named]
    assert ok(yulsn.get(f"{POINTS}/TotalForContactCompany", params=params)) == 30
    assert ok(yulsn.get(f"{POINTS}/TotalForContactCompany", params={**params, "to": MAY.format(2)})) == 10
    assert ok(yulsn.get(f"{POINTS}/SumsByContactCompanies", params={"type": "Loyalty"})) == [
        {"ContactCompanyId": world.company, "Type": "Loyalty", "Sum": 30}
    ]
    assert ok(yulsn.get(f"{POINTS}/SumsByContactCompanies", params={"type": "Loyalty", "storeId": one})) == [
        {"ContactCompanyId": world.company, "Type": "Loyalty", "Sum": 10}
    ]
    sums = ok(yulsn.request("SEARCH", f"{POINTS}/SumsForStoresByContactCompanies", params={"type": "Loyalty"}, json=[one, two]))
    assert sums == [
        {"StoreId": one, "ContactCompanyId": world.company, "Type": "Loyalty", "Sum": 10},
        {"StoreId": two, "ContactCompanyId": world.company, "Type": "Loyalty", "Sum": 20},
    ]


def test_a_company_without_live_points_has_a_null_total(yulsn: ApiSession, world: World) -> None:
    params = {"contactCompanyId": world.company, "type": "Loyalty"}
    assert ok(yulsn.get(f"{POINTS}/TotalForContactCompany", params=params)) is None
    point = give(yulsn, world.contacts[0], 10)
    assert ok(yulsn.get(f"{POINTS}/TotalForContactCompany", params=params)) == 10
    ok(yulsn.post(f"{POINTS}/{point['Id']}/Cancel"))
    assert ok(yulsn.get(f"{POINTS}/TotalForContactCompany", params=params)) is None
    assert len(ok(yulsn.get(f"{POINTS}/ByContactCompany", params=params))) == 2, "the list shows the point and its canceller"


def test_an_unknown_company_is_404(yulsn: ApiSession, world: World) -> None:
    params = {"contactCompanyId": 999, "type": "Loyalty"}
    message(yulsn.get(f"{POINTS}/TotalForContactCompany", params=params), 404)
    message(yulsn.get(f"{POINTS}/ByContactCompany", params=params), 404)


# -- the demo account: every aggregate agrees with GET /Points ----------------------------
def summed(points: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], Any]) -> dict[Any, float]:
    totals: dict[Any, float] = defaultdict(float)
    for point in points:
        group = key(point)
        if live(point) and group is not None:
            totals[group] += point["Amount"]
    return dict(totals)


def close(left: dict[Any, float], right: dict[Any, float]) -> bool:
    return left.keys() == right.keys() and all(abs(left[k] - right[k]) < 1e-6 for k in left)


@pytest.fixture
def demo_points(yulsn_demo: ApiSession) -> list[dict[str, Any]]:
    points = every_point(yulsn_demo)
    assert len(points) >= 250
    return points


def test_the_demo_ledger_has_both_types_stores_and_cancellations(demo_points: list[dict[str, Any]]) -> None:
    assert {p["Type"] for p in demo_points} == {"Loyalty", "Bonus"}
    assert any(p["StoreId"] is not None for p in demo_points)
    cancellers = {p["Id"]: p for p in demo_points if p["IsCanceller"]}
    cancelled = [p for p in demo_points if p["CancellerPointId"] is not None]
    assert cancelled, "a few demo points are cancelled"
    assert sorted(p["CancellerPointId"] for p in cancelled) == sorted(cancellers)
    for point in cancelled:
        canceller = cancellers[point["CancellerPointId"]]
        assert canceller["Amount"] == -point["Amount"]
        assert (canceller["ContactId"], canceller["Type"]) == (point["ContactId"], point["Type"])


def test_demo_point_sums_are_running_live_balances(demo_points: list[dict[str, Any]]) -> None:
    running: dict[tuple[int, str], float] = defaultdict(float)
    for point in demo_points:
        key = (point["ContactId"], point["Type"])
        if live(point):
            running[key] += point["Amount"]
        assert abs(point["Sum"] - running[key]) < 1e-6, point


def test_demo_totals_agree_with_the_ledger(yulsn_demo: ApiSession, demo_points: list[dict[str, Any]]) -> None:
    totals = {t["Type"]: t for t in ok(yulsn_demo.get(f"{POINTS}/Totals"))}
    expected = summed(demo_points, lambda p: p["Type"])
    assert close({kind: t["Sum"] for kind, t in totals.items()}, expected)
    for kind, total in totals.items():
        assert total["Count"] == sum(1 for p in demo_points if p["Type"] == kind and live(p))


def test_demo_contact_sums_agree_with_the_ledger(yulsn_demo: ApiSession, demo_points: list[dict[str, Any]]) -> None:
    for kind in ("Loyalty", "Bonus"):
        of_kind = [p for p in demo_points if p["Type"] == kind]
        by_contact = ok(yulsn_demo.get(f"{POINTS}/SumsByContact", params={"type": kind}))
        assert close({s["ContactId"]: s["Sum"] for s in by_contact}, summed(of_kind, lambda p: p["ContactId"]))
        store = next(p["StoreId"] for p in of_kind if p["StoreId"] is not None)
        in_store = ok(yulsn_demo.get(f"{POINTS}/SumsByContact", params={"type": kind, "storeId": store}))
        expected = summed((p for p in of_kind if p["StoreId"] == store), lambda p: p["ContactId"])
        assert close({s["ContactId"]: s["Sum"] for s in in_store}, expected)
    for contact_id in sorted({p["ContactId"] for p in demo_points})[:10]:
        mine = [p for p in demo_points if p["ContactId"] == contact_id]
        sums = ok(yulsn_demo.get(f"{POINTS}/Sums", params={"contactId": contact_id}))
        assert close({s["Type"]: s["Sum"] for s in sums}, {"Loyalty": 0.0, "Bonus": 0.0, **summed(mine, lambda p: p["Type"])})
        total = ok(yulsn_demo.get(f"{POINTS}/TotalForContact", params={"contactId": contact_id, "type": "Loyalty"}))
        assert abs(total - summed(mine, lambda p: p["Type"]).get("Loyalty", 0.0)) < 1e-6


def test_demo_store_sums_agree_with_the_ledger(yulsn_demo: ApiSession, demo_points: list[dict[str, Any]]) -> None:
    loyalty = [p for p in demo_points if p["Type"] == "Loyalty"]
    sums = ok(yulsn_demo.get(f"{POINTS}/SumsByStore", params={"type": "Loyalty"}))
    assert close({s["StoreId"] or "none": s["Sum"] for s in sums}, summed(loyalty, lambda p: p["StoreId"] or "none"))
    middle = when(loyalty[len(loyalty) // 2])
    later = ok(yulsn_demo.get(f"{POINTS}/SumsByStore", params={"type": "Loyalty", "from": middle.isoformat()}))
    expected = summed((p for p in loyalty if when(p) >= middle), lambda p: p["StoreId"] or "none")
    assert close({s["StoreId"] or "none": s["Sum"] for s in later}, expected)
    stores = sorted({p["StoreId"] for p in loyalty if p["StoreId"] is not None})[:2]
    found = ok(yulsn_demo.request("SEARCH", f"{POINTS}/ForStores", params={"type": "Loyalty"}, json=stores))
    assert found == [p for p in loyalty if p["StoreId"] in stores]


def test_demo_company_sums_agree_with_the_ledger(yulsn_demo: ApiSession, demo_points: list[dict[str, Any]]) -> None:
    """A point counts for its own ContactCompanyId, or else for its contact's company."""
    members: dict[int, int] = {}
    companies = [c["Id"] for c in ok(yulsn_demo.get("/api/v1/ContactCompanies"))]
    for company_id in companies:
        response = yulsn_demo.get(f"/api/v1/ContactCompanies/{company_id}/Contacts")
        for contact in response.json() if response.status_code == 200 else []:
            members[contact["Id"]] = company_id

    def company_of(point: dict[str, Any]) -> int | None:
        return point["ContactCompanyId"] if point["ContactCompanyId"] is not None else members.get(point["ContactId"])

    loyalty = [p for p in demo_points if p["Type"] == "Loyalty"]
    sums = ok(yulsn_demo.get(f"{POINTS}/SumsByContactCompanies", params={"type": "Loyalty"}))
    expected = summed(loyalty, company_of)
    assert expected, "some demo points count for a company"
    assert close({s["ContactCompanyId"]: s["Sum"] for s in sums}, expected)
    for company_id in companies:
        params = {"contactCompanyId": company_id, "type": "Loyalty"}
        total = ok(yulsn_demo.get(f"{POINTS}/TotalForContactCompany", params=params))
        if company_id in expected:
            assert abs(total - expected[company_id]) < 1e-6
        else:
            assert total is None
        listed = ok(yulsn_demo.get(f"{POINTS}/ByContactCompany", params=params))
        assert listed == [p for p in loyalty if company_of(p) == company_id]
    stores = sorted({p["StoreId"] for p in loyalty if p["StoreId"] is not None})
    pairs = ok(yulsn_demo.request("SEARCH", f"{POINTS}/SumsForStoresByContactCompanies", params={"type": "Loyalty"}, json=stores))
    by_pair = summed(loyalty, lambda p: None if company_of(p) is None or p["StoreId"] is None else (p["StoreId"], company_of(p)))
    assert close({(s["StoreId"], s["ContactCompanyId"]): s["Sum"] for s in pairs}, by_pair)


def when(point: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(point["DateTime"])
