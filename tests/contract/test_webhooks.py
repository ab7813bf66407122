"""The webhook scenario: against the emulator every promised delivery arrives signed and as
the spec describes, and nothing the run made is left behind; each way a delivery can fail
is a finding; runs that must not write, or cannot be reached, say why and send nothing."""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from mockserver.contract import webhooks
from mockserver.contract.client import ContractClient
from mockserver.contract.profiles import profile_named
from mockserver.contract.webhooks import ReceiverOptions, check_webhooks
from mockserver.engine.spec import load_spec
from tests.contract.conftest import findings_text, requests_sent, verdict_of
from tests.contract.drifting import KEY, DriftingServer

SPECS = {name: load_spec(profile_named(name).spec) for name in ("systeme", "clickfunnels", "simvoly", "yulsn")}
FAST = ReceiverOptions(wait=5.0)

CHECKED = {
    "systeme": [
        "POST /api/contacts -> CONTACT_CREATED",
        "POST /api/contacts/{id}/tags -> CONTACT_TAG_ADDED",
        "DELETE /api/contacts/{id}/tags/{tagId} -> CONTACT_TAG_REMOVED",
    ],
    "clickfunnels": [
        "POST /api/v2/workspaces/{workspace_id}/contacts -> contact.created",
        "PATCH /api/v2/contacts/{contact_id} -> contact.updated",
        "POST /api/v2/contacts/{contact_id}/applied_tags -> contact/applied_tag.created",
        "DELETE /api/v2/contacts/applied_tags/{applied_tag_id} -> contact/applied_tag.deleted",
        "DELETE /api/v2/contacts/{contact_id} -> contact.deleted",
    ],
    "simvoly": ["POST /api/site/contacts -> contact_updated", "PUT /api/site/contacts/{id} -> contact_updated"],
}


def account(client: ContractClient) -> dict[str, Any]:
    """What a run could leave behind: subscriptions and the records it makes, by id."""

    def get(path: str, **query: Any) -> Any:
        return client.get(path, params=query).json()

    if client.profile.name == "systeme":
        return {
            "webhooks": get("/api/webhooks", limit=100)["items"],
            "contacts": [c["id"] for c in get("/api/contacts", limit=100)["items"]],
            "tags": [t["id"] for t in get("/api/tags", limit=100)["items"]],
        }
    if client.profile.name == "clickfunnels":
        contacts = [c["id"] for after in (0, 20, 40, 60) for c in get("/api/v2/workspaces/1/contacts", after=after)]
        return {
            "endpoints": get("/api/v2/workspaces/1/webhooks/outgoing/endpoints"),
            "contacts": contacts,
            "tags": [t["id"] for t in get("/api/v2/workspaces/1/contacts/tags")],
            "applied": [a["id"] for c in contacts[:20] for a in get(f"/api/v2/contacts/{c}/applied_tags")],
        }
    return {
        "webhooks": get("/api/site/webhooks"),
        "contacts": [c["id"] for skip in range(0, 100, 50) for c in get("/api/site/contacts", limit=50, skip=skip)["items"]],
    }


@pytest.mark.parametrize("provider", list(CHECKED))
def test_the_emulator_delivers_every_promised_webhook_and_the_run_cleans_up(
    provider: str, demo_client: Callable[..., ContractClient]
) -> None:
    client = demo_client(provider, allow_writes=True)
    before = account(client)
    verdict = verdict_of(client)
    check_webhooks(client, SPECS[provider], verdict, FAST)
    assert not verdict.findings, findings_text(verdict.findings)
    assert verdict.checked["webhooks"] == CHECKED[provider]
    assert account(client) == before


def test_yulsn_has_no_webhooks_to_check(demo_client: Callable[..., ContractClient]) -> None:
    client = demo_client("yulsn", allow_writes=True)
    sent = requests_sent(client)
    verdict = verdict_of(client)
    check_webhooks(client, SPECS["yulsn"], verdict, FAST)
    assert verdict.notes == ["webhooks not checked: Yulsn sends none"]
    assert not sent and not verdict.findings and "webhooks" not in verdict.checked


def test_a_read_only_run_sends_no_write_and_says_why(drifting: DriftingServer) -> None:
    start = len(drifting.received)
    client = ContractClient(profile_named("systeme"), f"{drifting.url}/systeme", KEY, allow_writes=False)
    verdict = verdict_of(client)
    check_webhooks(client, SPECS["systeme"], verdict, FAST)
    assert verdict.notes == ["webhooks not checked: they need --allow-writes"]
    assert not verdict.findings
    assert {method for method, _ in drifting.received[start:]} <= {"GET"}


def test_a_remote_base_url_needs_a_public_webhook_url() -> None:
    client = ContractClient(profile_named("systeme"), "https://api.systeme.io", "key", allow_writes=True)
    sent = requests_sent(client)
    verdict = verdict_of(client)
    check_webhooks(client, SPECS["systeme"], verdict, FAST)
    assert verdict.notes == ["webhooks not checked: give --webhook-url, a public URL that reaches --webhook-listen"]
    assert not sent and not verdict.findings


def test_deliveries_that_never_arrive_are_findings_and_the_subscription_is_still_deleted(
    demo_client: Callable[..., ContractClient],
) -> None:
    with socket.socket() as closed:  # a port nothing listens on: every delivery fails
        closed.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{closed.getsockname()[1]}/hooks"
    client = demo_client("systeme", allow_writes=True)
    before = account(client)
    verdict = verdict_of(client)
    check_webhooks(client, SPECS["systeme"], verdict, ReceiverOptions(public_url=nowhere, wait=0.3))
    assert [(f.operation, f.kind) for f in verdict.findings] == [(label, "webhook not delivered") for label in CHECKED["systeme"]]
    assert verdict.findings[0].detail == "no CONTACT_CREATED delivery within 0.3 s of POST /api/contacts"
    assert nowhere in verdict.findings[0].evidence
    assert account(client) == before


def test_a_signature_made_another_way_is_a_bad_signature(demo_client: Callable[..., ContractClient]) -> None:
    client = demo_client("systeme", allow_writes=True)
    # Simvoly's scheme (hex HMAC-SHA512) in the header where Systeme sends hex HMAC-SHA256: no
    # delivery verifies
    client.profile = replace(client.profile, signature_check=profile_named("simvoly").signature_check)
    verdict = verdict_of(client)
    check_webhooks(client, SPECS["systeme"], verdict, FAST)
    assert [(f.operation, f.kind) for f in verdict.findings] == [(label, "bad signature") for label in CHECKED["systeme"]]
    assert verdict.findings[0].detail.startswith("X-Webhook-Signature '")


def test_a_payload_unlike_the_spec_is_a_payload_mismatch_naming_the_member(demo_client: Callable[..., ContractClient]) -> None:
    client = demo_client("systeme", allow_writes=True)
    spec = SPECS["systeme"]
    # a spec whose CONTACT_CREATED payload must also carry a tag, as tag events do
    spec = replace(spec, webhooks={**spec.webhooks, "CONTACT_CREATED": spec.webhooks["CONTACT_TAG_ADDED"]})
    verdict = verdict_of(client)
    check_webhooks(client, spec, verdict, FAST)
    assert [(f.operation, f.kind, f.detail) for f in verdict.findings] == [
        ("POST /api/contacts -> CONTACT_CREATED", "payload mismatch", "payload tag: This value is required.")
    ]


def test_a_failing_step_is_a_finding_and_what_was_made_is_deleted(
    demo_client: Callable[..., ContractClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhooks, "EMAIL_DOMAIN", "nomx.example.org")  # refused by Systeme: no MX record
    client = demo_client("systeme", allow_writes=True)
    before = account(client)
    verdict = verdict_of(client)
    check_webhooks(client, SPECS["systeme"], verdict, FAST)
    (finding,) = verdict.findings
    assert (finding.operation, finding.kind) == ("POST /api/contacts", "step failed")
    assert "answered 422" in finding.detail
    assert verdict.checked["webhooks"] == []
    assert account(client) == before  # the subscription made before the failing step is gone
