"""ClickFunnels records: tables, ids, public ids, timestamps, what every module checks and
announces, and the rendering of each resource as the API shows it."""

from __future__ import annotations

import string
import zlib
from datetime import UTC, datetime
from typing import Any

from mockserver.engine.context import Call
from mockserver.engine.errors import NotFound, ValidationFailed, Violation
from mockserver.engine.randomness import Randomness
from mockserver.engine.store import Row, Table, Tenant

TEAMS, WORKSPACES = "teams", "workspaces"
CONTACTS, TAGS, APPLIED_TAGS = "contacts", "tags", "applied_tags"
PRODUCTS, ORDERS, LINE_ITEMS, FULFILLMENTS = "products", "orders", "line_items", "fulfillments"
COURSES, ENROLLMENTS, FORMS, SUBMISSIONS = "courses", "enrollments", "forms", "submissions"
ENDPOINTS, IMAGES = "endpoints", "images"
# Tables made on first use (see `table`), so that an account pays only for the families it uses.
USERS, EVENTS = "users", "events"
SECTIONS, LESSONS = "sections", "lessons"
FIELD_SETS, FIELDS, OPTIONS, ANSWERS = "field_sets", "fields", "options", "answers"
PRODUCT_TAGS, ORDER_TAGS, ORDER_APPLIED_TAGS = "product_tags", "order_tags", "order_applied_tags"
INVOICES, TRANSACTIONS, RESTOCKS, LOCATIONS = "invoices", "transactions", "restocks", "locations"
PROFILES, LOCATION_GROUPS, ZONES = "profiles", "location_groups", "zones"
RATES, RATE_NAMES, PACKAGES = "rates", "rate_names", "packages"
LAZY_TABLES = frozenset(
    {
        USERS,
        EVENTS,
        SECTIONS,
        LESSONS,
        FIELD_SETS,
        FIELDS,
        OPTIONS,
        ANSWERS,
        PRODUCT_TAGS,
        ORDER_TAGS,
        ORDER_APPLIED_TAGS,
        INVOICES,
        TRANSACTIONS,
        RESTOCKS,
        LOCATIONS,
        PROFILES,
        LOCATION_GROUPS,
        ZONES,
        RATES,
        RATE_NAMES,
        PACKAGES,
    }
)
# The outgoing events an account keeps (the oldest go first).
EVENT_LIMIT = 1000
ALL_TABLES = (
    TEAMS,
    WORKSPACES,
    CONTACTS,
    TAGS,
    APPLIED_TAGS,
    PRODUCTS,
    ORDERS,
    LINE_ITEMS,
    FULFILLMENTS,
    COURSES,
    ENROLLMENTS,
    FORMS,
    SUBMISSIONS,
    ENDPOINTS,
    IMAGES,
)
PAGE_SIZE = 20


def init_tables(tenant: Tenant) -> None:
    tenant.tables = _Tables(tenant.tables)
    for name in ALL_TABLES:
        _index(tenant.table(name))
    tenant.table(CONTACTS).add_index(
        "email", lambda row: (row["workspace_id"], row["email_address"].casefold()) if row["email_address"] else None
    )
    tenant.table(TAGS).add_index("name", lambda row: (row["workspace_id"], row["name"].casefold()))
    tenant.table(APPLIED_TAGS).add_index("pair", lambda row: (row["contact_id"], row["tag_id"]))


class _Tables(dict[str, Table]):
    """An account's tables: a lazy one gets its indexes as it is made (on first use, or as a
    snapshot restores it)."""

    def __setitem__(self, name: str, rows: Table) -> None:
        if name in LAZY_TABLES and not rows.has_index("public_id"):
            _index(rows)
        super().__setitem__(name, rows)


def table(tenant: Tenant, name: str, *, create: bool = True) -> Table:
    """The account's table of that name. A read (`create` False) of a lazy table the account
    does not have yet gets an empty one of its own, so that reading changes nothing."""
    found = tenant.tables.get(name)
    if found is None and not create and name in LAZY_TABLES:
        found = Table(name)
        _index(found)
    return found if found is not None else tenant.table(name)


def _index(rows: Table) -> None:
    rows.add_index("public_id", lambda row: row["public_id"])
    # Every list can be sorted by updated_at (ties by id): a page is a bisect into this.
    rows.add_sorted_index("updated_at", lambda row: row["updated_at"])


def new_record(tenant: Tenant, random: Randomness, name: str, at: float, /, **fields: Any) -> Row:
    """Insert a record with the next id of its kind, a fresh public_id and timestamps. A
    table is named by its record in the plural (`line_items`), and ids count per record
    kind (`line_item`)."""
    rows = table(tenant, name)
    record_id = tenant.next_id(name.removesuffix("s"))
    row = {"id": record_id, "public_id": public_id(rows, random), **fields, "created_at": at, "updated_at": at}
    return rows.insert(record_id, row)


def create(call: Call, name: str, /, **fields: Any) -> Row:
    """A new record of the call's account, created now."""
    return new_record(call.tenant, call.random, name, call.clock.time(), **fields)


def nested(call: Call, kind: str, owner_table: str, **fields: Any) -> Row:
    """A record kept inside another (a product's variants and prices, a fulfillment's parts):
    the next id of its kind, and a public_id unique in its owner's table."""
    return {"id": call.tenant.next_id(kind), "public_id": public_id(call.tenant.table(owner_table), call.random), **fields}


def public_id(table: Table, random: Randomness) -> str:
    """Seven letters, mixed case, unique in the table (as the real ids look)."""
    while True:
        value = "".join(string.ascii_letters[random.bits(6) % 52] for _ in range(7))
        if table.find("public_id", value) is None:
            return value


def find(table: Table, ref: str) -> Row:
    """A record by integer id or public_id; NotFound otherwise."""
    row = table.get(int(ref)) if ref.isdigit() else table.find("public_id", ref)
    if row is None:
        raise NotFound("Not found: Record missing")
    return row


def addressed(call: Call, name: str) -> Row:
    """The record the path names by the id parameter of its kind (`{line_item_id}` for
    LINE_ITEMS); NotFound otherwise."""
    return find(table(call.tenant, name, create=False), str(call.params[f"{name.removesuffix('s')}_id"]))


def nested_find(tenant: Tenant, owner: str, kind: str, ref: str) -> tuple[Row, Row]:
    """A record kept inside another (a product's `variants`), by id or public_id, with its
    owner; NotFound otherwise."""
    key = "id" if ref.isdigit() else "public_id"
    wanted: Any = int(ref) if ref.isdigit() else ref
    for row in tenant.table(owner).rows():
        for item in row[kind]:
            if item[key] == wanted:
                return row, item
    raise NotFound("Not found: Record missing")


def owned(tenant: Tenant, name: str, record_id: Any, workspace_id: int, attribute: str) -> Row:
    """A record of the workspace named in a body (`contact_id`...); 422 `<attribute> must
    exist` otherwise."""
    row = table(tenant, name, create=False).get(record_id) if isinstance(record_id, int) else None
    if row is None or row["workspace_id"] != workspace_id:
        raise invalid(attribute, "must exist")
    return row


def children(tenant: Tenant, name: str, key: str, owner_id: int) -> list[Row]:
    """The rows of a table that belong to one owner (`key` holding its id)."""
    if name not in tenant.tables:  # a lazy table the account has never used
        return []
    return [row for row in tenant.tables[name].rows() if row[key] == owner_id]


def workspace(call: Call) -> Row:
    return addressed(call, WORKSPACES)


def invalid(attribute: str, message: str) -> ValidationFailed:
    """A Rails-style validation error: `Email address has already been taken`."""
    return ValidationFailed(f"{attribute} {message}", violations=[Violation(attribute, message, "custom")])


def announce(call: Call, event: str, subject_type: str, row: Row, data: Any, **meta: Any) -> None:
    """An event about a record of a workspace, `data` its rendering. An event the workspace
    sends out (an endpoint of its subscribes to the type) is kept as a webhook event, whose
    uuid the delivery carries as its event_id."""
    workspace_id = row["workspace_id"]
    if any(e["workspace_id"] == workspace_id and event in e["event_type_ids"] for e in call.tenant.table(ENDPOINTS).rows()):
        meta["event_id"] = _keep_event(call, event, subject_type, row["id"], workspace_id, data)
    call.emit(event, data, subject_id=row["id"], subject_type=subject_type, workspace_id=workspace_id, **meta)


def _keep_event(call: Call, event: str, subject_type: str, subject_id: int, workspace_id: int, data: Any) -> str:
    """Store the event (dropping the oldest beyond EVENT_LIMIT); answers its uuid, dashed."""
    token = call.random.token(16)
    create(
        call,
        EVENTS,
        workspace_id=workspace_id,
        uuid=token,
        event_type_id=event,
        subject_id=subject_id,
        subject_type=subject_type,
        data=data,
    )
    kept = table(call.tenant, EVENTS)
    while len(kept) > EVENT_LIMIT:
        kept.delete(kept.keys()[0])
    return f"{token[:8]}-{token[8:12]}-{token[12:16]}-{token[16:20]}-{token[20:]}"


def filled(attribute: str, value: Any) -> str:
    """The value as stripped text, which must not be blank."""
    text = str(value).strip()
    if not text:
        raise invalid(attribute, "can't be blank")
    return text


def touch(call: Call, table: Table, row: Row, /, **changes: Any) -> Row:
    """Store the row with these changes and a new updated_at; answers the stored row (a new
    object: the row is replaced, so the updated_at index moves with it)."""
    return table.replace(row["id"], {**row, **changes, "updated_at": call.clock.time()})


def stamp(epoch: float | None) -> str | None:
    """UTC with milliseconds and a Z, as the real API writes times."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def base(row: Row) -> dict[str, Any]:
    return {"id": row["id"], "public_id": row["public_id"]}


# -- rendering -------------------------------------------------------------------------
def shown(row: Row, /, *stored: str, **computed: Any) -> dict[str, Any]:
    """A record as the API shows it, keys in the vendor's order: id and public_id, the
    `stored` fields as they are, the `computed` ones, then the timestamps."""
    return {
        **base(row),
        **{name: row[name] for name in stored},
        **computed,
        "created_at": stamp(row["created_at"]),
        "updated_at": stamp(row["updated_at"]),
    }


def team(row: Row) -> dict[str, Any]:
    return shown(row, "name", "time_zone", "locale")


def workspace_view(row: Row) -> dict[str, Any]:
    return shown(row, "team_id", "name", "subdomain")


def user(row: Row) -> dict[str, Any]:
    return shown(row, "email", "first_name", "last_name", "time_zone", "locale")


def webhook_event(row: Row) -> dict[str, Any]:
    """A webhook event as listed: it has no updated_at."""
    return {
        **base(row),
        **{name: row[name] for name in ("workspace_id", "uuid", "event_type_id", "subject_id", "subject_type", "data")},
        "created_at": stamp(row["created_at"]),
    }


CONTACT_FIELDS = (
    "email_address",
    "first_name",
    "last_name",
    "phone_number",
    "time_zone",
    "fb_url",
    "twitter_url",
    "instagram_url",
    "linkedin_url",
    "website_url",
)


def contact(tenant: Tenant, row: Row) -> dict[str, Any]:
    tags, applied = tenant.table(TAGS), tenant.table(APPLIED_TAGS)
    carried = []
    for link_id in row["applied_tag_ids"]:
        link = applied.get(link_id)
        tag_row = tags.get(link["tag_id"]) if link else None
        if link and tag_row:
            carried.append(
                {**base(tag_row), "name": tag_row["name"], "color": tag_row["color"], "applied_at": stamp(link["created_at"])}
            )
    return shown(
        row,
        "workspace_id",
        "anonymous",
        *CONTACT_FIELDS,
        "uuid",
        unsubscribed_at=stamp(row["unsubscribed_at"]),
        last_notification_email_sent_at=None,
        custom_attributes=dict(row["custom_attributes"]),
        tags=carried,
    )


def tag(row: Row) -> dict[str, Any]:
    return shown(row, "workspace_id", "name", "color")


def applied_tag(row: Row) -> dict[str, Any]:
    return shown(row, "contact_id", "tag_id")


def product(row: Row) -> dict[str, Any]:
    return shown(
        row,
        "workspace_id",
        "name",
        "current_path",
        "archived",
        "visible_in_store",
        "visible_in_customer_center",
        "image_id",
        "seo_title",
        "seo_description",
        "commissionable",
        default_variant_id=row["variants"][0]["id"],
        variant_ids=[v["id"] for v in row["variants"]],
        price_ids=[p["id"] for p in row["prices"]],
        tag_ids=list(row["tag_ids"]),
    )


def line_item(tenant: Tenant, row: Row) -> dict[str, Any]:
    fulfilled = fulfilled_quantity(tenant, row["id"])
    status = "unfulfilled" if fulfilled == 0 else "fulfilled" if fulfilled >= row["quantity"] else "partially_fulfilled"
    return shown(
        row,
        "order_id",
        "quantity",
        fulfillment_status=status,
        original_product=dict(row["product"]),
        products_price=dict(row["price"]),
        products_variant=dict(row["variant"]),
    )


def order(tenant: Tenant, row: Row) -> dict[str, Any]:
    """An order with its line items, its contact and workspace, and the order tags applied
    to it. Orders come from a funnel's order page: the page is their origination channel."""
    items = tenant.table(LINE_ITEMS)
    buyer = tenant.table(CONTACTS).get(row["contact_id"])
    space = tenant.table(WORKSPACES).get(row["workspace_id"])
    page_id = page_number(row["page_name"])
    return shown(
        row,
        "workspace_id",
        "order_number",
        "contact_id",
        "currency",
        "order_type",
        "billing_status",
        "service_status",
        "in_trial",
        "notes",
        "funnel_name",
        "page_name",
        total_amount=money(row["total_cents"]),
        line_items=[line_item(tenant, item) for item in map(items.get, row["line_item_ids"]) if item is not None],
        canceled_at=stamp(row["canceled_at"]),
        next_charge_at=stamp(row["next_charge_at"]),
        page_id=page_id,
        origination_channel_type="Page",
        origination_channel_id=page_id,
        tag_ids=[link["tag_id"] for link in children(tenant, ORDER_APPLIED_TAGS, "order_id", row["id"])],
        contact=contact(tenant, buyer) if buyer else None,
        workspace=workspace_view(space) if space else None,
    )


def page_number(name: str | None) -> int:
    """The id of the funnel page an order was placed on, known by its name (the emulator
    keeps no pages): the same name, the same id."""
    return zlib.crc32((name or "").encode()) % 1_000_000 + 1


def fulfilled_quantity(tenant: Tenant, line_item_id: int) -> int:
    """How much of a line item active (not cancelled) fulfillments cover."""
    return sum(
        part["quantity"]
        for row in tenant.table(FULFILLMENTS).rows()
        if row["status"] == "fulfilled"
        for part in row["parts"]
        if part["invoices_line_item_id"] == line_item_id
    )


def fulfillment(row: Row) -> dict[str, Any]:
    return shown(
        row,
        "workspace_id",
        "contact_id",
        "status",
        "fulfillment_number",
        "tracking_url",
        "shipping_provider",
        "tracking_code",
        "location_id",
        included_invoices_line_items=[dict(part) for part in row["parts"]],
    )


def course(row: Row) -> dict[str, Any]:
    return shown(row, "title", "description", "current_path", "image_url", published_at=stamp(row["published_at"]))


def enrollment(row: Row) -> dict[str, Any]:
    return shown(
        row, "contact_id", "course_id", "suspended", "suspension_reason", "origination_source_type", "origination_source_id"
    )


def form(row: Row) -> dict[str, Any]:
    return shown(row, "workspace_id", "name")


def submission(row: Row) -> dict[str, Any]:
    return shown(row, "form_id", "contact_id", "workspace_id", data=dict(row["data"]))


def endpoint(row: Row) -> dict[str, Any]:
    return shown(row, "workspace_id", "url", "name", event_type_ids=list(row["event_type_ids"]), api_version=2)


def image(row: Row) -> dict[str, Any]:
    return shown(row, "workspace_id", "url", "alt_text", "name")
