"""Which operation of the spec a request is, and what in the exchange breaks the spec.

Everything the checks need is built once, when the Checker is made: the compiled spec (the
engine's validators), a werkzeug Map of the operations' paths routed exactly as the
emulator routes them, and the case folding of ASP.NET-style providers. Checking an exchange
then costs a route match and the schema checks themselves.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.datastructures import Headers, MultiDict
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, Rule

from mockserver.engine.errors import ApiError, BadRequest, UnsupportedMediaType, Violation
from mockserver.engine.lenient import LenientPaths
from mockserver.engine.provider import Provider
from mockserver.engine.routing import AsciiIntegerConverter
from mockserver.engine.spec import ApiSpec, Operation, ResponseSpec, flask_rule, load_spec
from mockserver.engine.validation import check_response, read_body, read_parameters
from mockserver.providers import provider_named
from mockserver.providers.base import spec_path
from mockserver.proxy.exchange import Request, Response, is_json, media_type


class Checker:
    """The spec checks of one provider."""

    def __init__(self, provider: Provider, spec: ApiSpec) -> None:
        self.provider = provider
        self.spec = spec
        self._operations = {op.operation_id: op for op in spec.operations}
        # The emulator's own routing: typed integer segments unless the provider routes any
        # value (Systeme), and methods OpenAPI cannot name (Yulsn's SEARCH) like the others.
        rules = [
            Rule(flask_rule(op, typed=provider.typed_routes), endpoint=op.operation_id, methods=[op.method])
            for op in spec.operations
        ]
        self._routes = Map(rules, converters={"int": AsciiIntegerConverter}).bind("upstream")
        # ASP.NET-style providers: the engine's middleware spells paths and query names the
        # spec's way; here it only rewrites a scratch environ (the request goes out as sent).
        self._lenient = LenientPaths(_unchanged, [""], spec) if provider.case_insensitive else None

    @classmethod
    def for_provider(cls, name: str) -> Checker:
        return cls(provider_named(name), load_spec(spec_path(name)))

    def check_request(self, request: Request) -> tuple[Operation | None, list[str]]:
        """The operation the request is (None when the spec has none) and what in the
        request breaks the spec."""
        path, query = self._canonical(request.path, request.query)
        try:
            endpoint, path_values = self._routes.match(path, request.method)
        except MethodNotAllowed as exc:
            allowed = ", ".join(sorted(m for m in exc.valid_methods or [] if m != "HEAD"))
            return None, [f"no operation in the spec for {request.method} {path} (the spec has {allowed} there)"]
        except HTTPException:  # no route, or a redirect werkzeug would make (e.g. for `//`)
            return None, [f"no operation in the spec for {request.method} {path}"]
        op = self._operations[str(endpoint)]
        problems: list[str] = []
        try:
            read_parameters(op, path_values, MultiDict(parse_qsl(query, keep_blank_values=True)), Headers(list(request.headers)))
        except ApiError as err:  # ValidationFailed, or NotFound for a path value that does not fit its schema
            problems += [_parameter_problem(op, v) for v in err.violations] or [f"parameters: {err.message}"]
        try:
            read_body(op, request.header("Content-Type"), request.body, fold_keys=self.provider.case_insensitive)
        except UnsupportedMediaType as err:
            expected = sorted(err.supported)
            if err.received:
                problems.append(f"content type {err.received!r} is not one of {expected}")
            elif request.body:
                problems.append(f"a body was sent without a content type (the spec takes {expected})")
            else:
                problems.append(f"the body is missing (the spec requires one of {expected})")
        except BadRequest:
            problems.append("body is not valid JSON")
        except ApiError as err:
            problems += [f"body {v.path or '(root)'}: {v.message}" for v in err.violations] or [f"body: {err.message}"]
        return op, problems

    def check_response(self, op: Operation | None, method: str, response: Response) -> list[str]:
        """What in the upstream's answer breaks the operation's documented responses."""
        if op is None or method == "HEAD":  # no operation to hold it to; a HEAD answer has no body
            return []
        spec = op.response_for(response.status)
        if spec is None:
            return [f"status {response.status} is not documented for {op.operation_id}"]
        headers = dict(response.headers)
        media = media_type(response.header("Content-Type"))
        data = response.decoded_body()
        headers_only = ResponseSpec({}, spec.headers)
        if data is None:  # a content coding we cannot undo: the headers are all we can check
            return check_response(headers_only, None, None, headers)
        if not data:
            problems = check_response(headers_only, None, None, headers)
            if spec.media:
                problems.append(f"body is empty where the spec documents {sorted(spec.media)}")
            elif media:
                # Servers drop the body of a 204 on the wire; its Content-Type is what shows it.
                problems.append(f"Content-Type {media!r} announces a body where the spec documents none")
            return problems
        body: Any
        if is_json(media):
            try:
                body = json.loads(data)
            except ValueError:
                return [f"body is not valid JSON ({media})", *check_response(headers_only, None, None, headers)]
        else:
            body = data.decode("utf-8", "replace")
        return check_response(spec, media, body, headers)

    def _canonical(self, path: str, query: str) -> tuple[str, str]:
        if self._lenient is None:
            return path, query
        scratch: dict[str, Any] = {"PATH_INFO": path, "QUERY_STRING": query}
        self._lenient(scratch, None)
        return str(scratch["PATH_INFO"]) or "/", str(scratch["QUERY_STRING"])


def _parameter_problem(op: Operation, violation: Violation) -> str:
    """`query parameter limit: 5000 is greater than the maximum of 100`."""
    where = next(
        (
            p.location
            for p in op.parameters
            if violation.path == p.name or violation.path.startswith((p.name + ".", p.name + "["))
        ),
        "a",
    )
    return f"{where} parameter {violation.path}: {violation.message}"


def _unchanged(_environ: dict[str, Any], _start_response: Any) -> list[bytes]:
    return []
