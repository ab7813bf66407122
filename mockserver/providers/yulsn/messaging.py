"""E-mail: builder campaigns (Draft -> Scheduled -> Cancelled, blocks added to drafts),
e-mail dispatches of a campaign to a contact or to segments (a receiver per contact
reached), their receivers, and email2 dispatches of a trigger. The account's e-mail
templates and email2 triggers are made in the back office (ADMIN); a new account
has template 1 and no triggers."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row, Tenant
from mockserver.providers.base import AdminActions
from mockserver.providers.yulsn import records, segments
from mockserver.providers.yulsn.records import CAMPAIGNS, CONTACTS, DISPATCHES, EMAIL2, ORDERS, POINTS, RECEIVERS, STORES, invalid

DRAFT, SCHEDULED, CANCELLED = "Draft", "Scheduled", "Cancelled"
WAITING, FINISHED, CANCELLED_STATUS = 100, 120, 125
TEST, TRANSACTIONAL, NEWSLETTER = 1, 2, 3
QUEUED_MESSAGE = "A new dispatch is successfully queued, but an id cannot be returned."
DEFAULT_TEMPLATE = {"Id": 1, "Name": "Default template"}
RECEIVER_PAGE = 1000
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")
_INDEXED = re.compile(r"status\[(\d*)\]\Z", re.IGNORECASE)


# -- templates and triggers (back office) -------------------------------------------------
def templates(tenant: Tenant) -> list[dict[str, Any]]:
    return records.account_list(tenant, "email_templates", [DEFAULT_TEMPLATE])


def triggers(tenant: Tenant) -> list[dict[str, Any]]:
    return records.account_list(tenant, "email2_triggers")


def _add_named(entries: list[dict[str, Any]], name: str) -> dict[str, Any]:
    entry = {"Id": max((e["Id"] for e in entries), default=0) + 1, "Name": name}
    entries.append(entry)
    return entry


# -- campaigns ----------------------------------------------------------------------------
def render_campaign(row: Row) -> dict[str, Any]:
    shown = (
        "Id",
        "EmailCampaignId",
        "Type",
        "Name",
        "Subject",
        "Preheader",
        "EmailTemplateId",
        "Dynamic",
        "Status",
        "StartSending",
    )
    return {**records.view(row, shown), "Blocks": [dict(block) for block in row["Blocks"]]}


def _campaign(call: Call) -> Row:
    return records.with_id(call.tenant.table(CAMPAIGNS), call.params["id"], "EmailBuilderCampaign")


def add_campaign(call: Call, body: dict[str, Any]) -> Row:
    tenant = call.tenant
    if not any(t["Id"] == body["EmailTemplateId"] for t in templates(tenant)):
        raise records.not_found(f"EmailTemplate with id {body['EmailTemplateId']} not found.")
    if not body["Name"].strip():
        raise invalid("The Name field is required.")
    campaign_id = tenant.next_id("email_builder_campaign", start=101)
    row: Row = {
        "Id": campaign_id,
        "EmailCampaignId": tenant.next_id("email_campaign"),
        "Type": body.get("Type") or 0,
        **{name: body.get(name) for name in ("Name", "Subject", "Preheader", "EmailTemplateId", "Dynamic")},
        "Status": DRAFT,
        "StartSending": None,
        "Blocks": [],
        "Schedule": None,
        "DispatchId": None,
        "Created": call.clock.time(),
    }
    return tenant.table(CAMPAIGNS).insert(campaign_id, row)


def create_campaign(call: Call) -> Reply:
    return Reply(200, render_campaign(add_campaign(call, call.body)))


def add_block(call: Call) -> Reply:
    """Blocks go into drafts only."""
    row = _campaign(call)
    if row["Status"] != DRAFT:
        raise invalid(f"Blocks can only be added to a draft campaign; this one is {row['Status']}.")
    return Reply(200, dict(_block(call, row, call.body)))


def _block(call: Call, row: Row, body: dict[str, Any]) -> dict[str, Any]:
    block = {
        "Id": call.tenant.next_id("email_builder_block"),
        "EmailBuilderBlockId": body["EmailBuilderBlockId"],
        "InputValues": body.get("InputValues"),
        "Settings": body.get("Settings"),
    }
    row["Blocks"].append(block)
    return block


def schedule_campaign(call: Call) -> Reply:
    """A draft with at least one block becomes Scheduled, with a newsletter (or
    transactional) dispatch to the contacts of the included segments (every contact when
    none is included) less those of the excluded ones."""
    row = _campaign(call)
    return Reply(200, render_campaign(_schedule(call, row, call.body or {})))


def _schedule(call: Call, row: Row, body: dict[str, Any]) -> Row:
    tenant = call.tenant
    if row["Status"] != DRAFT:
        raise invalid(f"Only a draft campaign can be scheduled; this one is {row['Status']}.")
    if not row["Blocks"]:
        raise invalid("The campaign has no blocks.")
    include, exclude = body.get("IncludeSegments") or [], body.get("ExcludeSegments") or []
    included = segments.contacts_in(tenant, include) if include else [r["Id"] for r in tenant.table(CONTACTS).rows()]
    excluded = set(segments.contacts_in(tenant, exclude))
    start = records.given_date(body, "StartSending")
    receivers = [contact_id for contact_id in included if contact_id not in excluded]
    if body.get("LimitContacts") is not None:
        receivers = receivers[: body["LimitContacts"]]
    planned = start if start is not None else call.clock.time()
    kind = TRANSACTIONAL if row["Type"] == 1 else NEWSLETTER
    dispatch = add_dispatch(call, row["EmailCampaignId"], receivers, kind=kind, planned=planned, details={"SegmentIds": include})
    row.update(
        Status=SCHEDULED,
        StartSending=planned,
        DispatchId=dispatch["Id"],
        Schedule={name: body.get(name) for name in ("IncludeSegments", "ExcludeSegments", "LimitContacts", "LimitSendingSpeed")},
    )
    return row


def cancel_campaign(call: Call) -> Reply:
    """Only a scheduled campaign; its dispatch is cancelled as well (status 125)."""
    row = _campaign(call)
    if row["Status"] != SCHEDULED:
        raise invalid(f"Only a scheduled campaign can be cancelled; this one is {row['Status']}.")
    _cancel(call.tenant, row)
    return Reply(200, render_campaign(row))


def _cancel(tenant: Tenant, row: Row) -> None:
    row["Status"] = CANCELLED
    dispatch = tenant.table(DISPATCHES).get(row["DispatchId"]) if row["DispatchId"] is not None else None
    if dispatch is not None and dispatch["Status"] == WAITING:
        dispatch["Status"] = CANCELLED_STATUS


# -- dispatches ---------------------------------------------------------------------------
def _by_email_campaign(tenant: Tenant, email_campaign_id: int) -> Row | None:
    return next((row for row in tenant.table(CAMPAIGNS).rows() if row["EmailCampaignId"] == email_campaign_id), None)


def render_dispatch(tenant: Tenant, row: Row) -> dict[str, Any]:
    campaign = _by_email_campaign(tenant, row["EmailCampaignId"]) or {}
    sent, delivered, opens, clicks = row["Sent"], row["Delivered"], row["Opens"], row["Clicks"]
    return {
        **records.view(row, ("Id", "Planned")),
        "PlannedUtc": records.stamp(row["Planned"]),
        "EmailCampaignId": row["EmailCampaignId"],
        "EmailCampaignName": campaign.get("Name"),
        "Subject": campaign.get("Subject"),
        "Preheader": campaign.get("Preheader"),
        **records.view(row, ("Status", "Type", "Sent", "Delivered", "Opens", "Clicks")),
        "DeliveryRatio": _ratio(delivered, sent),
        "OpenedRatio": _ratio(opens, delivered),
        "ClickRatio": _ratio(clicks, delivered),
    }


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def add_dispatch(
    call: Call, email_campaign_id: int, contact_ids: Iterable[int], *, kind: int, planned: float, details: dict[str, Any]
) -> Row:
    """A waiting dispatch and a queued receiver for each contact reached (one with an
    e-mail address that has not bounced)."""
    tenant = call.tenant
    row = {
        "EmailCampaignId": email_campaign_id,
        "Planned": planned,
        "Status": WAITING,
        "Type": kind,
        "Sent": 0,
        "Delivered": 0,
        "Opens": 0,
        "Clicks": 0,
        "Created": call.clock.time(),
        **details,
    }
    dispatch = records.add_row(tenant, DISPATCHES, "email_dispatch", row)
    contacts = tenant.table(CONTACTS)
    for contact_id in contact_ids:
        contact = contacts.get(contact_id)
        if contact is None or not contact["Email"] or contact["EmailBounced"]:
            continue
        receiver = {"EmailDispatchId": dispatch["Id"], "ContactId": contact_id, "Email": contact["Email"], "Status": "Queued"}
        records.add_row(tenant, RECEIVERS, "email_dispatch_receiver", {**receiver, "Created": call.clock.time()})
    return dispatch


def create_dispatch(call: Call) -> Reply:
    """To `ContactId` or to `SegmentIds` (one of them); Type 1 when `IsTest`, else 2 for a
    contact and 3 for segments."""
    tenant, body = call.tenant, call.body
    contact_id, segment_ids = body.get("ContactId"), list(dict.fromkeys(body.get("SegmentIds") or []))
    if contact_id is None and not segment_ids:
        raise invalid("Either ContactId or SegmentIds must have a value.")
    if contact_id is not None and segment_ids:
        raise invalid("Give either ContactId or SegmentIds, not both.")
    if _by_email_campaign(tenant, body["EmailCampaignId"]) is None:
        raise records.not_found(f"EmailCampaign with id {body['EmailCampaignId']} not found.")
    for name, table, what in (("OrderId", ORDERS, "Order"), ("PointId", POINTS, "Point")):
        if body.get(name) is not None:
            records.known(tenant.table(table), body[name], what)
    for store_id in body.get("StoreIds") or []:
        records.known(tenant.table(STORES), store_id, "Store")
    planned = records.given_date(body, "DateTime")
    if contact_id is not None:
        records.known(tenant.table(CONTACTS), contact_id, "Contact")
        reached = [contact_id]
    else:
        reached = segments.contacts_in(tenant, segment_ids)
        if body.get("TakeRandom") is not None and body["TakeRandom"] < len(reached):
            reached = sorted(random.Random(call.random.bits(64)).sample(reached, body["TakeRandom"]))
    kind = TEST if body.get("IsTest") else (TRANSACTIONAL if contact_id is not None else NEWSLETTER)
    details = {
        name: body.get(name) for name in ("ContactId", "OrderId", "PointId", "Dynamic", "StoreIds", "TakeRandom", "LogLevel")
    }
    row = add_dispatch(
        call,
        body["EmailCampaignId"],
        reached,
        kind=kind,
        planned=planned if planned is not None else call.clock.time(),
        details={**details, "SegmentIds": segment_ids or None, "IsTest": bool(body.get("IsTest"))},
    )
    return Reply(200, render_dispatch(tenant, row))


def _statuses(call: Call) -> list[int]:
    """`status=100&status=120` (typed by the engine) and `status[0]=100&status[1]=120`."""
    found: list[int] = list(call.params.get("status") or [])
    if call.request is None:
        return found
    for name, value in call.request.args.items(multi=True):
        if _INDEXED.match(name) is None:
            continue
        if not value.strip().isdigit():
            raise invalid(f"The value '{value}' is not valid for {name}.")
        found.append(int(value))
    return found


def list_dispatches(call: Call) -> Reply:
    tenant, params = call.tenant, call.params
    kind, statuses = params.get("type"), set(_statuses(call))
    since, until = records.given_date(params, "from"), records.given_date(params, "to")
    found = [
        row
        for row in tenant.table(DISPATCHES).rows()
        if (kind is None or row["Type"] == kind)
        and (not statuses or row["Status"] in statuses)
        and (since is None or row["Planned"] >= since)
        and (until is None or row["Planned"] <= until)
    ]
    found.sort(key=lambda row: (row["Planned"], row["Id"]), reverse=True)
    return Reply(200, [render_dispatch(tenant, row) for row in found[: params.get("take") or 1000]])


def render_receiver(row: Row) -> dict[str, Any]:
    return records.view(row, ("Id", "EmailDispatchId", "ContactId", "Email", "Status", "Created"))


def find_receivers(call: Call) -> Reply:
    """`emailDispatchId` with `contactId`: that receiver. Otherwise those after `lastId`."""
    params, receivers = call.params, call.tenant.table(RECEIVERS)
    dispatch_id, contact_id = params.get("emailDispatchId"), params.get("contactId")
    if dispatch_id is not None or contact_id is not None:
        if dispatch_id is None or contact_id is None:
            raise invalid("Give both emailDispatchId and contactId.")
        row = next((r for r in receivers.rows() if r["EmailDispatchId"] == dispatch_id and r["ContactId"] == contact_id), None)
        return Reply(200, render_receiver(records.found(row, "EmailDispatchReceiver not found.")))
    page, _ = receivers.page(after=params.get("lastId") or None, limit=RECEIVER_PAGE)
    return Reply(200, [render_receiver(row) for row in page])


# -- email2 -------------------------------------------------------------------------------
def create_email2(call: Call) -> Reply:
    """Exactly one scope. Segments: the id of the dispatch; contacts or e-mails: a message,
    as the real service cannot return an id for them."""
    tenant, body = call.tenant, call.body
    scope = body["Scope"] or {}
    given = [name for name in ("Contacts", "Emails", "Segments") if scope.get(name) is not None]
    if len(given) != 1:
        raise invalid("One (and only one) of the following fields must be defined: Contacts, Emails or Segments.")
    wanted = str(body["TriggerId"]).strip()
    trigger = records.found(
        next((t for t in triggers(tenant) if str(t["Id"]) == wanted), None), f"Trigger with id {body['TriggerId']} not found."
    )
    schedule = records.given_date(body, "Schedule")
    kind = given[0]
    receivers: list[Any]
    if kind == "Contacts":
        receivers = _scope_contacts(tenant, scope["Contacts"])
    elif kind == "Emails":
        receivers = list(scope["Emails"])
        if not receivers:
            raise invalid("The scope has no receivers.")
        wrong = [email for email in receivers if not _EMAIL.match(email)]
        if wrong:
            raise invalid(f"'{wrong[0]}' is not a valid e-mail address.")
    else:
        settings = scope["Segments"]
        if not settings["InSegmentIds"]:
            raise invalid("InSegmentIds must name at least one segment.")
        excluded = set(segments.contacts_in(tenant, settings.get("NotInSegmentIds") or []))
        receivers = [c for c in segments.contacts_in(tenant, settings["InSegmentIds"]) if c not in excluded]
        if settings.get("TakeRandom") is not None and settings["TakeRandom"] < len(receivers):
            receivers = sorted(random.Random(call.random.bits(64)).sample(receivers, settings["TakeRandom"]))
    dispatch = records.add_row(
        tenant,
        EMAIL2,
        "email2_dispatch",
        {
            "TriggerId": trigger["Id"],
            "ScopeType": kind,
            "Receivers": receivers,
            "Scope": scope,
            "Schedule": schedule if schedule is not None else call.clock.time(),
            "IsTest": bool(body.get("IsTest")),
            "BatchDelaySec": body.get("BatchDelaySec"),
            "Created": call.clock.time(),
        },
    )
    return Reply(200, dispatch["Id"] if kind == "Segments" else QUEUED_MESSAGE)


def _scope_contacts(tenant: Tenant, scope: dict[str, Any]) -> list[int]:
    ids: list[int] = []
    for key in scope:
        if not key.strip().isdigit():
            raise invalid(f"'{key}' is not a valid contact id.")
        ids.append(int(key))
    if not ids:
        raise invalid("The scope has no receivers.")
    for contact_id in ids:
        records.known(tenant.table(CONTACTS), contact_id, "Contact")
    return ids


def render_email2(row: Row) -> dict[str, Any]:
    return {
        **{k: v for k, v in row.items() if k not in ("Schedule", "Created")},
        "Schedule": records.stamp(row["Schedule"]),
        "Created": records.stamp(row["Created"]),
    }


HANDLERS = {
    "createEmail2Dispatch": create_email2,
    "createEmailBuilderCampaign": create_campaign,
    "cancelEmailBuilderCampaign": cancel_campaign,
    "addEmailBuilderBlock": add_block,
    "scheduleEmailBuilderCampaign": schedule_campaign,
    "listEmailDispatches": list_dispatches,
    "createEmailDispatch": create_dispatch,
    "findEmailDispatchReceivers": find_receivers,
}


# -- admin actions ------------------------------------------------------------------------
ADMIN = AdminActions()
_NAMED = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200}}}


@ADMIN.post("email-templates", _NAMED, {201: "The template"})
def admin_create_template(call: Call, body: dict[str, Any]) -> Reply:
    """An e-mail template campaigns can use (ids count on from the highest)."""
    return Reply(201, _add_named(templates(call.tenant), body["name"]))


@ADMIN.post("email2-triggers", _NAMED, {201: "The trigger"})
def admin_create_trigger(call: Call, body: dict[str, Any]) -> Reply:
    """An email2 trigger (a message email2 dispatches send)."""
    return Reply(201, _add_named(triggers(call.tenant), body["name"]))


@ADMIN.action("GET", "email2-dispatches", responses={200: "`items`, oldest first"})
def admin_email2_dispatches(call: Call) -> Reply:
    """The email2 dispatches the API queued, oldest first."""
    return Reply(200, {"items": [render_email2(row) for row in call.tenant.table(EMAIL2).rows()]})


# -- demo ---------------------------------------------------------------------------------
def seed(call: Call) -> None:
    """Templates and triggers; a sent newsletter (finished, with delivered, opened, clicked
    and bounced receivers), a scheduled one, a cancelled one, a draft, a transactional and
    a test dispatch."""
    tenant = call.tenant
    rng = call.services.random.derived("yulsn", "messaging")
    tenant.settings["email_templates"] = [
        dict(DEFAULT_TEMPLATE),
        {"Id": 2, "Name": "Newsletter"},
        {"Id": 3, "Name": "Order receipt"},
    ]
    tenant.settings["email2_triggers"] = [
        {"Id": 1, "Name": "Welcome"},
        {"Id": 2, "Name": "Order confirmation"},
        {"Id": 3, "Name": "Password reset"},
    ]
    segment_ids = [row["Id"] for row in tenant.table(records.SEGMENTS).rows()]
    contact_ids = [row["Id"] for row in tenant.table(CONTACTS).rows()]

    def campaign(name: str, subject: str, template: int, kind: int = 0, blocks: int = 2) -> Row:
        call.clock.advance(3600)
        row = add_campaign(
            call,
            {
                "Type": kind,
                "Name": name,
                "Subject": subject,
                "Preheader": f"{name} from the shop",
                "EmailTemplateId": template,
                "Dynamic": None,
            },
        )
        for number in range(blocks):
            _block(
                call, row, {"EmailBuilderBlockId": 10 + number, "InputValues": {"Headline": {"Value": subject}}, "Settings": None}
            )
        return row

    easter = campaign("Easter newsletter", "Happy Easter: 20% off", 2)
    _schedule(call, easter, {"IncludeSegments": segment_ids[:1], "StartSending": records.stamp(call.clock.time() + 600)})
    sent = tenant.table(DISPATCHES).get(easter["DispatchId"]) or {}
    call.clock.advance(7200)
    statuses = ["Delivered", "Opened", "Clicked", "Bounced"]
    for receiver in tenant.table(RECEIVERS).rows():
        if receiver["EmailDispatchId"] == sent.get("Id"):
            receiver["Status"] = rng.choices(statuses, weights=[5, 3, 2, 1])[0]
    counted = [r["Status"] for r in tenant.table(RECEIVERS).rows() if r["EmailDispatchId"] == sent.get("Id")]
    sent.update(
        Status=FINISHED,
        Sent=len(counted),
        Delivered=sum(s != "Bounced" for s in counted),
        Opens=sum(s in ("Opened", "Clicked") for s in counted),
        Clicks=sum(s == "Clicked" for s in counted),
    )
    welcome = campaign("Welcome mail", "Welcome to the club", 1, kind=1, blocks=1)
    for contact_id in contact_ids[-3:]:
        add_dispatch(
            call,
            welcome["EmailCampaignId"],
            [contact_id],
            kind=TRANSACTIONAL,
            planned=call.clock.time(),
            details={"ContactId": contact_id, "SegmentIds": None, "IsTest": False},
        )
    spring = campaign("Summer newsletter", "Summer is here", 2, blocks=3)
    add_dispatch(
        call,
        spring["EmailCampaignId"],
        contact_ids[:1],
        kind=TEST,
        planned=call.clock.time(),
        details={"ContactId": contact_ids[0] if contact_ids else None, "SegmentIds": None, "IsTest": True},
    )
    _schedule(
        call,
        spring,
        {
            "IncludeSegments": segment_ids[:2],
            "ExcludeSegments": segment_ids[3:4],
            "StartSending": records.stamp(call.clock.time() + 14 * 86400),
        },
    )
    winter = campaign("Winter sale", "Winter sale starts now", 2)
    _schedule(call, winter, {"IncludeSegments": segment_ids[2:3], "StartSending": records.stamp(call.clock.time() + 30 * 86400)})
    _cancel(tenant, winter)
    campaign("Autumn newsletter", "Autumn news", 2, blocks=1)
