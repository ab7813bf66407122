"""What the contract suite knows of the real ClickFunnels 2.0, written from its documents,
apart from the emulator: authentication, the native error body, how deliveries are signed,
and the webhook scenario that makes it send some."""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from mockserver.contract.profiles import Profile, header_value, hex_hmac, object_with
from mockserver.contract.webhooks import Run, at, has


def _signed(body: bytes, headers: Mapping[str, str], secret: str) -> bool:
    # X-Webhook-ClickFunnels-Signature: hex HMAC-SHA256 of "<timestamp>.<raw body>".
    timestamp = header_value(headers, "X-Webhook-ClickFunnels-Timestamp") or ""
    given = header_value(headers, "X-Webhook-ClickFunnels-Signature") or ""
    return bool(timestamp) and hmac.compare_digest(given, hex_hmac(secret, timestamp.encode() + b"." + body))


def _webhooks(run: Run) -> None:
    team = run.call("GET", "/api/v2/teams")[0]
    space = {"workspace_id": run.call("GET", "/api/v2/teams/{team_id}/workspaces", {"team_id": team["id"]})[0]["id"]}
    events = [
        "contact.created",
        "contact.updated",
        "contact.deleted",
        "contact/applied_tag.created",
        "contact/applied_tag.deleted",
    ]
    body = {"webhooks_outgoing_endpoint": {"url": run.target, "name": run.name, "event_type_ids": events}}
    endpoint = run.call("POST", "/api/v2/workspaces/{workspace_id}/webhooks/outgoing/endpoints", space, json=body)
    run.secret = endpoint["webhook_secret"]  # given once, at creation
    run.made("/api/v2/webhooks/outgoing/endpoints/{endpoint_id}", {"endpoint_id": endpoint["id"]})
    new = {"contact": {"email_address": run.email, "first_name": "Contract"}}
    contact = {"contact_id": run.call("POST", "/api/v2/workspaces/{workspace_id}/contacts", space, json=new)["id"]}
    run.made("/api/v2/contacts/{contact_id}", contact)
    ours = has({("data", "email_address"): run.email})
    run.expect("contact.created", "POST /api/v2/workspaces/{workspace_id}/contacts", ours)
    run.call("PATCH", "/api/v2/contacts/{contact_id}", contact, json={"contact": {"first_name": "Changed"}})
    run.expect("contact.updated", "PATCH /api/v2/contacts/{contact_id}", ours)
    # A tag of the run's own (deleted after it), applied and removed.
    tag = run.call("POST", "/api/v2/workspaces/{workspace_id}/contacts/tags", space, json={"contacts_tag": {"name": run.name}})
    run.made("/api/v2/contacts/tags/{tag_id}", {"tag_id": tag["id"]})
    tagged = has({("data", "contact_id"): contact["contact_id"]})
    applied = run.call(
        "POST",
        "/api/v2/contacts/{contact_id}/applied_tags",
        contact,
        json={"contacts_applied_tag": {"tag_id": tag["id"]}},
    )
    link = {"applied_tag_id": applied["id"]}
    run.made("/api/v2/contacts/applied_tags/{applied_tag_id}", link)
    run.expect("contact/applied_tag.created", "POST /api/v2/contacts/{contact_id}/applied_tags", tagged)
    run.call("DELETE", "/api/v2/contacts/applied_tags/{applied_tag_id}", link)
    run.gone("/api/v2/contacts/applied_tags/{applied_tag_id}", link)
    run.expect("contact/applied_tag.deleted", "DELETE /api/v2/contacts/applied_tags/{applied_tag_id}", tagged)
    run.call("DELETE", "/api/v2/contacts/{contact_id}", contact)
    run.gone("/api/v2/contacts/{contact_id}", contact)
    run.expect("contact.deleted", "DELETE /api/v2/contacts/{contact_id}", ours)


PROFILE = Profile(
    name="clickfunnels",
    title="ClickFunnels 2.0",
    auth_header="Authorization",
    auth_prefix="Bearer ",
    error_body=object_with("error", error={"type": "string"}),
    error_schemas=("Error", "ValidationError"),
    business_rule_statuses=("404", "409", "422"),
    needs_user_agent=True,
    signature_header="X-Webhook-ClickFunnels-Signature",
    signature_check=_signed,
    webhook_scenario=_webhooks,
    webhook_event=lambda delivery: at(delivery.payload, "event_type"),
)
