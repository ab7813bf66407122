"""Yulsn records: tables, ids, secrets, times as .NET writes them, dynamic fields, and the
search fields of SEARCH requests. Responses are PascalCase."""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from mockserver.engine.clock import parse_iso
from mockserver.engine.errors import ApiError, Conflict, NotFound, ValidationFailed, Violation
from mockserver.engine.randomness import Randomness
from mockserver.engine.store import Row, Table, Tenant
from mockserver.providers.base import found, held_by_another, insert_next

__all__ = ["ApiError", "Conflict", "NotFound", "ValidationFailed", "Violation", "found"]  # re-exported for the areas

CONTACTS, COMPANIES, EVENTS, POINTS = "contacts", "companies", "events", "points"
ORDERS, LINES, STORES, SEGMENTS = "orders", "order_lines", "stores", "segments"
TABLES, ENTITIES = "dynamic_tables", "entities"  # entities of every table, keyed by id
ACTIONS, BANNERS, EXPORTS, FEEDS, TOKENS = "actions", "banners", "exports", "feeds", "iframe_tokens"
CAMPAIGNS, DISPATCHES, RECEIVERS, EMAIL2 = "campaigns", "dispatches", "receivers", "email2_dispatches"
MEDIA, FOLDERS, PERSON_FILES, TRIGGERS = "media", "media_folders", "person_data_files", "action_triggers"
ALL_TABLES = (
    CONTACTS,
    COMPANIES,
    EVENTS,
    POINTS,
    ORDERS,
    LINES,
    STORES,
    SEGMENTS,
    TABLES,
    ENTITIES,
    ACTIONS,
    BANNERS,
    EXPORTS,
    FEEDS,
    TOKENS,
    CAMPAIGNS,
    DISPATCHES,
    RECEIVERS,
    EMAIL2,
    MEDIA,
    FOLDERS,
    PERSON_FILES,
    TRIGGERS,
)
OWNERS = ("Orders", "OrderLines", "ContactCompanies", "Contacts", "Stores", "DynamicTable")
DYNAMIC_TYPES = {1: "String", 2: "Boolean", 3: "Number", 4: "DateTimeOffset", 5: "Decimal"}


def init_tables(tenant: Tenant) -> None:
    for name in ALL_TABLES:
        tenant.table(name)
    tenant.table(CONTACTS).add_index("email", lambda row: row["Email"].casefold() if row["Email"] else None)
    tenant.table(CONTACTS).add_index("phone", lambda row: row["Phone"] or None)
    tenant.table(CONTACTS).add_index("secret", lambda row: row["Secret"])
    tenant.table(STORES).add_index("number", lambda row: row["Number"])
    tenant.table(COMPANIES).add_index("number", lambda row: row["Number"] or None)
    tenant.table(TABLES).add_index("name", lambda row: row["Name"].casefold())
    tenant.table(ENTITIES).add_index("secret", lambda row: (row["_table"], row["Secret"]))
    tenant.table(ENTITIES).add_index("external", lambda row: (row["_table"], row["ExternalId"]) if row["ExternalId"] else None)
    tenant.settings.setdefault("dynamic_fields", {owner: [] for owner in OWNERS})
    tenant.settings.setdefault("order_types", ["Default"])
    tenant.settings.setdefault("point_types", ["Loyalty"])


def add_row(tenant: Tenant, table: str, counter: str, values: Mapping[str, Any], *, start: int = 1) -> Row:
    """Store a record under the next id of its counter, the id as its first field (every
    record renders `Id` first)."""
    return insert_next(tenant, table, counter, values, id_name="Id", start=start)


def account_list(tenant: Tenant, name: str, defaults: Iterable[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """A list of back-office records the account keeps in its settings (templates,
    triggers, categories...), made with its defaults the first time it is asked for."""
    found: list[dict[str, Any]] = tenant.settings.setdefault(name, [dict(item) for item in defaults])
    return found


# -- errors in the provider's words --------------------------------------------------------
def invalid(message: str) -> ValidationFailed:
    """400 `{"Message": message}`."""
    return ValidationFailed(message, violations=[Violation("", message, "custom")])


def not_found(what: str = "Not found") -> NotFound:
    return NotFound(what)


class ConflictWith(Conflict):
    """409 answered with a record (e.g. the latest contact) instead of a message."""

    def __init__(self, message: str, body: Any) -> None:
        super().__init__(message)
        self.body = body


def locked(message: str) -> ApiError:
    return ApiError(message, status=423)


def require(table: Table, key: Any, what: str) -> Row:
    return found(table.get(key), f"{what} not found")


def with_id(table: Table, key: Any, what: str) -> Row:
    """The record, or 404 `{what} with id {key} not found.` (the wording of the newer endpoints)."""
    return found(table.get(key), f"{what} with id {key} not found.")


def known(table: Table, key: Any, what: str) -> None:
    """404 as `with_id` says when no record has the id (the record itself is not needed)."""
    if key not in table:
        raise not_found(f"{what} with id {key} not found.")


def must_exist(table: Table, key: Any, what: str, error: Callable[[str], ApiError] = invalid) -> None:
    """A reference a body gives (None: none given) to a record that must exist: 400, or the
    error given, `{what} with id {key} does not exist.`"""
    if key is not None and table.get(key) is None:
        raise error(f"{what} with id {key} does not exist.")


# -- PATCH ------------------------------------------------------------------------------
NO_FIELDS = "There were no valid fields specified for patching!"


def some_change(changes: Mapping[str, Any], dynamic: Mapping[str, Any]) -> None:
    """400 as the vendor words it for a PATCH that sets nothing the record has."""
    if not changes and not dynamic:
        raise invalid(NO_FIELDS)


def patched(row: Row, changes: Mapping[str, Any], dynamic: Mapping[str, Any], **more: Any) -> Row:
    """A new row: the changes made, the dynamic values given set (the others kept)."""
    return {**row, **changes, "Dynamic": {**row["Dynamic"], **dynamic}, **more}


def duplicate(value: Any) -> Conflict:
    return Conflict(f"Cannot save duplicate value '{value}'!")


def unique(table: Table, index: str, key: Any, record_id: int | None, value: Any) -> None:
    """409 (`duplicate`) when another record than `record_id` holds `key` in a unique index."""
    if held_by_another(table, index, key, record_id, id_name="Id"):
        raise duplicate(value)


# -- ids, secrets, times ------------------------------------------------------------------
def secret(random: Randomness, length: int) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(alphabet[random.bits(8) % len(alphabet)] for _ in range(length))


def stamp(epoch: float | None) -> str | None:
    """ISO 8601 with an offset, fractions of seconds trimmed (as Newtonsoft writes a
    DateTimeOffset): `2024-05-14T10:00:00.25+00:00`."""
    if epoch is None:
        return None
    moment = datetime.fromtimestamp(epoch, UTC)
    text = f"{moment.year:04d}-" + moment.strftime("%m-%dT%H:%M:%S")  # %Y does not pad years before 1000
    if moment.microsecond:
        text += ("." + f"{moment.microsecond:06d}").rstrip("0")
    return text + "+00:00"


# The names under which records keep a time (epoch seconds); views write them with `stamp`.
TIMES = frozenset(
    {
        "LastModified",
        "Created",
        "RegistrationDateTime",
        "DateTime",
        "OriginDate",
        "StartDate",
        "EndDate",
        "Planned",
        "StartSending",
        "LastSynced",
        "At",
        "CreatedDateTimeFrom",
        "CreatedDateTimeTo",
    }
)


def view(row: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The record's values under these names, in this order, its times as the API writes them."""
    return {name: stamp(row[name]) if name in TIMES else row[name] for name in names}


def given_date(values: Mapping[str, Any], name: str) -> float | None:
    """A body member's or query parameter's date: None when left out or empty, 400 naming
    it when unreadable."""
    return None if values.get(name) in (None, "") else date_of(values[name], name)


def date_of(value: Any, name: str) -> float:
    """A date given under a name, or 400 naming it when unreadable."""
    moment = parse_date(str(value))
    if moment is None:
        raise invalid(f"The value '{value}' is not valid for {name}.")
    return moment


_DOTNET = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(?:([+-]?)\s*(\d{2}):(\d{2}))?\Z")


def parse_date(text: str | None) -> float | None:
    """A date from a query or body: ISO 8601, or .NET's default `MM/dd/yyyy HH:mm:ss +00:00`
    (whose `+` arrives as a space when it was not escaped). None when unreadable."""
    if text is None:
        return None
    text = text.strip()
    moment = parse_iso(text.replace(" ", "+", 1) if re.match(r"\d{4}-\d\d-\d\dT[\d:.]+ \d\d:\d\d\Z", text) else text)
    if moment is not None:
        return moment.timestamp()
    match = _DOTNET.match(text)
    if not match:
        return None
    month, day, year, hour, minute, second, sign, off_h, off_m = match.groups()
    try:
        value = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=UTC)
    except ValueError:
        return None
    if off_h is not None:
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        value -= -offset if sign == "-" else offset
    return value.timestamp()


def decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def number(value: Decimal) -> int | float:
    """A decimal as JSON writes it: whole numbers without a fraction."""
    return int(value) if value == value.to_integral_value() else float(value)


def spelling(known: Iterable[str], value: Any, message: str) -> str:
    """The account's spelling of a name it knows (an order or point type, matched without
    regard to case), or 400 with the message."""
    for name in known:
        if isinstance(value, str) and name.casefold() == value.strip().casefold():
            return str(name)
    raise invalid(message)


# -- dynamic fields -----------------------------------------------------------------------
def dynamic_fields(tenant: Tenant, owner: str, table_id: int | None = None) -> list[dict[str, Any]]:
    if owner == "DynamicTable":
        table = tenant.table(TABLES).get(table_id) if table_id is not None else None
        return list(table["Fields"]) if table else []
    fields: list[dict[str, Any]] = tenant.settings["dynamic_fields"].get(owner, [])
    return fields


def dynamic_values(fields: Iterable[Mapping[str, Any]], body: Mapping[str, Any]) -> dict[str, Any]:
    """The dynamic fields a body sets (names matched without regard to case), typed."""
    by_name = {field["Name"].lower(): field for field in fields}
    values: dict[str, Any] = {}
    for name, value in body.items():
        field = by_name.get(name.lower()) if isinstance(name, str) else None
        if field is not None:
            values[field["Name"]] = _typed(field, value)
    return values


def _typed(field: Mapping[str, Any], value: Any) -> Any:
    if value is None:
        return None
    kind = field["Type"]
    ok = (
        (kind == 1 and isinstance(value, str))
        or (kind == 2 and isinstance(value, bool))
        or (kind in (3, 5) and isinstance(value, int | float) and not isinstance(value, bool))
        or (kind == 4 and isinstance(value, str) and parse_date(value) is not None)
    )
    if not ok:
        raise ValidationFailed(
            "invalid dynamic field",
            violations=[Violation(field["Name"], f"The value is not a valid {DYNAMIC_TYPES[kind]}.", "custom")],
        )
    if kind == 1 and field.get("Values") and value not in field["Values"]:
        raise ValidationFailed(
            "invalid dynamic field",
            violations=[Violation(field["Name"], f"'{value}' is not one of the values of {field['Name']}.", "custom")],
        )
    return value


def with_dynamic(rendered: dict[str, Any], fields: Iterable[Mapping[str, Any]], values: Mapping[str, Any]) -> dict[str, Any]:
    """The rendered record with every dynamic field at the top level (null when unset)."""
    for field in fields:
        rendered[field["Name"]] = values.get(field["Name"])
    return rendered


# -- SEARCH fields ------------------------------------------------------------------------
OPERATORS = {
    "Equal": 1,
    "NotEqual": 2,
    "MoreThan": 3,
    "MoreThanOrEqual": 4,
    "LessThan": 5,
    "LessThanOrEqual": 6,
    "Null": 7,
    "NotNull": 8,
    "In": 9,
}


def matches(view: Mapping[str, Any], fields: Iterable[Mapping[str, Any]]) -> bool:
    """Whether a rendered record satisfies every search field."""
    lowered = {k.lower(): v for k, v in view.items()}
    for field in fields:
        name = str(field["Field"]).lower()
        if name not in lowered:
            raise invalid(f"Unknown search field '{field['Field']}'.")
        operator = field["Operator"]
        operator = OPERATORS[operator] if isinstance(operator, str) else operator
        if not _compare(lowered[name], operator, field.get("Value"), field.get("Values")):
            return False
    return True


def _compare(actual: Any, operator: int, value: Any, values: list[Any] | None) -> bool:
    if operator == 7:
        return actual is None
    if operator == 8:
        return actual is not None
    if operator == 9:
        return any(_equal(actual, v) for v in values or [])
    if operator == 1:
        return _equal(actual, value)
    if operator == 2:
        return not _equal(actual, value)
    if actual is None or value is None:
        return False
    left, right = _comparable(actual), _comparable(value)
    if type(left) is not type(right):
        left, right = str(left), str(right)
    result: bool = {3: left > right, 4: left >= right, 5: left < right, 6: left <= right}[operator]
    return result


def _equal(actual: Any, value: Any) -> bool:
    if actual is None or value is None:
        return actual is value
    left, right = _comparable(actual), _comparable(value)
    if type(left) is not type(right):
        return str(actual).casefold() == str(value).casefold()
    return bool(left == right)


def _comparable(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            date = parse_date(value) if re.match(r"\d{4}-\d\d-\d\d", value) else None
            return date if date is not None else value.casefold()
    return value
