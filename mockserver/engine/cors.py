"""`serve --cors ORIGIN`: the emulated APIs answer browser apps of those origins (the
vendors' APIs do not, so it is off by default). Installed only when asked for: without it
the request path has nothing more to do. The admin API never gets CORS headers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# Response headers a browser shows a page without being told (CORS-safelisted).
SAFELISTED = frozenset(
    {"cache-control", "content-language", "content-length", "content-type", "expires", "last-modified", "pragma"}
)
METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, SEARCH"


class Cors:
    def __init__(self, app: WsgiApp, origins: Iterable[str]) -> None:
        self._app = app
        self._origins = {origin.rstrip("/") for origin in origins}
        self._any = "*" in self._origins

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        origin = environ.get("HTTP_ORIGIN")
        if origin is None or not (self._any or origin in self._origins) or environ.get("PATH_INFO", "").startswith("/__"):
            return self._app(environ, start_response)
        allowed = [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        if environ.get("REQUEST_METHOD") == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ:
            # A preflight: answered here, before the vendor's own OPTIONS refusal.
            asked = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")
            start_response(
                "204 No Content",
                [
                    *allowed,
                    ("Access-Control-Allow-Methods", METHODS),
                    ("Access-Control-Allow-Headers", asked),
                    ("Access-Control-Max-Age", "600"),
                ],
            )
            return []

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            exposed = sorted({name for name, _ in headers if name.lower() not in SAFELISTED})
            extra = [("Access-Control-Expose-Headers", ", ".join(exposed))] if exposed else []
            return start_response(status, [*headers, *allowed, *extra], exc_info)

        return self._app(environ, start)
