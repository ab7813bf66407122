"""Systeme.io newsletters (`/api/mailing/newsletters`), as public clients use them: a draft
made with `{content: {...}}`, addressed by included and excluded tags, then sent now or
scheduled (`state.isSent` follows the account's clock). A sent newsletter cannot change;
none can be deleted through the API. What the API never shows (the tags, when it goes out)
is read from the account's snapshot."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from mockserver.testing import Account, ApiSession
from tests.providers.systeme.helpers import create_contact, violations
from tests.support import created

NEWSLETTERS = "/api/mailing/newsletters"
ALREADY_SENT = [("", "This newsletter has already been sent.")]


def draft(client: ApiSession, subject: str = "Spring sale", **content: Any) -> dict[str, Any]:
    return created(client.post(NEWSLETTERS, json={"content": {"subject": subject, **content}}))


def tag(client: ApiSession, name: str) -> int:
    tag_id: int = created(client.post("/api/tags", json={"name": name}))["id"]
    return tag_id


def tagged(client: ApiSession, email: str, *tag_ids: int) -> int:
    contact_id: int = create_contact(client, email)["id"]
    for tag_id in tag_ids:
        assert client.post(f"/api/contacts/{contact_id}/tags", json={"tagId": tag_id}).status_code == 204
    return contact_id


def stored(account: Account, newsletter_id: int) -> dict[str, Any]:
    """The newsletter as the account keeps it (its tags, when it goes out), from a snapshot."""
    rows = json.loads(account.snapshot())["accounts"][0]["tables"]["newsletters"]["rows"]
    row: dict[str, Any] = next(r for r in rows if r["id"] == newsletter_id)
    return row


def later(account: Account, seconds: float) -> str:
    return (account.now() + timedelta(seconds=seconds)).isoformat()


# -- drafts ---------------------------------------------------------------------------------
def test_a_new_newsletter_is_an_unsent_draft_with_the_content_given(systeme: ApiSession) -> None:
    made = draft(systeme, "Spring sale", previewText="Three days only", bodyHtml="<p>Hello {first_name},</p>")

    assert made["type"] == "regular"
    assert made["content"] == {
        "subject": "Spring sale",
        "previewText": "Three days only",
        "editorType": "classic",
        "bodyHtml": "<p>Hello {first_name},</p>",
        "senderEmail": None,
        "senderName": None,
    }
    assert made["state"] == {"isSent": False}
    assert systeme.get(f"{NEWSLETTERS}/{made['id']}").json() == made
    assert systeme.get(NEWSLETTERS).json() == {"items": [made], "hasMore": False}


def test_the_body_the_official_mcp_sends_is_taken(systeme: ApiSession) -> None:
    body = {"type": "regular", "content": {"subject": "Draft", "previewText": "Soon", "bodyHtml": "<p><br></p>"}}
    made = created(systeme.post(NEWSLETTERS, json=body))
    assert (made["type"], made["content"]["previewText"]) == ("regular", "Soon")


def test_the_sender_and_editor_are_kept_as_given(systeme: ApiSession) -> None:
    content = {"editorType": "visual", "senderEmail": "news@example.com", "senderName": "The Team", "previewText": None}
    made = draft(systeme, "Visual", **content)
    assert {key: made["content"][key] for key in content} == content


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({}, "content"),
        ({"content": {}}, "content.subject"),
        ({"content": {"subject": "   "}}, "content.subject"),
        ({"content": {"subject": None}}, "content.subject"),
        ({"content": {"subject": "S", "editorType": "markdown"}}, "content.editorType"),
        ({"content": {"subject": "S", "previewText": "x" * 141}}, "content.previewText"),
        ({"content": {"subject": "S", "senderEmail": "not an address"}}, "content.senderEmail"),
        ({"content": {"subject": "x" * 256}}, "content.subject"),
    ],
)
def test_a_newsletter_needs_a_subject_and_valid_content(systeme: ApiSession, body: dict[str, Any], path: str) -> None:
    response = systeme.post(NEWSLETTERS, json=body)
    assert path in [p for p, _ in violations(response)]
    assert systeme.get(NEWSLETTERS).json()["items"] == []


def test_the_list_finds_newsletters_by_subject(systeme: ApiSession) -> None:
    spring = draft(systeme, "Spring SALE")
    draft(systeme, "Autumn news")
    found = systeme.get(NEWSLETTERS, params={"query": "sale"}).json()["items"]
    assert [n["id"] for n in found] == [spring["id"]]


def test_a_merge_patch_sets_clears_and_keeps_content(systeme: ApiSession) -> None:
    made = draft(systeme, "Draft", previewText="Old preview", bodyHtml="<p>Old</p>", senderName="Team")

    response = systeme.merge_patch(f"{NEWSLETTERS}/{made['id']}", {"content": {"subject": "Final", "previewText": None}})

    assert response.status_code == 200, response.text
    content = response.json()["content"]
    assert (content["subject"], content["previewText"]) == ("Final", None)
    assert (content["bodyHtml"], content["senderName"], content["editorType"]) == ("<p>Old</p>", "Team", "classic")
    assert systeme.get(f"{NEWSLETTERS}/{made['id']}").json() == response.json()


def test_the_subject_cannot_be_cleared(systeme: ApiSession) -> None:
    made = draft(systeme, "Keep me")
    response = systeme.merge_patch(f"{NEWSLETTERS}/{made['id']}", {"content": {"subject": None}})
    assert violations(response) == [("content.subject", "This value should not be blank.")]
    assert systeme.get(f"{NEWSLETTERS}/{made['id']}").json()["content"]["subject"] == "Keep me"


def test_an_update_takes_merge_patch_only(systeme: ApiSession) -> None:
    made = draft(systeme)
    response = systeme.patch(f"{NEWSLETTERS}/{made['id']}", json={"content": {"subject": "X"}})
    assert response.status_code == 415, response.text
    assert "application/merge-patch+json" in response.json()["detail"]


def test_a_newsletter_cannot_be_deleted_through_the_api(systeme: ApiSession) -> None:
    made = draft(systeme)
    response = systeme.delete(f"{NEWSLETTERS}/{made['id']}")
    assert response.status_code == 405
    assert "DELETE" not in response.headers["Allow"]
    assert systeme.get(f"{NEWSLETTERS}/{made['id']}").status_code == 200


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PATCH", "", {"content": {"subject": "X"}}),
        ("PUT", "/included-tags", {"tagIds": []}),
        ("PUT", "/excluded-tags", {"tagIds": []}),
        ("PUT", "/schedule", {"scheduledAt": "2099-01-01T00:00:00+00:00"}),
        ("POST", "/send", None),
    ],
)
def test_an_unknown_newsletter_is_404(systeme: ApiSession, method: str, suffix: str, body: Any) -> None:
    headers = {"Content-Type": "application/merge-patch+json"} if method == "PATCH" else {}
    response = systeme.request(method, f"{NEWSLETTERS}/987{suffix}", json=body, headers=headers)
    assert response.status_code == 404, response.text
    assert response.json()["detail"] == "Not Found"


# -- the audience ------------------------------------------------------------------------------
def test_included_and_excluded_tags_are_kept(account: Account, systeme: ApiSession) -> None:
    vip, buyer, churned = tag(systeme, "VIP"), tag(systeme, "Buyer"), tag(systeme, "Churned")
    made = draft(systeme)

    assert systeme.put(f"{NEWSLETTERS}/{made['id']}/included-tags", json={"tagIds": [vip, buyer]}).status_code == 204
    response = systeme.put(f"{NEWSLETTERS}/{made['id']}/excluded-tags", json={"tagIds": [churned]})

    assert (response.status_code, response.content) == (204, b"")
    row = stored(account, made["id"])
    assert (row["includedTags"], row["excludedTags"]) == ([vip, buyer], [churned])
    # The API itself shows neither.
    assert systeme.get(f"{NEWSLETTERS}/{made['id']}").json() == made


def test_setting_tags_replaces_the_list(account: Account, systeme: ApiSession) -> None:
    first, second = tag(systeme, "First"), tag(systeme, "Second")
    made = draft(systeme)
    url = f"{NEWSLETTERS}/{made['id']}/included-tags"
    assert systeme.put(url, json={"tagIds": [first, second, first]}).status_code == 204
    assert stored(account, made["id"])["includedTags"] == [first, second]
    assert systeme.put(url, json={"tagIds": [second]}).status_code == 204
    assert stored(account, made["id"])["includedTags"] == [second]
    assert systeme.put(url, json={"tagIds": []}).status_code == 204
    assert stored(account, made["id"])["includedTags"] == []


@pytest.mark.parametrize("which", ["included-tags", "excluded-tags"])
def test_an_unknown_tag_is_422_naming_it_and_changes_nothing(account: Account, systeme: ApiSession, which: str) -> None:
    known = tag(systeme, "Known")
    made = draft(systeme)
    response = systeme.put(f"{NEWSLETTERS}/{made['id']}/{which}", json={"tagIds": [known, 9999]})
    assert violations(response) == [("tagIds[1]", "Tag with ID 9999 not found.")]
    row = stored(account, made["id"])
    assert (row["includedTags"], row["excludedTags"]) == ([], [])


def test_a_tag_list_must_be_ids(systeme: ApiSession) -> None:
    made = draft(systeme)
    response = systeme.put(f"{NEWSLETTERS}/{made['id']}/included-tags", json={"tagIds": ["VIP"]})
    assert [path for path, _ in violations(response)] == ["tagIds[0]"]
    assert [path for path, _ in violations(systeme.put(f"{NEWSLETTERS}/{made['id']}/included-tags", json={}))] == ["tagIds"]


# -- sending --------------------------------------------------------------------------------
def test_sending_now_marks_it_sent(account: Account, systeme: ApiSession) -> None:
    account.freeze_clock("2030-01-01T09:00:00+00:00")
    made = draft(systeme)
    response = systeme.post(f"{NEWSLETTERS}/{made['id']}/send")
    assert response.status_code == 204
    assert response.content == b""
    assert systeme.get(f"{NEWSLETTERS}/{made['id']}").json()["state"] == {"isSent": True}
    assert systeme.get(NEWSLETTERS).json()["items"][0]["state"] == {"isSent": True}
    assert stored(account, made["id"])["sendAt"] == account.now().timestamp()


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("POST", "/send", None),
        ("PATCH", "", {"content": {"subject": "Too late"}}),
        ("PUT", "/included-tags", {"tagIds": []}),
        ("PUT", "/excluded-tags", {"tagIds": []}),
        ("PUT", "/schedule", {"scheduledAt": "2099-01-01T00:00:00+00:00"}),
    ],
)
def test_a_sent_newsletter_cannot_change(systeme: ApiSession, method: str, suffix: str, body: Any) -> None:
    made = draft(systeme, "Sent")
    assert systeme.post(f"{NEWSLETTERS}/{made['id']}/send").status_code == 204
    headers = {"Content-Type": "application/merge-patch+json"} if method == "PATCH" else {}

    response = systeme.request(method, f"{NEWSLETTERS}/{made['id']}{suffix}", json=body, headers=headers)

    assert violations(response) == ALREADY_SENT
    assert systeme.get(f"{NEWSLETTERS}/{made['id']}").json()["content"]["subject"] == "Sent"


def test_a_scheduled_newsletter_is_sent_when_its_time_comes(account: Account, systeme: ApiSession) -> None:
    made = draft(systeme)
    url = f"{NEWSLETTERS}/{made['id']}"
    assert systeme.put(f"{url}/schedule", json={"scheduledAt": later(account, 3600)}).status_code == 204
    assert systeme.get(url).json()["state"] == {"isSent": False}
    # Still a draft until then: it can change.
    assert systeme.merge_patch(url, {"content": {"subject": "Edited"}}).status_code == 200

    account.advance_clock(3601)

    assert systeme.get(url).json()["state"] == {"isSent": True}
    assert violations(systeme.post(f"{url}/send")) == ALREADY_SENT


def test_scheduling_again_moves_the_time(account: Account, systeme: ApiSession) -> None:
    made = draft(systeme)
    url = f"{NEWSLETTERS}/{made['id']}"
    assert systeme.put(f"{url}/schedule", json={"scheduledAt": later(account, 600)}).status_code == 204
    assert systeme.put(f"{url}/schedule", json={"scheduledAt": later(account, 7200)}).status_code == 204
    account.advance_clock(601)
    assert systeme.get(url).json()["state"] == {"isSent": False}
    account.advance_clock(7200)
    assert systeme.get(url).json()["state"] == {"isSent": True}


def test_sending_now_overrides_a_schedule(account: Account, systeme: ApiSession) -> None:
    made = draft(systeme)
    url = f"{NEWSLETTERS}/{made['id']}"
    assert systeme.put(f"{url}/schedule", json={"scheduledAt": later(account, 86400)}).status_code == 204
    assert systeme.post(f"{url}/send").status_code == 204
    assert systeme.get(url).json()["state"] == {"isSent": True}


@pytest.mark.parametrize("seconds", [-60, 0])
def test_a_schedule_must_be_in_the_future(account: Account, systeme: ApiSession, seconds: int) -> None:
    account.freeze_clock()
    made = draft(systeme)
    response = systeme.put(f"{NEWSLETTERS}/{made['id']}/schedule", json={"scheduledAt": later(account, seconds)})
    assert violations(response) == [("scheduledAt", "This value should be greater than now.")]
    assert stored(account, made["id"])["sendAt"] is None


@pytest.mark.parametrize("body", [{}, {"scheduledAt": "tomorrow"}, {"scheduledAt": None}])
def test_a_schedule_needs_a_date_time(systeme: ApiSession, body: dict[str, Any]) -> None:
    made = draft(systeme)
    assert [path for path, _ in violations(systeme.put(f"{NEWSLETTERS}/{made['id']}/schedule", json=body))] == ["scheduledAt"]


def test_newsletters_of_another_account_are_not_seen(systeme: ApiSession, other: ApiSession) -> None:
    made = draft(systeme)
    assert other.get(f"{NEWSLETTERS}/{made['id']}").status_code == 404
    assert other.post(f"{NEWSLETTERS}/{made['id']}/send").status_code == 404
    assert systeme.get(f"{NEWSLETTERS}/{made['id']}").json()["state"] == {"isSent": False}


def test_the_demo_has_a_sent_newsletter_to_its_newsletter_tag_and_a_draft(systeme_demo_account: Account) -> None:
    client = systeme_demo_account.session()
    items = client.get(NEWSLETTERS, params={"order": "asc"}).json()["items"]
    assert [(n["content"]["subject"], n["state"]["isSent"]) for n in items] == [
        ("Our spring sale starts today", True),
        ("Black Friday preview", False),
    ]
    tags = {t["name"]: t["id"] for t in client.get("/api/tags", params={"limit": 100}).json()["items"]}
    sent = stored(systeme_demo_account, items[0]["id"])
    assert (sent["includedTags"], sent["excludedTags"]) == ([tags["Newsletter"]], [tags["Churned"]])
