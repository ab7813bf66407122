"""The admin API's own OpenAPI 3.1 document (GET /__admin/openapi.json), so that clients in
any language can be generated. Built once at start-up: the engine's endpoints are described
in admin_engine_doc.py; each provider's actions come from its declaration (admin_actions,
admin_schemas), here, so a new action is documented without engine code."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jsonschema import Draft202012Validator

from mockserver import __version__
from mockserver.engine.admin_doc_schemas import COMPONENTS
from mockserver.engine.admin_engine_doc import ENGINE_TAGS, engine_paths
from mockserver.engine.openapi_schema import ANY_OBJECT, STRING, Schema, answer, body, error, operation, query
from mockserver.engine.provider import Provider

# -- provider actions ------------------------------------------------------------------------
FLASK_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")  # <int:order_id>, <name>
CONVERTED = {"int": {"type": "integer", "minimum": 0}, "float": {"type": "number", "minimum": 0}}
UNREADABLE = "The body is not a JSON object, or apiKey is not a string"
BREAKS_SCHEMA = "The body breaks the schema (`violations` says where)"


def action_paths(provider: Provider, demo_key: str, taken: set[str]) -> dict[str, Schema]:
    """/__admin/<provider>/<path> for each action, from the provider's declaration."""
    strays = set(provider.admin_schemas) - set(provider.admin_actions)
    if strays:
        raise ValueError(f"{provider.name}: admin_schemas for no admin action: {sorted(strays)}")
    paths: dict[str, Schema] = {}
    for (method, path), action in provider.admin_actions.items():
        declared = provider.admin_schemas.get((method, path), {})
        params = [
            {"name": name, "in": "path", "required": True, "schema": CONVERTED.get(converter, STRING)}
            for converter, name in FLASK_PARAM.findall(path)
        ]
        params.append(query("apiKey", {**STRING, "default": demo_key}, "The account, when the body names none"))
        summary, description = _summary(action, f"{method} {path}")
        extra: Schema = {"description": description} if description else {}
        if method not in ("GET", "DELETE") or "body" in declared:
            extra["requestBody"] = _action_body(declared.get("body"), demo_key)
        responses = _action_responses(declared.get("responses", {}), "body" in declared)
        op_id = _operation_id(provider.name, action, method, path, taken)
        route = f"/__admin/{provider.name}/" + FLASK_PARAM.sub(r"{\2}", path)
        paths.setdefault(route, {})[method.lower()] = operation(op_id, provider.name, summary, responses, params, **extra)
    return paths


def _action_body(schema: Mapping[str, Any] | None, demo_key: str) -> Schema:
    """The provider's schema, plus the apiKey every action reads (admin._action_view)."""
    given = dict(schema) if schema is not None else ANY_OBJECT
    properties = dict(given.get("properties", {}))
    api_key = {**STRING, "default": demo_key, "description": "The account (created if it has none yet)"}
    properties["apiKey"] = {**api_key, **properties.get("apiKey", {})}
    # Required exactly when the action refuses an empty body.
    return body({**given, "properties": properties}, required=not Draft202012Validator(given).is_valid({}))


def _action_responses(declared: Mapping[int, str], checks_body: bool) -> dict[str, Schema]:
    statuses = {400: UNREADABLE, **({422: BREAKS_SCHEMA} if checks_body else {}), **declared}
    responses: dict[str, Schema] = {}
    for status, text in sorted(statuses.items()):
        if status == 204:
            responses["204"] = {"description": text}
        else:
            responses[str(status)] = answer(text, ANY_OBJECT) if status < 300 else error(text)
    if all(status >= 300 for status in statuses):  # an action that declares nothing
        responses["2XX"] = answer("Done", ANY_OBJECT)
    return responses


def _summary(action: Callable[..., Any], fallback: str) -> tuple[str, str | None]:
    """The docstring's first paragraph (on one line) and the rest."""
    doc = inspect.getdoc(action)
    if not doc:
        return fallback, None
    first, _, rest = doc.partition("\n\n")
    return " ".join(first.split()), rest.strip() or None


def _operation_id(provider: str, action: Callable[..., Any], method: str, path: str, taken: set[str]) -> str:
    """systemeCreateSale; the route joins in when one function serves two routes."""
    words = [provider, *action.__name__.removeprefix("admin_").split("_")]
    op_id = words[0] + "".join(word.capitalize() for word in words[1:])
    if op_id in taken:
        op_id += method.capitalize() + "".join(word.capitalize() for word in re.findall(r"[A-Za-z0-9]+", path))
    taken.add(op_id)
    return op_id


# -- the document ----------------------------------------------------------------------------
def admin_document(providers: Iterable[Provider], demo_key: str) -> Schema:
    providers = list(providers)
    paths = engine_paths()
    taken = {op["operationId"] for item in paths.values() for op in item.values()}
    for provider in providers:
        paths.update(action_paths(provider, demo_key, taken))
    provider_tags = [
        {"name": p.name, "description": f"{p.title}: what happens outside the API (/__admin/{p.name}/)"} for p in providers
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mockserver admin API",
            "version": __version__,
            "description": (
                "Control and inspect the emulators: accounts, webhook deliveries, the request journal, "
                'the clock, and each provider\'s own actions. Errors answer {"error": ..., "violations"?: '
                "[{path, message}]}. Every endpoint but /__admin/health answers 403 to a Host that is not the "
                "server's (or a change from a foreign Origin), and 401 without `Authorization: Bearer <token>` when "
                "the server has an admin token."
            ),
        },
        "servers": [{"url": "/", "description": "The server that serves this document"}],
        "tags": ENGINE_TAGS + provider_tags,
        "paths": paths,
        "components": {"schemas": {**COMPONENTS, "ProviderName": {"type": "string", "enum": [p.name for p in providers]}}},
    }


def admin_openapi_json(providers: Iterable[Provider], demo_key: str) -> bytes:
    """The document as the route answers it (built once, at start-up)."""
    return json.dumps(admin_document(providers, demo_key), ensure_ascii=False).encode("utf-8")
