"""Vendor-side events: a form for each provider action, built from the admin API's own
OpenAPI document (a new action gets its form with no page code), run in process for one
account as POST /__admin/<provider>/<path> would run it."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, jsonify, request

from mockserver.dashboard.common import Dashboard, DashboardError, pretty, wants_json
from mockserver.engine.admin_openapi import FLASK_PARAM, admin_document
from mockserver.engine.context import Call
from mockserver.engine.errors import ApiError
from mockserver.engine.provider import AdminAction
from mockserver.engine.validation import refuse_constant


@dataclass(frozen=True)
class Input:
    name: str
    kind: str  # text, number, integer, checkbox, select, json
    where: str  # path, query or body
    required: bool = False
    options: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class ActionForm:
    method: str
    path: str  # below /__admin/<provider>/, as the document writes it: forms/{form_id}/submissions
    summary: str
    run: AdminAction
    inputs: tuple[Input, ...] = field(default=())

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


def action_forms(dash: Dashboard) -> dict[str, list[ActionForm]]:
    """Every provider's action forms, from the document (built once, at start-up)."""
    emulator = dash.emulator
    paths = admin_document(emulator.providers.values(), emulator.settings.demo_key)["paths"]
    forms: dict[str, list[ActionForm]] = {}
    for provider in emulator.providers.values():
        prefix = f"/__admin/{provider.name}/"
        actions = {(m, FLASK_PARAM.sub(r"{\2}", p)): action for (m, p), action in provider.admin_actions.items()}
        found = forms.setdefault(provider.name, [])
        for route, item in paths.items():
            if not route.startswith(prefix):
                continue
            for method, op in item.items():
                action = actions.get((method.upper(), route.removeprefix(prefix)))
                if action is not None:
                    found.append(
                        ActionForm(method.upper(), route.removeprefix(prefix), op.get("summary", ""), action, _inputs(op))
                    )
    return forms


def _inputs(op: dict[str, Any]) -> tuple[Input, ...]:
    inputs = [
        Input(p["name"], _kind(p.get("schema", {})), p["in"], bool(p.get("required")), _options(p.get("schema", {})))
        for p in op.get("parameters", [])
        if p["name"] != "apiKey" and p["in"] in ("path", "query")
    ]
    schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    required = set(schema.get("required", ()))
    for name, prop in schema.get("properties", {}).items():
        if name != "apiKey":  # the account is the page's
            inputs.append(Input(name, _kind(prop), "body", name in required, _options(prop), prop.get("description", "")))
    return tuple(inputs)


def _kind(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return "select"
    types = schema.get("type", "string")
    types = [t for t in (types if isinstance(types, list) else [types]) if t != "null"]
    kind = types[0] if len(types) == 1 else "json"
    return {"string": "text", "boolean": "checkbox", "integer": "integer", "number": "number"}.get(kind, "json")


def _options(schema: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(value) for value in schema.get("enum", ()) if value is not None)


def read_inputs(form: ActionForm, given: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(params, body) from the submitted fields, typed as the document says; a blank optional
    field is left out (an unchecked optional box too: no answer is not `false`)."""
    params: dict[str, Any] = {}
    body: dict[str, Any] = {}
    for spec in form.inputs:
        raw = given.get(spec.name)
        if spec.kind == "checkbox":
            value: Any = raw is not None
            if not value and not spec.required:
                continue
        elif raw is None or raw.strip() == "":
            if spec.required and spec.where != "body":  # the action says what its body lacks
                raise DashboardError(400, f"{spec.name} is required")
            continue
        else:
            value = _typed(spec, raw.strip())
        (body if spec.where == "body" else params)[spec.name] = value
    return params, body


def _typed(spec: Input, raw: str) -> Any:
    try:
        if spec.kind == "integer":
            return int(raw)
        if spec.kind == "number":
            number = float(raw)
            if not math.isfinite(number):
                raise ValueError(raw)
            return int(number) if number.is_integer() else number
        if spec.kind == "json":
            return json.loads(raw, parse_constant=refuse_constant)
    except (ValueError, RecursionError) as exc:
        wanted = {"integer": "a whole number", "number": "a number", "json": "JSON"}[spec.kind]
        raise DashboardError(400, f"{spec.name} must be {wanted}") from exc
    return raw


def mount_actions(bp: Blueprint, dash: Dashboard) -> None:
    from mockserver.dashboard.account import account_page

    @bp.post("/accounts/<provider>/<ref>/actions")
    def run_action(provider: str, ref: str) -> Response:
        tenant = dash.account(provider, ref)
        chosen = request.form.get("_action", "")
        form = next((f for f in dash.forms.get(provider, []) if f.name == chosen), None)
        if form is None:
            raise DashboardError(404, f"{provider} has no action {chosen!r}")
        params, body = read_inputs(form, request.form)
        emulator = dash.emulator
        call = Call(tenant, emulator.services_of(tenant), params, body, None)
        try:
            reply, payload = emulator.run(emulator.providers[provider], tenant, form.run, call)
            status, answer = reply.status, (reply.body if payload else None)
        except ApiError as err:
            status, answer = err.status, {"error": err.message or err.code}
            if err.violations:
                answer["violations"] = [{"path": v.path, "message": v.message} for v in err.violations]
        result = {"action": form.name, "status": status, "body": answer}
        if wants_json():
            return jsonify(result)
        return account_page(dash, tenant, result={**result, "json": pretty(answer)})
