"""The shared backend's tenants: Redis holds every account, each worker a replica of the
accounts it serves, brought up to date at the start of each request.

In Redis, per tenant: `meta` (incarnation, version, base version), `base` (the account at
the base version, as engine/snapshot.py writes one), `log` (one change per version after
it) and `lock`. A write takes the lock (and the changes it has not seen) in one script,
runs on the replica with its changes recorded (store.Watch), then appends its change, moves
the version on, queues its webhook messages and lets the lock go in another: two round
trips, and no reader anywhere sees half of it. A read takes only the changes it has not
seen (one round trip) and runs without the lock. Why a lock per tenant rather than
optimistic retries (WATCH/MULTI): a write's handler may be costly and its events must not
be made twice, so it runs once, holding the tenant; reads, by far the most requests, never
wait for it.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from mockserver.engine import snapshot
from mockserver.engine.redis_link import RedisLink
from mockserver.engine.store import Store, Tenant, TenantInit, Watch

if TYPE_CHECKING:
    from mockserver.engine.runtime import Emulator

UUID7 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


class SharedUnavailable(Exception):
    """The shared state could not be reached or held in time: the request gets a 503."""


class SharedConflict(Exception):
    """A request run as a read changed the tenant while another worker wrote: run it again
    as a write."""


class _ReadWatch(Watch):
    """A read records what it changes (it should change nothing), not what it reads."""

    __slots__ = ()

    def handed(self, table: Any, key: Any, row: Any) -> None:
        return None

    def walked(self, table: Any, pairs: Any) -> None:
        return None


_MISSING = object()


class SharedStore(Store):
    LOCK_MS = 10_000  # a worker that dies holding a tenant holds it at most this long
    WAIT_SECONDS = 15.0  # how long a write waits for a tenant another worker holds
    COMPACT_EVERY = 1_000  # changes between two bases

    def __init__(self, link: RedisLink, emulator: Emulator) -> None:
        self.link = link
        self.emulator = emulator
        self._lock = threading.Lock()
        self._tenants: dict[tuple[str, str], Tenant] = {}
        self._inits: dict[tuple[str, str], TenantInit] = {}
        # Per replica: [incarnation, version] it holds ("" and -1: load it whole).
        self._synced: dict[tuple[str, str], list[Any]] = {}
        self._local = threading.local()  # this thread's held tenants and staged messages
        self.committed: Callable[[], None] = lambda: None  # told when a write queued messages

    # -- Store ------------------------------------------------------------------------
    def get(self, provider: str, key: str) -> Tenant | None:
        return self._tenants.get((provider, key))

    def get_or_create(self, provider: str, key: str, init: TenantInit) -> Tenant:
        ident = (provider, key)
        tenant = self._tenants.get(ident)
        if tenant is not None:
            return tenant
        with self._lock:
            tenant = self._tenants.get(ident)
            if tenant is None:
                tenant = Tenant(provider=provider, key=key)
                self._inits[ident] = init
                with tenant.lock:
                    self._materialise(tenant, init)
                self._tenants[ident] = tenant
            return tenant

    def drop(self, provider: str | None = None, key: str | None = None) -> int:
        gone = 0
        for p, k in self._members(provider, key):
            token = self._take_lock(p, k)
            keys = self.link.tenant_keys(p, k)
            member = self.link.member(p, k)
            args = [token, self.link.registry, member, self.link.prefix, self.link.endpoints_of(p, k)]
            args += [self.link.attempts_of(p, k), self.link.dropped_attempts]
            gone += int(self.link.drop(keys=keys, args=args) or 0)
        with self._lock:
            for ident in [i for i in self._tenants if _matches(i, provider, key)]:
                self._synced[ident] = ["", -1]
                del self._tenants[ident]
        return gone

    def count(self) -> int:
        return int(self.link.client.scard(self.link.registry))

    def exists(self, provider: str, key: str) -> bool:
        return (provider, key) in self._tenants or bool(
            self.link.client.sismember(self.link.registry, self.link.member(provider, key))
        )

    def replicas(self) -> list[tuple[str, str]]:
        """The accounts this worker holds a replica of (those it served)."""
        return list(self._tenants)

    def tenants(self, provider: str | None = None) -> list[Tenant]:
        found = []
        for p, k in self._members(provider, None):
            tenant = self._replica(p, k)
            if tenant is not None:
                found.append(tenant)
        return found

    def replace(self, tenants: list[Tenant], *, everything: bool = False) -> None:
        if everything:
            self.drop()
        for tenant in tenants:
            ident = (tenant.provider, tenant.key)
            self.drop(*ident)
            token = self._take_lock(*ident)
            self._create(tenant, token)
            with self._lock:
                self._tenants[ident] = tenant

    # -- messages a write queues with its change ----------------------------------------
    def stage(self, pairs: list[tuple[str, bytes]]) -> bool:
        """Queue (endpoint, message) pairs with the change of the write this thread runs;
        False when it runs none (the caller queues them itself)."""
        outbox = getattr(self._local, "outbox", None)
        if outbox is None:
            return False
        outbox.extend(pairs)
        return True

    # -- holding a tenant -------------------------------------------------------------
    @contextmanager
    def hold(self, tenant: Tenant, *, write: bool) -> Iterator[None]:
        held: set[int] = self._local.__dict__.setdefault("held", set())
        if id(tenant) in held:  # within this thread's hold of it: one change for the whole
            with tenant.lock:
                yield
            return
        ident = (tenant.provider, tenant.key)
        with tenant.lock:
            token = self.link.token() if write else ""
            try:
                self._sync(tenant, token)  # takes the lock in the same step, for a write
                before = _header(tenant, write)
                watch = Watch() if write else _ReadWatch()
                _watch(tenant, watch)
                self._local.outbox = []
                held.add(id(tenant))
            except BaseException:
                if token:
                    self._release(ident, token)
                raise
            try:
                yield
            finally:
                held.discard(id(tenant))
                _watch(tenant, None)
                outbox, self._local.outbox = self._local.outbox, None
                self._finish(tenant, token, watch, before, outbox, write)

    def _finish(self, tenant: Tenant, token: str, watch: Watch, before: tuple[Any, ...], outbox: list[Any], write: bool) -> None:
        ident = (tenant.provider, tenant.key)
        change = _change(tenant, watch, before, write)
        if not token and change is None and not outbox:
            return
        synced = self._synced[ident]
        entry = snapshot.pack(change, f"{ident[0]}/{ident[1]}") if change is not None else b""
        args: list[Any] = [token, synced[1], entry, self.link.prefix, self.link.endpoints_of(*ident), len(outbox)]
        for endpoint, blob in outbox:
            args += [endpoint, blob]
        try:
            meta, _, log, lock = self.link.tenant_keys(*ident)
            version = int(self.link.commit(keys=[meta, log, lock], args=args))
        except BaseException:
            synced[:] = ["", -1]  # whether it landed is unknown: load the tenant whole next time
            raise
        if version < 0:
            synced[:] = ["", -1]
            if token:
                raise SharedUnavailable("the tenant's lock ran out before the write ended")
            raise SharedConflict()
        if outbox:
            self.committed()
        if entry:
            synced[1] = version
            if version % self.COMPACT_EVERY == 0:
                base = snapshot.pack(snapshot.tenant_doc(tenant), f"{ident[0]}/{ident[1]}")
                self.link.compact(keys=self.link.tenant_keys(*ident)[:3], args=[version, base, synced[0]])

    def _take_lock(self, provider: str, key: str) -> str:
        """The tenant's lock in Redis (waiting while another worker holds it)."""
        token = self.link.token()
        lock = self.link.tenant_keys(provider, key)[3]
        return str(
            self._until_free(
                (provider, key), lambda: token if self.link.client.set(lock, token, nx=True, px=self.LOCK_MS) else None
            )
        )

    def _until_free(self, ident: tuple[str, str], attempt: Callable[[], Any]) -> Any:
        """`attempt()` again until it answers (not None): the tenant is held by another
        worker meanwhile. Past WAIT_SECONDS the request gets a 503."""
        deadline = time.monotonic() + self.WAIT_SECONDS
        pause = 0.0005
        while (answer := attempt()) is None:
            if time.monotonic() > deadline:
                raise SharedUnavailable(f"{ident[0]}/{ident[1]} stayed busy for {self.WAIT_SECONDS:g} s")
            time.sleep(pause)
            pause = min(pause * 2, 0.02)
        return answer

    def _release(self, ident: tuple[str, str], token: str) -> None:
        self.link.release(keys=self.link.tenant_keys(*ident)[3:], args=[token])

    def _sync(self, tenant: Tenant, token: str) -> None:
        """Bring the replica to Redis's version (holding its local lock), first taking the
        tenant's lock in Redis when given a token (waiting while another worker holds it);
        re-create an account that was reset elsewhere, as a first request does."""
        ident = (tenant.provider, tenant.key)
        synced = self._synced.setdefault(ident, ["", -1])
        prefetched = self._local.__dict__.pop("prefetched", None)
        if not token and prefetched is not None and prefetched[:2] == (ident, synced):
            self._absorb(tenant, prefetched[2], token)  # fetched with the rate count, for this version
            return
        meta, _, log, lock = self.link.tenant_keys(*ident)

        def begin() -> list[Any] | None:
            answer: list[Any] = self.link.begin(keys=[meta, log, lock], args=[token, self.LOCK_MS, synced[0], synced[1]])
            return answer if int(answer[0]) else None  # 0: another worker holds the lock

        self._absorb(tenant, self._until_free(ident, begin), token)

    def prefetch(self, provider: str, key: str) -> list[Any]:
        """The replica's [incarnation, version], for a read's first step (SharedRateLimiter)."""
        return list(self._synced.get((provider, key), ["", -1]))

    def prefetched(self, provider: str, key: str, synced: list[Any], answer: list[Any]) -> None:
        """What that first step found, used by this thread's next read of the tenant if the
        replica is still at that version."""
        self._local.prefetched = ((provider, key), synced, answer)

    def settle(self) -> None:
        self._local.__dict__.pop("prefetched", None)

    def _absorb(self, tenant: Tenant, answer: list[Any], token: str) -> None:
        """Act on BEGIN's answer: [kind, incarnation, version, changes]."""
        ident = (tenant.provider, tenant.key)
        kind = int(answer[0])
        if kind == 1:  # gone: reset by someone
            init = self._inits.get(ident) or self.emulator.initialiser(ident[0], ident[1])
            self._materialise(tenant, init, token=token)
        elif kind == 2:
            self._load(tenant)
        elif kind == 4:
            try:
                for raw in answer[3]:
                    self._apply(tenant, snapshot.unpack(raw))
            except Exception:  # a replica that cannot follow (a bug): load the tenant whole
                self._load(tenant)
                return
            self._synced[ident][1] = int(answer[2])

    def _materialise(self, tenant: Tenant, init: TenantInit, token: str = "") -> None:
        """Fill a replica from Redis, or make the account there if it does not exist."""
        if self._load(tenant):
            return
        ident = (tenant.provider, tenant.key)
        mine = not token
        token = token or self._take_lock(*ident)
        try:
            if self._load(tenant):
                return
            fresh = Tenant(provider=tenant.provider, key=tenant.key)
            init(fresh)
            _adopt(tenant, fresh)
            self._create(tenant, token, release=False)
        finally:
            if mine:
                self._release(ident, token)

    def _create(self, tenant: Tenant, token: str, *, release: bool = True) -> None:
        ident = (tenant.provider, tenant.key)
        base = snapshot.pack(snapshot.tenant_doc(tenant), f"{ident[0]}/{ident[1]}")
        args = [token, base, self.link.registry, self.link.member(*ident), self.link.incarnations]
        incarnation = int(self.link.create(keys=self.link.tenant_keys(*ident), args=args))
        if release:
            self._release(ident, token)
        if incarnation <= 0:
            raise SharedUnavailable(f"{ident[0]}/{ident[1]} could not be created")
        self._synced[ident] = [str(incarnation), 0]

    def _load(self, tenant: Tenant) -> bool:
        ident = (tenant.provider, tenant.key)
        answer = self.link.load(keys=self.link.tenant_keys(*ident)[:3])
        if not int(answer[0]):
            return False
        built = snapshot.build_tenant(self.emulator, snapshot.unpack(answer[4]))
        for raw in answer[5]:
            self._apply(built, snapshot.unpack(raw))
        _adopt(tenant, built)
        self._synced[ident] = [answer[1].decode(), int(answer[2])]
        return True

    def _apply(self, tenant: Tenant, change: dict[str, Any]) -> None:
        restore_uuid7 = self.emulator.random.restore_uuid7
        for name, op, key, row in change.get("o", ()):
            table = tenant.table(name)
            if op == "d":
                table.delete(key)
            elif key in table:
                table.replace(key, row)
            else:
                table.insert(key, row)
                if isinstance(key, str) and UUID7.match(key):
                    restore_uuid7(key.replace("-", ""))  # ids made here keep increasing after it
        if "c" in change:
            tenant.counters = {name: int(value) for name, value in change["c"].items()}
        if "s" in change:
            tenant.settings = change["s"]
        if "k" in change:
            tenant.clock.restore(change["k"])
        if "d" in change:
            tenant.demo = bool(change["d"])

    def _replica(self, provider: str, key: str) -> Tenant | None:
        """A registered tenant's replica, up to date (None if it went meanwhile)."""
        ident = (provider, key)
        tenant = self._tenants.get(ident)
        if tenant is None:
            with self._lock:
                tenant = self._tenants.get(ident)
                if tenant is None:
                    tenant = Tenant(provider=provider, key=key)
                    with tenant.lock:
                        if not self._load(tenant):
                            return None
                    self._tenants[ident] = tenant
            return tenant
        with tenant.lock:
            self._sync(tenant, "")
        return tenant

    def _members(self, provider: str | None, key: str | None) -> list[tuple[str, str]]:
        found = []
        for raw in self.link.client.smembers(self.link.registry):
            p, _, k = raw.decode().partition("\n")
            if _matches((p, k), provider, key):
                found.append((p, k))
        return sorted(found)


def _matches(ident: tuple[str, str], provider: str | None, key: str | None) -> bool:
    return (provider is None or ident[0] == provider) and (key is None or ident[1] == key)


def _watch(tenant: Tenant, watch: Watch | None) -> None:
    tenant.watch = watch
    for table in tenant.tables.values():
        table.watch = watch


def _header(tenant: Tenant, write: bool) -> tuple[Any, ...]:
    """What a change compares at its end besides the tables: the settings as written for a
    write, for a read (cheaper) which value each name holds."""
    settings = snapshot.pack(tenant.settings, "settings") if write else dict(tenant.settings)
    return dict(tenant.counters), tenant.clock.state(), tenant.demo, settings


def _change(tenant: Tenant, watch: Watch, before: tuple[Any, ...], write: bool) -> dict[str, Any] | None:
    """The change a write made, as plain values (None: it changed nothing)."""
    ops: list[list[Any]] = []
    done: set[tuple[str, Any, int]] = set()
    for table, op, key, row in watch.ops:
        ops.append([table.name, op, key, row])
        done.add((table.name, key, id(row)))
    for (name, key), (table, row, copy) in watch.seen.items():
        if table.get(key) is row and (name, key, id(row)) not in done and (copy is None or copy != row):
            ops.append([name, "r", key, row])
    change: dict[str, Any] = {"o": ops} if ops else {}
    counters, clock, demo, settings = before
    if tenant.counters != counters:
        change["c"] = tenant.counters
    if tenant.clock.state() != clock:
        change["k"] = tenant.clock.state()
    if tenant.demo != demo:
        change["d"] = tenant.demo
    if write:
        if snapshot.pack(tenant.settings, "settings") != settings:
            change["s"] = tenant.settings
    elif len(tenant.settings) != len(settings) or any(tenant.settings.get(k, _MISSING) is not v for k, v in settings.items()):
        change["s"] = tenant.settings
    return change or None


def _adopt(tenant: Tenant, built: Tenant) -> None:
    """Take a built tenant's content into a replica, keeping the replica's identity (callers
    hold it) and its clock object (its services point at it)."""
    tenant.tables = built.tables
    for name, table in tenant.tables.items():
        table.name = name
    tenant.counters = built.counters
    tenant.settings = built.settings
    tenant.demo = built.demo
    if tenant.services is None:
        tenant.clock, tenant.services = built.clock, built.services
    else:
        tenant.clock.restore(built.clock.state())
