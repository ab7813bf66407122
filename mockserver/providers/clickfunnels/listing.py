"""Every ClickFunnels list works the same way: a bare array of at most 20 records, the
`after` cursor, `sort_order` / `sort_property`, `filter[attr]=a,b`, and the
`Pagination-Next` and `Link` headers while more records remain. The reads of a plain
table are declared with `READS`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import methodcaller
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
    for attribute, text in (call.params.get("filter") or {}).items():
        wanted = {value.strip().casefold() for value in str(text).split(",")}
        checks.append(_matcher((accessors or {}).get(attribute) or methodcaller("get", attribute), wanted))

    def where(row: Row) -> bool:
        return all(check(row) for check in checks)

    source = call.tenant.table(table)
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
