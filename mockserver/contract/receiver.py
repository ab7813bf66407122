"""A small HTTP server that takes webhook deliveries during a contract run: it answers every
POST with 200 at once (so the provider never retries) and keeps what arrived."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes
    payload: Any = field(compare=False)  # the body as JSON, None when it is not JSON


class Receiver:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.deliveries: list[Delivery] = []
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self._body()
                receiver._add(Delivery(self.path, dict(self.headers.items()), body, _json(body)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _body(self) -> bytes:
                if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                    chunks = []
                    while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                    self.rfile.readline()
                    return b"".join(chunks)
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def log_message(self, *_: Any) -> None:
                pass  # a contract run reports deliveries itself

        class Server(ThreadingHTTPServer):
            address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
            daemon_threads = True

        self._server = Server((host, port), Handler)
        self.host = host
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> Receiver:
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        """The listener's own URL (a wildcard address is reached through loopback)."""
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}"

    def wait_for(self, matches: Callable[[Delivery], bool], deadline: float, taken: set[int]) -> Delivery | None:
        """The first delivery not yet taken that matches, waiting until `deadline` (monotonic);
        it is marked taken, so two expected deliveries never count the same one."""
        with self._changed:
            while True:
                for index, delivery in enumerate(self.deliveries):
                    if index not in taken and matches(delivery):
                        taken.add(index)
                        return delivery
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._changed.wait(remaining)

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    def _add(self, delivery: Delivery) -> None:
        with self._changed:
            self.deliveries.append(delivery)
            self._changed.notify_all()


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None
