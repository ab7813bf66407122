"""A new website's defaults, and the demo website's data (deterministic for a seed)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mockserver.engine.context import Call, Services
from mockserver.engine.store import Tenant
from mockserver.providers.base import demo_call
from mockserver.providers.simvoly import records
from mockserver.providers.simvoly.audience import book, submit_form
from mockserver.providers.simvoly.contacts import upsert
from mockserver.providers.simvoly.members import create_member
from mockserver.providers.simvoly.records import CATEGORIES, GROUPS, LISTS, PRODUCTS
from mockserver.providers.simvoly.shop import VARIANT_DEFAULTS, place_order, slug

DEMO_START = datetime(2024, 2, 5, 10, 0, tzinfo=UTC)
CATEGORY_TREE = (("Clothing", 0), ("Shoes", 1), ("T-Shirts", 1), ("Courses", 0), ("Gift cards", 0))
# (type, title, category ids, options (name, values), price)
PRODUCTS_DATA: tuple[tuple[str, str, list[int], list[tuple[str, list[str]]], float], ...] = (
    ("physical", "Trail Running Shoes", [2], [("Size", ["40", "41", "42", "43"])], 89.0),
    ("physical", "Organic Cotton Tee", [3], [("Size", ["S", "M", "L"]), ("Color", ["White", "Black"])], 25.0),
    ("physical", "Rain Jacket", [1], [], 120.0),
    ("digital", "Photography Masterclass", [4], [], 149.0),
    ("membership", "Premium Membership", [4], [], 19.0),
    ("service", "1:1 Coaching Call", [], [], 75.0),
    ("digital", "Gift Card 50", [5], [], 50.0),
)


def init_tenant(tenant: Tenant, services: Services) -> None:
    """A new website: its tables, and the website it is (id and domains)."""
    records.init_tables(tenant)
    site_id = 1_000_000 + services.random.bits(24)
    tenant.settings["website"] = _website(site_id, f"site-{services.random.token(3)}", None)


def _website(site_id: int, subdomain: str, domain: str | None) -> dict[str, Any]:
    """The website an account is: its id, its simvoly.com subdomain and its own domain."""
    return {"id": site_id, "subdomain": subdomain, "systemDomain": f"{subdomain}.simvoly.com", "domain": domain}


def seed_demo(tenant: Tenant, services: Services, seed: int) -> None:
    rng = services.random.derived("simvoly", "demo", seed=seed)
    fake = services.random.faker("simvoly", "demo", seed=seed)
    call = demo_call(tenant, services, "simvoly", seed, DEMO_START)
    demo, clock = call.services, call.clock
    tenant.settings["website"] = _website(4_242_424, "demo-store", "www.demo-store.example")
    at = int(clock.time())

    for name in ("Newsletter", "Customers", "Webinar leads"):
        records.insert_new(
            tenant,
            LISTS,
            "subscriber_list",
            {"name": name, "created": at, "opens": round(rng.uniform(0.2, 0.6), 2), "clicks": round(rng.uniform(0.02, 0.2), 2)},
        )
    for name in ("Basic Members", "Premium Members"):
        records.insert_new(tenant, GROUPS, "member_group", {"name": name, "link": f"/{slug(name)}"})
    for name, parent in CATEGORY_TREE:
        records.insert_new(tenant, CATEGORIES, "category", {"name": name, "url": slug(name), "parentCategory": parent})
    for kind, title, categories, options, price in PRODUCTS_DATA:
        product_id = tenant.next_id("product")
        values = [o[1] for o in options]
        combos: list[list[str]] = [[]]
        for option_values in values:
            combos = [c + [v] for c in combos for v in option_values]
        variants = [
            {
                **VARIANT_DEFAULTS,
                "options": combo,
                "price": price,
                "regularPrice": price,
                "quantity": rng.randint(0, 40) if kind == "physical" else 0,
                "sku": f"SKU-{product_id:03d}-{n}",
                "weight": 0.5 if kind == "physical" else 0,
            }
            for n, combo in enumerate(combos)
        ]
        tenant.table(PRODUCTS).insert(
            product_id,
            {
                "id": product_id,
                "type": kind,
                "title": title,
                "description": f"<p>{fake.sentence()}</p>",
                "url": slug(title),
                "hidden": False,
                "images": [f"https://cdn.demo-store.example/{slug(title)}.jpg"],
                "categoryIds": categories,
                "options": [{"name": n, "values": v, "advanced": False} for n, v in options],
                "variants": variants,
                "subscription": {"cycles": 0, "period": 1, "periodUnit": "MONTHLY"} if kind == "membership" else None,
                "file": f"https://files.demo-store.example/{slug(title)}.zip" if kind == "digital" else None,
            },
        )

    for _ in range(45):
        clock.advance(3600 * rng.uniform(4, 60))
        first, last = fake.first_name(), fake.last_name()
        upsert(
            call,
            {
                "email": f"{first}.{last}{rng.randint(1, 99)}@{fake.free_email_domain()}".lower().replace("'", ""),
                "name": f"{first} {last}",
                "phone": fake.numerify("+1 ###-###-####"),
                "city": fake.city(),
                "country": "US",
                "tags": rng.sample(["lead", "customer", "vip", "webinar"], rng.randint(0, 2)),
                "properties": [{"name": "lead_status", "value": rng.choice(["new", "contacted", "qualified"])}],
                "subscribed": rng.random() < 0.7,
                "subscriberLists": rng.sample([1, 2, 3], rng.randint(0, 2)),
            },
        )
    for index in range(8):
        clock.advance(3600 * 5)
        first, last = fake.first_name(), fake.last_name()
        create_member(
            Call(
                tenant,
                demo,
                {},
                {
                    "name": f"{first} {last}",
                    "email": f"member{index + 1}.{last.lower()}@example.com",
                    "groups": [1] if index % 3 else [1, 2],
                    "approved": index != 7,
                    "password": "demo-password" if index % 2 == 0 else None,
                },
            )
        )
    contacts = list(tenant.table(records.CONTACTS).rows())
    for _ in range(14):
        clock.advance(3600 * rng.uniform(5, 40))
        buyer = rng.choice(contacts)
        lines = [
            {"productId": rng.randint(1, len(PRODUCTS_DATA)), "quantity": rng.randint(1, 2)} for _ in range(rng.randint(1, 3))
        ]
        place_order(call, {"customerEmail": buyer["email"], "customerName": buyer["name"], "items": lines})
    for _ in range(10):
        clock.advance(3600 * rng.uniform(2, 30))
        name = fake.name()
        submit_form(
            call,
            "Contact form",
            [
                {"name": "Name", "value": name},
                {"name": "Email", "value": f"{slug(name).replace('-', '.')}@example.net"},
                {"name": "Message", "value": fake.sentence()},
            ],
        )
    for _ in range(6):
        clock.advance(3600 * rng.uniform(10, 50))
        name = fake.name()
        book(
            call,
            {
                "name": name,
                "email": f"{slug(name).replace('-', '.')}@example.org",
                "start": int(clock.time()) + 86400 * 3,
                "eventId": rng.choice([98146, 98147]),
                "eventName": "Discovery call",
                "location": "Zoom",
            },
        )
