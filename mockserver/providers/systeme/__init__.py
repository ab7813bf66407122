"""Systeme.io: contacts, tags, fields, school, community, payments, funnels, e-mail and webhooks."""

from __future__ import annotations

from mockserver.engine.ratelimit import Quota
from mockserver.providers.base import Provider, by_convention, key_header, spec_path
from mockserver.providers.systeme import admin, contacts, demo, funnels, mailing, payments, school, tags, webhooks
from mockserver.providers.systeme.errors import render_error


def _quota_headers(quota: Quota) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(quota.limit),
        "X-RateLimit-Remaining": str(quota.remaining),
        "X-RateLimit-Refill": str(quota.reset_in),
    }


HANDLERS = {
    "listContacts": contacts.list_contacts,
    "createContact": contacts.create_contact,
    "getContact": contacts.get_contact,
    "updateContact": contacts.update_contact,
    "deleteContact": contacts.delete_contact,
    "assignTagToContact": contacts.assign_tag,
    "removeTagFromContact": contacts.remove_tag,
    "listTags": tags.list_tags,
    "createTag": tags.create_tag,
    "getTag": tags.get_tag,
    "updateTag": tags.update_tag,
    "deleteTag": tags.delete_tag,
    "listContactFields": tags.list_contact_fields,
    "createContactField": tags.create_contact_field,
    "updateContactField": tags.update_contact_field,
    "deleteContactField": tags.delete_contact_field,
    "listCourses": school.list_courses,
    "createEnrollment": school.create_enrollment,
    "listEnrollments": school.list_enrollments,
    "deleteEnrollment": school.delete_enrollment,
    "listCommunities": school.list_communities,
    "createMembership": school.create_membership,
    "listMemberships": school.list_memberships,
    "deleteMembership": school.delete_membership,
    "listSubscriptions": payments.list_subscriptions,
    "cancelSubscription": payments.cancel_subscription,
    "listFunnels": funnels.list_funnels,
    "createFunnel": funnels.create_funnel,
    "getFunnel": funnels.get_funnel,
    "listCampaigns": mailing.list_campaigns,
    "createCampaign": mailing.create_campaign,
    "getCampaign": mailing.get_campaign,
    "updateCampaign": mailing.update_campaign,
    "deleteCampaign": mailing.delete_campaign,
    "listNewsletters": mailing.list_newsletters,
    "createNewsletter": mailing.create_newsletter,
    "getNewsletter": mailing.get_newsletter,
    "updateNewsletter": mailing.update_newsletter,
    "setNewsletterIncludedTags": mailing.set_included_tags,
    "setNewsletterExcludedTags": mailing.set_excluded_tags,
    "scheduleNewsletter": mailing.schedule_newsletter,
    "sendNewsletter": mailing.send_newsletter,
    "listWebhooks": webhooks.list_webhooks,
    "createWebhook": webhooks.create_webhook,
    "getWebhook": webhooks.get_webhook,
    "updateWebhook": webhooks.update_webhook,
    "deleteWebhook": webhooks.delete_webhook,
}

PROVIDER = Provider(
    name="systeme",
    title="Systeme.io",
    spec_file=spec_path("systeme"),
    handlers=HANDLERS,
    credentials=key_header("X-API-Key"),
    render_error=render_error,
    **by_convention(demo=demo, webhooks=webhooks, admin=admin),
    quota_headers=_quota_headers,
    client_headers=lambda key: {"X-API-Key": key},
    # API Platform routes any identifier and answers 404 for one that names nothing.
    typed_routes=False,
)
