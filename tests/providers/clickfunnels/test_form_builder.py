"""ClickFunnels forms made through the API: field sets, fields, options, submissions and
their answers, with what goes when a form or its parts are deleted."""

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
from tests.support import created, ok

FIELD_KEYS = {
    "id",
    "public_id",
    "field_set_id",
    "label",
    "field_type",
    "allow_multiple",
    "key",
    "hidden",
    "created_at",
    "updated_at",
}
ANSWER_KEYS = {
    "id",
    "public_id",
    "submission_id",
    "field_id",
    "fields_option_id",
    "entry",
    "fields_option_ids",
    "created_at",
    "updated_at",
}


def post(client: ApiSession, path: str, wrapper: str, **attributes: Any) -> dict[str, Any]:
    return created(client.post(path, json={wrapper: attributes}))


def build_form(client: ApiSession, workspace_id: int) -> dict[str, Any]:
    """A form with one field set, a select field with two options, and a submission."""
    form = post(client, f"/api/v2/workspaces/{workspace_id}/forms", "form", name="Survey")
    field_set = post(client, f"/api/v2/forms/{form['id']}/field_sets", "forms_field_set", title="About you")
    field = post(client, f"/api/v2/forms/field_sets/{field_set['id']}/fields", "forms_field", label="Colour", field_type="select")
    red = post(client, f"/api/v2/forms/fields/{field['id']}/options", "forms_fields_option", label="Red")
    blue = post(client, f"/api/v2/forms/fields/{field['id']}/options", "forms_fields_option", label="Blue")
    submission = post(client, f"/api/v2/forms/{form['id']}/submissions", "forms_submission")
    return {"form": form, "field_set": field_set, "field": field, "red": red, "blue": blue, "submission": submission}


def answer(client: ApiSession, submission_id: int, **attributes: Any) -> Any:
    return client.post(f"/api/v2/forms/submissions/{submission_id}/answers", json={"forms_submissions_answer": attributes})


def test_a_form_is_built_and_read_back(clickfunnels: ApiSession, workspace_id: int) -> None:
    built = build_form(clickfunnels, workspace_id)
    form, field_set, field = built["form"], built["field_set"], built["field"]

    assert (form["name"], form["workspace_id"]) == ("Survey", workspace_id)
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/forms")) == [form]
    assert (field_set["form_id"], field_set["title"]) == (form["id"], "About you")
    assert ok(clickfunnels.get(f"/api/v2/forms/{form['id']}/field_sets")) == [field_set]
    assert set(field) == FIELD_KEYS
    assert (field["field_type"], field["allow_multiple"], field["hidden"], field["key"]) == ("select", False, False, None)
    assert PUBLIC_ID.match(field["public_id"])
    assert ok(clickfunnels.get(f"/api/v2/forms/field_sets/{field_set['id']}/fields")) == [field]
    assert ok(clickfunnels.get(f"/api/v2/forms/fields/{field['public_id']}")) == field
    options = ok(clickfunnels.get(f"/api/v2/forms/fields/{field['id']}/options"))
    assert [o["label"] for o in options] == ["Red", "Blue"]
    assert ok(clickfunnels.get(f"/api/v2/forms/fields/options/{built['red']['id']}")) == built["red"]


def test_a_fields_type_defaults_to_text(clickfunnels: ApiSession, workspace_id: int) -> None:
    field_set = build_form(clickfunnels, workspace_id)["field_set"]
    field = post(clickfunnels, f"/api/v2/forms/field_sets/{field_set['id']}/fields", "forms_field", label="Name")
    assert field["field_type"] == "text"


@pytest.mark.parametrize(
    ("path", "wrapper", "attribute"),
    [
        ("/api/v2/forms/{form}", "form", "name"),
        ("/api/v2/forms/field_sets/{field_set}", "forms_field_set", "title"),
        ("/api/v2/forms/fields/{field}", "forms_field", "label"),
        ("/api/v2/forms/fields/options/{red}", "forms_fields_option", "label"),
    ],
)
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_each_part_is_renamed_and_refuses_a_blank_name(
    clickfunnels: ApiSession, workspace_id: int, path: str, wrapper: str, attribute: str, method: str
) -> None:
    built = build_form(clickfunnels, workspace_id)
    url = path.format(**{name: record["id"] for name, record in built.items()})

    changed = ok(clickfunnels.request(method, url, json={wrapper: {attribute: "Renamed"}}))

    assert changed[attribute] == "Renamed"
    assert ok(clickfunnels.get(url)) == changed
    assert_invalid(clickfunnels.request(method, url, json={wrapper: {attribute: " "}}), attribute, "can't be blank")


def test_a_form_needs_a_name(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/forms", json={"form": {}})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"name"}


def test_a_deleted_form_takes_its_parts_along(clickfunnels: ApiSession, workspace_id: int) -> None:
    built = build_form(clickfunnels, workspace_id)
    given = ok(
        answer(clickfunnels, built["submission"]["id"], field_id=built["field"]["id"], fields_option_id=built["red"]["id"]), 201
    )

    response = clickfunnels.delete(f"/api/v2/forms/{built['form']['id']}")

    assert response.status_code == 204
    assert response.content == b""
    for gone in (
        f"/api/v2/forms/{built['form']['id']}",
        f"/api/v2/forms/field_sets/{built['field_set']['id']}",
        f"/api/v2/forms/fields/{built['field']['id']}",
        f"/api/v2/forms/fields/options/{built['red']['id']}",
        f"/api/v2/forms/submissions/{built['submission']['id']}",
        f"/api/v2/forms/submissions/answers/{given['id']}",
    ):
        assert_not_found(clickfunnels.get(gone))
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/forms")) == []


def test_a_deleted_field_takes_its_options(clickfunnels: ApiSession, workspace_id: int) -> None:
    built = build_form(clickfunnels, workspace_id)

    assert clickfunnels.delete(f"/api/v2/forms/fields/{built['field']['id']}").status_code == 204

    assert_not_found(clickfunnels.get(f"/api/v2/forms/fields/options/{built['blue']['id']}"))
    assert ok(clickfunnels.get(f"/api/v2/forms/field_sets/{built['field_set']['id']}/fields")) == []
    assert ok(clickfunnels.get(f"/api/v2/forms/{built['form']['id']}")) == built["form"]


def test_an_option_is_deleted(clickfunnels: ApiSession, workspace_id: int) -> None:
    built = build_form(clickfunnels, workspace_id)
    assert clickfunnels.delete(f"/api/v2/forms/fields/options/{built['red']['id']}").status_code == 204
    assert ok(clickfunnels.get(f"/api/v2/forms/fields/{built['field']['id']}/options")) == [built["blue"]]


# -- submissions ------------------------------------------------------------------------------------------
def test_a_submission_is_made_for_a_contact_and_announced(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    form = post(clickfunnels, f"/api/v2/workspaces/{workspace_id}/forms", "form", name="Signup")
    contact = create_contact(clickfunnels, workspace_id, "signup@example.com")

    submission = post(clickfunnels, f"/api/v2/forms/{form['id']}/submissions", "forms_submission", contact_id=contact["id"])

    assert events_of_last_request(account) == ["form_submission.created"]
    assert (submission["form_id"], submission["contact_id"], submission["data"]) == (form["id"], contact["id"], {})
    assert TIMESTAMP.match(submission["created_at"])
    assert ok(clickfunnels.get(f"/api/v2/forms/{form['id']}/submissions")) == [submission]


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_submissions_contact_changes(clickfunnels: ApiSession, workspace_id: int, method: str) -> None:
    submission = build_form(clickfunnels, workspace_id)["submission"]
    contact = create_contact(clickfunnels, workspace_id, "later@example.com")
    url = f"/api/v2/forms/submissions/{submission['id']}"

    assert (
        ok(clickfunnels.request(method, url, json={"forms_submission": {"contact_id": contact["id"]}}))["contact_id"]
        == contact["id"]
    )
    assert ok(clickfunnels.request(method, url, json={"forms_submission": {"contact_id": None}}))["contact_id"] is None
    assert_invalid(clickfunnels.request(method, url, json={"forms_submission": {"contact_id": 424242}}), "contact", "must exist")


def test_a_deleted_submission_takes_its_answers(clickfunnels: ApiSession, workspace_id: int) -> None:
    built = build_form(clickfunnels, workspace_id)
    given = ok(answer(clickfunnels, built["submission"]["id"], field_id=built["field"]["id"], entry="Blue"), 201)

    assert clickfunnels.delete(f"/api/v2/forms/submissions/{built['submission']['id']}").status_code == 204

    assert_not_found(clickfunnels.get(f"/api/v2/forms/submissions/answers/{given['id']}"))
    assert_not_found(clickfunnels.get(f"/api/v2/forms/submissions/{built['submission']['id']}/answers"))


# -- answers ---------------------------------------------------------------------------------------------
def test_an_answer_names_a_field_and_its_options(clickfunnels: ApiSession, workspace_id: int) -> None:
    built = build_form(clickfunnels, workspace_id)
    submission, field, red, blue = built["submission"], built["field"], built["red"], built["blue"]

    given = ok(
        answer(clickfunnels, submission["id"], field_id=field["id"], fields_option_ids=[red["id"], blue["id"], red["id"]]), 201
    )

    assert set(given) == ANSWER_KEYS
    assert (given["submission_id"], given["field_id"], given["fields_option_ids"]) == (
        submission["id"],
        field["id"],
        [red["id"], blue["id"]],
    )
    assert (given["fields_option_id"], given["entry"]) == (None, None)
    assert ok(clickfunnels.get(f"/api/v2/forms/submissions/{submission['id']}/answers")) == [given]
    assert ok(clickfunnels.get(f"/api/v2/forms/submissions/answers/{given['public_id']}")) == given


def test_an_answer_to_a_field_of_another_form_is_422(clickfunnels: ApiSession, workspace_id: int) -> None:
    here = build_form(clickfunnels, workspace_id)
    there = build_form(clickfunnels, workspace_id)

    response = answer(clickfunnels, here["submission"]["id"], field_id=there["field"]["id"])

    assert_invalid(response, "field", "must be a field of the submission's form")
    response = answer(clickfunnels, here["submission"]["id"], field_id=here["field"]["id"], fields_option_id=there["red"]["id"])
    assert_invalid(response, "fields_option", "must be an option of the field")
    assert ok(clickfunnels.get(f"/api/v2/forms/submissions/{here['submission']['id']}/answers")) == []


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_an_answer_is_changed_and_deleted(clickfunnels: ApiSession, workspace_id: int, method: str) -> None:
    built = build_form(clickfunnels, workspace_id)
    given = ok(
        answer(clickfunnels, built["submission"]["id"], field_id=built["field"]["id"], fields_option_id=built["red"]["id"]), 201
    )
    url = f"/api/v2/forms/submissions/answers/{given['id']}"

    changed = ok(
        clickfunnels.request(
            method, url, json={"forms_submissions_answer": {"fields_option_id": built["blue"]["id"], "entry": "b"}}
        )
    )

    assert (changed["fields_option_id"], changed["entry"], changed["field_id"]) == (
        built["blue"]["id"],
        "b",
        built["field"]["id"],
    )
    assert clickfunnels.delete(url).status_code == 204
    assert_not_found(clickfunnels.get(url))


def test_unknown_form_parts_are_404(clickfunnels: ApiSession) -> None:
    assert_not_found(clickfunnels.post("/api/v2/forms/424242/field_sets", json={"forms_field_set": {"title": "X"}}))
    assert_not_found(clickfunnels.post("/api/v2/forms/field_sets/424242/fields", json={"forms_field": {"label": "X"}}))
    assert_not_found(clickfunnels.post("/api/v2/forms/fields/424242/options", json={"forms_fields_option": {"label": "X"}}))
    assert_not_found(clickfunnels.post("/api/v2/forms/424242/submissions", json={"forms_submission": {}}))
    assert_not_found(answer(clickfunnels, 424242, field_id=1))
    assert_not_found(clickfunnels.delete("/api/v2/forms/424242"))
