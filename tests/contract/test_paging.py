"""The paging scenario: every list of each spec walked page by page, against the emulator
(no finding), the drifting server and servers that break one paging promise each."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest

from mockserver.contract.client import ContractClient
from mockserver.contract.paging import walk_lists
from mockserver.contract.profiles import profile_named
from mockserver.engine.spec import ApiSpec, load_spec
from mockserver.testing import Emulator
from tests.contract.conftest import Answer, Tamper, TamperingServer, findings_text, requests_sent, verdict_of
from tests.contract.drifting import KEY, DriftingServer
from tests.support import STRICT_SETTINGS

SPECS = {name: load_spec(profile_named(name).spec) for name in ("systeme", "clickfunnels", "simvoly", "yulsn")}

WALKED = {
    "systeme": [
        "/api/contacts",
        "/api/tags",
        "/api/school/courses",
        "/api/school/enrollments",
        "/api/community/communities",
        "/api/community/memberships",
        "/api/payment/subscriptions",
        "/api/webhooks",
        "/api/funnels",
        "/api/mailing/campaigns",
        "/api/mailing/newsletters",
    ],
    "clickfunnels": [
        "/api/v2/teams",
        "/api/v2/teams/{team_id}/workspaces",
        "/api/v2/workspaces/{workspace_id}/contacts",
        "/api/v2/workspaces/{workspace_id}/contacts/tags",
        "/api/v2/contacts/{contact_id}/applied_tags",
        "/api/v2/workspaces/{workspace_id}/products",
        "/api/v2/workspaces/{workspace_id}/orders",
        "/api/v2/workspaces/{workspace_id}/fulfillments",
        "/api/v2/workspaces/{workspace_id}/courses",
        "/api/v2/courses/{course_id}/enrollments",
        "/api/v2/workspaces/{workspace_id}/forms",
        "/api/v2/forms/{form_id}/submissions",
        "/api/v2/workspaces/{workspace_id}/webhooks/outgoing/endpoints",
        "/api/v2/workspaces/{workspace_id}/images",
        "/api/v2/users",
        "/api/v2/workspaces/{workspace_id}/webhooks/outgoing/events",
        "/api/v2/courses/{course_id}/sections",
        "/api/v2/courses/sections/{section_id}/lessons",
        "/api/v2/forms/{form_id}/field_sets",
        "/api/v2/forms/field_sets/{field_set_id}/fields",
        "/api/v2/forms/fields/{field_id}/options",
        "/api/v2/forms/submissions/{submission_id}/answers",
        "/api/v2/products/{product_id}/variants",
        "/api/v2/products/{product_id}/prices",
        "/api/v2/workspaces/{workspace_id}/products/tags",
        "/api/v2/workspaces/{workspace_id}/orders/tags",
        "/api/v2/orders/{order_id}/applied_tags",
        "/api/v2/orders/{order_id}/invoices",
        "/api/v2/orders/{order_id}/transactions",
        "/api/v2/workspaces/{workspace_id}/orders/invoices/restocks",
        "/api/v2/workspaces/{workspace_id}/fulfillments/locations",
        "/api/v2/workspaces/{workspace_id}/shipping/profiles",
        "/api/v2/shipping/profiles/{profile_id}/location_groups",
        "/api/v2/shipping/location_groups/{location_group_id}/zones",
        "/api/v2/shipping/zones/{zone_id}/rates",
        "/api/v2/workspaces/{workspace_id}/shipping/rates/names",
        "/api/v2/workspaces/{workspace_id}/shipping/packages",
    ],
    "simvoly": [
        "/api/site/contacts",
        "/api/site/members",
        "/api/site/member-groups",
        "/api/site/products",
        "/api/site/orders",
        "/api/site/form-submissions",
        "/api/site/bookings",
        "/api/site/subscriber-lists",
    ],
    "yulsn": ["/api/v1/EmailDispatchReceiver", "/api/v1/Points", "/api/v1/table/{tableName}"],
}
# Each provider's biggest demo list, its cursor, and how many pages walking it takes.
PAGES = {
    "systeme": ("/systeme/api/contacts", "startingAfter", 7),  # 60 contacts: 6 pages of 10, and the empty one after
    "clickfunnels": ("/clickfunnels/api/v2/workspaces/1/contacts", "after", 3),  # 52 contacts: 20, 20, 12
    "simvoly": ("/simvoly/api/site/contacts", "skip", 7),  # 69 contacts: 6 pages of 10 and 9
    "yulsn": ("/yulsn/api/v1/table/Products", "lastId", 5),  # 40 entities: 4 pages of take=10, and the empty one after
}


def only(spec: ApiSpec, *paths: str) -> ApiSpec:
    """The spec with only the GET operations at these paths."""
    return replace(spec, operations=tuple(op for op in spec.operations if op.method == "GET" and op.path in paths))


@pytest.mark.parametrize("provider", list(SPECS))
def test_every_list_of_the_emulator_is_walked_without_a_finding(
    provider: str, demo_client: Callable[..., ContractClient]
) -> None:
    client = demo_client(provider)
    sent = requests_sent(client)
    verdict = verdict_of(client)
    walk_lists(client, SPECS[provider], verdict)
    assert not verdict.findings, findings_text(verdict.findings)
    assert sorted(verdict.checked["paging"]) == sorted(f"GET {path}" for path in WALKED[provider])
    assert {method for method, _ in sent} == {"GET"}
    # the biggest list was really walked: a request for each page, each with the next cursor
    path, cursor, pages = PAGES[provider]
    cursors = {tuple(parse_qs(urlsplit(url).query).get(cursor, [])) for _, url in sent if urlsplit(url).path == path}
    assert len(cursors) == pages
    expected_notes = ["GET /api/v1/ContactEvents not walked: no value known for its required type"] if provider == "yulsn" else []
    assert verdict.notes == expected_notes


def test_small_pages_within_the_bounds_of_each_page_size_parameter(demo_client: Callable[..., ContractClient]) -> None:
    client = demo_client("systeme")
    sent = requests_sent(client)
    walk_lists(client, only(SPECS["systeme"], "/api/tags"), verdict_of(client))
    assert parse_qs(urlsplit(sent[0][1]).query)["limit"] == ["10"]  # Systeme's minimum, not SMALL_PAGE below it


def test_the_drifting_server_shows_a_wrong_type_broken_paging_and_a_missing_header(drifting: DriftingServer) -> None:
    start = len(drifting.received)
    found = {}
    for provider in ("systeme", "clickfunnels"):
        client = ContractClient(profile_named(provider), f"{drifting.url}/{provider}", KEY, allow_writes=False)
        verdict = verdict_of(client)
        walk_lists(client, SPECS[provider], verdict)
        found[provider] = verdict.findings
    contacts = [f for f in found["systeme"] if f.operation == "GET /api/contacts"]
    wrong_type = [f for f in contacts if f.kind == "wrong type"]
    assert [f.detail for f in wrong_type] == ["body items[0].id: '60' is not of type 'integer'"]
    assert "limit=10" in wrong_type[0].evidence
    paging = [f for f in contacts if f.kind == "broken paging"]
    assert len(paging) == 1 and "appears again on page 2 (startingAfter=51)" in paging[0].detail
    assert all(f.part == "paging" for f in found["systeme"] + found["clickfunnels"])
    # the CF drift drops the headers, but after=<last id> still has records
    (header,) = found["clickfunnels"]
    assert (header.operation, header.kind) == ("GET /api/v2/workspaces/{workspace_id}/contacts", "missing header")
    assert "after=20 gives 20 more records" in header.detail
    assert {method for method, _ in drifting.received[start:]} == {"GET"}


def test_a_walk_waits_out_a_tiny_rate_limit() -> None:
    with Emulator.start(**{**STRICT_SETTINGS, "rate_limit": 5, "rate_window": 1}) as emulator:
        slow = emulator.account("systeme", demo=True)
        client = ContractClient(profile_named("systeme"), f"{emulator.url}/systeme", slow.api_key, allow_writes=False)
        verdict = verdict_of(client)
        walk_lists(client, only(SPECS["systeme"], "/api/contacts"), verdict)  # 7 requests at 5 a second
        assert client.rate_limited > 0
        assert not verdict.findings, findings_text(verdict.findings)
        assert verdict.checked["paging"] == ["GET /api/contacts"]
        assert not emulator.engine.strict_problems


def _json_answer(change: Callable[[Answer, object], object], path: str) -> Tamper:
    """A tamper that rewrites the JSON body of the answers at `path`."""

    def tamper(answer: Answer) -> Answer:
        if answer.path != path or not answer.status.startswith("200"):
            return answer
        return replace(answer, body=json.dumps(change(answer, json.loads(answer.body))).encode())

    return tamper


def _headers(change: Callable[[str, str], str], path: str) -> Tamper:
    def tamper(answer: Answer) -> Answer:
        if answer.path != path:
            return answer
        return replace(answer, headers=[(name, change(name, value)) for name, value in answer.headers])

    return tamper


def _set(body: object, **members: object) -> object:
    assert isinstance(body, dict)
    return {**body, **members}


def _short_first_page(answer: Answer, body: object) -> object:
    """Systeme's tags: a first page of 5 (of 8) that says it is the last."""
    if "startingAfter" in answer.query or not isinstance(body, dict):
        return body
    return {**body, "items": body["items"][:5], "hasMore": False}


BROKEN = {
    "totalCount too high": (
        "simvoly",
        "/api/site/contacts",
        _json_answer(lambda _, body: _set(body, totalCount=71), "/simvoly/api/site/contacts"),
        ("broken paging", "totalCount is 71 but the pages held 69 records"),
    ),
    "totalCount changing": (
        "simvoly",
        "/api/site/contacts",
        _json_answer(lambda a, body: _set(body, totalCount=69 + ("skip=0" in a.query)), "/simvoly/api/site/contacts"),
        ("broken paging", "totalCount changes from page to page: ['69', '70']"),
    ),
    "hasMore never true": (
        "systeme",
        "/api/contacts",
        _json_answer(lambda _, body: _set(body, hasMore=False), "/systeme/api/contacts"),
        ("broken paging", "hasMore is false, but startingAfter=51 gives 10 more records"),
    ),
    "a short first page said to be the last": (
        "systeme",
        "/api/tags",
        _json_answer(_short_first_page, "/systeme/api/tags"),
        ("broken paging", "hasMore is false, but startingAfter=4 gives 3 more records"),
    ),
    "hasMore always true": (
        "systeme",
        "/api/tags",
        _json_answer(lambda _, body: _set(body, hasMore=True), "/systeme/api/tags"),
        ("broken paging", "hasMore said more records remain, but startingAfter=1 gives none"),
    ),
    "Pagination-Next off by one": (
        "clickfunnels",
        "/api/v2/workspaces/{workspace_id}/contacts",
        _headers(lambda n, v: str(int(v) + 1) if n == "Pagination-Next" else v, "/clickfunnels/api/v2/workspaces/1/contacts"),
        ("wrong header", "Pagination-Next is '21', not the page's last id '20'"),
    ),
    "Link to the wrong page": (
        "clickfunnels",
        "/api/v2/workspaces/{workspace_id}/contacts",
        _headers(
            lambda n, v: re.sub(r"after=\d+", "after=1", v) if n == "Link" else v, "/clickfunnels/api/v2/workspaces/1/contacts"
        ),
        ("wrong header", "Link is '<"),
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_paging_promise_is_a_finding(
    case: str, demo_client: Callable[..., ContractClient], tampering: Callable[[Tamper], TamperingServer]
) -> None:
    provider, path, tamper, (kind, detail) = BROKEN[case]
    client = demo_client(provider, base_url=tampering(tamper).url)
    verdict = verdict_of(client)
    walk_lists(client, only(SPECS[provider], *{path, "/api/v2/teams", "/api/v2/teams/{team_id}/workspaces"}), verdict)
    assert [(f.operation, f.kind) for f in verdict.findings] == [(f"GET {path}", kind)], findings_text(verdict.findings)
    assert verdict.findings[0].detail.startswith(detail)


def test_a_walk_stops_at_max_pages_and_says_so(demo_client: Callable[..., ContractClient]) -> None:
    client = demo_client("systeme")
    sent = requests_sent(client)
    verdict = verdict_of(client)
    walk_lists(client, only(SPECS["systeme"], "/api/contacts"), verdict, max_pages=2)
    assert len(sent) == 2
    assert verdict.notes == ["GET /api/contacts: walked partly, stopped after 2 pages"]
    assert not verdict.findings


def test_lists_whose_ids_cannot_be_found_are_noted(mockserver: Emulator) -> None:
    """A fresh ClickFunnels account has no course or form: their sub-lists cannot be walked."""
    key = mockserver.account("clickfunnels").api_key
    client = ContractClient(profile_named("clickfunnels"), f"{mockserver.url}/clickfunnels", key, allow_writes=False)
    verdict = verdict_of(client)
    walk_lists(client, SPECS["clickfunnels"], verdict)
    assert not verdict.findings
    assert "GET /api/v2/courses/{course_id}/enrollments not walked: no record to take course_id from" in verdict.notes
    assert "GET /api/v2/courses/{course_id}/enrollments" not in verdict.checked["paging"]
    assert "GET /api/v2/workspaces/{workspace_id}/contacts" in verdict.checked["paging"]
