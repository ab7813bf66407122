"""Courses and enrollments; forms and their submissions."""

from __future__ import annotations

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row
from mockserver.providers.clickfunnels import records
from mockserver.providers.clickfunnels.records import CONTACTS, COURSES, ENROLLMENTS, announce, invalid


def create_enrollment(call: Call) -> Reply:
    tenant = call.tenant
    course = records.addressed(call, COURSES)
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


def add_course(call: Call, workspace_id: int, title: str, description: str | None, *, published: bool) -> Row:
    """A course built in the app, its path made from its title; fires course.created."""
    row = records.new_record(
        call.tenant,
        call.random,
        COURSES,
        call.clock.time(),
        workspace_id=workspace_id,
        title=title,
        description=description,
        current_path="/" + "-".join(title.lower().split()),
        image_url=None,
        published_at=call.clock.time() if published else None,
    )
    announce(call, "course.created", "Course", row, records.course(row))
    return row
