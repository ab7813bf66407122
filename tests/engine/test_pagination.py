"""Paging helpers (engine/pagination.py): pages in another order than the key's, from a
scan or from a sorted index, offset pages with their totals, and next-page URLs.
(tests/engine/test_store.py checks them further against a scan of random tables.)"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mockserver.engine.pagination import page_offset, page_ordered, page_sorted, with_query
from mockserver.engine.store import Row, Table

# (key, score, colour): scores tie on purpose, the key breaks the tie.
ROWS = [(1, 30, "red"), (2, 10, "blue"), (3, 20, "red"), (4, 10, "red"), (5, 40, "blue"), (6, 20, "blue")]
BY_SCORE = [2, 4, 3, 6, 1, 5]


def _table() -> Table:
    table = Table()
    table.add_sorted_index("score", lambda row: row["score"])
    table.add_value_index("colour", lambda row: [row["colour"]])
    for key, score, colour in ROWS:
        table.insert(key, {"id": key, "score": score, "colour": colour})
    return table


def _sort_key(row: Row) -> tuple[int, int]:
    return row["score"], row["id"]


def _red(row: Row) -> bool:
    return bool(row["colour"] == "red")


def _walk(page: Callable[..., tuple[list[Row], bool]], table: Table, **options: object) -> list[list[int]]:
    pages, after = [], None
    while True:
        rows, more = page(table, after=after, limit=2, **options)
        pages.append([row["id"] for row in rows])
        if not more:
            return pages
        after = rows[-1]["id"]


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("red_only", [False, True])
def test_a_scan_and_the_sorted_index_page_alike(descending: bool, red_only: bool) -> None:
    table = _table()
    where = _red if red_only else None
    expected = [key for key in (reversed(BY_SCORE) if descending else BY_SCORE) if not red_only or key in (1, 3, 4)]
    scanned = _walk(page_sorted, table, sort_key=_sort_key, descending=descending, where=where)
    indexed = _walk(page_ordered, table, index="score", descending=descending, where=where)
    assert scanned == indexed
    assert [key for page in scanned for key in page] == expected
    assert all(len(page) == 2 for page in scanned[:-1])


def test_a_deleted_cursor_row_places_the_page_where_it_stood_and_an_unknown_one_ends_it() -> None:
    table = _table()
    table.delete(3)  # score 20, between 4 and 6
    assert [row["id"] for row in page_sorted(table, sort_key=_sort_key, after=3, limit=10)[0]] == [6, 1, 5]
    assert [row["id"] for row in page_ordered(table, index="score", after=3, limit=10)[0]] == [6, 1, 5]
    assert page_sorted(table, sort_key=_sort_key, after=99, limit=10) == ([], False)
    assert page_ordered(table, index="score", after=99, limit=10) == ([], False)


def test_offset_pages_count_every_match() -> None:
    table = _table()
    rows, total = page_offset(table, skip=1, limit=2)
    assert ([row["id"] for row in rows], total) == ([2, 3], 6)
    rows, total = page_offset(table, skip=1, limit=5, where=_red)
    assert ([row["id"] for row in rows], total) == ([3, 4], 3)
    rows, total = page_offset(table, skip=0, limit=2, keys=table.keys_with("colour", "blue"))
    assert ([row["id"] for row in rows], total) == ([2, 5], 3)
    assert page_offset(table, skip=10, limit=2) == ([], 6)


def test_with_query_sets_replaces_and_drops_parameters() -> None:
    url = "https://api.example.com/v2/contacts?after=5&filter[tags]=a,b&limit=20"
    assert with_query(url, after=9) == "https://api.example.com/v2/contacts?filter[tags]=a,b&limit=20&after=9"
    assert with_query(url, after=None) == "https://api.example.com/v2/contacts?filter[tags]=a,b&limit=20"
    assert with_query("http://h/p", page=2, q="a b") == "http://h/p?page=2&q=a+b"
