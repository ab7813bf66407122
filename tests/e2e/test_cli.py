"""`mockserver serve` as a user starts it: a real process, real port, Ctrl-C to stop."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest
import requests

from mockserver.cli import main


def start(*args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        match = re.search(r"listening on (http://\S+)", line)
        if match:
            return process, match.group(1)
    process.kill()
    process.communicate()  # closes the pipe
    raise AssertionError("the server did not say where it listens")


def session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    return s


def test_serve_starts_all_providers_with_demo_data_and_stops_on_ctrl_c() -> None:
    process, url = start()
    try:
        assert url.startswith("http://127.0.0.1:"), "binds to loopback by default"
        http = session()
        contacts = http.get(f"{url}/systeme/api/contacts", headers={"X-API-Key": "demo"}, timeout=10)
        assert contacts.status_code == 200
        assert len(contacts.json()["items"]) == 10 and contacts.json()["hasMore"] is True
        empty = http.get(f"{url}/systeme/api/contacts", headers={"X-API-Key": "my-ci-key"}, timeout=10)
        assert empty.json() == {"items": [], "hasMore": False}
        assert http.get(f"{url}/__admin/health", timeout=10).json() == {"status": "ok"}
        assert http.get(f"{url}/api/contacts", headers={"X-API-Key": "demo"}, timeout=10).status_code == 404
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    assert process.returncode == 0
    assert "mockserver stopped." in output
    assert "Traceback" not in output


def test_native_root_and_no_demo_data() -> None:
    process, url = start("--native", "systeme", "--no-demo-data", "--seed", "7")
    try:
        http = session()
        native = http.get(f"{url}/api/contacts", headers={"X-API-Key": "demo"}, timeout=10)
        assert native.status_code == 200
        assert native.json() == {"items": [], "hasMore": False}, "no demo data: the demo key is an empty account"
        gateway = http.get(f"{url}/systeme/api/contact_fields", headers={"X-API-Key": "demo"}, timeout=10)
        assert gateway.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)
    assert process.returncode == 0


def test_refuse_unknown_keys_and_accept_listed_ones() -> None:
    process, url = start("--refuse-unknown-keys", "--api-key", "ci-key")
    try:
        http = session()
        refused = http.get(f"{url}/systeme/api/tags", headers={"X-API-Key": "stranger"}, timeout=10)
        assert refused.status_code == 401
        assert refused.json() == {"detail": "Invalid API Key."}
        assert http.get(f"{url}/systeme/api/tags", headers={"X-API-Key": "ci-key"}, timeout=10).status_code == 200
        assert http.get(f"{url}/systeme/api/tags", headers={"X-API-Key": "demo"}, timeout=10).status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=20)


def test_a_busy_port_is_reported_without_a_traceback() -> None:
    process, url = start()
    try:
        port = url.rsplit(":", 1)[1]
        second = subprocess.run(
            [sys.executable, "-m", "mockserver", "serve", "--port", port], capture_output=True, text=True, timeout=30, check=False
        )
        assert second.returncode == 1
        assert "cannot listen" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=20)


def test_bad_options_exit_with_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--rate-limit", "lots"]) == 2
    assert "COUNT/SECONDS" in capsys.readouterr().err
    assert main([]) == 2
    assert "serve" in capsys.readouterr().out
