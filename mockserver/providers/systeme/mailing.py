"""E-mail: campaigns (automated sequences, whose e-mails are written in the app) and
newsletters (one-off e-mails: drafts until sent now or at a scheduled time, by the account's
clock; `sendAt` is kept, as are the included and excluded tags, which the API never shows)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockserver.engine.clock import parse_iso
from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row, Table
from mockserver.providers.base import fail
from mockserver.providers.systeme import records
from mockserver.providers.systeme.errors import BLANK, refuse, violation
from mockserver.providers.systeme.records import CAMPAIGNS, NEWSLETTERS, TAGS

ALREADY_SENT = "This newsletter has already been sent."
CONTENT = ("subject", "previewText", "editorType", "bodyHtml", "senderEmail", "senderName")


# -- campaigns ------------------------------------------------------------------------------
def campaign(row: Row) -> dict[str, Any]:
    return records.pick(row, "id", "name", "senderEmail", "description")


list_campaigns = records.READS.lister(CAMPAIGNS, campaign, where=records.name_contains)
get_campaign = records.READS.getter(CAMPAIGNS, campaign)
delete_campaign = records.READS.deleter(CAMPAIGNS)


def create_campaign(call: Call) -> Reply:
    body = call.body
    values = {"name": _name(body["name"]), "senderEmail": body.get("senderEmail"), "description": body.get("description")}
    return Reply(201, campaign(records.add(call.tenant, CAMPAIGNS, "mailing_campaign", values)))


def update_campaign(call: Call) -> Reply:
    table = call.tenant.table(CAMPAIGNS)
    row = records.require(table, call.params["id"])
    changes = {key: call.body[key] for key in ("senderEmail", "description") if key in call.body}
    if "name" in call.body:
        changes["name"] = _name(call.body["name"])
    return Reply(200, campaign(table.replace(row["id"], {**row, **changes})))


def _name(value: str | None) -> str:
    name = (value or "").strip()
    if not name:
        raise fail(violation("name", *BLANK))
    return name


# -- newsletters ----------------------------------------------------------------------------
def is_sent(row: Row, now: float) -> bool:
    return row["sendAt"] is not None and row["sendAt"] <= now


def newsletter(row: Row, now: float) -> dict[str, Any]:
    return {"id": row["id"], "type": "regular", "content": dict(row["content"]), "state": {"isSent": is_sent(row, now)}}


def list_newsletters(call: Call) -> Reply:
    query = (call.params.get("query") or "").casefold()
    where = (lambda row: query in row["content"]["subject"].casefold()) if query else None
    now = call.clock.time()
    return records.page_reply(call, call.tenant.table(NEWSLETTERS), lambda row: newsletter(row, now), where)


def get_newsletter(call: Call) -> Reply:
    row = records.require(call.tenant.table(NEWSLETTERS), call.params["id"])
    return Reply(200, newsletter(row, call.clock.time()))


def create_newsletter(call: Call) -> Reply:
    given = call.body["content"]
    content = {key: given.get(key) for key in CONTENT} | {"editorType": given.get("editorType", "classic")}
    content["subject"] = _subject(content["subject"])
    values: dict[str, Any] = {
        "content": content,
        "includedTags": [],
        "excludedTags": [],
        "sendAt": None,
        "createdAt": call.clock.time(),
    }
    row = records.add(call.tenant, NEWSLETTERS, "newsletter", values)
    return Reply(201, newsletter(row, call.clock.time()))


def update_newsletter(call: Call) -> Reply:
    table, row = _draft(call)
    given: Mapping[str, Any] = call.body.get("content") or {}
    content = {**row["content"], **{key: given[key] for key in CONTENT if key in given}}
    content["subject"] = _subject(content["subject"])
    row = table.replace(row["id"], {**row, "content": content})
    return Reply(200, newsletter(row, call.clock.time()))


def set_included_tags(call: Call) -> Reply:
    return _set_tags(call, "includedTags")


def set_excluded_tags(call: Call) -> Reply:
    return _set_tags(call, "excludedTags")


def schedule_newsletter(call: Call) -> Reply:
    table, row = _draft(call)
    moment = parse_iso(call.body["scheduledAt"])
    if moment is None or moment.timestamp() <= call.clock.time():
        raise fail(violation("scheduledAt", "This value should be greater than now."))
    table.replace(row["id"], {**row, "sendAt": moment.timestamp()})
    return Reply(204)


def send_newsletter(call: Call) -> Reply:
    table, row = _draft(call)
    table.replace(row["id"], {**row, "sendAt": call.clock.time()})
    return Reply(204)


def _draft(call: Call) -> tuple[Table, Row]:
    """The newsletter the path names (404), while it is not sent (422)."""
    table = call.tenant.table(NEWSLETTERS)
    row = records.require(table, call.params["id"])
    if is_sent(row, call.clock.time()):
        raise fail(violation("", ALREADY_SENT))
    return table, row


def _set_tags(call: Call, member: str) -> Reply:
    table, row = _draft(call)
    given: list[int] = call.body["tagIds"]
    tags = call.tenant.table(TAGS)
    refuse([violation(f"tagIds[{i}]", f"Tag with ID {tag} not found.") for i, tag in enumerate(given) if tag not in tags])
    table.replace(row["id"], {**row, member: list(dict.fromkeys(given))})
    return Reply(204)


def _subject(value: str | None) -> str:
    subject = (value or "").strip()
    if not subject:
        raise fail(violation("content.subject", *BLANK))
    return subject
