"""Simvoly Website API: contacts, members and groups, store, orders, form submissions,
bookings, subscriber lists and webhooks."""

from __future__ import annotations

from werkzeug.wrappers import Request

from mockserver.engine.errors import ApiError
from mockserver.providers.base import Provider, by_convention, spec_path
from mockserver.providers.simvoly import admin, audience, contacts, demo, members, shop, webhooks
from mockserver.providers.simvoly.errors import render_error


def _user_agent_required(request: Request) -> None:
    """Clients must identify themselves with a User-Agent (e.g. MyApp/1.0.1)."""
    if not request.headers.get("User-Agent", "").strip():
        raise ApiError("The User-Agent header is required (e.g. MyApp/1.0.1).", status=400)


HANDLERS = {
    "listContacts": contacts.list_contacts,
    "createContact": contacts.create_contact,
    "searchContactByEmail": contacts.search_contact,
    "getContact": contacts.get_contact,
    "updateContact": contacts.update_contact,
    "deleteContact": contacts.delete_contact,
    "listMembers": members.list_members,
    "createMember": members.create_member,
    "searchMemberByEmail": members.search_member,
    "startMemberSession": members.start_session,
    "getMember": members.get_member,
    "updateMember": members.update_member,
    "listMemberGroups": members.list_groups,
    "createMemberGroup": members.create_group,
    "getMemberGroup": members.get_group,
    "updateMemberGroup": members.update_group,
    "deleteMemberGroup": members.delete_group,
    "listProducts": shop.list_products,
    "createProduct": shop.create_product,
    "listProductCategories": shop.list_categories,
    "getProduct": shop.get_product,
    "updateProduct": shop.update_product,
    "listOrders": shop.list_orders,
    "getOrder": shop.get_order,
    "updateOrder": shop.update_order,
    "listFormSubmissions": audience.list_submissions,
    "listBookings": audience.list_bookings,
    "listSubscriberLists": audience.list_lists,
    "createSubscriberList": audience.create_list,
    "getSubscriberList": audience.get_list,
    "updateSubscriberList": audience.update_list,
    "deleteSubscriberList": audience.delete_list,
    "listWebhooks": webhooks.list_webhooks,
    "createWebhook": webhooks.create_webhook,
    "deleteWebhook": webhooks.delete_webhook,
}

PROVIDER = Provider(
    name="simvoly",
    title="Simvoly Website API",
    spec_file=spec_path("simvoly"),
    handlers=HANDLERS,
    render_error=render_error,
    **by_convention(demo=demo, webhooks=webhooks, admin=admin),
    pages={("GET", "members/sso"): members.sso_page},
    preflight=_user_agent_required,
)
