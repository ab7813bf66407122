"""Simvoly records: tables, the website an account is, rows made and looked up (and the
404 for a missing one), bodies read, offset pages, and the rendering of each resource as
the API shows it. Times are whole Unix seconds."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.errors import ValidationFailed, Violation
from mockserver.engine.pagination import page_offset
from mockserver.engine.store import Row, Table, Tenant
from mockserver.providers import base
from mockserver.providers.base import insert_next

CONTACTS, MEMBERS, GROUPS, SESSIONS = "contacts", "members", "member_groups", "sessions"
PRODUCTS, CATEGORIES, ORDERS = "products", "categories", "orders"
SUBMISSIONS, BOOKINGS, LISTS, WEBHOOKS, OUTBOX = "form_submissions", "bookings", "subscriber_lists", "webhooks", "outbox"
ALL_TABLES = (CONTACTS, MEMBERS, GROUPS, SESSIONS, PRODUCTS, CATEGORIES, ORDERS, SUBMISSIONS, BOOKINGS, LISTS, WEBHOOKS, OUTBOX)
CONTACT_FIELDS = ("name", "phone", "note", "address", "city", "state", "zip", "country", "companyName")
ADDRESS_FIELDS = ("name", "phone", "companyName", "companyId", "country", "state", "city", "zipCode", "address", "address2")


def init_tables(tenant: Tenant) -> None:
    for name in ALL_TABLES:
        tenant.table(name)
    tenant.table(CONTACTS).add_index("email", lambda row: row["email"].casefold())
    tenant.table(MEMBERS).add_index("email", lambda row: row["email"].casefold())
    tenant.table(MEMBERS).add_value_index("groups", lambda row: row["groups"])
    tenant.table(BOOKINGS).add_value_index("event", lambda row: (row["eventId"],))
    tenant.table(PRODUCTS).add_index("url", lambda row: row["url"].casefold())
    tenant.table(SESSIONS).add_index("token", lambda row: row["token"])
    tenant.table(WEBHOOKS).add_index("id", lambda row: row["id"])


def now(call: Call) -> int:
    return int(call.clock.time())


insert_new = insert_next  # a row of a table under the next id of its kind; the id leads its fields


# What a 404 calls a row of each table the path addresses by id ("Member group not found.").
WHAT = {
    CONTACTS: "Contact",
    MEMBERS: "Member",
    GROUPS: "Member group",
    PRODUCTS: "Product",
    ORDERS: "Order",
    LISTS: "Subscriber list",
}


def found(row: Row | None, what: str) -> Row:
    """The row looked up, or Simvoly's 404 for it ("Contact not found.")."""
    return base.found(row, f"{what} not found.")


def by_id(call: Call, name: str) -> Row:
    """The row of table `name` that the path's id names, or a 404."""
    return found(call.tenant.table(name).get(call.params["id"]), WHAT[name])


def delete_by_id(call: Call, name: str) -> Row:
    """Delete the row the path's id names (a 404 without one); answers the row it was."""
    row = by_id(call, name)
    call.tenant.table(name).delete(row["id"])
    return row


def refuse_taken(table: Table, index: str, value: Any, row: Row | None, message: str) -> None:
    """A 400 when another row than `row` (any row, for a new one) holds `value` of a unique
    index (e-mail, url)."""
    if base.held_by_another(table, index, value, None if row is None else row["id"]):
        raise bad(message, index)


def by_email(table: Table, email: str) -> Row | None:
    """Contacts and members are found by e-mail address whatever its case."""
    return table.find("email", email.casefold())


def bad(message: str, path: str = "") -> ValidationFailed:
    """A 400 with the provider's message."""
    return ValidationFailed(message, violations=[Violation(path, message, "custom")])


def page(
    call: Call,
    name: str,
    render: Callable[[Row], Any],
    where: Callable[[Row], bool] | None = None,
    filed: tuple[str, Any] = ("", None),
) -> Reply:
    """The `{totalCount, limit, skip, items}` envelope every list of table `name` answers.
    Without `where` a page is a slice of the keys: all of them, or those an index files
    under a value (`filed`, when the value is given); a `where` reads every candidate,
    since the total counts them all."""
    skip, limit, table = call.params["skip"], call.params["limit"], call.tenant.table(name)
    keys = table.keys_with(*filed) if filed[1] is not None else None
    rows, total = page_offset(table, skip=skip, limit=limit, where=where, keys=keys)
    return Reply(200, {"totalCount": total, "limit": limit, "skip": skip, "items": [render(row) for row in rows]})


# The reads of a plain table: its `page` (with `where` and `filed`), and its rows `by_id`.
READS = base.Reads(page, by_id)


# -- reading bodies --------------------------------------------------------------------
def required(value: Any, name: str) -> str:
    """A text field, stripped; Simvoly refuses one left empty."""
    text = str(value).strip()
    if not text:
        raise bad(f"The {name} field is required.", name)
    return text


def given(body: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The fields of `names` that a body has, as it has them."""
    return {name: body[name] for name in names if name in body}


def non_empty(body: dict[str, Any]) -> dict[str, Any]:
    """The fields an update sets: Simvoly skips those sent empty ("" or null)."""
    return {key: value for key, value in body.items() if value not in (None, "")}


def address(given: dict[str, Any] | None) -> dict[str, Any] | None:
    """An address with every field (missing ones null); None when none is given."""
    if not given:
        return None
    return {name: given.get(name) for name in ADDRESS_FIELDS}


def addresses(body: dict[str, Any]) -> dict[str, Any]:
    """The billing and shipping addresses an update sets (an empty one is skipped)."""
    return {name: address(body[name]) for name in ("billingAddress", "shippingAddress") if body.get(name)}


def existing_ids(tenant: Tenant, name: str, ids: list[Any], what: str, path: str) -> list[Any]:
    """`ids` without repeats, each of a row of table `name`; a 400 names the first missing."""
    table = tenant.table(name)
    for key in ids:
        if table.get(key) is None:
            raise bad(f"{what} {key} not found.", path)
    return list(dict.fromkeys(ids))


def in_range(call: Call, name: str, low_param: str, high_param: str) -> Callable[[Row], bool] | None:
    """`row[name]` within the bounds two query parameters give (either may be missing); None
    without either. The times these ranges bound follow the account's clock, which can be
    moved back, so they are not in key order: a range is checked on every candidate (an
    index would not help)."""
    low, high = call.params.get(low_param), call.params.get(high_param)
    if low is None and high is None:
        return None
    return lambda row: (low is None or row[name] >= low) and (high is None or row[name] <= high)


def website(tenant: Tenant) -> dict[str, Any]:
    return dict(tenant.settings["website"])


# -- rendering -------------------------------------------------------------------------
# A rendered resource is its row's fields, copied all the way down so that an answer or an
# event never shares a list or an object with the stored row.
MEMBER_KEYS = ("id", "name", "email", "registeredOn", "approved", "contactId", "groups", "billingAddress", "shippingAddress")
PRODUCT_KEYS = ("id", "type", "title", "description", "url", "hidden", "file", "images")
BOOKING_KEYS = ("id", "eventId", "contactId", "name", "email", "start", "end", "eventData", "operator", "service", "formAnswers")


def copied(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copied(item) for item in value]
    return value


def fields(row: Row, names: Iterable[str]) -> dict[str, Any]:
    return {name: copied(row[name]) for name in names}


def dict_or_none(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """An object, or None for a missing or empty one (as orders and products show them)."""
    return dict(value) if value else None


def contact(row: Row) -> dict[str, Any]:
    # Written out rather than copied field by field: every contact of every list page goes through here.
    return {
        "id": row["id"],
        "email": row["email"],
        **{name: row[name] for name in CONTACT_FIELDS},
        "createdOn": row["createdOn"],
        "properties": [dict(p) for p in row["properties"]],
        "tags": list(row["tags"]),
        "memberId": row["memberId"],
        "subscribed": row["subscribed"],
        "subscriberLists": list(row["subscriberLists"]),
    }


def member(row: Row) -> dict[str, Any]:
    return fields(row, MEMBER_KEYS)


def group(row: Row) -> dict[str, Any]:
    return fields(row, ("id", "name", "link"))


def category(row: Row) -> dict[str, Any]:
    return fields(row, ("id", "name", "url", "parentCategory"))


def product(tenant: Tenant, row: Row) -> dict[str, Any]:
    categories = tenant.table(CATEGORIES)
    return {
        **fields(row, PRODUCT_KEYS),
        "categories": [category(c) for c in map(categories.get, row["categoryIds"]) if c is not None],
        **fields(row, ("options", "variants")),
        "subscription": dict_or_none(row["subscription"]),
    }


def order(row: Row) -> dict[str, Any]:
    return {
        **fields(row, ORDER_FIELDS),
        "shippingAddress": dict_or_none(row["shippingAddress"]),
        "billingAddress": dict_or_none(row["billingAddress"]),
        **{name: [dict(entry) for entry in row[name]] for name in ("taxes", "items", "additionalFields", "notes")},
        "tags": list(row["tags"]),
    }


ORDER_FIELDS = (
    "id",
    "invoiceNo",
    "created",
    "customerName",
    "customerEmail",
    "contactId",
    "memberId",
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
)


def submission(row: Row) -> dict[str, Any]:
    return fields(row, ("name", "received", "fields"))


def booking(row: Row) -> dict[str, Any]:
    return fields(row, BOOKING_KEYS)


def subscriber_list(tenant: Tenant, row: Row) -> dict[str, Any]:
    subscribers = sum(1 for c in tenant.table(CONTACTS).rows() if c["subscribed"] and row["id"] in c["subscriberLists"])
    return {**fields(row, ("id", "name", "created", "opens", "clicks")), "subscribers": subscribers}


def webhook(row: Row) -> dict[str, Any]:
    return fields(row, ("id", "target", "secret", "events"))
