"""Paging helpers shared by providers, beside Table.page (cursor pages in key order):
pages in another order than the key's, offset pages, and next-page URLs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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


def page_ordered(
    table: Table,
    *,
    index: str,
    after: Key | None,
    limit: int,
    descending: bool = False,
    where: Callable[[Row], bool] | None = None,
) -> tuple[list[Row], bool]:
    """`page_sorted`'s answer from a sorted index of the table (Table.add_sorted_index,
    whose order is that of the sort key (value, key)): a bisect, then the rows of the page,
    and however many rows `where` passes over on the way."""
    start = None
    if after is not None:
        start = table.position(index, after)
        if start is None:
            return [], False
    return _first(table.ordered(index, after=start, descending=descending), limit, where)


def _first(rows: Iterable[Row], limit: int, where: Callable[[Row], bool] | None) -> tuple[list[Row], bool]:
    """The first `limit` rows `where` takes, and whether another follows (read no further)."""
    found: list[Row] = []
    for row in rows:
        if where is None or where(row):
            if len(found) == limit:
                return found, True
            found.append(row)
    return found, False


def page_offset(
    table: Table,
    *,
    skip: int,
    limit: int,
    where: Callable[[Row], bool] | None = None,
    keys: Sequence[Key] | None = None,
) -> tuple[list[Row], int]:
    """Rows `skip`..`skip+limit` in key order, and how many rows match in all. `keys`: the
    only candidates (in key order, e.g. Table.keys_with). Without `where` a page is a slice
    of the keys; with one, every candidate is read (the total needs them all)."""
    candidates = table.keys() if keys is None else keys
    if where is None:
        return table.rows_of(candidates[skip : skip + limit]), len(candidates)
    rows = [row for row in table.rows_of(candidates) if where(row)]
    return rows[skip : skip + limit], len(rows)


def with_query(url: str, **params: Any) -> str:
    """`url` with these query parameters set (replacing any of the same name)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, str(v)) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query, safe="[],")))
