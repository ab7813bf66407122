"""The test kit's client: an emulator (started in this process, or one running elsewhere)
and isolated accounts on it, each with its own key, journal, deliveries and clock."""

from __future__ import annotations

import os
import re
import time
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

import requests

from mockserver.providers import all_providers, provider_named
from mockserver.testing.records import Delivery, RecordedRequest

# Long admin calls (waiting for deliveries) get this much more than their own timeout.
HTTP_MARGIN = 10.0

# What an emulator started for tests differs in from `mockserver serve`: failed deliveries
# are retried on the provider's schedule compressed a thousandfold (a minute is 60 ms), and
# a delivery waits 5 s for an answer, so a test of retries takes moments. Override either.
TEST_SETTINGS: dict[str, Any] = {"webhook_time_scale": 0.001, "webhook_timeout": 5.0}


class MockserverError(RuntimeError):
    """The emulator refused an admin call: `status` and `body` (JSON, or text) are its answer."""

    def __init__(self, message: str, status: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class ApiSession(requests.Session):
    """A requests session on one provider's base URL: relative paths (`/api/contacts`) are
    joined to it, absolute URLs go as they are; a default timeout; never through a proxy."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None, timeout: float = 30.0) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.trust_env = False  # loopback: never through a proxy from the environment
        self.headers.update(headers or {})

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        url = url.decode() if isinstance(url, bytes) else url
        if not url.startswith(("http://", "https://")):
            url = self.base_url + "/" + url.lstrip("/")
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)

    def merge_patch(self, url: str, body: Any, **kwargs: Any) -> requests.Response:
        """PATCH as `application/merge-patch+json` (Systeme.io's updates)."""
        headers = {"Content-Type": "application/merge-patch+json", **kwargs.pop("headers", {})}
        return self.patch(url, json=body, headers=headers, **kwargs)


class Emulator:
    """A running emulator: `Emulator.start()` serves one in this process (127.0.0.1, a free
    port, a background thread); `Emulator.connect(url)` uses one running elsewhere (`mockserver
    serve`, a Docker container). Use it as a context manager, or call stop()."""

    def __init__(self, url: str, *, server: Any = None, app: Any = None, admin_token: str | None = None) -> None:
        self.url = url.rstrip("/")
        self._server = server
        self.app = app  # the Flask app when in process, else None
        self._http = requests.Session()
        self._http.trust_env = False
        # An emulator served beyond loopback wants its admin token (`serve` prints it).
        token = admin_token or os.environ.get("MOCKSERVER_ADMIN_TOKEN")
        if token:
            self._http.headers["Authorization"] = f"Bearer {token}"

    @classmethod
    def start(cls, *, host: str = "127.0.0.1", port: int = 0, threads: int = 8, **settings: Any) -> Emulator:
        """Serve every provider in this process until stop(). `settings` are those of
        `mockserver serve` (mockserver.engine.settings.Settings), e.g. `seed=7`,
        `strict_responses=True`, `allow_unknown_keys=False`; TEST_SETTINGS apply unless
        given (retries compressed a thousandfold)."""
        from mockserver.app import create_app
        from mockserver.engine.settings import Settings
        from mockserver.serving import Server

        app = create_app(Settings(**{**TEST_SETTINGS, **settings}))
        server = Server(app, host=host, port=port, threads=threads).start()
        return cls(server.url, server=server, app=app)

    @classmethod
    def connect(cls, url: str, *, timeout: float = 30.0, admin_token: str | None = None) -> Emulator:
        """An emulator already running at `url`; waits up to `timeout` for it to answer.
        `admin_token` (default: $MOCKSERVER_ADMIN_TOKEN) for one served beyond loopback."""
        emulator = cls(url, admin_token=admin_token)
        deadline = time.monotonic() + timeout
        while True:
            try:
                emulator._http.get(f"{emulator.url}/__admin/health", timeout=5).raise_for_status()
                return emulator
            except requests.RequestException as exc:
                if time.monotonic() > deadline:
                    raise MockserverError(f"no emulator answers at {url}: {exc}") from exc
                time.sleep(0.2)

    @property
    def engine(self) -> Any:
        """The emulator's engine (mockserver.engine.runtime.Emulator) when it runs in this
        process; None when connected to one elsewhere."""
        return self.app.extensions["mockserver"] if self.app is not None else None

    def stop(self) -> None:
        """Stop the emulator if this process started it (a connected one keeps running)."""
        if self._server is not None:
            self._server.stop()
            self._server = None
        self._http.close()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- accounts ---------------------------------------------------------------------
    def account(self, provider: str, *, demo: bool = False, api_key: str | None = None) -> Account:
        """A fresh, isolated account: a new unique API key (registered even when the
        emulator refuses unknown keys), empty as a new account is, or with demo data."""
        provider_named(provider)  # an unknown name fails here, clearly
        key = api_key or f"mt-{provider[:3]}-{os.getpid()}-{uuid.uuid4().hex}"
        self.admin("POST", "tenants", json={"provider": provider, "apiKey": key, "demo": demo})
        return Account(self, provider, key)

    @property
    def providers(self) -> list[str]:
        return [p.name for p in all_providers()]

    # -- the admin API ----------------------------------------------------------------
    def admin(self, method: str, path: str, *, timeout: float = 30.0, **kwargs: Any) -> Any:
        """Call the admin API (`path` below /__admin/); its JSON answer (None when empty).
        Raises MockserverError on a 4xx or 5xx, with the emulator's message."""
        response = self._admin_response(method, path, timeout=timeout, **kwargs)
        return response.json() if response.content else None

    def _admin_response(self, method: str, path: str, *, timeout: float = 30.0, **kwargs: Any) -> requests.Response:
        response = self._http.request(method, f"{self.url}/__admin/{path.lstrip('/')}", timeout=timeout, **kwargs)
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = response.text
            raise MockserverError(
                f"{method} /__admin/{path.lstrip('/')}: {response.status_code} {response.text}", response.status_code, body
            )
        return response

    def journal(self, **filters: Any) -> list[RecordedRequest]:
        """Every account's requests (the server's bounded journal), oldest first; filters as
        GET /__admin/journal takes them (provider, apiKey, method, path, status...)."""
        params = {k: v for k, v in filters.items() if v is not None}
        items = self.admin("GET", "journal", params={**params, "order": "asc"})["items"]
        return [RecordedRequest.from_json(item) for item in items]

    def wait_for_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no delivery of any account is queued or in flight."""
        answer = self.admin("POST", "webhooks/wait", json={"timeout": timeout}, timeout=timeout + HTTP_MARGIN)
        return bool(answer["done"])

    def reset(self) -> None:
        """Forget every account of every provider (and the server's clock): only for an
        emulator of your own; on a shared one reset your accounts instead."""
        self.admin("POST", "reset", json={})

    def snapshot(self, provider: str | None = None, api_key: str | None = None) -> bytes:
        """The state as snapshot JSON: everything, one provider's accounts, or one account."""
        return self._admin_response("GET", "snapshot", params=_scope(provider, api_key), timeout=300).content

    def restore(self, snapshot: bytes, provider: str | None = None, api_key: str | None = None) -> list[dict[str, Any]]:
        """Put a snapshot's state back (a whole one replaces everything; an account's, that
        account; with provider and api_key, a one-account snapshot becomes that account)."""
        return list(self.admin("PUT", "snapshot", params=_scope(provider, api_key), data=snapshot, timeout=300)["restored"])

    def strict_problems(self) -> list[dict[str, Any]]:
        """The responses that broke their spec (an emulator started with strict_responses)."""
        return list(self.admin("GET", "strict")["problems"])

    # -- faults on demand -------------------------------------------------------------
    def faults(self, provider: str | None = None, api_key: str | None = None) -> list[dict[str, Any]]:
        """The fault rules in force: every one, one provider's, or one account's (each with
        its `hits`)."""
        return list(self.admin("GET", "faults", params=_scope(provider, api_key))["items"])

    def clear_faults(self, provider: str | None = None, api_key: str | None = None) -> int:
        """Remove the fault rules (every one, one provider's, or one account's): how many went."""
        return int(self.admin("DELETE", "faults", params=_scope(provider, api_key))["deleted"])


class Account:
    """One provider's account on the emulator, and what a test does with it."""

    def __init__(self, emulator: Emulator, provider: str, api_key: str) -> None:
        self.emulator = emulator
        self.provider = provider
        self.api_key = api_key
        self._client_headers = provider_named(provider).client_headers

    def __repr__(self) -> str:
        return f"Account({self.provider!r}, key …{self.api_key[-4:]})"

    @property
    def base_url(self) -> str:
        """The provider's emulated base URL: put the provider's own paths after it."""
        return f"{self.emulator.url}/{self.provider}"

    @property
    def headers(self) -> dict[str, str]:
        """The headers the provider wants: its credentials, and a User-Agent where its front
        door refuses requests without one."""
        return self._client_headers(self.api_key)

    def session(self, timeout: float = 30.0) -> ApiSession:
        """A requests session with those headers, on the base URL (`.get("/api/contacts")`)."""
        return ApiSession(self.base_url, self.headers, timeout)

    def url(self, path: str) -> str:
        return urljoin(self.base_url + "/", path.lstrip("/"))

    # -- state ------------------------------------------------------------------------
    def reset(self) -> None:
        """Make it a brand-new empty account again: records, clock, queued webhooks,
        delivery attempts and journal entries go; the key stays accepted."""
        self._admin("POST", "reset", json=self._who())

    def seed(self, seed: int | None = None) -> None:
        """Replace what it holds with the provider's demo data, generated from `seed` (by
        default the emulator's, as `account(provider, demo=True)` has it)."""
        self._admin("POST", "seed", json={**self._who(), **({"seed": seed} if seed is not None else {})})

    def snapshot(self) -> bytes:
        """The account's state (records, ids, clock, pending deliveries) as snapshot JSON."""
        return self.emulator.snapshot(self.provider, self.api_key)

    def restore(self, snapshot: bytes) -> dict[str, Any]:
        """Make the account what a snapshot says (one taken of this or another account of
        the same provider): a known state to start a test from."""
        return self.emulator.restore(snapshot, self.provider, self.api_key)[0]

    def describe(self) -> dict[str, Any]:
        """What the account holds: record counts per table, settings, whether it is a demo."""
        items = self._admin("GET", "tenants", params=self._who())["items"]
        return dict(items[0]) if items else {}

    def trigger(self, action: str, **fields: Any) -> Any:
        """A vendor-side event (a sale, an order, a form submission...): POST
        /__admin/<provider>/<action> with `fields` as its body, for this account. `action`
        may hold ids: `sales/12/cancel`. Answers the action's JSON."""
        return self._admin("POST", f"{self.provider}/{action.strip('/')}", json={**fields, "apiKey": self.api_key})

    def read(self, action: str, **params: Any) -> Any:
        """What a provider's admin API shows of the vendor's side for this account: GET
        /__admin/<provider>/<action> (e.g. Simvoly's `emails`, Systeme.io's `sales`)."""
        return self._admin("GET", f"{self.provider}/{action.strip('/')}", params={**params, "apiKey": self.api_key})

    # -- the journal ------------------------------------------------------------------
    def journal(self, method: str | None = None, path: str | None = None, **filters: Any) -> list[RecordedRequest]:
        """This account's requests, oldest first (newest last). `path` is an exact path
        (with or without the provider's prefix), a spec template (`/api/contacts/{id}`) or a
        glob (`/api/contacts/*`); more filters: status ("404", "4xx"), operationId."""
        return self.emulator.journal(provider=self.provider, apiKey=self.api_key, method=method, path=path, **filters)

    def clear_journal(self) -> None:
        self._admin("DELETE", "journal", params=self._who())

    def count(self, method: str, path: str) -> int:
        """How many requests of this method to this path the account made."""
        return len(self.journal(method, path))

    def assert_called(self, method: str, path: str, times: int | None = None) -> list[RecordedRequest]:
        """Fail unless the account sent `method path` (exactly `times` times, when given);
        answers the matching requests."""
        calls = self.journal(method, path)
        if (times is None and not calls) or (times is not None and len(calls) != times):
            made = [f"{c.method} {c.path} -> {c.status}" for c in self.journal()]
            wanted = "at least once" if times is None else f"{times} time(s)"
            raise AssertionError(f"expected {method} {path} {wanted}, got {len(calls)}; requests made: {made}")
        return calls

    # -- webhooks ---------------------------------------------------------------------
    def deliveries(self, event: str | None = None) -> list[Delivery]:
        """Every delivery attempt of this account's webhooks, oldest first."""
        params = {**self._who(), **({"event": event} if event else {})}
        return [Delivery.from_json(a) for a in self._admin("GET", "webhooks/attempts", params=params)["items"]]

    def wait_for_deliveries(self, count: int = 1, event: str | None = None, timeout: float = 10.0) -> list[Delivery]:
        """Block until at least `count` delivery attempts (of `event`, when given) were made
        for this account; answers them all. Raises AssertionError when the timeout passes
        first. Other requests are served meanwhile."""
        body = {**self._who(), "count": count, "timeout": timeout, **({"event": event} if event else {})}
        self._admin("POST", "webhooks/wait", json=body, timeout=timeout + HTTP_MARGIN)
        found = self.deliveries(event)
        if len(found) < count:
            seen = [f"{d.event} -> {d.status or d.error}" for d in self.deliveries()]
            raise AssertionError(
                f"expected {count} delivery attempt(s){f' of {event}' if event else ''} within {timeout:g} s, "
                f"got {len(found)}; attempts of this account: {seen}"
            )
        return found

    def wait_for_idle(self, timeout: float = 10.0) -> bool:
        """Wait until none of this account's deliveries is queued, retrying or in flight."""
        body = {**self._who(), "timeout": timeout}
        return bool(self._admin("POST", "webhooks/wait", json=body, timeout=timeout + HTTP_MARGIN)["done"])

    def redeliver(self, message_id: str) -> None:
        """Send one of this account's webhook messages again, now (same message id, body and
        endpoint; its attempts numbered after the last). MockserverError (404) when the
        account has no delivery of that id."""
        self._admin("POST", "webhooks/redeliver", json={**self._who(), "messageId": message_id})

    # -- the account's clock ----------------------------------------------------------
    def now(self) -> datetime:
        """The account's current time."""
        return datetime.fromisoformat(self._clock("GET")["now"])

    def advance_clock(self, seconds: float) -> datetime:
        """Move this account's clock (no other account's) forward."""
        return self._move({"advance": seconds})

    def freeze_clock(self, at: datetime | str | None = None) -> datetime:
        """Stop this account's clock, at `at` (an aware datetime or ISO 8601) or now."""
        return self._move({"freeze": True, **({"set": _instant(at)} if at is not None else {})})

    def set_clock(self, at: datetime | str) -> datetime:
        return self._move({"set": _instant(at)})

    def unfreeze_clock(self) -> datetime:
        return self._move({"freeze": False})

    def reset_clock(self) -> datetime:
        """Back to the server's time, running."""
        return self._move({"reset": True})

    # -- failures on demand ------------------------------------------------------------
    def fault(self, **fields: Any) -> Fault:
        """Make this account's matching requests fail: a rule of POST /__admin/faults, with
        its fields as keywords (`operation="createContact", status=503, times=2`; snake_case
        for the camelCase ones: `delay_ms=(100, 300)`). Use it in a `with` to remove it after."""
        rule = {_camel(name): value for name, value in fields.items()}
        return Fault(self.emulator, self._admin("POST", "faults", json={**rule, **self._who()}))

    def rate_limit(self, limit: int, window: float) -> Override:
        """Give this account a quota of its own: `limit` requests per `window` seconds, then
        429 as the provider answers it. The start-up limit comes back on exit (or remove())."""
        setting = self._admin("POST", "rate-limits", json={**self._who(), "limit": limit, "window": window})
        return Override(self.emulator, "rate-limits", self._who(), setting)

    def webhook_chaos(
        self, duplicate: float | None = None, delay_ms: float | tuple[float, float] | None = None, shuffle: bool | None = None
    ) -> Override:
        """Deliver this account's webhooks as real senders sometimes do: some twice
        (`duplicate`, a probability), late (`delay_ms`, or a (min, max) range), out of order
        (`shuffle`). Back to orderly deliveries on exit (or remove())."""
        given = {"duplicate": duplicate, "delayMs": delay_ms, "shuffle": shuffle}
        body = {**self._who(), **{name: value for name, value in given.items() if value is not None}}
        return Override(self.emulator, "webhooks/chaos", self._who(), self._admin("POST", "webhooks/chaos", json=body))

    # -- plumbing ---------------------------------------------------------------------
    def _who(self) -> dict[str, str]:
        return {"provider": self.provider, "apiKey": self.api_key}

    def _admin(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.emulator.admin(method, path, **kwargs)

    def _clock(self, method: str, body: dict[str, Any] | None = None) -> Any:
        if method == "GET":
            return self._admin("GET", "clock", params=self._who())
        return self._admin("POST", "clock", json={**self._who(), **(body or {})})

    def _move(self, body: dict[str, Any]) -> datetime:
        return datetime.fromisoformat(self._clock("POST", body)["now"])


class Fault:
    """A fault rule on the emulator (Account.fault): `id`, `rule` as the emulator answered
    it, `hits()`, `remove()`; a context manager that removes it on exit."""

    def __init__(self, emulator: Emulator, rule: dict[str, Any]) -> None:
        self.emulator = emulator
        self.rule = rule
        self.id: str = rule["id"]

    def __repr__(self) -> str:
        return f"Fault({self.id!r})"

    def hits(self) -> int:
        """How many requests it has failed so far (0 once it is gone)."""
        for rule in self.emulator.faults(self.rule.get("provider")):
            if rule["id"] == self.id:
                return int(rule["hits"])
        return 0

    def remove(self) -> None:
        """Remove the rule; one already gone (used up by `times`, cleared) is no error."""
        try:
            self.emulator.admin("DELETE", f"faults/{self.id}")
        except MockserverError as exc:
            if exc.status != 404:
                raise

    def __enter__(self) -> Fault:
        return self

    def __exit__(self, *_: object) -> None:
        self.remove()


class Override:
    """An account's setting that replaces a default (its rate limit, its webhook chaos):
    `setting` as the emulator answered it; remove() (or the end of a `with`) restores the
    default."""

    def __init__(self, emulator: Emulator, path: str, who: dict[str, str], setting: dict[str, Any]) -> None:
        self.emulator = emulator
        self.setting = setting
        self._path = path
        self._who = who

    def remove(self) -> None:
        self.emulator.admin("DELETE", self._path, params=self._who)

    def __enter__(self) -> Override:
        return self

    def __exit__(self, *_: object) -> None:
        self.remove()


def _camel(name: str) -> str:
    """delay_ms -> delayMs: the admin API's names from Python keywords (camelCase stays)."""
    return re.sub(r"_([a-z])", lambda match: match.group(1).upper(), name)


def _instant(at: datetime | str) -> str:
    if isinstance(at, datetime):
        if at.tzinfo is None:
            raise ValueError("give an aware datetime (with a time zone), e.g. datetime(2030, 1, 1, tzinfo=UTC)")
        return at.isoformat()
    return at


def _scope(provider: str | None, api_key: str | None) -> dict[str, str]:
    """The query naming every account, one provider's, or one account."""
    return {name: value for name, value in (("provider", provider), ("apiKey", api_key)) if value is not None}
