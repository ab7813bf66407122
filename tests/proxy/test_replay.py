"""Replay: credentials answered as the API answers them (the provider's own 401 when there
are none), and recordings of one route told apart by their request bodies."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from mockserver.engine.errors import Unauthorized
from mockserver.providers import provider_named
from mockserver.proxy.exchange import Request, Response
from mockserver.proxy.fixtures import Recorder, exchange_document
from mockserver.proxy.replay import replay_app
from mockserver.testing import Emulator
from tests.proxy.helpers import Running, http

Start = Callable[..., Running]
# A path of each provider's API, and a request's headers that carry no key it reads.
LISTS = {
    "clickfunnels": "/api/v2/teams",
    "simvoly": "/api/site/contacts",
    "systeme": "/api/contacts",
    "yulsn": "/api/v1/Contacts",
}
NOT_A_KEY = {"Authorization": "Basic dXNlcjpwYXNzd29yZA==", "X-Api-Keys": "k", "User-Agent": "replay-tests/1.0"}


def record(
    directory: Path,
    method: str,
    path: str,
    *,
    headers: Iterable[tuple[str, str]] = (),
    body: bytes = b"",
    status: int = 200,
    answer: object = None,
    query: str = "",
) -> None:
    """One exchange saved as `mockserver proxy --record` saves it (scrubbed), answered with
    `answer` as JSON."""
    recorder = Recorder(directory)
    request = Request(method, path, query, path + (f"?{query}" if query else ""), tuple(headers), body)
    response = Response(status, "", (("Content-Type", "application/json"),), json.dumps(answer).encode())
    recorder.save(recorder.number(), exchange_document("systeme", None, request, response, []))


@pytest.mark.parametrize("provider", sorted(LISTS))
def test_a_request_without_credentials_gets_the_providers_own_401(
    provider: str, mockserver: Emulator, start_proxy: Start, start_replay: Start, tmp_path: Path
) -> None:
    path, native = LISTS[provider], provider_named(provider)
    key = mockserver.account(provider).api_key
    upstream = f"{mockserver.url}/{provider}"
    recorded = start_proxy(provider, upstream, record=tmp_path).client(**native.client_headers(key)).get(path)
    assert recorded.status_code == 200
    assert key not in "".join(p.read_text() for p in tmp_path.iterdir())

    replay = start_replay(tmp_path, provider)
    other_key = http().get(f"{replay.url}{path}", headers=native.client_headers("a-key-never-recorded"), timeout=10)
    assert (other_key.status_code, other_key.content) == (200, recorded.content), "any key passes: none is kept"
    for headers in ({"User-Agent": "replay-tests/1.0"}, NOT_A_KEY):
        direct = http().get(f"{upstream}{path}", headers=headers, timeout=10)
        assert direct.status_code == 401, direct.text
        for target in (path, f"{path}/never-recorded"):  # recorded or not: the key is missing
            replayed = http().get(f"{replay.url}{target}", headers=headers, timeout=10)
            assert replayed.status_code == 401, replayed.text
            assert replayed.headers["Content-Type"] == direct.headers["Content-Type"]
            assert replayed.content == direct.content


def test_a_recording_made_without_credentials_answers_requests_without_them(start_replay: Start, tmp_path: Path) -> None:
    keyless = {"detail": "as the API said it"}
    record(tmp_path, "GET", "/api/contacts", status=401, answer=keyless)
    record(tmp_path, "GET", "/api/contacts", headers=[("X-API-Key", "k-1234567890")], answer={"items": []})
    client = start_replay(tmp_path, "systeme").client()

    for _ in range(2):
        with_key = client.get("/api/contacts", headers={"X-API-Key": "any"})
        assert (with_key.status_code, with_key.json()) == (200, {"items": []}), "made with a key: preferred"
        without = client.get("/api/contacts")
        assert (without.status_code, without.json()) == (401, keyless), "what the API answered then"
    elsewhere = client.get("/api/tags")
    native = provider_named("systeme").render_error(Unauthorized("missing"))
    assert (elsewhere.status_code, elsewhere.json()) == (native.status, native.body), "nothing recorded without a key"
    assert client.get("/api/tags", headers={"X-API-Key": "any"}).status_code == 404


def test_recordings_of_one_route_answer_their_own_bodies_and_others_in_order(start_replay: Start, tmp_path: Path) -> None:
    headers = [("X-API-Key", "k-1234567890"), ("Content-Type", "application/json")]
    for number, name in enumerate(("ada", "bob"), start=1):
        body = {"email": f"{name}@example.com", "fields": [{"slug": "first_name", "value": name.title()}]}
        answer = {"id": number, "email": body["email"]}
        record(tmp_path, "POST", "/api/contacts", headers=headers, body=json.dumps(body).encode(), status=201, answer=answer)
    client = start_replay(tmp_path, "systeme").client(**{"X-API-Key": "any", "Content-Type": "application/json"})

    def created(body: bytes) -> int:
        answer = client.post("/api/contacts", data=body)
        assert answer.status_code == 201, answer.text
        return int(answer.json()["id"])

    # Member order and whitespace are not the body's: each request gets its own recording.
    bob = b'{ "fields" : [ {"value": "Bob", "slug": "first_name"} ],\n  "email": "bob@example.com" }'
    ada = b'{"fields":[{"slug":"first_name","value":"Ada"}],"email":"ada@example.com"}'
    assert [created(body) for body in (bob, ada, bob, ada, bob)] == [2, 1, 2, 1, 2]
    # A body no recording has: every recording of the route, in recorded order, then the last.
    carol = b'{"email": "carol@example.com", "fields": []}'
    assert [created(body) for body in (carol, b"not json", carol)] == [1, 2, 2]
    assert created(ada) == 1


def test_bodies_compare_as_json_values_or_bytes_and_scrubbed_values_match_any(tmp_path: Path) -> None:
    json_type = [("Content-Type", "application/json")]
    form_type = [("Content-Type", "application/x-www-form-urlencoded")]
    text_type = [("Content-Type", "text/plain")]
    record(tmp_path, "POST", "/api/things", headers=json_type, body=b'{"vip": true, "n": 1}', answer="vip")
    record(tmp_path, "POST", "/api/things", headers=json_type, body=b'{"vip": 1, "n": 1.0}', answer="one")
    hook = b'{"name": "crm", "secret": "whsec-0123456789"}'
    record(tmp_path, "POST", "/api/things", headers=json_type, body=hook, answer="hook")
    record(tmp_path, "POST", "/api/things", headers=form_type, body=b"password=hunter22&name=ada", answer="form")
    record(tmp_path, "POST", "/api/things", headers=text_type, body=b"alpha", answer="alpha")
    record(tmp_path, "POST", "/api/things", headers=text_type, body=b"\x89PNG\x00", answer="png")
    record(tmp_path, "POST", "/api/things", answer="empty")
    app = replay_app(tmp_path, "systeme")

    def answer(body: bytes) -> object:
        fixture = app.match("POST", "/api/things", "", body)
        assert fixture is not None
        return json.loads(fixture.body)

    assert answer(b"") == "empty"
    assert answer(b"\x89PNG\x00") == "png"
    assert answer(b"alpha") == "alpha"
    assert answer(b"password=something-else&name=ada") == "form", "a scrubbed value matches any"
    assert answer(b'{"secret": "whsec-another", "name": "crm"}') == "hook", "a scrubbed secret matches any"
    assert answer(b'{"n": 1, "vip": 1}') == "one", "true is not 1; 1.0 is 1"
    assert answer(b'{"n":1,"vip":true}') == "vip"
    # No equal body: the order of the route's recordings (a fresh count for that set).
    assert [answer(b"name=ada&password=x"), answer(b"alpha "), answer(b'{"vip": false}')] == ["vip", "one", "hook"]


def test_query_still_decides_before_the_body(tmp_path: Path) -> None:
    json_type = [("Content-Type", "application/json")]
    record(tmp_path, "POST", "/api/things", headers=json_type, body=b'{"a": 1}', query="page=1", answer="page 1")
    record(tmp_path, "POST", "/api/things", headers=json_type, body=b'{"a": 2}', query="page=2", answer="page 2")
    app = replay_app(tmp_path, "systeme")
    fixture = app.match("POST", "/api/things", "page=2", b'{"a": 1}')
    assert fixture is not None and json.loads(fixture.body) == "page 2", "the query fits first; no equal body among those"
    assert app.match("POST", "/api/things", "page=3", b'{"a": 1}') is None
