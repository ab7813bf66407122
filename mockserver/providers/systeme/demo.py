"""A new account's defaults, and the demo account's data (deterministic for a seed)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from mockserver.engine.context import Call, Services
from mockserver.engine.store import Tenant
from mockserver.providers.systeme import records
from mockserver.providers.systeme.payments import record_sale
from mockserver.providers.systeme.records import CAMPAIGNS, CONTACTS, NEWSLETTERS
from mockserver.providers.systeme.tags import add_field

# Demo records are dated between these instants, whatever day the demo is loaded.
DEMO_START = datetime(2024, 1, 8, 9, 0, tzinfo=UTC).timestamp()
DEMO_END = datetime(2026, 6, 30, 18, 0, tzinfo=UTC).timestamp()

DEMO_TAGS = ("Lead", "Customer", "VIP", "Newsletter", "Webinar attendee", "Black Friday", "Affiliate", "Churned")
DEMO_COURSES = (
    ("Email Marketing Masterclass", ("Getting started", "Building your list", "Writing campaigns", "Automation")),
    ("Sales Funnel Blueprint", ("Funnel basics", "Landing pages", "Upsells", "Analytics")),
    ("Podcast Launch Kit", ("Equipment", "Recording", "Publishing")),
)
DEMO_COMMUNITIES = ("Funnel Builders Club", "Course Creators Circle")
CONTACT_COUNT = 60
DOMAIN = "demo.systeme.io"


def init_tenant(tenant: Tenant, _: Services) -> None:
    records.init_tables(tenant)
    tenant.settings["payments"] = False
    for name, slug in records.DEFAULT_FIELDS:
        add_field(tenant, name, slug)


def seed_demo(tenant: Tenant, services: Services, seed: int) -> None:
    rng = services.random.derived("systeme", "demo", seed=seed)
    fake = services.random.faker("systeme", "demo", seed=seed)
    tenant.settings["payments"] = True
    step = (DEMO_END - DEMO_START) / (CONTACT_COUNT + len(DEMO_TAGS) + 10)
    moment = DEMO_START

    tag_ids = []
    for name in DEMO_TAGS:
        tag_ids.append(records.add_tag(tenant, name, moment)["id"])
        moment += step / 4

    contacts = tenant.table(CONTACTS)
    for _ in range(CONTACT_COUNT):
        first, last = fake.first_name(), fake.last_name()
        email = f"{first}.{last}".lower().replace(" ", "").replace("'", "") + f"{rng.randint(1, 999)}@{fake.free_email_domain()}"
        if contacts.find("email", email.casefold()) is not None:
            continue
        fields = {"first_name": first, "surname": last}
        if rng.random() < 0.6:
            fields["phone_number"] = fake.numerify("+1 ###-###-####")
        if rng.random() < 0.5:
            fields["city"], fields["country"] = fake.city(), rng.choice(("US", "FR", "GB", "DE", "CA", "ES"))
        moment += step * rng.uniform(0.5, 1.5)
        records.add(
            tenant,
            CONTACTS,
            "contact",
            {
                "email": email,
                "registeredAt": moment,
                "locale": rng.choice(("en", "en", "en", "fr", "es", "de")),
                "sourceURL": rng.choice((None, "https://demo.systeme.io/optin", "https://demo.systeme.io/webinar")),
                "unsubscribed": rng.random() < 0.08,
                "bounced": rng.random() < 0.04,
                "needsConfirmation": rng.random() < 0.1,
                "fields": fields,
                "tags": sorted(rng.sample(tag_ids, rng.randint(0, 3))),
            },
        )

    contact_ids = [row["id"] for row in contacts.rows()]
    course_ids = []
    for number, (name, modules) in enumerate(DEMO_COURSES, 1):
        # The third course is inactive (the demo account is new: its courses are numbered from 1).
        course_ids.append(records.add_course(tenant, name, modules, active=number != 3, locale="en", domain=DOMAIN)["id"])
    for contact_id in rng.sample(contact_ids, 20):
        records.add_enrollment(tenant, contact_id, rng.choice(course_ids), moment)

    community_ids = [records.add_community(tenant, name, DOMAIN)["id"] for name in DEMO_COMMUNITIES]
    for contact_id in rng.sample(contact_ids, 15):
        records.add_membership(tenant, rng.choice(community_ids), contact_id, moment)

    _demo_sales(tenant, services, rng, contact_ids, moment)
    _demo_mailing(tenant, tag_ids, moment)


def _demo_mailing(tenant: Tenant, tag_ids: list[int], moment: float) -> None:
    """Two campaigns, a newsletter sent to the `Newsletter` tag (less `Churned`) and a draft."""
    for name, description in (("Welcome sequence", "Five e-mails for new leads"), ("Webinar follow-up", None)):
        records.add(tenant, CAMPAIGNS, "mailing_campaign", {"name": name, "senderEmail": None, "description": description})
    tag = dict(zip(DEMO_TAGS, tag_ids, strict=True))
    for subject, sent in (("Our spring sale starts today", True), ("Black Friday preview", False)):
        content = {
            "subject": subject,
            "previewText": None,
            "editorType": "classic",
            "bodyHtml": "<p>Hello {first_name},</p>",
            "senderEmail": None,
            "senderName": None,
        }
        included, excluded = ([tag["Newsletter"]], [tag["Churned"]]) if sent else ([], [])
        values = {"includedTags": included, "excludedTags": excluded, "sendAt": moment if sent else None, "createdAt": moment}
        records.add(tenant, NEWSLETTERS, "newsletter", {"content": content, **values})


def _demo_sales(tenant: Tenant, services: Services, rng: random.Random, contact_ids: list[int], moment: float) -> None:
    """Orders and subscriptions, made by the same code as admin-created sales. Seeding is
    not a request, so the events they record are never delivered."""
    plans = (
        {"name": "Email Marketing Masterclass", "amount": 19700, "type": "one_shot"},
        {"name": "Funnel Builders Club monthly", "amount": 2900, "type": "subscription", "interval": "month"},
        {
            "name": "Coaching in 3 payments",
            "amount": 9900,
            "type": "limited_subscription",
            "interval": "month",
            "limitOfPayments": 3,
        },
    )
    call = Call(tenant, services, {}, None)
    contacts = tenant.table(CONTACTS)
    for contact_id in rng.sample(contact_ids, 12):
        moment += 3600 * rng.uniform(1, 48)
        record_sale(call, contacts.get(contact_id) or {}, {"pricePlan": rng.choice(plans)}, at=moment)
