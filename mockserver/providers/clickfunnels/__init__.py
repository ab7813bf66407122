"""ClickFunnels 2.0: teams, workspaces, contacts, tags, products, orders, fulfillments,
courses, forms, outgoing webhooks and images."""

from __future__ import annotations

from werkzeug.wrappers import Request

from mockserver.engine.errors import Forbidden
from mockserver.providers.base import Provider, by_convention, spec_path
from mockserver.providers.clickfunnels import admin, commerce, contacts, demo, images, learning, records, webhooks
from mockserver.providers.clickfunnels.errors import render_error
from mockserver.providers.clickfunnels.listing import lists, shows


def _front_door(request: Request) -> None:
    """Cloudflare in front of the API stops requests that carry no User-Agent."""
    if not request.headers.get("User-Agent", "").strip():
        raise Forbidden("blocked")


# operationId -> handler; the reads of a plain table are declared here (listing.shows, listing.lists).
HANDLERS = {
    "listTeams": lists(records.TEAMS, records.team, within=None),
    "getTeam": shows(records.TEAMS, records.team),
    "listWorkspaces": lists(records.WORKSPACES, records.workspace_view, within=records.TEAMS),
    "getWorkspace": shows(records.WORKSPACES, records.workspace_view),
    "listContacts": contacts.list_contacts,
    "createContact": contacts.create_contact,
    "upsertContact": contacts.upsert_contact,
    "getContact": contacts.get_contact,
    "updateContact": contacts.update_contact,
    "patchContact": contacts.update_contact,
    "deleteContact": contacts.delete_contact,
    "listContactTags": lists(records.TAGS, records.tag),
    "createContactTag": contacts.create_tag,
    "getContactTag": shows(records.TAGS, records.tag),
    "listAppliedTags": lists(records.APPLIED_TAGS, records.applied_tag, within=records.CONTACTS),
    "createAppliedTag": contacts.create_applied_tag,
    "deleteAppliedTag": contacts.delete_applied_tag,
    "listProducts": lists(records.PRODUCTS, records.product),
    "createProduct": commerce.create_product,
    "getProduct": shows(records.PRODUCTS, records.product),
    "updateProduct": commerce.update_product,
    "archiveProduct": commerce.archive_product,
    "unarchiveProduct": commerce.unarchive_product,
    "listOrders": commerce.list_orders,
    "getOrder": commerce.get_order,
    "listFulfillments": lists(records.FULFILLMENTS, records.fulfillment),
    "createFulfillment": commerce.create_fulfillment,
    "getFulfillment": shows(records.FULFILLMENTS, records.fulfillment),
    "cancelFulfillment": commerce.cancel_fulfillment,
    "listCourses": lists(records.COURSES, records.course),
    "getCourse": shows(records.COURSES, records.course),
    "listEnrollments": lists(records.ENROLLMENTS, records.enrollment, within=records.COURSES),
    "createEnrollment": learning.create_enrollment,
    "getEnrollment": shows(records.ENROLLMENTS, records.enrollment),
    "listForms": lists(records.FORMS, records.form),
    "getForm": shows(records.FORMS, records.form),
    "listSubmissions": lists(records.SUBMISSIONS, records.submission, within=records.FORMS),
    "getSubmission": shows(records.SUBMISSIONS, records.submission),
    "listWebhookEndpoints": lists(records.ENDPOINTS, records.endpoint),
    "createWebhookEndpoint": webhooks.create_endpoint,
    "getWebhookEndpoint": shows(records.ENDPOINTS, records.endpoint),
    "updateWebhookEndpoint": webhooks.update_endpoint,
    "deleteWebhookEndpoint": webhooks.delete_endpoint,
    "listImages": lists(records.IMAGES, records.image),
    "createImage": images.create_image,
    "getImage": shows(records.IMAGES, records.image),
}

PROVIDER = Provider(
    name="clickfunnels",
    title="ClickFunnels 2.0",
    spec_file=spec_path("clickfunnels"),
    handlers=HANDLERS,
    render_error=render_error,
    **by_convention(demo=demo, webhooks=webhooks, admin=admin),
    preflight=_front_door,
    content_type="application/json; charset=utf-8",
)
