"""Serve the WSGI app with waitress: one process, many threads, one shared state."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, ParsingError
from waitress.server import create_server

from mockserver.app import emulator_of
from mockserver.connections import connection_limit


class _OneFramingParser(HTTPRequestParser):  # type: ignore[misc]
    """Refuses a request framed both by Content-Length and by Transfer-Encoding (400, and the
    connection closed with whatever followed): waitress would read it as chunked and serve
    the bytes after the chunks as a request of their own, one a proxy framing it by its
    Content-Length never saw (request smuggling)."""

    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)  # pops Transfer-Encoding of HTTP/1.1 (self.chunked)
        headers = self.headers
        if "CONTENT_LENGTH" in headers and (self.chunked or "TRANSFER_ENCODING" in headers):
            raise ParsingError("Content-Length and Transfer-Encoding both")  # waitress answers 400


class _Channel(HTTPChannel):  # type: ignore[misc]
    parser_class = _OneFramingParser


class Server:
    """A running emulator on a real socket (port 0 picks a free one)."""

    def __init__(
        self,
        app: Flask,
        host: str = "127.0.0.1",
        port: int = 8080,
        threads: int = 8,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.app = app
        # Runs once the last request has finished (default: stop the webhook dispatcher).
        self._on_close = on_close
        self._server: Any = create_server(
            app,
            host=host,
            port=port,
            threads=threads,
            ident="mockserver",
            # Idle connections count: a thousand of them must not shut others out (connections.py).
            connection_limit=connection_limit(),
            channel_timeout=120,  # then an idle connection (nothing sent, half a head or body) is closed
        )
        self._server.channel_class = _Channel
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def host(self) -> str:
        return str(self._server.effective_host)

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def serve_forever(self) -> None:
        """Serve in this thread until stop() is called or Ctrl-C arrives."""
        try:
            self._loop()
        finally:
            self._close()

    def start(self) -> Server:
        """Serve in a background thread (tests)."""
        self._thread = threading.Thread(target=self.serve_forever, name="mockserver-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the serving thread to finish, and wait for it."""
        self._stopping.set()
        with contextlib.suppress(OSError):  # the loop may have closed its trigger already
            self._server.pull_trigger()  # wakes the event loop at once
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(10)
            self._thread = None

    def _loop(self) -> None:
        from waitress import wasyncore

        while not self._stopping.is_set():
            # poll(), not select(), which fails (and stopped the server) on a file number over 1023.
            wasyncore.loop(timeout=1.0, map=self._server._map, count=1, use_poll=True)

    def _close(self) -> None:
        """Runs on the serving thread, so no socket is closed under a running poll()."""
        from waitress import wasyncore

        if "mockserver" in getattr(self.app, "extensions", {}):
            # An open event stream (`mockserver tail`, the dashboard) ends now, not at its next
            # keep-alive: the request threads it holds are waited for just below.
            emulator_of(self.app).feed.close()
        self._server.task_dispatcher.shutdown(timeout=5)
        for channel in list(self._server._map.values()):
            if isinstance(channel, HTTPChannel):
                _close_channel(channel)
        wasyncore.close_all(self._server._map)  # the listening socket and the trigger
        if self._on_close is not None:
            self._on_close()
        elif "mockserver" in getattr(self.app, "extensions", {}):  # only an emulator has a webhook dispatcher
            emulator_of(self.app).dispatcher.stop()


def _close_channel(channel: Any) -> None:
    """Close a connection with the buffers waitress keeps for it: an answer longer than a
    megabyte not yet sent, a request body over half a megabyte, wait in temporary files, which
    wasyncore.close_all leaves open (it closes the socket alone)."""
    with channel.requests_lock:
        requests = [*channel.requests, *([channel.request] if channel.request is not None else [])]
        channel.requests, channel.request = [], None
    for request in requests:
        request.close()  # its body
    channel.handle_close()  # the answers not yet sent, then the socket
