"""Small builders of OpenAPI 3.1 pieces (schemas, parameters, answers, operations), for the
admin API's document (engine/admin_openapi.py, engine/admin_engine_doc.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
COUNT: Schema = {"type": "integer", "minimum": 0}
ANY_OBJECT: Schema = {"type": "object"}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: Mapping[str, Schema], optional: Mapping[str, Schema] | None = None) -> Schema:
    """An object with these properties; those in `required` always present."""
    schema: Schema = {"type": "object", "properties": {**required, **(optional or {})}}
    if required:
        schema["required"] = list(required)
    return schema


def described(schema: Schema, description: str) -> Schema:
    return {**schema, "description": description}


def items(schema: Schema) -> Schema:
    return obj({"items": {"type": "array", "items": schema}})


def query(name: str, schema: Schema, description: str) -> Schema:
    return {"name": name, "in": "query", "schema": schema, "description": description}


def body(schema: Schema, *, required: bool = False) -> Schema:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def answer(description: str, schema: Schema) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error(description: str) -> Schema:
    return answer(description, ref("Error"))


def operation(
    op_id: str, tag: str, summary: str, responses: Mapping[str, Schema], params: Iterable[Schema] = (), **extra: Any
) -> Schema:
    found: Schema = {"operationId": op_id, "tags": [tag], "summary": summary}
    if params:
        found["parameters"] = list(params)
    return {**found, **extra, "responses": dict(responses)}
