"""Every ClickFunnels list works the same way: a bare array of at most 20 records, the
`after` cursor, `sort_order` / `sort_property`, `filter[attr]=a,b`, and the
`Pagination-Next` and `Link` headers while more records remain. The reads of a plain
table are declared with `READS`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import itemgetter, methodcaller
from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.pagination import page_ordered, with_query
from mockserver.engine.store import Row
from mockserver.providers.base import Reads
from mockserver.providers.clickfunnels import records
from mockserver.providers.clickfunnels.records import PAGE_SIZE, WORKSPACES

# How a filter attribute reads a row; by default the attribute of the same name.
Accessor = Callable[[Row], Any]


def list_reply(
    call: Call,
    table: str,
    render: Callable[[Row], Any],
    *,
    within: str | None = WORKSPACES,
    accessors: Mapping[str, Accessor] | None = None,
) -> Reply:
    """A page of the records that belong to the record the path names (a workspace unless
    said otherwise: `/courses/{course_id}/enrollments` lists a course's enrollments), or of
    all the account's records (`within=None`)."""
    checks: list[Callable[[Row], bool]] = []
    if within is not None:
        owner = records.addressed(call, within)
        owner_key = f"{within.removesuffix('s')}_id"
        checks.append(lambda row: row[owner_key] == owner["id"])
    where = _filtered(call, checks, accessors)
    source = records.table(call.tenant, table, create=False)
    descending = call.params.get("sort_order") == "desc"
    after = call.params.get("after")
    if call.params.get("sort_property") == "updated_at":
        rows, more = page_ordered(
            source,
            index="updated_at",
            after=after,
            limit=PAGE_SIZE,
            descending=descending,
            where=where,
        )
    else:
        rows, more = source.page(after=after, limit=PAGE_SIZE, descending=descending, where=where)
    return _reply(call, rows, more, render)


def rows_reply(call: Call, rows: list[Row], render: Callable[[Row], Any]) -> Reply:
    """A page of records kept inside another (a product's variants), in id order, paged and
    filtered as every list is."""
    where = _filtered(call, [], None)
    after = call.params.get("after")
    by_update = call.params.get("sort_property") == "updated_at"
    order: Callable[[Row], Any] = itemgetter("updated_at", "id") if by_update else itemgetter("id")
    ordered = sorted(rows, key=order, reverse=call.params.get("sort_order") == "desc")
    cursor = next((i for i, row in enumerate(ordered) if row["id"] == after), None)
    if cursor is not None:
        ordered = ordered[cursor + 1 :]
    elif after is not None:  # a record gone since: by id
        ordered = [row for row in ordered if (row["id"] < after) == (call.params.get("sort_order") == "desc")]
    chosen = [row for row in ordered if where(row)]
    return _reply(call, chosen[:PAGE_SIZE], len(chosen) > PAGE_SIZE, render)


def _filtered(call: Call, checks: list[Callable[[Row], bool]], accessors: Mapping[str, Accessor] | None) -> Callable[[Row], bool]:
    """`checks`, and the request's `filter[attr]=a,b` (OR inside one attribute, AND between them)."""
    for attribute, text in (call.params.get("filter") or {}).items():
        wanted = {value.strip().casefold() for value in str(text).split(",")}
        checks.append(_matcher((accessors or {}).get(attribute) or methodcaller("get", attribute), wanted))

    def where(row: Row) -> bool:
        return all(check(row) for check in checks)

    return where


def _reply(call: Call, rows: list[Row], more: bool, render: Callable[[Row], Any]) -> Reply:
    """The page, with Pagination-Next and Link while more records remain."""
    headers = {}
    if more and call.request is not None:
        last = rows[-1]["id"]
        headers = {"Pagination-Next": str(last), "Link": f'<{with_query(call.request.url, after=last)}>; rel="next"'}
    return Reply(200, [render(row) for row in rows], headers)


def _matcher(read: Accessor, wanted: set[str]) -> Callable[[Row], bool]:
    """OR inside one attribute: the row matches when any of its values is wanted."""

    def matches(row: Row) -> bool:
        return bool(_texts(read(row)) & wanted)

    return matches


def _texts(value: Any) -> set[str]:
    """A row's value as the filter compares it: lower-case text, lists as their items."""
    values = value if isinstance(value, list | tuple | set) else [value]
    return {("true" if v else "false") if isinstance(v, bool) else str(v).casefold() for v in values if v is not None}


# The reads of a plain table (READS.getter, READS.lister with list_reply's options).
READS = Reads(list_reply, records.addressed)
