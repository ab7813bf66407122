"""Systeme.io records: how they are stored in a tenant and rendered as the API shows them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from mockserver.engine.clock import iso
from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Key, Row, Table, Tenant
from mockserver.providers.base import Reads, Render, Where, found, insert_next

CONTACTS, TAGS, FIELDS = "contacts", "tags", "fields"
COURSES, ENROLLMENTS = "courses", "enrollments"
COMMUNITIES, MEMBERSHIPS = "communities", "memberships"
SUBSCRIPTIONS, ORDERS, WEBHOOKS = "subscriptions", "orders", "webhooks"
FUNNELS, CAMPAIGNS, NEWSLETTERS = "funnels", "campaigns", "newsletters"

DEFAULT_FIELDS = (
    ("First name", "first_name"),
    ("Last name", "surname"),
    ("Phone number", "phone_number"),
    ("Street address", "street_address"),
    ("City", "city"),
    ("Country", "country"),
    ("State", "state"),
    ("Postcode", "postcode"),
    ("Company name", "company_name"),
)
DEFAULT_SLUGS = frozenset(slug for _, slug in DEFAULT_FIELDS)
# The gateway reference's example names the two name fields this way.
FIELD_ALIASES = {"firstName": "first_name", "lastName": "surname"}

# ISO 3166-1 alpha-2: the `country` field takes these codes.
_COUNTRY_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
    """
COUNTRIES = frozenset(_COUNTRY_CODES.split())

_LOCAL_PART = re.compile(r"[^@\s\"(),:;<>\[\\\]]{1,64}\Z")
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)\Z")
_RESERVED_TLDS = {"invalid", "test", "localhost", "local"}


def email_is_deliverable(email: str) -> bool:
    """The emulator's stand-in for the real MX lookup (documented in the spec): a
    well-formed address whose domain has a dot, no reserved top-level name, and no label
    starting with `nomx`."""
    local, at, domain = email.rpartition("@")
    if not at or not _LOCAL_PART.match(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return False
    tld = labels[-1].lower()
    if not tld.isalpha() or len(tld) < 2 or tld in _RESERVED_TLDS:
        return False
    return not any(label.lower().startswith("nomx") for label in labels)


def email_key(row: Row) -> str:
    return str(row["email"]).casefold()


def name_key(row: Row) -> str:
    return str(row["name"]).casefold()


# The contact flags a list filters on (`?unsubscribed=true`), each with an index of its own.
FLAGS = ("unsubscribed", "bounced", "needsConfirmation")


def _flag_of(flag: str) -> Callable[[Row], tuple[bool]]:
    return lambda row: (row[flag],)


def init_tables(tenant: Tenant) -> None:
    """Create the tables and their indexes for a new account."""
    tenant.table(CONTACTS).add_index("email", email_key)
    for flag in FLAGS:
        tenant.table(CONTACTS).add_value_index(flag, _flag_of(flag))
    tenant.table(CONTACTS).add_value_index("tags", lambda row: row["tags"])
    tenant.table(TAGS).add_index("name", name_key)
    tenant.table(FIELDS).add_index("slug", lambda row: row["slug"])
    tenant.table(WEBHOOKS).add_index("name", lambda row: row["name"])
    tenant.table(WEBHOOKS).add_index("url", lambda row: row["url"])
    for name in (COURSES, ENROLLMENTS, COMMUNITIES, MEMBERSHIPS, SUBSCRIPTIONS, ORDERS, FUNNELS, CAMPAIGNS, NEWSLETTERS):
        tenant.table(name)


@lru_cache(maxsize=65536)  # lists render the same instants again and again
def stamp(epoch: float) -> str:
    return iso(datetime.fromtimestamp(epoch, UTC))


# -- what handlers share ---------------------------------------------------------------
def require(table: Table, key: Any) -> Row:
    """The row a request names; API Platform's 404 ("Not Found") when it names none."""
    return found(table.get(key))


def page_reply(call: Call, table: Table, render: Render, where: Where | None = None, keys: Sequence[Key] | None = None) -> Reply:
    """One page of a list, the same way for every list: `limit`, `startingAfter`, `order`.
    `keys`: the only rows that can match (in key order, from an index), to read no others."""
    rows, more = table.page_keys(
        table.keys() if keys is None else keys,
        after=call.params.get("startingAfter"),
        limit=call.params["limit"],
        descending=call.params["order"] == "desc",
        where=where,
    )
    return Reply(200, {"items": [render(row) for row in rows], "hasMore": more})


def name_contains(call: Call) -> Where | None:
    """`?query=`: the rows whose name contains it, whatever the case (None: no query)."""
    query = (call.params.get("query") or "").casefold()
    return (lambda row: query in row["name"].casefold()) if query else None


def columns_equal(params: Mapping[str, Any], **columns: str) -> Where | None:
    """The rows whose columns hold the values the query gives (`course=7`: courseId 7);
    None when it gives none of them."""
    wanted = {column: params[name] for name, column in columns.items() if params.get(name) is not None}
    return (lambda row: all(row[column] == value for column, value in wanted.items())) if wanted else None


def _page(call: Call, name: str, render: Render, where: Callable[[Call], Where | None] = lambda _: None) -> Reply:
    return page_reply(call, call.tenant.table(name), render, where(call))


# Handlers that only list (`where`: the call's filter), read or delete the rows of one table.
READS = Reads(_page, lambda call, name: require(call.tenant.table(name), call.params["id"]))


# -- storing ---------------------------------------------------------------------------
add = insert_next  # a new row under the next id of its kind, which the row holds first as its `id`


# What the API, the admin actions and the demo create alike.
def add_tag(tenant: Tenant, name: str, at: float) -> Row:
    return add(tenant, TAGS, "tag", {"name": name, "createdAt": at})


def path_of(name: str) -> str:
    """The path the app gives a course or a community: its name in lower case, dashes for spaces."""
    return name.lower().replace(" ", "-")


def add_course(tenant: Tenant, name: str, modules: Iterable[str], *, active: bool, locale: str, domain: str | None) -> Row:
    course_id = tenant.next_id("course")  # before its modules'
    module_rows = [{"id": tenant.next_id("course_module"), "name": module} for module in modules]
    return tenant.table(COURSES).insert(
        course_id,
        {
            "id": course_id,
            "name": name,
            "active": active,
            "locale": locale,
            "domainName": domain,
            "path": path_of(name),
            "modules": module_rows,
        },
    )


def add_enrollment(
    tenant: Tenant, contact_id: int, course_id: int, at: float, access: str = "full_access", modules: list[int] | None = None
) -> Row:
    values = {"contactId": contact_id, "courseId": course_id, "accessType": access, "modules": modules or []}
    return add(tenant, ENROLLMENTS, "enrollment", {**values, "active": True, "createdAt": at})


def add_community(tenant: Tenant, name: str, domain: str | None) -> Row:
    return add(tenant, COMMUNITIES, "community", {"name": name, "domainName": domain, "path": path_of(name)})


def add_membership(tenant: Tenant, community_id: int, contact_id: int, at: float) -> Row:
    return add(tenant, MEMBERSHIPS, "membership", {"communityId": community_id, "contactId": contact_id, "createdAt": at})


# -- rendering -------------------------------------------------------------------------
def pick(row: Row, *names: str) -> dict[str, Any]:
    """These values of a row, in this order: what most renderings show as they are stored."""
    return {name: row[name] for name in names}


def contact_summary(row: Row) -> dict[str, Any]:
    # Written out rather than picked: every contact of every list page goes through here.
    return {
        "id": row["id"],
        "email": row["email"],
        "registeredAt": stamp(row["registeredAt"]),
        "locale": row["locale"],
        "sourceURL": row["sourceURL"],
        "unsubscribed": row["unsubscribed"],
        "bounced": row["bounced"],
        "needsConfirmation": row["needsConfirmation"],
    }


def contact(tenant: Tenant, row: Row, fields: list[Row] | None = None) -> dict[str, Any]:
    """`fields`: the account's field definitions, when a list has read them once for all."""
    values = row["fields"]
    tags = tenant.table(TAGS)
    rendered = contact_summary(row)
    rendered["fields"] = [
        {"fieldName": f["fieldName"], "slug": f["slug"], "value": values.get(f["slug"])}
        for f in (fields if fields is not None else tenant.table(FIELDS).rows())
    ]
    rendered["tags"] = [tag_ref(tag) for tag in map(tags.get, row["tags"]) if tag is not None]
    return rendered


def tag(row: Row) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "createdAt": stamp(row["createdAt"])}


def tag_ref(row: Row) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"]}  # written out: each tag of each listed contact


def contact_field(row: Row) -> dict[str, Any]:
    return pick(row, "fieldName", "slug")


def course_summary(row: Row) -> dict[str, Any]:
    return pick(row, "id", "locale", "path", "active", "name")


def course(row: Row) -> dict[str, Any]:
    return {**course_summary(row), "domainName": row["domainName"], "modules": [dict(m) for m in row["modules"]]}


def enrollment(tenant: Tenant, row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "contact": contact_summary(tenant.table(CONTACTS).get(row["contactId"]) or {}),
        "course": course_summary(tenant.table(COURSES).get(row["courseId"]) or {}),
        "accessType": row["accessType"],
        "active": row["active"],
    }


def community(row: Row) -> dict[str, Any]:
    return pick(row, "id", "name", "domainName", "path")


def membership(tenant: Tenant, row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "community": community(tenant.table(COMMUNITIES).get(row["communityId"]) or {}),
        "contact": {"id": row["contactId"]},
    }
