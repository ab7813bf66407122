"""Tenant-keyed state. The in-memory backend sits behind the small `Store` interface.

Thread safety: a tenant's `lock` is held for the whole of a request that touches it, so
no reader sees half a write. The store's own lock only guards the tenant registry.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from mockserver.engine.clock import Clock
from mockserver.engine.journal import key_hint

if TYPE_CHECKING:
    from mockserver.engine.context import Services

Row = dict[str, Any]
Key = Any  # int ids, or strings that sort in creation order (UUIDv7)
IndexKey = Callable[[Row], Hashable | None]
# The values a row is filed under in a value index: none, one (a flag) or several (tag ids).
IndexValues = Callable[[Row], Iterable[Hashable]]
# A row's place in a sorted index: values of one kind, comparable with each other.
SortValue = Callable[[Row], Any]
Position = tuple[Any, Key]  # (sort value, key): an entry of a sorted index


class StaleIndex(Exception):
    """A row was changed in place, so the index no longer holds what the row says."""


class Watch:
    """What one write to a shared tenant did (engine/shared_store.py turns it into a change
    for the other workers): the tables' inserts, replaces and deletes in order, and the rows
    handed out, which a handler may have changed in place. A single row handed out (`get`,
    `find`) counts as changed; a row handed out by a walk is kept with a shallow copy and
    counts as changed if its top level differs from it at the end."""

    __slots__ = ("ops", "seen")

    def __init__(self) -> None:
        self.ops: list[tuple[Table, str, Key, Row | None]] = []
        self.seen: dict[tuple[str, Key], tuple[Table, Row, Row | None]] = {}

    def handed(self, table: Table, key: Key, row: Row) -> None:
        self.seen[table.name, key] = (table, row, None)

    def walked(self, table: Table, pairs: Iterable[tuple[Key, Row]]) -> None:
        seen = self.seen
        for key, row in pairs:
            if (table.name, key) not in seen:
                seen[table.name, key] = (table, row, dict(row))


class DuplicateKey(Exception):
    def __init__(self, index: str, value: Hashable) -> None:
        super().__init__(f"{index}={value!r}")
        self.index = index
        self.value = value


class Table:
    """The records of one kind in one tenant, in key order, with unique indexes, value
    indexes (value -> the keys of the rows filed under it, in key order) and sorted indexes
    (every row, in the order of a value derived from it, ties broken by key).

    Keys must be inserted in increasing order (ids are handed out that way), which keeps
    cursor pages O(log n) to find however deep they are.
    Rows are replaced, never mutated in place, when an indexed value changes.
    Every index is derived from the rows alone, so a table rebuilt from its rows and given
    the same declarations holds the same indexes.
    """

    BURIED_LIMIT = 10_000

    def __init__(self, name: str = "") -> None:
        self.name = name
        # Set while a shared tenant's write runs (see Watch); None otherwise, and always in
        # the memory backend, where it costs one attribute test per call.
        self.watch: Watch | None = None
        self._keys: list[Key] = []
        self._rows: dict[Key, Row] = {}
        self._indexes: dict[str, tuple[IndexKey, dict[Hashable, Key]]] = {}
        self._values: dict[str, tuple[IndexValues, dict[Hashable, list[Key]]]] = {}
        self._sorted: dict[str, tuple[SortValue, list[Position]]] = {}
        # The last rows deleted, so a cursor naming one can still be placed in a custom order.
        self._buried: dict[Key, Row] = {}

    def add_index(self, name: str, key_of: IndexKey) -> None:
        entries: dict[Hashable, Key] = {}
        for key, row in self._rows.items():
            value = key_of(row)
            if value is not None:
                entries[value] = key
        self._indexes[name] = (key_of, entries)

    def has_index(self, name: str) -> bool:
        """Whether a unique index of that name is kept (a table restored from a snapshot has
        none until its provider adds them)."""
        return name in self._indexes

    def add_value_index(self, name: str, values_of: IndexValues) -> None:
        """A non-unique index: each value -> the keys of the rows filed under it, in key order."""
        entries: dict[Hashable, list[Key]] = {}
        for key in self._keys:
            for value in set(values_of(self._rows[key])):
                entries.setdefault(value, []).append(key)
        self._values[name] = (values_of, entries)

    def add_sorted_index(self, name: str, sort_value: SortValue) -> None:
        """Every row in the order of `sort_value(row)`, ties broken by key."""
        entries = sorted((sort_value(row), key) for key, row in self._rows.items())
        self._sorted[name] = (sort_value, entries)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: Key) -> bool:
        return key in self._rows

    def get(self, key: Key) -> Row | None:
        row = self._rows.get(key)
        if self.watch is not None and row is not None:
            self.watch.handed(self, key, row)
        return row

    def buried(self, key: Key) -> Row | None:
        """A recently deleted row, as it was when it went."""
        return self._buried.get(key)

    def find(self, index: str, value: Hashable) -> Row | None:
        key = self._indexes[index][1].get(value)
        if key is None:
            return None
        row = self._rows[key]
        if self.watch is not None:
            self.watch.handed(self, key, row)
        return row

    def keys(self) -> Sequence[Key]:
        """Every key, in order. A live view: read it before the next write."""
        return self._keys

    def rows_of(self, keys: Iterable[Key]) -> list[Row]:
        """The rows of these keys (each must be in the table), in the order given."""
        rows = self._rows
        if self.watch is None:
            return [rows[key] for key in keys]
        pairs = [(key, rows[key]) for key in keys]
        self.watch.walked(self, pairs)
        return [row for _, row in pairs]

    def keys_with(self, index: str, value: Hashable) -> Sequence[Key]:
        """The keys of the rows a value index files under `value`, in key order (a live view)."""
        return self._values[index][1].get(value, ())

    def position(self, index: str, key: Key) -> Position | None:
        """Where a row stands in a sorted index; a recently deleted row, where it stood.
        None for a key never seen (or deleted too long ago)."""
        row = self._rows.get(key)
        if row is None:
            row = self._buried.get(key)
        return None if row is None else (self._sorted[index][0](row), key)

    def ordered(self, index: str, *, after: Position | None = None, descending: bool = False) -> Iterator[Row]:
        """Rows in a sorted index's order, strictly after a position (see `position`).
        Lazy, so a page costs what it reads; do not write to the table while iterating."""
        entries = self._sorted[index][1]
        if descending:
            places = range((bisect_left(entries, after) if after is not None else len(entries)) - 1, -1, -1)
        else:
            places = range(bisect_right(entries, after) if after is not None else 0, len(entries))
        rows = self._rows
        for at in places:
            key = entries[at][1]
            row = rows[key]
            if self.watch is not None:
                self.watch.walked(self, ((key, row),))
            yield row

    def rows(self) -> Iterator[Row]:
        """Rows in key order (a snapshot of the keys, so callers may delete while iterating)."""
        for key in list(self._keys):
            row = self._rows.get(key)
            if row is not None:
                if self.watch is not None:
                    self.watch.walked(self, ((key, row),))
                yield row

    def insert(self, key: Key, row: Row) -> Row:
        if self._keys and key <= self._keys[-1]:
            raise ValueError(f"keys must increase: {key!r} after {self._keys[-1]!r}")
        self._check_unique(row, exclude=None)
        if self.watch is not None:
            self.watch.ops.append((self, "i", key, row))
        self._keys.append(key)
        self._rows[key] = row
        for key_of, entries in self._indexes.values():
            value = key_of(row)
            if value is not None:
                entries[value] = key
        for values_of, groups in self._values.values():
            for value in set(values_of(row)):
                groups.setdefault(value, []).append(key)  # the greatest key so far: stays in order
        for sort_value, positions in self._sorted.values():
            insort(positions, (sort_value(row), key))
        return row

    def replace(self, key: Key, row: Row) -> Row:
        old = self._rows[key]
        self._check_unique(row, exclude=key)
        if self.watch is not None:
            self.watch.ops.append((self, "r", key, row))
        for key_of, entries in self._indexes.values():
            before, after = key_of(old), key_of(row)
            if before != after:
                if before is not None:
                    entries.pop(before, None)
                if after is not None:
                    entries[after] = key
        for values_of, groups in self._values.values():
            before_values, after_values = set(values_of(old)), set(values_of(row))
            for value in before_values - after_values:
                _unfile(groups, value, key)
            for value in after_values - before_values:
                insort(groups.setdefault(value, []), key)
        for sort_value, positions in self._sorted.values():
            was, now = (sort_value(old), key), (sort_value(row), key)
            if was != now:
                _remove(positions, was)
                insort(positions, now)
        self._rows[key] = row
        return row

    def delete(self, key: Key) -> Row | None:
        row = self._rows.pop(key, None)
        if row is None:
            return None
        if self.watch is not None:
            self.watch.ops.append((self, "d", key, None))
        del self._keys[bisect_left(self._keys, key)]
        self._buried[key] = row
        if len(self._buried) > self.BURIED_LIMIT:
            del self._buried[next(iter(self._buried))]
        for key_of, entries in self._indexes.values():
            value = key_of(row)
            if value is not None and entries.get(value) == key:
                del entries[value]
        for values_of, groups in self._values.values():
            for value in set(values_of(row)):
                _unfile(groups, value, key)
        for sort_value, positions in self._sorted.values():
            _remove(positions, (sort_value(row), key))
        return row

    def page(
        self,
        *,
        after: Key | None = None,
        limit: int,
        descending: bool = False,
        where: Callable[[Row], bool] | None = None,
    ) -> tuple[list[Row], bool]:
        """Up to `limit` rows strictly after the cursor in the chosen order, and whether
        more remain. The cursor is positional: it need not be a key that still exists."""
        return self.page_keys(self._keys, after=after, limit=limit, descending=descending, where=where)

    def page_keys(
        self,
        keys: Sequence[Key],
        *,
        after: Key | None = None,
        limit: int,
        descending: bool = False,
        where: Callable[[Row], bool] | None = None,
    ) -> tuple[list[Row], bool]:
        """`page` over some of the keys (in key order, e.g. `keys_with`): the rows outside
        them are never read, so a page costs what it reads however many rows the table has."""
        rows = self._rows
        found: list[Row] = []
        found_at: list[int] = []  # where each row was, for a watching shared write
        watch = self.watch
        if descending:
            index = (bisect_left(keys, after) if after is not None else len(keys)) - 1
            step = -1
        else:
            index = bisect_right(keys, after) if after is not None else 0
            step = 1
        more = False
        while 0 <= index < len(keys):
            row = rows[keys[index]]
            if where is None or where(row):
                if len(found) == limit:
                    more = True
                    break
                found.append(row)
                if watch is not None:
                    found_at.append(index)
            index += step
        if watch is not None:
            watch.walked(self, [(keys[at], rows[keys[at]]) for at in found_at])
        return found, more

    def dump(self) -> dict[str, Any]:
        """The table's content as plain values (keys and rows in order, recent deletes)."""
        return {
            "keys": list(self._keys),
            "rows": [self._rows[key] for key in self._keys],
            "buried": [[key, row] for key, row in self._buried.items()],
        }

    def load(self, content: Mapping[str, Any]) -> None:
        """Replace the content with a dump's; the declared indexes are rebuilt from the rows."""
        keys, rows = list(content["keys"]), list(content["rows"])
        if len(keys) != len(rows):
            raise ValueError("a table needs as many keys as rows")
        if any(later <= earlier for earlier, later in pairwise(keys)):
            raise ValueError("table keys must increase")
        self._keys = keys
        self._rows = dict(zip(keys, rows, strict=True))
        self._buried = {key: row for key, row in content.get("buried", [])}
        for name, (key_of, _) in list(self._indexes.items()):
            self.add_index(name, key_of)
            if len(self._indexes[name][1]) != sum(1 for row in rows if key_of(row) is not None):
                raise ValueError(f"duplicate values in the unique index {name!r}")
        for name, (values_of, _) in list(self._values.items()):
            self.add_value_index(name, values_of)
        for name, (sort_value, _) in list(self._sorted.items()):
            self.add_sorted_index(name, sort_value)

    def _check_unique(self, row: Row, exclude: Key | None) -> None:
        for name, (key_of, entries) in self._indexes.items():
            value = key_of(row)
            if value is None:
                continue
            holder = entries.get(value)
            if holder is not None and holder != exclude:
                raise DuplicateKey(name, value)


def _remove(ordered: list[Any], item: Any) -> None:
    """Take `item` out of a sorted list; it must be there (else a row was changed in place)."""
    at = bisect_left(ordered, item)
    if at == len(ordered) or ordered[at] != item:
        raise StaleIndex(f"{item!r} is not where its row says: was the row changed in place?")
    del ordered[at]


def _unfile(groups: dict[Hashable, list[Key]], value: Hashable, key: Key) -> None:
    keys = groups.get(value, [])
    _remove(keys, key)
    if not keys:
        del groups[value]  # values nobody holds any more (deleted tags) cost nothing


@dataclass
class Tenant:
    """One account of one provider: its tables, id counters and settings."""

    provider: str
    key: str
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    tables: dict[str, Table] = field(default_factory=dict, repr=False)
    counters: dict[str, int] = field(default_factory=dict, repr=False)
    settings: dict[str, Any] = field(default_factory=dict)
    demo: bool = False
    # The account's own clock (on the server's, see Clock) and the services its calls get.
    clock: Clock = field(default_factory=Clock, repr=False)
    services: Services | None = field(default=None, repr=False)
    # What the running write changes, while a shared backend records it (Watch).
    watch: Watch | None = field(default=None, repr=False)

    def table(self, name: str) -> Table:
        table = self.tables.get(name)
        if table is None:
            table = self.tables[name] = Table(name)
            table.watch = self.watch
        return table

    def next_id(self, kind: str, start: int = 1) -> int:
        """The next id of a kind; ids are never handed out twice in a tenant's life."""
        value = self.counters.get(kind, start - 1) + 1
        self.counters[kind] = value
        return value

    def describe(self) -> dict[str, Any]:
        with self.lock:
            return self._describe()

    def _describe(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "keyHint": key_hint(self.key),  # the key itself is never shown back
            "demo": self.demo,
            "settings": dict(self.settings),
            "records": {name: len(table) for name, table in sorted(self.tables.items())},
        }


TenantInit = Callable[[Tenant], None]


class Store(ABC):
    """Where tenants live. Replace the in-memory backend by implementing this."""

    @abstractmethod
    def get(self, provider: str, key: str) -> Tenant | None: ...

    @abstractmethod
    def get_or_create(self, provider: str, key: str, init: TenantInit) -> Tenant:
        """The tenant, created and initialised once if it does not exist yet."""

    @abstractmethod
    def drop(self, provider: str | None = None, key: str | None = None) -> int:
        """Forget tenants (all, one provider's, or one); answers how many went."""

    @abstractmethod
    def tenants(self, provider: str | None = None) -> list[Tenant]: ...

    def count(self) -> int:
        """How many tenants there are, of every provider (asked before making one)."""
        return len(self.tenants())

    def exists(self, provider: str, key: str) -> bool:
        """Whether the tenant exists (a shared backend: made by any worker)."""
        return self.get(provider, key) is not None

    def hold(self, tenant: Tenant, *, write: bool) -> AbstractContextManager[Any]:
        """Hold a tenant for one request or action: in memory, its lock. A shared backend
        also brings the tenant up to date first and, for a write, makes its changes
        everyone's when the block ends."""
        return tenant.lock

    def settle(self) -> None:  # noqa: B027 - nothing to do in memory
        """A request is over (a shared backend forgets what it fetched ahead for it)."""

    @abstractmethod
    def replace(self, tenants: list[Tenant], *, everything: bool = False) -> None:
        """Put whole tenants in at once (a restored snapshot): the given ones replace those
        of the same (provider, key); with `everything`, every other tenant goes too."""


class MemoryStore(Store):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tenants: dict[tuple[str, str], Tenant] = {}

    def get(self, provider: str, key: str) -> Tenant | None:
        return self._tenants.get((provider, key))

    def get_or_create(self, provider: str, key: str, init: TenantInit) -> Tenant:
        tenant = self._tenants.get((provider, key))
        if tenant is not None:
            return tenant
        with self._lock:
            tenant = self._tenants.get((provider, key))
            if tenant is None:
                tenant = Tenant(provider=provider, key=key)
                with tenant.lock:
                    init(tenant)
                self._tenants[(provider, key)] = tenant
            return tenant

    def drop(self, provider: str | None = None, key: str | None = None) -> int:
        with self._lock:
            doomed = [
                ident
                for ident in self._tenants
                if (provider is None or ident[0] == provider) and (key is None or ident[1] == key)
            ]
            for ident in doomed:
                del self._tenants[ident]
            return len(doomed)

    def tenants(self, provider: str | None = None) -> list[Tenant]:
        with self._lock:
            return [t for (p, _), t in self._tenants.items() if provider is None or p == provider]

    def count(self) -> int:
        return len(self._tenants)

    def replace(self, tenants: list[Tenant], *, everything: bool = False) -> None:
        with self._lock:
            if everything:
                self._tenants.clear()
            for tenant in tenants:
                self._tenants[(tenant.provider, tenant.key)] = tenant
