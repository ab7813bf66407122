"""ClickFunnels 2.0: teams, workspaces, contacts, tags, products, orders, fulfillments,
courses, forms, outgoing webhooks and images."""

from __future__ import annotations

from werkzeug.wrappers import Request

from mockserver.engine.errors import Forbidden
from mockserver.providers.base import Provider, by_convention, spec_path
from mockserver.providers.clickfunnels import admin, commerce, contacts, demo, images, learning, teams, webhooks
from mockserver.providers.clickfunnels.errors import render_error


def _front_door(request: Request) -> None:
    """Cloudflare in front of the API stops requests that carry no User-Agent."""
    if not request.headers.get("User-Agent", "").strip():
        raise Forbidden("blocked")


HANDLERS = {
    "listTeams": teams.list_teams,
    "getTeam": teams.get_team,
    "listWorkspaces": teams.list_workspaces,
    "getWorkspace": teams.get_workspace,
    "listContacts": contacts.list_contacts,
    "createContact": contacts.create_contact,
    "upsertContact": contacts.upsert_contact,
    "getContact": contacts.get_contact,
    "updateContact": contacts.update_contact,
    "patchContact": contacts.update_contact,
    "deleteContact": contacts.delete_contact,
    "listContactTags": contacts.list_tags,
    "createContactTag": contacts.create_tag,
    "getContactTag": contacts.get_tag,
    "listAppliedTags": contacts.list_applied_tags,
    "createAppliedTag": contacts.create_applied_tag,
    "deleteAppliedTag": contacts.delete_applied_tag,
    "listProducts": commerce.list_products,
    "createProduct": commerce.create_product,
    "getProduct": commerce.get_product,
    "updateProduct": commerce.update_product,
    "archiveProduct": commerce.archive_product,
    "unarchiveProduct": commerce.unarchive_product,
    "listOrders": commerce.list_orders,
    "getOrder": commerce.get_order,
    "listFulfillments": commerce.list_fulfillments,
    "createFulfillment": commerce.create_fulfillment,
    "getFulfillment": commerce.get_fulfillment,
    "cancelFulfillment": commerce.cancel_fulfillment,
    "listCourses": learning.list_courses,
    "getCourse": learning.get_course,
    "listEnrollments": learning.list_enrollments,
    "createEnrollment": learning.create_enrollment,
    "getEnrollment": learning.get_enrollment,
    "listForms": learning.list_forms,
    "getForm": learning.get_form,
    "listSubmissions": learning.list_submissions,
    "getSubmission": learning.get_submission,
    "listWebhookEndpoints": webhooks.list_endpoints,
    "createWebhookEndpoint": webhooks.create_endpoint,
    "getWebhookEndpoint": webhooks.get_endpoint,
    "updateWebhookEndpoint": webhooks.update_endpoint,
    "deleteWebhookEndpoint": webhooks.delete_endpoint,
    "listImages": images.list_images,
    "createImage": images.create_image,
    "getImage": images.get_image,
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
