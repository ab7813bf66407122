"""Actions (triggered on a contact or a segment), banner cache resets, feed syncs, iframe tokens and permission source
categories. Actions, banners, feeds, iframe tokens and permission source categories are set
up in the back office: admin actions make them (ADMIN) and read what the API did
with them (triggers, resets, syncs)."""

from __future__ import annotations

from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.errors import Conflict
from mockserver.engine.store import Row, Tenant
from mockserver.providers.base import AdminActions
from mockserver.providers.yulsn import exports, records, segments
from mockserver.providers.yulsn.records import (
    ACTIONS,
    BANNERS,
    CONTACTS,
    FEEDS,
    STORES,
    TOKENS,
    TRIGGERS,
    invalid,
)

DEFAULT_CATEGORY = {"Id": 1, "Name": "Default", "Description": "Permission sources without a category."}


# -- actions ------------------------------------------------------------------------------
def render_action(row: Row) -> dict[str, Any]:
    return records.view(row, ("Id", "Name", "Description", "Enabled", "ManuallyTriggerable", "LastModified"))


def add_action(call: Call, name: str, description: str | None, enabled: bool, manual: bool) -> Row:
    row = {
        "Name": name,
        "Description": description,
        "Enabled": enabled,
        "ManuallyTriggerable": manual,
        "LastModified": call.clock.time(),
    }
    return records.add_row(call.tenant, ACTIONS, "action", row)


def list_actions(call: Call) -> Reply:
    return Reply(200, [render_action(row) for row in call.tenant.table(ACTIONS).rows()])


def trigger_action(call: Call) -> Reply:
    """On exactly one of a contact and a segment; the action must be enabled and manually
    triggerable. Each trigger is recorded (GET /__admin/yulsn/triggers)."""
    tenant, params = call.tenant, call.params
    contact_id, segment_id = params.get("contactId"), params.get("segmentId")
    if (contact_id is None) == (segment_id is None):
        raise invalid("Specify either contactId or segmentId (exactly one of them).")
    action = records.with_id(tenant.table(ACTIONS), params["id"], "Action")
    if not action["Enabled"]:
        raise invalid("The action is not enabled.")
    if not action["ManuallyTriggerable"]:
        raise invalid("The action cannot be triggered manually.")
    if contact_id is not None:
        records.known(tenant.table(CONTACTS), contact_id, "Contact")
        reached = [contact_id]
    else:
        reached = segments.contacts_in(tenant, [segment_id] if segment_id is not None else [])
    records.add_row(
        tenant,
        TRIGGERS,
        "action_trigger",
        {
            "ActionId": action["Id"],
            "ContactId": contact_id,
            "SegmentId": segment_id,
            "ContactIds": reached,
            "Triggered": call.clock.time(),
        },
    )
    return Reply(200)


# -- banners ------------------------------------------------------------------------------
def reset_banner_cache(call: Call) -> Reply:
    """Banner ids; with `secret`, version ids of that banner. 404 when one is unknown."""
    tenant, ids = call.tenant, list(dict.fromkeys(call.body))
    banners = tenant.table(BANNERS)
    secret = call.params.get("secret")
    if secret is not None:
        banner = records.found(next((row for row in banners.rows() if row["Secret"] == secret), None), "Banner not found.")
        unknown = [i for i in ids if i not in banner["Versions"]]
        if unknown:
            raise records.not_found(f"Banner version with id {unknown[0]} not found.")
        # A new list, not an append: a row found by a walk is compared by its top level.
        banner["Resets"] = [*banner["Resets"], {"At": call.clock.time(), "VersionIds": ids}]
        return Reply(200)
    found = [banners.get(banner_id) for banner_id in ids]
    unknown = [banner_id for banner_id, row in zip(ids, found, strict=True) if row is None]
    if unknown:
        raise records.not_found(f"Banner with id {unknown[0]} not found.")
    for row in found:
        if row is not None:
            row["Resets"] = [*row["Resets"], {"At": call.clock.time(), "VersionIds": None}]
    return Reply(200)


def render_banner(row: Row) -> dict[str, Any]:
    return {
        **records.view(row, ("Id", "Name", "Secret", "Versions")),
        "Resets": [records.view(r, ("At", "VersionIds")) for r in row["Resets"]],
    }


def add_banner(call: Call, name: str, versions: int) -> Row:
    tenant = call.tenant
    banner_id = tenant.next_id("banner")
    row = {
        "Id": banner_id,
        "Name": name,
        "Secret": records.secret(call.random, 16),
        "Versions": [tenant.next_id("banner_version") for _ in range(versions)],
        "Resets": [],
    }
    return tenant.table(BANNERS).insert(banner_id, row)


# -- feeds --------------------------------------------------------------------------------
def render_feed(row: Row) -> dict[str, Any]:
    return records.view(row, ("Id", "Name", "Url", "LastSynced", "SyncCount"))


def add_feed(call: Call, name: str, url: str | None) -> Row:
    return records.add_row(call.tenant, FEEDS, "feed", {"Name": name, "Url": url, "LastSynced": None, "SyncCount": 0})


def sync_feed(call: Call) -> Reply:
    feed = records.with_id(call.tenant.table(FEEDS), call.params["id"], "Feed")
    feed["LastSynced"] = call.clock.time()
    feed["SyncCount"] += 1
    return Reply(200)


# -- iframe tokens ------------------------------------------------------------------------
TOKEN_FIELDS = ("Id", "AccountId", "AdministratorId", "AdministratorEmail", "StoreIds", "Rights", "GroupId", "TimeZoneId")


def find_token(tenant: Tenant, token_id: str) -> Row | None:
    return next((row for row in tenant.table(TOKENS).rows() if row["Id"] == token_id), None)


def add_token(call: Call, values: dict[str, Any]) -> Row:
    tenant = call.tenant
    key = tenant.next_id("iframe_token")
    row = {
        "Id": values.get("id") or call.random.uuid4(),
        "AccountId": tenant.settings["account_id"],
        "AdministratorId": values.get("administratorId", 1),
        "AdministratorEmail": values.get("administratorEmail", "admin@example.com"),
        "StoreIds": list(values.get("storeIds", [])),
        "Rights": list(values.get("rights", ["Contacts.Read"])),
        "GroupId": values.get("groupId"),
        "TimeZoneId": values.get("timeZoneId", "Romance Standard Time"),
    }
    return tenant.table(TOKENS).insert(key, row)


def get_token(call: Call) -> Reply:
    row = records.found(find_token(call.tenant, call.params["tokenId"]), "IframeToken not found.")
    return Reply(200, records.view(row, TOKEN_FIELDS))


# -- permission source categories ---------------------------------------------------------
def _categories(tenant: Tenant) -> list[dict[str, Any]]:
    """The account's categories (a new account has the default one)."""
    return records.account_list(tenant, "permission_categories", [DEFAULT_CATEGORY])


def _relations(tenant: Tenant) -> list[dict[str, Any]]:
    return records.account_list(tenant, "permission_relations")


def list_categories(call: Call) -> Reply:
    return Reply(200, [dict(c) for c in _categories(call.tenant)])


def list_relations(call: Call) -> Reply:
    return Reply(200, [dict(r) for r in _relations(call.tenant)])


def add_category(tenant: Tenant, name: str, description: str | None, sources: list[str]) -> dict[str, Any]:
    categories = _categories(tenant)
    category = {"Id": max((c["Id"] for c in categories), default=0) + 1, "Name": name, "Description": description}
    categories.append(category)
    relations = _relations(tenant)
    for source in dict.fromkeys(sources):
        relations[:] = [r for r in relations if r["PermissionSource"] != source]
        relations.append({"PermissionSource": source, "PermissionSourceCategoryId": category["Id"]})
    return category


HANDLERS = {
    "listActions": list_actions,
    "triggerAction": trigger_action,
    "resetBannerCache": reset_banner_cache,
    **exports.HANDLERS,
    "syncFeedNow": sync_feed,
    "getIframeToken": get_token,
    "listPermissionSourceCategories": list_categories,
    "listPermissionSourceCategoryRelations": list_relations,
}


# -- admin actions ------------------------------------------------------------------------
ADMIN = AdminActions()
_TEXT = {"type": "string", "minLength": 1, "maxLength": 200}
_OPTIONAL_TEXT = {"type": ["string", "null"], "maxLength": 1000}
_LIST = "`items`, oldest first"


@ADMIN.post(
    "actions",
    {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": _TEXT,
            "description": _OPTIONAL_TEXT,
            "enabled": {"type": "boolean"},
            "manuallyTriggerable": {"type": "boolean"},
        },
    },
    {201: "The action"},
)
def admin_create_action(call: Call, body: dict[str, Any]) -> Reply:
    """An action; `enabled` and `manuallyTriggerable` default to true."""
    row = add_action(
        call, body["name"], body.get("description"), body.get("enabled", True), body.get("manuallyTriggerable", True)
    )
    return Reply(201, render_action(row))


@ADMIN.action("GET", "triggers", responses={200: _LIST})
def admin_triggers(call: Call) -> Reply:
    """The triggers the API recorded, oldest first."""
    items = [{**row, "Triggered": records.stamp(row["Triggered"])} for row in call.tenant.table(TRIGGERS).rows()]
    return Reply(200, {"items": items})


@ADMIN.post(
    "banners",
    {"type": "object", "properties": {"name": _TEXT, "versions": {"type": "integer", "minimum": 0, "maximum": 50}}},
    {201: "The banner"},
)
def admin_create_banner(call: Call, body: dict[str, Any]) -> Reply:
    """A banner with a secret and `versions` version ids (default 1)."""
    row = add_banner(call, body.get("name", "Banner"), body.get("versions", 1))
    return Reply(201, render_banner(row))


@ADMIN.action("GET", "banners", responses={200: _LIST})
def admin_banners(call: Call) -> Reply:
    """Banners with the cache resets requested for them."""
    return Reply(200, {"items": [render_banner(row) for row in call.tenant.table(BANNERS).rows()]})


@ADMIN.post(
    "feeds",
    {"type": "object", "required": ["name"], "properties": {"name": _TEXT, "url": _OPTIONAL_TEXT}},
    {201: "The feed"},
)
def admin_create_feed(call: Call, body: dict[str, Any]) -> Reply:
    """A feed the API can sync (`FeedSyncs/{id}/SyncNow`)."""
    return Reply(201, render_feed(add_feed(call, body["name"], body.get("url"))))


@ADMIN.action("GET", "feeds", responses={200: _LIST})
def admin_feeds(call: Call) -> Reply:
    """Feeds with when they were last synced and how often."""
    return Reply(200, {"items": [render_feed(row) for row in call.tenant.table(FEEDS).rows()]})


@ADMIN.post(
    "iframe-tokens",
    {
        "type": "object",
        "properties": {
            "id": {"type": "string", "minLength": 1, "maxLength": 100},
            "administratorId": {"type": "integer", "minimum": 1},
            "administratorEmail": {"type": ["string", "null"], "maxLength": 250},
            "storeIds": {"type": "array", "items": {"type": "integer", "minimum": 1}},
            "rights": {"type": "array", "items": {"type": "string", "minLength": 1}},
            "groupId": {"type": ["integer", "null"]},
            "timeZoneId": {"type": ["string", "null"], "maxLength": 100},
        },
    },
    {201: "The token", 409: "A token has that id"},
)
def admin_create_token(call: Call, body: dict[str, Any]) -> Reply:
    """An iframe token (`id` defaults to a random UUID; 409 when the id is taken)."""
    if body.get("id") and find_token(call.tenant, body["id"]) is not None:
        raise Conflict(f"IframeToken {body['id']} exists.")
    row = add_token(call, body)
    return Reply(201, records.view(row, TOKEN_FIELDS))


@ADMIN.post(
    "permission-categories",
    {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": _TEXT,
            "description": _OPTIONAL_TEXT,
            "permissionSources": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 200}},
        },
    },
    {201: "The category"},
)
def admin_create_category(call: Call, body: dict[str, Any]) -> Reply:
    """A permission source category, and the permission sources that belong to it."""
    return Reply(201, add_category(call.tenant, body["name"], body.get("description"), body.get("permissionSources", [])))


# -- demo ---------------------------------------------------------------------------------
def seed(call: Call) -> None:
    """Actions (enabled and manual, disabled, automatic only), banners, feeds, iframe
    tokens, permission source categories and one contacts export."""
    tenant = call.tenant
    call.clock.advance(1800)
    add_action(call, "Send welcome gift", "Gives the contact a welcome voucher.", True, True)
    add_action(call, "Birthday flow (old)", "Replaced by the new birthday flow.", False, True)
    add_action(call, "Abandoned cart", "Runs when a basket is left; not triggered by hand.", True, False)
    add_action(call, "Recalculate loyalty tier", None, True, True)
    add_banner(call, "Front page hero", 3)
    add_banner(call, "Newsletter footer", 1)
    add_feed(call, "Product feed", "https://shop.example.dk/feed.xml")
    add_feed(call, "Store feed", "https://shop.example.dk/stores.json")
    store_ids = [row["Id"] for row in tenant.table(STORES).rows()]
    rng = call.services.random.derived("yulsn", "misc")
    add_token(
        call,
        {
            "id": f"{rng.getrandbits(128):032x}",
            "administratorId": 7,
            "administratorEmail": "anna@example.dk",
            "storeIds": store_ids[:2],
            "rights": ["Contacts.Read", "Points.Read"],
            "groupId": 3,
        },
    )
    add_token(
        call,
        {
            "id": f"{rng.getrandbits(128):032x}",
            "administratorId": 8,
            "administratorEmail": "lars@example.dk",
            "storeIds": store_ids,
            "rights": ["Contacts.Read", "Contacts.Write"],
            "groupId": None,
        },
    )
    tenant.settings["permission_categories"] = [dict(DEFAULT_CATEGORY)]
    tenant.settings["permission_relations"] = []
    add_category(tenant, "Newsletter", "Sign-ups for the newsletter.", ["Signup form", "Newsletter"])
    add_category(tenant, "Marketing", "Consent to marketing by e-mail and SMS.", ["Webshop", "Store", "Competition"])
    call.clock.advance(600)
    exports.add_export(call, {"Type": 0, "Fields": ["Id", "Email", "FirstName", "LastName"], "SuffixFileName": "weekly"})
