"""Reading a provider's spec (specs/<provider>.yaml) in the tests that cover every operation
of it, so that an operation added to a spec is covered without editing the tests; and the
parts of those tests that are the same for every provider.

What differs per provider (how a body is wrapped, which values satisfy a schema, the error
shapes) stays in the provider's own tests, in a subclass of `SpecOperation` and its functions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import reduce
from pathlib import Path
from typing import Any, NamedTuple

import requests
import yaml

from mockserver.testing import ApiSession

SPECS = Path(__file__).resolve().parents[1] / "specs"
METHODS = ("get", "put", "post", "delete", "patch")
MEGABYTE = 1024 * 1024


class Declared(NamedTuple):
    """One operation as the spec declares it."""

    path: str
    method: str  # upper case
    operation_id: str
    parameters: tuple[dict[str, Any], ...]  # resolved: the path item's, then the operation's own
    body_schema: Any  # the resolved schema of its application/json request body; None without a body
    extension: bool  # declared under the path item's extension key rather than a standard method


class Spec(dict[str, Any]):
    """A provider's spec, specs/<provider>.yaml, as YAML reads it."""

    @classmethod
    def load(cls, provider: str) -> Spec:
        return cls(yaml.safe_load((SPECS / f"{provider}.yaml").read_text(encoding="utf-8")))

    def resolve(self, node: Any) -> Any:
        """The node, or what its `$ref` (and theirs, in turn) points at."""
        while isinstance(node, dict) and "$ref" in node:
            node = reduce(lambda found, part: found[part], node["$ref"][2:].split("/"), self)
        return node

    def operations(self, methods: Sequence[str] = METHODS, extension: str | None = None) -> Iterator[Declared]:
        """Every operation, path by path in `methods` order, then those under the path item's
        `extension` key (for methods OpenAPI has no field for)."""
        for path, item in self["paths"].items():
            shared = [self.resolve(p) for p in item.get("parameters", [])]
            found = [(m.upper(), item[m], False) for m in methods if m in item]
            if extension is not None:
                found += [(m.upper(), op, True) for m, op in item.get(extension, {}).items()]
            for method, op, extended in found:
                parameters = tuple(shared + [self.resolve(p) for p in op.get("parameters", [])])
                body = None
                if "requestBody" in op:
                    body = self.resolve(self.resolve(op["requestBody"])["content"]["application/json"]["schema"])
                yield Declared(path, method, op["operationId"], parameters, body, extended)


@dataclass(frozen=True)
class SpecOperation:
    """What every provider's tests read of an operation; a provider's subclass adds its body."""

    operation_id: str
    method: str
    path: str
    parameters: tuple[dict[str, Any], ...]

    def __str__(self) -> str:
        return self.operation_id

    @property
    def path_parameters(self) -> list[dict[str, Any]]:
        return [p for p in self.parameters if p["in"] == "path"]

    @property
    def query_parameters(self) -> list[dict[str, Any]]:
        return [p for p in self.parameters if p["in"] == "query"]


@dataclass(frozen=True)
class Sampler:
    """`sample(schema)`: the smallest value that satisfies a (body) schema. The same for every
    provider: an enum's first value that is not null, an object of its required properties, an
    array of its minItems items, True for a boolean. What differs per provider is given: `read`
    (a schema as the tests take it: $refs followed, and allOf parts folded or a first branch
    taken), `kinds` (the JSON types a schema allows; the first but null is sampled, "object"
    for a free-form schema) and `scalar` (a value for a number or string: which ones fit)."""

    read: Callable[[Any], Any]
    kinds: Callable[[Any], set[str]]
    scalar: Callable[[str, dict[str, Any]], Any]

    def __call__(self, schema: Any) -> Any:
        schema = self.read(schema)
        if "enum" in schema:
            return next(value for value in schema["enum"] if value is not None)
        allowed = sorted(self.kinds(schema) - {"null"})
        kind = allowed[0] if allowed else "object"
        if kind == "object":
            return {name: self(schema["properties"][name]) for name in schema.get("required", [])}
        if kind == "array":
            return [self(schema.get("items", {})) for _ in range(schema.get("minItems", 0))]
        if kind == "boolean":
            return True
        return self.scalar(kind, schema)


def ids(cases: list[Any]) -> list[str]:
    """Test ids of parametrize cases: an operation by its operationId, a tuple by its parts."""
    return [str(case) if isinstance(case, SpecOperation) else "-".join(map(str, case)) for case in cases]


def wrong_type(allowed: set[str]) -> Any:
    """A JSON value of a type that is not among the `allowed` JSON types (a schema's kinds)."""
    if "string" not in allowed:
        return "x"
    return 5 if not allowed & {"integer", "number"} else [5]


def send(client: ApiSession, op: SpecOperation, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
    """`body` as JSON (text and bytes are sent as they are), as application/json."""
    if body is not None:
        kwargs["data"] = body if isinstance(body, str | bytes) else json.dumps(body)
        kwargs["headers"] = {"Content-Type": "application/json", **kwargs.get("headers", {})}
    return client.request(op.method, path, **kwargs)
