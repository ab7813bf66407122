"""What the provider-wide bad-input suite (test_bad_input.py) needs to know of each provider
beyond its spec, keyed by provider name: how it refuses each kind of bad request (status,
body, media type), how it names a field in its errors, the records an account needs for
every path of the spec, the valid request of the operations a schema's sample cannot make,
and the refusals that are the provider's own.

These are facts about the real services (their native error bodies are the contract
profiles' `error_body`), written here independently of the emulators. A provider with no
facts written here is held to what one made from its spec alone (`mockserver new-provider`)
keeps to: `spec_made`, below.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from mockserver.contract.profiles import profile_named
from mockserver.engine.provider import Provider
from mockserver.testing import Account, ApiSession
from tests.providers.yulsn.helpers import PNG
from tests.spec_tools import Operation, Spec
from tests.support import created, trigger_response

Request = tuple[dict[str, Any], Any]  # query parameters and body


@dataclass(frozen=True)
class Refusal:
    """What a provider answers to one kind of bad request. In `body` and `message`,
    "{field}", "{path}", "{method}" and "{media_type}" stand for the case's own."""

    status: int
    body: Any = None  # the whole JSON body, when it is always the same
    message: str | None = None  # the error body's text (at the provider's `message_key`), exactly
    mentions: tuple[str, ...] = ()  # text the response holds (ignoring case)
    media_type: str | None = None  # when it is not the provider's error media type
    names: bool = False  # the error names the field or parameter at fault (in its `places`)


ACCEPTED = Refusal(200)  # for the provider's own cases that are to succeed


@dataclass
class World:
    """An account holding a record for every path parameter of the spec, by name (`ids`)."""

    provider: str
    facts: Facts
    account: Account
    client: ApiSession
    ids: dict[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.ids[name]

    def path_values(self, op: Operation) -> dict[str, Any]:
        """The record each path parameter names: the one kept for the path before it."""
        return {p["name"]: self.ids[self.facts.record_of(op, p["name"])] for p in op.path_parameters}

    def url(self, op: Operation, **overrides: Any) -> str:
        return op.url({**self.path_values(op), **overrides})

    def request(self, op: Operation) -> Request:
        """Query parameters and a body with which the operation succeeds on this world."""
        make = self.facts.valid.get(op.operation_id)
        if make is not None:
            return make(self)
        params = {p["name"]: op.spec.sample(p["schema"]) for p in op.query_parameters if p.get("required")}
        return params, None if op.body_schema is None else op.spec.sample(op.body_schema)

    def state(self) -> Any:
        """Everything the account holds: the emulator's snapshot of it, less when it was taken
        and the random generator (the emulator's, which every account draws from)."""
        snapshot = json.loads(self.account.snapshot())
        snapshot.pop("savedAt")
        snapshot.pop("random")
        return snapshot


@dataclass(frozen=True)
class Special:
    """A refusal that is the provider's own: `make` gives the query parameters and body of a
    request to `operation` on a world."""

    operation: str
    make: Callable[[World], Request]
    expect: Refusal
    field: str = ""  # what the error names (with expect.names)
    or_accepted: bool = False  # the request may be accepted instead (where the limit is the server's)
    # A list (path, query) holding what an accepted request stored: one item, or none if refused.
    read_back: tuple[str, dict[str, Any]] | None = None


@dataclass(frozen=True)
class RawSpecial:
    """A refusal that is the provider's own, to a request made as it is (any path, any method)."""

    method: str
    path: str
    expect: Refusal


@dataclass(frozen=True)
class Facts:
    """One provider's facts (see the module's docstring)."""

    # -- the native error body ----------------------------------------------------------------
    error_media_type: str
    message_key: str  # where an error body's text is
    shape: Callable[[int, Any], None]  # asserts the native shape of an error body of that status
    places: Callable[[Any], list[str]]  # the texts in which an error body names fields or parameters
    # -- how each kind of bad request is refused ------------------------------------------------
    unauthorized: Refusal
    malformed: Refusal  # JSON that does not parse
    unsupported_media: Refusal  # a Content-Type the operation does not take
    no_content_type: Refusal
    no_body: Refusal  # a required body left out
    wrong_json_type: Refusal  # well-formed JSON of the wrong type (an array for an object...)
    missing_required: Refusal  # a body without its required properties
    invalid: Refusal  # a body property of the wrong type, out of bounds, missing...
    bad_query: Refusal
    not_found: Refusal  # a well-formed id that names no record
    misfit: Refusal  # a path value that cannot be an id
    no_route: Refusal  # an unknown path
    wrong_method: Refusal  # a method a known path does not have
    too_large: Refusal  # a body over the size limit
    too_deep: Refusal  # JSON nested beyond what the parser reads
    # -- the front door -------------------------------------------------------------------------
    # Header sets that carry no usable key (besides none at all): refused as `unauthorized`.
    bad_credentials: tuple[dict[str, str], ...]
    # -- the records ----------------------------------------------------------------------------
    build: Callable[[Account, ApiSession], dict[str, Any]]  # a world's records, by name
    # The record (a name in the world's ids) each path parameter names, by the path before it.
    records: dict[str, str]
    # ... and by operation and parameter, where that differs from the path's.
    operation_records: dict[tuple[str, str], str] = field(default_factory=dict)
    # The valid request of the operations a schema's sample cannot make (query, body).
    valid: dict[str, Callable[[World], Request]] = field(default_factory=dict)
    # Reads (GET, SEARCH) that make something in the account: run on a world of their own.
    changing_reads: tuple[str, ...] = ()
    # -- what differs -------------------------------------------------------------------------
    stranger: Refusal | None = None  # a key no account has, where it differs from `unauthorized`
    user_agent: Refusal | None = None  # a request without a User-Agent, where one is required
    # Integer path values that cannot be ids match no route (ASP.NET's {id:int}...), whoever
    # asks; else they reach the operation, after the key is checked.
    typed_routes: bool = True
    # Bodies wrapped in one key (`{"contact": {...}}`): a wrapper missing or of the wrong type
    # is refused so, and errors name what is inside it.
    envelope: Refusal | None = None
    query_labels: dict[str, str] = field(default_factory=dict)  # how an error names a query parameter
    # What a look-up needs besides a query parameter for that parameter to be read at all.
    query_needs: dict[tuple[str, str], Callable[[World], dict[str, Any]]] = field(default_factory=dict)
    case_insensitive: bool = False  # body property names are read without regard to case
    readable_dates: tuple[str, ...] = ()  # besides ISO 8601's
    unknown_paths: tuple[str, ...] = ()
    specials: tuple[Special, ...] = ()
    raw_specials: tuple[RawSpecial, ...] = ()

    def record_of(self, op: Operation, name: str) -> str:
        prefix = op.path.split("{" + name + "}", 1)[0].rstrip("/")
        return self.operation_records.get((op.operation_id, name)) or self.records[prefix]


def _ok(response: requests.Response) -> Any:
    assert response.status_code in (200, 201, 202, 204), f"{response.request.method} {response.url}: {response.text[:300]}"
    return response.json() if response.content else None


def _admin(account: Account, action: str, **body: Any) -> Any:
    """A back-office action of the account (POST /__admin/<provider>/<action>)."""
    return _ok(trigger_response(account, action, **body))


def _nonempty_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


# ==============================================================================================
# Systeme.io: RFC 7807 problems (application/problem+json), 422s list their violations; the
# missing key is a plain JSON {"detail"}.
# ==============================================================================================
SYSTEME_MISSING_KEY = "Full authentication is required to access this resource."


def _systeme_shape(status: int, body: Any) -> None:
    if status == 401:
        assert set(body) == {"detail"}, body
        return
    assert all(_nonempty_text(body.get(member)) for member in ("type", "title", "detail")), body
    if status == 422:
        violations = body["violations"]
        assert isinstance(violations, list) and violations, body
        for violation in violations:
            assert isinstance(violation["propertyPath"], str), body
            assert _nonempty_text(violation["message"]) and "code" in violation, body
            line = f"{violation['propertyPath']}: {violation['message']}" if violation["propertyPath"] else violation["message"]
            assert line in body["detail"].split("\n"), body  # the detail joins the violations


def _systeme_build(account: Account, client: ApiSession) -> dict[str, Any]:
    # Payments on, so that a subscription's 404 comes from the unknown id, not the account.
    _admin(account, "payments", enabled=True)
    contact = _ok(client.post("/api/contacts", json={"email": "world@example.com"}))
    other = _ok(client.post("/api/contacts", json={"email": "other@example.com"}))
    tag = _ok(client.post("/api/tags", json={"name": "Lead"}))
    _ok(client.post(f"/api/contacts/{contact['id']}/tags", json={"tagId": tag["id"]}))
    field_ = _ok(client.post("/api/contact_fields", json={"fieldName": "Shoe size", "slug": "shoe_size"}))
    course = _admin(account, "courses", name="Course", modules=["One"])
    _ok(client.post(f"/api/school/courses/{course['id']}/enrollments", json={"contactId": contact["id"]}))
    enrollment = _ok(client.get("/api/school/enrollments"))["items"][0]
    community = _admin(account, "communities", name="Club")
    _ok(client.post(f"/api/community/communities/{community['id']}/memberships", json={"contactId": contact["id"]}))
    membership = _ok(client.get("/api/community/memberships"))["items"][0]
    plan = {"name": "Monthly", "amount": 2900, "currency": "EUR", "type": "subscription", "interval": "month"}
    _admin(account, "sales", email="world@example.com", pricePlan=plan)
    subscription = _ok(client.get("/api/payment/subscriptions"))["items"][0]
    hook = {"name": "Hook", "url": "http://127.0.0.1:9/hook", "secret": "s3cret", "subscriptions": ["CONTACT_CREATED"]}
    webhook = _ok(client.post("/api/webhooks", json=hook))
    funnel = _ok(client.post("/api/funnels", json={"name": "Funnel"}))
    campaign = _ok(client.post("/api/mailing/campaigns", json={"name": "Campaign"}))
    newsletter = _ok(client.post("/api/mailing/newsletters", json={"content": {"subject": "Draft"}}))
    return {
        "funnel": funnel["id"],
        "campaign": campaign["id"],
        "newsletter": newsletter["id"],  # a draft: every newsletter operation may act on it
        "contact": contact["id"],
        "other_contact": other["id"],  # in no course or community
        "tag": tag["id"],
        "field": field_["slug"],
        "course": course["id"],
        "enrollment": enrollment["id"],
        "community": community["id"],
        "membership": membership["id"],
        "subscription": subscription["id"],
        "webhook": webhook["id"],
    }


SYSTEME = Facts(
    error_media_type="application/problem+json",
    message_key="detail",
    shape=_systeme_shape,
    places=lambda body: [v["propertyPath"] for v in body.get("violations", [])],
    unauthorized=Refusal(401, body={"detail": SYSTEME_MISSING_KEY}, media_type="application/json"),
    malformed=Refusal(400, message="Syntax error"),
    unsupported_media=Refusal(415),
    no_content_type=Refusal(415),
    no_body=Refusal(415),
    wrong_json_type=Refusal(422),
    missing_required=Refusal(422, names=True),
    invalid=Refusal(422, names=True),
    bad_query=Refusal(422, names=True),
    not_found=Refusal(404, message="Not Found"),
    misfit=Refusal(404),
    no_route=Refusal(404),
    wrong_method=Refusal(405),
    too_large=Refusal(413),
    too_deep=Refusal(400),
    bad_credentials=({"X-API-Key": ""},),
    stranger=Refusal(401, body={"detail": "Invalid API Key."}, media_type="application/json"),
    typed_routes=False,
    build=_systeme_build,
    records={
        "/api/contacts": "contact",
        "/api/contacts/{id}/tags": "tag",
        "/api/tags": "tag",
        "/api/contact_fields": "field",
        "/api/school/courses": "course",
        "/api/school/enrollments": "enrollment",
        "/api/community/communities": "community",
        "/api/community/memberships": "membership",
        "/api/payment/subscriptions": "subscription",
        "/api/webhooks": "webhook",
        "/api/funnels": "funnel",
        "/api/mailing/campaigns": "campaign",
        "/api/mailing/newsletters": "newsletter",
    },
    valid={
        "createEnrollment": lambda w: ({}, {"contactId": w["other_contact"]}),
        "createMembership": lambda w: ({}, {"contactId": w["other_contact"]}),
        "setNewsletterIncludedTags": lambda w: ({}, {"tagIds": [w["tag"]]}),
        "setNewsletterExcludedTags": lambda w: ({}, {"tagIds": [w["tag"]]}),
        "scheduleNewsletter": lambda w: ({}, {"scheduledAt": "2099-01-01T09:00:00+00:00"}),
    },
    query_labels={"limit": "pagination.limit"},
    unknown_paths=(
        "/api/nothing",
        "/api/contacts/1/nothing",
        "/nothing",
        "/api",
        "/api/contacts/1/tags/1/extra",
        "/api/school",
        "/api/mailing",
        "/api/newsletters",
        "/api/mailing/newsletters/1/send/now",
    ),
    specials=(
        # Records a body names, and rules of the newsletters' own (422 naming the member).
        Special("setNewsletterIncludedTags", lambda w: ({}, {"tagIds": [w["tag"], 987654]}), Refusal(422, names=True), "tagIds"),
        Special("setNewsletterExcludedTags", lambda w: ({}, {"tagIds": [987654]}), Refusal(422, names=True), "tagIds"),
        Special(
            "scheduleNewsletter",
            lambda w: ({}, {"scheduledAt": "2001-01-01T00:00:00+00:00"}),
            Refusal(422, names=True),
            "scheduledAt",
        ),
        Special("createNewsletter", lambda w: ({}, {"content": {"subject": " "}}), Refusal(422, names=True), "subject"),
        Special("updateNewsletter", lambda w: ({}, {"content": {"subject": None}}), Refusal(422, names=True), "subject"),
        Special("createCampaign", lambda w: ({}, {"name": ""}), Refusal(422, names=True), "name"),
        Special("updateCampaign", lambda w: ({}, {"name": None}), Refusal(422, names=True), "name"),
        Special("createFunnel", lambda w: ({}, {"name": "  "}), Refusal(422, names=True), "name"),
    ),
)


# ==============================================================================================
# ClickFunnels 2.0: {"error": "..."} (a 422 adds "errors": {attribute: [messages]}); bodies are
# wrapped in one key (`contact`...), which Rails requires first; Cloudflare answers a request
# without a User-Agent with an HTML page (error 1010).
# ==============================================================================================
def _clickfunnels_shape(status: int, body: Any) -> None:
    assert _nonempty_text(body.get("error")), body
    assert set(body) <= ({"error", "errors"} if status == 422 else {"error"}), body
    errors = body.get("errors", {})
    assert isinstance(errors, dict) and (errors or status != 422), body
    for messages in errors.values():
        assert isinstance(messages, list) and messages and all(map(_nonempty_text, messages)), body


def _clickfunnels_build(account: Account, client: ApiSession) -> dict[str, Any]:
    world = _clickfunnels_basics(account, client)
    world |= _clickfunnels_learning(account, client)
    world |= _clickfunnels_forms(client, world)
    world |= _clickfunnels_commerce(account, client, world)
    world |= _clickfunnels_shipping(client, world)
    return world


def _clickfunnels_shipping(client: ApiSession, world: dict[str, Any]) -> dict[str, Any]:
    space = f"/api/v2/workspaces/{world['workspace']}"
    body: dict[str, Any] = {"shipping_profile": {"name": "Standard", "variant_ids": [world["variant"]]}}
    profile = created(client.post(f"{space}/shipping/profiles", json=body))["id"]
    group = _ok(client.get(f"/api/v2/shipping/profiles/{profile}/location_groups"))[0]["id"]
    zone = created(client.post(f"/api/v2/shipping/location_groups/{group}/zones", json={"shipping_zone": {"name": "Domestic"}}))[
        "id"
    ]
    rate_name = created(client.post(f"{space}/shipping/rates/names", json={"shipping_rates_name": {"name": "Ground"}}))["id"]
    body = {"shipping_rate": {"price": "5.00", "price_currency": "USD", "rates_name_id": rate_name}}
    rate = created(client.post(f"/api/v2/shipping/zones/{zone}/rates", json=body))["id"]
    body = {
        "shipping_package": {"name": "Box", "package_type": "box", "height": 4, "width": 2, "length": 2, "distance_unit": "in"}
    }
    package = created(client.post(f"{space}/shipping/packages", json=body))["id"]
    return {"profile": profile, "location_group": group, "zone": zone, "rate_name": rate_name, "rate": rate, "package": package}


def _clickfunnels_commerce(account: Account, client: ApiSession, world: dict[str, Any]) -> dict[str, Any]:
    space = f"/api/v2/workspaces/{world['workspace']}"
    product = _ok(client.get(f"/api/v2/products/{world['product']}"))
    product_tag = created(client.post(f"{space}/products/tags", json={"products_tag": {"name": "Books"}}))["id"]
    order_tag = created(client.post(f"{space}/orders/tags", json={"orders_tag": {"name": "Rush"}}))["id"]
    other_order_tag = created(client.post(f"{space}/orders/tags", json={"orders_tag": {"name": "Gift"}}))["id"]
    order = world["order"]
    applied = {"orders_applied_tag": {"tag_id": order_tag}}
    order_applied_tag = created(client.post(f"/api/v2/orders/{order}/applied_tags", json=applied))["id"]
    refunded = _admin(
        account, "orders", contact_id=world["contact"], line_items=[{"product_id": world["product"]}], refunded=True
    )
    body = {
        "fulfillments_location": {"name": "Depot", "address_name": "Main", "email_address": "depot@example.com", "address": {}}
    }
    return {
        "variant": product["default_variant_id"],
        "price": product["price_ids"][0],
        "product_tag": product_tag,
        "order_tag": order_tag,
        "other_order_tag": other_order_tag,  # applied to no order
        "order_applied_tag": order_applied_tag,
        "invoice": _ok(client.get(f"/api/v2/orders/{order}/invoices"))[0]["id"],
        "transaction": _ok(client.get(f"/api/v2/orders/{order}/transactions"))[0]["id"],
        "restock": _ok(client.get(f"{space}/orders/invoices/restocks"))[0]["id"],
        "refunded_order": refunded["id"],
        "location": created(client.post(f"{space}/fulfillments/locations", json=body))["id"],
    }


def _clickfunnels_learning(account: Account, client: ApiSession) -> dict[str, Any]:
    sections = [{"title": "Start", "lessons": [{"title": "Welcome"}]}, {"title": "Next"}]
    course = _admin(account, "courses", title="Library", sections=sections)["id"]
    section, other_section = (s["id"] for s in _ok(client.get(f"/api/v2/courses/{course}/sections")))
    lesson = _ok(client.get(f"/api/v2/courses/sections/{section}/lessons"))[0]["id"]
    return {"section": section, "other_section": other_section, "lesson": lesson}


def _clickfunnels_forms(client: ApiSession, world: dict[str, Any]) -> dict[str, Any]:
    form = world["form"]
    field_set = created(client.post(f"/api/v2/forms/{form}/field_sets", json={"forms_field_set": {"title": "About you"}}))["id"]
    body = {"forms_field": {"label": "Colour", "field_type": "select"}}
    field = created(client.post(f"/api/v2/forms/field_sets/{field_set}/fields", json=body))["id"]
    option = created(client.post(f"/api/v2/forms/fields/{field}/options", json={"forms_fields_option": {"label": "Red"}}))["id"]
    body = {"forms_submissions_answer": {"field_id": field, "fields_option_id": option}}
    answer = created(client.post(f"/api/v2/forms/submissions/{world['submission']}/answers", json=body))["id"]
    return {"field_set": field_set, "field": field, "option": option, "answer": answer}


def _clickfunnels_basics(account: Account, client: ApiSession) -> dict[str, Any]:
    team = _ok(client.get("/api/v2/teams"))[0]["id"]
    workspace = _ok(client.get(f"/api/v2/teams/{team}/workspaces"))[0]["id"]
    space = f"/api/v2/workspaces/{workspace}"
    tag = created(client.post(f"{space}/contacts/tags", json={"contacts_tag": {"name": "Lead"}}))["id"]
    other_tag = created(client.post(f"{space}/contacts/tags", json={"contacts_tag": {"name": "Other"}}))["id"]
    other_contact = created(client.post(f"{space}/contacts", json={"contact": {"email_address": "o@example.com"}}))["id"]
    contact_body = {"contact": {"email_address": "w@example.com", "tag_ids": [tag]}}
    contact = created(client.post(f"{space}/contacts", json=contact_body))["id"]
    applied = _ok(client.get(f"/api/v2/contacts/{contact}/applied_tags"))[0]["id"]
    product = created(client.post(f"{space}/products", json={"product": {"name": "Book", "price": "10.00"}}))["id"]
    archived = created(client.post(f"{space}/products", json={"product": {"name": "Old", "price": "1.00"}}))["id"]
    _ok(client.post(f"/api/v2/products/{archived}/archive"))
    order = _admin(account, "orders", contact_id=contact, line_items=[{"product_id": product, "quantity": 5}])
    parts = [{"invoices_line_item_id": order["line_items"][0]["id"], "quantity": 1}]
    body = {"fulfillment": {"contact_id": contact, "included_orders_invoices_line_items_attributes": parts}}
    fulfillment = created(client.post(f"{space}/fulfillments", json=body))["id"]
    course = _admin(account, "courses", title="Academy")["id"]
    enrollment_body = {"courses_enrollment": {"contact_id": contact}}
    enrollment = created(client.post(f"/api/v2/courses/{course}/enrollments", json=enrollment_body))["id"]
    form = _admin(account, "forms", name="Signup")["id"]
    submission = _admin(account, f"forms/{form}/submissions", data={"email_address": "w@example.com"})["id"]
    user = _ok(client.get("/api/v2/users"))[0]["id"]
    # An event the workspace sent out: its endpoint goes at once, and with it the delivery.
    hook = {"url": "http://127.0.0.1:9/e", "name": "Events", "event_type_ids": ["contact.created"]}
    sender = created(client.post(f"{space}/webhooks/outgoing/endpoints", json={"webhooks_outgoing_endpoint": hook}))["id"]
    created(client.post(f"{space}/contacts", json={"contact": {"email_address": "e@example.com"}}))
    _ok(client.delete(f"/api/v2/webhooks/outgoing/endpoints/{sender}"))
    event = _ok(client.get(f"{space}/webhooks/outgoing/events"))[0]["id"]
    hook = {"url": "http://127.0.0.1:9/h", "name": "Hook", "event_type_ids": ["contact.created"]}
    endpoint = created(client.post(f"{space}/webhooks/outgoing/endpoints", json={"webhooks_outgoing_endpoint": hook}))["id"]
    image_body = {"image": {"upload_source_url": "https://cdn.example.com/a.png"}}
    image = created(client.post(f"{space}/images", json=image_body))["id"]
    return {
        "team": team,
        "workspace": workspace,
        "contact": contact,
        "other_contact": other_contact,  # in no course, without tags
        "tag": tag,
        "other_tag": other_tag,  # applied to no contact
        "applied_tag": applied,
        "product": product,
        "archived_product": archived,
        "order": order["id"],
        "order_line": order["line_items"][0]["id"],
        "fulfillment": fulfillment,
        "course": course,
        "enrollment": enrollment,
        "form": form,
        "submission": submission,
        "endpoint": endpoint,
        "image": image,
        "user": user,
        "event": event,
    }


CLICKFUNNELS_ENVELOPE = Refusal(400, body={"error": "param is missing or the value is empty: {field}"})
CLICKFUNNELS = Facts(
    error_media_type="application/json",
    message_key="error",
    shape=_clickfunnels_shape,
    places=lambda body: list(body["errors"]) if "errors" in body else [body["error"]],
    unauthorized=Refusal(401, body={"error": "API key missing or invalid"}),
    malformed=Refusal(400),
    unsupported_media=Refusal(415),
    no_content_type=Refusal(415),
    no_body=Refusal(415, body={"error": "Unsupported media type: send application/json"}),
    wrong_json_type=CLICKFUNNELS_ENVELOPE,
    missing_required=CLICKFUNNELS_ENVELOPE,
    invalid=Refusal(422, names=True),
    envelope=CLICKFUNNELS_ENVELOPE,
    bad_query=Refusal(400),
    not_found=Refusal(404, body={"error": "Not found: Record missing"}),
    misfit=Refusal(404, body={"error": "Not found: Record missing"}),
    no_route=Refusal(404, body={"error": "No such route"}),
    wrong_method=Refusal(405),
    too_large=Refusal(413),
    too_deep=Refusal(400),
    bad_credentials=tuple(
        {"Authorization": value} for value in ("Basic x", "Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token abc", "abc")
    ),
    user_agent=Refusal(403, media_type="text/html", mentions=("1010", "<html")),
    typed_routes=False,
    build=_clickfunnels_build,
    records={
        "/api/v2/teams": "team",
        "/api/v2/workspaces": "workspace",
        "/api/v2/contacts": "contact",
        "/api/v2/contacts/tags": "tag",
        "/api/v2/contacts/applied_tags": "applied_tag",
        "/api/v2/products": "product",
        "/api/v2/products/variants": "variant",
        "/api/v2/products/prices": "price",
        "/api/v2/products/tags": "product_tag",
        "/api/v2/orders": "order",
        "/api/v2/orders/tags": "order_tag",
        "/api/v2/orders/applied_tags": "order_applied_tag",
        "/api/v2/orders/invoices": "invoice",
        "/api/v2/orders/transactions": "transaction",
        "/api/v2/orders/invoices/restocks": "restock",
        "/api/v2/fulfillments": "fulfillment",
        "/api/v2/fulfillments/locations": "location",
        "/api/v2/shipping/profiles": "profile",
        "/api/v2/shipping/location_groups": "location_group",
        "/api/v2/shipping/zones": "zone",
        "/api/v2/shipping/rates": "rate",
        "/api/v2/shipping/rates/names": "rate_name",
        "/api/v2/shipping/packages": "package",
        "/api/v2/courses": "course",
        "/api/v2/courses/enrollments": "enrollment",
        "/api/v2/courses/sections": "section",
        "/api/v2/courses/lessons": "lesson",
        "/api/v2/forms": "form",
        "/api/v2/forms/field_sets": "field_set",
        "/api/v2/forms/fields": "field",
        "/api/v2/forms/fields/options": "option",
        "/api/v2/forms/submissions": "submission",
        "/api/v2/forms/submissions/answers": "answer",
        "/api/v2/webhooks/outgoing/endpoints": "endpoint",
        "/api/v2/webhooks/outgoing/events": "event",
        "/api/v2/images": "image",
        "/api/v2/users": "user",
    },
    operation_records={("unarchiveProduct", "product_id"): "archived_product"},
    valid={
        "createProduct": lambda w: ({}, {"product": {"name": "Another"}}),
        "upsertContact": lambda w: ({}, {"contact": {"email_address": "another@example.com"}}),
        "createEnrollment": lambda w: ({}, {"courses_enrollment": {"contact_id": w["other_contact"]}}),
        "createAppliedTag": lambda w: ({}, {"contacts_applied_tag": {"tag_id": w["other_tag"]}}),
        "createFulfillment": lambda w: (
            {},
            {
                "fulfillment": {
                    "contact_id": w["contact"],
                    "included_orders_invoices_line_items_attributes": [{"invoices_line_item_id": w["order_line"], "quantity": 1}],
                }
            },
        ),
        "createImage": lambda w: ({}, {"image": {"upload_source_url": "https://cdn.example.com/b.png"}}),
        "createAnswer": lambda w: ({}, {"forms_submissions_answer": {"field_id": w["field"], "entry": "Blue"}}),
        "createPrice": lambda w: ({}, {"products_price": {"amount": "12.50", "currency": "USD"}}),
        "createOrderAppliedTag": lambda w: ({}, {"orders_applied_tag": {"tag_id": w["other_order_tag"]}}),
        "createShippingRate": lambda w: (
            {},
            {"shipping_rate": {"price": "9.99", "price_currency": "USD", "rates_name_id": w["rate_name"]}},
        ),
        "createLocation": lambda w: (
            {},
            {"fulfillments_location": {"name": "Shop", "address_name": "Shop", "email_address": "s@example.com", "address": {}}},
        ),
        "createWebhookEndpoint": lambda w: (
            {},
            {"webhooks_outgoing_endpoint": {"url": "http://127.0.0.1:9/a", "name": "A", "event_type_ids": ["contact.created"]}},
        ),
    },
    unknown_paths=(
        "/api/v2/nothing",
        "/api/v2/contacts/1/nothing",
        "/api/v2/workspaces/1/contacts/1",
        "/api/v2",
        "/api/v1/teams",
        "/api/v3/teams",
        "/nothing",
        "/",
        "/api/v2/teams/1/workspaces/1",
        "/api/v2/products/1/archive/now",
    ),
)


# ==============================================================================================
# Simvoly: {"success": false, "message": "..."}; every refused request is a 400 (bad bodies and
# parameters name the field), a missing User-Agent too, checked first.
# ==============================================================================================
def _simvoly_shape(status: int, body: Any) -> None:
    assert set(body) == {"success", "message"} and body["success"] is False, body
    assert _nonempty_text(body["message"]), body


def _simvoly_build(account: Account, client: ApiSession) -> dict[str, Any]:
    contact = created(client.post("/api/site/contacts", json={"email": "world@example.com"}))
    group = created(client.post("/api/site/member-groups", json={"name": "Group"}))
    member_body = {"name": "Member", "email": "member@example.com", "groups": [group["id"]]}
    member = created(client.post("/api/site/members", json=member_body))
    product_body = {"type": "physical", "title": "Book", "variants": [{"price": 5}]}
    product = created(client.post("/api/site/products", json=product_body))
    order = created(trigger_response(account, "orders", customerEmail="world@example.com", items=[{"productId": product["id"]}]))
    subscriber_list = created(client.post("/api/site/subscriber-lists", json={"name": "List"}))
    webhook = created(client.post("/api/site/webhooks", json={"target": "http://127.0.0.1:9/w", "events": ["order_created"]}))
    return {
        "contact": contact["id"],
        "member": member["id"],
        "group": group["id"],
        "product": product["id"],
        "order": order["id"],
        "subscriber_list": subscriber_list["id"],
        "webhook": webhook["id"],
    }


SIMVOLY_REFUSED = Refusal(400)
SIMVOLY = Facts(
    error_media_type="application/json",
    message_key="message",
    shape=_simvoly_shape,
    places=lambda body: [body["message"]],
    unauthorized=Refusal(401, body={"success": False, "message": "Missing API key."}),
    malformed=SIMVOLY_REFUSED,
    unsupported_media=SIMVOLY_REFUSED,
    no_content_type=SIMVOLY_REFUSED,
    no_body=SIMVOLY_REFUSED,
    wrong_json_type=SIMVOLY_REFUSED,
    missing_required=Refusal(400, names=True),
    invalid=Refusal(400, names=True),
    bad_query=Refusal(400, names=True),
    not_found=Refusal(404),
    misfit=Refusal(404),
    no_route=Refusal(404),
    wrong_method=Refusal(405),
    too_large=Refusal(413),
    too_deep=SIMVOLY_REFUSED,
    bad_credentials=tuple(
        {"Authorization": value} for value in ("Bearer ", "Bearer", "Basic dXNlcjpwYXNz", "Token abc", "abc", "")
    ),
    stranger=Refusal(401, body={"success": False, "message": "Invalid API key."}),
    user_agent=Refusal(400, mentions=("User-Agent",)),
    build=_simvoly_build,
    records={
        "/api/site/contacts": "contact",
        "/api/site/members": "member",
        "/api/site/member-groups": "group",
        "/api/site/products": "product",
        "/api/site/orders": "order",
        "/api/site/subscriber-lists": "subscriber_list",
        "/api/site/webhooks": "webhook",
    },
    valid={
        "searchContactByEmail": lambda w: ({"email": "world@example.com"}, None),
        "searchMemberByEmail": lambda w: ({"email": "member@example.com"}, None),
        "startMemberSession": lambda w: ({}, {"email": "member@example.com"}),
    },
    unknown_paths=(
        "/api/site/nothing",
        "/api/site",
        "/api/site/",
        "/api/site/contacts/1/extra",
        "/api/site/contactz",
        "/api/site/webhooks/rh_1/deliveries",
        "/api/v2/contacts",
        "/api/site/products/categories/1",
        "/api/site/members/sso",
    ),
    specials=(
        # Array items of the wrong type, and arrays out of bounds.
        Special("createContact", lambda w: ({}, {"email": "a@example.com", "tags": [5]}), Refusal(400, names=True), "tags"),
        Special(
            "createContact",
            lambda w: ({}, {"email": "a@example.com", "subscriberLists": ["one"]}),
            Refusal(400, names=True),
            "subscriberLists",
        ),
        Special(
            "createMember",
            lambda w: ({}, {"name": "M", "email": "n@example.com", "groups": ["x"]}),
            Refusal(400, names=True),
            "groups",
        ),
        Special(
            "createWebhook",
            lambda w: ({}, {"target": "https://h.example.com", "events": ["nope"]}),
            Refusal(400, names=True),
            "events",
        ),
        Special(
            "createWebhook", lambda w: ({}, {"target": "https://h.example.com", "events": []}), Refusal(400, names=True), "events"
        ),
        Special(
            "createProduct",
            lambda w: ({}, {"type": "physical", "title": "T", "variants": [{"price": -1}]}),
            Refusal(400, names=True),
            "variants",
        ),
    ),
)


# ==============================================================================================
# Yulsn (ASP.NET Web API): {"Message": "..."}, with "ModelState" for a body or parameter that
# does not bind; routes and names of body properties are read without regard to case.
# ==============================================================================================
YULSN_PASSWORD = "world-password"
YULSN_NO_ROUTE = "No HTTP resource was found that matches the request URI 'https://api.yulsn.com{path}'."
YULSN_UNKNOWN_URI = YULSN_NO_ROUTE.partition("{path}")[0] + "/api/v1/"
YULSN_WRONG_METHOD = "The requested resource does not support http method '{method}'."


def _yulsn_shape(status: int, body: Any) -> None:
    assert _nonempty_text(body.get("Message")), body
    state = body.get("ModelState", {})
    assert isinstance(state, dict), body
    assert all(isinstance(messages, list) and all(isinstance(m, str) for m in messages) for messages in state.values()), body


# The account's dynamic fields, one per owner and one per type: (owner, name, type, values).
YULSN_DYNAMIC_FIELDS = (
    ("Contacts", "Newsletter", 2, None),
    ("ContactCompanies", "Employees", 3, None),
    ("Stores", "Opened", 4, None),
    ("Orders", "Channel", 1, ["Online", "Store"]),
    ("OrderLines", "Discount", 5, None),
)


def _yulsn_build(account: Account, client: ApiSession) -> dict[str, Any]:
    for owner, name, kind, values in YULSN_DYNAMIC_FIELDS:
        _admin(account, "dynamic-fields", owner=owner, name=name, type=kind, values=values)
    table = _admin(account, "tables", name="Things", fields=[{"name": "Size", "type": 3}])
    post = client.post
    store = _ok(post("/api/v1/Stores", json={"Number": "S-1", "Name": "Store"}))
    company = _ok(post("/api/v1/ContactCompanies", json={"Name": "Acme", "Number": "C-1"}))
    email = "world@example.dk"
    contact_body = {"Email": email, "PreferredStoreId": store["Id"], "ContactCompanyId": company["Id"]}
    cid = _ok(post("/api/v1/Contacts", json=contact_body))["Id"]
    _ok(post(f"/api/v1/Contacts/{cid}/SetPassword", json={"NewPassword": YULSN_PASSWORD}))
    _ok(post("/api/v1/ContactEvents", json=[{"ContactId": cid, "Type": "PageView"}]))
    point = _ok(post("/api/v1/Points", json={"ContactId": cid, "Type": "Loyalty", "Amount": 10, "StoreId": store["Id"]}))
    lines = [{"Quantity": 1, "Price": 10}, {"Quantity": 2, "Price": 5}]
    order = _ok(post("/api/v1/Orders", json={"Type": "Default", "ExtOrderId": "O-1", "ContactId": cid, "OrderLines": lines}))
    segment = _ok(post("/api/v1/Segments/ContactIds", json={"Name": "World", "FolderId": 1, "ContactIds": [cid]}))
    entity = _ok(post("/api/v1/table/Things", json={"ExternalId": "T-1", "Name": "Thing", "Size": 2}))
    media = _ok(post("/api/v1/Media", json={"Name": "a.png", "FolderId": 1, "ContentType": "image/png", "Media": PNG}))
    draft = _ok(post("/api/v1/EmailBuilderCampaigns", json={"Name": "Draft", "EmailTemplateId": 1}))
    _ok(post(f"/api/v1/EmailBuilderCampaigns/{draft['Id']}/AddBlock", json={"EmailBuilderBlockId": 1}))
    scheduled = _ok(post("/api/v1/EmailBuilderCampaigns", json={"Name": "Scheduled", "EmailTemplateId": 1}))
    _ok(post(f"/api/v1/EmailBuilderCampaigns/{scheduled['Id']}/AddBlock", json={"EmailBuilderBlockId": 1}))
    _ok(post(f"/api/v1/EmailBuilderCampaigns/{scheduled['Id']}/Schedule", json={"IncludeSegments": [segment["Id"]]}))
    _ok(post("/api/v1/EmailDispatches", json={"EmailCampaignId": draft["EmailCampaignId"], "ContactId": cid}))
    return {
        "contact": cid,
        "contact_email": email,
        "company": company["Id"],
        "store": store["Id"],
        "point": point["Id"],
        "order": order["Id"],
        "order_ext": "O-1",
        "line": order["OrderLines"][0]["Id"],
        "segment": segment["Id"],
        "segment_folder": 1,
        "table": "Things",
        "table_id": table["Id"],
        "entity": entity["Id"],
        "draft": draft["Id"],
        "scheduled": scheduled["Id"],
        "email_campaign": draft["EmailCampaignId"],
        "media": media["Id"],
        "media_folder": 1,
        "action": _admin(account, "actions", name="Action")["Id"],
        "feed": _admin(account, "feeds", name="Feed")["Id"],
        "banner": _admin(account, "banners", name="Banner", versions=1)["Id"],
        "token": _admin(account, "iframe-tokens", id=f"token-{account.api_key}")["Id"],
        "trigger": _admin(account, "email2-triggers", name="Trigger")["Id"],
    }


YULSN_VALID: dict[str, Callable[[World], Request]] = {
    "triggerAction": lambda w: ({"contactId": w["contact"]}, None),
    "resetBannerCache": lambda w: ({}, [w["banner"]]),
    "createBulkExport": lambda w: ({}, {"Type": 0}),
    "createContactCompany": lambda w: ({}, {"Name": "Another", "Number": "C-2"}),
    "patchContactCompany": lambda w: ({}, {"Id": w["company"], "Name": "Renamed"}),
    "addContactToCompany": lambda w: ({}, {"ContactId": w["contact"]}),
    "removeContactFromCompany": lambda w: ({}, {"ContactId": w["contact"]}),
    "listContactEvents": lambda w: ({"type": "PageView"}, None),
    "createContactEvents": lambda w: ({}, [{"ContactId": w["contact"], "Type": "PageView"}]),
    "createContact": lambda w: ({}, {"Email": "another@example.dk"}),
    "bulkPatchContacts": lambda w: ({}, {"KeyType": "Id", "Keys": [str(w["contact"])], "Fields": {"FirstName": "Bulk"}}),
    "updateContact": lambda w: ({}, {"Email": w["contact_email"], "FirstName": "Put"}),
    "patchContact": lambda w: ({}, {"FirstName": "Patched"}),
    "loginContact": lambda w: ({}, {"Password": YULSN_PASSWORD}),
    "setContactPassword": lambda w: ({}, {"NewPassword": "another-password"}),
    "listDynamicFieldsOf": lambda w: ({"owner": "DynamicTable"}, None),
    "listDynamicFields": lambda w: ({"owner": "Contacts"}, None),
    "createTableEntity": lambda w: ({}, {"Name": "Another", "Size": 3}),
    "searchTableEntities": lambda w: ({}, {"Fields": [{"Field": "Size", "Operator": "MoreThan", "Value": 1}]}),
    "patchTableEntity": lambda w: ({}, {"Name": "Patched"}),
    "createTableEntities": lambda w: ({}, [{"Name": "Bulk"}]),
    "countTableEntities": lambda w: ({}, {"Fields": []}),
    "createEmail2Dispatch": lambda w: ({}, {"TriggerId": w["trigger"], "Scope": {"Contacts": {str(w["contact"]): {}}}}),
    "createEmailBuilderCampaign": lambda w: ({}, {"Name": "Another", "EmailTemplateId": 1}),
    "addEmailBuilderBlock": lambda w: ({}, {"EmailBuilderBlockId": 7}),
    "scheduleEmailBuilderCampaign": lambda w: ({}, {}),
    "createEmailDispatch": lambda w: ({}, {"EmailCampaignId": w["email_campaign"], "ContactId": w["contact"]}),
    "getIframeToken": lambda w: ({"tokenId": w["token"]}, None),
    "listMedia": lambda w: ({"folderId": w["media_folder"]}, None),
    "createMedia": lambda w: ({}, {"Name": "b.png", "FolderId": w["media_folder"], "ContentType": "image/png", "Media": PNG}),
    "renameMedia": lambda w: ({"newName": "renamed.png"}, None),
    "findOrders": lambda w: ({"contactId": w["contact"]}, None),
    "createOrder": lambda w: ({}, {"Type": "Default", "ContactId": w["contact"], "OrderLines": [{"Quantity": 1, "Price": 10}]}),
    "searchOrders": lambda w: ({}, [{"Field": "ExtOrderId", "Operator": "Equal", "Value": w["order_ext"]}]),
    "patchOrder": lambda w: ({}, {"City": "Aarhus"}),
    "createOrderLine": lambda w: ({}, {"Quantity": 2, "Price": 5}),
    "patchOrderLine": lambda w: ({}, {"Quantity": 3}),
    "createPoint": lambda w: ({}, {"ContactId": w["contact"], "Type": "Loyalty", "Amount": 5}),
    "listPointSums": lambda w: ({"contactId": w["contact"]}, None),
    "listPointSumsByContact": lambda w: ({"type": "Loyalty"}, None),
    "listPointSumsByStore": lambda w: ({"type": "Loyalty"}, None),
    "getPointTotalForContact": lambda w: ({"contactId": w["contact"], "type": "Loyalty"}, None),
    "listPointSumsByContactCompanies": lambda w: ({"type": "Loyalty"}, None),
    "getPointTotalForContactCompany": lambda w: ({"contactCompanyId": w["company"], "type": "Loyalty"}, None),
    "listPointsByContactCompany": lambda w: ({"contactCompanyId": w["company"], "type": "Loyalty"}, None),
    "searchPointsForStores": lambda w: ({"type": "Loyalty"}, [w["store"]]),
    "searchPointSumsForStoresByContactCompanies": lambda w: ({"type": "Loyalty"}, [w["store"]]),
    "listSegments": lambda w: ({"folderId": w["segment_folder"]}, None),
    "countSegmentContacts": lambda w: ({"s": w["segment"]}, None),
    "countSegmentContactsFromBody": lambda w: ({}, [w["segment"]]),
    "createSegmentFromContacts": lambda w: ({}, {"Name": "Another", "FolderId": 1, "ContactIds": [w["contact"]]}),
    # Template 1 of every account: `Registration source`, one parameter.
    "createSegmentFromTemplate": lambda w: ({}, {"Name": "Another", "TemplateId": 1, "Values": {"RegistrationSource": "Web"}}),
    "createStore": lambda w: ({}, {"Number": "S-2"}),
    "patchStore": lambda w: ({}, {"Id": w["store"], "Name": "Renamed"}),
}


def _yulsn_refused(operation: str, make: Callable[[World], Request], status: int, field_: str = "") -> Special:
    return Special(operation, make, Refusal(status, names=bool(field_)), field_)


def _deep_event(depth: int) -> Callable[[World], Request]:
    """An event whose free-form `InfoJson` is `depth` objects deep (as text: deeper than
    json.dumps goes)."""
    info = '{"a":' * depth + "1" + "}" * depth
    return lambda w: ({}, '[{"ContactId": ' + str(w["contact"]) + ', "Type": "Deep", "InfoJson": ' + info + "}]")


# Unknown records named in queries and bodies: 404 where the record is what the request is
# about; the status the spec gives for a record the request merely refers to.
YULSN_REFERENCES = (
    _yulsn_refused("findContacts", lambda w: ({"email": "nobody@example.dk"}, None), 404),
    _yulsn_refused("findContacts", lambda w: ({"phone": "+4599999999"}, None), 404),
    _yulsn_refused("findContacts", lambda w: ({"secret": "NoSuchSecret"}, None), 404),
    _yulsn_refused("listContactCompanies", lambda w: ({"contactCompanyNumber": "NoSuchNumber"}, None), 404),
    _yulsn_refused("findStores", lambda w: ({"number": "NoSuchNumber"}, None), 404),
    _yulsn_refused("findTableEntities", lambda w: ({"secret": "NoSuch"}, None), 404),
    _yulsn_refused("findTableEntities", lambda w: ({"externalId": "NoSuch"}, None), 404),
    _yulsn_refused("getIframeToken", lambda w: ({"tokenId": "no-such-token"}, None), 404),
    _yulsn_refused("findEmailDispatchReceivers", lambda w: ({"emailDispatchId": 987654, "contactId": w["contact"]}, None), 404),
    _yulsn_refused("triggerAction", lambda w: ({"contactId": 987654}, None), 404),
    _yulsn_refused("triggerAction", lambda w: ({"segmentId": 987654}, None), 404),
    _yulsn_refused("resetBannerCache", lambda w: ({}, [987654]), 404),
    _yulsn_refused("resetBannerCache", lambda w: ({"secret": "NoSuchSecret"}, [1]), 404),
    _yulsn_refused("patchContactCompany", lambda w: ({}, {"Id": 987654, "Name": "X"}), 404),
    _yulsn_refused("addContactToCompany", lambda w: ({}, {"ContactId": 987654}), 404),
    _yulsn_refused("removeContactFromCompany", lambda w: ({}, {"ContactId": 987654}), 404),
    _yulsn_refused("createContactCompany", lambda w: ({}, {"Name": "X", "PrimaryContactId": 987654}), 400),
    _yulsn_refused("createContactCompany", lambda w: ({}, {"Name": "X", "ContactCompanyId": 987654}), 400),
    _yulsn_refused("createContactEvents", lambda w: ({}, [{"ContactId": 987654, "Type": "PageView"}]), 404),
    _yulsn_refused("createContactEvents", lambda w: ({}, [{"ContactSecret": "NoSuchSecret", "Type": "PageView"}]), 404),
    _yulsn_refused("createContact", lambda w: ({}, {"Email": "n1@example.dk", "PreferredStoreId": 987654}), 409),
    _yulsn_refused("createContact", lambda w: ({}, {"Email": "n2@example.dk", "RegistrationStoreId": 987654}), 409),
    _yulsn_refused("patchStore", lambda w: ({}, {"Id": 987654, "Name": "X"}), 404),
    _yulsn_refused("createPoint", lambda w: ({}, {"ContactId": 987654, "Type": "Loyalty", "Amount": 1}), 404),
    _yulsn_refused(
        "createPoint", lambda w: ({}, {"ContactId": w["contact"], "Type": "Loyalty", "Amount": 1, "StoreId": 987654}), 400
    ),
    _yulsn_refused("getPointTotalForContact", lambda w: ({"contactId": 987654, "type": "Loyalty"}, None), 404),
    _yulsn_refused("getPointTotalForContactCompany", lambda w: ({"contactCompanyId": 987654, "type": "Loyalty"}, None), 404),
    _yulsn_refused("listPointsByContactCompany", lambda w: ({"contactCompanyId": 987654, "type": "Loyalty"}, None), 404),
    _yulsn_refused("countSegmentContacts", lambda w: ({"s": 987654}, None), 404),
    _yulsn_refused("countSegmentContacts", lambda w: ({"s[0]": w["segment"], "s[1]": 987654}, None), 404),
    _yulsn_refused("countSegmentContactsFromBody", lambda w: ({}, [w["segment"], 987654]), 404),
    _yulsn_refused("createSegmentFromContacts", lambda w: ({}, {"Name": "X", "ContactIds": [w["contact"], 987654]}), 400),
    _yulsn_refused("createSegmentFromTemplate", lambda w: ({}, {"Name": "X", "TemplateId": 987654, "Values": {}}), 404),
    _yulsn_refused("createSegmentFromTemplate", lambda w: ({}, {"Name": "X", "TemplateId": 1, "Values": {"Other": "x"}}), 400),
    _yulsn_refused(
        "createOrder", lambda w: ({}, {"Type": "Default", "ContactId": 987654, "OrderLines": [{"Quantity": 1, "Price": 1}]}), 400
    ),
    _yulsn_refused(
        "createOrder", lambda w: ({}, {"Type": "Default", "StoreId": 987654, "OrderLines": [{"Quantity": 1, "Price": 1}]}), 400
    ),
    _yulsn_refused(
        "createMedia", lambda w: ({}, {"Name": "x.png", "FolderId": 987654, "ContentType": "image/png", "Media": PNG}), 404
    ),
    _yulsn_refused("createEmailBuilderCampaign", lambda w: ({}, {"Name": "X", "EmailTemplateId": 987654}), 404),
    _yulsn_refused("scheduleEmailBuilderCampaign", lambda w: ({}, {"IncludeSegments": [987654]}), 404),
    _yulsn_refused("createEmailDispatch", lambda w: ({}, {"EmailCampaignId": 987654, "ContactId": w["contact"]}), 404),
    _yulsn_refused("createEmailDispatch", lambda w: ({}, {"EmailCampaignId": w["email_campaign"], "ContactId": 987654}), 404),
    _yulsn_refused("createEmailDispatch", lambda w: ({}, {"EmailCampaignId": w["email_campaign"], "SegmentIds": [987654]}), 404),
    _yulsn_refused(
        "createEmailDispatch",
        lambda w: ({}, {"EmailCampaignId": w["email_campaign"], "ContactId": w["contact"], "OrderId": 987654}),
        404,
    ),
    _yulsn_refused(
        "createEmail2Dispatch", lambda w: ({}, {"TriggerId": 987654, "Scope": {"Contacts": {str(w["contact"]): {}}}}), 404
    ),
    _yulsn_refused(
        "createEmail2Dispatch", lambda w: ({}, {"TriggerId": w["trigger"], "Scope": {"Contacts": {"987654": {}}}}), 404
    ),
    _yulsn_refused(
        "createEmail2Dispatch",
        lambda w: ({}, {"TriggerId": w["trigger"], "Scope": {"Segments": {"InSegmentIds": [987654]}}}),
        404,
    ),
)
# The account's dynamic fields (defined through the admin API) given values of the wrong type.
YULSN_DYNAMIC = (
    _yulsn_refused("createContact", lambda w: ({}, {"Email": "new@example.dk", "Newsletter": "yes"}), 400, "Newsletter"),
    _yulsn_refused("updateContact", lambda w: ({}, {"Email": w["contact_email"], "Newsletter": "yes"}), 400, "Newsletter"),
    _yulsn_refused("patchContact", lambda w: ({}, {"Newsletter": 1}), 400, "Newsletter"),
    _yulsn_refused(
        "bulkPatchContacts",
        lambda w: ({}, {"KeyType": 1, "Keys": [str(w["contact"])], "Fields": {"Newsletter": "yes"}}),
        400,
        "Newsletter",
    ),
    _yulsn_refused("createContactCompany", lambda w: ({}, {"Name": "New", "Employees": "many"}), 400, "Employees"),
    _yulsn_refused("patchContactCompany", lambda w: ({}, {"Id": w["company"], "Employees": True}), 400, "Employees"),
    _yulsn_refused("createStore", lambda w: ({}, {"Number": "S-9", "Opened": "not a date"}), 400, "Opened"),
    _yulsn_refused("patchStore", lambda w: ({}, {"Id": w["store"], "Opened": 5}), 400, "Opened"),
    _yulsn_refused(
        "createOrder",
        lambda w: ({}, {"Type": "Default", "Channel": 5, "OrderLines": [{"Quantity": 1, "Price": 1}]}),
        400,
        "Channel",
    ),
    _yulsn_refused(
        "createOrder",
        lambda w: ({}, {"Type": "Default", "Channel": "Fax", "OrderLines": [{"Quantity": 1, "Price": 1}]}),
        400,
        "Channel",
    ),
    _yulsn_refused("patchOrder", lambda w: ({}, {"Channel": ["Online"]}), 400, "Channel"),
    _yulsn_refused(
        "createOrder",
        lambda w: ({}, {"Type": "Default", "OrderLines": [{"Quantity": 1, "Price": 1, "Discount": "x"}]}),
        400,
        "Discount",
    ),
    _yulsn_refused("createOrderLine", lambda w: ({}, {"Quantity": 1, "Price": 1, "Discount": "x"}), 400, "Discount"),
    _yulsn_refused("patchOrderLine", lambda w: ({}, {"Discount": False}), 400, "Discount"),
    _yulsn_refused("createTableEntity", lambda w: ({}, {"Name": "Big", "Size": "big"}), 400, "Size"),
    _yulsn_refused(
        "createTableEntities", lambda w: ({}, [{"Name": "Fine", "Size": 1}, {"Name": "Big", "Size": "big"}]), 400, "Size"
    ),
    _yulsn_refused("patchTableEntity", lambda w: ({}, {"Size": {"a": 1}}), 400, "Size"),
)
# `InfoJson` takes any JSON: as deep as the server reads it, it is stored and read back; deeper,
# it is refused as malformed (near the limit, either).
YULSN_DEEP = tuple(
    Special(
        "createContactEvents",
        _deep_event(depth),
        ACCEPTED if depth <= 900 else Refusal(400, names=True),
        or_accepted=depth in (950, 980),
        read_back=("/api/v1/ContactEvents", {"type": "Deep"}),
    )
    for depth in (10, 200, 500, 900, 950, 980, 1000, 5000)
)

YULSN = Facts(
    error_media_type="application/json",
    message_key="Message",
    shape=_yulsn_shape,
    # ModelState's keys; a query value that does not convert is named in the message alone.
    places=lambda body: list(body["ModelState"]) if "ModelState" in body else [body["Message"]],
    unauthorized=Refusal(401, body={"Message": "Authorization has been denied for this request."}),
    malformed=Refusal(400, names=True),
    unsupported_media=Refusal(
        415, body={"Message": "The request entity's media type '{media_type}' is not supported for this resource."}
    ),
    no_content_type=Refusal(400, names=True),  # read as no body at all
    no_body=Refusal(400, names=True),
    wrong_json_type=Refusal(400, names=True),
    missing_required=Refusal(400, names=True),
    invalid=Refusal(400, names=True),
    bad_query=Refusal(400, names=True),
    not_found=Refusal(404),
    misfit=Refusal(404),
    no_route=Refusal(404, body={"Message": YULSN_NO_ROUTE}),
    wrong_method=Refusal(405, body={"Message": YULSN_WRONG_METHOD}),
    too_large=Refusal(413),
    too_deep=Refusal(400, names=True),
    bad_credentials=({"X-ApiKey": ""},),
    build=_yulsn_build,
    records={
        "/api/v1/Actions": "action",
        "/api/v1/ContactCompanies": "company",
        "/api/v1/Contacts": "contact",
        "/api/v1/DynamicFields": "table_id",
        "/api/v1/table": "table",
        "/api/v1/table/{tableName}": "entity",
        "/api/v1/EmailBuilderCampaigns": "draft",
        "/api/v1/FeedSyncs": "feed",
        "/api/v1/Media": "media",
        "/api/v1/Orders": "order",
        "/api/v1/Orders/{id}/Lines": "line",
        "/api/v1/Points": "point",
        "/api/v1/Segments": "segment",
        "/api/v1/Stores": "store",
    },
    operation_records={("cancelEmailBuilderCampaign", "id"): "scheduled"},
    valid=YULSN_VALID,
    # A person-data file is made on demand; the default permission category on the first read.
    changing_reads=("getPersonDataFile", "listPermissionSourceCategories", "listPermissionSourceCategoryRelations"),
    # The parameters present select the look-up: the contact's reads its dates (the spec says so).
    query_needs={
        ("findPoints", "datetimeFrom"): lambda w: {"contactId": w["contact"]},
        ("findPoints", "datetimeTo"): lambda w: {"contactId": w["contact"]},
    },
    case_insensitive=True,
    readable_dates=("05/14/2024 10:00:00 +00:00", "2024-05-14"),
    unknown_paths=(
        "/api/v1/Nothing",
        "/api/v1",
        "/api/v2/Contacts",
        "/api",
        "/api/v1/Contactz",
        "/api/v1/Contacts/1/Extra",
        "/api/v1/Contacts/1/Login/Again",
        "/api/v1/table",
        "/api/v1/Points/1/Cancel/Now",
        "/api/v1/Orders/1/Lines/1/Extra",
        "/api/v1/Segments/1/GetContactIds/2",
        "/Contacts",
    ),
    specials=YULSN_REFERENCES + YULSN_DYNAMIC + YULSN_DEEP,
    raw_specials=(
        # The unknown URI the message names is the one requested, even with a space in it.
        RawSpecial("GET", "/api/v1/Contacts/a%20b", Refusal(404, mentions=(YULSN_UNKNOWN_URI, "/api/v1/Contacts/a"))),
        RawSpecial("GET", "/api/v1/No%20Such/Thing", Refusal(404, mentions=(YULSN_UNKNOWN_URI, "Such/Thing"))),
        RawSpecial("GET", "/api/v1/Stores/%20", Refusal(404, mentions=(YULSN_UNKNOWN_URI, "/api/v1/Stores/"))),
    )
    # `table/{tableName}/Bulk` takes any segment as the table's name (POST only): the wrong
    # method's message names the method, even when the path holds a space.
    + tuple(
        RawSpecial(method, "/api/v1/table/Two%20Words/Bulk", Refusal(405, body={"Message": YULSN_WRONG_METHOD}))
        for method in ("PUT", "DELETE", "PATCH", "SEARCH")
    ),
)

WRITTEN: dict[str, Facts] = {"systeme": SYSTEME, "clickfunnels": CLICKFUNNELS, "simvoly": SIMVOLY, "yulsn": YULSN}


# ==============================================================================================
# A provider with no facts written here, as `mockserver new-provider` makes one from a spec
# alone: errors in the spec's error shape (its string member the message - `message`, `error`
# or `detail` first - its integer members the status); bad parameters are 400s, bad bodies
# 422s; records are made by POSTing to their collection.
# ==============================================================================================
def facts_of(provider: Provider) -> Facts:
    """The provider's facts: written here, or those of a provider made from its spec alone."""
    return WRITTEN.get(provider.name) or spec_made(provider)


def spec_made(provider: Provider) -> Facts:
    spec = Spec.read(provider.spec_file)
    profile = profile_named(provider.name)
    kinds = {name: schema.get("type") for name, schema in profile.error_body.get("properties", {}).items()}
    strings = [name for name, kind in kinds.items() if kind == "string"]
    message = next((name for name in ("message", "error", "detail") if name in strings), strings[0] if strings else "message")
    numbers = [name for name, kind in kinds.items() if kind == "integer"]

    def shape(status: int, body: Any) -> None:
        assert _nonempty_text(body.get(message)), body
        assert all(body[name] == status for name in numbers), body

    refused, invalid = Refusal(400), Refusal(422)
    collections = sorted({op.path.split("{", 1)[0].rstrip("/") for op in spec.operations() if op.path_parameters}, key=len)
    no_key = {profile.auth_header: profile.auth_prefix}
    return Facts(
        error_media_type="application/json",
        message_key=message,
        shape=shape,
        places=lambda body: [body[message]],
        unauthorized=Refusal(401),
        malformed=refused,
        unsupported_media=Refusal(415),
        no_content_type=Refusal(415),
        no_body=Refusal(415),  # no JSON at all
        wrong_json_type=invalid,
        missing_required=invalid,
        invalid=invalid,
        bad_query=refused,
        not_found=Refusal(404),
        misfit=Refusal(404),
        no_route=Refusal(404),
        wrong_method=Refusal(405),
        too_large=Refusal(413),
        too_deep=refused,
        bad_credentials=(no_key,),
        build=lambda account, client: _made_by_posting(spec, client, collections),
        records={collection: collection for collection in collections},
    )


def _made_by_posting(spec: Spec, client: ApiSession, collections: list[str]) -> dict[str, Any]:
    """A record in each collection, parents first: POSTed, as the spec's sample of its body."""
    made: dict[str, Any] = {}
    for collection in collections:
        create = next(op for op in spec.operations() if op.method == "POST" and op.path.rstrip("/") == collection)
        values = {p["name"]: made[p["name"]] for p in create.path_parameters}
        body = None if create.body_schema is None else spec.sample(create.body_schema)
        made[collection] = _ok(client.post(create.url(values), json=body))["id"]
    return made


# Cases of the generic matrix the emulator is known to get wrong: (kind of case, case id) -> why.
# (The biggest kinds run one test per operation, whose id is "<provider>-<METHOD> <path>".)
XFAIL: dict[tuple[str, str], str] = {}
