"""A local webhook endpoint for tests: it records every request, answers 200 unless told
otherwise (a status, a delay, a function), and lets a test wait for deliveries."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from requests.structures import CaseInsensitiveDict

from mockserver.testing.signatures import verify_signature


@dataclass(frozen=True)
class ReceivedWebhook:
    """One request the receiver got, exactly as it came."""

    method: str
    path: str
    headers: CaseInsensitiveDict[str]
    body: bytes

    @property
    def json(self) -> Any:
        """The body parsed as JSON (None when it is not JSON)."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def verify(self, provider: str, secret: str) -> bool:
        """Whether it carries the provider's signature made with `secret`."""
        return verify_signature(provider, secret, self.headers, self.body)


# What a `respond` function returns: a status, or (status, body), or None for the default.
Answer = int | tuple[int, bytes] | None


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A sender that gave up (the emulator's delivery timeout) is no error of the test's."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 (port 0) that records every request it gets.

    By default it answers 200. `respond_with(status, times=N)` answers the next N requests
    with that status (then 200 again), `delay` holds each answer (to provoke timeouts), and
    `respond` decides per request (it may call the emulator's API: deliveries are sent from
    the emulator's background workers, so that does not deadlock).
    """

    def __init__(self, *, host: str = "127.0.0.1", path: str = "/webhook") -> None:
        self.delay = 0.0
        self.respond: Callable[[ReceivedWebhook], Answer] | None = None
        self._host = host
        self._path = path
        self._received: list[ReceivedWebhook] = []
        self._arrived = 0  # requests come in, answered or not yet (a `delay` holds them)
        self._scripted: deque[int] = deque()
        self._status = 200
        self._cond = threading.Condition()
        self._server = _QuietServer((host, 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    # -- what tests use ---------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self._host}:{self._server.server_port}{self._path}"

    @property
    def requests(self) -> list[ReceivedWebhook]:
        """Every request so far, in the order they arrived."""
        with self._cond:
            return list(self._received)

    def wait(self, count: int = 1, timeout: float = 10.0) -> list[ReceivedWebhook]:
        """Block until at least `count` requests have arrived and answer them all; raise
        AssertionError, saying what did arrive, when the timeout passes first."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._received) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    got = [f"{r.method} {r.path} {r.body[:60]!r}" for r in self._received]
                    raise AssertionError(
                        f"expected {count} webhook request(s) at {self.url} within {timeout:g} s, got {len(got)}: {got}"
                    )
                self._cond.wait(remaining)
            return list(self._received)

    def wait_arrived(self, count: int = 1, timeout: float = 10.0) -> None:
        """Block until at least `count` requests have come in, answered or still held by
        `delay` or `respond` (a sender is then waiting on this receiver); raise
        AssertionError when the timeout passes first."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._arrived < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected {count} request(s) to arrive at {self.url} within {timeout:g} s, got {self._arrived}"
                    )
                self._cond.wait(remaining)

    def respond_with(self, status: int, *, times: int | None = None) -> None:
        """Answer the next `times` requests with `status` (every request from now on when
        `times` is None)."""
        with self._cond:
            if times is None:
                self._status = status
                self._scripted.clear()
            else:
                self._scripted.extend([status] * times)

    def clear(self) -> None:
        """Forget what was received (the answers set stay)."""
        with self._cond:
            self._received.clear()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> WebhookReceiver:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- serving ----------------------------------------------------------------------
    def _answer(self, item: ReceivedWebhook) -> tuple[int, bytes]:
        with self._cond:
            self._arrived += 1
            self._cond.notify_all()
        if self.delay:
            time.sleep(self.delay)
        if self.respond is not None:
            answer = self.respond(item)
            if isinstance(answer, tuple):
                return answer
            if answer is not None:
                return answer, b"ok"
        with self._cond:
            status = self._scripted.popleft() if self._scripted else self._status
        return status, b"ok"

    def _record(self, item: ReceivedWebhook) -> None:
        with self._cond:
            self._received.append(item)
            self._cond.notify_all()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _receive(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                item = ReceivedWebhook(self.command, self.path, CaseInsensitiveDict(self.headers.items()), body)
                status, payload = receiver._answer(item)
                receiver._record(item)
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_POST = do_PUT = do_PATCH = do_DELETE = do_GET = _receive

            def log_message(self, *_: Any) -> None:
                pass

        return Handler
