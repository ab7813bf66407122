"""School (courses, enrollments) and community (communities, memberships)."""

from __future__ import annotations

from functools import partial

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row
from mockserver.providers.base import fail
from mockserver.providers.systeme import records
from mockserver.providers.systeme.errors import BLANK, refuse, violation
from mockserver.providers.systeme.records import COMMUNITIES, CONTACTS, COURSES, ENROLLMENTS, MEMBERSHIPS

PARTIAL_ACCESS = {"partial_access", "partial_dripping_access"}


def list_courses(call: Call) -> Reply:
    query = (call.params.get("query") or "").casefold()
    active = call.params.get("active")

    def where(row: Row) -> bool:
        return query in row["name"].casefold() and (active is None or row["active"] is active)

    return records.page_reply(call, call.tenant.table(COURSES), records.course, where)


def create_enrollment(call: Call) -> Reply:
    tenant, body = call.tenant, call.body
    course = records.require(tenant.table(COURSES), call.params["courseId"])
    contact_id = body["contactId"]
    records.require(tenant.table(CONTACTS), contact_id)
    access = body.get("accessType", "full_access")
    modules = list(dict.fromkeys(body.get("modules") or []))
    known = {m["id"] for m in course["modules"]}
    problems = []
    if access in PARTIAL_ACCESS and not modules:
        problems.append(violation("modules", *BLANK))
    for index, module_id in enumerate(modules):
        if module_id not in known:
            problems.append(violation(f"modules[{index}]", f"Module with ID {module_id} not found."))
    enrollments = tenant.table(ENROLLMENTS)
    if any(e["contactId"] == contact_id and e["courseId"] == course["id"] for e in enrollments.rows()):
        problems.append(violation("contactId", "This contact is already enrolled in this course."))
    refuse(problems)
    kept_modules = modules if access in PARTIAL_ACCESS else []
    row = records.add_enrollment(tenant, contact_id, course["id"], call.clock.time(), access, kept_modules)
    return Reply(201, records.enrollment(tenant, row))


def list_enrollments(call: Call) -> Reply:
    where = records.columns_equal(call.params, course="courseId", contact="contactId")
    return records.page_reply(call, call.tenant.table(ENROLLMENTS), partial(records.enrollment, call.tenant), where)


delete_enrollment = records.READS.deleter(ENROLLMENTS)
list_communities = records.READS.lister(COMMUNITIES, records.community, where=records.name_contains)


def create_membership(call: Call) -> Reply:
    tenant = call.tenant
    community = records.require(tenant.table(COMMUNITIES), call.params["communityId"])
    contact_id = call.body["contactId"]
    records.require(tenant.table(CONTACTS), contact_id)
    memberships = tenant.table(MEMBERSHIPS)
    if any(m["contactId"] == contact_id and m["communityId"] == community["id"] for m in memberships.rows()):
        raise fail(violation("contactId", "This contact is already a member of this community."))
    records.add_membership(tenant, community["id"], contact_id, call.clock.time())
    return Reply(202, {})


def list_memberships(call: Call) -> Reply:
    where = records.columns_equal(call.params, community="communityId", contact="contactId")
    return records.page_reply(call, call.tenant.table(MEMBERSHIPS), partial(records.membership, call.tenant), where)


delete_membership = records.READS.deleter(MEMBERSHIPS)
