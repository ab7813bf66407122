"""Flask routes generated from each provider's spec, at `/<provider>/...` and optionally
at the root; unknown paths and methods answered in the provider's native error body."""

from __future__ import annotations

import logging
from html import escape
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import MethodNotAllowed as WerkzeugMethodNotAllowed
from werkzeug.routing import IntegerConverter

from mockserver.engine.errors import ApiError, MethodNotAllowed, NoRoute
from mockserver.engine.faults import FAULT_KEY, FaultedBody
from mockserver.engine.provider import Page, PageContext, Provider
from mockserver.engine.runtime import SHARED_DOWN, Emulator, encode
from mockserver.engine.spec import Operation, flask_rule

log = logging.getLogger("mockserver")


class AsciiIntegerConverter(IntegerConverter):
    """`<int:id>` for ASCII digits only (werkzeug's takes any Unicode digit, Arabic-Indic ones
    included), and at most 4,300 of them (int() refuses longer text): a longer id names no route."""

    regex = r"[0-9]{1,4300}"


def operations_by_endpoint(emulator: Emulator) -> dict[str, tuple[Provider, Operation]]:
    """Each API rule's endpoint name (as `mount` names them) -> its provider and operation."""
    found = {}
    for provider in emulator.providers.values():
        prefixes = ["gateway"] + (["native"] if emulator.settings.native == provider.name else [])
        for op in emulator.specs[provider.name].operations:
            for prefix in prefixes:
                found[_endpoint(provider, op, prefix)] = (provider, op)
    return found


def _endpoint(provider: Provider, op: Operation, prefix: str) -> str:
    return f"{provider.name}:{op.operation_id}:{prefix}"


def mount(app: Flask, emulator: Emulator) -> None:
    app.url_map.converters["int"] = AsciiIntegerConverter
    _mount_operations(app, emulator)
    if emulator.settings.native is None:  # else the root is that provider's

        @app.get("/")
        def root() -> Response:
            return _directory(emulator, 200)

    _mount_error_answers(app, emulator)


def _mount_operations(app: Flask, emulator: Emulator) -> None:
    """Each operation of each provider under /{provider}, and at the root for the native one;
    then the providers' pages."""
    for provider in emulator.providers.values():
        prefixes = [f"/{provider.name}"]
        if emulator.settings.native == provider.name:
            prefixes.append("")
        for op in emulator.specs[provider.name].operations:
            view = _view(emulator, provider, op)
            for prefix in prefixes:
                app.add_url_rule(
                    prefix + flask_rule(op, typed=provider.typed_routes),
                    endpoint=_endpoint(provider, op, "native" if prefix == "" else "gateway"),
                    view_func=view,
                    methods=[op.method],
                    provide_automatic_options=False,
                )

    for provider in emulator.providers.values():
        for (method, path), page in provider.pages.items():
            app.add_url_rule(
                f"/{provider.name}/{path}",
                endpoint=f"{provider.name}:page:{path}",
                view_func=_page_view(emulator, provider, page),
                methods=[method],
            )


def _mount_error_answers(app: Flask, emulator: Emulator) -> None:
    def shared_down(exc: Exception) -> Any:
        """Shared state unreachable in the admin API or a provider's page (API requests get
        their provider's own 503 in Emulator.handle)."""
        log.warning("%s %s: shared state unavailable: %s", request.method, request.path, exc)
        return jsonify(error=f"shared state unavailable: {exc}"), 503

    for kind in SHARED_DOWN:
        app.register_error_handler(kind, shared_down)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        """Whatever the HTTP layer refuses (no route, wrong method, body too large...) is
        answered in the provider's native body, or as plain JSON outside the providers."""
        status = exc.code or 500
        headers = {}
        if isinstance(exc, WerkzeugMethodNotAllowed):
            headers["Allow"] = ", ".join(sorted(exc.valid_methods or []))
        provider = provider_for_path(emulator, request.path)
        if provider is None and status == 404 and not request.path.startswith("/__admin"):
            return _directory(emulator, 404)
        if provider is None:
            return jsonify(error=exc.description or exc.name), status, headers
        if status == 404:
            err: ApiError = NoRoute(f'No route found for "{request.method} {request.path}"')
        elif status == 405:
            err = MethodNotAllowed(
                f'No route found for "{request.method} {request.path}": Method Not Allowed (Allow: {headers["Allow"]})',
                headers=headers,
            )
        else:
            err = ApiError(exc.description or exc.name, status=status)
        return _native(emulator, provider, err)


def _directory(emulator: Emulator, status: int) -> Response:
    """What is served here: each provider's base URL (the answer to `/` and to a path
    under no provider), as a page for a browser and as JSON for anything else."""
    root = request.host_url.rstrip("/")
    providers = {name: {"title": p.title, "baseUrl": f"{root}/{name}"} for name, p in emulator.providers.items()}
    body = {
        "mockserver": "emulated APIs: put a provider's path after its base URL",
        "providers": providers,
        "admin": f"{root}/__admin/",
        "adminOpenApi": f"{root}/__admin/openapi.json",
    }
    if status == 404:
        body["error"] = f'nothing is served at "{request.path}"'
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) != "text/html":
        return Response(encode(body), status=status, content_type="application/json")
    rows = "".join(
        f"<tr><td>{escape(p['title'])}</td><td><code>{escape(p['baseUrl'])}</code></td></tr>" for p in providers.values()
    )
    note = f"<p>Nothing is served at <code>{escape(request.path)}</code>.</p>" if status == 404 else ""
    page = (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>mockserver</title></head><body>"
        f"<h1>mockserver</h1>{note}<p>Put a provider's own path after its base URL.</p>"
        f"<table><tr><th>provider</th><th>base URL</th></tr>{rows}</table>"
        f"<p>Admin API: <code>{escape(root)}/__admin/</code> "
        f"(<a href='/__admin/openapi.json'>OpenAPI document</a>)</p></body></html>"
    )
    return Response(page, status=status, content_type="text/html; charset=utf-8")


def provider_for_path(emulator: Emulator, path: str) -> Provider | None:
    if path.startswith("/__admin"):
        return None
    first = path.strip("/").split("/", 1)[0]
    if first in emulator.providers:
        return emulator.providers[first]
    if emulator.settings.native is not None:
        return emulator.providers[emulator.settings.native]
    return None


def _view(emulator: Emulator, provider: Provider, op: Operation) -> Any:
    """The operation as a Flask view (the fast lane answers first; this serves any app that
    is used without it)."""

    def view(**path_values: str) -> Response:
        status, headers, content_type, payload = emulator.handle(provider, op, path_values, request._get_current_object())  # type: ignore[attr-defined]
        fault = request.environ.get(FAULT_KEY)
        if fault is not None:  # a fault rule hit: wait, or cut the connection, before answering
            body: Any = FaultedBody(payload, fault.delay, fault.drops, request.environ)
            response = Response(body, status=status or 500, headers=headers, content_type=content_type, direct_passthrough=True)
        else:
            response = Response(payload, status=status, headers=headers, content_type=content_type)
        if content_type is None:
            del response.headers["Content-Type"]  # an empty body has no media type
        return response

    view.__name__ = op.operation_id
    return view


def _page_view(emulator: Emulator, provider: Provider, page: Page) -> Any:
    def view(**_: Any) -> Response:  # a page reads its own path values from the request
        context = PageContext(request, emulator.services, lambda: emulator.store.tenants(provider.name))
        reply = page(context)
        body = reply.body if isinstance(reply.body, bytes) else encode(reply.body)
        return Response(body, status=reply.status, headers=reply.headers)

    view.__name__ = f"{provider.name}_page"
    return view


def _native(emulator: Emulator, provider: Provider, err: ApiError) -> Response:
    status, payload, content_type, headers = emulator.render(provider, err)
    key = provider.credentials(request)
    if key:  # the request still counts against the caller's quota, as it does upstream
        headers.update(provider.quota_headers(emulator.limiter.take(provider.name, key)))
    return Response(payload, status=status, headers=headers, content_type=content_type)
