"""School (courses, enrollments) and community (communities, memberships)."""

from __future__ import annotations

from mockserver.engine.context import Call, Reply
from mockserver.engine.errors import NotFound
from mockserver.engine.store import Row
from mockserver.providers.base import fail
from mockserver.providers.systeme import records
from mockserver.providers.systeme.errors import violation
from mockserver.providers.systeme.records import COMMUNITIES, CONTACTS, COURSES, ENROLLMENTS, MEMBERSHIPS

PARTIAL_ACCESS = {"partial_access", "partial_dripping_access"}


def list_courses(call: Call) -> Reply:
    query = (call.params.get("query") or "").casefold()
    active = call.params.get("active")

    def where(row: Row) -> bool:
        return query in row["name"].casefold() and (active is None or row["active"] is active)

    return Reply(200, records.page_body(call, call.tenant.table(COURSES), records.course, where))


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
        problems.append(violation("modules", "This value should not be blank.", "required"))
    for index, module_id in enumerate(modules):
        if module_id not in known:
            problems.append(violation(f"modules[{index}]", f"Module with ID {module_id} not found."))
    enrollments = tenant.table(ENROLLMENTS)
    if any(e["contactId"] == contact_id and e["courseId"] == course["id"] for e in enrollments.rows()):
        problems.append(violation("contactId", "This contact is already enrolled in this course."))
    if problems:
        raise fail(*problems)
    enrollment_id = tenant.next_id("enrollment")
    row = enrollments.insert(
        enrollment_id,
        {
            "id": enrollment_id,
            "contactId": contact_id,
            "courseId": course["id"],
            "accessType": access,
            "modules": modules if access in PARTIAL_ACCESS else [],
            "active": True,
            "createdAt": call.clock.time(),
        },
    )
    return Reply(201, records.enrollment(tenant, row))


def list_enrollments(call: Call) -> Reply:
    tenant, params = call.tenant, call.params
    course, contact = params.get("course"), params.get("contact")

    def where(row: Row) -> bool:
        return (course is None or row["courseId"] == course) and (contact is None or row["contactId"] == contact)

    return Reply(200, records.page_body(call, tenant.table(ENROLLMENTS), lambda row: records.enrollment(tenant, row), where))


def delete_enrollment(call: Call) -> Reply:
    if call.tenant.table(ENROLLMENTS).delete(call.params["id"]) is None:
        raise NotFound("Not Found")
    return Reply(204)


def list_communities(call: Call) -> Reply:
    query = (call.params.get("query") or "").casefold()
    where = (lambda row: query in row["name"].casefold()) if query else None
    return Reply(200, records.page_body(call, call.tenant.table(COMMUNITIES), records.community, where))


def create_membership(call: Call) -> Reply:
    tenant = call.tenant
    community = records.require(tenant.table(COMMUNITIES), call.params["communityId"])
    contact_id = call.body["contactId"]
    records.require(tenant.table(CONTACTS), contact_id)
    memberships = tenant.table(MEMBERSHIPS)
    if any(m["contactId"] == contact_id and m["communityId"] == community["id"] for m in memberships.rows()):
        raise fail(violation("contactId", "This contact is already a member of this community."))
    membership_id = tenant.next_id("membership")
    memberships.insert(
        membership_id,
        {"id": membership_id, "communityId": community["id"], "contactId": contact_id, "createdAt": call.clock.time()},
    )
    return Reply(202, {})


def list_memberships(call: Call) -> Reply:
    tenant, params = call.tenant, call.params
    community, contact = params.get("community"), params.get("contact")

    def where(row: Row) -> bool:
        return (community is None or row["communityId"] == community) and (contact is None or row["contactId"] == contact)

    return Reply(200, records.page_body(call, tenant.table(MEMBERSHIPS), lambda row: records.membership(tenant, row), where))


def delete_membership(call: Call) -> Reply:
    if call.tenant.table(MEMBERSHIPS).delete(call.params["id"]) is None:
        raise NotFound("Not Found")
    return Reply(204)
