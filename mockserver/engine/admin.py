"""The admin API under /__admin/: reset, seed, tenants, webhook attempts, journal, clock,
and each provider's own actions (things that happen outside the API, such as a sale)."""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Flask, Response, request

from mockserver.engine import snapshot
from mockserver.engine.admin_chaos import mount_chaos
from mockserver.engine.admin_faults import mount_faults
from mockserver.engine.admin_guard import AdminGuard
from mockserver.engine.admin_openapi import admin_openapi_json
from mockserver.engine.clock import Clock, parse_iso
from mockserver.engine.context import Call
from mockserver.engine.errors import ApiError
from mockserver.engine.journal import JournalFilter, without_key
from mockserver.engine.provider import AdminAction, Provider
from mockserver.engine.runtime import MAX_KEY_LENGTH, Emulator, encode
from mockserver.engine.store import Tenant
from mockserver.engine.streams import EventStream, WaitingBody
from mockserver.engine.validation import refuse_constant

# A snapshot may be far larger than an API request body (100,000 contacts: about 40 MB).
MAX_SNAPSHOT_BYTES = 1024 * 1024 * 1024
SNAPSHOT_PATH = "/__admin/snapshot"

# Epoch seconds the admin API may move the clock to (1970 to the year 9000).
CLOCK_RANGE = (0.0, datetime(9000, 1, 1, tzinfo=UTC).timestamp())


class AdminError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def mount_admin(app: Flask, emulator: Emulator) -> None:  # noqa: C901, PLR0915 - one view per admin route, to split by family
    admin = Blueprint("admin", __name__, url_prefix="/__admin")
    admin.before_request(AdminGuard(emulator.settings))

    @admin.errorhandler(AdminError)
    def admin_error(err: AdminError) -> Response:
        return _json({"error": err.message}, err.status)

    @admin.errorhandler(ApiError)
    def api_error(err: ApiError) -> Response:
        body: dict[str, Any] = {"error": err.message or err.code}
        if err.violations:
            body["violations"] = [{"path": v.path, "message": v.message} for v in err.violations]
        return _json(body, err.status)

    @admin.get("/")
    def index() -> Response:
        settings = emulator.settings
        return _json(
            {
                "providers": {
                    name: {
                        "title": spec.title,
                        "baseUrl": f"{request.host_url.rstrip('/')}/{name}",
                        "operations": len(spec.operations),
                        "adminActions": [f"{m} /__admin/{name}/{p}" for m, p in emulator.providers[name].admin_actions],
                    }
                    for name, spec in emulator.specs.items()
                },
                "demoKey": settings.demo_key if settings.demo_data else None,
                "nativeRoot": settings.native,
                "allowUnknownKeys": settings.allow_unknown_keys,
                "seed": settings.seed,
                "clock": emulator.clock.describe(),
            }
        )

    @admin.get("/health")
    def health() -> Response:
        return _json({"status": "ok"})

    @admin.post("/reset")
    def reset() -> Response:
        body = _body()
        provider = _provider_name(body.get("provider"), required=False)
        key = _optional_str(body, "apiKey")
        dropped = emulator.reset(provider, key)
        if provider is None and key is None:
            emulator.clock.reset()
        return _json({"reset": dropped})

    @admin.post("/seed")
    def seed() -> Response:
        body = _body()
        seed_value = _seed(body, emulator.settings.seed)
        key = _optional_str(body, "apiKey") or emulator.settings.demo_key
        if len(key) > MAX_KEY_LENGTH:
            raise AdminError(400, f"apiKey must be at most {MAX_KEY_LENGTH} characters")
        provider = _provider_name(body.get("provider"), required=False)  # "" or false is no provider's name
        names = [provider] if provider is not None else list(emulator.providers)
        for name in names:
            _room(emulator, name, key)
        tenants = [emulator.seed(emulator.providers[name], key, seed_value).describe() for name in names]
        return _json({"seeded": tenants})

    @admin.get("/tenants")
    def tenants() -> Response:
        provider = _provider_name(request.args.get("provider"), required=False)
        key = request.args.get("apiKey")
        found = [t.describe() for t in emulator.store.tenants(provider) if key is None or t.key == key]
        return _json({"items": found})

    @admin.post("/tenants")
    def create_tenant() -> Response:
        body = _body()
        provider = emulator.providers[_provider_name(body.get("provider"))]
        key = _optional_str(body, "apiKey")
        if not key:
            raise AdminError(400, "apiKey is required")
        if len(key) > MAX_KEY_LENGTH:
            raise AdminError(400, f"apiKey must be at most {MAX_KEY_LENGTH} characters")
        _room(emulator, provider.name, key)
        if _flag(body, "demo"):
            tenant = emulator.seed(provider, key, _seed(body, emulator.settings.seed))
        else:
            tenant = emulator.create_tenant(provider, key)
        return _json(tenant.describe(), 201)

    @admin.get("/webhooks/attempts")
    def attempts() -> Response:
        provider = _provider_name(request.args.get("provider"), required=False)
        key = request.args.get("apiKey")
        items = emulator.dispatcher.attempts(provider, key)
        for name in ("event", "webhookId", "messageId"):
            if request.args.get(name):
                items = [a for a in items if a[name] == request.args[name]]
        dispatcher = emulator.dispatcher
        return _json(
            {
                "items": [without_key(item) for item in items],
                "outstanding": dispatcher.outstanding(provider, key),
                "dropped": dispatcher.dropped(provider, key),
            }
        )

    @admin.post("/webhooks/wait")
    def wait() -> Response:
        body = _body()
        timeout = body.get("timeout", 10)
        if not _is_number(timeout) or not 0 <= timeout <= 600:
            raise AdminError(400, "timeout must be a number of seconds between 0 and 600")
        provider = _provider_name(body.get("provider"), required=False)
        key = _optional_str(body, "apiKey")
        event = _optional_str(body, "event")
        count = body.get("count")
        if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 0):
            raise AdminError(400, "count must be a whole number of delivery attempts")
        dispatcher = emulator.dispatcher

        def answer() -> Iterator[bytes]:  # runs aside, while the server serves others
            if count is None:
                done = dispatcher.wait_idle(float(timeout), provider, key)
            else:
                done = dispatcher.wait_for_attempts(count, float(timeout), provider, key, event)
            matching = [a for a in dispatcher.attempts(provider, key) if event is None or a["event"] == event]
            outstanding = dispatcher.outstanding(provider, key)
            yield encode({"idle": done, "done": done, "attempts": len(matching), "outstanding": outstanding})

        return Response(WaitingBody(answer), content_type="application/json", direct_passthrough=True)

    @admin.post("/webhooks/redeliver")
    def redeliver() -> Response:
        body = _body()
        provider = _provider_name(body.get("provider"))
        key, message_id = _optional_str(body, "apiKey"), _optional_str(body, "messageId")
        if not key or not message_id:
            raise AdminError(400, "apiKey and messageId are required")
        schedule = emulator.providers[provider].retry_schedule
        if not emulator.dispatcher.redeliver(provider, key, message_id, schedule):
            raise AdminError(404, "no delivery of that account has that messageId (or its subscription was deleted)")
        return _json({"queued": True, "messageId": message_id}, 202)

    @admin.get("/journal")
    def journal() -> Response:
        args = request.args
        limit = _whole(args.get("limit"), "limit")
        order = args.get("order", "desc")
        if order not in ("asc", "desc"):
            raise AdminError(400, "order must be asc (oldest first) or desc (newest first)")
        where = JournalFilter(
            provider=_provider_name(args.get("provider"), required=False),
            key=args.get("apiKey"),
            method=args.get("method"),
            path=args.get("path"),
            status=_status_filter(args.get("status")),
            operation_id=args.get("operationId"),
            since=_whole(args.get("since"), "since"),
        )
        entries = [entry.to_json() for entry in emulator.journal.entries(where, limit)]
        return _json({"items": entries[::-1] if order == "asc" else entries})

    @admin.delete("/journal")
    def clear_journal() -> Response:
        emulator.journal.clear(_provider_name(request.args.get("provider"), required=False), request.args.get("apiKey"))
        response = Response(status=204)
        del response.headers["Content-Type"]
        return response

    @admin.get("/clock")
    def clock() -> Response:
        clock_, tenant = _clock_of(emulator, request.args.to_dict())
        with emulator.store.hold(tenant, write=False) if tenant is not None else contextlib.nullcontext():
            return _json(clock_.describe())

    @admin.post("/clock")
    def move_clock() -> Response:
        body = _body()
        clock_, tenant = _clock_of(emulator, body)
        # An account's clock is account state: moved as a write (shared by every worker).
        with emulator.store.hold(tenant, write=True) if tenant is not None else contextlib.nullcontext():
            return _move(clock_, body)

    def _move(clock_: Clock, body: dict[str, Any]) -> Response:
        freeze, reset = _flag(body, "freeze"), _flag(body, "reset")
        target = clock_.time()
        if "set" in body:
            at = parse_iso(str(body["set"]))
            if at is None:
                raise AdminError(400, "set must be an ISO 8601 instant")
            target = at.timestamp()
        if "advance" in body:
            seconds = body["advance"]
            if not _is_number(seconds):
                raise AdminError(400, "advance must be a number of seconds")
            target += seconds
        # Checked before anything moves: a clock outside these years breaks every timestamp.
        if not CLOCK_RANGE[0] <= target <= CLOCK_RANGE[1]:
            raise AdminError(400, "the clock must stay between the years 1970 and 9000")
        moved = "set" in body or "advance" in body
        if freeze is True:  # stopped exactly at the target, not a moment past it
            clock_.freeze(datetime.fromtimestamp(target, UTC) if moved else None)
        elif moved:
            clock_.set(datetime.fromtimestamp(target, UTC))
        if freeze is False:
            clock_.unfreeze()
        if reset is True:
            clock_.reset()
        return _json(clock_.describe())

    @admin.get("/events")
    def events() -> Response:
        args = request.args
        provider = _provider_name(args.get("provider"), required=False)
        kinds = set((args.get("kinds") or "request,delivery").split(","))
        if not kinds <= {"request", "delivery"}:
            raise AdminError(400, "kinds must name request, delivery or both")
        stream = EventStream(emulator.feed.subscribe(), provider, args.get("apiKey"), kinds)
        return Response(stream, content_type="text/event-stream", headers={"Cache-Control": "no-cache"}, direct_passthrough=True)

    document = admin_openapi_json(emulator.providers.values(), emulator.settings.demo_key)  # once, at start-up

    @admin.get("/openapi.json")
    def openapi() -> Response:
        return Response(document, content_type="application/json")

    @admin.get("/snapshot")
    def get_snapshot() -> Response:
        provider, key = _account_scope(request.args)
        try:
            raw = snapshot.take(emulator, provider, key)
        except LookupError as exc:
            raise AdminError(404, str(exc)) from exc
        except snapshot.SnapshotError as exc:
            raise AdminError(500, str(exc)) from exc
        name = "mockserver-snapshot" + (f"-{provider}" if provider else "") + ".json"
        return Response(raw, content_type="application/json", headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @admin.put("/snapshot")
    def put_snapshot() -> Response:
        provider, key = _account_scope(request.args)
        request.max_content_length = MAX_SNAPSHOT_BYTES
        try:
            doc = snapshot.read(request.get_data(), emulator.providers)
            restored = snapshot.restore(emulator, doc, provider, key)
        except snapshot.SnapshotError as exc:
            raise AdminError(400, str(exc)) from exc
        return _json({"restored": [tenant.describe() for tenant in restored]})

    @admin.get("/strict")
    def strict() -> Response:
        return _json({"enabled": emulator.settings.strict_responses, "problems": emulator.strict_problems})

    mount_faults(admin, emulator)
    mount_chaos(admin, emulator)

    for provider in emulator.providers.values():
        for (method, path), action in provider.admin_actions.items():
            admin.add_url_rule(
                f"/{provider.name}/{path}",
                endpoint=f"{provider.name}:{method}:{path}",
                view_func=_action_view(emulator, provider, action),
                methods=[method],
            )

    app.register_blueprint(admin)


def _room(emulator: Emulator, provider: str, key: str) -> None:
    """Refuse to make an account past --max-accounts (an existing one may always be used)."""
    if not emulator.room_for(provider, key):
        limit = emulator.settings.max_accounts
        raise AdminError(429, f"the account limit is reached ({limit:,} accounts, --max-accounts): reset accounts first")


def _action_view(emulator: Emulator, provider: Provider, action: AdminAction) -> Any:
    def view(**path_values: Any) -> Response:
        body = _body()
        key = _optional_str(body, "apiKey") or request.args.get("apiKey") or emulator.settings.demo_key
        if len(key) > MAX_KEY_LENGTH:
            raise AdminError(400, f"apiKey must be at most {MAX_KEY_LENGTH} characters")
        tenant = emulator.tenant(provider, key)
        if tenant is None:
            _room(emulator, provider.name, key)
            tenant = emulator.create_tenant(provider, key)
        params = {**request.args.to_dict(), **path_values}
        call = Call(tenant, emulator.services_of(tenant), params, body, request)
        reply, payload = emulator.run(provider, tenant, action, call)
        return _json(reply.body, reply.status) if payload else Response(status=reply.status, headers=reply.headers)

    view.__name__ = f"{provider.name}_{action.__name__}"
    return view


def _clock_of(emulator: Emulator, where: dict[str, Any]) -> tuple[Clock, Tenant | None]:
    """The server's clock, or with `provider` and `apiKey` one account's own (and the account)."""
    if where.get("provider") is None and where.get("apiKey") is None:
        return emulator.clock, None
    name = _provider_name(where.get("provider"))
    key = _optional_str(where, "apiKey")
    if not key:
        raise AdminError(400, "apiKey is required with provider (an account's clock)")
    tenant = emulator.tenant(emulator.providers[name], key)
    if tenant is None:
        raise AdminError(404, f"no {name} account has that key (unknown keys are refused)")
    return tenant.clock, tenant


def _is_number(value: Any) -> bool:
    """A finite number a float holds: an integer too large for one (400 digits) is none."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _whole(value: str | None, name: str) -> int | None:
    """ASCII digits only (`str.isdigit` takes `²` too, which int() refuses)."""
    if value is None:
        return None
    if re.fullmatch(r"[0-9]+", value):
        with contextlib.suppress(ValueError):  # more digits than int() reads (4,300)
            return int(value)
    raise AdminError(400, f"{name} must be a whole number")


def _status_filter(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"[1-5]([0-9][0-9]|xx|XX)", value):  # \d takes any script's digits
        raise AdminError(400, "status must be a status (404) or a class of them (4xx)")
    return value


def _seed(body: dict[str, Any], default: int) -> int:
    value = body.get("seed", default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise AdminError(400, "seed must be an integer")
    return value


def _json(body: Any, status: int = 200) -> Response:
    return Response(encode(body), status=status, content_type="application/json")


def _body() -> dict[str, Any]:
    data = request.get_data()
    if not data.strip():
        return {}
    try:
        body = json.loads(data, parse_constant=refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise AdminError(400, "the body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise AdminError(400, "the body must be a JSON object")
    return body


def _account_scope(args: Any) -> tuple[str | None, str | None]:
    """`provider` and `apiKey` from a query: every account, one provider's, or one."""
    provider = _provider_name(args.get("provider"), required=False)
    key = args.get("apiKey")
    if key is not None and provider is None:
        raise AdminError(400, "apiKey needs a provider: a key names an account of one provider")
    return provider, key


def _flag(body: dict[str, Any], name: str) -> bool | None:
    """A boolean member, or None when absent (or null): "false" or 0 is no answer to a yes/no."""
    value = body.get(name)
    if value is not None and not isinstance(value, bool):
        raise AdminError(400, f"{name} must be true or false")
    return value


def _optional_str(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise AdminError(400, f"{name} must be a string")
    return value


def _provider_name(value: Any, *, required: bool = True) -> Any:
    from flask import current_app

    emulator: Emulator = current_app.extensions["mockserver"]
    if value is None and not required:
        return None
    if not isinstance(value, str) or value not in emulator.providers:  # a list or object is no name either
        raise AdminError(400, f"provider must be one of {sorted(emulator.providers)}")
    return value
