"""The WSGI app served through granian's RSGI interface: every request runs on the one
event-loop thread, one at a time; a response whose body waits (a webhook wait, the admin
event stream: `waits = True` on the body) is iterated on a thread of its own, so while it
waits the loop serves everyone else.

Why not granian's WSGI interface: with one thread a wait holds up every request, and with
more threads the interpreter lock makes the slowest answers hundreds of times slower (wrk,
p99 of 0.4 s to 1.2 s against 4 ms). RSGI costs a little per request (an event-loop trip
each way, one more when the body is read, hence bodiless requests are not read); the fast
lane (engine/fastlane.py) more than pays for it.

With the state in Redis (`threads`), a request spends most of its time waiting on Redis,
during which the loop would serve nobody: requests then run on a pool of threads, so one
thread's wait is another's turn (bench/run --backends).
"""

from __future__ import annotations

import asyncio
import io
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from mockserver.engine.faults import FaultedBody, drop_connection
from mockserver.engine.journal import HEADERS_KEY

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


UNREADABLE_BODY = b'{"error":"the request body cannot be read (framed by both Content-Length and Transfer-Encoding?)"}'


class RsgiApp:
    def __init__(
        self,
        app: WsgiApp,
        max_body: int,
        larger: dict[str, int] | None = None,
        on_stop: Callable[[], None] | None = None,
        threads: int = 0,
    ) -> None:
        self._app = app
        self._max_body = max_body
        self._larger = larger or {}  # paths that take bodies over max_body (a snapshot)
        self._on_stop = on_stop
        # None: every request on the loop's thread, one at a time.
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="mockserver-request") if threads else None

    def __rsgi_del__(self, loop: Any) -> None:
        """granian calls this in the worker once it has stopped serving."""
        if self._on_stop is not None:
            self._on_stop()

    async def __rsgi__(self, scope: Any, proto: Any) -> None:
        headers = scope.headers
        length = headers.get("content-length")
        # A body over the limit is not read: the app answers 413 from its Content-Length.
        limit = self._larger.get(scope.path, self._max_body)
        too_big = length is not None and length.isdigit() and int(length) > limit
        # A request without a body is not read: each await is a trip through the event loop.
        bodiless = length in (None, "0") and "transfer-encoding" not in headers
        try:
            body = b"" if too_big or bodiless else await proto()
        except Exception:  # granian's RSGIProtocolClosed: a body HTTP/1 could not frame
            # E.g. Content-Length and Transfer-Encoding both (hyper drops the first, then stops
            # reading): refused, and the connection closed, as waitress does.
            proto.response_bytes(400, [("content-type", "application/json"), ("connection", "close")], UNREADABLE_BODY)
            return
        environ = self._environ(scope, body)
        if self._pool is None:
            started, result, data = self._answer(environ)
        else:
            environ["wsgi.multithread"] = True
            started, result, data = await asyncio.get_running_loop().run_in_executor(self._pool, self._answer, environ)
        if isinstance(result, FaultedBody):  # a fault rule hit: wait on the loop, then answer or cut
            await asyncio.sleep(result.delay)
            if result.drop:
                drop_connection(environ)
                proto.response_empty(500, [])  # not sent: the connection is gone
                return
            data = result.payload
        elif data is None:
            await self._stream(proto, started, result)
            return
        proto.response_bytes(started[0], started[1], data)

    def _answer(self, environ: dict[str, Any]) -> tuple[list[Any], Any, bytes | None]:
        """Run the app: (status and headers, its result, the whole body; None for a body
        that waits, to be streamed)."""
        started: list[Any] = []

        def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            started[:] = [int(status[:3]), response_headers]

        result = self._app(environ, start_response)
        if getattr(result, "waits", False) or isinstance(result, FaultedBody):
            return started, result, None
        try:
            return started, result, b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()

    async def _stream(self, proto: Any, started: list[Any], result: Any) -> None:
        """Send each chunk as the body makes it, making them on another thread."""
        transport = proto.response_stream(started[0], started[1])
        chunks = iter(result)
        try:
            while True:
                chunk = await _off_the_loop(lambda: next(chunks, None))
                if chunk is None:
                    return
                await transport.send_bytes(chunk)
        except Exception:  # the client went away (granian's ProtocolClosed) or the body failed
            return
        finally:
            result.close()

    @staticmethod
    def _environ(scope: Any, body: bytes) -> dict[str, Any]:
        server_name, _, server_port = scope.server.rpartition(":")
        client, _, client_port = scope.client.rpartition(":")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": scope.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": scope.path.encode("utf-8").decode("latin-1"),
            "QUERY_STRING": scope.query_string,
            "SERVER_NAME": server_name.strip("[]"),
            "SERVER_PORT": server_port,
            "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
            "REMOTE_ADDR": client.strip("[]"),
            "REMOTE_PORT": client_port,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scope.scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.input_terminated": True,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        pairs = scope.headers.items()
        environ[HEADERS_KEY] = pairs  # for the journal
        for name, value in pairs:
            key = name.upper().replace("-", "_")
            if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ[key] = value
            else:
                key = "HTTP_" + key
                # Repeated headers are joined, as a WSGI server joins them.
                environ[key] = f"{environ[key]},{value}" if key in environ else value
        return environ


async def _off_the_loop(work: Callable[[], Any]) -> Any:
    """Run blocking `work` on a daemon thread of its own (a stopping server does not wait
    for a long webhook wait to end) and await its result."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def run() -> None:
        try:
            outcome = work()
        except BaseException as exc:  # handed to the awaiting coroutine
            loop.call_soon_threadsafe(_settle, future, None, exc)
        else:
            loop.call_soon_threadsafe(_settle, future, outcome, None)

    threading.Thread(target=run, name="mockserver-wait", daemon=True).start()
    return await future


def _settle(future: asyncio.Future[Any], outcome: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(outcome)
