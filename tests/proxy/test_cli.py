"""`mockserver proxy` and `mockserver replay` as a user starts them: real processes, real
ports, SIGTERM to stop."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mockserver.cli import main
from mockserver.testing import Emulator
from tests.proxy.helpers import http


def start(*args: str) -> tuple[subprocess.Popen[str], str, str]:
    """The process, its URL, and the banner it printed (read up to its last line, so that
    nothing later sits in this side's buffer, out of communicate()'s reach)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", *args, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    banner = ""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        banner += line
        match = re.search(r"listening on (http://\S+)", banner)
        if match and line.startswith("Ctrl-C stops"):
            return process, match.group(1), banner
        if not line and process.poll() is not None:
            break
    process.kill()
    raise AssertionError(f"it did not say where it listens: {process.communicate()[0]}")


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output
    assert "Traceback" not in output
    return output


def test_proxy_forwards_reports_records_and_stops_on_sigterm(mockserver: Emulator, tmp_path: Path) -> None:
    account = mockserver.account("systeme", demo=True)
    key = account.api_key
    upstream = f"{mockserver.url}/systeme"
    record, log = str(tmp_path / "rec"), str(tmp_path / "log")
    process, url, banner = start("proxy", "systeme", "--upstream", upstream, "--record", record, "--log", log)
    try:
        assert url.startswith("http://127.0.0.1:"), "binds to loopback by default"
        assert f"forwarding to {upstream}" in banner and f"recording exchanges in {record}" in banner
        headers = {"X-API-Key": key}
        proxied = http().get(f"{url}/api/contacts", params={"limit": 10}, headers=headers, timeout=10)
        direct = http().get(f"{upstream}/api/contacts", params={"limit": 10}, headers=headers, timeout=10)
        assert (proxied.status_code, proxied.content) == (200, direct.content)
        assert http().get(f"{url}/api/contacts", params={"limit": 5000}, headers=headers, timeout=10).status_code == 422
    finally:
        output = stop(process)
    assert "proxy: GET /api/contacts -> 422: request query parameter limit: 5000 is greater than the maximum of 100" in output
    assert "mockserver proxy stopped." in output
    assert [p.name for p in sorted((tmp_path / "rec").iterdir())] == ["0001-get-api-contacts.json", "0002-get-api-contacts.json"]
    assert '"where": "request"' in (tmp_path / "log").read_text()


def test_replay_serves_the_recording_and_stops_on_sigterm(mockserver: Emulator, tmp_path: Path) -> None:
    key = mockserver.account("yulsn").api_key
    upstream = f"{mockserver.url}/yulsn"
    process, url, _ = start("proxy", "yulsn", "--upstream", upstream, "--record", str(tmp_path))
    try:
        recorded = http().get(f"{url}/api/v1/Contacts", headers={"X-ApiKey": key}, timeout=10)
    finally:
        stop(process)
    process, url, banner = start("replay", "yulsn", "--fixtures", str(tmp_path))
    assert "serving 1 recorded Yulsn v1 exchanges" in banner
    try:
        any_key = {"X-ApiKey": "any-key"}
        replayed = http().get(f"{url}/API/V1/contacts/", headers=any_key, timeout=10)  # Yulsn: any case, a trailing slash
        assert (replayed.status_code, replayed.content) == (recorded.status_code, recorded.content)
        assert http().get(f"{url}/api/v1/Stores", headers=any_key, timeout=10).status_code == 404
        assert http().get(f"{url}/api/v1/Contacts", timeout=10).status_code == 401, "no key: Yulsn's own 401"
    finally:
        assert "mockserver replay stopped." in stop(process)


@pytest.mark.parametrize("upstream", ["api.systeme.io", "ftp://api.systeme.io", "https://api.systeme.io/?x=1"])
def test_an_upstream_that_is_not_a_base_url_is_refused(upstream: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["proxy", "systeme", "--upstream", upstream, "--port", "0"]) == 2
    assert "--upstream must be an http(s) base URL" in capsys.readouterr().err


def test_replay_of_a_missing_directory_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "systeme", "--fixtures", str(tmp_path / "nope"), "--port", "0"]) == 1
    assert "is not a directory" in capsys.readouterr().err
