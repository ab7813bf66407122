"""Requests to case-insensitive providers (ASP.NET servers ignore the case of paths and
query names, and a trailing slash) are rewritten to the spec's spelling before routing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, unquote

from mockserver.engine.spec import ApiSpec

WsgiApp = Any


class LenientPaths:
    """WSGI middleware: under the given prefixes, path segments and query names the spec
    spells (`Contacts`, `contactId`) are spelled its way, and a trailing slash goes."""

    def __init__(self, app: WsgiApp, prefixes: Iterable[str], spec: ApiSpec) -> None:
        self.app = app
        self.prefixes = sorted(prefixes, key=len, reverse=True)  # "/yulsn" before "" (the root)
        self.segments: dict[str, str] = {}
        self.names: dict[str, str] = {}
        for op in spec.operations:
            for segment in op.path.split("/"):
                if segment and not segment.startswith("{"):
                    self.segments.setdefault(segment.lower(), segment)
            for param in op.parameters:
                if param.location == "query":
                    self.names.setdefault(param.name.lower(), param.name)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        for prefix in self.prefixes:
            if prefix and not path.lower().startswith(prefix + "/"):
                continue
            if not prefix and path.startswith("/__admin"):
                break
            rest = path[len(prefix) :].rstrip("/")
            environ["PATH_INFO"] = prefix + "/".join(self.segments.get(part.lower(), part) for part in rest.split("/"))
            environ["QUERY_STRING"] = self._query(environ.get("QUERY_STRING", ""))
            break
        return self.app(environ, start_response)

    def _query(self, query: str) -> str:
        pairs = []
        for pair in query.split("&"):
            raw_name, equals, value = pair.partition("=")
            name = unquote(raw_name)
            base, bracket, tail = name.partition("[")
            known = self.names.get(base.lower())
            if known is not None:
                raw_name = quote(known + bracket + tail, safe="[]")
            pairs.append(raw_name + equals + value)
        return "&".join(pairs)
