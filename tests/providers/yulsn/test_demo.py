"""The demo account is consistent, read entirely over the API: every record another one names
exists (points' contacts, stores and companies; events' contacts; orders' contacts and stores;
segments' contacts; contacts' stores and companies); every point sum and total agrees with a
recomputation from the points themselves; and the demo data depends on the seed alone (the
same seed gives the same data, another seed other data).

What the demo declares about itself (how many contacts, which event types and segment
folders) is read from the provider's demo constants, not copied from a run.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
import requests

from mockserver.providers.yulsn import companies, demo, events, orders, segments, stores
from mockserver.testing import Account, ApiSession, Emulator

PAGE = 1000  # records per `lastId` page


def ok(response: requests.Response) -> Any:
    assert response.status_code == 200, f"{response.request.method} {response.url}: {response.status_code} {response.text[:300]}"
    return response.json()


def paged(client: ApiSession, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every record of a `lastId` look-up, page after page."""
    found: list[dict[str, Any]] = []
    while True:
        page = ok(client.get(path, params={**params, "lastId": found[-1]["Id"] if found else 0}))
        found += page
        if len(page) < PAGE:
            return found


def dec(value: Any) -> Decimal:
    return Decimal(str(value))


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass
class Holdings:
    """Everything an account holds, as the API answers it."""

    contacts: list[dict[str, Any]]
    stores: list[dict[str, Any]]
    companies: list[dict[str, Any]]
    points: list[dict[str, Any]]
    point_types: list[str]
    orders: list[dict[str, Any]]
    segments: list[dict[str, Any]]
    members: dict[int, list[int]]  # segment id -> its contact ids
    events: list[dict[str, Any]]
    receivers: list[dict[str, Any]]
    dispatches: list[dict[str, Any]]

    @property
    def contact_ids(self) -> set[int]:
        return {c["Id"] for c in self.contacts}

    @property
    def store_ids(self) -> set[int]:
        return {s["Id"] for s in self.stores}

    @property
    def company_ids(self) -> set[int]:
        return {c["Id"] for c in self.companies}

    def live(self, kind: str | None = None) -> list[dict[str, Any]]:
        """The points sums and totals count: neither cancelled nor a canceller."""
        return [
            p
            for p in self.points
            if not p["IsCanceller"] and p["CancellerPointId"] is None and (kind is None or p["Type"] == kind)
        ]


def read(client: ApiSession) -> Holdings:
    segment_rows = [
        row
        for folder in segments.DEMO_FOLDERS.values()
        for row in ok(client.get("/api/v1/Segments", params={"folderId": folder}))
    ]
    return Holdings(
        contacts=ok(client.get("/api/v1/Contacts/Registration")),
        stores=ok(client.get("/api/v1/Stores")),
        companies=ok(client.get("/api/v1/ContactCompanies")),
        points=paged(client, "/api/v1/Points"),
        point_types=ok(client.get("/api/v1/Points/Types")),
        orders=ok(client.request("SEARCH", "/api/v1/Orders", json=[])),
        segments=segment_rows,
        members={row["Id"]: ok(client.get(f"/api/v1/Segments/{row['Id']}/GetContactIds")) for row in segment_rows},
        events=[e for kind in events.DEMO_TYPES for e in paged(client, "/api/v1/ContactEvents", type=kind)],
        receivers=paged(client, "/api/v1/EmailDispatchReceiver"),
        dispatches=ok(client.get("/api/v1/EmailDispatches")),
    )


@pytest.fixture(scope="module")
def demo_client(mockserver: Emulator) -> ApiSession:
    """A demo account made once for the tests that only read it (the tests that change one
    use `yulsn_demo`, a fresh one each)."""
    return mockserver.account("yulsn", demo=True).session()


@pytest.fixture(scope="module")
def holdings(demo_client: ApiSession) -> Holdings:
    return read(demo_client)


def neutral(data: Any) -> Any:
    """Data with each account's own id taken out of the urls that carry it (media and export
    links), which is all that may differ between two accounts seeded alike."""
    text = json.dumps(data, sort_keys=True)
    text = re.sub(r"media\.yulsn\.com/\d+/", "media.yulsn.com/ACCOUNT/", text)
    text = re.sub(r"/Exports/\d+-", "/Exports/ACCOUNT-", text)
    return json.loads(text)


def seeded(account: Account, seed: int) -> ApiSession:
    """The account filled with the demo data of `seed`."""
    account.seed(seed)
    return account.session()


def snapshot(client: ApiSession) -> dict[str, Any]:
    """All of an account that the API lists, to compare two accounts."""
    tables = ok(client.get("/api/v1/DynamicTables"))
    folders = ok(client.get("/api/v1/Media/Folders"))
    return {
        "account": read(client).__dict__,
        "contactIds": ok(client.get("/api/v1/Contacts")),
        "baseInfo": ok(client.get("/api/v1/Contacts/GetContactsBaseInfo")),
        "fields": {owner: ok(client.get("/api/v1/DynamicFields", params={"owner": owner})) for owner in demo.DEMO_FIELDS},
        "tables": tables,
        "entities": {t["Name"]: paged(client, f"/api/v1/table/{t['Name']}") for t in tables},
        "orderTypes": ok(client.get("/api/v1/Orders/Types")),
        "totals": ok(client.get("/api/v1/Points/Totals")),
        "actions": ok(client.get("/api/v1/Actions")),
        "exports": ok(client.get("/api/v1/BulkExport")),
        "folders": folders,
        "media": {f["Id"]: ok(client.get("/api/v1/Media", params={"folderId": f["Id"]})) for f in folders},
        "categories": ok(client.get("/api/v1/PermissionSourceCategories")),
    }


# -- what the demo holds ----------------------------------------------------------------------
def test_the_demo_holds_what_it_declares(holdings: Holdings) -> None:
    assert len(holdings.contacts) == demo.CONTACT_COUNT
    assert len(holdings.stores) == len(stores.DEMO_STORES)
    assert len(holdings.companies) == len(companies.DEMO_COMPANIES)
    assert len(holdings.orders) == orders.ORDER_COUNT
    assert len(holdings.events) == events.DEMO_EVENTS, "every event has one of the declared types"
    assert holdings.points and holdings.segments and holdings.receivers and holdings.dispatches
    assert any(p["IsCanceller"] for p in holdings.points), "some points are cancelled"


def test_every_list_of_ids_agrees_with_the_records(demo_client: ApiSession, holdings: Holdings) -> None:
    assert ok(demo_client.get("/api/v1/Contacts")) == [c["Id"] for c in holdings.contacts]
    base = ok(demo_client.get("/api/v1/Contacts/GetContactsBaseInfo"))
    assert [b["Id"] for b in base] == [c["Id"] for c in holdings.contacts]
    for info in base:
        contact = next(c for c in holdings.contacts if c["Id"] == info["Id"])
        assert {k: contact[k] for k in info} == info


def test_every_contact_is_read_alike_by_id_email_and_secret(demo_client: ApiSession, holdings: Holdings) -> None:
    for contact in holdings.contacts:
        assert ok(demo_client.get(f"/api/v1/Contacts/{contact['Id']}")) == contact
        assert ok(demo_client.get("/api/v1/Contacts", params={"secret": contact["Secret"]}))["Id"] == contact["Id"]
        if contact["Email"]:
            assert ok(demo_client.get("/api/v1/Contacts", params={"email": contact["Email"]}))["Id"] == contact["Id"]


# -- references ---------------------------------------------------------------------------------
def test_contacts_name_existing_stores_and_companies(holdings: Holdings) -> None:
    for contact in holdings.contacts:
        for name in ("PreferredStoreId", "RegistrationStoreId"):
            assert contact[name] is None or contact[name] in holdings.store_ids, (contact["Id"], name)
        assert contact["ContactCompanyId"] is None or contact["ContactCompanyId"] in holdings.company_ids, contact["Id"]
    assert any(c["PreferredStoreId"] for c in holdings.contacts)
    assert any(c["ContactCompanyId"] for c in holdings.contacts)


def test_companies_name_existing_parents_and_primary_contacts(holdings: Holdings) -> None:
    for company in holdings.companies:
        assert company["ContactCompanyId"] is None or company["ContactCompanyId"] in holdings.company_ids, company
        assert company["ContactCompanyId"] != company["Id"]
        assert company["PrimaryContactId"] is None or company["PrimaryContactId"] in holdings.contact_ids, company


def test_company_contacts_are_the_contacts_naming_the_company(demo_client: ApiSession, holdings: Holdings) -> None:
    for company in holdings.companies:
        expected = sorted(c["Id"] for c in holdings.contacts if c["ContactCompanyId"] == company["Id"])
        response = demo_client.get(f"/api/v1/ContactCompanies/{company['Id']}/Contacts")
        if expected:
            assert sorted(c["Id"] for c in ok(response)) == expected
        else:
            assert response.status_code == 404, "a company without contacts is 404, as the spec says"


def test_every_point_names_an_existing_contact_store_and_company(holdings: Holdings) -> None:
    for point in holdings.points:
        assert point["ContactId"] in holdings.contact_ids, point
        assert point["StoreId"] is None or point["StoreId"] in holdings.store_ids, point
        assert point["ContactCompanyId"] is None or point["ContactCompanyId"] in holdings.company_ids, point
        assert point["Type"] in holdings.point_types, point


def test_cancelled_points_and_their_cancellers_pair_up(holdings: Holdings) -> None:
    by_id = {p["Id"]: p for p in holdings.points}
    cancellers = [p for p in holdings.points if p["IsCanceller"]]
    assert cancellers
    cancelled = [p for p in holdings.points if p["CancellerPointId"] is not None]
    assert len(cancelled) == len(cancellers)
    for original in cancelled:
        canceller = by_id[original["CancellerPointId"]]
        assert canceller["IsCanceller"] and not original["IsCanceller"]
        assert canceller["CancellerPointId"] is None
        assert dec(canceller["Amount"]) == -dec(original["Amount"])
        assert (canceller["ContactId"], canceller["Type"]) == (original["ContactId"], original["Type"])
        assert canceller["Id"] > original["Id"]


def test_every_event_belongs_to_an_existing_contact(holdings: Holdings) -> None:
    assert len({e["Id"] for e in holdings.events}) == len(holdings.events)
    for event in holdings.events:
        assert event["ContactId"] in holdings.contact_ids, event


def test_orders_name_existing_contacts_and_stores(holdings: Holdings) -> None:
    for order in holdings.orders:
        assert order["ContactId"] is None or order["ContactId"] in holdings.contact_ids, order["Id"]
        assert order["StoreId"] is None or order["StoreId"] in holdings.store_ids, order["Id"]
        assert order["OrderLines"], order["Id"]
        for line in order["OrderLines"]:
            assert line["OrderId"] == order["Id"]
            assert line["ContactId"] is None or line["ContactId"] in holdings.contact_ids, line


def test_order_totals_are_the_sums_of_their_lines(holdings: Holdings) -> None:
    for order in holdings.orders:
        for line in order["OrderLines"]:
            assert dec(line["PriceTotal"]) == dec(line["Quantity"]) * dec(line["Price"]), line
        assert dec(order["PriceTotal"]) == sum((dec(line["PriceTotal"]) for line in order["OrderLines"]), Decimal(0)), order["Id"]


def test_orders_by_contact_are_the_orders_naming_the_contact(demo_client: ApiSession, holdings: Holdings) -> None:
    for contact in holdings.contacts:
        listed = ok(demo_client.get("/api/v1/Orders", params={"contactId": contact["Id"]}))
        assert sorted(o["Id"] for o in listed) == sorted(o["Id"] for o in holdings.orders if o["ContactId"] == contact["Id"])


def test_segment_contacts_exist_and_counts_agree(demo_client: ApiSession, holdings: Holdings) -> None:
    assert holdings.segments
    for segment_id, members in holdings.members.items():
        assert set(members) <= holdings.contact_ids, segment_id
        assert len(set(members)) == len(members)
        assert ok(demo_client.get("/api/v1/Segments/GetContactCount", params={"s": segment_id})) == len(members)
        base = ok(demo_client.get(f"/api/v1/Segments/{segment_id}/GetContactsBaseInfo"))
        assert [b["Id"] for b in base] == members
    together = set().union(*map(set, holdings.members.values()))
    every_id = {"s": list(holdings.members)}
    assert ok(demo_client.get("/api/v1/Segments/GetContactCount", params=every_id)) == len(together)
    assert ok(demo_client.post("/api/v1/Segments/GetContactCount", json=list(holdings.members))) == len(together)


def test_email_receivers_are_existing_contacts_of_existing_dispatches(holdings: Holdings) -> None:
    dispatch_ids = {d["Id"] for d in holdings.dispatches}
    for receiver in holdings.receivers:
        assert receiver["ContactId"] in holdings.contact_ids, receiver
        assert receiver["EmailDispatchId"] in dispatch_ids, receiver


# -- sums and totals ----------------------------------------------------------------------------
def sums(points: Iterable[dict[str, Any]], key: str) -> dict[Any, Decimal]:
    found: dict[Any, Decimal] = defaultdict(Decimal)
    for point in points:
        found[point[key]] += dec(point["Amount"])
    return dict(found)


def assert_sums(answer: list[dict[str, Any]], key: str, expected: dict[Any, Decimal]) -> None:
    """The sums answered by `key` are the expected ones; a key left out counts as 0, and
    every key with live points is answered."""
    answered = {entry[key]: dec(entry["Sum"]) for entry in answer}
    assert len(answered) == len(answer), "one entry per key"
    for name in answered.keys() | expected.keys():
        assert answered.get(name, Decimal(0)) == expected.get(name, Decimal(0)), (key, name)
    assert set(expected) <= set(answered)


def test_each_points_sum_is_its_contacts_running_balance(holdings: Holdings) -> None:
    running: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    live = {p["Id"] for p in holdings.live()}
    for point in sorted(holdings.points, key=lambda p: p["Id"]):
        key = (point["ContactId"], point["Type"])
        if point["Id"] in live:
            running[key] += dec(point["Amount"])
            assert dec(point["Sum"]) == running[key], point


def test_totals_agree_with_the_points(demo_client: ApiSession, holdings: Holdings) -> None:
    totals = ok(demo_client.get("/api/v1/Points/Totals"))
    assert [t["Type"] for t in totals] == holdings.point_types
    for total in totals:
        live = holdings.live(total["Type"])
        assert total["Count"] == len(live)
        assert dec(total["Sum"]) == sum((dec(p["Amount"]) for p in live), Decimal(0))
        assert ok(demo_client.get("/api/v1/Points/Totals", params={"type": total["Type"]})) == [total]


def test_each_contacts_sums_and_totals_agree_with_the_points(demo_client: ApiSession, holdings: Holdings) -> None:
    for contact in holdings.contacts:
        answer = ok(demo_client.get("/api/v1/Points/Sums", params={"contactId": contact["Id"]}))
        assert [s["Type"] for s in answer] == holdings.point_types
        for entry in answer:
            mine = [p for p in holdings.live(entry["Type"]) if p["ContactId"] == contact["Id"]]
            assert entry["ContactId"] == contact["Id"]
            assert dec(entry["Sum"]) == sum((dec(p["Amount"]) for p in mine), Decimal(0)), (contact["Id"], entry)
            if mine:  # it changed last no earlier than its latest point, no later than the latest of any state
                assert entry["LastModified"] is not None, entry
                touched = [
                    when(p["DateTime"]) for p in holdings.points if (p["ContactId"], p["Type"]) == (contact["Id"], entry["Type"])
                ]
                assert max(when(p["DateTime"]) for p in mine) <= when(entry["LastModified"]) <= max(touched), entry
            total = ok(
                demo_client.get("/api/v1/Points/TotalForContact", params={"contactId": contact["Id"], "type": entry["Type"]})
            )
            assert dec(total) == dec(entry["Sum"])


def test_sums_by_contact_agree_with_the_points(demo_client: ApiSession, holdings: Holdings) -> None:
    for kind in holdings.point_types:
        answer = ok(demo_client.get("/api/v1/Points/SumsByContact", params={"type": kind}))
        assert_sums(answer, "ContactId", sums(holdings.live(kind), "ContactId"))
        for store_id in holdings.store_ids:
            in_store = [p for p in holdings.live(kind) if p["StoreId"] == store_id]
            answer = ok(demo_client.get("/api/v1/Points/SumsByContact", params={"type": kind, "storeId": store_id}))
            assert_sums(answer, "ContactId", sums(in_store, "ContactId"))


def test_sums_by_store_agree_with_the_points(demo_client: ApiSession, holdings: Holdings) -> None:
    for kind in holdings.point_types:
        answer = ok(demo_client.get("/api/v1/Points/SumsByStore", params={"type": kind}))
        assert_sums(answer, "StoreId", sums(holdings.live(kind), "StoreId"))
        assert all(s["Type"] == kind for s in answer)


def test_points_of_stores_are_the_points_naming_them(demo_client: ApiSession, holdings: Holdings) -> None:
    chosen = sorted(holdings.store_ids)[:2]
    for kind in holdings.point_types:
        answer = ok(demo_client.request("SEARCH", "/api/v1/Points/ForStores", params={"type": kind}, json=chosen))
        expected = [p["Id"] for p in holdings.points if p["Type"] == kind and p["StoreId"] in chosen]
        assert sorted(p["Id"] for p in answer) == sorted(expected)


def test_company_sums_agree_with_the_company_points(demo_client: ApiSession, holdings: Holdings) -> None:
    """A company's points are its own and its contacts'; its total, its entry among the sums
    by company and the live points listed for it all agree."""
    contact_company = {c["Id"]: c["ContactCompanyId"] for c in holdings.contacts}
    for kind in holdings.point_types:
        by_company = {
            s["ContactCompanyId"]: dec(s["Sum"])
            for s in ok(demo_client.get("/api/v1/Points/SumsByContactCompanies", params={"type": kind}))
        }
        for company in holdings.companies:
            params = {"contactCompanyId": company["Id"], "type": kind}
            listed = ok(demo_client.get("/api/v1/Points/ByContactCompany", params=params))
            for point in listed:
                assert point["Type"] == kind
                assert company["Id"] in (point["ContactCompanyId"], contact_company.get(point["ContactId"])), point
            own = {p["Id"] for p in holdings.points if p["Type"] == kind and p["ContactCompanyId"] == company["Id"]}
            assert own <= {p["Id"] for p in listed}
            live = [p for p in listed if not p["IsCanceller"] and p["CancellerPointId"] is None]
            total = ok(demo_client.get("/api/v1/Points/TotalForContactCompany", params=params))
            if live:
                assert dec(total) == sum((dec(p["Amount"]) for p in live), Decimal(0))
                assert by_company[company["Id"]] == dec(total)
            else:
                assert total is None, "null for a company without such points, as the spec says"
                assert by_company.get(company["Id"], Decimal(0)) == 0


# -- seeds ------------------------------------------------------------------------------------
@pytest.fixture
def new_account(mockserver: Emulator) -> Iterator[Callable[[], Account]]:
    """Makes fresh accounts for seeding, emptied afterwards (demo data is big)."""
    made: list[Account] = []

    def make() -> Account:
        made.append(mockserver.account("yulsn"))
        return made[-1]

    yield make
    for account in made:
        account.reset()


def test_seeding_twice_with_the_same_seed_gives_identical_data(new_account: Callable[[], Account]) -> None:
    account = new_account()
    client = seeded(account, 7)
    first = snapshot(client)
    created = ok(client.post("/api/v1/Contacts", json={"Email": "between@example.dk"}))
    ok(client.delete(f"/api/v1/Contacts/{first['contactIds'][0]}"))
    ok(client.post("/api/v1/Points", json={"ContactId": created["Id"], "Type": first["account"]["point_types"][0], "Amount": 5}))
    again = snapshot(seeded(account, 7))
    assert again == first
    contacts = [(c["Id"], c["Secret"], c["Version"], c["Email"]) for c in again["account"]["contacts"]]
    assert contacts == [(c["Id"], c["Secret"], c["Version"], c["Email"]) for c in first["account"]["contacts"]]


def test_two_accounts_seeded_alike_are_identical(new_account: Callable[[], Account]) -> None:
    one, other = snapshot(seeded(new_account(), 11)), snapshot(seeded(new_account(), 11))
    assert one != other, "each account has its own id, in its media and export urls"
    assert neutral(one) == neutral(other)


def test_the_demo_account_is_seeded_with_the_emulators_seed(
    mockserver: Emulator, demo_client: ApiSession, new_account: Callable[[], Account]
) -> None:
    seed = mockserver.admin("GET", "")["seed"]
    assert neutral(snapshot(seeded(new_account(), seed))) == neutral(snapshot(demo_client))


def test_a_different_seed_gives_different_data(new_account: Callable[[], Account]) -> None:
    one = read(seeded(new_account(), 7))
    other = read(seeded(new_account(), 8))
    assert [c["Secret"] for c in one.contacts] != [c["Secret"] for c in other.contacts]
    assert not {c["Secret"] for c in one.contacts} & {c["Secret"] for c in other.contacts}
    assert [c["Email"] for c in one.contacts] != [c["Email"] for c in other.contacts]
    assert [(p["ContactId"], p["Amount"]) for p in one.points] != [(p["ContactId"], p["Amount"]) for p in other.points]


def test_reseeding_the_demo_account_undoes_what_was_done_to_it(
    mockserver: Emulator, yulsn_demo_account: Account, yulsn_demo: ApiSession
) -> None:
    before = snapshot(yulsn_demo)
    ok(yulsn_demo.post("/api/v1/Contacts", json={"Email": "temporary@example.dk"}))
    ok(yulsn_demo.delete(f"/api/v1/Contacts/{before['contactIds'][1]}"))
    assert snapshot(yulsn_demo) != before
    # Account.seed() seeds with 0 unless told; a demo account holds the emulator's seed's data.
    yulsn_demo_account.seed(mockserver.admin("GET", "")["seed"])
    assert snapshot(yulsn_demo) == before
