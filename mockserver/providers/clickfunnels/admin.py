"""Admin actions for what happens outside the API: orders placed by buyers, forms and
their submissions, courses, and more workspaces. Mounted under /__admin/clickfunnels/."""

from __future__ import annotations

from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.errors import NotFound
from mockserver.engine.store import Row
from mockserver.providers.base import AdminActions
from mockserver.providers.clickfunnels import records
from mockserver.providers.clickfunnels.demo import add_workspace
from mockserver.providers.clickfunnels.learning import add_course, add_lesson, add_section
from mockserver.providers.clickfunnels.orders import refund
from mockserver.providers.clickfunnels.records import FORMS, TEAMS, WORKSPACES
from mockserver.providers.clickfunnels.sales import buyer, order_lines, place_order, submit_form

ADMIN = AdminActions()
_ID = {"type": "integer", "minimum": 1}
_TEXT = {"type": "string", "minLength": 1, "maxLength": 255}
_NO_WORKSPACE = "No workspace has that workspace_id"
_ORDER = {
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
        "refunded": {"type": "boolean"},
    },
    "oneOf": [{"required": ["contact_id"]}, {"required": ["contact"]}],
}


@ADMIN.post(
    "orders",
    _ORDER,
    {
        201: "The order",
        404: "No such workspace, or no such contact in it",
        422: "The body breaks the schema, or a product is not a live product of the workspace",
    },
)
def create_order(call: Call, body: dict[str, Any]) -> Reply:
    """A buyer completes an order form: order.created, then one-time-order.completed or
    subscription.activated (and contact.created for a new buyer), its invoice and payment;
    `refunded`: then refunded at once, and what was not shipped restocked."""
    workspace = _workspace(call, body)
    lines = order_lines(call, workspace["id"], body["line_items"])  # checked before a buyer is created
    contact = buyer(call, workspace["id"], body.get("contact_id"), body.get("contact"))
    order = place_order(call, workspace["id"], contact, lines, body)
    if body.get("refunded"):
        order = refund(call, order)
    return Reply(201, records.order(call.tenant, order))


@ADMIN.post(
    "forms",
    {"type": "object", "required": ["name"], "properties": {"workspace_id": _ID, "name": _TEXT}},
    {201: "The form", 404: _NO_WORKSPACE},
)
def create_form(call: Call, body: dict[str, Any]) -> Reply:
    """A form built in a funnel (visitors submit it through `forms/{form_id}/submissions`)."""
    workspace = _workspace(call, body)
    row = records.create(call, FORMS, workspace_id=workspace["id"], name=body["name"])
    return Reply(201, records.form(row))


@ADMIN.post(
    "forms/<int:form_id>/submissions",
    {
        "type": "object",
        "required": ["data"],
        "properties": {"data": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 2000}}},
    },
    {201: "The submission", 404: "No such form"},
)
def create_submission(call: Call, body: dict[str, Any]) -> Reply:
    """A visitor submits a form: form_submission.created (and the contact events)."""
    form = records.addressed(call, FORMS)
    return Reply(201, records.submission(submit_form(call, form, body["data"])))


_LESSON: dict[str, Any] = {
    "type": "object",
    "required": ["title"],
    "properties": {"title": _TEXT, "body": {"type": ["string", "null"], "maxLength": 100000}},
}
_SECTION: dict[str, Any] = {
    "type": "object",
    "required": ["title"],
    "properties": {
        "title": _TEXT,
        "description": {"type": ["string", "null"], "maxLength": 10000},
        "lessons": {"type": "array", "maxItems": 50, "items": _LESSON},
    },
}


@ADMIN.post(
    "courses",
    {
        "type": "object",
        "required": ["title"],
        "properties": {
            "workspace_id": _ID,
            "title": _TEXT,
            "description": {"type": ["string", "null"]},
            "published": {"type": "boolean"},
            "sections": {"type": "array", "maxItems": 50, "items": _SECTION},
        },
    },
    {201: "The course", 404: _NO_WORKSPACE},
)
def create_course(call: Call, body: dict[str, Any]) -> Reply:
    """A course built in the app, with its sections and their lessons: course.created, then
    courses/section.created and courses/lesson.created for each."""
    workspace = _workspace(call, body)
    row = add_course(call, workspace["id"], body["title"], body.get("description"), published=body.get("published", True))
    for part in body.get("sections", []):
        section = add_section(call, row, part["title"], part.get("description"))
        for lesson in part.get("lessons", []):
            add_lesson(call, section, lesson["title"], lesson.get("body"))
    return Reply(201, records.course(row))


@ADMIN.post(
    "workspaces",
    {
        "type": "object",
        "required": ["name"],
        "properties": {"team_id": _ID, "name": _TEXT, "subdomain": {"type": "string", "pattern": "^[a-z0-9-]{1,63}$"}},
    },
    {201: "The workspace", 404: "No team has that team_id"},
)
def create_workspace(call: Call, body: dict[str, Any]) -> Reply:
    """Another workspace in a team (`team_id`, default the account's first team)."""
    teams = call.tenant.table(TEAMS)
    team = teams.get(body["team_id"]) if "team_id" in body else next(teams.rows(), None)
    if team is None:
        raise NotFound("no such team")
    subdomain = body.get("subdomain") or "-".join(body["name"].lower().split())
    row = add_workspace(call.tenant, call.services, team["id"], body["name"], subdomain)
    return Reply(201, records.workspace_view(row))


def _workspace(call: Call, body: dict[str, Any]) -> Row:
    """The workspace named in the body, else the account's first one."""
    workspaces = call.tenant.table(WORKSPACES)
    found = workspaces.get(body["workspace_id"]) if "workspace_id" in body else next(workspaces.rows(), None)
    if found is None:
        raise NotFound("no such workspace")
    return found
