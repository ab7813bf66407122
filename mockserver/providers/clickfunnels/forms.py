"""Forms, made and changed through the API: their field sets, fields and the fields'
options; submissions and their answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockserver.engine.context import Call
from mockserver.engine.store import Row
from mockserver.providers.clickfunnels import records
from mockserver.providers.clickfunnels.records import (
    ANSWERS,
    CONTACTS,
    FIELD_SETS,
    FIELDS,
    FORMS,
    OPTIONS,
    SUBMISSIONS,
    invalid,
    shown,
)
from mockserver.providers.clickfunnels.resources import Resource


def field_set(row: Row) -> dict[str, Any]:
    return shown(row, "form_id", "title")


def field(row: Row) -> dict[str, Any]:
    return shown(row, "field_set_id", "label", "field_type", "allow_multiple", "key", "hidden")


def option(row: Row) -> dict[str, Any]:
    return shown(row, "field_id", "label")


def answer(row: Row) -> dict[str, Any]:
    return shown(row, "submission_id", "field_id", "fields_option_id", "entry", fields_option_ids=list(row["fields_option_ids"]))


def _contact(call: Call, scope: Mapping[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A submission's contact, when it has one, is a contact of the form's workspace."""
    if values.get("contact_id") is not None:
        records.owned(call.tenant, CONTACTS, values["contact_id"], scope["workspace_id"], "contact")
    return values


def _answered(call: Call, scope: Mapping[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """An answer is to a field of the submission's form, choosing among that field's options."""
    tenant = call.tenant
    submission = records.table(tenant, SUBMISSIONS, create=False).get(scope["submission_id"]) or {}
    field_id = values.get("field_id", scope.get("field_id"))
    chosen = records.table(tenant, FIELDS, create=False).get(field_id) if isinstance(field_id, int) else None
    holder = records.table(tenant, FIELD_SETS, create=False).get(chosen["field_set_id"]) if chosen else None
    if chosen is None or holder is None or holder["form_id"] != submission.get("form_id"):
        raise invalid("field", "must be a field of the submission's form")
    options = [values.get("fields_option_id", scope.get("fields_option_id"))]
    options += values.get("fields_option_ids", scope.get("fields_option_ids", []))
    offered = {row["id"] for row in records.children(tenant, OPTIONS, "field_id", chosen["id"])}
    if any(option_id is not None and option_id not in offered for option_id in options):
        raise invalid("fields_option", "must be an option of the field")
    if "fields_option_ids" in values:
        values["fields_option_ids"] = list(dict.fromkeys(values["fields_option_ids"]))
    return values


FORM = Resource(FORMS, "form", records.form, defaults={"name": None}, filled=("name",), cascade=(FIELD_SETS, SUBMISSIONS))
FIELD_SET = Resource(
    FIELD_SETS, "forms_field_set", field_set, parent=FORMS, defaults={"title": None}, filled=("title",), cascade=(FIELDS,)
)
FIELD = Resource(
    FIELDS,
    "forms_field",
    field,
    parent=FIELD_SETS,
    defaults={"label": None, "field_type": "text", "allow_multiple": False, "key": None, "hidden": False},
    filled=("label",),
    cascade=(OPTIONS,),
)
OPTION = Resource(OPTIONS, "forms_fields_option", option, parent=FIELDS, defaults={"label": None}, filled=("label",))
SUBMISSION = Resource(
    SUBMISSIONS,
    "forms_submission",
    records.submission,
    parent=FORMS,
    defaults={"contact_id": None},
    check=_contact,
    subject="Forms::Submission",
    events="form_submission",
    actions=frozenset({"created"}),
    cascade=(ANSWERS,),
    extra=lambda: {"data": {}},
)
ANSWER = Resource(
    ANSWERS,
    "forms_submissions_answer",
    answer,
    parent=SUBMISSIONS,
    defaults={"field_id": None, "fields_option_id": None, "entry": None, "fields_option_ids": []},
    check=_answered,
)
