"""The bodies the engine's admin endpoints answer, as the admin API's document names them
(components/schemas), and the field sets its operations share (admin_engine_doc.py)."""

from __future__ import annotations

from mockserver.engine.openapi_schema import (
    ANY_OBJECT,
    COUNT,
    INTEGER,
    STRING,
    Schema,
    described,
    obj,
    ref,
)

PROVIDER = ref("ProviderName")

NULLABLE_STRING = {"type": ["string", "null"]}
DELAY = described(
    {
        "oneOf": [
            {"type": "number", "minimum": 0},
            {"type": "array", "items": {"type": "number", "minimum": 0}, "minItems": 2, "maxItems": 2},
        ]
    },
    "Milliseconds, or [min, max] drawn from the server's seed",
)
# Listings show an account's key as its fingerprint, never whole (the request names the key).
KEY_HINT = described(NULLABLE_STRING, "The account's API key as its last 4 characters (…abcd); never the key itself")
RULE_FIELDS = {
    "apiKey": described(NULLABLE_STRING, "Only this account's requests (default: every account of the provider)"),
    "operation": described(NULLABLE_STRING, "Only this operationId"),
    "method": described(NULLABLE_STRING, "Only this method"),
    "path": described(NULLABLE_STRING, "Only paths under the provider matching this glob (/api/contacts/*), or this template"),
    "status": described({"type": ["integer", "null"], "minimum": 100, "maximum": 599}, "Answer this status"),
    "body": described({}, "The body (JSON, or text); default: the provider's native error for the status"),
    "headers": {"type": "object", "additionalProperties": STRING},
    "delayMs": {"oneOf": [{"type": "null"}, DELAY]},
    "action": described({"enum": ["reset", "hang", None]}, "reset: cut the connection, no answer; hang: hold delayMs, then cut"),
    "after": described({"enum": ["before", "after"]}, "before: instead of the request; after: once it ran and committed"),
    "times": described({"type": ["integer", "null"], "minimum": 1}, "The next N matching requests, then the rule is gone"),
    "probability": described({"type": ["number", "null"], "minimum": 0, "maximum": 1}, "Drawn from the server's seed"),
}

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
            "keyHint": KEY_HINT,
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
            "keyHint": KEY_HINT,
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
            "keyHint": KEY_HINT,
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
            "fault": described(NULLABLE_STRING, "The fault rules it hit (ids, comma-separated); status 0: connection cut"),
        }
    ),
    "FaultRule": obj(
        {
            "id": STRING,
            "provider": PROVIDER,
            "keyHint": KEY_HINT,
            **{name: schema for name, schema in RULE_FIELDS.items() if name != "apiKey"},
            "hits": described(COUNT, "Requests it has faulted"),
        }
    ),
    "RateLimit": obj({"provider": PROVIDER, "keyHint": KEY_HINT, "limit": COUNT, "window": {"type": "number"}}),
    "WebhookChaos": obj(
        {
            "provider": PROVIDER,
            "keyHint": KEY_HINT,
            "duplicate": described({"type": "number"}, "The chance a delivery is sent twice (same message id)"),
            "delayMs": {"oneOf": [{"type": "null"}, DELAY]},
            "shuffle": described({"type": "boolean"}, "Deliveries due together go out in a random order"),
        }
    ),
    "StrictProblem": obj(
        {"provider": STRING, "operationId": STRING, "status": INTEGER, "problems": {"type": "array", "items": STRING}}
    ),
}
