"""The emulator: shared services, tenants, and the request pipeline every operation runs.

Pipeline: preflight -> credentials -> tenant -> rate limit -> parameters -> body ->
handler (under the tenant's lock, which also covers encoding the reply) -> webhooks ->
rate-limit headers -> strict response check -> journal.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from mockserver.engine.clock import Clock
from mockserver.engine.context import Call, Reply, Services
from mockserver.engine.delivery import ProcessPoster
from mockserver.engine.errors import ApiError, RateLimited, Unauthorized
from mockserver.engine.faults import FAULT_KEY, Fault, FaultBook, FaultRuleError, reason
from mockserver.engine.feed import Feed
from mockserver.engine.journal import HEADERS_KEY, Exchange, Journal, cut, environ_headers, key_hint
from mockserver.engine.logs import RequestLog
from mockserver.engine.provider import ErrorReply, Provider
from mockserver.engine.randomness import Randomness
from mockserver.engine.ratelimit import Quota, RateLimiter
from mockserver.engine.redis_link import UNREACHABLE
from mockserver.engine.settings import Settings
from mockserver.engine.shared_store import SharedConflict, SharedUnavailable
from mockserver.engine.spec import ApiSpec, Operation, load_spec
from mockserver.engine.store import MemoryStore, Store, Tenant
from mockserver.engine.validation import check_response, read_body, read_parameters
from mockserver.engine.webhooks import WebhookDispatcher

log = logging.getLogger("mockserver")
FULL_SAID_EVERY = 10.0  # seconds between two log lines saying the accounts are full

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The longest API key an account may have (the vendors' keys are 32 to 64 characters).
MAX_KEY_LENGTH = 256

# What an API request is answered with: status, headers, content type (None: no body), body.
Answer = tuple[int, dict[str, str], str | None, bytes]
SHARED_DOWN = (SharedUnavailable, *UNREACHABLE)


class Emulator:
    def __init__(self, providers: list[Provider], settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.clock = Clock()
        self.random = Randomness(settings.seed)
        self.services = Services(self.clock, self.random)
        self.store = store or MemoryStore()
        self.limiter = RateLimiter(settings.rate_limit, settings.rate_window)
        self.feed = Feed()
        self.journal = Journal(
            settings.journal_size, settings.journal_bytes, on_record=lambda entry: self.feed.publish("request", entry)
        )
        self.request_log = RequestLog(settings.log_format) if settings.log_format else None
        # Moves on with every change (a request, an attempt, a reset): a periodic snapshot
        # is written only when it moved.
        self.generation = 0
        self.dispatcher = WebhookDispatcher(
            self.clock,
            time_scale=settings.webhook_time_scale,
            timeout=settings.webhook_timeout,
            workers=settings.webhook_workers,
            on_attempt=self._attempted,
            poster=(
                ProcessPoster(settings.webhook_workers, settings.allowed_webhook_targets) if settings.delivery_process else None
            ),
            allowed_targets=settings.allowed_webhook_targets,
        )
        # Keys registered through the admin API: accepted when unknown keys are refused,
        # and still after a reset (a registration is not account data).
        self.registered: set[tuple[str, str]] = set()
        self._full_said = -FULL_SAID_EVERY  # when the log last said the accounts are full (monotonic)
        self.providers = {p.name: p for p in providers}
        self.specs: dict[str, ApiSpec] = {p.name: load_spec(p.spec_file) for p in providers}
        operations = {name: {op.operation_id for op in spec.operations} for name, spec in self.specs.items()}
        self.faults = FaultBook(settings.seed, operations)
        for number, fields in enumerate(settings.faults, 1):  # `serve --faults FILE`: refused whole, naming the rule
            try:
                self.faults.add(fields)
            except FaultRuleError as exc:
                raise ValueError(f"--faults, rule {number}: {exc}") from exc
        self.strict_problems: list[dict[str, Any]] = []
        for provider in providers:
            missing = [op.operation_id for op in self.specs[provider.name].operations if op.operation_id not in provider.handlers]
            if missing:
                raise ValueError(f"{provider.name}: operations without a handler: {missing}")
        if settings.native is not None and settings.native not in self.providers:
            raise ValueError(f"unknown provider {settings.native!r} for the native root")
        self.shared: Any = None  # the Redis link when state is shared (--state redis://...)
        if settings.state is not None:
            from mockserver.engine.shared_state import attach

            attach(self, settings.state)

    def _attempted(self, made: Callable[[], dict[str, Any]]) -> None:
        self.generation += 1
        if self.feed.listeners:  # the record is made only for someone watching
            self.feed.publish("delivery", made())

    # -- tenants ----------------------------------------------------------------------
    def tenant(self, provider: Provider, key: str, *, create: bool = True) -> Tenant | None:
        """The tenant an API key selects, created on first use as the settings allow (a key
        longer than any vendor's is none: each would be an account's worth of memory)."""
        if len(key) > MAX_KEY_LENGTH:
            return None
        tenant = self.store.get(provider.name, key)
        if tenant is not None or not create:
            return tenant
        settings = self.settings
        demo = settings.demo_data and key == settings.demo_key
        if not (demo or self.accepts(provider.name, key)) or not self.room_for(provider.name, key):
            return None
        return self.store.get_or_create(provider.name, key, self.initialiser(provider.name, key))

    def room_for(self, provider: str, key: str) -> bool:
        """Whether the account of a key may be made: it exists, or there are fewer than
        --max-accounts. When full, the log says so (at most every 10 s: a flood of new keys
        is one line, not one per request)."""
        limit = self.settings.max_accounts
        if self.store.count() < limit or self.store.exists(provider, key):
            return True
        now = time.monotonic()
        if now - self._full_said >= FULL_SAID_EVERY:
            self._full_said = now
            log.warning(
                "account limit reached: %d accounts (--max-accounts %d); the new key %s of %s is refused "
                "as an unknown one until accounts are reset (POST /__admin/reset)",
                self.store.count(),
                limit,
                key_hint(key),
                provider,
            )
        return False

    def initialiser(self, provider: str, key: str) -> Callable[[Tenant], None]:
        """What makes a new account for a key (demo data for the demo key)."""
        settings = self.settings
        demo = settings.demo_data and key == settings.demo_key
        return lambda t: self._init(self.providers[provider], t, demo, settings.seed)

    def accepts(self, provider: str, key: str) -> bool:
        """Whether a key may have an account (it need not have one yet)."""
        settings = self.settings
        return (
            settings.allow_unknown_keys
            or key in settings.api_keys
            or key == settings.demo_key
            or (provider, key) in self.registered
        )

    def seed(self, provider: Provider, key: str, seed: int) -> Tenant:
        """Replace a tenant with a fresh account filled with demo data from `seed` (and
        register its key)."""
        self.reset(provider.name, key)
        self.registered.add((provider.name, key))
        return self.store.get_or_create(provider.name, key, lambda t: self._init(provider, t, True, seed))

    def create_tenant(self, provider: Provider, key: str) -> Tenant:
        """Register a key as a new empty account (used when unknown keys are refused)."""
        self.registered.add((provider.name, key))
        self.generation += 1
        return self.store.get_or_create(provider.name, key, lambda t: self._init(provider, t, False, 0))

    def reset(self, provider: str | None = None, key: str | None = None) -> int:
        """Forget accounts (all, one provider's, or one): their records, clocks, queued
        webhooks, delivery attempts and journal entries. Registered keys stay registered."""
        self.generation += 1
        self.dispatcher.forget(provider, key)
        self.limiter.forget(provider, key)
        self.journal.clear(provider, key)
        return self.store.drop(provider, key)

    def _init(self, provider: Provider, tenant: Tenant, demo: bool, seed: int) -> None:
        tenant.clock = Clock(base=self.clock)
        tenant.services = Services(tenant.clock, self.random)
        provider.init_tenant(tenant, tenant.services)
        if demo:
            tenant.demo = True
            provider.seed_demo(tenant, tenant.services, seed)

    @staticmethod
    def services_of(tenant: Tenant) -> Services:
        assert tenant.services is not None, "a tenant gets its services when it is created"
        return tenant.services

    # -- running behaviour ------------------------------------------------------------
    def run(self, provider: Provider, tenant: Tenant, action: Callable[[Call], Reply], call: Call) -> tuple[Reply, bytes]:
        """Run a handler or admin action holding the tenant (its lock), then send its webhooks.
        A GET runs as a read; if it changed something while another worker wrote (shared
        state only), it runs again as a write."""
        write = call.request is None or call.request.method not in SAFE_METHODS
        try:
            return self._run(provider, tenant, action, call, write)
        except SharedConflict:
            call.events.clear()
            call.caused.clear()
            call.unsubscribed.clear()
            return self._run(provider, tenant, action, call, True)

    def _run(
        self, provider: Provider, tenant: Tenant, action: Callable[[Call], Reply], call: Call, write: bool
    ) -> tuple[Reply, bytes]:
        with self.store.hold(tenant, write=write):
            reply = action(call)
            payload = encode(reply.body)
            messages = []
            for event in call.events:
                sent = provider.deliveries(tenant, event, call.services)
                messages.extend(sent)
                call.caused.append({"event": event.name, "messageIds": [m.message_id for m in sent]})
            # Queued under the lock, so messages leave in the order their writes committed
            # (and a snapshot of the account sees them with the write).
            for webhook_id in call.unsubscribed:
                self.dispatcher.drop(provider.name, tenant.key, webhook_id)
            self.dispatcher.submit(provider.name, tenant.key, messages, provider.retry_schedule)
        self.generation += 1
        return reply, payload

    def handle(self, provider: Provider, op: Operation, path_values: Mapping[str, str], request: Request) -> Answer:  # noqa: C901 - the pipeline, in order, in one place
        """Answer one API request: (status, headers, content type or None, body). Called by
        the fast lane (engine/fastlane.py), or by the operation's Flask view."""
        started = time.perf_counter()
        key: str | None = None
        quota: Quota | None = None
        content_type: str | None = provider.content_type
        raw = b""
        call: Call | None = None
        unchecked = False  # an answer of the serving layer's, not the API's (not in the spec)
        fault: Fault | None = None
        try:
            if provider.preflight is not None:
                provider.preflight(request)
            key = provider.credentials(request)
            if provider.name in self.faults.by_provider:  # with no rule set, this lookup is all it costs
                fault = self.faults.take(provider.name, key, op.operation_id, request.method, op.path, _below(provider, request))
                if fault is not None and fault.answers and not fault.after:
                    raise _FaultFirst
            if not key:
                raise Unauthorized("missing")
            tenant = self.tenant(provider, key)
            if tenant is None:
                raise Unauthorized("invalid")
            quota = self.limiter.take(provider.name, key)
            if not quota.allowed:
                raise RateLimited(headers={"Retry-After": str(quota.reset_in)})
            params = read_parameters(op, path_values, request.args, request.headers)
            raw = request.get_data(cache=False)
            _, body = read_body(op, request.content_type, raw, fold_keys=provider.case_insensitive)
            call = Call(tenant, self.services_of(tenant), params, body, request)
            reply, payload = self.run(provider, tenant, provider.handlers[op.operation_id], call)
            status, headers = reply.status, dict(reply.headers)
        except _FaultFirst:
            status, payload, content_type, headers = 0, b"", None, {}  # the fault's answer, below
        except Exception as exc:  # every refusal, and a bug of ours, answers natively
            refusal, unchecked = _refusal(request, exc)
            status, payload, content_type, headers = self.render(provider, refusal)
        self.store.settle()
        if quota is not None:
            headers.update(provider.quota_headers(quota))
        if fault is not None:
            status, payload, content_type, headers = self._faulted(provider, fault, (status, headers, content_type, payload))
            unchecked = True  # what the rule says, not the API
            request.environ[FAULT_KEY] = fault
        if not payload:
            content_type = None
        # 413 (the HTTP layer's size limit) and 503 (shared state unreachable) are not the
        # API's behaviour: the spec does not describe them.
        if self.settings.strict_responses and not unchecked:
            problems = check_response(op.response_for(status), content_type, _decoded(payload, content_type), headers)
            if problems:
                return self._strict_failure(provider, op, status, problems)
        answer = status, headers, content_type, payload
        self._record(provider, op, key, started, raw, answer, call, request, fault=fault)
        return answer

    def _faulted(self, provider: Provider, fault: Fault, answer: Answer) -> tuple[int, bytes, str | None, dict[str, str]]:
        """The answer a fault turns the request's into: its status with its body (by default
        the provider's native error for that status) and headers; a dropped connection
        answers nothing (the serving layer cuts it); a fault that only delays keeps it."""
        status, headers, content_type, payload = answer
        if fault.drops:
            return 0, b"", None, {}
        if fault.status is None:
            return status, payload, content_type, headers
        if fault.body is None:
            status, payload, content_type, headers = self.render(provider, ApiError(reason(fault.status), status=fault.status))
        else:
            text = isinstance(fault.body, str)
            payload = fault.body.encode("utf-8") if text else encode(fault.body)
            status, content_type, headers = fault.status, "text/plain; charset=utf-8" if text else "application/json", {}
        for name, value in fault.headers.items():
            if name.lower() == "content-type":
                content_type = value
            else:
                headers[name] = value
        return status, payload, content_type, headers

    def _record(
        self,
        provider: Provider,
        op: Operation,
        key: str | None,
        started: float,
        raw: bytes,
        answer: Answer,
        call: Call | None,
        request: Request,
        *,
        fault: Fault | None = None,
    ) -> None:
        """The request in the journal (and the request log, when the server talks)."""
        status, headers, content_type, payload = answer
        environ = request.environ
        entry = Exchange(
            self.clock.time(),
            provider.name,
            key,
            op.operation_id,
            op.path,
            environ["REQUEST_METHOD"],
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            # granian's adapter hands the header list it read; other servers, the environ.
            environ.get(HEADERS_KEY) or environ_headers(environ),
            status,
            round((time.perf_counter() - started) * 1000, 3),
            cut(raw),
            len(raw),
            {**headers, "Content-Type": content_type} if content_type else headers,
            cut(payload),
            len(payload),
            call.caused if call is not None else [],
            fault.rule_id if fault is not None else None,
        )
        self.journal.record(entry)
        if self.request_log is not None:
            self.request_log.write(entry)

    def render(self, provider: Provider, err: ApiError) -> tuple[int, bytes, str, dict[str, str]]:
        reply: ErrorReply = provider.render_error(err)
        headers = {**reply.headers, **err.headers}
        return reply.status, encode(reply.body), reply.content_type, headers

    def _strict_failure(self, provider: Provider, op: Operation, status: int, problems: list[str]) -> Answer:
        record = {"provider": provider.name, "operationId": op.operation_id, "status": status, "problems": problems}
        self.strict_problems.append(record)
        log.error("strict response check failed: %s", record)
        body = {"mockserver": "the response did not match the spec (strict mode)", **record}
        return 500, {}, "application/json", encode(body)


class _FaultFirst(Exception):
    """A fault rule answers the request instead of its handler."""


def _below(provider: Provider, request: Request) -> str:
    """The request's path under the provider's prefix (`/api/contacts/12`), as rules name it."""
    path, prefix = request.path, f"/{provider.name}"
    return path[len(prefix) :] if path.startswith(prefix + "/") else path


def _refusal(request: Request, exc: Exception) -> tuple[ApiError, bool]:
    """The error to answer for what a request raised, and whether the answer is the serving
    layer's rather than the API's (not described by the spec, so not strict-checked)."""
    if isinstance(exc, ApiError):
        return exc, False
    if isinstance(exc, SHARED_DOWN):  # Redis unreachable or the account held too long: say so, natively
        log.warning("%s %s: shared state unavailable: %s", request.method, request.path, exc)
        return ApiError("Service Unavailable", status=503), True
    if isinstance(exc, HTTPException):  # e.g. a body over the size limit
        return ApiError(exc.description or exc.name, status=exc.code or 400), exc.code == 413
    # A bug of ours: never a traceback in the answer.
    log.error("%s %s failed", request.method, request.path, exc_info=exc)
    return ApiError("Internal Server Error"), False


def _decoded(payload: bytes, content_type: str | None) -> Any:
    if not payload:
        return None
    if content_type and "json" in content_type:
        return json.loads(payload)
    return payload.decode("utf-8", "replace")


def encode(body: Any) -> bytes:
    """JSON for a reply body; bytes pass through as they are (e.g. an HTML error page)."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    try:
        # orjson: the same compact UTF-8 JSON, several times faster on large lists.
        return orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)
    except (orjson.JSONEncodeError, TypeError):  # e.g. an integer beyond 64 bits
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


__all__ = ["Clock", "Emulator", "encode"]
