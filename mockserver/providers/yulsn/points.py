"""Points: a ledger of amounts per contact and point type. Cancelling adds a canceller
(the negative amount) and marks the original with its id. Every sum and total counts only
the points that are live: neither cancelled nor a canceller (so a cancelled point and its
canceller are both left out). A point's `Sum` is its contact's balance of its type up to
and including it, in id order. Periods are `from` inclusive, `to` exclusive."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row, Tenant
from mockserver.providers.yulsn import records
from mockserver.providers.yulsn.records import COMPANIES, CONTACTS, POINTS, STORES, invalid

PAGE = 1000  # points per `lastId` page
FIELDS = (
    "ContactId",
    "ContactCompanyId",
    "Type",
    "Amount",
    "Description",
    "SourceId",
    "SourceDescription",
    "StoreId",
    "AdministratorId",
    "BookValue",
    "SubType",
    "PointCalculationBase",
    "ConverterTransactionId",
    "IsCanceller",
    "CancellerPointId",
)
DEMO_POINTS = 300


# -- numbers, rendering -------------------------------------------------------------------
def live(row: Row) -> bool:
    """Counted by sums and totals: not cancelled and not a canceller."""
    return not row["IsCanceller"] and row["CancellerPointId"] is None


def _balances(tenant: Tenant) -> dict[int, Decimal]:
    """Every point's `Sum`: its contact's live balance of its type up to and including it."""
    running: dict[tuple[Any, str], Decimal] = {}
    sums: dict[int, Decimal] = {}
    for row in tenant.table(POINTS).rows():
        key = (row["ContactId"], row["Type"])
        total = running.get(key, Decimal(0))
        if live(row):
            total += records.decimal(row["Amount"])
        running[key] = sums[row["Id"]] = total
    return sums


def render(row: Row, sums: Mapping[int, Decimal]) -> dict[str, Any]:
    amount, total = records.number(records.decimal(row["Amount"])), records.number(sums[row["Id"]])
    return {**records.view(row, ("Id", *FIELDS)), "Amount": amount, "Sum": total, "DateTime": records.stamp(row["DateTime"])}


def _rendered(tenant: Tenant, rows: Iterable[Row]) -> list[dict[str, Any]]:
    sums = _balances(tenant)
    return [render(row, sums) for row in rows]


# -- parameters ---------------------------------------------------------------------------
def point_type(tenant: Tenant, name: Any) -> str:
    """The account's spelling of a point type (matched without regard to case), or 400."""
    return records.spelling(tenant.settings["point_types"], name, "Invalid point type!")


def _optional_type(call: Call) -> str | None:
    given = call.params.get("type")
    return None if given in (None, "") else point_type(call.tenant, given)


Predicate = Callable[[Row], bool]


def _period(params: Mapping[str, Any], since_name: str = "from", until_name: str = "to") -> Predicate:
    since, until = records.given_date(params, since_name), records.given_date(params, until_name)
    return lambda row: (since is None or row["DateTime"] >= since) and (until is None or row["DateTime"] < until)


def _of_type(kind: str | None) -> Predicate:
    return lambda row: kind is None or row["Type"] == kind


def _same(left: str | None, right: str | None) -> bool:
    return left is not None and right is not None and left.casefold() == right.casefold()


def _query(call: Call, name: str) -> Any:
    """A query parameter, also when the engine spelled its name as another operation's
    (`subtype` of ContactEvents versus `subType` here): looked up without regard to case."""
    value = call.params.get(name)
    if value is None and call.request is not None:
        value = next((v for k, v in call.request.args.items() if k.lower() == name.lower()), None)
    return value


def company_of(tenant: Tenant, row: Row) -> int | None:
    """The company a point counts for: its own `ContactCompanyId`, or else its contact's."""
    if row["ContactCompanyId"] is not None:
        return int(row["ContactCompanyId"])
    contact = tenant.table(CONTACTS).get(row["ContactId"])
    return int(contact["ContactCompanyId"]) if contact is not None and contact["ContactCompanyId"] is not None else None


def _select(tenant: Tenant, *tests: Predicate) -> list[Row]:
    return [row for row in tenant.table(POINTS).rows() if all(test(row) for test in tests)]


def _grouped(rows: Iterable[Row], key: Callable[[Row], Hashable]) -> dict[Any, list[Row]]:
    """Live points by a key (rows whose key is None are left out), keys in ascending order."""
    groups: dict[Any, list[Row]] = {}
    for row in rows:
        value = key(row)
        if live(row) and value is not None:
            groups.setdefault(value, []).append(row)
    return dict(sorted(groups.items()))


def _total(rows: Iterable[Row]) -> Decimal:
    return sum((records.decimal(row["Amount"]) for row in rows if live(row)), Decimal(0))


def _last_modified(rows: Iterable[Row]) -> str | None:
    times = [row["DateTime"] for row in rows if live(row)]
    return records.stamp(max(times)) if times else None


def _company(tenant: Tenant, company_id: int) -> Row:
    return records.require(tenant.table(COMPANIES), company_id, "ContactCompany")


# -- look-ups -----------------------------------------------------------------------------
def find_points(call: Call) -> Reply:
    """The parameters present select the look-up: `lastId`; `sourceId`; `contactId` (with
    `datetimeFrom`/`datetimeTo`); otherwise `from`/`to`/`storeId`. `type` narrows each."""
    tenant, params = call.tenant, call.params
    of_type = _of_type(_optional_type(call))
    if params.get("lastId") is not None:
        found, _ = tenant.table(POINTS).page(after=params["lastId"], limit=PAGE, where=of_type)
        return Reply(200, _rendered(tenant, found))
    if params.get("sourceId") is not None:
        source = params["sourceId"]
        return Reply(200, _rendered(tenant, _select(tenant, of_type, lambda row: _same(row["SourceId"], source))))
    if params.get("contactId") is not None:
        contact_id = params["contactId"]
        period = _period(params, "datetimeFrom", "datetimeTo")
        return Reply(200, _rendered(tenant, _select(tenant, of_type, period, lambda row: row["ContactId"] == contact_id)))
    store_id = params.get("storeId")
    period = _period(params)
    in_store: Predicate = lambda row: store_id is None or row["StoreId"] == store_id  # noqa: E731
    return Reply(200, _rendered(tenant, _select(tenant, of_type, period, in_store)))


def get_point(call: Call) -> Reply:
    row = records.require(call.tenant.table(POINTS), call.params["id"], "Point")
    return Reply(200, render(row, _balances(call.tenant)))


def point_types(call: Call) -> Reply:
    return Reply(200, list(call.tenant.settings["point_types"]))


def totals(call: Call) -> Reply:
    """Per point type of the account (or the one asked for): the live points' sum and count."""
    tenant = call.tenant
    kind = _optional_type(call)
    kinds = [kind] if kind is not None else list(tenant.settings["point_types"])
    answer = []
    for name in kinds:
        rows = [row for row in _select(tenant, _of_type(name)) if live(row)]
        answer.append({"Type": name, "Sum": records.number(_total(rows)), "Count": len(rows)})
    return Reply(200, answer)


def contact_sums(call: Call) -> Reply:
    """A contact's sum of each point type (every type of the account, or the one asked
    for); [] for a contact that neither exists nor has points."""
    tenant, contact_id = call.tenant, call.params["contactId"]
    kind = _optional_type(call)
    rows = _select(tenant, lambda row: row["ContactId"] == contact_id)
    if not rows and tenant.table(CONTACTS).get(contact_id) is None:
        return Reply(200, [])
    kinds = [kind] if kind is not None else list(tenant.settings["point_types"])
    answer = []
    for name in kinds:
        mine = [row for row in rows if row["Type"] == name]
        answer.append(
            {"ContactId": contact_id, "Type": name, "Sum": records.number(_total(mine)), "LastModified": _last_modified(mine)}
        )
    return Reply(200, answer)


def sums_by_contact(call: Call) -> Reply:
    """Every contact with live points of the type (in the store, if one is named)."""
    tenant, params = call.tenant, call.params
    kind = point_type(tenant, params["type"])
    store_id = params.get("storeId")
    rows = _select(tenant, _of_type(kind), lambda row: store_id is None or row["StoreId"] == store_id)
    answer = [
        {"ContactId": contact_id, "Type": kind, "Sum": records.number(_total(group)), "LastModified": _last_modified(group)}
        for contact_id, group in _grouped(rows, lambda row: row["ContactId"]).items()
    ]
    return Reply(200, answer)


def sums_by_store(call: Call) -> Reply:
    """Every store's sum of the type in the period; points without a store come last, as
    `StoreId` null."""
    tenant, params = call.tenant, call.params
    kind = point_type(tenant, params["type"])
    rows = _select(tenant, _of_type(kind), _period(params))
    groups = _grouped(rows, lambda row: (row["StoreId"] is None, row["StoreId"] or 0))
    answer = [{"StoreId": group[0]["StoreId"], "Type": kind, "Sum": records.number(_total(group))} for group in groups.values()]
    return Reply(200, answer)


def contact_total(call: Call) -> Reply:
    tenant, params = call.tenant, call.params
    kind = point_type(tenant, params["type"])
    contact = records.require(tenant.table(CONTACTS), params["contactId"], "Contact")
    subtype = _query(call, "subType")
    mine: Predicate = lambda row: row["ContactId"] == contact["Id"]  # noqa: E731
    of_subtype: Predicate = lambda row: subtype is None or _same(row["SubType"], subtype)  # noqa: E731
    rows = _select(tenant, _of_type(kind), mine, of_subtype)
    return Reply(200, records.number(_total(rows)))


def sums_by_company(call: Call) -> Reply:
    """Every company's sum of the type in the period (in the store, if one is named)."""
    tenant, params = call.tenant, call.params
    kind = point_type(tenant, params["type"])
    store_id = params.get("storeId")
    rows = _select(tenant, _of_type(kind), _period(params), lambda row: store_id is None or row["StoreId"] == store_id)
    answer = [
        {"ContactCompanyId": company_id, "Type": kind, "Sum": records.number(_total(group))}
        for company_id, group in _grouped(rows, lambda row: company_of(tenant, row)).items()
    ]
    return Reply(200, answer)


def company_total(call: Call) -> Reply:
    """A company's sum of the type in the period; null when it has no live such points."""
    tenant, params = call.tenant, call.params
    kind = point_type(tenant, params["type"])
    company = _company(tenant, params["contactCompanyId"])
    rows = [
        row
        for row in _select(tenant, _of_type(kind), _period(params), lambda row: company_of(tenant, row) == company["Id"])
        if live(row)
    ]
    return Reply(200, records.number(_total(rows)) if rows else b"null")  # a JSON null (None would be an empty body)


def company_points(call: Call) -> Reply:
    """The points (any state) of a company: its own and those of its contacts."""
    tenant, params = call.tenant, call.params
    kind = point_type(tenant, params["type"])
    company = _company(tenant, params["contactCompanyId"])
    store_id = params.get("storeId")
    rows = _select(
        tenant,
        _of_type(kind),
        _period(params),
        lambda row: store_id is None or row["StoreId"] == store_id,
        lambda row: company_of(tenant, row) == company["Id"],
    )
    return Reply(200, _rendered(tenant, rows))


def store_points(call: Call) -> Reply:
    """SEARCH: the points (any state) of the stores the body lists."""
    tenant, params = call.tenant, call.params
    kind = point_type(tenant, params["type"])
    stores = set(call.body)
    return Reply(200, _rendered(tenant, _select(tenant, _of_type(kind), _period(params), lambda row: row["StoreId"] in stores)))


def store_company_sums(call: Call) -> Reply:
    """SEARCH: the sums of the listed stores' points, by store and company."""
    tenant, params = call.tenant, call.params
    kind = point_type(tenant, params["type"])
    stores = set(call.body)
    rows = _select(tenant, _of_type(kind), _period(params), lambda row: row["StoreId"] in stores)

    def key(row: Row) -> tuple[int, int] | None:
        company_id = company_of(tenant, row)
        return None if company_id is None else (row["StoreId"], company_id)

    answer = [
        {"StoreId": store_id, "ContactCompanyId": company_id, "Type": kind, "Sum": records.number(_total(group))}
        for (store_id, company_id), group in _grouped(rows, key).items()
    ]
    return Reply(200, answer)


# -- writes -------------------------------------------------------------------------------
def add_point(call: Call, body: Mapping[str, Any]) -> Row:
    """Store a point (every rule checked first); used by the API and the demo."""
    tenant = call.tenant
    kind = point_type(tenant, body["Type"])
    contact = records.require(tenant.table(CONTACTS), body["ContactId"], "Contact")
    records.must_exist(tenant.table(STORES), body.get("StoreId"), "Store")
    records.must_exist(tenant.table(COMPANIES), body.get("ContactCompanyId"), "ContactCompany")
    given = body.get("DateTime")  # "" is unreadable here, not left out
    when = call.clock.time() if given is None else records.date_of(given, "DateTime")
    row: Row = {
        **{name: body.get(name) for name in FIELDS},
        "ContactId": contact["Id"],
        "Type": kind,
        "Amount": body["Amount"],
        "DateTime": when,
        "AdministratorId": None,
        "ConverterTransactionId": None,
        "IsCanceller": False,
        "CancellerPointId": None,
    }
    return records.add_row(tenant, POINTS, "point", row)


def cancel(call: Call, original: Row) -> Row:
    """Add the canceller of a point and mark the point with it; 400 for a point already
    cancelled or that is a canceller."""
    tenant = call.tenant
    if original["IsCanceller"]:
        raise invalid("A cancelling point cannot be cancelled.")
    if original["CancellerPointId"] is not None:
        raise invalid(f"Point {original['Id']} is already cancelled.")
    point_id = tenant.next_id("point")
    negated = {
        name: None if original[name] is None else records.number(-records.decimal(original[name]))
        for name in ("Amount", "BookValue", "PointCalculationBase")
    }
    canceller: Row = {
        **original,
        "Id": point_id,
        **negated,
        "DateTime": call.clock.time(),
        "Description": f"Cancellation of point {original['Id']}",
        "AdministratorId": None,
        "ConverterTransactionId": None,
        "IsCanceller": True,
        "CancellerPointId": None,
    }
    points = tenant.table(POINTS)
    points.insert(point_id, canceller)
    points.replace(original["Id"], {**original, "CancellerPointId": point_id})
    return canceller


def create_point(call: Call) -> Reply:
    row = add_point(call, call.body)
    return Reply(200, render(row, _balances(call.tenant)))


def cancel_point(call: Call) -> Reply:
    original = records.require(call.tenant.table(POINTS), call.params["id"], "Point")
    canceller = cancel(call, original)
    return Reply(200, render(canceller, _balances(call.tenant)))


HANDLERS = {
    "findPoints": find_points,
    "createPoint": create_point,
    "getPoint": get_point,
    "listPointTypes": point_types,
    "listPointTotals": totals,
    "listPointSums": contact_sums,
    "listPointSumsByContact": sums_by_contact,
    "listPointSumsByStore": sums_by_store,
    "getPointTotalForContact": contact_total,
    "listPointSumsByContactCompanies": sums_by_company,
    "getPointTotalForContactCompany": company_total,
    "listPointsByContactCompany": company_points,
    "cancelPoint": cancel_point,
    "searchPointsForStores": store_points,
    "searchPointSumsForStoresByContactCompanies": store_company_sums,
}


def seed(call: Call) -> None:
    """About 300 points over the demo contacts and stores: purchases and redemptions of the
    first point type, bonuses of the second; a few cancelled."""
    tenant = call.tenant
    rng = call.services.random.derived("yulsn", "points")
    people = list(tenant.table(CONTACTS).rows())
    if not people:
        return
    store_ids = [row["Id"] for row in tenant.table(STORES).rows()]
    kinds = list(tenant.settings["point_types"])
    loyalty, bonus = kinds[0], kinds[-1]
    balance: dict[int, int] = {}
    made: list[Row] = []
    for number in range(DEMO_POINTS):
        call.clock.advance(rng.uniform(600, 4 * 3600))
        contact = rng.choice(people)
        store_id = rng.choice(store_ids) if store_ids and rng.random() < 0.7 else None
        company_id = contact["ContactCompanyId"] if rng.random() < 0.5 else None
        roll = rng.random()
        held = balance.get(contact["Id"], 0)
        if roll < 0.15 and held >= 100:
            amount = -rng.randrange(100, held + 1, 50) if held >= 150 else -100
            body = {
                "Type": loyalty,
                "Amount": amount,
                "SubType": "Redemption",
                "Description": "Points redeemed",
                "SourceId": f"R-{5000 + number}",
                "SourceDescription": "Reward",
            }
        elif roll < 0.75 or loyalty == bonus:
            spent = rng.randint(49, 2500)
            amount = spent // 10
            body = {
                "Type": loyalty,
                "Amount": amount,
                "SubType": "Purchase",
                "Description": f"Purchase of {spent} DKK",
                "SourceId": f"W-{10000 + number}",
                "SourceDescription": "Order",
                "BookValue": round(spent * 0.01, 2),
                "PointCalculationBase": spent,
            }
        else:
            subtype = rng.choice(["Birthday", "Campaign", "Review"])
            amount = rng.choice([25, 50, 100])
            body = {
                "Type": bonus,
                "Amount": amount,
                "SubType": subtype,
                "Description": f"{subtype} bonus",
                "SourceId": f"B-{number}",
                "SourceDescription": "Bonus",
            }
        row = add_point(call, {**body, "ContactId": contact["Id"], "StoreId": store_id, "ContactCompanyId": company_id})
        if row["Type"] == loyalty:
            balance[contact["Id"]] = held + amount
        made.append(row)
    redeemers = {row["ContactId"] for row in made if row["Amount"] < 0}  # their balances stay positive
    for row in rng.sample([r for r in made if r["Amount"] > 0 and r["ContactId"] not in redeemers], 6):
        call.clock.advance(rng.uniform(600, 3600))
        cancel(call, tenant.table(POINTS).get(row["Id"]) or row)
