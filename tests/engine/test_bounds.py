"""Bounded memory: --max-accounts (a new key past it is refused as an unknown one, the admin
API answers 429, the log says so once, a reset makes room), and the journal and the delivery
history bounded in bytes as well as in entries."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from mockserver.app import create_app, emulator_of
from mockserver.engine.attempts import ATTEMPT_OVERHEAD, Attempt, Came, History
from mockserver.engine.delivering import Outgoing
from mockserver.engine.journal import ENTRY_OVERHEAD, Exchange, Journal, cut
from mockserver.engine.settings import Settings


@pytest.fixture
def app() -> Iterator[Flask]:
    served = create_app(Settings(max_accounts=3, demo_data=False), deliver=False)
    yield served
    emulator_of(served).dispatcher.stop()


def contacts(app: Flask, key: str) -> TestResponse:
    with app.test_client() as client:
        return client.get("/systeme/api/contacts", headers={"X-API-Key": key})


def admin(app: Flask, method: str, path: str, body: dict[str, Any]) -> TestResponse:
    with app.test_client() as client:
        return client.open(f"/__admin/{path}", method=method, json=body)


def test_a_new_key_past_the_account_limit_is_refused_as_an_unknown_one(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    assert [contacts(app, f"key-{n}").status_code for n in range(3)] == [200, 200, 200]
    with caplog.at_level(logging.WARNING, logger="mockserver"):
        refused = [contacts(app, f"late-{n}") for n in range(5)]
    # The provider's own 401, as for a key it does not know; no account was made for it.
    unknown = create_app(Settings(allow_unknown_keys=False, demo_data=False), deliver=False)
    assert {(r.status_code, r.get_data(as_text=True)) for r in refused} == {
        (401, contacts(unknown, "late-0").get_data(as_text=True))
    }
    emulator_of(unknown).dispatcher.stop()
    assert len(emulator_of(app).store.tenants()) == 3
    said = [r.getMessage() for r in caplog.records if "account limit" in r.getMessage()]
    assert len(said) == 1, said  # one line, not one per refused request
    assert "--max-accounts 3" in said[0] and "…te-0" in said[0]
    # The accounts there still answer; the admin API will not make a fourth either.
    assert contacts(app, "key-1").status_code == 200
    made = admin(app, "POST", "tenants", {"provider": "systeme", "apiKey": "late-0"})
    assert made.status_code == 429 and "--max-accounts" in made.get_json()["error"]
    assert admin(app, "POST", "seed", {"provider": "simvoly", "apiKey": "late-0"}).status_code == 429
    assert admin(app, "POST", "tenants", {"provider": "systeme", "apiKey": "key-2"}).status_code == 201  # exists: fine
    # A reset makes room again.
    assert admin(app, "POST", "reset", {"provider": "systeme", "apiKey": "key-0"}).status_code == 200
    assert contacts(app, "late-0").status_code == 200
    assert contacts(app, "late-1").status_code == 401


def test_max_accounts_below_one_is_refused_at_start() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--max-accounts", "0", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (run.returncode, run.stderr.strip()) == (2, "mockserver: --max-accounts must be at least 1")


def entry(number: int, body: bytes) -> Exchange:
    return Exchange(
        at=float(number),
        provider="systeme",
        api_key="k",
        operation_id=f"op{number}",
        route="/api/contacts",
        method="POST",
        path_info="/systeme/api/contacts",
        query="",
        request_headers=[],
        status=201,
        duration_ms=1.0,
        request_body=cut(body),
        request_size=len(body),
        response_headers={},
        response_body=b"",
        response_size=0,
    )


def test_the_journal_is_bounded_in_bytes_as_well_as_in_entries() -> None:
    body = b"x" * 60_000
    journal = Journal(size=1000, max_bytes=10 * (60_000 + ENTRY_OVERHEAD))
    for number in range(50):
        journal.record(entry(number, body))
    kept = journal.entries()
    assert [e.operation_id for e in kept] == [f"op{n}" for n in range(49, 39, -1)]  # the newest ten
    assert journal.bytes == 10 * (60_000 + ENTRY_OVERHEAD)
    journal.clear("systeme", "k")
    assert (journal.entries(), journal.bytes) == ([], 0)
    tight = Journal(size=1000, max_bytes=50_000)
    tight.record(entry(1, body))  # heavier than the bound: kept alone, the newest
    tight.record(entry(2, body))
    assert [e.operation_id for e in tight.entries()] == ["op2"]
    for number in range(3, 50):
        tight.record(entry(number, b"{}"))
    assert [e.operation_id for e in tight.entries()] == [f"op{n}" for n in range(49, 2, -1)]  # the heavy one went


def attempt(number: int, body: bytes) -> Attempt:
    message = Outgoing(url="http://127.0.0.1:9/", body=body, headers={}, event="E", webhook_id="w", message_id=f"m{number}")
    came = Came(message, 1, (500, "no", None), "HTTP 500", 0.01, None, {})
    return Attempt(number, "systeme", "k", came, 0.0)


def test_the_delivery_history_is_bounded_in_bytes_as_well_as_in_attempts() -> None:
    weight = 10_000 + len("no") + ATTEMPT_OVERHEAD
    history = History(size=100, max_bytes=5 * weight)
    gone = [g.id for n in range(12) for g in history.append(attempt(n, b"x" * 10_000))]
    assert gone == list(range(7)) and [a.id for a in history] == list(range(7, 12))
    assert history.bytes == 5 * weight
    counted = History(size=3, max_bytes=10**9)
    assert [g.id for n in range(5) for g in counted.append(attempt(n, b"{}"))] == [0, 1]
    counted.keep(lambda a: a.id != 3)
    assert [a.id for a in counted] == [2, 4] and counted.bytes == 2 * (2 + 2 + ATTEMPT_OVERHEAD)
