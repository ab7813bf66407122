"""ClickFunnels courses and enrollments; forms and their submissions (both made through the admin API)."""

from __future__ import annotations

from typing import Any

import requests

from mockserver.testing import Account, ApiSession
from tests.providers.clickfunnels.helpers import (
    PUBLIC_ID,
    TIMESTAMP,
    assert_not_found,
    create_contact,
)
from tests.support import ok, trigger_response

COURSE_KEYS = {"id", "public_id", "title", "description", "published_at", "current_path", "image_url", "created_at", "updated_at"}
ENROLLMENT_KEYS = {
    "id",
    "public_id",
    "contact_id",
    "course_id",
    "suspended",
    "suspension_reason",
    "origination_source_type",
    "origination_source_id",
    "created_at",
    "updated_at",
}
FORM_KEYS = {"id", "public_id", "workspace_id", "name", "created_at", "updated_at"}
SUBMISSION_KEYS = {"id", "public_id", "form_id", "contact_id", "workspace_id", "data", "created_at", "updated_at"}


def admin(account: Account, path: str, body: dict[str, Any]) -> dict[str, Any]:
    return dict(ok(trigger_response(account, path, **body), 201))


def enroll(client: ApiSession, course_ref: int | str, contact_id: int, **extra: Any) -> requests.Response:
    return client.post(
        f"/api/v2/courses/{course_ref}/enrollments", json={"courses_enrollment": {"contact_id": contact_id, **extra}}
    )


def assert_422(response: requests.Response) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert set(body) == {"error", "errors"}
    assert isinstance(body["error"], str) and body["error"]


# -- courses ---------------------------------------------------------------------------
def test_a_course_made_by_the_admin_api_is_listed_and_readable(
    clickfunnels: ApiSession, workspace_id: int, account: Account
) -> None:
    course = admin(account, "courses", {"title": "Funnel Basics", "description": "Start here."})

    assert set(course) == COURSE_KEYS
    assert course["title"] == "Funnel Basics"
    assert course["description"] == "Start here."
    assert PUBLIC_ID.match(course["public_id"])
    assert TIMESTAMP.match(course["created_at"])
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/courses")) == [course]
    assert ok(clickfunnels.get(f"/api/v2/courses/{course['id']}")) == course
    assert ok(clickfunnels.get(f"/api/v2/courses/{course['public_id']}")) == course


def test_courses_list_only_the_workspace_courses(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    other = admin(account, "workspaces", {"name": "Other"})["id"]
    here = admin(account, "courses", {"title": "Here"})
    there = admin(account, "courses", {"title": "There", "workspace_id": other})

    assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/courses")) == [here]
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{other}/courses")) == [there]


def test_a_new_workspace_has_no_courses(clickfunnels: ApiSession, workspace_id: int) -> None:
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/courses")) == []


def test_an_unknown_course_is_404(clickfunnels: ApiSession, workspace_id: int) -> None:
    assert_not_found(clickfunnels.get("/api/v2/courses/424242"))
    assert_not_found(clickfunnels.get("/api/v2/courses/424242/enrollments"))


# -- enrollments -----------------------------------------------------------------------
def test_enroll_returns_201_with_the_enrollment(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    course = admin(account, "courses", {"title": "Course"})
    contact = create_contact(clickfunnels, workspace_id, "student@example.com")

    response = enroll(clickfunnels, course["id"], contact["id"])

    assert response.status_code == 201, response.text
    enrollment = response.json()
    assert set(enrollment) == ENROLLMENT_KEYS
    assert enrollment["contact_id"] == contact["id"]
    assert enrollment["course_id"] == course["id"]
    assert enrollment["suspended"] is False
    assert enrollment["suspension_reason"] is None
    assert PUBLIC_ID.match(enrollment["public_id"])
    assert TIMESTAMP.match(enrollment["created_at"])


def test_enroll_suspended_with_a_reason(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    course = admin(account, "courses", {"title": "Course"})
    contact = create_contact(clickfunnels, workspace_id, "late@example.com")

    enrollment = ok(enroll(clickfunnels, course["public_id"], contact["id"], suspended=True, suspension_reason="Unpaid"), 201)

    assert enrollment["suspended"] is True
    assert enrollment["suspension_reason"] == "Unpaid"
    assert enrollment["course_id"] == course["id"]


def test_enroll_without_the_courses_enrollment_wrapper_is_400(
    clickfunnels: ApiSession, workspace_id: int, account: Account
) -> None:
    course = admin(account, "courses", {"title": "Course"})
    contact = create_contact(clickfunnels, workspace_id, "flat@example.com")

    response = clickfunnels.post(f"/api/v2/courses/{course['id']}/enrollments", json={"contact_id": contact["id"]})

    assert response.status_code == 400
    assert response.json() == {"error": "param is missing or the value is empty: courses_enrollment"}
    assert ok(clickfunnels.get(f"/api/v2/courses/{course['id']}/enrollments")) == []


def test_enrolling_twice_is_422(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    course = admin(account, "courses", {"title": "Course"})
    contact = create_contact(clickfunnels, workspace_id, "twice@example.com")
    first = ok(enroll(clickfunnels, course["id"], contact["id"]), 201)

    assert_422(enroll(clickfunnels, course["id"], contact["id"]))
    assert ok(clickfunnels.get(f"/api/v2/courses/{course['id']}/enrollments")) == [first]


def test_the_same_contact_can_join_two_courses(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    one = admin(account, "courses", {"title": "One"})
    two = admin(account, "courses", {"title": "Two"})
    contact = create_contact(clickfunnels, workspace_id, "both@example.com")

    assert ok(enroll(clickfunnels, one["id"], contact["id"]), 201)["course_id"] == one["id"]
    assert ok(enroll(clickfunnels, two["id"], contact["id"]), 201)["course_id"] == two["id"]


def test_a_contact_of_another_workspace_is_422(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    course = admin(account, "courses", {"title": "Course"})
    other = admin(account, "workspaces", {"name": "Other"})["id"]
    outsider = create_contact(clickfunnels, other, "outsider@example.com")

    assert_422(enroll(clickfunnels, course["id"], outsider["id"]))
    assert ok(clickfunnels.get(f"/api/v2/courses/{course['id']}/enrollments")) == []


def test_an_unknown_contact_is_422(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    course = admin(account, "courses", {"title": "Course"})

    assert_422(enroll(clickfunnels, course["id"], 987654))


def test_list_enrollments_filters_by_contact(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    course = admin(account, "courses", {"title": "Course"})
    other_course = admin(account, "courses", {"title": "Other course"})
    ann = create_contact(clickfunnels, workspace_id, "ann@example.com")
    bob = create_contact(clickfunnels, workspace_id, "bob@example.com")
    ann_enrollment = ok(enroll(clickfunnels, course["id"], ann["id"]), 201)
    bob_enrollment = ok(enroll(clickfunnels, course["id"], bob["id"]), 201)
    ok(enroll(clickfunnels, other_course["id"], bob["id"]), 201)

    def listed(**params: Any) -> list[int]:
        return [e["id"] for e in ok(clickfunnels.get(f"/api/v2/courses/{course['id']}/enrollments", params=params))]

    assert ok(clickfunnels.get(f"/api/v2/courses/{course['id']}/enrollments")) == [ann_enrollment, bob_enrollment]
    assert listed(**{"filter[contact_id]": bob["id"]}) == [bob_enrollment["id"]]
    assert listed(**{"filter[contact_id]": f"{ann['id']},{bob['id']}"}) == [ann_enrollment["id"], bob_enrollment["id"]]


def test_get_enrollment_by_id_and_by_public_id(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    course = admin(account, "courses", {"title": "Course"})
    contact = create_contact(clickfunnels, workspace_id, "get@example.com")
    enrollment = ok(enroll(clickfunnels, course["id"], contact["id"]), 201)

    assert ok(clickfunnels.get(f"/api/v2/courses/enrollments/{enrollment['id']}")) == enrollment
    assert ok(clickfunnels.get(f"/api/v2/courses/enrollments/{enrollment['public_id']}")) == enrollment
    assert_not_found(clickfunnels.get(f"/api/v2/courses/enrollments/{enrollment['id'] + 1000}"))


def test_the_demo_course_has_ten_enrollments(clickfunnels_demo: ApiSession) -> None:
    team = ok(clickfunnels_demo.get("/api/v2/teams"))[0]
    demo_workspace = ok(clickfunnels_demo.get(f"/api/v2/teams/{team['id']}/workspaces"))[0]

    courses = ok(clickfunnels_demo.get(f"/api/v2/workspaces/{demo_workspace['id']}/courses"))

    assert len(courses) == 1
    enrollments = ok(clickfunnels_demo.get(f"/api/v2/courses/{courses[0]['id']}/enrollments"))
    assert len(enrollments) == 10
    assert len({e["contact_id"] for e in enrollments}) == 10


# -- forms -----------------------------------------------------------------------------
def test_a_form_made_by_the_admin_api_is_listed_and_readable(
    clickfunnels: ApiSession, workspace_id: int, account: Account
) -> None:
    form = admin(account, "forms", {"name": "Newsletter"})

    assert set(form) == FORM_KEYS
    assert form["name"] == "Newsletter"
    assert form["workspace_id"] == workspace_id
    assert PUBLIC_ID.match(form["public_id"])
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/forms")) == [form]
    assert ok(clickfunnels.get(f"/api/v2/forms/{form['id']}")) == form
    assert ok(clickfunnels.get(f"/api/v2/forms/{form['public_id']}")) == form


def test_forms_list_only_the_workspace_forms(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    other = admin(account, "workspaces", {"name": "Other"})["id"]
    here = admin(account, "forms", {"name": "Here"})
    there = admin(account, "forms", {"name": "There", "workspace_id": other})

    assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/forms")) == [here]
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{other}/forms")) == [there]


def test_an_unknown_form_is_404(clickfunnels: ApiSession, workspace_id: int) -> None:
    assert_not_found(clickfunnels.get("/api/v2/forms/424242"))
    assert_not_found(clickfunnels.get("/api/v2/forms/424242/submissions"))


# -- submissions -----------------------------------------------------------------------
def test_a_submission_with_an_email_address_creates_a_contact(
    clickfunnels: ApiSession, workspace_id: int, account: Account
) -> None:
    form = admin(account, "forms", {"name": "Webinar"})
    data = {"email_address": "visitor@example.com", "first_name": "Vera", "webinar_date": "2024-06-12"}

    submission = admin(account, f"forms/{form['id']}/submissions", {"data": data})

    assert set(submission) == SUBMISSION_KEYS
    assert submission["form_id"] == form["id"]
    assert submission["workspace_id"] == workspace_id
    assert submission["data"] == data
    assert isinstance(submission["contact_id"], int)
    contact = ok(clickfunnels.get(f"/api/v2/contacts/{submission['contact_id']}"))
    assert contact["email_address"] == "visitor@example.com"
    assert contact["first_name"] == "Vera"
    assert contact["workspace_id"] == workspace_id


def test_a_submission_with_a_known_email_address_uses_that_contact(
    clickfunnels: ApiSession, workspace_id: int, account: Account
) -> None:
    contact = create_contact(clickfunnels, workspace_id, "known@example.com")
    form = admin(account, "forms", {"name": "Webinar"})

    submission = admin(account, f"forms/{form['id']}/submissions", {"data": {"email_address": "known@example.com"}})

    assert submission["contact_id"] == contact["id"]
    assert [c["id"] for c in ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/contacts"))] == [contact["id"]]


def test_a_submission_without_an_email_address_has_no_contact(
    clickfunnels: ApiSession, workspace_id: int, account: Account
) -> None:
    form = admin(account, "forms", {"name": "Survey"})

    submission = admin(account, f"forms/{form['id']}/submissions", {"data": {"answer": "yes"}})

    assert submission["contact_id"] is None
    assert submission["data"] == {"answer": "yes"}
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/contacts")) == []


def test_list_and_get_submissions(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    form = admin(account, "forms", {"name": "Signup"})
    other_form = admin(account, "forms", {"name": "Other"})
    path = f"forms/{form['id']}/submissions"
    first = admin(account, path, {"data": {"email_address": "one@example.com"}})
    second = admin(account, path, {"data": {"note": "anonymous"}})
    admin(account, f"forms/{other_form['id']}/submissions", {"data": {"note": "elsewhere"}})

    listed = ok(clickfunnels.get(f"/api/v2/forms/{form['id']}/submissions"))
    by_contact = ok(
        clickfunnels.get(f"/api/v2/forms/{form['public_id']}/submissions", params={"filter[contact_id]": first["contact_id"]})
    )

    assert listed == [first, second]
    assert by_contact == [first]
    assert ok(clickfunnels.get(f"/api/v2/forms/submissions/{second['id']}")) == second
    assert ok(clickfunnels.get(f"/api/v2/forms/submissions/{second['public_id']}")) == second
    assert_not_found(clickfunnels.get(f"/api/v2/forms/submissions/{second['id'] + 1000}"))


def test_the_demo_form_has_twelve_submissions_with_contacts(clickfunnels_demo: ApiSession) -> None:
    team = ok(clickfunnels_demo.get("/api/v2/teams"))[0]
    demo_workspace = ok(clickfunnels_demo.get(f"/api/v2/teams/{team['id']}/workspaces"))[0]

    forms = ok(clickfunnels_demo.get(f"/api/v2/workspaces/{demo_workspace['id']}/forms"))

    assert len(forms) == 1
    submissions = ok(clickfunnels_demo.get(f"/api/v2/forms/{forms[0]['id']}/submissions"))
    assert len(submissions) == 12
    assert all(isinstance(s["contact_id"], int) for s in submissions)
