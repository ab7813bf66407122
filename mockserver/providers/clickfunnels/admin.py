"""Admin actions for what happens outside the API: orders placed by buyers, forms and
their submissions, courses, and more workspaces. Mounted under /__admin/clickfunnels/."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from mockserver.engine.context import Call, Reply
from mockserver.engine.errors import NotFound
from mockserver.engine.store import Row
from mockserver.providers.base import admin_body
from mockserver.providers.clickfunnels import records
from mockserver.providers.clickfunnels.demo import add_workspace
from mockserver.providers.clickfunnels.learning import add_course
from mockserver.providers.clickfunnels.records import FORMS, TEAMS, WORKSPACES
from mockserver.providers.clickfunnels.sales import buyer, order_lines, place_order, submit_form

_ID = {"type": "integer", "minimum": 1}
_TEXT = {"type": "string", "minLength": 1, "maxLength": 255}
_SCHEMAS: dict[str, dict[str, Any]] = {
    "order": {
        "type": "object",
        "required": ["line_items"],
        "properties": {
            "apiKey": {"type": "string"},
            "workspace_id": _ID,
            "contact_id": _ID,
            "contact": {
                "type": "object",
                "properties": {name: {"type": ["string", "null"], "maxLength": 255} for name in records.CONTACT_FIELDS},
            },
            "line_items": {
                "type": "array",
                "minItems": 1,
                "maxItems": 50,
                "items": {
                    "type": "object",
                    "required": ["product_id"],
                    "properties": {"product_id": _ID, "quantity": {"type": "integer", "minimum": 1, "maximum": 1000}},
                },
            },
            "order_type": {"enum": ["one-time-order", "subscription"]},
            "funnel_name": _TEXT,
            "page_name": _TEXT,
            "notes": {"type": ["string", "null"], "maxLength": 2000},
        },
        "oneOf": [{"required": ["contact_id"]}, {"required": ["contact"]}],
    },
    "form": {"type": "object", "required": ["name"], "properties": {"workspace_id": _ID, "name": _TEXT}},
    "submission": {
        "type": "object",
        "required": ["data"],
        "properties": {"data": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 2000}}},
    },
    "course": {
        "type": "object",
        "required": ["title"],
        "properties": {
            "workspace_id": _ID,
            "title": _TEXT,
            "description": {"type": ["string", "null"]},
            "published": {"type": "boolean"},
        },
    },
    "workspace": {
        "type": "object",
        "required": ["name"],
        "properties": {"team_id": _ID, "name": _TEXT, "subdomain": {"type": "string", "pattern": "^[a-z0-9-]{1,63}$"}},
    },
}
_VALIDATORS = {name: Draft202012Validator(schema) for name, schema in _SCHEMAS.items()}


def create_order(call: Call) -> Reply:
    """A buyer completes an order form: order.created, then one-time-order.completed or
    subscription.activated (and contact.created for a new buyer)."""
    body = admin_body(_VALIDATORS["order"], call.body)
    workspace = _workspace(call, body)
    lines = order_lines(call, workspace["id"], body["line_items"])  # checked before a buyer is created
    contact = buyer(call, workspace["id"], body.get("contact_id"), body.get("contact"))
    order = place_order(call, workspace["id"], contact, lines, body)
    return Reply(201, records.order(call.tenant, order))


def create_form(call: Call) -> Reply:
    """A form built in a funnel (visitors submit it through `forms/{form_id}/submissions`)."""
    body = admin_body(_VALIDATORS["form"], call.body)
    workspace = _workspace(call, body)
    row = records.create(call, FORMS, workspace_id=workspace["id"], name=body["name"])
    return Reply(201, records.form(row))


def create_submission(call: Call) -> Reply:
    """A visitor submits a form: form_submission.created (and the contact events)."""
    body = admin_body(_VALIDATORS["submission"], call.body)
    form = records.addressed(call, FORMS)
    return Reply(201, records.submission(submit_form(call, form, body["data"])))


def create_course(call: Call) -> Reply:
    """A course built in the app: course.created."""
    body = admin_body(_VALIDATORS["course"], call.body)
    workspace = _workspace(call, body)
    row = add_course(call, workspace["id"], body["title"], body.get("description"), published=body.get("published", True))
    return Reply(201, records.course(row))


def create_workspace(call: Call) -> Reply:
    """Another workspace in a team (`team_id`, default the account's first team)."""
    body = admin_body(_VALIDATORS["workspace"], call.body)
    teams = call.tenant.table(TEAMS)
    team = teams.get(body["team_id"]) if "team_id" in body else next(teams.rows(), None)
    if team is None:
        raise NotFound("no such team")
    subdomain = body.get("subdomain") or "-".join(body["name"].lower().split())
    row = add_workspace(call.tenant, call.services, team["id"], body["name"], subdomain)
    return Reply(201, records.workspace_view(row))


ACTIONS = {
    ("POST", "orders"): create_order,
    ("POST", "forms"): create_form,
    ("POST", "forms/<int:form_id>/submissions"): create_submission,
    ("POST", "courses"): create_course,
    ("POST", "workspaces"): create_workspace,
}

# The admin API's document of those actions (Provider.admin_schemas).
_NO_WORKSPACE = "No workspace has that workspace_id"
SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "orders"): {
        "body": _SCHEMAS["order"],
        "responses": {
            201: "The order",
            404: "No such workspace, or no such contact in it",
            422: "The body breaks the schema, or a product is not a live product of the workspace",
        },
    },
    ("POST", "forms"): {"body": _SCHEMAS["form"], "responses": {201: "The form", 404: _NO_WORKSPACE}},
    ("POST", "forms/<int:form_id>/submissions"): {
        "body": _SCHEMAS["submission"],
        "responses": {201: "The submission", 404: "No such form"},
    },
    ("POST", "courses"): {"body": _SCHEMAS["course"], "responses": {201: "The course", 404: _NO_WORKSPACE}},
    ("POST", "workspaces"): {"body": _SCHEMAS["workspace"], "responses": {201: "The workspace", 404: "No team has that team_id"}},
}


def _workspace(call: Call, body: dict[str, Any]) -> Row:
    """The workspace named in the body, else the account's first one."""
    workspaces = call.tenant.table(WORKSPACES)
    found = workspaces.get(body["workspace_id"]) if "workspace_id" in body else next(workspaces.rows(), None)
    if found is None:
        raise NotFound("no such workspace")
    return found
