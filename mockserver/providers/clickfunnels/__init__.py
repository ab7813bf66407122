"""ClickFunnels 2.0: teams, workspaces, contacts, tags, products, orders, fulfillments,
courses, forms, outgoing webhooks and images."""

from __future__ import annotations

from werkzeug.wrappers import Request

from mockserver.engine.errors import Forbidden
from mockserver.providers.base import Provider, by_convention, spec_path
from mockserver.providers.clickfunnels import admin, commerce, contacts, demo, images, learning, records, webhooks
from mockserver.providers.clickfunnels.errors import render_error
from mockserver.providers.clickfunnels.listing import READS


def _front_door(request: Request) -> None:
    """Cloudflare in front of the API stops requests that carry no User-Agent."""
    if not request.headers.get("User-Agent", "").strip():
        raise Forbidden("blocked")


# operationId -> handler; the reads of a plain table are declared here (listing.READS).
HANDLERS = {
    "listTeams": READS.lister(records.TEAMS, records.team, within=None),
    "getTeam": READS.getter(records.TEAMS, records.team),
    "listWorkspaces": READS.lister(records.WORKSPACES, records.workspace_view, within=records.TEAMS),
    "getWorkspace": READS.getter(records.WORKSPACES, records.workspace_view),
    "listContacts": contacts.list_contacts,
    "createContact": contacts.create_contact,
    "upsertContact": contacts.upsert_contact,
    "getContact": contacts.get_contact,
    "updateContact": contacts.update_contact,
    "patchContact": contacts.update_contact,
    "deleteContact": contacts.delete_contact,
    "listContactTags": READS.lister(records.TAGS, records.tag),
    "createContactTag": contacts.create_tag,
    "getContactTag": READS.getter(records.TAGS, records.tag),
    "listAppliedTags": READS.lister(records.APPLIED_TAGS, records.applied_tag, within=records.CONTACTS),
    "createAppliedTag": contacts.create_applied_tag,
    "deleteAppliedTag": contacts.delete_applied_tag,
    "listProducts": READS.lister(records.PRODUCTS, records.product),
    "createProduct": commerce.create_product,
    "getProduct": READS.getter(records.PRODUCTS, records.product),
    "updateProduct": commerce.update_product,
    "archiveProduct": commerce.archive_product,
    "unarchiveProduct": commerce.unarchive_product,
    "listOrders": commerce.list_orders,
    "getOrder": commerce.get_order,
    "listFulfillments": READS.lister(records.FULFILLMENTS, records.fulfillment),
    "createFulfillment": commerce.create_fulfillment,
    "getFulfillment": READS.getter(records.FULFILLMENTS, records.fulfillment),
    "cancelFulfillment": commerce.cancel_fulfillment,
    "listCourses": READS.lister(records.COURSES, records.course),
    "getCourse": READS.getter(records.COURSES, records.course),
    "listEnrollments": READS.lister(records.ENROLLMENTS, records.enrollment, within=records.COURSES),
    "createEnrollment": learning.create_enrollment,
    "getEnrollment": READS.getter(records.ENROLLMENTS, records.enrollment),
    "listForms": READS.lister(records.FORMS, records.form),
    "getForm": READS.getter(records.FORMS, records.form),
    "listSubmissions": READS.lister(records.SUBMISSIONS, records.submission, within=records.FORMS),
    "getSubmission": READS.getter(records.SUBMISSIONS, records.submission),
    "listWebhookEndpoints": READS.lister(records.ENDPOINTS, records.endpoint),
    "createWebhookEndpoint": webhooks.create_endpoint,
    "getWebhookEndpoint": READS.getter(records.ENDPOINTS, records.endpoint),
    "updateWebhookEndpoint": webhooks.update_endpoint,
    "deleteWebhookEndpoint": webhooks.delete_endpoint,
    "listImages": READS.lister(records.IMAGES, records.image),
    "createImage": images.create_image,
    "getImage": READS.getter(records.IMAGES, records.image),
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
