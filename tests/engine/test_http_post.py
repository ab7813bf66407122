"""One webhook POST (engine/http_post.py): kept-alive connections reused, a connection the
receiver dropped replaced without failing the POST, errors named as requests names them,
credentials in the URL sent, the answer read and cut."""

from __future__ import annotations

import base64
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from mockserver.engine.http_post import ANSWER_KEPT, Connections


class Receiver(ThreadingHTTPServer):
    """Answers each POST with `answer` (after `delay` seconds), counts its connections, and
    closes each connection after one answer when `drop_after_answer` (without saying so)."""

    daemon_threads = True

    def __init__(self) -> None:
        self.connections = 0
        self.bodies: list[bytes] = []
        self.headers_seen: list[dict[str, str]] = []
        self.answer = b"ok"
        self.delay = 0.0
        self.drop_after_answer = False
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.lock:
            self.connections += 1
        super().process_request(request, client_address)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook?x=1"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up mid-answer (the long answer) is expected here


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.bodies.append(body)
            self.server.headers_seen.append(dict(self.headers.items()))
        if self.server.delay:
            threading.Event().wait(self.server.delay)
        self.send_response(202)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(self.server.answer)))
        self.end_headers()
        self.wfile.write(self.server.answer)
        if self.server.drop_after_answer:
            self.close_connection = True

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def connections() -> Iterator[Connections]:
    made = Connections()
    yield made
    made.close()


def test_posts_go_over_one_kept_connection(receiver: Receiver, connections: Connections) -> None:
    for number in range(3):
        sent = connections.post(receiver.url, b'{"n":%d}' % number, {"Content-Type": "application/json", "X-Id": "7"}, 5)
        assert sent == (202, "ok", None)
    assert receiver.bodies == [b'{"n":0}', b'{"n":1}', b'{"n":2}']
    assert receiver.headers_seen[0]["X-Id"] == "7" and receiver.headers_seen[0]["Content-Type"] == "application/json"
    assert receiver.connections == 1


def test_a_connection_the_receiver_dropped_is_replaced_without_failing(receiver: Receiver, connections: Connections) -> None:
    receiver.drop_after_answer = True
    assert [connections.post(receiver.url, b"{}", {}, 5)[0] for _ in range(3)] == [202, 202, 202]
    assert receiver.connections == 3 and len(receiver.bodies) == 3  # each POST once


def test_a_refused_connection_is_a_connection_error_without_a_status(connections: Connections) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    status, text, error = connections.post(f"http://127.0.0.1:{port}/x", b"{}", {}, 5)
    assert (status, text) == (None, "")
    assert error is not None and error.startswith("ConnectionError: cannot connect to 127.0.0.1:")


def test_a_receiver_slower_than_the_timeout_is_a_read_timeout(receiver: Receiver, connections: Connections) -> None:
    receiver.delay = 1.0
    status, _, error = connections.post(receiver.url, b"{}", {}, 0.2)
    assert status is None and error is not None and error.startswith("ReadTimeout: no answer from 127.0.0.1")


@pytest.mark.parametrize("url", ["ftp://example.com/x", "http:///nohost", "http://127.0.0.1:99999/x"])
def test_an_address_that_is_not_http_is_refused_without_a_connection(connections: Connections, url: str) -> None:
    status, _, error = connections.post(url, b"{}", {}, 1)
    assert status is None and error is not None and error.startswith("InvalidURL: ")


def test_credentials_in_the_address_are_sent_as_basic_authorization(receiver: Receiver, connections: Connections) -> None:
    url = receiver.url.replace("http://", "http://hook%40user:s%3Acret@")
    assert connections.post(url, b"{}", {}, 5)[0] == 202
    sent = receiver.headers_seen[0]["Authorization"]
    assert sent == "Basic " + base64.b64encode(b"hook@user:s:cret").decode()


def test_the_answer_is_kept_cut_and_a_long_one_closes_the_connection(receiver: Receiver, connections: Connections) -> None:
    receiver.answer = b"y" * (200 * 1024)
    status, text, error = connections.post(receiver.url, b"{}", {}, 5)
    assert (status, error) == (202, None) and text == "y" * ANSWER_KEPT
    receiver.answer = b"short"
    assert connections.post(receiver.url, b"{}", {}, 5)[:2] == (202, "short")
    assert receiver.connections == 2  # the long answer was not read to its end: its connection went


def test_close_closes_every_threads_kept_connections(receiver: Receiver) -> None:
    made = Connections()
    done = threading.Event()

    def post_from_another_thread() -> None:
        made.post(receiver.url, b"{}", {}, 5)
        done.set()

    threading.Thread(target=post_from_another_thread).start()
    assert done.wait(5)
    made.post(receiver.url, b"{}", {}, 5)
    assert receiver.connections == 2
    made.close()
    made.post(receiver.url, b"{}", {}, 5)  # this thread's pool was emptied: a new connection
    assert receiver.connections == 3
    made.close()
