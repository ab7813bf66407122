"""ClickFunnels course sections and lessons (made with a course through the admin API),
read and changed through the API; enrollments changed."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.testing import Account, ApiSession
from tests.providers.clickfunnels.helpers import (
    PUBLIC_ID,
    TIMESTAMP,
    assert_invalid,
    assert_not_found,
    create_contact,
    events_of_last_request,
)
from tests.support import created, ok, trigger_response

SECTION_KEYS = {
    "id",
    "public_id",
    "course_id",
    "title",
    "description",
    "days_till_drip_access",
    "blocker_section_id",
    "blocker_lesson_id",
    "current_path",
    "is_hidden_from_non_members",
    "upgrade_url",
    "published_at",
    "created_at",
    "updated_at",
}
LESSON_KEYS = {"id", "public_id", "section_id", "title", "body", "current_path", "published_at", "created_at", "updated_at"}


def course_with_sections(account: Account, **extra: Any) -> dict[str, Any]:
    sections = [
        {
            "title": "Getting started",
            "description": "The basics.",
            "lessons": [{"title": "Welcome", "body": "Hi"}, {"title": "Setup"}],
        },
        {"title": "Going further"},
    ]
    return created(trigger_response(account, "courses", title="Academy", sections=sections, **extra))


def sections_of(client: ApiSession, course_id: int) -> list[dict[str, Any]]:
    return list(ok(client.get(f"/api/v2/courses/{course_id}/sections")))


def test_a_course_made_with_sections_lists_them_and_their_lessons(clickfunnels: ApiSession, account: Account) -> None:
    course = course_with_sections(account)

    first, second = sections_of(clickfunnels, course["id"])

    assert set(first) == SECTION_KEYS
    assert (first["title"], first["description"], first["course_id"]) == ("Getting started", "The basics.", course["id"])
    assert second["title"] == "Going further"
    assert PUBLIC_ID.match(first["public_id"])
    assert first["published_at"] == course["published_at"]
    welcome, setup = ok(clickfunnels.get(f"/api/v2/courses/sections/{first['id']}/lessons"))
    assert set(welcome) == LESSON_KEYS
    assert (welcome["title"], welcome["body"], welcome["section_id"]) == ("Welcome", "Hi", first["id"])
    assert (setup["title"], setup["body"]) == ("Setup", None)
    assert TIMESTAMP.match(setup["created_at"])
    assert ok(clickfunnels.get(f"/api/v2/courses/sections/{second['id']}/lessons")) == []
    assert ok(clickfunnels.get(f"/api/v2/courses/sections/{first['public_id']}")) == first
    assert ok(clickfunnels.get(f"/api/v2/courses/lessons/{welcome['public_id']}")) == welcome


def test_an_unpublished_course_has_unpublished_sections(clickfunnels: ApiSession, account: Account) -> None:
    course = course_with_sections(account, published=False)
    assert {section["published_at"] for section in sections_of(clickfunnels, course["id"])} == {None}


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_section_is_updated_and_announced(clickfunnels: ApiSession, account: Account, method: str) -> None:
    course = course_with_sections(account)
    first, second = sections_of(clickfunnels, course["id"])
    body = {"courses_section": {"title": "Part two", "blocker_section_id": first["id"], "days_till_drip_access": 7}}

    changed = ok(clickfunnels.request(method, f"/api/v2/courses/sections/{second['id']}", json=body))

    assert (changed["title"], changed["blocker_section_id"], changed["days_till_drip_access"]) == ("Part two", first["id"], 7)
    assert events_of_last_request(account) == ["courses/section.updated"]
    assert sections_of(clickfunnels, course["id"])[1] == changed


def test_a_section_cannot_wait_for_itself_or_another_course(clickfunnels: ApiSession, account: Account) -> None:
    course = course_with_sections(account)
    other = course_with_sections(account)
    first, _ = sections_of(clickfunnels, course["id"])
    elsewhere, _ = sections_of(clickfunnels, other["id"])
    url = f"/api/v2/courses/sections/{first['id']}"

    for blocker in (first["id"], elsewhere["id"], 424242):
        response = clickfunnels.put(url, json={"courses_section": {"blocker_section_id": blocker}})
        assert_invalid(response, "blocker_section", "must be another section of the course")
    assert sections_of(clickfunnels, course["id"])[0] == first


def test_a_section_may_wait_for_a_lesson_of_its_course(clickfunnels: ApiSession, account: Account) -> None:
    course = course_with_sections(account)
    first, second = sections_of(clickfunnels, course["id"])
    lesson = ok(clickfunnels.get(f"/api/v2/courses/sections/{first['id']}/lessons"))[0]

    changed = ok(
        clickfunnels.patch(
            f"/api/v2/courses/sections/{second['id']}", json={"courses_section": {"blocker_lesson_id": lesson["id"]}}
        )
    )

    assert changed["blocker_lesson_id"] == lesson["id"]
    other = course_with_sections(account)
    foreign = ok(clickfunnels.get(f"/api/v2/courses/sections/{sections_of(clickfunnels, other['id'])[0]['id']}/lessons"))[0]
    response = clickfunnels.patch(
        f"/api/v2/courses/sections/{second['id']}", json={"courses_section": {"blocker_lesson_id": foreign["id"]}}
    )
    assert_invalid(response, "blocker_lesson", "must be a lesson of the course")


def test_a_blank_section_title_is_422(clickfunnels: ApiSession, account: Account) -> None:
    course = course_with_sections(account)
    first, _ = sections_of(clickfunnels, course["id"])
    response = clickfunnels.put(f"/api/v2/courses/sections/{first['id']}", json={"courses_section": {"title": "  "}})
    assert_invalid(response, "title", "can't be blank")


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_lesson_is_updated_and_announced(clickfunnels: ApiSession, account: Account, method: str) -> None:
    course = course_with_sections(account)
    first, _ = sections_of(clickfunnels, course["id"])
    lesson = ok(clickfunnels.get(f"/api/v2/courses/sections/{first['id']}/lessons"))[0]

    changed = ok(
        clickfunnels.request(method, f"/api/v2/courses/lessons/{lesson['id']}", json={"courses_lesson": {"body": "New"}})
    )

    assert (changed["body"], changed["title"]) == ("New", lesson["title"])
    assert events_of_last_request(account) == ["courses/lesson.updated"]
    assert ok(clickfunnels.get(f"/api/v2/courses/lessons/{lesson['id']}")) == changed


def test_unknown_sections_and_lessons_are_404(clickfunnels: ApiSession) -> None:
    assert_not_found(clickfunnels.get("/api/v2/courses/424242/sections"))
    assert_not_found(clickfunnels.get("/api/v2/courses/sections/424242"))
    assert_not_found(clickfunnels.get("/api/v2/courses/sections/424242/lessons"))
    assert_not_found(clickfunnels.put("/api/v2/courses/lessons/424242", json={"courses_lesson": {"title": "X"}}))


# -- enrollments changed --------------------------------------------------------------------------
def enrolled(client: ApiSession, account: Account, workspace_id: int) -> dict[str, Any]:
    course = created(trigger_response(account, "courses", title="Course"))
    contact = create_contact(client, workspace_id, "learner@example.com")
    body = {"courses_enrollment": {"contact_id": contact["id"]}}
    return created(client.post(f"/api/v2/courses/{course['id']}/enrollments", json=body))


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_suspending_an_enrollment_announces_it(
    clickfunnels: ApiSession, workspace_id: int, account: Account, method: str
) -> None:
    enrollment = enrolled(clickfunnels, account, workspace_id)
    body = {"courses_enrollment": {"suspended": True, "suspension_reason": "Unpaid"}}

    changed = ok(clickfunnels.request(method, f"/api/v2/courses/enrollments/{enrollment['id']}", json=body))

    assert (changed["suspended"], changed["suspension_reason"]) == (True, "Unpaid")
    assert events_of_last_request(account) == ["courses/enrollment.updated", "courses/enrollment.suspended"]
    again = ok(clickfunnels.patch(f"/api/v2/courses/enrollments/{enrollment['id']}", json=body))
    assert again["suspended"] is True
    assert events_of_last_request(account) == ["courses/enrollment.updated"]


def test_an_enrollment_moves_to_another_contact_of_the_workspace(
    clickfunnels: ApiSession, workspace_id: int, account: Account
) -> None:
    enrollment = enrolled(clickfunnels, account, workspace_id)
    other = create_contact(clickfunnels, workspace_id, "other@example.com")
    url = f"/api/v2/courses/enrollments/{enrollment['id']}"

    assert ok(clickfunnels.put(url, json={"courses_enrollment": {"contact_id": other["id"]}}))["contact_id"] == other["id"]
    assert_invalid(clickfunnels.put(url, json={"courses_enrollment": {"contact_id": 424242}}), "contact", "must exist")


def test_an_unknown_enrollment_is_404_on_update(clickfunnels: ApiSession) -> None:
    assert_not_found(clickfunnels.put("/api/v2/courses/enrollments/424242", json={"courses_enrollment": {"suspended": True}}))
