"""What the contract suite knows of the real Yulsn v1, written from its documents, apart
from the emulator: authentication, the native error body and its paging (it sends no
webhooks)."""

from __future__ import annotations

from mockserver.contract.profiles import Profile, object_with

PROFILE = Profile(
    name="yulsn",
    title="Yulsn",
    auth_header="X-ApiKey",
    auth_prefix="",
    error_body=object_with("Message", Message={"type": "string"}),
    error_schemas=("Error",),
    # ASP.NET answers refused business rules with 400 (and 409/423 where documented).
    business_rule_statuses=("400", "404", "409", "422", "423"),
    # A company without contacts lists them as 404; AddContact/RemoveContact answer 404
    # for the contact the body names.
    not_found_is_not_missing=(
        "GET /api/v1/ContactCompanies/{id}/Contacts",
        "POST /api/v1/ContactCompanies/{id}/AddContact",
        "POST /api/v1/ContactCompanies/{id}/RemoveContact",
    ),
    # Schemathesis cannot see operations declared under `x-methods` (Yulsn's SEARCH),
    # so it takes the SEARCH that a 405's Allow header lists for an undocumented method.
    excluded_checks=("allow_header_conformance",),
    excluded_checks_why="the SEARCH operations (under x-methods) are invisible to schemathesis",
    # Paging (contract/paging.py): lists paged by `lastId` answer at most 1000 records
    # (the spec says so in words only); a table's entities are listed by its name.
    extra={"page_size": 1000, "path_values": {"tableName": ("/api/v1/DynamicTables", "Name")}},
)
