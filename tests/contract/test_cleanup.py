"""Clean-up after a run that may write: the spec's links say how to delete each record the
ledger lists; records the API cannot delete are named in the notes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mockserver.contract.cleanup import clean_up
from mockserver.contract.client import ContractClient
from mockserver.contract.findings import Verdict
from mockserver.contract.profiles import profile_named
from mockserver.engine.spec import load_spec
from mockserver.testing import Emulator


def _entry(operation_id: str, method: str, path: str, status: int, response: Any, **request: Any) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "method": method,
        "path": path,
        "status": status,
        "pathParameters": request.get("path_parameters", {}),
        "query": {},
        "body": request.get("body"),
        "response": response,
    }


def _ledger(tmp_path: Path, *entries: dict[str, Any]) -> Path:
    ledger = tmp_path / "created.ndjson"
    ledger.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    return ledger


def test_what_a_run_made_is_deleted_through_the_specs_links(mockserver: Emulator, tmp_path: Path) -> None:
    profile = profile_named("systeme")
    spec = load_spec(profile.spec)
    client = ContractClient(profile, f"{mockserver.url}/systeme", mockserver.account("systeme").api_key, allow_writes=True)
    contact = client.request("POST", "/api/contacts", json={"email": "ledger@example.com"}).json()
    tag = client.request("POST", "/api/tags", json={"name": "ledger"}).json()
    assert client.request("POST", f"/api/contacts/{contact['id']}/tags", json={"tagId": tag["id"]}).status_code == 204
    other = client.request("POST", "/api/contacts", json={"email": "kept@example.com"}).json()  # not in the ledger
    ledger = _ledger(
        tmp_path,
        _entry("createContact", "POST", "/api/contacts", 201, contact),
        _entry("createTag", "POST", "/api/tags", 201, tag),
        _entry(
            "assignTagToContact",
            "POST",
            "/api/contacts/{id}/tags",
            204,
            None,
            path_parameters={"id": contact["id"]},
            body={"tagId": tag["id"]},
        ),
        _entry("createContact", "POST", "/api/contacts", 201, {"id": 999_999}),  # gone already
    )
    verdict = Verdict("systeme", profile.title, client.base_url, True)
    report = clean_up(client, spec.document, ledger, verdict)
    assert (report.deleted, report.already_gone, report.failed) == (3, 1, [])
    assert client.get(f"/api/contacts/{contact['id']}").status_code == 404
    assert client.get(f"/api/tags/{tag['id']}").status_code == 404
    assert client.get(f"/api/contacts/{other['id']}").status_code == 200
    assert "clean-up: deleted 3 record(s) the run created (1 already gone)" in verdict.notes


def test_records_the_api_cannot_delete_are_named(mockserver: Emulator, tmp_path: Path) -> None:
    profile = profile_named("clickfunnels")
    spec = load_spec(profile.spec)
    client = ContractClient(
        profile, f"{mockserver.url}/clickfunnels", mockserver.account("clickfunnels").api_key, allow_writes=True
    )
    ledger = _ledger(
        tmp_path,
        _entry("createProduct", "POST", "/api/v2/workspaces/{workspace_id}/products", 201, {"id": 5}),
        _entry("createProduct", "POST", "/api/v2/workspaces/{workspace_id}/products", 201, {"id": 6}),
        _entry("updateContact", "PUT", "/api/v2/contacts/{contact_id}", 200, {"id": 7}),  # changed, not made
    )
    verdict = Verdict("clickfunnels", profile.title, client.base_url, True)
    report = clean_up(client, spec.document, ledger, verdict)
    assert dict(report.left_behind) == {"createProduct": 2}
    assert any("no delete for records made by createProduct x2" in note for note in verdict.notes)


def test_a_missing_ledger_is_nothing_to_clean(mockserver: Emulator, tmp_path: Path) -> None:
    profile = profile_named("systeme")
    client = ContractClient(profile, f"{mockserver.url}/systeme", mockserver.account("systeme").api_key, allow_writes=True)
    verdict = Verdict("systeme", profile.title, client.base_url, True)
    report = clean_up(client, load_spec(profile.spec).document, tmp_path / "none.ndjson", verdict)
    assert (report.deleted, verdict.notes) == (0, [])
