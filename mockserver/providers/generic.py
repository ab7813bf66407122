"""A provider made from an OpenAPI document alone: stateful CRUD over its collection and item
paths, its own error shape and credentials. What `mockserver new-provider` starts from; a
provider replaces any handler with one of its own as it learns the real API's ways.

- `GET /things` lists, `POST /things` creates; `GET|PUT|PATCH|DELETE /things/{id}` reads,
  replaces, merges and deletes one. Nested collections (`/owners/{ownerId}/pets`) keep their
  parent's ids in each row and list only the parent's.
- Ids are integers from 1 when the spec's id parameter is an integer, UUIDs otherwise.
- A list answers an array, or the spec's object with the array in its one array member (and
  `total`, `count`, `hasMore`/`has_more` when the schema has them); `limit`/`offset` or
  `page`/`per_page` page it when the spec declares them.
- Errors take the shape of the spec's error schema (the first 4xx response's): its string
  member carries the message, an integer member the status.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request

from mockserver.engine.context import Call, Reply
from mockserver.engine.errors import (
    ApiError,
    BadRequest,
    MethodNotAllowed,
    NotFound,
    RateLimited,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
)
from mockserver.engine.provider import ErrorReply, Handler, Provider, bearer_client_headers, bearer_token, key_header
from mockserver.engine.spec import Operation as CompiledOperation
from mockserver.engine.spec import load_spec
from mockserver.providers.base import ErrorStyle, Wording

_PARAMETER = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class Operation:
    """An operation as the engine compiled it, and its part of the document."""

    compiled: CompiledOperation
    document: Mapping[str, Any]

    @property
    def operation_id(self) -> str:
        return self.compiled.operation_id

    @property
    def method(self) -> str:
        return self.compiled.method

    @property
    def path(self) -> str:
        return self.compiled.path

    @property
    def collection(self) -> str:
        """The path of the collection the operation works on (`/owners/{ownerId}/pets`)."""
        return self.path.rsplit("/", 1)[0] if self.is_item else self.path

    @property
    def is_item(self) -> bool:
        return self.path.endswith("}")

    @property
    def success(self) -> int:
        return min(int(status) for status in self.compiled.responses if str(status).startswith("2"))

    @property
    def id_is_integer(self) -> bool:
        """Whether the last path parameter (the record's id) is an integer."""
        name = _PARAMETER.findall(self.path)[-1]
        return any(p.kind == "integer" for p in self.compiled.parameters if p.location == "path" and p.name == name)


class Spec:
    """An OpenAPI document as the engine reads it (load_spec), and the parts of the document a
    generic provider reads besides (local `$ref`s resolved)."""

    def __init__(self, path: Path) -> None:
        self.compiled = load_spec(path)
        self.document = self.compiled.document
        paths = self.document.get("paths", {})
        self._operations = [Operation(op, paths[op.path].get(op.method.lower(), {})) for op in self.compiled.operations]

    def resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            target: Any = self.document
            for part in str(node["$ref"]).removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    def operations(self) -> list[Operation]:
        return list(self._operations)

    def response_schema(self, op: Operation) -> dict[str, Any]:
        responses = op.document["responses"]
        response = self.resolve(responses.get(str(op.success), responses.get(op.success)))
        return dict(self.resolve(_first_schema(response)))

    def error_schema_names(self) -> list[str]:
        """The names of the component schemas the 4xx responses use."""
        names = []
        for op in self.operations():
            for status, response in op.document.get("responses", {}).items():
                ref = _first_schema(self.resolve(response)).get("$ref", "") if str(status).startswith("4") else ""
                if ref and ref.rsplit("/", 1)[-1] not in names:
                    names.append(ref.rsplit("/", 1)[-1])
        return names

    def error_schema(self) -> dict[str, Any]:
        for op in self.operations():
            for status, response in op.document.get("responses", {}).items():
                if str(status).startswith("4"):
                    schema = self.resolve(_first_schema(self.resolve(response)))
                    if schema.get("properties"):
                        return dict(schema)
        return {"type": "object", "properties": {"message": {"type": "string"}}, "required": ["message"]}

    def items_of(self, listed: Any) -> list[Any]:
        """The records of a list's body: the array itself, or the object's array member."""
        if isinstance(listed, list):
            return listed
        arrays = [value for value in listed.values() if isinstance(value, list)] if isinstance(listed, dict) else []
        return arrays[0] if arrays else []

    def security(self) -> dict[str, Any]:
        """The first security scheme (an API key header, or HTTP bearer)."""
        schemes = self.document.get("components", {}).get("securitySchemes", {})
        return dict(self.resolve(next(iter(schemes.values())))) if schemes else {"type": "http", "scheme": "bearer"}


def sample_body(spec: Spec, op: Operation) -> Any:
    """A body the operation accepts: its example, else one made from its schema's required
    members (and every member that has an example or an enum)."""
    content = (spec.resolve(op.document.get("requestBody", {})).get("content") or {}).values()
    media: list[Mapping[str, Any]] = list(content)
    if not media:
        return None
    if "example" in media[0]:
        return media[0]["example"]
    return _sample(spec, spec.resolve(media[0].get("schema", {})))


def _sample(spec: Spec, schema: Mapping[str, Any]) -> Any:
    if "example" in schema:
        return schema["example"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type", "object")
    kind = next(k for k in kind if k != "null") if isinstance(kind, list) else kind
    if kind == "object":
        required = set(schema.get("required", []))
        members = schema.get("properties", {})
        return {name: _sample(spec, spec.resolve(member)) for name, member in members.items() if name in required}
    if kind == "array":
        return [_sample(spec, spec.resolve(schema.get("items", {})))] if schema.get("minItems") else []
    minimum = schema.get("minimum", 1)
    return {"integer": int(minimum), "number": float(minimum), "boolean": True}.get(kind, _text(schema))


def _text(schema: Mapping[str, Any]) -> str:
    formats = {
        "email": "ada@example.com",
        "date-time": "2026-01-01T00:00:00Z",
        "date": "2026-01-01",
        "uri": "https://example.com",
    }
    return formats.get(str(schema.get("format")), "x" * max(1, int(schema.get("minLength", 1))))


def _first_schema(response: Mapping[str, Any]) -> Any:
    """The schema of a response's first media type ({} when it has no body)."""
    media: list[Mapping[str, Any]] = list((response.get("content") or {}).values())
    return media[0].get("schema", {}) if media else {}


def error_renderer(spec: Spec) -> Callable[[ApiError], ErrorReply]:
    """Errors in the spec's own shape; bad parameters answer 400, bad bodies 422."""
    style = error_style(spec)

    def render(err: ApiError) -> ErrorReply:
        if isinstance(err, ValidationFailed) and err.source == "parameters":
            return style.reply(400, _what_is_wrong(err) or "Invalid parameters")
        return style.render(err)

    return render


def _what_is_wrong(err: ApiError) -> str:
    """Each violation with the member it is about ("age: 101 is greater than the maximum of 100")."""
    return "; ".join(f"{v.path}: {v.message}" if v.path else v.message for v in err.violations) or err.message


def error_style(spec: Spec) -> ErrorStyle:
    """Errors in the spec's own shape: its string member (a `message`, `error` or `detail`
    first) carries the message, its integer members the status."""
    properties = spec.error_schema().get("properties", {})
    kinds = {name: spec.resolve(schema).get("type") for name, schema in properties.items()}
    strings = [name for name, kind in kinds.items() if kind == "string"]
    message = next((name for name in ("message", "error", "detail") if name in strings), strings[0] if strings else "message")
    numbers = [name for name, kind in kinds.items() if kind == "integer"]

    def body(status: int, text: str) -> dict[str, Any]:
        return {message: text, **dict.fromkeys(numbers, status)}

    wording: dict[type[ApiError], Wording] = {
        Unauthorized: "Unauthorized",
        NotFound: "Not found",
        MethodNotAllowed: "Method not allowed",
        UnsupportedMediaType: "Unsupported media type: send application/json",
        BadRequest: "Malformed JSON",
        ValidationFailed: lambda err: _what_is_wrong(err) or "Invalid request",
        RateLimited: "Too many requests",
    }
    return ErrorStyle(body=body, wording=wording, otherwise="Internal Server Error")


def credentials(spec: Spec) -> tuple[Callable[[Request], str | None], Callable[[str], dict[str, str]]]:
    """How a request carries its key, and the headers a client sends with one."""
    scheme = spec.security()
    if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
        name = str(scheme["name"])
        return key_header(name), lambda key: {name: key}
    return bearer_token, bearer_client_headers


def handlers(spec: Spec, own: Mapping[str, Handler]) -> dict[str, Handler]:
    """A generic handler for every operation of the spec the provider has none of its own for."""
    made = dict(own)
    for op in spec.operations():
        if op.operation_id in made:
            continue
        table = Table(op.collection, op.id_is_integer if op.is_item else _item_id_is_integer(spec, op))
        if op.is_item and op.method in ("GET", "PUT", "PATCH", "DELETE"):
            made[op.operation_id] = {"GET": table.get, "PUT": table.put, "PATCH": table.patch, "DELETE": table.delete}[op.method](
                op
            )
        elif not op.is_item and op.method in ("GET", "POST"):
            made[op.operation_id] = table.create(op) if op.method == "POST" else table.list(op, spec.response_schema(op))
        else:
            raise ValueError(f"no generic handler for {op.method} {op.path}: give {op.operation_id} one of its own")
    return made


def _item_id_is_integer(spec: Spec, op: Operation) -> bool:
    """A collection's ids are of the type its item path's id parameter has."""
    item = next((o for o in spec.operations() if o.is_item and o.collection == op.path), None)
    return item is not None and item.id_is_integer


class Table:
    """One collection's rows in an account, and the handlers over them."""

    def __init__(self, path: str, integer_ids: bool) -> None:
        self.path, self.integer_ids = path, integer_ids
        self.parents = _PARAMETER.findall(path)
        self.name = path.strip("/").replace("/", ".")

    def _parent(self, call: Call) -> dict[str, Any]:
        return {name: call.params[name] for name in self.parents}

    def _row(self, call: Call, op: Operation) -> dict[str, Any]:
        key = call.params[_PARAMETER.findall(op.path)[-1]]
        row = call.tenant.table(self.name).get(key)
        if row is None or any(row.get(k) != v for k, v in self._parent(call).items()):
            raise NotFound("Not found")
        return row

    def list(self, op: Operation, schema: Mapping[str, Any]) -> Handler:
        def handler(call: Call) -> Reply:
            parent = self._parent(call)
            rows = [_public(row, parent) for row in call.tenant.table(self.name).rows() if _under(row, parent)]
            return Reply(op.success, _page(rows, call.params, schema))

        return handler

    def create(self, op: Operation) -> Handler:
        def handler(call: Call) -> Reply:
            parent = self._parent(call)
            key: int | str = call.tenant.next_id(self.name) if self.integer_ids else call.random.uuid4()
            row = {"id": key, **_given(call), **parent}
            call.tenant.table(self.name).insert(key, row)
            return Reply(op.success, _public(row, parent))

        return handler

    def get(self, op: Operation) -> Handler:
        return lambda call: Reply(op.success, _public(self._row(call, op), self._parent(call)))

    def put(self, op: Operation) -> Handler:
        def handler(call: Call) -> Reply:
            row = self._row(call, op)
            new = {"id": row["id"], **_given(call), **self._parent(call)}
            return Reply(op.success, _public(call.tenant.table(self.name).replace(row["id"], new), self._parent(call)))

        return handler

    def patch(self, op: Operation) -> Handler:
        def handler(call: Call) -> Reply:
            row = self._row(call, op)
            new = {**row, **_given(call)}
            return Reply(op.success, _public(call.tenant.table(self.name).replace(row["id"], new), self._parent(call)))

        return handler

    def delete(self, op: Operation) -> Handler:
        def handler(call: Call) -> Reply:
            row = self._row(call, op)
            call.tenant.table(self.name).delete(row["id"])
            return Reply(op.success, None if op.success == 204 else _public(row, self._parent(call)))

        return handler


def _given(call: Call) -> dict[str, Any]:
    """The body's members, but never an id of its own: the id is the record's (first, as shown)."""
    return {name: value for name, value in (call.body or {}).items() if name != "id"}


def _under(row: Mapping[str, Any], parent: Mapping[str, Any]) -> bool:
    return all(row.get(k) == v for k, v in parent.items())


def _public(row: Mapping[str, Any], parent: Mapping[str, Any]) -> dict[str, Any]:
    """A row as the API shows it (the parent ids are the path's, not the record's)."""
    return {k: v for k, v in row.items() if k not in parent}


def _page(rows: list[dict[str, Any]], params: Mapping[str, Any], schema: Mapping[str, Any]) -> Any:
    total = len(rows)
    if "limit" in params or "per_page" in params:
        size = int(params.get("limit") or params.get("per_page") or total or 1)
        start = int(params.get("offset") or 0) if "offset" in params else (int(params.get("page") or 1) - 1) * size
        rows = rows[start : start + size]
        more = start + len(rows) < total
    else:
        more = False
    properties = schema.get("properties") or {}
    array = next((name for name, member in properties.items() if member.get("type") == "array"), None)
    if schema.get("type") != "object" or array is None:
        return rows
    counts = {"total": total, "count": len(rows), "hasMore": more, "has_more": more}
    return {array: rows, **{name: value for name, value in counts.items() if name in properties}}


def provider(name: str, title: str, spec_file: Path, **overrides: Any) -> Provider:
    """A provider for this spec: generic handlers (`overrides["handlers"]` replaces some),
    the spec's credentials and error shape."""
    spec = Spec(spec_file)
    read_key, client_headers = credentials(spec)
    made = handlers(spec, overrides.pop("handlers", {}))
    return Provider(
        name=name,
        title=title,
        spec_file=spec_file,
        handlers=made,
        render_error=error_renderer(spec),
        credentials=read_key,
        client_headers=client_headers,
        **overrides,
    )
