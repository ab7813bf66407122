"""A new account's defaults, and the demo account's data (deterministic for a seed),
consistent across areas: points belong to existing contacts and stores, segments hold
existing contacts, orders name existing contacts and stores."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from mockserver.engine.context import Call, Services
from mockserver.engine.store import Tenant
from mockserver.providers.base import demo_call
from mockserver.providers.yulsn import (
    companies,
    contacts,
    events,
    media,
    messaging,
    misc,
    orders,
    points,
    records,
    segments,
    stores,
    tables,
)

DEMO_START = datetime(2024, 4, 1, 8, 0, tzinfo=UTC)
# Dynamic fields of the demo account, by owner: (name, type, label, values).
DEMO_FIELDS: dict[str, list[tuple[str, int, str, list[str] | None]]] = {
    "Contacts": [
        ("Birthday", 4, "Birthday", None),
        ("Newsletter", 2, "Newsletter", None),
        ("LoyaltyTier", 1, "Loyalty tier", ["Bronze", "Silver", "Gold"]),
        ("Metadata", 1, "Metadata", None),
    ],
    "Orders": [("Channel", 1, "Sales channel", None)],
    "OrderLines": [("Color", 1, "Color", None)],
    "Stores": [("Region", 1, "Region", None)],
    "ContactCompanies": [("Industry", 1, "Industry", None)],
}
# The areas that seed themselves, in dependency order (contacts come after stores and
# companies, everything else after contacts).
BEFORE_CONTACTS = (stores, companies)
AFTER_CONTACTS = (events, points, tables, orders, segments, misc, messaging, media)
CONTACT_COUNT = 80


def init_tenant(tenant: Tenant, services: Services) -> None:
    records.init_tables(tenant)
    tenant.settings["account_id"] = account_id(tenant.key)


def account_id(api_key: str) -> int:
    """Each key's account has its own id (the same on every run), so urls that carry it
    (person data files, exports) never point into another account."""
    return 10_000 + int(hashlib.sha256(api_key.encode()).hexdigest()[:8], 16) % 990_000


def seed_demo(tenant: Tenant, services: Services, seed: int) -> None:
    call = demo_call(tenant, services, "yulsn", seed, DEMO_START)
    tenant.settings["dynamic_fields"] = {
        owner: [{"Name": n, "Type": t, "Label": label, "Values": values} for n, t, label, values in DEMO_FIELDS.get(owner, [])]
        for owner in records.OWNERS
    }
    tenant.settings["order_types"] = ["Webshop", "Store", "Subscription"]
    tenant.settings["point_types"] = ["Loyalty", "Bonus"]
    for area in BEFORE_CONTACTS:
        area.seed(call)
    _seed_contacts(call, seed)
    for area in AFTER_CONTACTS:
        area.seed(call)


def _seed_contacts(call: Call, seed: int) -> None:
    rng = call.services.random.derived("yulsn", "contacts", seed=seed)
    fake = call.services.random.faker("yulsn", "contacts", seed=seed, locale="da_DK")
    store_ids = [row["Id"] for row in call.tenant.table(records.STORES).rows()]
    company_ids = [row["Id"] for row in call.tenant.table(records.COMPANIES).rows()]
    for number in range(CONTACT_COUNT):
        call.clock.advance(3600 * rng.uniform(3, 30))
        first, last = fake.first_name(), fake.last_name()
        row = contacts.add_contact(
            call,
            {
                "Email": f"{first}.{last}.{number}@example.dk".lower().replace(" ", ""),
                "Phone": f"+45{20000000 + number * 7919 % 79999999}" if rng.random() < 0.7 else None,
                "PhoneCountryCode": "+45",
                "FirstName": first,
                "LastName": last,
                "EmailConfirmed": rng.random() < 0.8,
                "RegistrationSource": rng.choice(["Webshop", "Store", "Newsletter"]),
                "RegistrationIp": f"192.0.2.{rng.randint(1, 254)}",
                "RegistrationStoreId": rng.choice(store_ids) if store_ids and rng.random() < 0.5 else None,
                "PreferredStoreId": rng.choice(store_ids) if store_ids else None,
                "ContactCompanyId": rng.choice(company_ids) if company_ids and rng.random() < 0.2 else None,
                "LatestPermissionSource": "Signup form",
                "Newsletter": rng.random() < 0.6,
                "LoyaltyTier": rng.choice(["Bronze", "Silver", "Gold"]),
                "Birthday": f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T00:00:00+00:00",
            },
        )
        row["EmailBounced"] = rng.random() < 0.05
        if number % 10 == 0:
            row["PasswordHash"] = contacts._hash(row, "demo-password")
