"""An account's records: one table a page at a time (newest first, 50 rows: a page costs
the same with 10 or 10,000 rows), searched by id or e-mail, each row's JSON with the
fields named like secrets redacted unless that row's are asked for (?reveal=<id>)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mockserver.dashboard.common import PAGE_SIZE, Dashboard, DashboardError, page_number, pretty
from mockserver.engine.journal import redact_fields
from mockserver.engine.store import Key, Row, Table, Tenant

# The fields a row is summed up by in its table line (after any e-mail), first found first.
SUMMARY_FIELDS = ("name", "Name", "title", "Title", "first_name", "FirstName", "url", "target", "event", "status")
# Tables that hold an account's webhook subscriptions (by the providers' own names).
SUBSCRIPTION_TABLES = ("webhooks", "endpoints")
DEFAULT_TABLE = "contacts"


def records_section(dash: Dashboard, tenant: Tenant, table_name: str | None, args: Mapping[str, str]) -> dict[str, Any]:
    """What the Records section shows: the tables with their counts, and one page of one."""
    page = page_number(args.get("page"))
    query = (args.get("q") or "").strip()
    reveal = args.get("reveal")
    with dash.emulator.store.hold(tenant, write=False):
        tables = sorted((name, len(table)) for name, table in tenant.tables.items())
        if table_name is None:
            names = [name for name, _ in tables]
            table_name = DEFAULT_TABLE if DEFAULT_TABLE in names else (names[0] if names else None)
        table = tenant.tables.get(table_name) if table_name is not None else None
        if table_name is not None and table is None:
            raise DashboardError(404, f"this account has no table {table_name!r}")
        rows: list[dict[str, Any]] = []
        total = 0
        if table is not None:
            keys = _search(table, query) if query else None
            total = len(keys) if keys is not None else len(table)
            chosen = _page_keys(keys if keys is not None else table.keys(), page)
            rows = [_row_view(key, row, reveal) for key, row in zip(chosen, table.rows_of(chosen), strict=True)]
    return {
        "tables": tables,
        "table": table_name,
        "rows": rows,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "q": query,
        "reveal": reveal,
    }


def subscriptions(dash: Dashboard, tenant: Tenant) -> list[tuple[str, int]]:
    """The account's webhook subscription tables, with their counts."""
    with dash.emulator.store.hold(tenant, write=False):
        return [(name, len(tenant.tables[name])) for name in SUBSCRIPTION_TABLES if name in tenant.tables]


def _page_keys(keys: Sequence[Key], page: int) -> list[Key]:
    """Page `page` of the keys, newest (last) first: a slice, never the whole table."""
    end = len(keys) - (page - 1) * PAGE_SIZE
    if end <= 0:
        return []
    return list(keys[max(0, end - PAGE_SIZE) : end])[::-1]


def _search(table: Table, query: str) -> list[Key]:
    """The row whose id is `query`, else those with an e-mail-named field that contains it."""
    for candidate in (query, int(query)) if query.isascii() and query.isdigit() else (query,):
        if candidate in table:
            return [candidate]
    needle = query.casefold()
    keys = table.keys()
    return [
        key
        for key, row in zip(keys, table.rows_of(keys), strict=True)
        if any(isinstance(value, str) and "email" in name.lower() and needle in value.casefold() for name, value in row.items())
    ]


def _summary(row: Row) -> str:
    for name, value in row.items():
        if isinstance(value, str) and "email" in name.lower() and value:
            return value
    return next((str(row[name]) for name in SUMMARY_FIELDS if isinstance(row.get(name), str | int)), "")


def _row_view(key: Key, row: Row, reveal: str | None) -> dict[str, Any]:
    redacted = redact_fields(row)
    secret = redacted != row
    shown = secret and reveal == str(key)
    return {
        "key": key,
        "summary": _summary(row),
        "json": pretty(row if shown else redacted),
        "secret": secret,
        "revealed": shown,
    }
