"""Table, Tenant and MemoryStore: key order, unique, value and sorted indexes, positional
cursor pages (and the indexed pages of engine/pagination.py against a scan of every row),
id counters, and the tenant registry under concurrency."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from mockserver.engine.pagination import page_offset, page_ordered, page_sorted
from mockserver.engine.store import DuplicateKey, MemoryStore, Row, StaleIndex, Table, Tenant


def _email_of(row: Row) -> Any:
    return row.get("email")


def _table(*keys: int) -> Table:
    """A table holding rows `{"id": k, "email": "k@x.org", "even": k % 2 == 0}`."""
    table = Table()
    table.add_index("email", _email_of)
    for key in keys:
        table.insert(key, {"id": key, "email": f"{key}@x.org", "even": key % 2 == 0})
    return table


def _ids(rows: list[Row]) -> list[int]:
    return [row["id"] for row in rows]


# -- insert order -------------------------------------------------------------------------


def test_insert_accepts_increasing_keys_and_keeps_them_in_order() -> None:
    table = _table(1, 2, 5, 9)
    assert len(table) == 4
    assert _ids(list(table.rows())) == [1, 2, 5, 9]
    assert 5 in table
    assert 3 not in table


@pytest.mark.parametrize("key", [9, 4, 0])
def test_insert_refuses_a_key_not_greater_than_the_last(key: int) -> None:
    table = _table(1, 5, 9)
    with pytest.raises(ValueError):
        table.insert(key, {"id": key})
    assert len(table) == 3
    assert _ids(list(table.rows())) == [1, 5, 9]


def test_string_keys_sort_in_creation_order() -> None:
    table = Table()
    for key in ("0190-a", "0190-b", "0190-c"):
        table.insert(key, {"id": key})
    with pytest.raises(ValueError):
        table.insert("0190-b", {"id": "again"})
    rows, more = table.page(after="0190-a", limit=10)
    assert [row["id"] for row in rows] == ["0190-b", "0190-c"]
    assert more is False


def test_rows_may_be_deleted_while_iterating() -> None:
    table = _table(1, 2, 3, 4)
    seen = []
    for row in table.rows():
        seen.append(row["id"])
        table.delete(row["id"])
    assert seen == [1, 2, 3, 4]
    assert len(table) == 0


# -- unique indexes -----------------------------------------------------------------------


def test_find_uses_the_unique_index() -> None:
    table = _table(1, 2)
    found = table.find("email", "2@x.org")
    assert found is not None
    assert found["id"] == 2
    assert table.find("email", "3@x.org") is None


def test_duplicate_value_is_refused_and_nothing_is_stored() -> None:
    table = _table(1, 2)
    with pytest.raises(DuplicateKey) as caught:
        table.insert(3, {"id": 3, "email": "1@x.org"})
    assert caught.value.index == "email"
    assert caught.value.value == "1@x.org"
    assert 3 not in table
    assert len(table) == 2
    found = table.find("email", "1@x.org")
    assert found is not None
    assert found["id"] == 1


def test_none_values_are_not_indexed() -> None:
    table = _table()
    table.insert(1, {"id": 1, "email": None})
    table.insert(2, {"id": 2, "email": None})
    assert len(table) == 2
    assert table.find("email", None) is None


def test_add_index_indexes_existing_rows() -> None:
    table = Table()
    table.insert(1, {"id": 1, "name": "alpha"})
    table.insert(2, {"id": 2, "name": "beta"})
    table.add_index("name", lambda row: row["name"])
    found = table.find("name", "beta")
    assert found is not None
    assert found["id"] == 2
    with pytest.raises(DuplicateKey):
        table.insert(3, {"id": 3, "name": "alpha"})


def test_replace_moves_the_index_entry_to_the_new_value() -> None:
    table = _table(1, 2)
    table.replace(1, {"id": 1, "email": "new@x.org", "even": False})
    assert table.find("email", "1@x.org") is None
    moved = table.find("email", "new@x.org")
    assert moved is not None
    assert moved["id"] == 1
    # The freed value can be taken by another row.
    table.insert(3, {"id": 3, "email": "1@x.org"})
    taken = table.find("email", "1@x.org")
    assert taken is not None
    assert taken["id"] == 3


def test_replace_keeping_its_own_value_is_not_a_duplicate() -> None:
    table = _table(1, 2)
    table.replace(1, {"id": 1, "email": "1@x.org", "even": False, "extra": True})
    row = table.get(1)
    assert row is not None
    assert row["extra"] is True
    found = table.find("email", "1@x.org")
    assert found is not None
    assert found["extra"] is True


def test_replace_onto_another_rows_value_is_refused_and_leaves_both_rows() -> None:
    table = _table(1, 2)
    before = table.get(1)
    with pytest.raises(DuplicateKey):
        table.replace(1, {"id": 1, "email": "2@x.org"})
    assert table.get(1) is before
    one = table.find("email", "1@x.org")
    two = table.find("email", "2@x.org")
    assert one is not None
    assert one["id"] == 1
    assert two is not None
    assert two["id"] == 2


def test_replace_to_none_drops_the_index_entry() -> None:
    table = _table(1)
    table.replace(1, {"id": 1, "email": None})
    assert table.find("email", "1@x.org") is None
    table.insert(2, {"id": 2, "email": "1@x.org"})
    found = table.find("email", "1@x.org")
    assert found is not None
    assert found["id"] == 2


def test_delete_frees_the_key_and_its_index_values() -> None:
    table = _table(1, 2, 3)
    deleted = table.delete(2)
    assert deleted is not None
    assert deleted["id"] == 2
    assert 2 not in table
    assert table.get(2) is None
    assert table.find("email", "2@x.org") is None
    assert _ids(list(table.rows())) == [1, 3]
    table.insert(4, {"id": 4, "email": "2@x.org"})
    found = table.find("email", "2@x.org")
    assert found is not None
    assert found["id"] == 4


def test_delete_of_an_unknown_key_answers_none() -> None:
    table = _table(1)
    assert table.delete(7) is None
    assert len(table) == 1


# -- pages --------------------------------------------------------------------------------


def test_page_ascending_from_the_start() -> None:
    rows, more = _table(*range(1, 11)).page(limit=3)
    assert _ids(rows) == [1, 2, 3]
    assert more is True


def test_page_descending_from_the_end() -> None:
    rows, more = _table(*range(1, 11)).page(limit=3, descending=True)
    assert _ids(rows) == [10, 9, 8]
    assert more is True


def test_page_ascending_after_a_cursor() -> None:
    rows, more = _table(*range(1, 11)).page(after=3, limit=3)
    assert _ids(rows) == [4, 5, 6]
    assert more is True


def test_page_descending_after_a_cursor() -> None:
    rows, more = _table(*range(1, 11)).page(after=8, limit=3, descending=True)
    assert _ids(rows) == [7, 6, 5]
    assert more is True


def test_has_more_is_false_when_exactly_limit_rows_remain() -> None:
    table = _table(*range(1, 11))
    rows, more = table.page(after=7, limit=3)
    assert _ids(rows) == [8, 9, 10]
    assert more is False
    rows, more = table.page(after=4, limit=3, descending=True)
    assert _ids(rows) == [3, 2, 1]
    assert more is False


def test_has_more_is_true_when_one_row_is_left() -> None:
    table = _table(*range(1, 11))
    rows, more = table.page(after=6, limit=3)
    assert _ids(rows) == [7, 8, 9]
    assert more is True
    rows, more = table.page(after=5, limit=3, descending=True)
    assert _ids(rows) == [4, 3, 2]
    assert more is True


def test_page_of_an_empty_table() -> None:
    assert Table().page(limit=10) == ([], False)
    assert Table().page(limit=10, descending=True) == ([], False)


def test_cursor_of_a_deleted_row_still_positions_the_page() -> None:
    """The cursor is positional: a client paging while records are deleted keeps its place."""
    table = _table(*range(1, 11))
    table.delete(5)
    rows, more = table.page(after=5, limit=3)
    assert _ids(rows) == [6, 7, 8]
    assert more is True
    rows, more = table.page(after=5, limit=3, descending=True)
    assert _ids(rows) == [4, 3, 2]
    assert more is True


def test_cursor_between_keys_and_beyond_the_ends() -> None:
    table = _table(10, 20, 30)
    assert _ids(table.page(after=15, limit=10)[0]) == [20, 30]
    assert _ids(table.page(after=15, limit=10, descending=True)[0]) == [10]
    assert table.page(after=30, limit=10) == ([], False)
    assert table.page(after=10, limit=10, descending=True) == ([], False)
    assert _ids(table.page(after=99, limit=10, descending=True)[0]) == [30, 20, 10]
    assert _ids(table.page(after=0, limit=10)[0]) == [10, 20, 30]


def test_where_filter_pages_only_matching_rows() -> None:
    table = _table(*range(1, 11))
    rows, more = table.page(limit=2, where=lambda row: row["even"])
    assert _ids(rows) == [2, 4]
    assert more is True
    rows, more = table.page(after=4, limit=2, where=lambda row: row["even"])
    assert _ids(rows) == [6, 8]
    assert more is True
    rows, more = table.page(after=8, limit=2, where=lambda row: row["even"])
    assert _ids(rows) == [10]
    assert more is False


def test_where_filter_has_more_ignores_trailing_non_matching_rows() -> None:
    """hasMore must say whether another *matching* row exists, not just any row."""
    table = _table(*range(1, 11))
    rows, more = table.page(after=5, limit=3, where=lambda row: row["even"])
    assert _ids(rows) == [6, 8, 10]
    assert more is False
    rows, more = table.page(after=6, limit=3, descending=True, where=lambda row: not row["even"])
    assert _ids(rows) == [5, 3, 1]
    assert more is False


def test_where_filter_descending_with_a_deleted_cursor() -> None:
    table = _table(*range(1, 11))
    table.delete(7)
    rows, more = table.page(after=7, limit=2, descending=True, where=lambda row: row["even"])
    assert _ids(rows) == [6, 4]
    assert more is True


@pytest.mark.parametrize("descending", [False, True])
def test_walking_every_page_visits_each_row_once(descending: bool) -> None:
    table = _table(*range(1, 24))
    for key in (3, 11, 12, 20):
        table.delete(key)
    expected = _ids(list(table.rows()))
    if descending:
        expected.reverse()
    seen: list[int] = []
    cursor = None
    while True:
        rows, more = table.page(after=cursor, limit=5, descending=descending)
        seen += _ids(rows)
        if not more:
            break
        cursor = rows[-1]["id"]
    assert seen == expected


# -- value indexes ------------------------------------------------------------------------


def _tagged(*rows: tuple[int, bool, list[str]]) -> Table:
    """A table of `{"id", "flag", "tags"}` rows, with value indexes on the flag and the tags."""
    table = Table()
    for key, flag, tags in rows:
        table.insert(key, {"id": key, "flag": flag, "tags": tags})
    table.add_value_index("flag", lambda row: [row["flag"]])
    table.add_value_index("tags", lambda row: row["tags"])
    return table


def test_a_value_index_files_every_row_under_its_values_in_key_order() -> None:
    table = _tagged((1, True, ["a"]), (2, False, ["a", "b", "a"]), (3, True, []))
    table.insert(4, {"id": 4, "flag": True, "tags": ["b"]})
    assert list(table.keys_with("flag", True)) == [1, 3, 4]
    assert list(table.keys_with("flag", False)) == [2]
    assert list(table.keys_with("tags", "a")) == [1, 2]
    assert list(table.keys_with("tags", "b")) == [2, 4]
    assert list(table.keys_with("tags", "nobody")) == []


def test_a_value_index_follows_replace_and_delete() -> None:
    table = _tagged((1, True, ["a"]), (2, False, ["a"]), (3, True, ["b"]))
    table.replace(1, {"id": 1, "flag": False, "tags": ["b"]})
    assert list(table.keys_with("flag", False)) == [1, 2]
    assert list(table.keys_with("flag", True)) == [3]
    assert list(table.keys_with("tags", "a")) == [2]
    assert list(table.keys_with("tags", "b")) == [1, 3]
    table.delete(2)
    assert list(table.keys_with("flag", False)) == [1]
    assert list(table.keys_with("tags", "a")) == []


def test_a_row_changed_in_place_is_caught_when_it_next_moves() -> None:
    """Indexes are kept by replace: a row edited in place leaves one behind, and says so."""
    table = _tagged((1, True, ["a"]))
    row = table.get(1)
    assert row is not None
    row["flag"] = False
    with pytest.raises(StaleIndex):
        table.delete(1)


# -- sorted indexes -----------------------------------------------------------------------


def _stamped(*stamps: tuple[int, float]) -> Table:
    table = Table()
    table.add_sorted_index("at", lambda row: row["at"])
    for key, at in stamps:
        table.insert(key, {"id": key, "at": at})
    return table


def test_a_sorted_index_orders_by_its_value_and_then_by_key() -> None:
    table = _stamped((1, 5.0), (2, 1.0), (3, 5.0), (4, 3.0))
    assert _ids(list(table.ordered("at"))) == [2, 4, 1, 3]
    assert _ids(list(table.ordered("at", descending=True))) == [3, 1, 4, 2]
    assert _ids(list(table.ordered("at", after=(5.0, 1)))) == [3]
    assert _ids(list(table.ordered("at", after=(5.0, 1), descending=True))) == [4, 2]


def test_a_sorted_index_follows_replace_and_delete() -> None:
    table = _stamped((1, 1.0), (2, 2.0), (3, 3.0))
    table.replace(1, {"id": 1, "at": 9.0})
    assert _ids(list(table.ordered("at"))) == [2, 3, 1]
    table.delete(3)
    assert _ids(list(table.ordered("at"))) == [2, 1]


def test_the_position_of_a_deleted_row_is_where_it_stood() -> None:
    table = _stamped((1, 1.0), (2, 2.0), (3, 3.0))
    assert table.position("at", 2) == (2.0, 2)
    table.delete(2)
    assert table.position("at", 2) == (2.0, 2)
    assert _ids(list(table.ordered("at", after=table.position("at", 2)))) == [3]
    assert table.position("at", 99) is None


def test_add_sorted_index_orders_the_rows_already_there() -> None:
    table = Table()
    for key, at in ((1, 3.0), (2, 1.0), (3, 2.0)):
        table.insert(key, {"id": key, "at": at})
    table.add_sorted_index("at", lambda row: row["at"])
    assert _ids(list(table.ordered("at"))) == [2, 3, 1]


def test_slices_and_rows_of_keys() -> None:
    table = _table(*range(1, 11))
    assert list(table.keys()) == list(range(1, 11))
    assert _ids(table.rows_of(table.keys()[3:6])) == [4, 5, 6]
    table.delete(5)
    assert _ids(table.rows_of(table.keys()[3:6])) == [4, 6, 7]


# -- indexed pages against a scan of every row ---------------------------------------------
# Random inserts, replaces and deletes (a few values, many ties); after each step every index
# must answer what a scan of the rows answers, for cursors on live, deleted and unknown rows.

FLAGS = (True, False)
TAGS = ("red", "green", "blue")


def _indexed_table() -> Table:
    table = Table()
    _declare(table)
    return table


def _declare(table: Table) -> None:
    table.add_value_index("flag", lambda row: [row["flag"]])
    table.add_value_index("tags", lambda row: row["tags"])
    table.add_sorted_index("at", lambda row: row["at"])


def _random_row(rng: random.Random, key: int) -> Row:
    return {"id": key, "flag": rng.random() < 0.3, "tags": rng.sample(TAGS, rng.randint(0, 2)), "at": rng.randint(0, 6)}


def _mutate(rng: random.Random, table: Table, next_key: int) -> int:
    """One random write; answers the next key to insert."""
    live = list(table.keys())
    choice = rng.random()
    if choice < 0.5 or not live:
        table.insert(next_key, _random_row(rng, next_key))
        return next_key + rng.randint(1, 3)
    key = rng.choice(live)
    if choice < 0.8:
        table.replace(key, _random_row(rng, key))
    else:
        table.delete(key)
    return next_key


def _scan(table: Table, where: Callable[[Row], bool] | None = None) -> list[int]:
    return [row["id"] for row in table.rows() if where is None or where(row)]


def _flag_is(flag: bool) -> Callable[[Row], bool]:
    return lambda row: row["flag"] is flag


def _tagged_with(tag: str) -> Callable[[Row], bool]:
    return lambda row: tag in row["tags"]


def _cursors(rng: random.Random, next_key: int) -> list[int | None]:
    """No cursor, and cursors that name live rows, deleted rows and rows never made."""
    return [None, *rng.sample(range(0, next_key + 2), min(6, next_key + 2))]


@pytest.mark.parametrize("seed", range(8))
def test_value_indexes_answer_what_a_scan_answers(seed: int) -> None:
    rng = random.Random(seed)
    table, next_key = _indexed_table(), 1
    for _ in range(150):
        next_key = _mutate(rng, table, next_key)
        for flag in FLAGS:
            assert list(table.keys_with("flag", flag)) == _scan(table, _flag_is(flag))
        for tag in TAGS:
            assert list(table.keys_with("tags", tag)) == _scan(table, _tagged_with(tag))
        flag, limit, descending = rng.choice(FLAGS), rng.randint(1, 4), rng.random() < 0.5
        flagged = table.keys_with("flag", flag)
        for after in _cursors(rng, next_key):
            expected = table.page(after=after, limit=limit, descending=descending, where=_flag_is(flag))
            assert table.page_keys(flagged, after=after, limit=limit, descending=descending) == expected


@pytest.mark.parametrize("seed", range(8))
def test_sorted_pages_answer_what_a_sort_of_every_row_answers(seed: int) -> None:
    rng = random.Random(seed)
    table, next_key = _indexed_table(), 1
    for _ in range(150):
        next_key = _mutate(rng, table, next_key)
        limit, descending = rng.randint(1, 4), rng.random() < 0.5
        where = rng.choice([None, lambda row: row["flag"], lambda row: "red" in row["tags"]])
        for after in _cursors(rng, next_key):
            scanned = page_sorted(
                table, sort_key=lambda row: (row["at"], row["id"]), after=after, limit=limit, descending=descending, where=where
            )
            indexed = page_ordered(table, index="at", after=after, limit=limit, descending=descending, where=where)
            assert indexed == scanned


@pytest.mark.parametrize("descending", [False, True])
def test_an_indexed_walk_meets_each_row_once_while_its_cursor_row_is_deleted(descending: bool) -> None:
    """Walking by the sorted index, each page's last row deleted before the next page is
    asked for: every other row is met once, in the sort's order."""
    rng = random.Random(7)
    table = _indexed_table()
    for key in range(1, 60):
        table.insert(key, _random_row(rng, key))
    order = sorted(table.rows(), key=lambda row: (row["at"], row["id"]), reverse=descending)
    seen: list[int] = []
    cursor = None
    while True:
        rows, more = page_ordered(table, index="at", after=cursor, limit=5, descending=descending)
        seen += _ids(rows)
        if not more:
            break
        cursor = rows[-1]["id"]
        table.delete(cursor)
    assert seen == _ids(order)


@pytest.mark.parametrize("seed", range(4))
def test_offset_pages_answer_what_a_scan_answers(seed: int) -> None:
    rng = random.Random(seed)
    table, next_key = _indexed_table(), 1
    for _ in range(120):
        next_key = _mutate(rng, table, next_key)
        everything = [row for row in table.rows()]
        red = [row for row in everything if "red" in row["tags"]]
        for skip in (0, 1, len(everything) // 2, max(0, len(everything) - 2), len(everything) + 3):
            limit = rng.randint(1, 5)
            assert page_offset(table, skip=skip, limit=limit) == (everything[skip : skip + limit], len(everything))
            assert page_offset(table, skip=skip, limit=limit, keys=table.keys_with("tags", "red")) == (
                red[skip : skip + limit],
                len(red),
            )
            flagged = [row for row in red if row["flag"]]
            assert page_offset(
                table, skip=skip, limit=limit, keys=table.keys_with("tags", "red"), where=lambda row: row["flag"]
            ) == (flagged[skip : skip + limit], len(flagged))


def test_a_table_rebuilt_from_its_rows_holds_the_same_indexes() -> None:
    """What a snapshot restore does: the rows again, the same declarations, the same answers."""
    rng = random.Random(3)
    table, next_key = _indexed_table(), 1
    for _ in range(200):
        next_key = _mutate(rng, table, next_key)
    rebuilt = Table()
    for row in table.rows():
        rebuilt.insert(row["id"], row)
    _declare(rebuilt)
    assert _ids(list(rebuilt.ordered("at"))) == _ids(list(table.ordered("at")))
    for flag in FLAGS:
        assert list(rebuilt.keys_with("flag", flag)) == list(table.keys_with("flag", flag))
    for tag in TAGS:
        assert list(rebuilt.keys_with("tags", tag)) == list(table.keys_with("tags", tag))


# -- tenants ------------------------------------------------------------------------------


def test_tenant_table_is_created_once_and_reused() -> None:
    tenant = Tenant(provider="p", key="k")
    assert tenant.table("tags") is tenant.table("tags")
    assert tenant.table("tags") is not tenant.table("contacts")


def test_next_id_counts_per_kind_from_its_start() -> None:
    tenant = Tenant(provider="p", key="k")
    assert [tenant.next_id("contact") for _ in range(3)] == [1, 2, 3]
    assert tenant.next_id("tag") == 1
    assert tenant.next_id("order", start=1000) == 1000
    assert tenant.next_id("order", start=1000) == 1001


def test_next_id_never_repeats_after_deletes() -> None:
    tenant = Tenant(provider="p", key="k")
    table = tenant.table("contacts")
    handed_out = []
    for _ in range(5):
        new_id = tenant.next_id("contact")
        handed_out.append(new_id)
        table.insert(new_id, {"id": new_id})
    for key in list(handed_out):
        table.delete(key)
    assert len(table) == 0
    later = [tenant.next_id("contact") for _ in range(5)]
    assert not set(later) & set(handed_out)
    assert later == sorted(later)
    assert min(later) > max(handed_out)
    for new_id in later:
        table.insert(new_id, {"id": new_id})
    assert _ids(list(table.rows())) == later


def test_describe_counts_records_per_table() -> None:
    tenant = Tenant(provider="p", key="k", settings={"payments": True})
    tenant.table("a").insert(1, {})
    tenant.table("a").insert(2, {})
    tenant.table("b")
    described = tenant.describe()
    assert described["provider"] == "p"
    assert described["keyHint"] == "…k"  # a fingerprint, never the key (here the whole of a short one)
    assert described["records"] == {"a": 2, "b": 0}
    assert described["settings"] == {"payments": True}


def test_concurrent_inserts_under_the_tenant_lock_lose_nothing() -> None:
    tenant = Tenant(provider="p", key="k")
    table = tenant.table("contacts")
    table.add_index("email", _email_of)
    per_thread = 250
    barrier = threading.Barrier(8)
    made: dict[int, list[int]] = {}
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        mine: list[int] = []
        try:
            barrier.wait()
            for number in range(per_thread):
                with tenant.lock:
                    new_id = tenant.next_id("contact")
                    table.insert(new_id, {"id": new_id, "email": f"w{worker}-{number}@x.org", "worker": worker})
                mine.append(new_id)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)
        made[worker] = mine

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    total = 8 * per_thread
    assert len(table) == total
    assert _ids(list(table.rows())) == list(range(1, total + 1))
    all_ids = [new_id for ids in made.values() for new_id in ids]
    assert sorted(all_ids) == list(range(1, total + 1))
    for worker, ids in made.items():
        assert ids == sorted(ids)
        for number, new_id in enumerate(ids):
            found = table.find("email", f"w{worker}-{number}@x.org")
            assert found is not None
            assert found["id"] == new_id


# -- the in-memory store ------------------------------------------------------------------


def test_get_or_create_runs_init_once_and_then_returns_the_same_tenant() -> None:
    store = MemoryStore()
    calls: list[Tenant] = []
    first = store.get_or_create("p", "k", calls.append)
    second = store.get_or_create("p", "k", calls.append)
    assert first is second
    assert calls == [first]
    assert store.get("p", "k") is first
    assert (first.provider, first.key) == ("p", "k")


def test_get_or_create_runs_init_exactly_once_under_concurrency() -> None:
    store = MemoryStore()
    calls: list[str] = []
    barrier = threading.Barrier(8)
    got: list[Tenant] = []
    got_lock = threading.Lock()

    def init(tenant: Tenant) -> None:
        calls.append(threading.current_thread().name)
        time.sleep(0.05)  # widen the window in which a second init could start
        tenant.table("fields").insert(1, {"slug": "first_name"})

    def work() -> None:
        barrier.wait()
        tenant = store.get_or_create("p", "shared", init)
        with got_lock:
            got.append(tenant)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(calls) == 1
    assert len(got) == 8
    assert all(tenant is got[0] for tenant in got)
    assert len(got[0].table("fields")) == 1
    assert store.tenants() == [got[0]]


def test_a_tenant_is_not_visible_before_init_finishes() -> None:
    store = MemoryStore()
    seen_during_init: list[Tenant | None] = []

    def init(_: Tenant) -> None:
        seen_during_init.append(store.get("p", "k"))

    store.get_or_create("p", "k", init)
    assert seen_during_init == [None]
    assert store.get("p", "k") is not None


def test_a_failed_init_registers_no_tenant() -> None:
    store = MemoryStore()

    def broken(_: Tenant) -> None:
        raise RuntimeError("init failed")

    with pytest.raises(RuntimeError):
        store.get_or_create("p", "k", broken)
    assert store.get("p", "k") is None
    calls: list[Tenant] = []
    tenant = store.get_or_create("p", "k", calls.append)
    assert calls == [tenant]


def _store_with(*idents: tuple[str, str]) -> MemoryStore:
    store = MemoryStore()
    for provider, key in idents:
        store.get_or_create(provider, key, lambda _: None)
    return store


def test_drop_one_tenant() -> None:
    store = _store_with(("p", "a"), ("p", "b"), ("q", "a"))
    assert store.drop("p", "a") == 1
    assert store.get("p", "a") is None
    assert store.get("p", "b") is not None
    assert store.get("q", "a") is not None


def test_drop_one_provider() -> None:
    store = _store_with(("p", "a"), ("p", "b"), ("q", "a"))
    assert store.drop("p") == 2
    assert store.tenants("p") == []
    assert [t.key for t in store.tenants("q")] == ["a"]


def test_drop_one_key_across_providers() -> None:
    store = _store_with(("p", "a"), ("p", "b"), ("q", "a"))
    assert store.drop(key="a") == 2
    assert [(t.provider, t.key) for t in store.tenants()] == [("p", "b")]


def test_drop_everything_and_unknown_tenants() -> None:
    store = _store_with(("p", "a"), ("q", "b"))
    assert store.drop("p", "nobody") == 0
    assert store.drop("nobody") == 0
    assert store.drop() == 2
    assert store.tenants() == []


def test_a_dropped_tenant_is_created_afresh() -> None:
    store = MemoryStore()
    calls: list[Tenant] = []
    old = store.get_or_create("p", "k", calls.append)
    old.table("tags").insert(1, {"name": "x"})
    store.drop("p", "k")
    new = store.get_or_create("p", "k", calls.append)
    assert new is not old
    assert calls == [old, new]
    assert len(new.table("tags")) == 0


def test_has_index_says_which_unique_indexes_a_table_keeps() -> None:
    table = Table("t")
    assert not table.has_index("email")
    table.add_index("email", lambda row: row["email"])
    assert table.has_index("email")
    table.add_value_index("tags", lambda row: row["tags"])
    assert not table.has_index("tags")  # a value index is not a unique one
