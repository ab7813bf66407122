"""Contact companies: look-ups by number and by the primary contact's e-mail, create and
PATCH (unique `Number`; the primary contact and the parent company must exist), and the
association of contacts (a contact's `ContactCompanyId`)."""

from __future__ import annotations

from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row, Tenant
from mockserver.providers.yulsn import contacts, records
from mockserver.providers.yulsn.records import COMPANIES, CONTACTS, invalid

OWNER = "ContactCompanies"
STATIC = ("Name", "Number", "PrimaryContactId", "ContactCompanyId", "EmailDomains", "Logo")
# Demo companies: (name, number, e-mail domains, industry, index of the parent or None).
DEMO_COMPANIES = (
    ("Nordlys Holding A/S", "DK10000001", "nordlys.example.dk", "Holding", None),
    ("Nordlys Retail ApS", "DK10000002", "retail.nordlys.example.dk", "Retail", 0),
    ("Nordlys Logistik ApS", "DK10000003", "logistik.nordlys.example.dk", "Logistics", 0),
    ("Bølgen Café I/S", "DK20000001", "boelgen.example.dk", "Hospitality", None),
    ("Fyrtårn Consulting A/S", "DK30000001", "fyrtaarn.example.dk", "Consulting", None),
    ("Fyrtårn Digital ApS", "DK30000002", None, "Software", 4),
)


# -- rendering and storage ----------------------------------------------------------------
def render(tenant: Tenant, row: Row) -> dict[str, Any]:
    return records.with_dynamic(
        records.view(row, ("Id", *STATIC, "LastModified")), records.dynamic_fields(tenant, OWNER), row["Dynamic"]
    )


def _company(tenant: Tenant, company_id: int) -> Row:
    return records.require(tenant.table(COMPANIES), company_id, "ContactCompany")


def _check(tenant: Tenant, values: dict[str, Any], company_id: int | None) -> None:
    """The write rules: a `Number` no other company has (409); a primary contact and a
    parent company that exist (400); a company is not its own ancestor (400)."""
    companies = tenant.table(COMPANIES)
    number = values.get("Number")
    if number:
        records.unique(companies, "number", number, company_id, number)
    records.must_exist(tenant.table(CONTACTS), values.get("PrimaryContactId"), "Contact")
    parent = values.get("ContactCompanyId")
    if parent is None:
        return
    records.must_exist(companies, parent, "ContactCompany")
    seen: set[int] = set()
    while parent is not None and parent not in seen:
        if parent == company_id:
            raise invalid("A ContactCompany cannot be its own parent.")
        seen.add(parent)
        above = companies.get(parent)
        parent = above["ContactCompanyId"] if above else None


def add_company(call: Call, body: dict[str, Any]) -> Row:
    """Store a new company (the rules checked); used by the API and the demo."""
    tenant = call.tenant
    values = {name: body.get(name) for name in STATIC}
    _check(tenant, values, company_id=None)
    dynamic = records.dynamic_values(records.dynamic_fields(tenant, OWNER), body)
    return records.add_row(tenant, COMPANIES, "company", {**values, "LastModified": call.clock.time(), "Dynamic": dynamic})


# -- operations ---------------------------------------------------------------------------
def list_companies(call: Call) -> Reply:
    """`contactCompanyNumber`: one company (404); `primaryContactEmail`: the companies
    whose primary contact has that e-mail; otherwise every company."""
    tenant, params = call.tenant, call.params
    companies = tenant.table(COMPANIES)
    if params.get("contactCompanyNumber") is not None:
        row = companies.find("number", params["contactCompanyNumber"].strip()) if params["contactCompanyNumber"].strip() else None
        return Reply(200, render(tenant, records.found(row, "ContactCompany not found")))
    if params.get("primaryContactEmail") is not None:
        email = params["primaryContactEmail"].strip().casefold()
        contact = tenant.table(CONTACTS).find("email", email) if email else None
        if contact is None:
            return Reply(200, [])
        return Reply(200, [render(tenant, row) for row in companies.rows() if row["PrimaryContactId"] == contact["Id"]])
    return Reply(200, [render(tenant, row) for row in companies.rows()])


def get_company(call: Call) -> Reply:
    return Reply(200, render(call.tenant, _company(call.tenant, call.params["id"])))


def create_company(call: Call) -> Reply:
    return Reply(200, render(call.tenant, add_company(call, call.body)))


def patch_company(call: Call) -> Reply:
    """The body names the company by `Id`; the fields present are set (null clears them),
    dynamic fields too; anything else is ignored."""
    tenant, body = call.tenant, call.body
    row = _company(tenant, body["Id"])
    changes = {name: body[name] for name in STATIC if name in body}
    fields = records.dynamic_fields(tenant, OWNER)
    dynamic = records.dynamic_values(fields, {k: v for k, v in body.items() if k not in STATIC and k != "Id"})
    records.some_change(changes, dynamic)
    _check(tenant, changes, company_id=row["Id"])  # only what changes (a primary contact may have gone since)
    row = tenant.table(COMPANIES).replace(row["Id"], records.patched(row, changes, dynamic, LastModified=call.clock.time()))
    return Reply(200, render(tenant, row))


def company_contacts(call: Call) -> Reply:
    """The company's contacts; 404 when it has none (as the vendor documents)."""
    tenant = call.tenant
    company = _company(tenant, call.params["id"])
    found = [contacts.render(tenant, row) for row in tenant.table(CONTACTS).rows() if row["ContactCompanyId"] == company["Id"]]
    if not found:
        raise records.not_found("The ContactCompany has no contacts.")
    return Reply(200, found)


def _set_company(call: Call, contact: Row, company_id: int | None) -> None:
    if contact["ContactCompanyId"] == company_id:
        return
    row = call.tenant.table(CONTACTS).replace(contact["Id"], {**contact, "ContactCompanyId": company_id})
    contacts._written(call, row)


def add_contact(call: Call) -> Reply:
    tenant = call.tenant
    company = _company(tenant, call.params["id"])
    contact = records.require(tenant.table(CONTACTS), call.body["ContactId"], "Contact")
    _set_company(call, contact, company["Id"])
    return Reply(200)


def remove_contact(call: Call) -> Reply:
    """Clears the contact's company; 400 when the contact is not associated with it."""
    tenant = call.tenant
    company = _company(tenant, call.params["id"])
    contact = records.require(tenant.table(CONTACTS), call.body["ContactId"], "Contact")
    if contact["ContactCompanyId"] != company["Id"]:
        raise invalid(f"Contact {contact['Id']} is not associated with ContactCompany {company['Id']}.")
    _set_company(call, contact, None)
    return Reply(200)


HANDLERS = {
    "listContactCompanies": list_companies,
    "createContactCompany": create_company,
    "patchContactCompany": patch_company,
    "getContactCompany": get_company,
    "listContactCompanyContacts": company_contacts,
    "addContactToCompany": add_contact,
    "removeContactFromCompany": remove_contact,
}


def seed(call: Call) -> None:
    """Six companies, three of them below a parent. Companies are seeded before contacts,
    so no primary contact is set."""
    rng = call.services.random.derived("yulsn", "companies")
    made: list[int] = []
    for name, number, domains, industry, parent in DEMO_COMPANIES:
        call.clock.advance(3600 * rng.uniform(1, 12))
        row = add_company(
            call,
            {
                "Name": name,
                "Number": number,
                "EmailDomains": domains,
                "Logo": f"https://cdn.example.dk/logos/{number.lower()}.png" if rng.random() < 0.5 else None,
                "ContactCompanyId": made[parent] if parent is not None else None,
                "Industry": industry,
            },
        )
        made.append(row["Id"])
