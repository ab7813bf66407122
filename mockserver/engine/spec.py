"""Load an OpenAPI 3.1 document once and compile what each request will need.

Everything here runs at start-up: parameter readers, JSON Schema validators (built by
openapi-core's OAS 3.1 validator factory) and response checks. Requests then only look
things up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from jsonschema.protocols import Validator
from jsonschema_path import SchemaPath
from openapi_core.validation.schemas import oas31_schema_validators_factory

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# Methods outside OpenAPI's fixed set are declared on a path item as `x-methods: {NAME: op}`.
EXTRA_METHODS_KEY = "x-methods"


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # path | query | header
    required: bool
    style: str
    explode: bool
    kind: str  # the schema's type: integer, number, boolean, string, array, object
    item_kind: str
    member_kinds: dict[str, str]  # deepObject members' types, by name
    format: str | None
    default: Any
    validator: Validator


@dataclass(frozen=True)
class KeyMap:
    """The property names a schema knows, by lower-case spelling, for providers whose
    servers read JSON bodies without regard to case."""

    properties: dict[str, tuple[str, KeyMap | None]] = field(default_factory=dict)
    items: KeyMap | None = None
    additional: KeyMap | None = None


@dataclass(frozen=True)
class Body:
    required: bool
    media: dict[str, Validator | None]  # media type -> schema validator
    key_maps: dict[str, KeyMap | None] = field(default_factory=dict)


@dataclass(frozen=True)
class HeaderSpec:
    name: str
    required: bool
    validator: Validator | None


@dataclass(frozen=True)
class ResponseSpec:
    media: dict[str, Validator | None]
    headers: tuple[HeaderSpec, ...]


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str  # upper case
    path: str  # as in the spec: /api/contacts/{id}
    parameters: tuple[Parameter, ...]
    body: Body | None
    responses: dict[str, ResponseSpec]
    secured: bool
    extensions: dict[str, Any] = field(default_factory=dict)

    def response_for(self, status: int) -> ResponseSpec | None:
        return self.responses.get(str(status)) or self.responses.get(f"{status // 100}XX") or self.responses.get("default")


@dataclass(frozen=True)
class ApiSpec:
    source: Path
    document: dict[str, Any]
    operations: tuple[Operation, ...]
    webhooks: dict[str, Validator | None]  # event name -> validator of its payload

    @property
    def title(self) -> str:
        return str(self.document["info"]["title"])

    def operation(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)


# libyaml's parser where PyYAML has it: ClickFunnels' spec reads in a tenth of the time,
# which every start of a server (and every test process) pays.
_YAML_LOADER = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


def read_yaml(path: Path) -> Any:
    """A YAML file's content, read as yaml.safe_load reads it."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)


def load_spec(path: Path) -> ApiSpec:
    document = read_yaml(path)
    return _Compiler(path, document).compile()


class _Compiler:
    def __init__(self, source: Path, document: dict[str, Any]) -> None:
        self.source = source
        self.document = document
        self.root = SchemaPath.from_dict(document, base_uri=source.resolve().as_uri())

    def compile(self) -> ApiSpec:
        operations = tuple(self._operations())
        ids = [op.operation_id for op in operations]
        duplicated = {i for i in ids if ids.count(i) > 1}
        if duplicated:
            raise ValueError(f"{self.source}: duplicate operationIds {sorted(duplicated)}")
        webhooks = {name: self._body_validator(("webhooks", name, "post")) for name in self.document.get("webhooks", {})}
        return ApiSpec(self.source, self.document, operations, webhooks)

    def _operations(self) -> Iterator[Operation]:
        default_security = self.document.get("security", [])
        for path, item in self.document.get("paths", {}).items():
            where = ("paths", path)
            methods: list[tuple[str, tuple[str, ...]]] = [(m, (*where, m)) for m in HTTP_METHODS if m in item]
            methods += [(str(m), (*where, EXTRA_METHODS_KEY, str(m))) for m in item.get(EXTRA_METHODS_KEY, {})]
            for method, loc in methods:
                op = self._node(loc)
                security = op.get("security", default_security)
                yield Operation(
                    operation_id=op["operationId"],
                    method=method.upper(),
                    path=path,
                    parameters=tuple(self._parameters(where, loc)),
                    body=self._body(loc),
                    responses=self._responses(loc),
                    secured=any(bool(req) for req in security),
                    extensions={k: v for k, v in op.items() if k.startswith("x-")},
                )

    def _parameters(self, item_loc: tuple[str, ...], op_loc: tuple[str, ...]) -> Iterator[Parameter]:
        seen: set[tuple[str, str]] = set()
        for owner in (op_loc, item_loc):  # operation-level parameters override path-level ones
            for index, _ in enumerate(self._node(owner).get("parameters", [])):
                node, loc = self._resolve(owner + ("parameters", str(index)))
                ident = (node["name"], node["in"])
                if ident in seen:
                    continue
                seen.add(ident)
                schema, schema_loc = self._resolve(loc + ("schema",))
                items = schema.get("items", {})
                if "$ref" in items:
                    items = self._resolve(schema_loc + ("items",))[0]
                style = node.get("style", "form" if node["in"] == "query" else "simple")
                yield Parameter(
                    name=node["name"],
                    location=node["in"],
                    required=bool(node.get("required", False)),
                    style=style,
                    explode=bool(node.get("explode", style == "form")),
                    kind=_type_of(schema),
                    item_kind=_type_of(items),
                    member_kinds={
                        name: _type_of(self._resolve((*schema_loc, "properties", name))[0])
                        for name in schema.get("properties", {})
                    },
                    format=schema.get("format"),
                    default=schema.get("default"),
                    validator=self._validator(loc + ("schema",)),
                )

    def _body(self, op_loc: tuple[str, ...]) -> Body | None:
        if "requestBody" not in self._node(op_loc):
            return None
        node, loc = self._resolve(op_loc + ("requestBody",))
        media = {
            mt: (self._validator(loc + ("content", mt, "schema")) if "schema" in spec else None)
            for mt, spec in node.get("content", {}).items()
        }
        key_maps = {
            mt: (self._key_map(loc + ("content", mt, "schema"), 0) if "schema" in spec else None)
            for mt, spec in node.get("content", {}).items()
        }
        return Body(required=bool(node.get("required", False)), media=media, key_maps=key_maps)

    def _key_map(self, loc: tuple[str, ...], depth: int) -> KeyMap | None:
        """The property names below a schema (following $ref, allOf, oneOf, anyOf)."""
        if depth > 12:
            return None
        schema, loc = self._resolve(loc)
        if not isinstance(schema, dict):
            return None
        properties: dict[str, tuple[str, KeyMap | None]] = {}
        items = additional = None
        for name in schema.get("properties", {}):
            properties[name.lower()] = (name, self._key_map((*loc, "properties", name), depth + 1))
        if isinstance(schema.get("items"), dict):
            items = self._key_map((*loc, "items"), depth + 1)
        if isinstance(schema.get("additionalProperties"), dict):
            additional = self._key_map((*loc, "additionalProperties"), depth + 1)
        for combiner in ("allOf", "oneOf", "anyOf"):
            for index, _ in enumerate(schema.get(combiner, [])):
                part = self._key_map((*loc, combiner, str(index)), depth + 1)
                if part is not None:
                    properties.update(part.properties)
                    items = items or part.items
                    additional = additional or part.additional
        if not properties and items is None and additional is None:
            return None
        return KeyMap(properties, items, additional)

    def _body_validator(self, op_loc: tuple[str, ...]) -> Validator | None:
        body = self._body(op_loc)
        return next(iter(body.media.values()), None) if body else None

    def _responses(self, op_loc: tuple[str, ...]) -> dict[str, ResponseSpec]:
        compiled = {}
        for status in self._node(op_loc).get("responses", {}):
            node, loc = self._resolve(op_loc + ("responses", str(status)))
            media = {
                mt: (self._validator(loc + ("content", mt, "schema")) if "schema" in spec else None)
                for mt, spec in node.get("content", {}).items()
            }
            headers = []
            for name in node.get("headers", {}):
                header, header_loc = self._resolve(loc + ("headers", name))
                validator = self._validator(header_loc + ("schema",)) if "schema" in header else None
                headers.append(HeaderSpec(name, bool(header.get("required", False)), validator))
            key = str(status)
            compiled["default" if key == "default" else key.upper()] = ResponseSpec(media, tuple(headers))
        return compiled

    def _validator(self, loc: tuple[str, ...]) -> Validator:
        schema_path = self.root
        node: Any = self.document
        for part in loc:
            key: str | int = int(part) if isinstance(node, list) else part
            node = node[key]
            schema_path = schema_path / key
        return oas31_schema_validators_factory.create(self.root, schema_path, extra_format_validators=FORMATS).validator

    def _node(self, loc: tuple[str, ...]) -> Any:
        node: Any = self.document
        for part in loc:
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    def _resolve(self, loc: tuple[str, ...]) -> tuple[Any, tuple[str, ...]]:
        """The node at `loc` with local `$ref`s followed, and where it really lives."""
        node = self._node(loc)
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"{self.source}: only local $refs are supported, not {ref}")
            loc = tuple(_unescape(part) for part in ref[2:].split("/"))
            node = self._node(loc)
        return node, loc


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*\Z")


def _is_uri(value: Any) -> bool:
    """RFC 3986 absolute URI: ASCII only, a scheme, nothing blank (jsonschema only checks
    `uri` when an optional package is installed; this keeps the check always on)."""
    if not isinstance(value, str):
        return True
    if not value.isascii() or any(c.isspace() or ord(c) < 32 or c in '<>"{}|\\^`' for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return bool(_SCHEME.match(parts.scheme)) and bool(parts.netloc or parts.path)


# Format checks added to openapi-core's own.
FORMATS: dict[str, Callable[[Any], bool]] = {"uri": _is_uri}


def _type_of(schema: dict[str, Any]) -> str:
    kind = schema.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    return str(kind)


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def flask_rule(op: Operation, *, typed: bool = True) -> str:
    """`/api/contacts/{id}` -> `/api/contacts/<int:id>`. Typed, integer segments only match
    digits, as routes with an integer constraint do: `/contacts/search-by-email` is never
    taken for a contact id (a wrong method on it is 405), and `/contacts/abc` is no route at
    all. Untyped, every value reaches the operation (after authentication), which answers
    404 for one that does not fit."""
    integers = {p.name for p in op.parameters if p.location == "path" and p.kind == "integer"} if typed else set()

    def segment(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"<int:{name}>" if name in integers else f"<{name}>"

    return re.sub(r"\{([^}]+)\}", segment, op.path)
