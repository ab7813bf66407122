"""Reading a provider's spec (specs/<provider>.yaml) in the tests that cover every operation
of it, so that an operation added to a spec is covered without editing the tests: its
operations, and values made from its schemas (valid ones, and ones that break a schema).

Nothing here knows a provider: what differs per provider (its records, its error shapes)
is given by the tests that use it (tests/providers/bad_input_cases.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, reduce
from pathlib import Path
from typing import Any

import requests

from mockserver.engine.spec import read_yaml
from mockserver.testing import ApiSession

SPECS = Path(__file__).resolve().parents[1] / "specs"
METHODS = ("get", "put", "post", "delete", "patch")
# Methods OpenAPI has no field for, declared on a path item as `x-methods: {NAME: op}`.
EXTENSION = "x-methods"
MEGABYTE = 1024 * 1024
MISSING = object()  # marks a property to leave out of a body (`inject`)
Where = tuple[Any, ...]  # where a value sits in a body: names, and 0 for an array's first item


class Spec(dict[str, Any]):
    """A provider's spec as YAML reads it, and what the tests read of its schemas."""

    @classmethod
    def load(cls, provider: str) -> Spec:
        return cls.read(SPECS / f"{provider}.yaml")

    @classmethod
    def read(cls, path: Path) -> Spec:
        return cls(read_yaml(path))

    def resolve(self, node: Any) -> Any:
        """The node, or what its `$ref` (and theirs, in turn) points at."""
        while isinstance(node, dict) and "$ref" in node:
            node = reduce(lambda found, part: found[part], node["$ref"][2:].split("/"), self)
        return node

    def operations(self) -> list[Operation]:
        """Every operation: each path's standard methods, then those under its `x-methods`."""
        found = []
        for path, item in self["paths"].items():
            declared = [(m.upper(), item[m]) for m in METHODS if m in item]
            declared += [(m.upper(), op) for m, op in item.get(EXTENSION, {}).items()]
            for method, op in declared:
                found.append(Operation(self, path, method, op, self._parameters(item, op)))
        return found

    def methods(self, path: str) -> set[str]:
        """The methods a path has, extension ones included (upper case)."""
        item = self["paths"][path]
        return {m.upper() for m in METHODS if m in item} | {m.upper() for m in item.get(EXTENSION, {})}

    def _parameters(self, item: dict[str, Any], op: dict[str, Any]) -> tuple[dict[str, Any], ...]:
        """The operation's parameters, resolved: its own, and the path item's it does not override."""
        own = [self._parameter(p) for p in op.get("parameters", [])]
        names = {(p["name"], p["in"]) for p in own}
        shared = [p for p in map(self._parameter, item.get("parameters", [])) if (p["name"], p["in"]) not in names]
        return tuple(own + shared)

    def _parameter(self, node: Any) -> dict[str, Any]:
        """A parameter resolved, its schema too."""
        parameter: dict[str, Any] = self.resolve(node)
        return {**parameter, "schema": self.merged(parameter.get("schema", {}))}

    # -- schemas -------------------------------------------------------------------------
    def merged(self, node: Any) -> dict[str, Any]:
        """A schema resolved, with its `allOf` parts folded in (properties and required lists)."""
        schema: dict[str, Any] = dict(self.resolve(node))
        for part in map(self.merged, schema.pop("allOf", [])):
            schema["properties"] = {**schema.get("properties", {}), **part.get("properties", {})}
            schema["required"] = [*schema.get("required", []), *part.get("required", [])]
            for key, value in part.items():
                schema.setdefault(key, value)
        return schema

    def branches(self, node: Any) -> list[dict[str, Any]]:
        """The schemas a value may follow: a oneOf's or anyOf's options, else the schema itself."""
        schema = self.merged(node)
        for combinator in ("oneOf", "anyOf"):
            if combinator in schema:
                return [self.merged(branch) for branch in schema[combinator]]
        return [schema]

    def kinds(self, node: Any) -> set[str]:
        """The JSON types a schema allows (empty for a free-form schema)."""
        found: set[str] = set()
        for branch in self.branches(node):
            kind = branch.get("type")
            if kind is None and "enum" in branch:
                found |= {_json_type(value) for value in branch["enum"]}
            elif kind is None and "properties" in branch:
                found.add("object")
            elif kind is not None:
                found |= set(kind) if isinstance(kind, list) else {kind}
        return found

    def sample(self, node: Any) -> Any:
        """The smallest value that satisfies a schema (of a oneOf, its first option): an
        enum's first value that is not null, an object of its required properties, an array
        of its minItems items, True for a boolean."""
        schema = self.branches(node)[0]
        if "enum" in schema:
            return next(value for value in schema["enum"] if value is not None)
        allowed = sorted(self.kinds(schema) - {"null"})
        kind = allowed[0] if allowed else "object"
        if kind == "object":
            return {name: self.sample(schema["properties"][name]) for name in schema.get("required", [])}
        if kind == "array":
            return [self.sample(schema.get("items", {})) for _ in range(schema.get("minItems", 0))]
        if kind == "boolean":
            return True
        if kind in ("integer", "number"):
            return max(schema.get("minimum", 1), 1)
        return sample_string(schema)

    def members(self, node: Any, prefix: Where = ()) -> Iterator[tuple[Where, dict[str, Any]]]:
        """Every property of a body schema, nested ones included, as (path, schema); an
        array's items are reached through index 0."""
        seen: set[Where] = set()
        for branch in self.branches(node):
            if "properties" in branch:
                for name, sub in branch["properties"].items():
                    path = (*prefix, name)
                    if path not in seen:
                        seen.add(path)
                        yield path, self.merged(sub)
                        yield from self.members(sub, path)
            elif "array" in self.kinds(branch) and isinstance(branch.get("items"), dict):
                yield from self.members(branch["items"], (*prefix, 0))

    def containers(self, node: Any, prefix: Where = ()) -> Iterator[tuple[Where, dict[str, Any]]]:
        """Every object schema of a body (the body itself included), as (path, schema)."""
        for branch in self.branches(node):
            if "properties" in branch:
                yield prefix, branch
                for name, sub in branch["properties"].items():
                    yield from self.containers(sub, (*prefix, name))
            elif "array" in self.kinds(branch) and isinstance(branch.get("items"), dict):
                yield from self.containers(branch["items"], (*prefix, 0))

    def inject(self, body: Any, node: Any, path: Where, value: Any) -> Any:
        """`body` with `value` at `path` (MISSING leaves the property out); containers along
        the way that the body lacks are made from the schema."""
        if not path:
            return value
        head, rest = path[0], path[1:]
        if isinstance(head, int):
            array = next(b for b in self.branches(node) if "array" in self.kinds(b))
            items = list(body) if isinstance(body, list) and body else [self.sample(array["items"])]
            items[0] = self.inject(items[0], array["items"], rest, value)
            return items
        obj = next(b for b in self.branches(node) if head in b.get("properties", {}))
        sub = obj["properties"][head]
        # A body that took another branch of a oneOf (a string for an object) becomes this one.
        result = dict(body) if isinstance(body, dict) else self.sample(obj)
        if not rest and value is MISSING:
            result.pop(head, None)
            return result
        current = result.get(head)
        result[head] = self.inject(current if current is not None or not rest else self.sample(sub), sub, rest, value)
        return result

    def wrong_value(self, node: Any) -> Any:
        """A JSON value of a type the schema does not allow (None for a free-form schema)."""
        allowed = self.kinds(node)
        if not allowed:
            return None
        candidates: list[tuple[set[str], Any]] = [
            ({"string"}, "text"),
            ({"integer", "number"}, 5),
            ({"boolean"}, True),
            ({"array"}, [5]),
            ({"object"}, {"a": 1}),
        ]
        return next(value for types, value in candidates if not types & allowed)


@dataclass(frozen=True, eq=False)  # compared and hashed as itself (its spec is a dict)
class Operation:
    """One operation as its spec declares it."""

    spec: Spec
    path: str
    method: str  # upper case
    declared: dict[str, Any]  # the operation object
    parameters: tuple[dict[str, Any], ...]

    def __str__(self) -> str:
        return self.operation_id

    @property
    def operation_id(self) -> str:
        return str(self.declared["operationId"])

    @cached_property
    def request_body(self) -> dict[str, Any] | None:
        body: dict[str, Any] | None = self.spec.resolve(self.declared.get("requestBody"))
        return body

    @property
    def media_types(self) -> list[str]:
        return list(self.request_body["content"]) if self.request_body else []

    @property
    def body_required(self) -> bool:
        return bool(self.request_body and self.request_body.get("required"))

    @cached_property
    def body_schema(self) -> dict[str, Any] | None:
        """The (merged) schema of the body, as its first media type declares it; None without a body."""
        if self.request_body is None:
            return None
        return self.spec.merged(self.request_body["content"][self.media_types[0]]["schema"])

    @property
    def takes_array(self) -> bool:
        return self.body_schema is not None and "array" in self.spec.kinds(self.body_schema)

    @property
    def path_parameters(self) -> list[dict[str, Any]]:
        return [p for p in self.parameters if p["in"] == "path"]

    @property
    def query_parameters(self) -> list[dict[str, Any]]:
        return [p for p in self.parameters if p["in"] == "query"]

    @property
    def statuses(self) -> set[str]:
        return set(map(str, self.declared.get("responses", {})))

    def url(self, values: dict[str, Any]) -> str:
        """The path with each path parameter set to `values[its name]`."""
        path = self.path
        for parameter in self.path_parameters:
            path = path.replace("{" + parameter["name"] + "}", str(values[parameter["name"]]))
        return path


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return {str: "string", float: "number", list: "array", dict: "object"}[type(value)]


def sample_string(schema: dict[str, Any]) -> str:
    """A short string that satisfies a string schema's format, pattern and lengths."""
    by_format = {
        "email": "sample@example.com",
        "uri": "http://127.0.0.1:9/sample",  # nothing listens there: a delivery fails at once
        "date-time": "2024-05-14T10:00:00+00:00",
        "date": "2024-05-14",
        "uuid": "0f8e6a52-3c1d-4b7e-9a2f-5d6c7b8a9e01",
    }
    text = by_format.get(schema.get("format", ""), "/sample" if schema.get("pattern") == "^/" else "sample")
    return text[: schema.get("maxLength", len(text))].ljust(schema.get("minLength", 0), "s")


def fits(schema: dict[str, Any], value: str) -> bool:
    """Whether a path or query value (text) satisfies a string or integer schema."""
    kind = schema.get("type")
    if kind == "integer":
        if not (value.isascii() and re.fullmatch(r"-?[0-9]+", value)):
            return False
        return bool(schema.get("minimum", -(2**63)) <= int(value) <= schema.get("maximum", 2**63))
    if not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value)):
        return False
    if "pattern" in schema and not re.search(schema["pattern"], value):
        return False
    uuid = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    return schema.get("format") != "uuid" or bool(re.fullmatch(uuid, value, re.IGNORECASE))


def dotted(path: Where) -> str:
    """A body path as text: `OrderLines[0].Price`."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".")


def names_of(path: Where) -> list[str]:
    return [part for part in path if isinstance(part, str)]


def send(client: ApiSession, op: Operation, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
    """`body` as JSON (text and bytes are sent as they are), as the operation's first media type."""
    if body is not None:
        kwargs["data"] = body if isinstance(body, str | bytes) else json.dumps(body)
        media_type = op.media_types[0] if op.media_types else "application/json"
        kwargs["headers"] = {"Content-Type": media_type, **kwargs.get("headers", {})}
    return client.request(op.method, path, **kwargs)
