"""Members of the website's member area, their groups, and single sign-on sessions."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any
from urllib.parse import urlsplit

from mockserver.engine.context import Call, Reply
from mockserver.engine.provider import PageContext
from mockserver.engine.store import Row, Tenant
from mockserver.providers.simvoly import records
from mockserver.providers.simvoly.contacts import upsert
from mockserver.providers.simvoly.records import GROUPS, MEMBERS, OUTBOX, SESSIONS, bad

SESSION_SECONDS = 15 * 60
EMAIL_TAKEN = "A member with this email address already exists."


# -- members ---------------------------------------------------------------------------
def list_members(call: Call) -> Reply:
    wanted = call.params.get("groupId", call.params.get("group_id"))
    return records.page(call, MEMBERS, records.member, filed=("groups", wanted))


def create_member(call: Call) -> Reply:
    tenant, body = call.tenant, call.body
    members = tenant.table(MEMBERS)
    name, email = records.required(body["name"], "name"), body["email"].strip()
    records.refuse_taken(members, "email", email.casefold(), None, EMAIL_TAKEN)
    groups = records.existing_ids(tenant, GROUPS, body.get("groups") or [], "Member group", "groups")
    row = records.insert_new(
        tenant,
        MEMBERS,
        "member",
        {
            "name": name,
            "email": email,
            "groups": groups,
            "registeredOn": records.now(call),
            "approved": body.get("approved", True),
            "contactId": None,
            "billingAddress": records.address(body.get("billingAddress")),
            "shippingAddress": records.address(body.get("shippingAddress")),
            "passwordHash": _hash(body["password"]) if body.get("password") else None,
        },
    )
    upsert(call, {"email": email, "name": name})  # links the member and its contact
    if not body.get("password"):
        # A random password was set; the member gets an e-mail to choose one.
        record_email(
            call, email, "Set your password", f"Hello {name}, choose a password to access the member area.", "password_reset"
        )
    return Reply(201, records.member(row))


def search_member(call: Call) -> Reply:
    row = records.by_email(call.tenant.table(MEMBERS), call.params["email"].strip())
    return Reply(200, records.member(records.found(row, "Member")))


get_member = records.READS.getter(MEMBERS, records.member)


def update_member(call: Call) -> Reply:
    """Only non-empty fields are set; a password in the body is ignored."""
    tenant, body = call.tenant, call.body
    members = tenant.table(MEMBERS)
    row = records.by_id(call, MEMBERS)
    changes: dict[str, Any] = {}
    if body["name"].strip():
        changes["name"] = body["name"].strip()
    email = body["email"].strip()
    records.refuse_taken(members, "email", email.casefold(), row, EMAIL_TAKEN)
    changes["email"] = email
    if body.get("groups"):
        changes["groups"] = records.existing_ids(tenant, GROUPS, body["groups"], "Member group", "groups")
    if body.get("approved") is not None:
        changes["approved"] = body["approved"]
    row = members.replace(row["id"], {**row, **changes, **records.addresses(body)})
    return Reply(200, records.member(row))


def _hash(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


def record_email(call: Call, to: str, subject: str, text: str, kind: str) -> Row:
    """An e-mail the website sends (the emulator keeps it instead: GET /__admin/simvoly/emails)."""
    fields = {"to": to, "subject": subject, "text": text, "kind": kind, "sentAt": records.now(call)}
    return records.insert_new(call.tenant, OUTBOX, "email", fields)


# -- member groups ---------------------------------------------------------------------
list_groups = records.READS.lister(GROUPS, records.group)


def create_group(call: Call) -> Reply:
    name = records.required(call.body["name"], "name")
    row = records.insert_new(call.tenant, GROUPS, "member_group", {"name": name, "link": call.body.get("link", "")})
    return Reply(201, records.group(row))


get_group = records.READS.getter(GROUPS, records.group)


def update_group(call: Call) -> Reply:
    row = records.by_id(call, GROUPS)
    name = records.required(call.body["name"], "name")
    row.update(name=name, link=call.body.get("link", row["link"]))
    return Reply(200, records.group(row))


def delete_group(call: Call) -> Reply:
    row = records.delete_by_id(call, GROUPS)
    members = call.tenant.table(MEMBERS)
    for member in members.rows_of(list(members.keys_with("groups", row["id"]))):  # read before the writes
        members.replace(member["id"], {**member, "groups": [g for g in member["groups"] if g != row["id"]]})
    return Reply(200, {"success": True})


# -- single sign-on --------------------------------------------------------------------
def start_session(call: Call) -> Reply:
    tenant = call.tenant
    member = records.found(records.by_email(tenant.table(MEMBERS), call.body["email"].strip()), "Member")
    if not member["approved"]:
        raise bad("The member is not approved.", "email")
    path = call.body.get("path") or "/"
    created = records.now(call)
    times = {"createdAt": created, "expiresAt": created + SESSION_SECONDS}  # the session's, and the answer's
    session_id = tenant.next_id("session")
    claims = {"site": tenant.settings["website"]["id"], "sid": session_id, "exp": times["expiresAt"]}
    token = ".".join([_b64({"alg": "HS256", "typ": "JWT"}), _b64(claims), call.random.token(16)])
    tenant.table(SESSIONS).insert(session_id, {"id": session_id, "token": token, "memberId": member["id"], "path": path, **times})
    base = call.request.host_url if call.request is not None else "http://127.0.0.1/"
    return Reply(200, {"token": token, "accessUrl": f"{base}simvoly/members/sso?token={token}", **times})


def sso_page(context: PageContext) -> Reply:
    """The accessUrl: a valid token signs the member in and redirects to the session's path."""
    token = context.request.args.get("token", "")
    session, tenant = _session(context, token)
    if session is None or tenant is None:
        return _html(404, "Sign-on link not found", "This sign-on link is not valid.")
    if tenant.clock.time() > session["expiresAt"]:  # by the website's own clock
        return _html(403, "Sign-on link expired", "This sign-on link has expired. Please sign in again.")
    path = session["path"] if urlsplit(session["path"]).netloc == "" else "/"
    return Reply(302, b"", {"Location": path, "X-Simvoly-Member-Id": str(session["memberId"])})


def _session(context: PageContext, token: str) -> tuple[Row | None, Tenant | None]:
    try:
        claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    except (ValueError, IndexError):
        return None, None
    for tenant in context.tenants():
        if tenant.settings.get("website", {}).get("id") == claims.get("site"):
            with tenant.lock:
                return tenant.table(SESSIONS).find("token", token), tenant
    return None, None


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def _html(status: int, title: str, text: str) -> Reply:
    page = f"<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1><p>{text}</p></body></html>"
    return Reply(status, page.encode(), {"Content-Type": "text/html; charset=utf-8"})
