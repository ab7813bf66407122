"""Paging helpers shared by providers, beside Table.page (cursor pages in key order):
pages in another order than the key's, offset pages, and next-page URLs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from mockserver.engine.store import Key, Row, Table

SortKey = Callable[[Row], Any]


def page_sorted(
    table: Table,
    *,
    sort_key: SortKey,
    after: Key | None,
    limit: int,
    descending: bool = False,
    where: Callable[[Row], bool] | None = None,
) -> tuple[list[Row], bool]:
    """Up to `limit` rows after the cursor row in `sort_key` order (include the key in the
    sort key so that ties are broken), and whether more remain. A cursor naming a deleted
    row is placed where that row was; one naming a row never seen yields nothing."""
    rows = [row for row in table.rows() if where is None or where(row)]
    rows.sort(key=sort_key, reverse=descending)
    if after is not None:
        anchor = table.get(after) or table.buried(after)
        if anchor is None:
            return [], False
        mark = sort_key(anchor)
        rows = [row for row in rows if (sort_key(row) < mark if descending else sort_key(row) > mark)]
    return rows[:limit], len(rows) > limit


def page_offset(table: Table, *, skip: int, limit: int, where: Callable[[Row], bool] | None = None) -> tuple[list[Row], int]:
    """Rows `skip`..`skip+limit` in key order, and how many rows match in all."""
    rows = [row for row in table.rows() if where is None or where(row)]
    return rows[skip : skip + limit], len(rows)


def with_query(url: str, **params: Any) -> str:
    """`url` with these query parameters set (replacing any of the same name)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, str(v)) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query, safe="[],")))
