"""A sandbox that survives restarts: `mockserver serve --state-file` keeps records, ids and
undelivered webhooks across SIGTERM and a restart, loses at most the last interval to a
`kill -9`, and refuses to start on a file it cannot read (leaving it as it is). Without a
state file, a stop reports what it could not deliver. And `mockserver snapshot save|load`."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mockserver.engine.randomness import Randomness
from mockserver.engine.snapshot import FORMAT, VERSION
from mockserver.testing import Emulator, WebhookReceiver
from tests.e2e.serve import Served, descendants
from tests.support import created, ok


def _hook(url: str) -> dict[str, object]:
    return {"name": "h", "url": url, "secret": "s3cret-hook", "subscriptions": ["CONTACT_CREATED"]}


@pytest.mark.parametrize("server", ["granian", "waitress"])
def test_records_ids_and_undelivered_webhooks_survive_sigterm_and_a_restart(tmp_path: Path, server: str) -> None:
    state = tmp_path / "state.json"
    with WebhookReceiver() as receiver:
        receiver.respond_with(503)  # the receiver is failing: every delivery waits for a retry
        with Served("--state-file", str(state), "--webhook-time-scale", "0.001", "--server", server) as served:
            account = Emulator.connect(served.url).account("systeme")
            api = account.session()
            created(api.post("/api/webhooks", json=_hook(receiver.url)))
            contacts = [created(api.post("/api/contacts", json={"email": f"c{n}@example.com"})) for n in range(3)]
            failed = account.wait_for_deliveries(3)
            assert served.stop(signal.SIGTERM) == 0
            text = served.wait_for_stderr(r"state saved to .*\(3 webhook deliveries pending\)")
        assert "dropped" not in text
        saved = json.loads(state.read_bytes())
        [kept] = [a for a in saved["accounts"] if a["apiKey"] == account.api_key]
        assert sorted(p["messageId"] for p in kept["pendingDeliveries"]) == sorted({d.message_id for d in failed})

        receiver.clear()
        receiver.respond_with(200)
        with Served("--state-file", str(state), "--webhook-time-scale", "0.001", "--server", server) as again:
            assert f"state file: {state} (1 account read from it)" in again.banner
            account = Emulator.connect(again.url).account("systeme", api_key=account.api_key)
            api = account.session()
            listed = ok(api.get("/api/contacts", params={"limit": 100}))["items"]
            assert sorted(c["id"] for c in listed) == sorted(c["id"] for c in contacts)
            fourth = created(api.post("/api/contacts", json={"email": "c4@example.com"}))
            assert fourth["id"] == max(c["id"] for c in contacts) + 1  # ids go on, never reused
            arrived = receiver.wait(4, timeout=60)  # the three kept, and the new contact's
        ids = [item.headers["X-Webhook-Message-Id"] for item in arrived]
        assert set(ids[:3]) | {ids[3]} == set(ids) and len(set(ids)) == 4
        assert {p["messageId"] for p in kept["pendingDeliveries"]} <= set(ids)
        emails = sorted(item.json["contact"]["email"] for item in arrived)
        assert emails == ["c0@example.com", "c1@example.com", "c2@example.com", "c4@example.com"]


def test_a_kill_9_loses_at_most_the_last_interval(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with Served("--state-file", str(state), "--snapshot-interval", "0.2") as served:
        account = Emulator.connect(served.url).account("clickfunnels")
        api = account.session()
        contact = created(api.post("/api/v2/workspaces/1/contacts", json={"contact": {"email_address": "kept@example.com"}}))
        deadline = time.monotonic() + 10
        while b"kept@example.com" not in (state.read_bytes() if state.exists() else b""):
            assert time.monotonic() < deadline, "the state file was not written within 10 s"
            time.sleep(0.05)
        served.crash()
    with Served("--state-file", str(state)) as again:
        api = Emulator.connect(again.url).account("clickfunnels", api_key=account.api_key).session()
        assert ok(api.get(f"/api/v2/contacts/{contact['id']}"))["email_address"] == "kept@example.com"


def test_a_server_killed_under_its_worker_stops_the_worker_which_saves_the_state(tmp_path: Path) -> None:
    """kill -9 of the server process alone (its worker lives on): the worker stops as on
    SIGTERM, saving everything, rather than serving on as an orphan."""
    state = tmp_path / "state.json"
    with Served("--state-file", str(state), "--snapshot-interval", "3600") as served:
        account = Emulator.connect(served.url).account("systeme")
        created(account.session().post("/api/contacts", json={"email": "orphan@example.com"}))
        workers = descendants(served.process.pid)
        assert workers, "granian serves from a worker process"
        served.process.kill()
        served.process.wait(10)
        deadline = time.monotonic() + 20
        while any(Path(f"/proc/{pid}").exists() for pid in workers):
            assert time.monotonic() < deadline, "the worker outlived its server"
            time.sleep(0.05)
    assert b"orphan@example.com" in state.read_bytes()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (json.dumps({"format": FORMAT, "version": VERSION + 1, "accounts": []}).encode(), "newer mockserver"),
        (
            json.dumps(
                {"format": FORMAT, "version": VERSION, "scope": "accounts", "random": Randomness(1).state(), "accounts": []}
            ).encode(),
            "holds some accounts, not a whole server's state",
        ),
    ],
)
def test_a_state_file_that_cannot_be_read_stops_the_start_and_is_left_alone(tmp_path: Path, content: bytes, message: str) -> None:
    state = tmp_path / "state.json"
    state.write_bytes(content)
    started = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--state-file", str(state)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode == 2
    assert message in started.stderr and str(state) in started.stderr
    assert "not started; the file is left as it is" in started.stderr
    assert "listening" not in started.stdout
    assert state.read_bytes() == content


def test_without_a_state_file_a_stop_reports_what_it_could_not_deliver() -> None:
    with Served("--webhook-time-scale", "1") as served:  # the first retry is a minute away
        api = Emulator.connect(served.url).account("systeme").session()
        created(api.post("/api/webhooks", json=_hook("http://127.0.0.1:9/down")))
        created(api.post("/api/contacts", json={"email": "lost@example.com"}))
        served.wait_for_stderr("webhook delivery failed")
        assert served.stop(signal.SIGTERM) == 0
        text = served.wait_for_stderr("dropped at stop")
    assert "1 webhook deliveries dropped at stop, never delivered" in text


def test_due_deliveries_go_out_before_a_stop_without_a_state_file() -> None:
    with WebhookReceiver() as receiver, Served() as served:
        api = Emulator.connect(served.url).account("systeme").session()
        created(api.post("/api/webhooks", json=_hook(receiver.url)))
        for n in range(20):
            created(api.post("/api/contacts", json={"email": f"c{n}@example.com"}))
        assert served.stop(signal.SIGTERM) == 0
        assert len(receiver.wait(20, timeout=10)) == 20
        assert "dropped" not in served.stderr()


def test_snapshot_save_and_load_through_the_cli(tmp_path: Path) -> None:
    saved = tmp_path / "account.json"
    with Served() as served:
        account = Emulator.connect(served.url).account("simvoly", demo=True)
        before = ok(account.session().get("/api/site/contacts"))
        command = [sys.executable, "-m", "mockserver", "snapshot"]
        where = ["--url", served.url, "--provider", "simvoly", "--key", account.api_key]
        done = subprocess.run([*command, "save", str(saved), *where], capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        assert "saved 1 account to" in done.stderr
        assert json.loads(saved.read_bytes())["accounts"][0]["apiKey"] == account.api_key
        account.reset()
        assert ok(account.session().get("/api/site/contacts"))["totalCount"] == 0
        done = subprocess.run([*command, "load", str(saved), *where], capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        assert "loaded 1 account into" in done.stdout
        assert ok(account.session().get("/api/site/contacts")) == before
        keyless = subprocess.run(
            [*command, "save", str(saved), "--url", served.url, "--key", "k"], capture_output=True, text=True, check=False
        )
        assert keyless.returncode == 2 and "--key needs --provider" in keyless.stderr
        saved.write_text("[]")
        refused = subprocess.run(
            [*command, "load", str(saved), "--url", served.url], capture_output=True, text=True, timeout=60, check=False
        )
        assert refused.returncode == 1 and "400: not a mockserver snapshot" in refused.stderr
