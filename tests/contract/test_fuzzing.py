"""Schemathesis driven by the contract suite (mockserver/contract/fuzz.py and hooks.py):
against a drifting server it reports each drift precisely, sends no write unless allowed,
and never writes the API key down."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockserver.contract.findings import Finding, Verdict
from mockserver.contract.fuzz import FuzzOptions, _read_events, run_fuzzing
from mockserver.contract.profiles import profile_named
from mockserver.engine.spec import load_spec
from tests.contract.drifting import KEY, DriftingServer

SYSTEME = profile_named("systeme")
SPEC = load_spec(SYSTEME.spec)


@pytest.fixture(scope="module")
def drifting() -> DriftingServer:
    with DriftingServer() as server:
        yield server


def _fuzz(server: DriftingServer, work_dir: Path, *, allow_writes: bool) -> tuple[int, Verdict]:
    base_url = f"{server.url}/systeme"
    verdict = Verdict("systeme", SYSTEME.title, base_url, allow_writes)
    status = run_fuzzing(
        SYSTEME,
        SPEC,
        base_url,
        KEY,
        verdict,
        FuzzOptions(max_examples=10, seed=7),
        allow_writes=allow_writes,
        work_dir=work_dir,
        ledger=work_dir / "created.ndjson",
    )
    return status, verdict


def _about(verdict: Verdict, operation: str, kind: str) -> list[Finding]:
    return [f for f in verdict.findings if f.operation == operation and f.kind == kind]


@pytest.fixture(scope="module")
def read_only(drifting: DriftingServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Verdict, set[str], Path]:
    work_dir = tmp_path_factory.mktemp("read-only")
    drifting.received.clear()
    status, verdict = _fuzz(drifting, work_dir, allow_writes=False)
    return status, verdict, drifting.methods("/systeme/"), work_dir


def test_a_read_only_run_sends_reads_only(read_only: tuple[int, Verdict, set[str], Path]) -> None:
    _, verdict, methods, work_dir = read_only
    assert methods == {"GET"}
    assert not (work_dir / "created.ndjson").exists()
    tested = verdict.checked["fuzzing"]
    assert "GET /api/contacts" in tested
    assert not [label for label in tested if not label.startswith("GET ")]


def test_a_wrong_type_is_reported_with_its_json_path(read_only: tuple[int, Verdict, set[str], Path]) -> None:
    status, verdict, _, _ = read_only
    assert status != 0
    [finding] = _about(verdict, "GET /api/contacts", "schema mismatch")
    assert "items[0].id" in finding.detail and "is not of type 'integer'" in finding.detail
    assert "request: GET http" in finding.evidence


def test_an_undocumented_status_is_reported(read_only: tuple[int, Verdict, set[str], Path]) -> None:
    _, verdict, _, _ = read_only
    [finding] = _about(verdict, "GET /api/contacts/{id}", "undocumented status")
    assert "410" in finding.detail and "404" in finding.detail


def test_missing_required_headers_are_named(read_only: tuple[int, Verdict, set[str], Path]) -> None:
    _, verdict, _, _ = read_only
    [finding] = _about(verdict, "GET /api/community/communities", "missing header")
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Refill"} <= set(finding.detail.replace(",", " ").split())


def test_an_error_body_that_is_not_native_is_reported(read_only: tuple[int, Verdict, set[str], Path]) -> None:
    _, verdict, _, _ = read_only
    [finding] = _about(verdict, "GET /api/tags/{id}", "error shape")
    assert "404" in finding.detail and '"message": "Not found"' in finding.detail


def test_operations_that_conform_are_not_reported(read_only: tuple[int, Verdict, set[str], Path]) -> None:
    _, verdict, _, _ = read_only
    drifted = {f.operation for f in verdict.findings}
    assert drifted <= {"GET /api/contacts", "GET /api/contacts/{id}", "GET /api/community/communities", "GET /api/tags/{id}"}
    assert "GET /api/school/courses" in verdict.checked["fuzzing"]


def test_the_api_key_is_never_written_down(read_only: tuple[int, Verdict, set[str], Path]) -> None:
    _, _, _, work_dir = read_only
    files = list(work_dir.iterdir())
    assert any(f.name == "schemathesis.log" for f in files)
    for file in files:
        assert KEY not in file.read_text(encoding="utf-8", errors="replace"), file.name


def test_with_writes_a_body_on_a_204_is_reported_and_creations_are_recorded(drifting: DriftingServer, tmp_path: Path) -> None:
    drifting.received.clear()
    _, verdict = _fuzz(drifting, tmp_path, allow_writes=True)
    assert {"POST", "DELETE"} <= drifting.methods("/systeme/")
    empty = [f for f in verdict.findings if f.kind == "body on an empty answer"]
    assert empty and all(f.operation.startswith("DELETE ") for f in empty)
    assert "Content-Length: 17" in empty[0].detail
    created = (tmp_path / "created.ndjson").read_text(encoding="utf-8")
    assert '"operationId": "createContact"' in created


def _unavailable(missed_by: str) -> str:
    """One schemathesis event: a record created by POST /api/v1/ContactCompanies, then 404 from `missed_by`."""
    message = (
        "The API returned `404 Not Found` for a resource that was just created.\n\n"
        "Created with      : `POST /api/v1/ContactCompanies`\n"
        f"Not available with: `{missed_by}`"
    )
    failure = {"type": "EnsureResourceAvailability", "operation": "POST /api/v1/ContactCompanies", "message": message}
    check = {"name": "ensure_resource_availability", "status": "failure", "failure_info": {"failure": failure}}
    recorder = {"label": "POST /api/v1/ContactCompanies", "interactions": {}, "checks": {"case": [check]}}
    return json.dumps({"ScenarioFinished": {"recorder": recorder}})


def test_a_404_that_the_provider_documents_for_something_else_is_not_a_missing_record(tmp_path: Path) -> None:
    yulsn = profile_named("yulsn")
    events = tmp_path / "events.ndjson"
    lines = [_unavailable("GET /api/v1/ContactCompanies/{id}/Contacts"), _unavailable("GET /api/v1/ContactCompanies/{id}")]
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    verdict = Verdict("yulsn", yulsn.title, "http://127.0.0.1", True)
    _read_events(events, load_spec(yulsn.spec), verdict, yulsn)
    [finding] = verdict.findings  # an empty sub-list is 404 by the vendor's rule; the record itself must be there
    assert finding.kind == "created record not found"
    assert "Not available with: GET /api/v1/ContactCompanies/{id}" in finding.detail
