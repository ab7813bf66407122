"""The delivery process (engine/delivery.py): POSTs made by a process of its own at a lower
priority, answered to the caller; started again if it dies; ended by closing its pipe, not
by signals; and `mockserver serve` delivers through it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.engine.delivery import NICENESS, ProcessPoster
from mockserver.testing import Emulator, WebhookReceiver
from tests.e2e.serve import Served, descendants
from tests.support import created


@pytest.fixture
def poster() -> Iterator[ProcessPoster]:
    made = ProcessPoster(workers=4)
    made.start()
    yield made
    made.close()


def _child(poster: ProcessPoster) -> int:
    process = poster._process
    assert process is not None
    return process.pid


def test_a_post_is_made_by_the_delivery_process_and_answered(poster: ProcessPoster) -> None:
    with WebhookReceiver() as receiver:
        receiver.respond_with(202)
        status, _, error = poster.post(receiver.url, b'{"a":1}', {"Content-Type": "application/json", "X-Id": "7"}, 5)
        [received] = receiver.requests
    assert (status, error) == (202, None)
    assert received.body == b'{"a":1}' and received.headers["X-Id"] == "7"
    assert _child(poster) != os.getpid()


def test_a_refused_connection_is_an_error_without_a_status(poster: ProcessPoster) -> None:
    status, _, error = poster.post("http://127.0.0.1:9/refused", b"{}", {}, 5)
    assert status is None and error is not None and "ConnectionError" in error


def test_the_delivery_process_ignores_ctrl_c_and_ends_when_its_pipe_closes(poster: ProcessPoster) -> None:
    pid = _child(poster)
    with WebhookReceiver() as receiver:
        assert poster.post(receiver.url, b"{}", {}, 5)[0] == 200  # it is up and reading
        os.kill(pid, signal.SIGINT)  # a terminal's Ctrl-C reaches the whole process group
        os.kill(pid, signal.SIGTERM)
        assert poster.post(receiver.url, b"{}", {}, 5)[0] == 200
    assert _child(poster) == pid
    poster.close()
    assert not Path(f"/proc/{pid}").exists() or _zombie(pid)


def test_a_delivery_process_that_died_is_started_again(poster: ProcessPoster) -> None:
    first = _child(poster)
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while not _zombie(first) and time.monotonic() < deadline:  # dead (our reader may reap it)
        time.sleep(0.01)
    with WebhookReceiver() as receiver:
        deadline = time.monotonic() + 10
        status = None
        while status != 200 and time.monotonic() < deadline:  # a post racing the death may fail once
            status = poster.post(receiver.url, b"{}", {}, 5)[0]
    assert status == 200 and _child(poster) != first


def test_serve_delivers_through_a_niced_delivery_process() -> None:
    with WebhookReceiver() as receiver, Served() as served:
        api = Emulator.connect(served.url).account("systeme").session()
        hook = {"name": "h", "url": receiver.url, "secret": "s3cret-hook", "subscriptions": ["CONTACT_CREATED"]}
        created(api.post("/api/webhooks", json=hook))
        created(api.post("/api/contacts", json={"email": "ada@example.com"}))
        [received] = receiver.wait(1)
        assert received.json["contact"]["email"] == "ada@example.com"
        children = [pid for pid in descendants(served.process.pid) if b"mockserver.engine.delivery" in _cmdline(pid)]
        assert len(children) == 1
        assert _nice(children[0]) == NICENESS
    assert not Path(f"/proc/{children[0]}").exists() or _zombie(children[0])


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _nice(pid: int) -> int:
    return int(_stat(pid)[16])  # field 19 of /proc/PID/stat


def _zombie(pid: int) -> bool:
    try:
        return _stat(pid)[0] == "Z"
    except OSError:
        return True


def test_without_a_delivery_process_the_posts_go_from_here(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def no_process(*_: object, **__: object) -> None:
        raise OSError("no processes left")

    monkeypatch.setattr(subprocess, "Popen", no_process)
    poster = ProcessPoster(workers=2)
    poster.start()  # says so, and does not stop the server from starting
    with WebhookReceiver() as receiver:
        assert poster.post(receiver.url, b"{}", {}, 5)[0] == 200
        assert poster.post(receiver.url, b"{}", {}, 5)[0] == 200
        assert len(receiver.requests) == 2
    poster.close()
    warnings = [r.getMessage() for r in caplog.records if "delivery process is not available" in r.getMessage()]
    assert len(warnings) == 1 and "no processes left" in warnings[0]
