"""A new account's team and workspace, and the demo account's data (deterministic for a
seed): two workspaces, contacts, tags, products, orders, fulfillments, a course, a form."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from mockserver.engine.context import Call, Services
from mockserver.engine.store import Row, Tenant
from mockserver.providers.base import Handler, demo_call
from mockserver.providers.clickfunnels import records
from mockserver.providers.clickfunnels.catalog import PRODUCT_TAG
from mockserver.providers.clickfunnels.commerce import add_fulfillment, add_product
from mockserver.providers.clickfunnels.contacts import add_contact
from mockserver.providers.clickfunnels.forms import FIELD, FIELD_SET, OPTION
from mockserver.providers.clickfunnels.images import add_image
from mockserver.providers.clickfunnels.learning import add_course, add_lesson, add_section, enroll
from mockserver.providers.clickfunnels.orders import ORDER_TAG, bill, create_applied_tag
from mockserver.providers.clickfunnels.records import (
    CONTACTS,
    FORMS,
    LINE_ITEMS,
    LOCATION_GROUPS,
    ORDERS,
    TAGS,
    TEAMS,
    USERS,
    WORKSPACES,
)
from mockserver.providers.clickfunnels.sales import place_order, submit_form
from mockserver.providers.clickfunnels.shipping import LOCATION, PACKAGE, PROFILE, RATE, RATE_NAME, ZONE
from mockserver.providers.clickfunnels.users import add_owner

# Demo records are dated from here on, whatever day the demo is loaded.
DEMO_START = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
PRODUCTS = (
    ("Funnel Hacking Secrets", 99700),
    ("Traffic Secrets Book", 1995),
    ("One Funnel Away", 10000),
    ("Inner Circle Coaching", 249700),
    ("Sticker Pack", 499),
    ("Legacy Webinar Replay", 4700),
)
TAG_NAMES = (
    ("Lead", "#3b82f6"),
    ("Customer", "#10b981"),
    ("VIP", "#f59e0b"),
    ("Webinar", "#8b5cf6"),
    ("Abandoned cart", "#ef4444"),
    ("Affiliate", "#6b7280"),
)


def init_tenant(tenant: Tenant, services: Services) -> None:
    """A new account has one team with one workspace."""
    records.init_tables(tenant)
    team = records.new_record(
        tenant,
        services.random,
        TEAMS,
        services.clock.time(),
        name="My Team",
        time_zone="Eastern Time (US & Canada)",
        locale="en",
    )
    add_workspace(tenant, services, team["id"], "My Workspace", "myworkspace")
    add_owner(tenant, services)


def add_workspace(tenant: Tenant, services: Services, team_id: int, name: str, subdomain: str) -> Row:
    return records.new_record(
        tenant, services.random, WORKSPACES, services.clock.time(), team_id=team_id, name=name, subdomain=subdomain
    )


def seed_demo(tenant: Tenant, services: Services, seed: int) -> None:
    rng = services.random.derived("clickfunnels", "demo", seed=seed)
    fake = services.random.faker("clickfunnels", "demo", seed=seed)
    call = demo_call(tenant, services, "clickfunnels", seed, DEMO_START)
    demo, clock = call.services, call.clock

    # The account's own team and workspace become the demo ones (public ids from the seed).
    first = _restyle(tenant, demo, WORKSPACES, next(tenant.table(WORKSPACES).rows()), name="Demo Workspace", subdomain="demo")
    team = _restyle(tenant, demo, TEAMS, tenant.table(TEAMS).get(first["team_id"]) or {}, name="Demo Team")
    second = add_workspace(tenant, demo, team["id"], "Second Store", "second-store")

    for workspace, contact_count, product_count in ((first, 40, len(PRODUCTS)), (second, 8, 2)):
        tag_ids = []
        for name, color in TAG_NAMES[: 6 if workspace is first else 2]:
            clock.advance(60)
            tag = records.create(call, TAGS, workspace_id=workspace["id"], name=name, color=color)
            tag_ids.append(tag["id"])
        products = []
        for name, cents in PRODUCTS[:product_count]:
            clock.advance(60)
            products.append(add_product(call, workspace["id"], name, cents, "USD", {"visible_in_store": True}))
        if workspace is first:
            products[-1]["archived"] = True
            products = products[:-1]
        for _ in range(contact_count):
            clock.advance(3600 * rng.uniform(2, 40))
            first_name, last_name = fake.first_name(), fake.last_name()
            email = f"{first_name}.{last_name}{rng.randint(1, 99)}@{fake.free_email_domain()}".lower().replace("'", "")
            if tenant.table(CONTACTS).find("email", (workspace["id"], email)) is not None:
                continue
            add_contact(
                call,
                workspace["id"],
                {
                    "email_address": email,
                    "first_name": first_name,
                    "last_name": last_name,
                    "phone_number": fake.numerify("+1 ###-###-####") if rng.random() < 0.6 else None,
                    "time_zone": rng.choice(("Eastern Time (US & Canada)", "Pacific Time (US & Canada)", "London")),
                    "tag_ids": rng.sample(tag_ids, rng.randint(0, min(3, len(tag_ids)))),
                    "custom_attributes": {"Source": rng.choice(("Webinar", "Ads", "Organic"))},
                },
            )
        buyers = [c for c in tenant.table(CONTACTS).rows() if c["workspace_id"] == workspace["id"]]
        for buyer in rng.sample(buyers, 15 if workspace is first else 2):
            clock.advance(3600 * rng.uniform(1, 30))
            lines = [(product, rng.randint(1, 2)) for product in rng.sample(products, rng.randint(1, 2))]
            kind = rng.choice(("one-time-order", "one-time-order", "subscription"))
            place_order(call, workspace["id"], buyer, lines, {"order_type": kind}, billed=False)

    _demo_fulfillments(call, first, rng)
    clock.advance(3600)
    course = add_course(call, first["id"], "Funnel Builder Academy", "Build your first funnel in 7 days.", published=True)
    for contact in rng.sample([c for c in tenant.table(CONTACTS).rows() if c["workspace_id"] == first["id"]], 10):
        clock.advance(600)
        enroll(call, course, contact)
    clock.advance(600)
    form = records.create(call, FORMS, workspace_id=first["id"], name="Webinar Registration")
    for _ in range(12):
        clock.advance(1800)
        name = fake.first_name()
        email = f"{name.lower()}.{rng.randint(100, 999)}@{fake.free_email_domain()}"
        submit_form(call, form, {"email_address": email, "first_name": name, "webinar_date": "2024-06-12"})
    for filename in ("logo.png", "hero-banner.jpg", "product-shot.webp"):
        clock.advance(60)
        add_image(call, first["id"], filename, filename, filename.split(".")[0].replace("-", " "))
    # Made after all the above, so that adding them changed none of it.
    _demo_billing(call)
    _demo_extras(call, first, course, form)


def _demo_billing(call: Call) -> None:
    """Every order's invoice and payment, dated when it was placed."""
    for order in list(call.tenant.table(ORDERS).rows()):
        bill(call, order, order["created_at"])


def _api(call: Call, handler: Handler, params: dict[str, Any], body: dict[str, Any]) -> Any:
    """What the API answers `handler` (the demo's clock and ids; its events go nowhere)."""
    call.clock.advance(60)
    return handler(Call(call.tenant, call.services, params, body)).body


def _demo_extras(call: Call, space: Row, course: Row, form: Row) -> None:
    """The course's modules, the form's fields, tags, a location, shipping and the owner."""
    for title, lessons in (("Getting Started", ("Welcome", "Your first funnel")), ("Traffic", ("Paid ads", "Organic reach"))):
        section = add_section(call, course, title, None)
        for lesson in lessons:
            add_lesson(call, section, lesson, None)
    field_set = _api(call, FIELD_SET.creator(), {"form_id": form["id"]}, {"forms_field_set": {"title": "Your details"}})
    date, *_ = (
        _api(call, FIELD.creator(), {"field_set_id": field_set["id"]}, {"forms_field": {"label": label, "field_type": kind}})
        for label, kind in (("Webinar date", "select"), ("Email", "email"), ("First name", "text"))
    )
    for label in ("June 12", "June 19"):
        _api(call, OPTION.creator(), {"field_id": date["id"]}, {"forms_fields_option": {"label": label}})
    ids = {"workspace_id": space["id"]}
    for name, color in (("Books", "emerald"), ("Coaching", "indigo")):
        _api(call, PRODUCT_TAG.creator(), ids, {"products_tag": {"name": name, "color": color}})
    rush = _api(call, ORDER_TAG.creator(), ids, {"orders_tag": {"name": "Rush", "color": "#ef4444"}})
    _api(call, ORDER_TAG.creator(), ids, {"orders_tag": {"name": "Gift", "color": "#10b981"}})
    _api(call, create_applied_tag, {"order_id": 1}, {"orders_applied_tag": {"tag_id": rush["id"]}})
    address = {"address_one": "3443 W. Bavaria St.", "city": "Eagle", "region": "ID", "country": "US", "postal_code": "83616"}
    warehouse = {
        "name": "Main Warehouse",
        "address_name": "Warehouse",
        "email_address": "shipping@example.com",
        "address": address,
    }
    _api(call, LOCATION.creator(), ids, {"fulfillments_location": warehouse})
    _demo_shipping(call, space)
    owner = next(call.tenant.table(USERS).rows())
    _restyle(call.tenant, call.services, USERS, owner, first_name="Demo", last_name="Owner", email="owner@demo.example.com")


def _demo_shipping(call: Call, space: Row) -> None:
    """Physical goods ship from the warehouse: a standard and an express rate in the US."""
    ids = {"workspace_id": space["id"]}
    products = call.tenant.table(records.PRODUCTS).rows()
    variants = [p["variants"][0]["id"] for p in products if p["workspace_id"] == space["id"]][:2]
    profile = _api(call, PROFILE.creator(), ids, {"shipping_profile": {"name": "Physical goods", "variant_ids": variants}})
    group = next(g for g in call.tenant.table(LOCATION_GROUPS).rows() if g["profile_id"] == profile["id"])
    zone = _api(call, ZONE.creator(), {"location_group_id": group["id"]}, {"shipping_zone": {"name": "United States"}})
    for name, price in (("Standard", "5.00"), ("Express", "15.00")):
        rate_name = _api(call, RATE_NAME.creator(), ids, {"shipping_rates_name": {"name": name}})
        body = {"shipping_rate": {"price": price, "price_currency": "USD", "rates_name_id": rate_name["id"]}}
        _api(call, RATE.creator(), {"zone_id": zone["id"]}, body)
    box = {"name": "Small box", "package_type": "box", "height": 4, "width": 6, "length": 9, "distance_unit": "in"}
    _api(call, PACKAGE.creator(), ids, {"shipping_package": {**box, "default_package": True}})


def _restyle(tenant: Tenant, services: Services, table: str, row: Row, **changes: object) -> Row:
    stamp = services.clock.time()
    fresh = {
        **row,
        **changes,
        "public_id": records.public_id(tenant.table(table), services.random),
        "created_at": stamp,
        "updated_at": stamp,
    }
    return tenant.table(table).replace(row["id"], fresh)


def _demo_fulfillments(call: Call, workspace: Row, rng: random.Random) -> None:
    """Four shipped orders, the last one's fulfillment cancelled."""
    tenant = call.tenant
    orders = [o for o in tenant.table(ORDERS).rows() if o["workspace_id"] == workspace["id"]]
    for index, order in enumerate(rng.sample(orders, 4)):
        call.clock.advance(7200)
        items = [item for item in map(tenant.table(LINE_ITEMS).get, order["line_item_ids"]) if item is not None]
        shipping = {"shipping_provider": "USPS", "tracking_code": f"9400{rng.randint(10**11, 10**12)}", "location_id": 1}
        status = "cancelled" if index == 3 else "fulfilled"
        parts = [(item["id"], item["quantity"]) for item in items]
        add_fulfillment(call, workspace["id"], order["contact_id"], status, shipping, parts)
