"""Simvoly members, member groups and single sign-on sessions over HTTP."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests

from mockserver.testing import Account, ApiSession, Emulator
from tests.providers.simvoly.helpers import emails, refused
from tests.support import ok

MEMBER_KEYS = {"id", "name", "email", "groups", "registeredOn", "approved", "contactId", "billingAddress", "shippingAddress"}
SESSION_KEYS = {"token", "accessUrl", "createdAt", "expiresAt"}
ADDRESS = {"name": "Jo Member", "country": "US", "state": "NY", "city": "New York", "zipCode": "10001", "address": "1 Main St"}


def browser() -> requests.Session:
    """A visitor's browser: no API key, never through a proxy."""
    session = requests.Session()
    session.trust_env = False
    return session


def create_member(client: ApiSession, email: str, name: str = "Jo Member", status: int = 201, **fields: Any) -> dict[str, Any]:
    body = {"name": name, "email": email, "approved": True, **fields}
    return dict(ok(client.post("/api/site/members", json=body), status))


def create_group(client: ApiSession, name: str, **fields: Any) -> dict[str, Any]:
    return dict(ok(client.post("/api/site/member-groups", json={"name": name, **fields}), 201))


def get_member(client: ApiSession, member_id: int) -> dict[str, Any]:
    return dict(ok(client.get(f"/api/site/members/{member_id}")))


def contact_by_email(client: ApiSession, email: str) -> dict[str, Any]:
    return dict(ok(client.get("/api/site/contacts/search-by-email", params={"email": email})))


def start_session(client: ApiSession, email: str, path: str = "/members-only") -> dict[str, Any]:
    return dict(ok(client.post("/api/site/members/start-session", json={"email": email, "path": path})))


# -- create ----------------------------------------------------------------------------
def test_create_answers_201_with_the_member(simvoly: ApiSession, clock: int) -> None:
    group = create_group(simvoly, "Gold")

    member = create_member(
        simvoly, "jo@example.com", password="s3cret-pass", groups=[group["id"]], approved=True, billingAddress=ADDRESS
    )

    assert set(member) == MEMBER_KEYS
    assert member["name"] == "Jo Member"
    assert member["email"] == "jo@example.com"
    assert member["groups"] == [group["id"]]
    assert member["approved"] is True
    assert member["registeredOn"] == clock
    assert member["billingAddress"]["city"] == "New York"
    assert member["billingAddress"]["zipCode"] == "10001"
    assert member["shippingAddress"] is None
    assert "password" not in member
    assert "s3cret-pass" not in str(member)
    assert get_member(simvoly, member["id"]) == member


def test_create_with_a_password_sends_no_email(simvoly: ApiSession, account: Account) -> None:
    create_member(simvoly, "withpass@example.com", password="my-own-password")

    assert emails(account) == []


def test_create_without_a_password_sends_a_password_reset_email(simvoly: ApiSession, account: Account) -> None:
    create_member(simvoly, "nopass@example.com", name="No Pass")

    sent = emails(account)
    assert len(sent) == 1
    assert sent[0]["to"] == "nopass@example.com"
    assert sent[0]["subject"]
    assert sent[0]["text"]


def test_create_makes_the_members_contact_and_links_both_ways(simvoly: ApiSession) -> None:
    member = create_member(simvoly, "linked@example.com", name="Lin Ked")

    contact = contact_by_email(simvoly, "linked@example.com")
    assert member["contactId"] == contact["id"]
    assert contact["memberId"] == member["id"]
    assert get_member(simvoly, member["id"])["contactId"] == contact["id"]


def test_create_links_an_existing_contact_with_that_email(simvoly: ApiSession) -> None:
    existing = ok(simvoly.post("/api/site/contacts", json={"email": "Known@Example.com", "phone": "+1 555 0199"}), 201)

    member = create_member(simvoly, "known@example.com")

    assert member["contactId"] == existing["id"]
    contact = ok(simvoly.get(f"/api/site/contacts/{existing['id']}"))
    assert contact["memberId"] == member["id"]
    assert contact["phone"] == "+1 555 0199"
    assert ok(simvoly.get("/api/site/contacts"))["totalCount"] == 1


def test_deleting_the_members_contact_keeps_the_member_without_a_contact(simvoly: ApiSession) -> None:
    member = create_member(simvoly, "unlinked@example.com")

    ok(simvoly.delete(f"/api/site/contacts/{member['contactId']}"))

    assert get_member(simvoly, member["id"]) == {**member, "contactId": None}
    # A new contact with the member's address belongs to the member again.
    contact = ok(simvoly.post("/api/site/contacts", json={"email": "unlinked@example.com"}), 201)
    assert contact["memberId"] == member["id"]
    assert get_member(simvoly, member["id"])["contactId"] == contact["id"]


def test_a_duplicate_member_email_is_refused_with_400(simvoly: ApiSession) -> None:
    first = create_member(simvoly, "dup@example.com")

    refused(simvoly.post("/api/site/members", json={"name": "Other", "email": "DUP@example.com"}))

    page = ok(simvoly.get("/api/site/members"))
    assert [m["id"] for m in page["items"]] == [first["id"]]


def test_an_unknown_group_is_refused_with_400(simvoly: ApiSession) -> None:
    group = create_group(simvoly, "Real")

    refused(simvoly.post("/api/site/members", json={"name": "Jo", "email": "badgroup@example.com", "groups": [group["id"], 999]}))

    assert ok(simvoly.get("/api/site/members"))["totalCount"] == 0
    refused(simvoly.get("/api/site/members/search-by-email", params={"email": "badgroup@example.com"}), 404)


# -- search and get --------------------------------------------------------------------
def test_search_by_email_finds_the_member_ignoring_case(simvoly: ApiSession) -> None:
    create_member(simvoly, "someone.else@example.com")
    member = create_member(simvoly, "Find.Me@example.com")

    found = ok(simvoly.get("/api/site/members/search-by-email", params={"email": "find.me@EXAMPLE.com"}))

    assert found == member


def test_search_by_email_answers_404_for_a_contact_that_is_no_member(simvoly: ApiSession) -> None:
    ok(simvoly.post("/api/site/contacts", json={"email": "contact.only@example.com"}), 201)

    refused(simvoly.get("/api/site/members/search-by-email", params={"email": "contact.only@example.com"}), 404)


def test_get_an_unknown_member_answers_404(simvoly: ApiSession) -> None:
    member = create_member(simvoly, "single@example.com")

    refused(simvoly.get(f"/api/site/members/{member['id'] + 1}"), 404)


# -- update ----------------------------------------------------------------------------
def test_put_changes_name_groups_approved_and_addresses(simvoly: ApiSession) -> None:
    basic, premium = create_group(simvoly, "Basic"), create_group(simvoly, "Premium")
    member = create_member(simvoly, "upd@example.com", name="Old Name", groups=[basic["id"]], approved=True)

    response = simvoly.put(
        f"/api/site/members/{member['id']}",
        json={
            "name": "New Name",
            "email": "upd@example.com",
            "groups": [premium["id"], basic["id"]],
            "approved": False,
            "billingAddress": ADDRESS,
            "shippingAddress": {**ADDRESS, "city": "Albany"},
        },
    )

    updated = ok(response)
    assert updated["id"] == member["id"]
    assert updated["name"] == "New Name"
    assert sorted(updated["groups"]) == sorted([premium["id"], basic["id"]])
    assert updated["approved"] is False
    assert updated["billingAddress"]["city"] == "New York"
    assert updated["shippingAddress"]["city"] == "Albany"
    assert updated["registeredOn"] == member["registeredOn"]
    assert updated["contactId"] == member["contactId"]
    assert get_member(simvoly, member["id"]) == updated


def test_put_keeps_fields_that_are_not_given(simvoly: ApiSession) -> None:
    group = create_group(simvoly, "Basic")
    member = create_member(simvoly, "keep@example.com", name="Kee Per", groups=[group["id"]], billingAddress=ADDRESS)

    updated = ok(simvoly.put(f"/api/site/members/{member['id']}", json={"name": "", "email": "keep@example.com"}))

    assert updated == member


def test_put_with_an_unknown_group_answers_400(simvoly: ApiSession) -> None:
    member = create_member(simvoly, "grp@example.com")

    refused(simvoly.put(f"/api/site/members/{member['id']}", json={"name": "X", "email": "grp@example.com", "groups": [55]}))

    assert get_member(simvoly, member["id"]) == member


def test_put_with_a_password_changes_nothing(simvoly: ApiSession, account: Account) -> None:
    """The password is never changed by an update: no e-mail goes out, no password is
    shown, and the member can still be signed in."""
    member = create_member(simvoly, "pw@example.com", password="original-password")

    response = simvoly.put(
        f"/api/site/members/{member['id']}",
        json={"name": "Jo Member", "email": "pw@example.com", "password": "hijacked-password"},
    )

    updated = ok(response)
    assert updated == member
    assert "password" not in updated
    assert "hijacked-password" not in response.text
    assert emails(account) == []
    session = start_session(simvoly, "pw@example.com")
    assert browser().get(session["accessUrl"], allow_redirects=False).status_code == 302


def test_put_with_the_email_of_another_member_answers_400(simvoly: ApiSession) -> None:
    create_member(simvoly, "first@example.com")
    second = create_member(simvoly, "second@example.com")

    refused(simvoly.put(f"/api/site/members/{second['id']}", json={"name": "Second", "email": "FIRST@example.com"}))

    assert get_member(simvoly, second["id"]) == second


def test_put_on_an_unknown_member_answers_404(simvoly: ApiSession) -> None:
    refused(simvoly.put("/api/site/members/321", json={"name": "Nobody", "email": "nobody@example.com"}), 404)


# -- list ------------------------------------------------------------------------------
def test_list_filters_by_group_id_under_either_parameter_name(simvoly: ApiSession) -> None:
    basic, premium = create_group(simvoly, "Basic"), create_group(simvoly, "Premium")
    only_basic = create_member(simvoly, "b@example.com", groups=[basic["id"]])
    both = create_member(simvoly, "bp@example.com", groups=[basic["id"], premium["id"]])
    only_premium = create_member(simvoly, "p@example.com", groups=[premium["id"]])
    create_member(simvoly, "none@example.com")

    def ids(**params: int) -> list[int]:
        page = ok(simvoly.get("/api/site/members", params=params))
        assert page["totalCount"] == len(page["items"])
        return [m["id"] for m in page["items"]]

    assert ids(groupId=basic["id"]) == [only_basic["id"], both["id"]]
    assert ids(group_id=basic["id"]) == [only_basic["id"], both["id"]]
    assert ids(groupId=premium["id"]) == [both["id"], only_premium["id"]]
    assert ids(group_id=premium["id"]) == [both["id"], only_premium["id"]]
    assert len(ids()) == 4


def test_list_is_an_offset_page_in_creation_order(simvoly: ApiSession) -> None:
    made = [create_member(simvoly, f"m{n}@example.com")["id"] for n in range(3)]

    page = ok(simvoly.get("/api/site/members"))

    assert page["totalCount"] == 3
    assert page["limit"] == 30
    assert page["skip"] == 0
    assert [m["id"] for m in page["items"]] == made
    assert all(set(m) == MEMBER_KEYS for m in page["items"])


# -- member groups ---------------------------------------------------------------------
def test_group_create_get_update_and_list(simvoly: ApiSession) -> None:
    plain = create_group(simvoly, "Plain")
    linked = create_group(simvoly, "Linked", link="/vip-area")

    assert set(plain) == {"id", "name", "link"}
    assert plain["name"] == "Plain"
    assert plain["link"] == ""
    assert linked["link"] == "/vip-area"
    assert ok(simvoly.get(f"/api/site/member-groups/{linked['id']}")) == linked

    renamed = ok(simvoly.put(f"/api/site/member-groups/{linked['id']}", json={"name": "Renamed", "link": "/new-area"}))
    assert renamed == {"id": linked["id"], "name": "Renamed", "link": "/new-area"}
    assert ok(simvoly.get(f"/api/site/member-groups/{linked['id']}")) == renamed

    page = ok(simvoly.get("/api/site/member-groups"))
    assert page["totalCount"] == 2
    assert page["items"] == [plain, renamed]


def test_group_get_update_delete_of_an_unknown_group_answer_404(simvoly: ApiSession) -> None:
    group = create_group(simvoly, "Only")
    unknown = group["id"] + 1

    refused(simvoly.get(f"/api/site/member-groups/{unknown}"), 404)
    refused(simvoly.put(f"/api/site/member-groups/{unknown}", json={"name": "X"}), 404)
    refused(simvoly.delete(f"/api/site/member-groups/{unknown}"), 404)


def test_deleting_a_group_removes_it_from_its_members(simvoly: ApiSession) -> None:
    basic, premium = create_group(simvoly, "Basic"), create_group(simvoly, "Premium")
    member = create_member(simvoly, "grouped@example.com", groups=[basic["id"], premium["id"]])

    assert ok(simvoly.delete(f"/api/site/member-groups/{premium['id']}")) == {"success": True}

    assert get_member(simvoly, member["id"])["groups"] == [basic["id"]]
    refused(simvoly.get(f"/api/site/member-groups/{premium['id']}"), 404)
    refused(simvoly.delete(f"/api/site/member-groups/{premium['id']}"), 404)
    assert [g["id"] for g in ok(simvoly.get("/api/site/member-groups"))["items"]] == [basic["id"]]
    assert ok(simvoly.get("/api/site/members", params={"groupId": premium["id"]}))["items"] == []
    # The deleted group can no longer be given to a member.
    refused(simvoly.post("/api/site/members", json={"name": "Late", "email": "late@example.com", "groups": [premium["id"]]}))


# -- single sign-on --------------------------------------------------------------------
def test_start_session_answers_a_token_valid_for_15_minutes(simvoly: ApiSession, clock: int) -> None:
    create_member(simvoly, "sso@example.com", password="pw-123456")

    session = start_session(simvoly, "SSO@example.com", "/protected-member-only-page")

    assert set(session) == SESSION_KEYS
    assert session["token"]
    assert session["createdAt"] == clock
    assert session["expiresAt"] == session["createdAt"] + 900
    assert session["token"] in session["accessUrl"]


def test_two_sessions_get_different_tokens(simvoly: ApiSession) -> None:
    create_member(simvoly, "twice@example.com")

    first, second = start_session(simvoly, "twice@example.com"), start_session(simvoly, "twice@example.com")

    assert first["token"] != second["token"]


def test_access_url_redirects_to_the_path_while_valid_and_403_after_15_minutes(
    simvoly: ApiSession, mockserver: Emulator, clock: int, account: Account
) -> None:
    create_member(simvoly, "door@example.com")
    session = start_session(simvoly, "door@example.com", "/courses/lesson-1")
    assert urlsplit(session["accessUrl"]).netloc == urlsplit(mockserver.url).netloc

    valid = browser().get(session["accessUrl"], allow_redirects=False)
    assert valid.status_code == 302
    assert valid.headers["Location"] == "/courses/lesson-1"

    account.advance_clock(899)
    assert browser().get(session["accessUrl"], allow_redirects=False).status_code == 302

    account.advance_clock(2)  # 901 s after the session started
    expired = browser().get(session["accessUrl"], allow_redirects=False)
    assert expired.status_code == 403
    assert expired.headers["Content-Type"].startswith("text/html")
    assert "Location" not in expired.headers


def test_start_session_for_an_unknown_member_answers_404(simvoly: ApiSession) -> None:
    ok(simvoly.post("/api/site/contacts", json={"email": "notamember@example.com"}), 201)

    refused(simvoly.post("/api/site/members/start-session", json={"email": "notamember@example.com", "path": "/"}), 404)


def test_start_session_for_an_unapproved_member_answers_400(simvoly: ApiSession) -> None:
    create_member(simvoly, "pending@example.com", approved=False)

    refused(simvoly.post("/api/site/members/start-session", json={"email": "pending@example.com", "path": "/"}))


def test_approving_a_member_lets_them_start_a_session(simvoly: ApiSession) -> None:
    member = create_member(simvoly, "later@example.com", approved=False)
    refused(simvoly.post("/api/site/members/start-session", json={"email": "later@example.com"}))

    ok(
        simvoly.put(
            f"/api/site/members/{member['id']}", json={"name": "Jo Member", "email": "later@example.com", "approved": True}
        )
    )

    session = start_session(simvoly, "later@example.com", "/welcome")
    assert browser().get(session["accessUrl"], allow_redirects=False).headers["Location"] == "/welcome"
