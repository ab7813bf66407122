"""`mockserver contract` as a user runs it: a child process, its exit status, its report
and its summary; against the emulator, a drifting server, a wrong URL, a refused key and
a server that rate-limits it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests

from mockserver.cli import main
from mockserver.contract import cli as contract_cli
from mockserver.testing import Emulator
from tests.contract.drifting import KEY, DriftingServer
from tests.support import STRICT_SETTINGS

SEED = "20261202"


def contract(*args: str, cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """Run in `cwd`, where the reports go unless --report says otherwise."""
    environment = {name: value for name, value in os.environ.items() if name != "MOCKSERVER_CONTRACT_API_KEY"}
    return subprocess.run(
        [sys.executable, "-m", "mockserver", "contract", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment,
        cwd=cwd,
        check=False,
    )


def short_run(base_url: str, examples: int, report: str) -> tuple[str, ...]:
    """A quick read-only check of Systeme.io's paging and generated requests."""
    return (
        "systeme",
        "--base-url",
        base_url,
        "--api-key",
        KEY,
        "--max-examples",
        str(examples),
        "--seed",
        SEED,
        "--report",
        report,
        "--only",
        "paging",
        "--only",
        "fuzzing",
    )


def strict_emulator(**changes: Any) -> Emulator:
    """The emulator as the README tells users to run it for a contract check: unknown keys
    refused (otherwise every made-up key is a new account and the credentials check fails)."""
    emulator = Emulator.start(**{**STRICT_SETTINGS, "allow_unknown_keys": False, "api_keys": (KEY,), **changes})
    emulator.account("systeme", demo=True, api_key=KEY)
    return emulator


@pytest.fixture(scope="module")
def own_mockserver() -> Iterator[Emulator]:
    """This module's own emulator (not the session's, and not named as it is, so that the
    session's fixtures never get this one): the one strict_emulator() makes. Every answer it
    gave must have matched the spec."""
    with strict_emulator() as running:
        yield running
        problems = list(running.engine.strict_problems)
    assert not problems, f"responses that do not match the spec: {problems}"


def test_the_emulator_conforms(own_mockserver: Emulator, tmp_path: Path) -> None:
    report = tmp_path / "systeme.xml"
    run = contract(*short_run(f"{own_mockserver.url}/systeme", 5, str(report)), cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    suites = ET.parse(report).getroot()
    cases = suites.findall(".//testcase")
    assert any(case.get("name") == "GET /api/contacts" for case in cases)
    assert not suites.findall(".//failure")
    summary = report.with_suffix(".txt").read_text(encoding="utf-8")
    assert summary.strip() in run.stdout
    assert "no drift" in summary.lower()
    assert KEY not in run.stdout + summary + report.read_text(encoding="utf-8")


def test_by_default_the_report_goes_beside_and_what_was_created_is_deleted(own_mockserver: Emulator, tmp_path: Path) -> None:
    """No --report: the files go in the working directory, under relative paths that the
    run (and schemathesis, which runs elsewhere) must still find."""
    before = _contact_count(own_mockserver)
    run = contract(
        "systeme",
        "--base-url",
        f"{own_mockserver.url}/systeme",
        "--api-key",
        KEY,
        "--allow-writes",
        "--max-examples",
        "3",
        "--seed",
        SEED,
        "--only",
        "fuzzing",
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "contract-systeme.xml").is_file() and (tmp_path / "contract-systeme.txt").is_file()
    assert "fuzzing: 0 operation" not in run.stdout
    assert (tmp_path / "contract-systeme-files" / "created.ndjson").is_file()
    assert "clean-up: deleted" in run.stdout
    assert _contact_count(own_mockserver) == before  # every contact it made is gone


def _contact_count(own_mockserver: Emulator) -> int:
    """How many contacts the account holds, walked page by page."""
    count, after = 0, None
    while True:
        params = {"limit": 100, **({"startingAfter": after} if after else {})}
        page = requests.get(f"{own_mockserver.url}/systeme/api/contacts", params=params, headers={"X-API-Key": KEY}, timeout=30)
        page.raise_for_status()
        items = page.json()["items"]
        count += len(items)
        if not page.json()["hasMore"]:
            return count
        after = items[-1]["id"]


def test_a_header_http_does_not_allow_is_refused_before_anything_is_sent(own_mockserver: Emulator, tmp_path: Path) -> None:
    base_url = f"{own_mockserver.url}/systeme"
    run = contract("systeme", "--base-url", base_url, "--api-key", KEY, "--header", "Bad Name: x", cwd=tmp_path, timeout=60)
    assert run.returncode == 2
    assert "--header wants" in run.stderr
    assert not list(tmp_path.iterdir())


def test_a_run_that_tested_nothing_is_not_a_verdict(
    own_mockserver: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Schemathesis could not run (here: zero workers, which it refuses): "no drift" would be a lie."""
    original = contract_cli.FuzzOptions
    monkeypatch.setattr(contract_cli, "FuzzOptions", lambda **given: replace(original(**given), workers=0))
    monkeypatch.chdir(tmp_path)
    status = main(["contract", "systeme", "--base-url", f"{own_mockserver.url}/systeme", "--api-key", KEY, "--only", "fuzzing"])
    out = capsys.readouterr().out
    assert status == 2, out
    assert "NOT CHECKED: schemathesis tested no operation" in out
    assert "no drift found" not in out


def test_drift_is_listed_per_operation_and_the_exit_status_says_so(tmp_path: Path) -> None:
    report = tmp_path / "drift.xml"
    with DriftingServer() as server:
        run = contract(*short_run(f"{server.url}/systeme", 5, str(report)), cwd=tmp_path)
        methods = server.methods("/systeme/")
    assert run.returncode == 1, run.stdout + run.stderr
    assert methods == {"GET"}  # read-only by default: not a single write reached the server
    for operation in ("GET /api/contacts", "GET /api/contacts/{id}", "GET /api/community/communities", "GET /api/tags/{id}"):
        assert operation in run.stdout
    assert "items[0].id" in run.stdout  # the offending JSON path
    assert "410" in run.stdout
    assert "X-RateLimit-Limit" in run.stdout
    failed = {case.get("name") for case in ET.parse(report).getroot().findall(".//testcase") if case.find("failure") is not None}
    assert "GET /api/contacts" in failed and "GET /api/school/courses" not in failed


def test_an_unreachable_server_is_not_a_verdict(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    run = contract("systeme", "--base-url", f"http://127.0.0.1:{port}/systeme", "--api-key", KEY, cwd=tmp_path, timeout=60)
    assert run.returncode == 2
    assert "cannot reach" in run.stderr


def test_a_refused_key_is_not_a_verdict(own_mockserver: Emulator, tmp_path: Path) -> None:
    run = contract("systeme", "--base-url", f"{own_mockserver.url}/systeme", "--api-key", "not-a-key", cwd=tmp_path, timeout=60)
    assert run.returncode == 2
    assert "API key was refused" in run.stderr


def test_a_wrong_base_url_is_not_a_verdict(own_mockserver: Emulator, tmp_path: Path) -> None:
    run = contract("systeme", "--base-url", f"{own_mockserver.url}/nowhere", "--api-key", KEY, cwd=tmp_path, timeout=60)
    assert run.returncode == 2
    assert "base URL" in run.stderr
    assert not list(tmp_path.iterdir())  # no verdict, so no report


def test_no_key_is_not_a_verdict(own_mockserver: Emulator, tmp_path: Path) -> None:
    run = contract("systeme", "--base-url", f"{own_mockserver.url}/systeme", cwd=tmp_path, timeout=60)
    assert run.returncode == 2
    assert "--api-key" in run.stderr


def test_rate_limits_are_waited_out_not_reported(tmp_path: Path) -> None:
    with strict_emulator(rate_limit=150, rate_window=1.0) as limited:
        run = contract(*short_run(f"{limited.url}/systeme", 3, str(tmp_path / "limited.xml")), cwd=tmp_path)
        journal = limited.journal()  # oldest first
    assert run.returncode == 0, run.stdout + run.stderr
    refused = [i for i, entry in enumerate(journal) if entry.status == 429]
    assert refused  # the limit was reached...
    for i in refused:  # ...and every refused request was sent again once the wait was over
        request = (journal[i].method, journal[i].path)
        assert any((e.method, e.path) == request and e.status != 429 for e in journal[i + 1 :]), request
