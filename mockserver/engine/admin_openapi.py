"""The admin API's own OpenAPI 3.1 document (GET /__admin/openapi.json), so that clients in
any language can be generated. Built once at start-up: the engine's endpoints are described
here; each provider's actions come from its declaration (admin_actions, admin_schemas), so
a new action is documented without engine code."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jsonschema import Draft202012Validator

from mockserver import __version__
from mockserver.engine.provider import Provider

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
COUNT: Schema = {"type": "integer", "minimum": 0}
ANY_OBJECT: Schema = {"type": "object"}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: Mapping[str, Schema], optional: Mapping[str, Schema] | None = None) -> Schema:
    """An object with these properties; those in `required` always present."""
    schema: Schema = {"type": "object", "properties": {**required, **(optional or {})}}
    if required:
        schema["required"] = list(required)
    return schema


def described(schema: Schema, description: str) -> Schema:
    return {**schema, "description": description}


def items(schema: Schema) -> Schema:
    return obj({"items": {"type": "array", "items": schema}})


PROVIDER = ref("ProviderName")
ENGINE_TAGS = [
    {"name": "server", "description": "What the server runs, and this document"},
    {"name": "accounts", "description": "Accounts (tenants): reset, seed, register keys"},
    {"name": "webhooks", "description": "Webhook delivery attempts, and waiting for them"},
    {"name": "journal", "description": "What the server saw: requests, live events, strict-mode problems"},
    {"name": "clock", "description": "The server's clock, or one account's own"},
    {"name": "state", "description": "Snapshots: the whole state, or one account's, to a file and back"},
]

# The bodies the engine's endpoints answer (the views in admin.py, and what they call).
COMPONENTS: dict[str, Schema] = {
    "Error": obj(
        {"error": STRING},
        {"violations": {"type": "array", "items": obj({"path": STRING, "message": STRING})}},
    ),
    "Clock": obj(
        {
            "now": {"type": "string", "format": "date-time"},
            "frozen": {"type": "boolean"},
            "offsetSeconds": described({"type": "number"}, "How far the clock is from real time"),
        }
    ),
    "Snapshot": described(
        obj(
            {
                "format": {"const": "mockserver-snapshot"},
                "version": described(COUNT, "The format's version; a newer one than the server reads is refused"),
                "savedAt": {"type": "string", "format": "date-time"},
                "scope": described({"enum": ["server", "accounts"]}, "server: everything; accounts: some accounts"),
                "random": described(ANY_OBJECT, "The id generator's state"),
                "accounts": {
                    "type": "array",
                    "items": obj(
                        {
                            "provider": PROVIDER,
                            "apiKey": STRING,
                            "demo": {"type": "boolean"},
                            "clock": ANY_OBJECT,
                            "counters": described({"type": "object", "additionalProperties": COUNT}, "Id counters"),
                            "settings": ANY_OBJECT,
                            "tables": described(
                                {"type": "object", "additionalProperties": ANY_OBJECT}, "Per table: keys, rows, recent deletes"
                            ),
                            "pendingDeliveries": {"type": "array", "items": ANY_OBJECT},
                            "deliveryAttempts": {"type": "array", "items": ANY_OBJECT},
                        }
                    ),
                },
            },
            {"server": ANY_OBJECT, "wide": {"type": "boolean"}},
        ),
        "Versioned JSON of the records, id counters, clocks, settings and undelivered webhooks",
    ),
    "Tenant": obj(
        {
            "provider": STRING,
            "apiKey": STRING,
            "demo": described({"type": "boolean"}, "Whether it holds demo data"),
            "settings": ANY_OBJECT,
            "records": described({"type": "object", "additionalProperties": COUNT}, "Rows per table"),
        }
    ),
    "Index": obj(
        {
            "providers": {
                "type": "object",
                "additionalProperties": obj(
                    {
                        "title": STRING,
                        "baseUrl": STRING,
                        "operations": COUNT,
                        "adminActions": {"type": "array", "items": described(STRING, "METHOD /__admin/<provider>/<path>")},
                    }
                ),
            },
            "demoKey": {"type": ["string", "null"]},
            "nativeRoot": described({"type": ["string", "null"]}, "The provider also served at the root"),
            "allowUnknownKeys": {"type": "boolean"},
            "seed": INTEGER,
            "clock": ref("Clock"),
        }
    ),
    "Attempt": obj(
        {
            "id": INTEGER,
            "provider": STRING,
            "apiKey": STRING,
            "webhookId": STRING,
            "messageId": STRING,
            "event": STRING,
            "url": STRING,
            "attempt": described(INTEGER, "1 for the first delivery, then each retry"),
            "at": {"type": "string", "format": "date-time"},
            "ok": {"type": "boolean"},
            "status": {"type": ["integer", "null"]},
            "error": {"type": ["string", "null"]},
            "durationMs": {"type": "number"},
            "willRetry": {"type": "boolean"},
            "nextAttemptInSeconds": {"type": ["number", "null"]},
            "requestHeaders": {"type": "object", "additionalProperties": STRING},
            "requestBody": STRING,
            "responseBody": STRING,
        }
    ),
    "JournalEntry": obj(
        {
            "seq": described(INTEGER, "Grows with each entry (see `since`)"),
            "at": {"type": "string", "format": "date-time"},
            "provider": STRING,
            "apiKey": {"type": ["string", "null"]},
            "keyHint": {"type": ["string", "null"]},
            "operationId": STRING,
            "route": described(STRING, "The spec's path template"),
            "method": STRING,
            "path": STRING,
            "query": {"type": "object", "additionalProperties": {"type": ["string", "array"], "items": STRING}},
            "status": INTEGER,
            "durationMs": {"type": "number"},
            "requestHeaders": described({"type": "object", "additionalProperties": STRING}, "Credentials redacted"),
            "requestBody": described({}, "JSON, text (cut long ones say so), or null"),
            "responseHeaders": {"type": "object", "additionalProperties": STRING},
            "responseBody": described({}, "JSON, text (cut long ones say so), or null"),
            "events": {"type": "array", "items": obj({"event": STRING, "messageIds": {"type": "array", "items": STRING}})},
        }
    ),
    "StrictProblem": obj(
        {"provider": STRING, "operationId": STRING, "status": INTEGER, "problems": {"type": "array", "items": STRING}}
    ),
}


def query(name: str, schema: Schema, description: str) -> Schema:
    return {"name": name, "in": "query", "schema": schema, "description": description}


def body(schema: Schema, *, required: bool = False) -> Schema:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def answer(description: str, schema: Schema) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error(description: str) -> Schema:
    return answer(description, ref("Error"))


def operation(
    op_id: str, tag: str, summary: str, responses: Mapping[str, Schema], params: Iterable[Schema] = (), **extra: Any
) -> Schema:
    found: Schema = {"operationId": op_id, "tags": [tag], "summary": summary}
    if params:
        found["parameters"] = list(params)
    return {**found, **extra, "responses": dict(responses)}


BAD = "A parameter or the body is not what the endpoint takes"
BAD_BODY = "The body is not a JSON object, or a field has the wrong type"
ONE_PROVIDER = query("provider", PROVIDER, "Only this provider's")
ONE_KEY = query("apiKey", STRING, "Only this account's (its API key)")
ACCOUNT = {"provider": PROVIDER, "apiKey": STRING}


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
                {"201": answer("The account", ref("Tenant")), "400": error("No provider or apiKey, or a bad value")},
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
    }


# -- provider actions ------------------------------------------------------------------------
FLASK_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")  # <int:order_id>, <name>
CONVERTED = {"int": {"type": "integer", "minimum": 0}, "float": {"type": "number", "minimum": 0}}
UNREADABLE = "The body is not a JSON object, or apiKey is not a string"
BREAKS_SCHEMA = "The body breaks the schema (`violations` says where)"


def action_paths(provider: Provider, demo_key: str, taken: set[str]) -> dict[str, Schema]:
    """/__admin/<provider>/<path> for each action, from the provider's declaration."""
    strays = set(provider.admin_schemas) - set(provider.admin_actions)
    if strays:
        raise ValueError(f"{provider.name}: admin_schemas for no admin action: {sorted(strays)}")
    paths: dict[str, Schema] = {}
    for (method, path), action in provider.admin_actions.items():
        declared = provider.admin_schemas.get((method, path), {})
        params = [
            {"name": name, "in": "path", "required": True, "schema": CONVERTED.get(converter, STRING)}
            for converter, name in FLASK_PARAM.findall(path)
        ]
        params.append(query("apiKey", {**STRING, "default": demo_key}, "The account, when the body names none"))
        summary, description = _summary(action, f"{method} {path}")
        extra: Schema = {"description": description} if description else {}
        if method not in ("GET", "DELETE") or "body" in declared:
            extra["requestBody"] = _action_body(declared.get("body"), demo_key)
        responses = _action_responses(declared.get("responses", {}), "body" in declared)
        op_id = _operation_id(provider.name, action, method, path, taken)
        route = f"/__admin/{provider.name}/" + FLASK_PARAM.sub(r"{\2}", path)
        paths.setdefault(route, {})[method.lower()] = operation(op_id, provider.name, summary, responses, params, **extra)
    return paths


def _action_body(schema: Mapping[str, Any] | None, demo_key: str) -> Schema:
    """The provider's schema, plus the apiKey every action reads (admin._action_view)."""
    given = dict(schema) if schema is not None else ANY_OBJECT
    properties = dict(given.get("properties", {}))
    api_key = {**STRING, "default": demo_key, "description": "The account (created if it has none yet)"}
    properties["apiKey"] = {**api_key, **properties.get("apiKey", {})}
    # Required exactly when the action refuses an empty body.
    return body({**given, "properties": properties}, required=not Draft202012Validator(given).is_valid({}))


def _action_responses(declared: Mapping[int, str], checks_body: bool) -> dict[str, Schema]:
    statuses = {400: UNREADABLE, **({422: BREAKS_SCHEMA} if checks_body else {}), **declared}
    responses: dict[str, Schema] = {}
    for status, text in sorted(statuses.items()):
        if status == 204:
            responses["204"] = {"description": text}
        else:
            responses[str(status)] = answer(text, ANY_OBJECT) if status < 300 else error(text)
    if all(status >= 300 for status in statuses):  # an action that declares nothing
        responses["2XX"] = answer("Done", ANY_OBJECT)
    return responses


def _summary(action: Callable[..., Any], fallback: str) -> tuple[str, str | None]:
    """The docstring's first paragraph (on one line) and the rest."""
    doc = inspect.getdoc(action)
    if not doc:
        return fallback, None
    first, _, rest = doc.partition("\n\n")
    return " ".join(first.split()), rest.strip() or None


def _operation_id(provider: str, action: Callable[..., Any], method: str, path: str, taken: set[str]) -> str:
    """systemeCreateSale; the route joins in when one function serves two routes."""
    words = [provider, *action.__name__.removeprefix("admin_").split("_")]
    op_id = words[0] + "".join(word.capitalize() for word in words[1:])
    if op_id in taken:
        op_id += method.capitalize() + "".join(word.capitalize() for word in re.findall(r"[A-Za-z0-9]+", path))
    taken.add(op_id)
    return op_id


# -- the document ----------------------------------------------------------------------------
def admin_document(providers: Iterable[Provider], demo_key: str) -> Schema:
    providers = list(providers)
    paths = engine_paths()
    taken = {op["operationId"] for item in paths.values() for op in item.values()}
    for provider in providers:
        paths.update(action_paths(provider, demo_key, taken))
    provider_tags = [
        {"name": p.name, "description": f"{p.title}: what happens outside the API (/__admin/{p.name}/)"} for p in providers
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mockserver admin API",
            "version": __version__,
            "description": (
                "Control and inspect the emulators: accounts, webhook deliveries, the request journal, "
                'the clock, and each provider\'s own actions. Errors answer {"error": ..., "violations"?: '
                "[{path, message}]}."
            ),
        },
        "servers": [{"url": "/", "description": "The server that serves this document"}],
        "tags": ENGINE_TAGS + provider_tags,
        "paths": paths,
        "components": {"schemas": {**COMPONENTS, "ProviderName": {"type": "string", "enum": [p.name for p in providers]}}},
    }


def admin_openapi_json(providers: Iterable[Provider], demo_key: str) -> bytes:
    """The document as the route answers it (built once, at start-up)."""
    return json.dumps(admin_document(providers, demo_key), ensure_ascii=False).encode("utf-8")
