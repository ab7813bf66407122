"""What goes over the wire: the request reaches the upstream as the client sent it, the
answer comes back as the upstream sent it (redirects and compressed bodies included), an
unreachable upstream is a 502, many clients at once are each recorded whole, and no spec
work happens per request."""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mockserver.engine import spec as spec_module
from mockserver.proxy.fixtures import load_fixtures
from mockserver.testing import Emulator
from tests.proxy.helpers import Running, http
from tests.support import NO_USER_AGENT

Start = Callable[..., Running]
GZIPPED = gzip.compress(b'{"items": [], "hasMore": false}')


class Echo:
    """An upstream that records each request as it arrived and answers by path."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        echo = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                echo.received.append(
                    {
                        "method": self.command,
                        "target": self.path,
                        "headers": list(self.headers.items()),
                        "body": self.rfile.read(length),
                    }
                )
                if self.path.startswith("/api/slow"):
                    time.sleep(1.0)
                    with contextlib.suppress(OSError):  # the proxy has given up by now
                        self._answer(200, [], b"late")
                elif self.path.startswith("/api/cut"):  # promises 100 bytes, sends 5, hangs up
                    self.send_response(200)
                    self.send_header("Content-Length", "100")
                    self.end_headers()
                    self.wfile.write(b"short")
                    self.close_connection = True
                elif self.path.startswith("/api/redirect"):
                    self._answer(302, [("Location", "/api/elsewhere")], b"")
                elif self.path.startswith("/api/contacts"):
                    headers = [("Content-Type", "application/json"), ("Content-Encoding", "gzip")]
                    self._answer(200, headers, GZIPPED)
                else:
                    cookies = [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("X-Upstream", "yes")]
                    self._answer(200, [("Content-Type", "text/plain"), *cookies], b"hello")

            do_GET = do_POST = do_PATCH = do_SEARCH = do_any

            def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def echo() -> Iterator[Echo]:
    server = Echo()
    yield server
    server.stop()


def test_the_request_goes_upstream_as_sent(echo: Echo, start_proxy: Start) -> None:
    proxy = start_proxy("systeme", echo.url + "/base/")
    body = b'{"any": "bytes",  "kept": true}'
    headers = {"X-API-Key": "k", "X-Custom": "1", "Content-Type": "application/json", "Connection": "X-Hop", "X-Hop": "gone"}
    answer = http().post(f"{proxy.url}/api/odd%20path/x?b=2&a=1&q=%2F&e=", data=body, headers={**headers, **NO_USER_AGENT})
    assert answer.status_code == 200
    (seen,) = echo.received
    assert seen["method"] == "POST"
    assert seen["target"] == "/base/api/odd%20path/x?b=2&a=1&q=%2F&e=", "path and query exactly as sent"
    assert seen["body"] == body
    names = {name.lower(): value for name, value in seen["headers"]}
    assert names["x-api-key"] == "k" and names["x-custom"] == "1" and names["content-type"] == "application/json"
    assert names["host"] == echo.url.removeprefix("http://"), "the upstream's own Host"
    assert "user-agent" not in names, "nothing added to what the client sent"
    assert "x-hop" not in names and "connection" not in names, "hop-by-hop headers stay on their hop"


def test_the_answer_comes_back_as_sent(echo: Echo, start_proxy: Start) -> None:
    proxy = start_proxy("systeme", echo.url)
    plain = http().get(f"{proxy.url}/api/tags")
    assert (plain.status_code, plain.content, plain.headers["X-Upstream"]) == (200, b"hello", "yes")
    assert plain.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    redirect = http().get(f"{proxy.url}/api/redirect", allow_redirects=False)
    assert (redirect.status_code, redirect.headers["Location"]) == (302, "/api/elsewhere"), "passed on, not followed"
    assert len(echo.received) == 2
    compressed = http().get(f"{proxy.url}/api/contacts", stream=True)
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert compressed.raw.read(decode_content=False) == GZIPPED, "the bytes as the upstream sent them"
    # The check read through the gzip: the body is fine, the rate-limit headers are missing.
    assert {p for line, _, p in proxy.findings if line == "GET /api/contacts"} == {
        f"header X-RateLimit-{name} is missing" for name in ("Limit", "Remaining", "Refill")
    }


def test_an_unreachable_upstream_is_a_502(start_proxy: Start, tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proxy = start_proxy("systeme", f"http://127.0.0.1:{port}", record=tmp_path)
    for _ in range(2):  # and the proxy keeps serving
        answer = http().get(f"{proxy.url}/api/contacts", params={"limit": 5000})
        assert answer.status_code == 502
        assert answer.json()["error"].startswith("upstream unreachable: ")
    assert "proxy: GET /api/contacts -> 502: upstream unreachable: " in proxy.output.getvalue()
    assert proxy.findings[0] == ("GET /api/contacts", "request", "query parameter limit: 5000 is greater than the maximum of 100")
    assert list(tmp_path.iterdir()) == [], "nothing the upstream said, nothing recorded"


def test_a_slow_or_broken_upstream_is_a_504_or_502(echo: Echo, start_proxy: Start) -> None:
    proxy = start_proxy("systeme", echo.url, timeout=0.3)
    slow = http().get(f"{proxy.url}/api/slow")
    assert slow.status_code == 504 and slow.json()["error"].startswith("upstream timed out: ")
    cut = http().get(f"{proxy.url}/api/cut")
    assert cut.status_code == 502 and cut.json()["error"].startswith("upstream unreachable: ")
    assert "internal error" not in proxy.output.getvalue()


def test_parallel_clients_are_recorded_each_in_one_whole_file(mockserver: Emulator, start_proxy: Start, tmp_path: Path) -> None:
    account = mockserver.account("systeme", demo=True)
    key = account.api_key
    proxy = start_proxy("systeme", f"{mockserver.url}/systeme", record=tmp_path)
    client = proxy.client(**{"X-API-Key": key})
    ids = [item["id"] for item in client.get("/api/contacts", params={"limit": 50}).json()["items"]]

    def call(n: int) -> tuple[int, Any]:
        if n % 4 == 0:
            response = client.post("/api/contacts", json={"email": f"parallel-{n}@gmail.com"}, headers={"X-Call": str(n)})
        else:
            response = client.get(f"/api/contacts/{ids[n % len(ids)]}", headers={"X-Call": str(n)})
        return response.status_code, response.json()

    with ThreadPoolExecutor(16) as pool:
        answers = dict(enumerate(pool.map(call, range(80))))
    files = sorted(tmp_path.iterdir())
    assert len(files) == 81 and not any(p.name.startswith(".") for p in files)
    assert sorted(int(p.name.split("-")[0]) for p in files) == list(range(1, 82))
    by_call = {}
    for path in files[1:]:
        document = json.loads(path.read_text())
        by_call[int(document["request"]["headers"]["X-Call"])] = (document["response"]["status"], document["response"]["body"])
    assert by_call == answers
    assert len(load_fixtures(tmp_path)) == 81
    assert proxy.findings == []


def test_no_spec_work_happens_per_request(echo: Echo, start_proxy: Start, monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = start_proxy("yulsn", echo.url)

    def forbidden(*_: Any, **__: Any) -> Any:
        raise AssertionError("spec work during a request")

    monkeypatch.setattr(spec_module.oas31_schema_validators_factory, "create", forbidden)
    monkeypatch.setattr(spec_module, "read_yaml", forbidden)
    monkeypatch.setattr(spec_module, "load_spec", forbidden)
    assert http().request("SEARCH", f"{proxy.url}/api/v1/TABLE/Products", json={"Fields": 5}).status_code == 200
    assert ("SEARCH /api/v1/TABLE/Products", "request", "body Fields: 5 is not of type 'array'") in proxy.findings
    assert "internal error" not in proxy.output.getvalue()
