"""Contacts: look-ups by id, e-mail, phone, secret and dynamic field; create with the
duplicate and store rules; PUT with concurrency (`Version`); PATCH and bulk PATCH; login,
passwords, bounced e-mails, registrations, base info and the person data file."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.provider import PageContext
from mockserver.engine.store import Row, Tenant
from mockserver.providers.yulsn import records
from mockserver.providers.yulsn.records import (
    COMPANIES,
    CONTACTS,
    EVENTS,
    ORDERS,
    PERSON_FILES,
    POINTS,
    SEGMENTS,
    STORES,
    ConflictWith,
    invalid,
)

# What PUT replaces (left out: null, or false), and what PATCH may set.
STATIC = (
    "Email",
    "EmailConfirmed",
    "Phone",
    "PhoneCountryCode",
    "PhoneConfirmed",
    "FirstName",
    "LastName",
    "PreferredStoreId",
    "ContactCompanyId",
    "LatestPermissionSource",
)
BOOLEANS = {"EmailConfirmed", "PhoneConfirmed"}
CLEARED_BY_EMPTY = {"PhoneCountryCode", "Phone", "Email"}
# What a bulk PATCH may set (besides the account's dynamic fields).
BULK_FIELDS = (
    "FirstName",
    "LastName",
    "EmailConfirmed",
    "PhoneConfirmed",
    "PreferredStoreId",
    "ContactCompanyId",
    "LatestPermissionSource",
)
# What a contact shows after its `Version`.
SHOWN = (
    "Email",
    "EmailConfirmed",
    "EmailBounced",
    "Phone",
    "PhoneCountryCode",
    "PhoneConfirmed",
    "FirstName",
    "LastName",
    "RegistrationDateTime",
    "RegistrationSource",
    "RegistrationIp",
    "RegistrationStoreId",
    "PreferredStoreId",
    "ContactCompanyId",
    "LatestPermissionSource",
    "LastModified",
)
KEY_TYPES = {1: "Id", 2: "Secret", 3: "Email", 4: "Phone", "id": "Id", "secret": "Secret", "email": "Email", "phone": "Phone"}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")
_TIMESPAN = re.compile(r"(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\Z")


# -- rendering and storage ----------------------------------------------------------------
def render(tenant: Tenant, row: Row) -> dict[str, Any]:
    view = {**records.view(row, ("Id", "Secret")), "Version": version(row), **records.view(row, SHOWN)}
    return records.with_dynamic(view, _fields(tenant), row["Dynamic"])


def base_info(row: Row) -> dict[str, Any]:
    return {name: row[name] for name in ("Id", "Secret", "Email", "Phone", "FirstName", "LastName")}


def _fields(tenant: Tenant) -> list[dict[str, Any]]:
    """The account's dynamic fields of contacts."""
    return records.dynamic_fields(tenant, "Contacts")


def version(row: Row) -> str:
    """Like SQL Server's rowversion: 8 bytes, base64."""
    return base64.b64encode(row["RowVersion"].to_bytes(8, "big")).decode()


def _written(call: Call, row: Row) -> Row:
    row["RowVersion"] = call.tenant.next_id("rowversion")
    row["LastModified"] = call.clock.time()
    return row


def add_contact(call: Call, body: dict[str, Any]) -> Row:
    """Store a new contact (the create rules checked); used by the API and the demo."""
    tenant = call.tenant
    values = _static(body)
    _check(tenant, values, contact_id=None, latest=None)
    records.must_exist(tenant.table(STORES), body.get("RegistrationStoreId"), "Store", records.Conflict)
    registered = records.parse_date(body["RegistrationDateTime"]) if body.get("RegistrationDateTime") else call.clock.time()
    dynamic = records.dynamic_values(_fields(tenant), body)  # checked before an id is taken: a refusal takes none
    contact_id = tenant.next_id("contact")  # before the row version's id, as the counters were made
    row = {
        "Id": contact_id,
        "Secret": _unique_secret(call),
        **values,
        "EmailBounced": False,
        "RegistrationDateTime": registered if registered is not None else call.clock.time(),
        "RegistrationSource": body.get("RegistrationSource") or "Api",
        "RegistrationIp": body.get("RegistrationIp"),
        "RegistrationStoreId": body.get("RegistrationStoreId"),
        "Dynamic": dynamic,
        "PasswordHash": None,
    }
    return tenant.table(CONTACTS).insert(contact_id, _written(call, row))


def _check(tenant: Tenant, values: dict[str, Any], contact_id: int | None, latest: dict[str, Any] | None) -> None:
    """The create / update rules: a valid e-mail, e-mail and phone not another contact's,
    stores and companies that exist. Conflicts answer the latest contact when there is one."""
    contacts = tenant.table(CONTACTS)
    email, phone = values.get("Email"), values.get("Phone")
    if email and not _EMAIL.match(email):
        raise records.ValidationFailed(
            "invalid", violations=[records.Violation("Email", "The Email field is not a valid e-mail address.", "custom")]
        )
    for index, value, what in (("email", email.casefold() if email else None, "email"), ("phone", phone or None, "phone number")):
        holder = contacts.find(index, value) if value else None
        if holder is not None and holder["Id"] != contact_id:
            message = f"Another contact has the same {what}."
            raise ConflictWith(message, latest) if latest is not None else records.Conflict(message)
    records.must_exist(tenant.table(STORES), values.get("PreferredStoreId"), "Store", records.Conflict)
    records.must_exist(tenant.table(COMPANIES), values.get("ContactCompanyId"), "ContactCompany", records.Conflict)


def _unique_secret(call: Call) -> str:
    while True:
        value = records.secret(call.random, 12)
        if call.tenant.table(CONTACTS).find("secret", value) is None:
            return value


def _contact(call: Call) -> Row:
    return records.require(call.tenant.table(CONTACTS), call.params["id"], "Contact")


def _static(body: dict[str, Any]) -> dict[str, Any]:
    """What a create or PUT sets: every static field (left out: null, or false)."""
    values = {name: body.get(name) for name in STATIC}
    for name in BOOLEANS:
        values[name] = bool(values[name])
    return values


def _current(call: Call) -> tuple[Row, dict[str, Any]]:
    """The contact a PUT or PATCH changes and how it reads now; 409 with that when the body's
    `Version` is not the contact's."""
    row = _contact(call)
    latest = render(call.tenant, row)
    given = call.body.get("Version")
    if given is not None and given != version(row):
        raise ConflictWith("The contact has been modified since it was read.", latest)
    return row, latest


# -- look-ups -----------------------------------------------------------------------------
def find_contacts(call: Call) -> Reply:
    tenant, params = call.tenant, call.params
    contacts = tenant.table(CONTACTS)
    # One contact by a unique look-up: e-mail (without regard to case), phone or secret.
    for name, normal in (("email", str.casefold), ("phone", str), ("secret", str)):
        if params.get(name) is not None:
            row = contacts.find(name, normal(params[name].strip()))
            return Reply(200, render(tenant, records.found(row, "Contact not found")))
    if params.get("field") is not None:
        field = next((f["Name"] for f in _fields(tenant) if f["Name"].lower() == params["field"].lower()), None)
        wanted = params.get("value")
        found = [
            render(tenant, row)
            for row in contacts.rows()
            if field is not None and _as_text(row["Dynamic"].get(field)) == (wanted.casefold() if wanted is not None else None)
        ]
        return Reply(200, found)
    return Reply(200, [row["Id"] for row in contacts.rows()])


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    return (str(value).lower() if isinstance(value, bool) else str(value)).casefold()


def get_contact(call: Call) -> Reply:
    return Reply(200, render(call.tenant, _contact(call)))


def patch_fields(call: Call) -> Reply:
    return Reply(200, [*BULK_FIELDS, *(f["Name"] for f in _fields(call.tenant))])


def contact_dynamic_fields(call: Call) -> Reply:
    return Reply(200, [dict(f) for f in _fields(call.tenant)])


def contacts_base_info(call: Call) -> Reply:
    return Reply(200, [base_info(row) for row in call.tenant.table(CONTACTS).rows()])


def registrations(call: Call) -> Reply:
    params = call.params
    since = None
    if params.get("timespan"):
        span = _timespan(params["timespan"])
        since = call.clock.time() - span
    source, ip = params.get("source"), params.get("ip")
    found = [
        render(call.tenant, row)
        for row in call.tenant.table(CONTACTS).rows()
        if (since is None or row["RegistrationDateTime"] >= since)
        and (source is None or (row["RegistrationSource"] or "").casefold() == source.casefold())
        and (ip is None or row["RegistrationIp"] == ip)
    ]
    return Reply(200, found)


def _timespan(text: str) -> float:
    """A .NET TimeSpan: `d.hh:mm:ss`, `hh:mm:ss`, `hh:mm`, or whole days."""
    text = text.strip()
    if text.isdigit():
        return int(text) * 86400.0
    match = _TIMESPAN.match(text)
    if not match:
        raise invalid(f"The value '{text}' is not a valid TimeSpan.")
    days, hours, minutes, seconds = match.groups()
    return int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + int(seconds or 0)


# -- writes -------------------------------------------------------------------------------
def create_contact(call: Call) -> Reply:
    return Reply(200, render(call.tenant, add_contact(call, call.body)))


def update_contact(call: Call) -> Reply:
    """PUT: the static fields are replaced; dynamic fields given are set, others kept."""
    tenant, body = call.tenant, call.body
    row, latest = _current(call)
    values = _static(body)
    _check(tenant, values, contact_id=row["Id"], latest=latest)
    dynamic = records.dynamic_values(_fields(tenant), body)
    row = tenant.table(CONTACTS).replace(row["Id"], records.patched(row, values, dynamic))
    return Reply(200, render(tenant, _written(call, row)))


def patch_contact(call: Call) -> Reply:
    """PATCH: values that are not null are set; "" clears PhoneCountryCode, Phone, Email."""
    tenant, body = call.tenant, call.body
    row, latest = _current(call)
    changes: dict[str, Any] = {}
    for name in STATIC:
        value = body.get(name)
        if value is None:
            continue
        changes[name] = None if value == "" and name in CLEARED_BY_EMPTY else value
    dynamic = records.dynamic_values(_fields(tenant), {k: v for k, v in body.items() if v is not None})
    records.some_change(changes, dynamic)
    _check(tenant, {**row, **changes}, contact_id=row["Id"], latest=latest)
    row = tenant.table(CONTACTS).replace(row["Id"], records.patched(row, changes, dynamic))
    return Reply(200, render(tenant, _written(call, row)))


def bulk_patch(call: Call) -> Reply:
    tenant, body = call.tenant, call.body
    key_type = KEY_TYPES.get(body["KeyType"] if isinstance(body["KeyType"], int) else str(body["KeyType"]).lower())
    if key_type is None:
        raise invalid("Invalid KeyType!")
    allowed = {name.lower(): name for name in BULK_FIELDS}
    dynamic_names = {f["Name"].lower(): f["Name"] for f in _fields(tenant)}
    fields: dict[str, Any] = {}
    for name, value in body["Fields"].items():
        canonical = allowed.get(name.lower()) or dynamic_names.get(name.lower())
        if canonical is not None:
            fields[canonical] = value
    if not fields:
        raise invalid(records.NO_FIELDS)
    static = {k: v for k, v in fields.items() if k in BULK_FIELDS}
    dynamic = records.dynamic_values(_fields(tenant), {k: v for k, v in fields.items() if k not in BULK_FIELDS})
    _check(tenant, static, contact_id=None, latest=None)
    contacts = tenant.table(CONTACTS)
    updated, missing = [], []
    for key in body["Keys"]:
        row = _by_key(tenant, key_type, str(key))
        if row is None:
            missing.append(key)
            continue
        row = contacts.replace(row["Id"], records.patched(row, static, dynamic))
        _written(call, row)
        updated.append(key)
    return Reply(200, {"Updated": updated, "NotFound": missing})


def _by_key(tenant: Tenant, key_type: str, key: str) -> Row | None:
    contacts = tenant.table(CONTACTS)
    if key_type == "Id":
        return contacts.get(int(key)) if key.isdigit() else None
    if key_type == "Secret":
        return contacts.find("secret", key)
    if key_type == "Email":
        return contacts.find("email", key.casefold())
    return contacts.find("phone", key)


def delete_contact(call: Call) -> Reply:
    tenant = call.tenant
    row = _contact(call)
    rendered = render(tenant, row)
    tenant.table(CONTACTS).delete(row["Id"])
    for segment in tenant.table(SEGMENTS).rows():
        if row["Id"] in segment["ContactIds"]:
            segment["ContactIds"] = [i for i in segment["ContactIds"] if i != row["Id"]]
    for company in tenant.table(COMPANIES).rows():
        if company["PrimaryContactId"] == row["Id"]:
            company["PrimaryContactId"] = None
    return Reply(200, rendered)


def login(call: Call) -> Reply:
    row = _contact(call)
    if row["PasswordHash"] is None or row["PasswordHash"] != _hash(row, call.body["Password"]):
        raise records.ApiError("Invalid password.", status=422)
    return Reply(200, render(call.tenant, row))


def set_password(call: Call) -> Reply:
    row = _contact(call)
    row["PasswordHash"] = _hash(row, call.body["NewPassword"])
    _written(call, row)
    return Reply(200)


def unblock_email(call: Call) -> Reply:
    row = _contact(call)
    if not row["EmailBounced"]:
        return Reply(200, False)
    row["EmailBounced"] = False
    _written(call, row)
    return Reply(200, True)


def _hash(row: Row, password: str) -> str:
    return hashlib.sha256(f"{row['Secret']}:{password}".encode()).hexdigest()


# -- the person data file -------------------------------------------------------------------
def person_data_file(call: Call) -> Reply:
    tenant = call.tenant
    row = _contact(call)
    token = f"{tenant.settings['account_id']}-{records.secret(call.random, 24)}"
    records.add_row(tenant, PERSON_FILES, "person_file", {"Token": token, "ContactId": row["Id"], "Created": call.clock.time()})
    base = call.request.host_url if call.request is not None else "http://127.0.0.1/"
    return Reply(200, f"{base}yulsn/PersonDataFiles/{token}")


def person_data_page(context: PageContext) -> Reply:
    """The file a person data url points at: all the account holds about the contact."""
    token = context.request.args.get("token") or context.request.path.rsplit("/", 1)[-1]
    account = token.split("-", 1)[0]
    for tenant in context.tenants():
        if str(tenant.settings.get("account_id")) != account:
            continue
        with tenant.lock:
            entry = next((f for f in tenant.table(PERSON_FILES).rows() if f["Token"] == token), None)
            contact = tenant.table(CONTACTS).get(entry["ContactId"]) if entry else None
            if contact is None:
                break
            data = {
                "Contact": render(tenant, contact),
                "Events": [e["Id"] for e in tenant.table(EVENTS).rows() if e["ContactId"] == contact["Id"]],
                "Points": [p["Id"] for p in tenant.table(POINTS).rows() if p["ContactId"] == contact["Id"]],
                "Orders": [o["Id"] for o in tenant.table(ORDERS).rows() if o["ContactId"] == contact["Id"]],
            }
        return Reply(200, data, {"Content-Type": "application/json"})
    return Reply(404, {"Message": "Not found"}, {"Content-Type": "application/json"})


HANDLERS = {
    "findContacts": find_contacts,
    "getContact": get_contact,
    "listContactPatchFields": patch_fields,
    "listContactDynamicFields": contact_dynamic_fields,
    "listContactsBaseInfo": contacts_base_info,
    "listRegistrations": registrations,
    "getPersonDataFile": person_data_file,
    "createContact": create_contact,
    "loginContact": login,
    "setContactPassword": set_password,
    "unblockContactEmail": unblock_email,
    "updateContact": update_contact,
    "bulkPatchContacts": bulk_patch,
    "patchContact": patch_contact,
    "deleteContact": delete_contact,
}
