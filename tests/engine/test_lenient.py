"""Case-insensitive paths (engine/lenient.py): under a provider's prefix, path segments and
query names are spelled the spec's way and a trailing slash goes, before routing; other
paths, the admin API and unknown names pass as they came."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mockserver.engine.lenient import LenientPaths
from mockserver.engine.spec import load_spec

SPEC = """
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /api/v1/Contacts:
    get:
      operationId: listContacts
      parameters:
        - {name: pageSize, in: query, schema: {type: integer}}
        - {name: Filter, in: query, schema: {type: object}, style: deepObject}
      responses: {"200": {description: ok}}
  /api/v1/Contacts/{contactId}:
    get:
      operationId: getContact
      parameters:
        - {name: contactId, in: path, required: true, schema: {type: integer}}
        - {name: includeFields, in: query, schema: {type: boolean}}
      responses: {"200": {description: ok}}
  /api/v1/Points/TotalForContact:
    get:
      operationId: pointsTotal
      parameters:
        - {name: ContactId, in: query, schema: {type: integer}}
      responses: {"200": {description: ok}}
"""


@pytest.fixture
def lenient(tmp_path: Path) -> LenientPaths:
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text(SPEC, encoding="utf-8")
    return LenientPaths(_echo, ["/yulsn", ""], load_spec(spec_file))


def _echo(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    return [f"{environ['PATH_INFO']}?{environ['QUERY_STRING']}".encode()]


def _seen(lenient: LenientPaths, path: str, query: str = "") -> str:
    return b"".join(lenient({"PATH_INFO": path, "QUERY_STRING": query}, None)).decode()


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        ("/yulsn/API/V1/contacts", "PAGESIZE=5", "/yulsn/api/v1/Contacts?pageSize=5"),
        ("/yulsn/api/v1/contacts/", "", "/yulsn/api/v1/Contacts?"),  # the trailing slash goes
        ("/YULSN/api/v1/CONTACTS/42", "includefields=true", "/yulsn/api/v1/Contacts/42?includeFields=true"),  # the prefix too
        ("/yulsn/api/v1/contacts", "filter[Email]=a%40b.dk", "/yulsn/api/v1/Contacts?Filter[Email]=a%40b.dk"),
        ("/api/v1/points/totalforcontact", "contactid=7", "/api/v1/Points/TotalForContact?ContactId=7"),  # the root prefix
    ],
)
def test_segments_and_query_names_are_spelled_the_specs_way(lenient: LenientPaths, path: str, query: str, expected: str) -> None:
    assert _seen(lenient, path, query) == expected


def test_query_names_are_spelled_per_path(lenient: LenientPaths) -> None:
    # includeFields belongs to getContact: on the list it is no name of the spec's, left as sent.
    assert (
        _seen(lenient, "/yulsn/api/v1/contacts", "INCLUDEFIELDS=1&pagesize=2")
        == "/yulsn/api/v1/Contacts?INCLUDEFIELDS=1&pageSize=2"
    )


def test_unknown_segments_and_names_and_the_admin_api_pass_as_they_came(lenient: LenientPaths) -> None:
    assert _seen(lenient, "/yulsn/api/v1/Widgets/Blue", "Colour=x") == "/yulsn/api/v1/Widgets/Blue?Colour=x"
    assert _seen(lenient, "/__admin/Tenants/", "Provider=yulsn") == "/__admin/Tenants/?Provider=yulsn"


def test_the_root_prefix_covers_only_the_specs_first_segments(lenient: LenientPaths) -> None:
    # Another provider's path, though its segments are names of this spec's, passes as it came.
    assert _seen(lenient, "/systeme/api/v1/contacts", "pagesize=1") == "/systeme/api/v1/contacts?pagesize=1"
    assert _seen(lenient, "/Points/totalforcontact/", "contactid=7") == "/Points/totalforcontact/?contactid=7"
    assert _seen(lenient, "/", "") == "/?"
    # A first segment of the spec's, in any case, is the root's.
    assert _seen(lenient, "/API/v1/contacts/", "pagesize=1") == "/api/v1/Contacts?pageSize=1"
