"""Courses, their sections and lessons (built in the app: the admin API makes them), and
enrollments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row
from mockserver.providers.clickfunnels import records
from mockserver.providers.clickfunnels.records import (
    CONTACTS,
    COURSES,
    ENROLLMENTS,
    LESSONS,
    SECTIONS,
    announce,
    invalid,
    shown,
    stamp,
)
from mockserver.providers.clickfunnels.resources import Resource

SECTION_FIELDS = ("course_id", "title", "description")
SECTION_ACCESS = ("days_till_drip_access", "blocker_section_id", "blocker_lesson_id", "current_path")


def section(row: Row) -> dict[str, Any]:
    return shown(
        row,
        *SECTION_FIELDS,
        *SECTION_ACCESS,
        "is_hidden_from_non_members",
        "upgrade_url",
        published_at=stamp(row["published_at"]),
    )


def lesson(row: Row) -> dict[str, Any]:
    return shown(row, "section_id", "title", "body", "current_path", published_at=stamp(row["published_at"]))


def _blockers(call: Call, scope: Mapping[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A section may wait for another section, or a lesson, of its course (not itself)."""
    course_id = scope["course_id"]
    blocker = values.get("blocker_section_id")
    if blocker is not None:
        found = records.table(call.tenant, SECTIONS, create=False).get(blocker)
        if found is None or found["course_id"] != course_id or blocker == scope.get("id"):
            raise invalid("blocker_section", "must be another section of the course")
    blocker = values.get("blocker_lesson_id")
    if blocker is not None:
        found = records.table(call.tenant, LESSONS, create=False).get(blocker)
        if found is None or found["course_id"] != course_id:
            raise invalid("blocker_lesson", "must be a lesson of the course")
    return values


SECTION = Resource(
    SECTIONS,
    "courses_section",
    section,
    parent=COURSES,
    defaults={
        "title": None,
        "description": None,
        "days_till_drip_access": None,
        "blocker_section_id": None,
        "blocker_lesson_id": None,
        "is_hidden_from_non_members": False,
    },
    filled=("title",),
    check=_blockers,
    subject="Courses::Section",
    events="courses/section",
    cascade=(LESSONS,),
)
LESSON = Resource(
    LESSONS,
    "courses_lesson",
    lesson,
    parent=SECTIONS,
    defaults={"title": None, "body": None},
    filled=("title",),
    subject="Courses::Lesson",
    events="courses/lesson",
)


def create_enrollment(call: Call) -> Reply:
    tenant = call.tenant
    course = records.addressed(call, COURSES)
    attributes = call.body["courses_enrollment"]
    contact = tenant.table(CONTACTS).get(attributes["contact_id"])
    if contact is None or contact["workspace_id"] != course["workspace_id"]:
        raise invalid("contact", "must exist")
    if _enrolled(call, contact["id"], course["id"]):
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


def add_section(call: Call, course: Row, title: str, description: str | None) -> Row:
    """A section (module) built in the app; fires courses/section.created."""
    row = records.create(
        call,
        SECTIONS,
        workspace_id=course["workspace_id"],
        course_id=course["id"],
        title=title,
        description=description,
        published_at=course["published_at"],
        days_till_drip_access=None,
        blocker_section_id=None,
        blocker_lesson_id=None,
        current_path=None,
        is_hidden_from_non_members=False,
        upgrade_url=None,
    )
    SECTION.announce(call, "created", row)
    return row


def add_lesson(call: Call, section_row: Row, title: str, body: str | None) -> Row:
    """A lesson of a section built in the app; fires courses/lesson.created."""
    row = records.create(
        call,
        LESSONS,
        workspace_id=section_row["workspace_id"],
        course_id=section_row["course_id"],
        section_id=section_row["id"],
        title=title,
        body=body,
        published_at=section_row["published_at"],
        current_path=None,
    )
    LESSON.announce(call, "created", row)
    return row


def update_enrollment(call: Call) -> Reply:
    """Another contact, a suspension or its reason; fires courses/enrollment.updated (and
    courses/enrollment.suspended when it becomes suspended)."""
    row = records.addressed(call, ENROLLMENTS)
    attributes = call.body["courses_enrollment"]
    changes = {name: attributes[name] for name in ("suspended", "suspension_reason") if name in attributes}
    contact_id = attributes.get("contact_id")
    if contact_id is not None and contact_id != row["contact_id"]:
        contact = records.owned(call.tenant, CONTACTS, contact_id, row["workspace_id"], "contact")
        if _enrolled(call, contact["id"], row["course_id"]):
            raise invalid("contact", "is already enrolled in this course")
        changes["contact_id"] = contact["id"]
    suspending = changes.get("suspended") is True and not row["suspended"]
    row = records.touch(call, call.tenant.table(ENROLLMENTS), row, **changes)
    view = records.enrollment(row)
    announce(call, "courses/enrollment.updated", "Courses::Enrollment", row, view)
    if suspending:
        announce(call, "courses/enrollment.suspended", "Courses::Enrollment", row, view)
    return Reply(200, view)


def _enrolled(call: Call, contact_id: int, course_id: int) -> bool:
    return any(e["contact_id"] == contact_id and e["course_id"] == course_id for e in call.tenant.table(ENROLLMENTS).rows())
