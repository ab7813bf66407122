"""What the contract suite knows of the real Simvoly Website API, written from its documents,
apart from the emulator: authentication, the native error body, how deliveries are signed,
and the webhook scenario that makes it send some."""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from mockserver.contract.profiles import Profile, header_value, hex_hmac, object_with
from mockserver.contract.webhooks import Run, has


def _signed(body: bytes, headers: Mapping[str, str], secret: str) -> bool:
    # X-Webhook-Signature: lowercase hex HMAC-SHA512 of the raw body, keyed with the secret, no
    # prefix (as a public integration verifies Simvoly's deliveries).
    given = header_value(headers, "X-Webhook-Signature") or ""
    return hmac.compare_digest(given, hex_hmac(secret, body, algorithm="sha512"))


def _webhooks(run: Run) -> None:
    hook = run.call(
        "POST", "/api/site/webhooks", json={"target": run.target, "events": ["contact_updated"], "secret": run.secret}
    )
    run.made("/api/site/webhooks/{id}", {"id": hook["id"]})
    contact = {"id": run.call("POST", "/api/site/contacts", json={"email": run.email, "name": "Contract"})["id"]}
    run.made("/api/site/contacts/{id}", contact)
    run.expect("contact_updated", "POST /api/site/contacts", has({("email",): run.email, ("name",): "Contract"}))
    run.call("PUT", "/api/site/contacts/{id}", contact, json={"email": run.email, "name": "Changed"})
    run.expect("contact_updated", "PUT /api/site/contacts/{id}", has({("email",): run.email, ("name",): "Changed"}))
    run.notes.append(
        "product_created/product_updated, order_* and the visitors' events not checked: products cannot be deleted"
        " through the API, and the others need a visitor or would change the account's own records"
    )


PROFILE = Profile(
    name="simvoly",
    title="Simvoly",
    auth_header="Authorization",
    auth_prefix="Bearer ",
    error_body=object_with("success", "message", success={"const": False}, message={"type": "string"}),
    error_schemas=("Error",),
    # Simvoly answers every refused request, business rules included, with 400.
    business_rule_statuses=("400", "404", "409", "422"),
    needs_user_agent=True,
    signature_header="X-Webhook-Signature",
    signature_check=_signed,
    webhook_scenario=_webhooks,
    webhook_event=lambda delivery: header_value(delivery.headers, "X-Webhook-Topic"),
)
