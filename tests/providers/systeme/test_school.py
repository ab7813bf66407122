"""Systeme.io school (courses, enrollments) and community (communities, memberships) over HTTP.

Courses and communities are built in the app, not through the API: the tests make them
with the admin API (POST /__admin/systeme/courses and /communities).
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from mockserver.testing import Account, ApiSession
from tests.providers.systeme.helpers import create_contact, violation_paths
from tests.support import trigger_response

CONTACT_SUMMARY_KEYS = {"id", "email", "registeredAt", "locale", "sourceURL", "unsubscribed", "bounced", "needsConfirmation"}
COURSE_SUMMARY_KEYS = {"id", "locale", "path", "active", "name"}


@pytest.fixture
def make_course(account: Account) -> Any:
    def make(name: str, modules: list[str] | None = None, **extra: Any) -> dict[str, Any]:
        response = trigger_response(account, "courses", name=name, modules=modules or [], **extra)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return make


@pytest.fixture
def make_community(account: Account) -> Any:
    def make(name: str) -> dict[str, Any]:
        response = trigger_response(account, "communities", name=name)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return make


def enroll(client: ApiSession, course_id: int, contact_id: int, **extra: Any) -> requests.Response:
    return client.post(f"/api/school/courses/{course_id}/enrollments", json={"contactId": contact_id, **extra})


def join(client: ApiSession, community_id: int, contact_id: int) -> requests.Response:
    return client.post(f"/api/community/communities/{community_id}/memberships", json={"contactId": contact_id})


def items(client: ApiSession, path: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(path, params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    assert response.json()["hasMore"] is False
    return list(response.json()["items"])


def assert_not_found(response: requests.Response) -> None:
    assert response.status_code == 404, response.text
    assert {"type", "title", "detail"} <= set(response.json())


# -- courses ---------------------------------------------------------------------------
def test_a_new_account_has_no_courses_communities_enrollments_or_memberships(systeme: ApiSession) -> None:
    for path in ("/api/school/courses", "/api/community/communities", "/api/school/enrollments", "/api/community/memberships"):
        response = systeme.get(path)
        assert response.status_code == 200, path
        assert response.json() == {"items": [], "hasMore": False}, path


def test_courses_list_shows_admin_made_courses_with_their_modules(systeme: ApiSession, make_course: Any) -> None:
    course = make_course("Copywriting 101", ["Headlines", "Calls to action"])

    listed = items(systeme, "/api/school/courses")

    assert listed == [course]
    assert set(course) == COURSE_SUMMARY_KEYS | {"domainName", "modules"}
    assert course["name"] == "Copywriting 101"
    assert course["active"] is True
    assert [m["name"] for m in course["modules"]] == ["Headlines", "Calls to action"]
    assert len({m["id"] for m in course["modules"]}) == 2


def test_courses_list_filters_by_query_ignoring_case(systeme: ApiSession, make_course: Any) -> None:
    seo = make_course("SEO Basics")
    advanced = make_course("Advanced seo")
    make_course("Podcasting")

    assert [c["id"] for c in items(systeme, "/api/school/courses", query="SEO", order="asc")] == [seo["id"], advanced["id"]]
    assert items(systeme, "/api/school/courses", query="video") == []


def test_courses_list_filters_by_active(systeme: ApiSession, make_course: Any) -> None:
    live = make_course("Live course")
    draft = make_course("Draft course", active=False)

    assert [c["id"] for c in items(systeme, "/api/school/courses", active="true")] == [live["id"]]
    assert [c["id"] for c in items(systeme, "/api/school/courses", active="false")] == [draft["id"]]
    assert [c["id"] for c in items(systeme, "/api/school/courses", active="false", query="live")] == []


# -- enrollments -----------------------------------------------------------------------
def test_enroll_returns_201_with_contact_and_course(systeme: ApiSession, make_course: Any) -> None:
    course = make_course("Enroll me", ["Intro"])
    contact = create_contact(systeme, "student@gmail.com")

    response = enroll(systeme, course["id"], contact["id"])

    assert response.status_code == 201
    enrollment = response.json()
    assert set(enrollment) == {"id", "contact", "course", "accessType", "active"}
    assert isinstance(enrollment["id"], int)
    assert enrollment["contact"] == {key: contact[key] for key in CONTACT_SUMMARY_KEYS}
    assert enrollment["course"] == {key: course[key] for key in COURSE_SUMMARY_KEYS}
    assert enrollment["active"] is True


def test_access_type_defaults_to_full_access(systeme: ApiSession, make_course: Any) -> None:
    course = make_course("Default access", ["Intro"])
    contact = create_contact(systeme, "full@gmail.com")

    assert enroll(systeme, course["id"], contact["id"]).json()["accessType"] == "full_access"


def test_partial_access_with_modules_of_the_course_is_accepted(systeme: ApiSession, make_course: Any) -> None:
    course = make_course("Partial", ["One", "Two"])
    contact = create_contact(systeme, "partial@gmail.com")

    response = enroll(systeme, course["id"], contact["id"], accessType="partial_access", modules=[course["modules"][1]["id"]])

    assert response.status_code == 201
    assert response.json()["accessType"] == "partial_access"


def test_partial_access_without_modules_is_422(systeme: ApiSession, make_course: Any) -> None:
    course = make_course("Partial without", ["One"])
    contact = create_contact(systeme, "no.modules@gmail.com")

    assert violation_paths(enroll(systeme, course["id"], contact["id"], accessType="partial_access")) == ["modules"]
    assert violation_paths(enroll(systeme, course["id"], contact["id"], accessType="partial_access", modules=[])) == ["modules"]
    assert items(systeme, "/api/school/enrollments") == []


def test_a_module_of_another_course_is_422(systeme: ApiSession, make_course: Any) -> None:
    mine = make_course("Mine", ["Mine 1"])
    other = make_course("Other", ["Other 1"])
    contact = create_contact(systeme, "wrong.module@gmail.com")

    response = enroll(systeme, mine["id"], contact["id"], accessType="partial_access", modules=[other["modules"][0]["id"]])

    assert violation_paths(response) == ["modules[0]"]
    assert str(other["modules"][0]["id"]) in response.json()["violations"][0]["message"]


def test_an_unknown_module_is_422(systeme: ApiSession, make_course: Any) -> None:
    course = make_course("Unknown module", ["Only"])
    contact = create_contact(systeme, "ghost.module@gmail.com")

    response = enroll(
        systeme, course["id"], contact["id"], accessType="partial_access", modules=[course["modules"][0]["id"], 99999]
    )

    assert violation_paths(response) == ["modules[1]"]
    assert items(systeme, "/api/school/enrollments") == []


def test_enrolling_twice_in_the_same_course_is_422(systeme: ApiSession, make_course: Any) -> None:
    course = make_course("Once only")
    contact = create_contact(systeme, "keen@gmail.com")
    assert enroll(systeme, course["id"], contact["id"]).status_code == 201

    assert violation_paths(enroll(systeme, course["id"], contact["id"])) == ["contactId"]
    assert len(items(systeme, "/api/school/enrollments")) == 1


def test_enroll_in_an_unknown_course_is_404(systeme: ApiSession) -> None:
    contact = create_contact(systeme, "lost.student@gmail.com")

    assert_not_found(enroll(systeme, 424242, contact["id"]))


def test_enroll_an_unknown_contact_is_404(systeme: ApiSession, make_course: Any) -> None:
    course = make_course("Nobody comes")

    assert_not_found(enroll(systeme, course["id"], 424242))


def test_enrollments_list_filters_by_course_and_contact(systeme: ApiSession, make_course: Any) -> None:
    first, second = make_course("First"), make_course("Second")
    ann, bob = create_contact(systeme, "ann.enrolled@gmail.com"), create_contact(systeme, "bob.enrolled@gmail.com")
    ids = {
        (course["name"], contact["email"]): enroll(systeme, course["id"], contact["id"]).json()["id"]
        for course in (first, second)
        for contact in (ann, bob)
    }

    by_course = items(systeme, "/api/school/enrollments", course=first["id"])
    by_contact = items(systeme, "/api/school/enrollments", contact=bob["id"])
    by_both = items(systeme, "/api/school/enrollments", course=second["id"], contact=ann["id"])

    assert {e["id"] for e in by_course} == {ids["First", ann["email"]], ids["First", bob["email"]]}
    assert all(e["course"]["id"] == first["id"] for e in by_course)
    assert {e["id"] for e in by_contact} == {ids["First", bob["email"]], ids["Second", bob["email"]]}
    assert all(e["contact"]["id"] == bob["id"] for e in by_contact)
    assert [e["id"] for e in by_both] == [ids["Second", ann["email"]]]
    assert len(items(systeme, "/api/school/enrollments")) == 4


def test_delete_enrollment_is_204_empty_then_404(systeme: ApiSession, make_course: Any) -> None:
    course = make_course("Drop out")
    contact = create_contact(systeme, "dropout@gmail.com")
    enrollment = enroll(systeme, course["id"], contact["id"]).json()

    response = systeme.delete(f"/api/school/enrollments/{enrollment['id']}")

    assert response.status_code == 204
    assert len(response.content) == 0
    assert items(systeme, "/api/school/enrollments") == []
    assert_not_found(systeme.delete(f"/api/school/enrollments/{enrollment['id']}"))
    # Enrolling again is allowed once the old enrollment is gone.
    assert enroll(systeme, course["id"], contact["id"]).status_code == 201


# -- communities and memberships -------------------------------------------------------
def test_communities_list_shows_admin_made_communities(systeme: ApiSession, make_community: Any) -> None:
    community = make_community("Growth hackers")

    listed = items(systeme, "/api/community/communities")

    assert listed == [community]
    assert set(community) == {"id", "name", "domainName", "path"}
    assert community["name"] == "Growth hackers"


def test_communities_list_filters_by_query_ignoring_case(systeme: ApiSession, make_community: Any) -> None:
    coaches = make_community("Coaches corner")
    make_community("Writers room")

    assert [c["id"] for c in items(systeme, "/api/community/communities", query="COACH")] == [coaches["id"]]
    assert items(systeme, "/api/community/communities", query="painters") == []


def test_membership_create_is_202_with_an_empty_object(systeme: ApiSession, make_community: Any) -> None:
    community = make_community("Accepted")
    contact = create_contact(systeme, "member@gmail.com")

    response = join(systeme, community["id"], contact["id"])

    assert response.status_code == 202
    assert response.json() == {}


def test_a_new_membership_shows_in_the_list(systeme: ApiSession, make_community: Any) -> None:
    community = make_community("Listed club")
    contact = create_contact(systeme, "listed.member@gmail.com")
    join(systeme, community["id"], contact["id"])

    memberships = items(systeme, "/api/community/memberships")

    assert len(memberships) == 1
    assert set(memberships[0]) == {"id", "community", "contact"}
    assert isinstance(memberships[0]["id"], int)
    assert memberships[0]["community"] == community
    assert memberships[0]["contact"] == {"id": contact["id"]}


def test_memberships_list_filters_by_community_and_contact(systeme: ApiSession, make_community: Any) -> None:
    red, blue = make_community("Red"), make_community("Blue")
    ann, bob = create_contact(systeme, "ann.member@gmail.com"), create_contact(systeme, "bob.member@gmail.com")
    join(systeme, red["id"], ann["id"])
    join(systeme, red["id"], bob["id"])
    join(systeme, blue["id"], bob["id"])

    by_community = items(systeme, "/api/community/memberships", community=red["id"])
    by_contact = items(systeme, "/api/community/memberships", contact=bob["id"])

    assert sorted(m["contact"]["id"] for m in by_community) == sorted([ann["id"], bob["id"]])
    assert all(m["community"]["id"] == red["id"] for m in by_community)
    assert sorted(m["community"]["id"] for m in by_contact) == sorted([red["id"], blue["id"]])
    assert items(systeme, "/api/community/memberships", community=blue["id"], contact=ann["id"]) == []


def test_joining_the_same_community_twice_is_422(systeme: ApiSession, make_community: Any) -> None:
    community = make_community("Exclusive")
    contact = create_contact(systeme, "eager.member@gmail.com")
    assert join(systeme, community["id"], contact["id"]).status_code == 202

    assert violation_paths(join(systeme, community["id"], contact["id"])) == ["contactId"]
    assert len(items(systeme, "/api/community/memberships")) == 1


def test_joining_an_unknown_community_is_404(systeme: ApiSession) -> None:
    contact = create_contact(systeme, "lost.member@gmail.com")

    assert_not_found(join(systeme, 424242, contact["id"]))


def test_an_unknown_contact_joining_is_404(systeme: ApiSession, make_community: Any) -> None:
    community = make_community("Empty room")

    assert_not_found(join(systeme, community["id"], 424242))
    assert items(systeme, "/api/community/memberships") == []


def test_delete_membership_is_204_empty_then_404(systeme: ApiSession, make_community: Any) -> None:
    community = make_community("Leaving")
    contact = create_contact(systeme, "leaver@gmail.com")
    join(systeme, community["id"], contact["id"])
    membership = items(systeme, "/api/community/memberships")[0]

    response = systeme.delete(f"/api/community/memberships/{membership['id']}")

    assert response.status_code == 204
    assert len(response.content) == 0
    assert items(systeme, "/api/community/memberships") == []
    assert_not_found(systeme.delete(f"/api/community/memberships/{membership['id']}"))


def test_school_and_community_data_of_one_account_stay_in_it(other: ApiSession, make_course: Any, make_community: Any) -> None:
    make_course("Private course")
    make_community("Private club")

    assert items(other, "/api/school/courses") == []
    assert items(other, "/api/community/communities") == []
