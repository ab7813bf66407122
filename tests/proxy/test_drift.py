"""In front of a drifting Systeme.io, each drift is reported precisely, a request that breaks
the spec is reported and still forwarded, and the client gets the upstream's answer as is."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.contract.drifting import KEY, DriftingServer
from tests.proxy.helpers import Running

StartProxy = Callable[..., Running]


@pytest.fixture(scope="module")
def drifting() -> Iterator[DriftingServer]:
    with DriftingServer() as server:
        yield server


@pytest.fixture
def proxy(drifting: DriftingServer, start_proxy: StartProxy, tmp_path: Path) -> Running:
    return start_proxy("systeme", f"{drifting.url}/systeme", log_file=tmp_path / "violations.jsonl")


def test_a_wrong_type_is_reported_with_its_json_path(proxy: Running) -> None:
    response = proxy.client(**{"X-API-Key": KEY}).get("/api/contacts")
    assert response.status_code == 200
    ids = [item["id"] for item in response.json()["items"]]
    assert ids and all(isinstance(i, str) for i in ids), "the drifted body reaches the client as it is"
    expected = [
        ("GET /api/contacts", "response", f"body items[{n}].id: {i!r} is not of type 'integer'") for n, i in enumerate(ids)
    ]
    assert proxy.findings == expected
    lines = proxy.output.getvalue().splitlines()
    assert lines[0] == f"proxy: GET /api/contacts -> 200: response body items[0].id: {ids[0]!r} is not of type 'integer'"


def test_an_undocumented_status_is_reported(proxy: Running) -> None:
    response = proxy.client(**{"X-API-Key": KEY}).get("/api/contacts/999999")
    assert response.status_code == 410
    assert proxy.findings == [("GET /api/contacts/999999", "response", "status 410 is not documented for getContact")]


def test_missing_rate_limit_headers_are_reported(proxy: Running) -> None:
    assert proxy.client(**{"X-API-Key": KEY}).get("/api/community/communities").status_code == 200
    assert proxy.findings == [
        ("GET /api/community/communities", "response", f"header X-RateLimit-{name} is missing")
        for name in ("Limit", "Remaining", "Refill")
    ]


def test_an_error_body_of_the_wrong_shape_is_reported(proxy: Running) -> None:
    response = proxy.client(**{"X-API-Key": KEY}).get("/api/tags/999999")
    assert response.status_code == 404 and response.json() == {"message": "Not found"}
    problems = {problem for _, where, problem in proxy.findings if where == "response"}
    assert problems == {"body title: This value is required.", "body detail: This value is required."}


def test_a_body_on_204_is_reported(proxy: Running) -> None:
    client = proxy.client(**{"X-API-Key": KEY})
    contact = client.post("/api/contacts", json={"email": "drift-204@gmail.com"}).json()
    response = client.delete(f"/api/contacts/{contact['id']}")
    assert response.status_code == 204 and response.content == b""
    assert proxy.findings == [
        (
            f"DELETE /api/contacts/{contact['id']}",
            "response",
            "Content-Type 'application/json' announces a body where the spec documents none",
        )
    ]


def test_a_request_that_breaks_the_spec_is_reported_and_still_forwarded(
    proxy: Running, drifting: DriftingServer, tmp_path: Path
) -> None:
    before = len(drifting.received)
    response = proxy.client(**{"X-API-Key": KEY}).get("/api/contacts", params={"limit": 5000})
    assert drifting.received[before:] == [("GET", "/systeme/api/contacts")], "forwarded all the same"
    assert response.status_code == 422, "the upstream's own answer"
    assert "limit" in response.text
    problem = "query parameter limit: 5000 is greater than the maximum of 100"
    assert proxy.findings == [("GET /api/contacts", "request", problem)]
    assert proxy.output.getvalue() == f"proxy: GET /api/contacts -> 422: request {problem}\n"
    logged = [json.loads(line) for line in (tmp_path / "violations.jsonl").read_text().splitlines()]
    assert len(logged) == 1
    entry = logged[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry.pop("time"))
    assert entry == {
        "method": "GET",
        "path": "/api/contacts",
        "operationId": "listContacts",
        "status": 422,
        "where": "request",
        "problem": problem,
    }


def test_paths_and_methods_outside_the_spec_are_reported(proxy: Running) -> None:
    client = proxy.client(**{"X-API-Key": KEY})
    assert client.get("/api/nothing").status_code == 404
    assert client.put("/api/contacts").status_code == 405
    assert client.get("/api/contacts/abc").status_code == 410, "Systeme routes any id (and the drift turns 404 into 410)"
    assert proxy.findings == [
        ("GET /api/nothing", "request", "no operation in the spec for GET /api/nothing"),
        ("PUT /api/contacts", "request", "no operation in the spec for PUT /api/contacts (the spec has GET, POST there)"),
        ("GET /api/contacts/abc", "request", "path parameter id: 'abc' is not of type 'integer'"),
        ("GET /api/contacts/abc", "response", "status 410 is not documented for getContact"),
    ]


def test_request_bodies_are_checked(proxy: Running) -> None:
    client = proxy.client(**{"X-API-Key": KEY})
    assert client.post("/api/contacts", json={"email": 5}).status_code == 422
    assert client.post("/api/tags", data="{not json", headers={"Content-Type": "application/json"}).status_code == 400
    assert client.post("/api/tags", data="name=x", headers={"Content-Type": "text/plain"}).status_code == 415
    assert [(line, problem) for line, where, problem in proxy.findings if where == "request"] == [
        ("POST /api/contacts", "body email: 5 is not of type 'string'"),
        ("POST /api/tags", "body is not valid JSON"),
        ("POST /api/tags", "content type 'text/plain' is not one of ['application/json']"),
    ]
