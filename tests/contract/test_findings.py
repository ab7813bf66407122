"""The verdict: one finding per drift, a summary grouped by operation, a JUnit report."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from mockserver.contract.findings import Finding, Verdict


def _verdict() -> Verdict:
    verdict = Verdict("systeme", "Systeme.io", "https://api.example.test", allow_writes=False)
    verdict.checked["fuzzing"] = ["GET /api/contacts", "GET /api/tags"]
    verdict.checked["paging"] = ["GET /api/contacts"]
    verdict.notes.append("5 write operation(s) not exercised")
    return verdict


def test_the_same_drift_seen_twice_is_one_finding() -> None:
    verdict = _verdict()
    verdict.add(
        Finding("fuzzing", "GET /api/contacts", "schema mismatch", "items[0].id: '1' is not...", "a", key="200 items[*].id")
    )
    verdict.add(
        Finding("fuzzing", "GET /api/contacts", "schema mismatch", "items[0].id: '2' is not...", "b", key="200 items[*].id")
    )
    verdict.add(Finding("paging", "GET /api/contacts", "broken paging", "record 3 came twice"))
    assert len(verdict.findings) == 2
    assert verdict.drifted


def test_the_summary_groups_drift_by_operation_and_says_the_verdict(tmp_path: Path) -> None:
    verdict = _verdict()
    assert verdict.summary().endswith("Verdict: no drift found")
    verdict.add(Finding("fuzzing", "GET /api/tags", "undocumented status", "Received: 410; Documented: 200, 404"))
    verdict.add(Finding("paging", "GET /api/contacts", "broken paging", "record 3 came twice"))
    text = verdict.summary(tmp_path / "r.xml")
    lines = text.splitlines()
    assert "DRIFT in 2 operation(s):" in lines
    contacts = lines.index("  GET /api/contacts")
    assert lines[contacts + 1] == "    - broken paging: record 3 came twice  [paging]"
    assert "note: 5 write operation(s) not exercised" in text
    assert lines[-1] == f"Verdict: 2 drift(s) in 2 operation(s) (JUnit report: {tmp_path / 'r.xml'})"


def test_the_junit_report_has_a_case_per_operation_and_fails_the_drifted_ones(tmp_path: Path) -> None:
    verdict = _verdict()
    verdict.add(Finding("fuzzing", "GET /api/tags", "undocumented status", "Received: 410", "curl ..."))
    verdict.add(Finding("webhooks", "CONTACT_CREATED", "webhook not delivered", "nothing within 20 s"))
    report = tmp_path / "out" / "report.xml"
    verdict.write_junit(report)
    root = ET.parse(report).getroot()
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert set(suites) == {"systeme.fuzzing", "systeme.paging", "systeme.webhooks"}
    fuzzing = suites["systeme.fuzzing"]
    assert (fuzzing.get("tests"), fuzzing.get("failures")) == ("2", "1")
    cases = {case.get("name"): case for case in fuzzing.iter("testcase")}
    assert cases["GET /api/contacts"].find("failure") is None
    failure = cases["GET /api/tags"].find("failure")
    assert failure is not None and failure.get("message") == "undocumented status: Received: 410"
    assert "curl ..." in (failure.text or "")
    assert suites["systeme.webhooks"].get("failures") == "1"
    notes = [p.get("value") for p in fuzzing.iter("property") if p.get("name") == "note"]
    assert notes == ["5 write operation(s) not exercised"]
