"""Bulk exports: made at once from the account's tables, served as CSV (gzip when asked)
from a download link the emulator answers itself (PAGES)."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, datetime
from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.provider import PageContext
from mockserver.engine.store import Row, Tenant
from mockserver.providers.yulsn import contacts, records, segments
from mockserver.providers.yulsn.records import (
    COMPANIES,
    CONTACTS,
    EMAIL2,
    ENTITIES,
    EVENTS,
    EXPORTS,
    LINES,
    ORDERS,
    POINTS,
    STORES,
    TABLES,
    invalid,
)

# The vendor's ExportType enum, by number.
EXPORT_TYPES = (
    "Contacts",
    "Stores",
    "Points",
    "PointSums",
    "Orders",
    "OrderLines",
    "Events",
    "EmailCampaignClicks",
    "ContactCompanies",
    "VoucherCodes",
    "PermissionLogs",
    "Email2Dispatches",
    "Email2Receivers",
    "Email2Interactions",
    "Email2Bounces",
    "SmsDispatches",
    "SmsReceivers",
    "PushDispatches",
    "PushReceivers",
    "PushTokens",
    "ContactPermissionSources",
    "VoucherGroups",
    "Vouchers",
    "VoucherAssignments",
)
# The tables the emulator keeps for some export types (the others export no rows).
EXPORT_TABLES = {0: CONTACTS, 1: STORES, 2: POINTS, 4: ORDERS, 5: LINES, 6: EVENTS, 8: COMPANIES, 11: EMAIL2}
TIME_KEYS = {"LastModified", "Created", "RegistrationDateTime", "DateTime", "OriginDate", "StartDate", "EndDate", "Planned"}
CREATED_KEYS = ("Created", "RegistrationDateTime", "DateTime")
HIDDEN_KEYS = {"PasswordHash", "RowVersion", "Fields"}
FORMATS = {0: "csv", 1: "parquet"}


# -- bulk exports -------------------------------------------------------------------------
def render_export(call: Call, row: Row) -> dict[str, Any]:
    base = call.request.host_url if call.request is not None else "http://127.0.0.1/"
    return {
        "Name": row["Name"],
        "DownloadUrl": f"{base}yulsn/Exports/{row['_token']}",
        "SizeInBytes": len(row["_content"]),
        "Type": row["TypeName"],
        **records.view(
            row, ("CreatedDateTimeFrom", "CreatedDateTimeTo", "ItemType", "RowCount", "SegmentId", "Right", "TimeZoneId")
        ),
    }


def list_exports(call: Call) -> Reply:
    wanted = call.params.get("type")
    rows = [row for row in call.tenant.table(EXPORTS).rows() if wanted is None or row["Type"] == wanted]
    return Reply(200, [render_export(call, row) for row in rows])


def create_export(call: Call) -> Reply:
    return Reply(200, render_export(call, add_export(call, call.body)))


def add_export(call: Call, body: dict[str, Any]) -> Row:
    """Check the settings, then build the file at once (the rows as they are now)."""
    tenant = call.tenant
    kind, table_id = body.get("Type"), body.get("DynamicTableId")
    if kind is None and table_id is None:
        raise invalid("Either Type or DynamicTableId must have a value.")
    if kind is not None and table_id is not None:
        raise invalid("Type must be null for an export of a DynamicTable.")
    if kind is not None and not (isinstance(kind, int) and 0 <= kind < len(EXPORT_TYPES)):
        raise invalid(f"The value '{kind}' is not valid for Type.")
    records.must_exist(tenant.table(TABLES), table_id, "DynamicTable")
    fmt = body.get("Format")
    fmt = 0 if fmt is None else fmt
    if fmt not in FORMATS:
        raise invalid(f"The value '{fmt}' is not valid for Format.")
    column = body.get("ColumnDelimiter") or ";"
    line = body.get("RowDelimiter") or "\r\n"
    if column == line:
        raise invalid("ColumnDelimiter and RowDelimiter must differ.")
    window = {
        name: records.given_date(body, name)
        for name in ("CreatedDateTimeFrom", "CreatedDateTimeTo", "LastModifiedFrom", "LastModifiedTo")
    }
    members: set[int] | None = None
    if body.get("SegmentId") is not None:
        records.must_exist(tenant.table(records.SEGMENTS), body["SegmentId"], "Segment")
        members = set(segments.contacts_in(tenant, [body["SegmentId"]]))
    views = [
        view
        for row, view in _export_rows(tenant, kind, table_id)
        if _wanted(row, window, body.get("LastId"), members, contact_table=kind == 0)
    ]
    columns = _columns(views, body.get("Fields"))
    text = (
        line.join(
            [column.join(_cell(c, column, line) for c in columns)]
            + [column.join(_cell(v.get(c), column, line) for c in columns) for v in views]
        )
        + line
    )
    content = text.encode("utf-8")
    type_name = EXPORT_TYPES[kind] if kind is not None else "DynamicTable"
    export_id = tenant.next_id("export")
    moment = datetime.fromtimestamp(call.clock.time(), UTC).strftime("%Y%m%d%H%M%S")
    suffix = re.sub(r"[\\/]+", "_", body.get("SuffixFileName") or "").strip()
    name = f"{type_name}_{moment}_{export_id}{'_' + suffix if suffix else ''}.{FORMATS[fmt]}"
    if body.get("UseCompression"):
        content, name = gzip.compress(content, mtime=0), name + ".gz"
    row = {
        "Id": export_id,
        "Name": name,
        "Type": kind,
        "TypeName": type_name,
        "DynamicTableId": table_id,
        "CreatedDateTimeFrom": window["CreatedDateTimeFrom"],
        "CreatedDateTimeTo": window["CreatedDateTimeTo"],
        "ItemType": body.get("ItemType"),
        "RowCount": len(views),
        "SegmentId": body.get("SegmentId"),
        "Right": None,
        "TimeZoneId": body.get("TimeZoneId"),
        "Created": call.clock.time(),
        "_token": f"{tenant.settings['account_id']}-{records.secret(call.random, 24)}",
        "_content": content,
    }
    return tenant.table(EXPORTS).insert(export_id, row)


def _export_rows(tenant: Tenant, kind: int | None, table_id: int | None) -> list[tuple[Row, dict[str, Any]]]:
    if table_id is not None:
        return [(row, _flat(row)) for row in tenant.table(ENTITIES).rows() if row.get("_table") == table_id]
    if kind == 0:
        return [(row, contacts.render(tenant, row)) for row in tenant.table(CONTACTS).rows()]
    name = EXPORT_TABLES.get(kind) if kind is not None else None
    return [(row, _flat(row)) for row in tenant.table(name).rows()] if name else []


def _flat(row: Row) -> dict[str, Any]:
    """A stored row as export columns: dynamic values at the top level, times as written by
    the API, nested lists and objects left out."""
    view: dict[str, Any] = {}
    for name, value in row.items():
        if name.startswith("_") or name in HIDDEN_KEYS:
            continue
        if name == "Dynamic" and isinstance(value, dict):
            view.update(value)
        elif isinstance(value, dict | list):
            continue
        elif name in TIME_KEYS and isinstance(value, int | float) and not isinstance(value, bool):
            view[name] = records.stamp(value)
        else:
            view[name] = value
    return view


def _wanted(
    row: Row, window: dict[str, float | None], last_id: int | None, members: set[int] | None, *, contact_table: bool
) -> bool:
    created = next((row[k] for k in CREATED_KEYS if isinstance(row.get(k), int | float)), None)
    modified = row.get("LastModified") if isinstance(row.get("LastModified"), int | float) else None
    checks = (
        (window["CreatedDateTimeFrom"], created, True),
        (window["CreatedDateTimeTo"], created, False),
        (window["LastModifiedFrom"], modified, True),
        (window["LastModifiedTo"], modified, False),
    )
    for bound, value, lower in checks:
        if bound is not None and (value is None or (value < bound if lower else value > bound)):
            return False
    if last_id is not None and not (isinstance(row.get("Id"), int) and row["Id"] > last_id):
        return False
    if members is not None:
        owner = row.get("Id") if contact_table else row.get("ContactId")
        if owner not in members:
            return False
    return True


def _columns(views: list[dict[str, Any]], fields: list[str] | None) -> list[str]:
    """The columns asked for (spelled as the rows spell them), or every column."""
    known: dict[str, str] = {}
    for view in views:
        for name in view:
            known.setdefault(name.lower(), name)
    if fields:
        return [known.get(f.lower(), f) for f in dict.fromkeys(fields)]
    return list(known.values())


def _cell(value: Any, column: str, line: str) -> str:
    if value is None:
        return ""
    text = str(value) if not isinstance(value, bool) else ("True" if value else "False")
    if column in text or line in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def export_page(context: PageContext) -> Reply:
    """The file a DownloadUrl points at (no API key, as a storage link)."""
    token = context.request.path.rstrip("/").rsplit("/", 1)[-1]
    account = token.split("-", 1)[0]
    for tenant in context.tenants():
        if str(tenant.settings.get("account_id")) != account:
            continue
        with tenant.lock:
            row = next((r for r in tenant.table(EXPORTS).rows() if r["_token"] == token), None)
        if row is None:
            continue
        kind = "application/gzip" if row["Name"].endswith(".gz") else "text/csv; charset=utf-8"
        headers = {"Content-Type": kind, "Content-Disposition": f'attachment; filename="{row["Name"]}"'}
        return Reply(200, bytes(row["_content"]), headers)
    return Reply(404, {"Message": "The specified blob does not exist."}, {"Content-Type": "application/json"})


PAGES = {("GET", "Exports/<token>"): export_page}

HANDLERS = {"listBulkExports": list_exports, "createBulkExport": create_export}
