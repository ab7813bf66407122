"""Requests to case-insensitive providers (ASP.NET servers ignore the case of paths and
query names, and a trailing slash) are rewritten to the spec's spelling before routing."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, unquote

from mockserver.engine.spec import ApiSpec

WsgiApp = Any


class LenientPaths:
    """WSGI middleware: under the given prefixes, path segments and query names the spec
    spells (`Contacts`, `contactId`) are spelled its way, and a trailing slash goes. At the
    root prefix ("", a native provider's) only paths whose first segment is one of the spec's
    (`/api/...`) are respelled: other providers' paths and the admin API pass as they came."""

    def __init__(self, app: WsgiApp, prefixes: Iterable[str], spec: ApiSpec) -> None:
        self.app = app
        self.prefixes = sorted(prefixes, key=len, reverse=True)  # "/yulsn" before "" (the root)
        self.segments: dict[str, str] = {}
        # The first segments of the spec's paths, lowercased: what the root prefix covers.
        self.roots = {op.path.split("/")[1].lower() for op in spec.operations}
        # Query names are spelled per path: two operations may spell one name differently.
        self.names: list[tuple[re.Pattern[str], dict[str, str]]] = []
        by_path: dict[str, dict[str, str]] = {}
        for op in spec.operations:
            for segment in op.path.split("/"):
                if segment and not segment.startswith("{"):
                    self.segments.setdefault(segment.lower(), segment)
            names = by_path.setdefault(op.path, {})
            for param in op.parameters:
                if param.location == "query":
                    names.setdefault(param.name.lower(), param.name)
        # Static paths first: `/Points/TotalForContact` before `/Points/{id}`, as routing does.
        for template, names in sorted(by_path.items(), key=lambda item: (item[0].count("{"), -len(item[0]))):
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
            self.names.append((re.compile(pattern + r"\Z"), names))

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        for prefix in self.prefixes:
            if prefix and not path.lower().startswith(prefix + "/"):
                continue
            if not prefix and path[1:].partition("/")[0].lower() not in self.roots:
                break
            rest = path[len(prefix) :].rstrip("/")
            canonical = "/".join(self.segments.get(part.lower(), part) for part in rest.split("/"))
            environ["PATH_INFO"] = prefix + canonical
            names = next((n for pattern, n in self.names if pattern.match(canonical)), {})
            environ["QUERY_STRING"] = self._query(environ.get("QUERY_STRING", ""), names)
            break
        return self.app(environ, start_response)

    @staticmethod
    def _query(query: str, names: dict[str, str]) -> str:
        pairs = []
        for pair in query.split("&"):
            raw_name, equals, value = pair.partition("=")
            name = unquote(raw_name)
            base, bracket, tail = name.partition("[")
            known = names.get(base.lower())
            if known is not None:
                raw_name = quote(known + bracket + tail, safe="[]")
            pairs.append(raw_name + equals + value)
        return "&".join(pairs)
