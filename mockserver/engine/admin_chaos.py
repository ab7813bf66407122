"""Webhook chaos on the admin API (/__admin/webhooks/chaos): one account's deliveries
duplicated, delayed or shuffled, so a receiver's idempotency and ordering can be tested.
The dispatcher applies it (engine/webhooks.py, `Chaos`); this module reads and checks the
admin calls."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, request

if TYPE_CHECKING:
    from mockserver.engine.runtime import Emulator

FIELDS = ("provider", "apiKey", "duplicate", "delayMs", "shuffle")
MAX_DELAY_MS = 600_000  # ten minutes, as a fault's delay


def mount_chaos(admin: Blueprint, emulator: Emulator) -> None:
    """Add POST, GET and DELETE /webhooks/chaos to the admin blueprint."""
    # Imported here: admin.py imports this module at its top and calls this from mount_admin.
    from mockserver.engine.admin import AdminError, _account_scope, _body, _is_number, _json, _provider_name

    def delay(value: Any) -> float | list[float] | None:
        within = _is_number(value) and 0 <= value <= MAX_DELAY_MS
        pair = isinstance(value, list) and len(value) == 2 and all(_is_number(v) and 0 <= v <= MAX_DELAY_MS for v in value)
        if value is None or within or (pair and value[0] <= value[1]):
            return value  # type: ignore[no-any-return]
        raise AdminError(400, f"delayMs must be milliseconds from 0 to {MAX_DELAY_MS}, or [min, max] within them")

    @admin.post("/webhooks/chaos")
    def set_webhook_chaos() -> Response:
        body = _body()
        unknown = [name for name in body if name not in FIELDS]
        if unknown:
            raise AdminError(400, f"{unknown[0]} is not a field of webhook chaos (fields: {', '.join(FIELDS)})")
        provider = _provider_name(body.get("provider"))
        key = body.get("apiKey")
        if not isinstance(key, str) or not key:
            raise AdminError(400, "apiKey must be a non-empty string")
        duplicate = body.get("duplicate")
        if duplicate is not None and not (_is_number(duplicate) and 0 <= duplicate <= 1):
            raise AdminError(400, "duplicate must be a probability from 0 to 1")
        shuffle = body.get("shuffle")
        if shuffle is not None and not isinstance(shuffle, bool):
            raise AdminError(400, "shuffle must be true or false")
        setting = {"duplicate": duplicate or 0, "delayMs": delay(body.get("delayMs")), "shuffle": bool(shuffle)}
        # Seeded from the server's seed, the provider and the key alone: reproducible runs.
        return _json(emulator.dispatcher.set_chaos(provider, key, setting, seed=emulator.random.seed))

    @admin.get("/webhooks/chaos")
    def webhook_chaos() -> Response:
        provider, key = _account_scope(request.args)
        return _json({"items": emulator.dispatcher.chaos(provider, key)})

    @admin.delete("/webhooks/chaos")
    def clear_webhook_chaos() -> Response:
        provider, key = _account_scope(request.args)
        return _json({"deleted": emulator.dispatcher.clear_chaos(provider, key)})
