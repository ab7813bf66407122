"""What the contract suite knows of the real Systeme.io, written from its documents, apart
from the emulator: authentication, the native error body, how deliveries are signed, and the
webhook scenario that makes it send some."""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from mockserver.contract.profiles import Profile, header_value, hex_hmac, object_with
from mockserver.contract.webhooks import Run, has


def _signed(body: bytes, headers: Mapping[str, str], secret: str) -> bool:
    # X-Webhook-Signature: lowercase hex HMAC-SHA256 of the raw body, keyed with the secret.
    given = header_value(headers, "X-Webhook-Signature") or ""
    return hmac.compare_digest(given, hex_hmac(secret, body))


def _webhooks(run: Run) -> None:
    events = ["CONTACT_CREATED", "CONTACT_TAG_ADDED", "CONTACT_TAG_REMOVED"]
    body = {"name": run.name, "url": run.target, "secret": run.secret, "subscriptions": events}
    hook = run.call("POST", "/api/webhooks", json=body)
    run.made("/api/webhooks/{id}", {"id": hook["id"]})
    contact = run.call("POST", "/api/contacts", json={"email": run.email})
    ids = {"id": contact["id"]}
    run.made("/api/contacts/{id}", ids)
    ours = has({("contact", "email"): run.email})
    run.expect("CONTACT_CREATED", "POST /api/contacts", ours)
    tag = run.call("POST", "/api/tags", json={"name": run.name})
    run.made("/api/tags/{id}", {"id": tag["id"]})
    run.call("POST", "/api/contacts/{id}/tags", ids, json={"tagId": tag["id"]})
    run.expect("CONTACT_TAG_ADDED", "POST /api/contacts/{id}/tags", ours)
    run.call("DELETE", "/api/contacts/{id}/tags/{tagId}", {**ids, "tagId": tag["id"]})
    run.expect("CONTACT_TAG_REMOVED", "DELETE /api/contacts/{id}/tags/{tagId}", ours)


PROFILE = Profile(
    name="systeme",
    title="Systeme.io",
    auth_header="X-API-Key",
    auth_prefix="",
    # RFC 7807 problems, and {"detail"} for authentication failures.
    error_body=object_with("detail", detail={"type": "string"}, title={"type": "string"}),
    error_schemas=("Problem", "ConstraintViolationList", "AuthenticationError"),
    business_rule_statuses=("404", "409", "422"),
    signature_header="X-Webhook-Signature",
    signature_check=_signed,
    webhook_scenario=_webhooks,
    webhook_event=lambda delivery: header_value(delivery.headers, "X-Webhook-Event"),
)
