"""Courses and enrollments; forms and their submissions."""

from __future__ import annotations

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row
from mockserver.providers.clickfunnels import records
from mockserver.providers.clickfunnels.contacts import announce
from mockserver.providers.clickfunnels.listing import list_reply
from mockserver.providers.clickfunnels.records import CONTACTS, COURSES, ENROLLMENTS, FORMS, SUBMISSIONS, invalid


def list_courses(call: Call) -> Reply:
    space = records.workspace(call)
    return list_reply(call, call.tenant.table(COURSES), records.course, lambda row: row["workspace_id"] == space["id"])


def get_course(call: Call) -> Reply:
    return Reply(200, records.course(_course(call)))


def list_enrollments(call: Call) -> Reply:
    course = _course(call)
    return list_reply(call, call.tenant.table(ENROLLMENTS), records.enrollment, lambda row: row["course_id"] == course["id"])


def create_enrollment(call: Call) -> Reply:
    tenant = call.tenant
    course = _course(call)
    attributes = call.body["courses_enrollment"]
    contact = tenant.table(CONTACTS).get(attributes["contact_id"])
    if contact is None or contact["workspace_id"] != course["workspace_id"]:
        raise invalid("contact", "must exist")
    if any(e["contact_id"] == contact["id"] and e["course_id"] == course["id"] for e in tenant.table(ENROLLMENTS).rows()):
        raise invalid("contact", "is already enrolled in this course")
    row = enroll(call, course, contact, suspended=attributes.get("suspended", False), reason=attributes.get("suspension_reason"))
    return Reply(201, records.enrollment(row))


def enroll(call: Call, course: Row, contact: Row, *, suspended: bool = False, reason: str | None = None) -> Row:
    row = records.create(
        call,
        ENROLLMENTS,
        workspace_id=course["workspace_id"],
        contact_id=contact["id"],
        course_id=course["id"],
        suspended=suspended,
        suspension_reason=reason,
        origination_source_type="Api",
        origination_source_id=None,
    )
    announce(call, "courses/enrollment.created", "Courses::Enrollment", row, records.enrollment(row))
    return row


def get_enrollment(call: Call) -> Reply:
    return Reply(200, records.enrollment(records.find(call.tenant.table(ENROLLMENTS), call.params["enrollment_id"])))


def _course(call: Call) -> Row:
    return records.find(call.tenant.table(COURSES), call.params["course_id"])


def list_forms(call: Call) -> Reply:
    space = records.workspace(call)
    return list_reply(call, call.tenant.table(FORMS), records.form, lambda row: row["workspace_id"] == space["id"])


def get_form(call: Call) -> Reply:
    return Reply(200, records.form(records.find(call.tenant.table(FORMS), call.params["form_id"])))


def list_submissions(call: Call) -> Reply:
    form = records.find(call.tenant.table(FORMS), call.params["form_id"])
    return list_reply(call, call.tenant.table(SUBMISSIONS), records.submission, lambda row: row["form_id"] == form["id"])


def get_submission(call: Call) -> Reply:
    return Reply(200, records.submission(records.find(call.tenant.table(SUBMISSIONS), call.params["submission_id"])))
