"""What the admin API's document says of the engine's own endpoints (the views mount_admin
declares in admin.py): their tags and one operation each (the bodies they answer are in
admin_doc_schemas.py)."""

from __future__ import annotations

from mockserver.engine.admin_doc_schemas import DELAY, PROVIDER, RULE_FIELDS
from mockserver.engine.openapi_schema import (
    ANY_OBJECT,
    COUNT,
    INTEGER,
    STRING,
    Schema,
    answer,
    body,
    described,
    error,
    items,
    obj,
    operation,
    query,
    ref,
)

ENGINE_TAGS = [
    {"name": "server", "description": "What the server runs, and this document"},
    {"name": "accounts", "description": "Accounts (tenants): reset, seed, register keys"},
    {"name": "webhooks", "description": "Webhook delivery attempts, and waiting for them"},
    {"name": "journal", "description": "What the server saw: requests, live events, strict-mode problems"},
    {"name": "clock", "description": "The server's clock, or one account's own"},
    {"name": "state", "description": "Snapshots: the whole state, or one account's, to a file and back"},
    {"name": "faults", "description": "Faults on demand: errors, latency, dropped connections, rate limits, webhook chaos"},
]

BAD = "A parameter or the body is not what the endpoint takes"
BAD_BODY = "The body is not a JSON object, or a field has the wrong type"
ONE_PROVIDER = query("provider", PROVIDER, "Only this provider's")
ONE_KEY = query("apiKey", STRING, "Only this account's (its API key)")
ACCOUNT = {"provider": PROVIDER, "apiKey": STRING}
FULL = "A new account would pass --max-accounts (an existing one is always fine)"


def _listed_and_cleared(list_id: str, list_summary: str, schema: str, clear_id: str, clear_summary: str) -> dict[str, Schema]:
    """GET (list) and DELETE (clear) of a faults family, both scoped by provider and apiKey."""
    scope = [ONE_PROVIDER, ONE_KEY]
    return {
        "get": operation(
            list_id, "faults", list_summary, {"200": answer("`items`", items(ref(schema))), "400": error(BAD)}, scope
        ),
        "delete": operation(
            clear_id, "faults", clear_summary, {"200": answer("How many went", obj({"deleted": COUNT})), "400": error(BAD)}, scope
        ),
    }


def engine_paths() -> dict[str, Schema]:
    """The endpoints mount_admin declares itself."""
    clock_errors = {"400": error("`apiKey` without `provider`, or a bad value"), "404": error("No account has that key")}
    return {
        "/__admin/": {
            "get": operation(
                "getIndex",
                "server",
                "What this server emulates and how it runs",
                {"200": answer("Providers, settings and clock", ref("Index"))},
            )
        },
        "/__admin/health": {
            "get": operation(
                "getHealth", "server", "Whether the server is up", {"200": answer("Up", obj({"status": {"const": "ok"}}))}
            )
        },
        "/__admin/openapi.json": {
            "get": operation("getOpenApi", "server", "This document", {"200": answer("OpenAPI 3.1", ANY_OBJECT)})
        },
        "/__admin/reset": {
            "post": operation(
                "reset",
                "accounts",
                "Forget accounts: every one (and the server's clock), one provider's, or one",
                {"200": answer("How many accounts went", obj({"reset": COUNT})), "400": error(BAD_BODY)},
                requestBody=body(obj({}, ACCOUNT)),
            )
        },
        "/__admin/seed": {
            "post": operation(
                "seed",
                "accounts",
                "Replace accounts with fresh demo data from a seed (and register their key)",
                {
                    "200": answer("The accounts seeded", obj({"seeded": {"type": "array", "items": ref("Tenant")}})),
                    "400": error(BAD_BODY),
                    "429": error(FULL),
                },
                requestBody=body(
                    obj(
                        {},
                        {
                            "provider": described(PROVIDER, "Default: every provider"),
                            "apiKey": described(STRING, "Default: the demo key"),
                            "seed": described(INTEGER, "Default: the server's seed"),
                        },
                    )
                ),
            )
        },
        "/__admin/tenants": {
            "get": operation(
                "listTenants",
                "accounts",
                "The accounts that exist",
                {"200": answer("`items`: the accounts", items(ref("Tenant"))), "400": error(BAD)},
                [ONE_PROVIDER, ONE_KEY],
            ),
            "post": operation(
                "createTenant",
                "accounts",
                "Register a key as a new account: empty, or with demo data",
                {
                    "201": answer("The account", ref("Tenant")),
                    "400": error("No provider or apiKey, or a bad value"),
                    "429": error(FULL),
                },
                requestBody=body(
                    obj(
                        ACCOUNT, {"demo": {"type": "boolean"}, "seed": described(INTEGER, "With demo: default the server's seed")}
                    ),
                    required=True,
                ),
            ),
        },
        "/__admin/webhooks/attempts": {
            "get": operation(
                "listWebhookAttempts",
                "webhooks",
                "Every delivery attempt recorded, oldest first",
                {
                    "200": answer(
                        "`items`: the attempts; `outstanding`: messages not yet delivered or given up; "
                        "`dropped`: older attempts the bounded history (10,000 of all accounts) let go",
                        obj({"items": {"type": "array", "items": ref("Attempt")}, "outstanding": COUNT, "dropped": COUNT}),
                    ),
                    "400": error(BAD),
                },
                [ONE_PROVIDER, ONE_KEY]
                + [query(name, STRING, f"Only attempts with this {name}") for name in ("event", "webhookId", "messageId")],
            )
        },
        "/__admin/webhooks/wait": {
            "post": operation(
                "waitForWebhooks",
                "webhooks",
                "Wait until nothing is left to deliver, or until `count` attempts are recorded",
                {
                    "200": answer(
                        "Whether the wait ended before the timeout",
                        obj({"idle": {"type": "boolean"}, "done": {"type": "boolean"}, "attempts": COUNT, "outstanding": COUNT}),
                    ),
                    "400": error(BAD_BODY),
                },
                requestBody=body(
                    obj(
                        {},
                        {
                            **ACCOUNT,
                            "timeout": {"type": "number", "minimum": 0, "maximum": 600, "default": 10},
                            "count": described(COUNT, "Wait for this many attempts instead of idleness"),
                            "event": described(STRING, "Count only attempts of this event"),
                        },
                    )
                ),
            )
        },
        "/__admin/webhooks/redeliver": {
            "post": operation(
                "redeliverWebhook",
                "webhooks",
                "Send one of the account's messages again, now: same id, body and endpoint, signed anew",
                {
                    "202": answer(
                        "Queued: its attempts are numbered after the last one",
                        obj({"queued": {"const": True}, "messageId": STRING}),
                    ),
                    "400": error(BAD_BODY),
                    "404": error("No attempt or queued message of the account has that id, or its subscription was deleted"),
                },
                requestBody=body(obj({**ACCOUNT, "messageId": STRING}), required=True),
            )
        },
        "/__admin/journal": {
            "get": operation(
                "listJournal",
                "journal",
                "Recent API requests and their answers",
                {
                    "200": answer("`items`: the entries, newest first unless order=asc", items(ref("JournalEntry"))),
                    "400": error(BAD),
                },
                [
                    ONE_PROVIDER,
                    ONE_KEY,
                    query("method", STRING, "Only this HTTP method"),
                    query("path", STRING, "An exact path (with or without the provider's prefix), a {template}, or a glob"),
                    query("status", {"type": "string", "pattern": "^[1-5](\\d\\d|xx|XX)$"}, "A status (404) or a class (4xx)"),
                    query("operationId", STRING, "Only this operation's"),
                    query("since", COUNT, "Only entries after this seq"),
                    query("limit", COUNT, "At most this many (the newest)"),
                    query("order", {"enum": ["asc", "desc"], "default": "desc"}, "asc: oldest first"),
                ],
            ),
            "delete": operation(
                "clearJournal",
                "journal",
                "Forget journal entries: all, one provider's, or one account's",
                {"204": {"description": "Forgotten"}, "400": error(BAD)},
                [ONE_PROVIDER, ONE_KEY],
            ),
        },
        "/__admin/clock": {
            "get": operation(
                "getClock",
                "clock",
                "The server's clock, or with provider and apiKey one account's",
                {"200": answer("The clock", ref("Clock")), **clock_errors},
                [query("provider", PROVIDER, "With apiKey: that account's clock"), query("apiKey", STRING, "The account")],
            ),
            "post": operation(
                "moveClock",
                "clock",
                "Set, advance, freeze or reset a clock (the server's, or one account's)",
                {"200": answer("The clock, moved", ref("Clock")), **clock_errors},
                requestBody=body(
                    obj(
                        {},
                        {
                            "provider": described(PROVIDER, "With apiKey: that account's clock"),
                            "apiKey": STRING,
                            "set": described(STRING, "An ISO 8601 instant (naive ones are UTC), 1970 to 9000"),
                            "advance": described({"type": "number"}, "Seconds (after set)"),
                            "freeze": described({"type": "boolean"}, "true stops the clock, false restarts it"),
                            "reset": described({"type": "boolean"}, "Back to real time, running"),
                        },
                    )
                ),
            ),
        },
        "/__admin/snapshot": {
            "get": operation(
                "getSnapshot",
                "state",
                "Download the state: everything, one provider's accounts, or one account's",
                {
                    "200": answer("The snapshot (as an attachment)", ref("Snapshot")),
                    "400": error("apiKey without provider, or an unknown provider"),
                    "404": error("No such account"),
                },
                [ONE_PROVIDER, ONE_KEY],
            ),
            "put": operation(
                "putSnapshot",
                "state",
                "Restore a snapshot: a whole one replaces everything; an accounts one, those accounts; "
                "with provider and apiKey, a one-account snapshot becomes that account",
                {
                    "200": answer("The accounts restored", obj({"restored": {"type": "array", "items": ref("Tenant")}})),
                    "400": error("Not a snapshot, a newer format, a broken one (nothing changed), or a bad parameter"),
                },
                [query("provider", PROVIDER, "With apiKey: restore as this account"), query("apiKey", STRING, "The account")],
                requestBody=body(ref("Snapshot"), required=True),
            ),
        },
        "/__admin/strict": {
            "get": operation(
                "getStrictProblems",
                "journal",
                "Whether responses are checked against their spec, and what broke it",
                {
                    "200": answer(
                        "Strict mode and its problems",
                        obj({"enabled": {"type": "boolean"}, "problems": {"type": "array", "items": ref("StrictProblem")}}),
                    )
                },
            )
        },
        "/__admin/events": {
            "get": operation(
                "streamEvents",
                "journal",
                "Requests and delivery attempts as they happen (server-sent events)",
                {
                    "200": {
                        "description": "`event: request|delivery` with `data:` a JournalEntry or an Attempt",
                        "content": {"text/event-stream": {"schema": STRING}},
                    },
                    "400": error(BAD),
                },
                [
                    ONE_PROVIDER,
                    ONE_KEY,
                    query(
                        "kinds", {"type": "string", "default": "request,delivery"}, "request, delivery or both (comma-separated)"
                    ),
                ],
            )
        },
        "/__admin/faults": {
            "post": operation(
                "addFault",
                "faults",
                "Make matching API requests fail, wait or lose their connection",
                {"201": answer("The rule", ref("FaultRule")), "400": error("A field that cannot be (the message names it)")},
                requestBody=body(obj({"provider": PROVIDER}, RULE_FIELDS), required=True),
            ),
            **_listed_and_cleared(
                "listFaults",
                "The rules in force, in the order they apply",
                "FaultRule",
                "clearFaults",
                "Remove rules: every one, one provider's, or one account's",
            ),
        },
        "/__admin/faults/{rule_id}": {
            "delete": operation(
                "removeFault",
                "faults",
                "Remove one rule",
                {"204": {"description": "Removed"}, "404": error("No such rule (one whose times ran out is gone)")},
                [{"name": "rule_id", "in": "path", "required": True, "schema": STRING}],
            )
        },
        "/__admin/rate-limits": {
            "post": operation(
                "setRateLimit",
                "faults",
                "Change an account's (or a provider's) quota while the server runs",
                {"200": answer("The quota", ref("RateLimit")), "400": error("A field that cannot be (the message names it)")},
                requestBody=body(
                    obj(
                        {"provider": PROVIDER, "limit": COUNT, "window": described({"type": "number"}, "Seconds")},
                        {"apiKey": STRING},
                    ),
                    required=True,
                ),
            ),
            **_listed_and_cleared(
                "listRateLimits",
                "The quotas set while running (others have the start-up limit)",
                "RateLimit",
                "clearRateLimits",
                "Back to the start-up limit",
            ),
        },
        "/__admin/webhooks/chaos": {
            "post": operation(
                "setWebhookChaos",
                "faults",
                "Duplicate, delay or reorder one account's webhook deliveries",
                {
                    "200": answer("The setting", ref("WebhookChaos")),
                    "400": error("A field that cannot be (the message names it)"),
                },
                requestBody=body(
                    obj(
                        ACCOUNT,
                        {
                            "duplicate": {"type": "number", "minimum": 0, "maximum": 1},
                            "delayMs": DELAY,
                            "shuffle": {"type": "boolean"},
                        },
                    ),
                    required=True,
                ),
            ),
            **_listed_and_cleared(
                "listWebhookChaos",
                "The accounts whose deliveries misbehave, and how",
                "WebhookChaos",
                "clearWebhookChaos",
                "Deliveries as usual again",
            ),
        },
    }
