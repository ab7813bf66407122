"""API requests straight from WSGI to the emulator, past Flask's request machinery.

Every API request matches a rule of the Flask app's own url_map; a match on a provider's
operation is answered here: a werkzeug Request, `Emulator.handle`, a header list, done.
That skips what Flask adds around a view (contexts, signals, sessions, hooks, a Response
object), about a third of a simple request's time (bench/). Anything else (no match, a
wrong method, a redirect for a slash, the admin API, a provider's pages) goes on to Flask
unchanged, so its answers stay exactly as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.routing import Map
from werkzeug.wrappers import Request

from mockserver.engine.faults import FAULT_KEY, FaultedBody
from mockserver.engine.provider import Provider
from mockserver.engine.runtime import Answer, Emulator
from mockserver.engine.spec import Operation

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
DROPPED: Answer = (500, {}, None, b"")


def request_class(max_body: int) -> type[Request]:
    class ApiRequest(Request):
        max_content_length = max_body  # as Flask's MAX_CONTENT_LENGTH: larger bodies are a 413

    return ApiRequest


class FastLane:
    def __init__(
        self,
        flask_app: WsgiApp,
        url_map: Map,
        operations: Mapping[str, tuple[Provider, Operation]],
        emulator: Emulator,
        max_body: int,
    ) -> None:
        self._flask = flask_app
        # Bound once: matching takes the path and method of each request explicitly.
        self._urls = url_map.bind("localhost")
        self._operations = operations
        self._emulator = emulator
        self._request = request_class(max_body)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
        try:
            endpoint, values = self._urls.match(path, method)
        except HTTPException:  # no such route, a wrong method, a slash redirect: Flask's answer
            return self._flask(environ, start_response)
        target = self._operations.get(endpoint)
        if target is None:  # the admin API, a provider's page
            return self._flask(environ, start_response)
        provider, op = target
        answer = self._emulator.handle(provider, op, values, self._request(environ))
        fault = environ.get(FAULT_KEY)
        if fault is not None:  # a fault rule hit: wait, or cut the connection, before answering
            # A cut connection answers nothing; the server still wants a status line to not send.
            start_response(*status_and_headers(DROPPED if fault.drops else answer))
            return FaultedBody(b"" if method == "HEAD" else answer[3], fault.delay, fault.drops, environ)
        start_response(*status_and_headers(answer))
        return [] if method == "HEAD" else [answer[3]]


def status_and_headers(answer: Answer) -> tuple[str, list[tuple[str, str]]]:
    """The WSGI status line and header list of an answer, as werkzeug's Response makes them."""
    status, headers, content_type, payload = answer
    pairs = list(headers.items())
    if content_type is not None:
        pairs.append(("Content-Type", content_type))
    if status not in (204, 304):
        pairs.append(("Content-Length", str(len(payload))))
    return f"{status} {HTTP_STATUS_CODES.get(status, 'UNKNOWN')}", pairs
