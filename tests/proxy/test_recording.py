"""`--record`: one scrubbed file per exchange, loaded back, and served back by replay."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from mockserver.proxy.exchange import Request, Response
from mockserver.proxy.fixtures import SCRUBBED, Recorder, exchange_document, load_fixtures
from mockserver.testing import Emulator
from tests.proxy.helpers import Running

Start = Callable[..., Running]


def texts(directory: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(directory.iterdir())}


def test_exchanges_are_recorded_scrubbed_and_replayed(
    mockserver: Emulator, start_proxy: Start, start_replay: Start, tmp_path: Path
) -> None:
    key, secret = mockserver.account("systeme", demo=True).api_key, f"whsec-{uuid.uuid4().hex}"
    proxy = start_proxy("systeme", f"{mockserver.url}/systeme", record=tmp_path)
    client = proxy.client(**{"X-API-Key": key})
    contacts = client.get("/api/contacts", params={"limit": 10, "token": "query-token-value"})
    contact_id = contacts.json()["items"][0]["id"]
    before = client.get(f"/api/contacts/{contact_id}")
    locale = "fr" if before.json()["locale"] != "fr" else "de"
    client.merge_patch(f"/api/contacts/{contact_id}", {"locale": locale})
    after = client.get(f"/api/contacts/{contact_id}")
    hook = {"name": "crm", "url": "https://example.com/hooks", "secret": secret, "subscriptions": ["CONTACT_CREATED"]}
    created = client.post("/api/webhooks", json=hook)
    missing = client.get("/api/contacts/999999")
    assert after.json()["locale"] == locale != before.json()["locale"]
    assert [r.status_code for r in (contacts, before, after, created, missing)] == [200, 200, 200, 201, 404]

    files = texts(tmp_path)
    assert list(files) == [
        "0001-get-api-contacts.json",
        f"0002-get-api-contacts-{contact_id}.json",
        f"0003-patch-api-contacts-{contact_id}.json",
        f"0004-get-api-contacts-{contact_id}.json",
        "0005-post-api-webhooks.json",
        "0006-get-api-contacts-999999.json",
    ]
    for name, text in files.items():
        assert key not in text, name
        assert secret not in text, name
        assert "query-token-value" not in text, name
    first = json.loads(files["0001-get-api-contacts.json"])
    assert first["operationId"] == "listContacts"
    assert first["request"]["query"] == f"limit=10&token={SCRUBBED}"
    assert first["request"]["headers"]["X-Api-Key"] == SCRUBBED
    assert first["response"]["status"] == 200
    assert first["response"]["bodyFormat"] == "json" and first["response"]["body"] == contacts.json()
    assert first["violations"] == []
    assert json.loads(files["0005-post-api-webhooks.json"])["request"]["body"]["secret"] == SCRUBBED

    fixtures = load_fixtures(tmp_path)
    assert [(f.method, f.path, f.status) for f in fixtures][:2] == [
        ("GET", "/api/contacts", 200),
        ("GET", f"/api/contacts/{contact_id}", 200),
    ]

    replay = start_replay(tmp_path, "systeme")
    again = replay.client(**{"X-API-Key": "any-key"})
    replayed = again.get("/api/contacts", params={"token": "another-token", "limit": 10})  # any order, any scrubbed value
    assert (replayed.status_code, replayed.content) == (200, contacts.content)
    for expected in (before, after, after):  # recorded order, then the last one again
        answer = again.get(f"/api/contacts/{contact_id}")
        assert (answer.status_code, answer.json()) == (200, expected.json())
    assert again.get("/api/contacts/999999").json() == missing.json()
    assert again.get("/api/contacts/999999").status_code == 404
    assert again.post("/api/webhooks", json={}).status_code == 201
    unknown = again.get("/api/contacts", params={"limit": 11})
    assert unknown.status_code == 404
    assert unknown.json() == {"error": "no recorded exchange for GET /api/contacts?limit=11"}
    assert again.delete(f"/api/contacts/{contact_id}").json() == {
        "error": f"no recorded exchange for DELETE /api/contacts/{contact_id}"
    }


def test_generated_secrets_in_responses_are_scrubbed_and_paths_replay_in_any_case(
    mockserver: Emulator, start_proxy: Start, start_replay: Start, tmp_path: Path
) -> None:
    key = mockserver.account("yulsn").api_key
    proxy = start_proxy("yulsn", f"{mockserver.url}/yulsn", record=tmp_path)
    contact = proxy.client(**{"X-ApiKey": key}).post(
        "/api/v1/Contacts", json={"Email": "rec@example.dk", "RegistrationSource": "T"}
    )
    assert contact.status_code == 200
    generated = contact.json()["Secret"]
    (only,) = texts(tmp_path).values()
    assert generated not in only and key not in only
    assert json.loads(only)["response"]["body"]["Secret"] == SCRUBBED
    replay = start_replay(tmp_path, "yulsn")
    answer = replay.client(**{"X-ApiKey": "any-key"}).post("/API/v1/contacts/", json={"email": "REC@example.dk"})
    assert answer.status_code == 200, "Yulsn: any case, a trailing slash; no equal body, so the route's only recording"
    assert answer.json() == {**contact.json(), "Secret": SCRUBBED}


def test_scrubbing_reaches_every_depth_and_every_echo() -> None:
    request = Request(
        method="POST",
        path="/api/things",
        query="api_key=k-123456789&page=2",
        target="/api/things?api_key=k-123456789&page=2",
        headers=(("Authorization", "Bearer tok-abcdefghij"), ("X-Auth-Token", "xyz"), ("Content-Type", "application/json")),
        body=json.dumps({"user": {"Password": "hunter2", "name": "Ada"}, "items": [{"client_secret": 12345678}]}).encode(),
    )
    response = Response(
        status=400,
        reason="Bad Request",
        headers=(
            ("Set-Cookie", "session=s-1234567890; Expires=Wed, 21 Oct 2015 07:28:00 GMT; HttpOnly"),
            ("Set-Cookie", "other=s-2"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ),
        body=b"accessToken=tok-abcdefghij&echo=hello+tok-abcdefghij+s-1234567890&refresh-TOKEN=r&at=07:28:00+HttpOnly",
    )
    problems = [("request", "body items[0].client_secret: 12345678 is not of type 'string'"), ("request", "body user: 'hunter2'")]
    document = exchange_document("systeme", None, request, response, problems)
    text = json.dumps(document)
    for secret in ("tok-abcdefghij", "hunter2", "12345678", "k-123456789", "xyz", "s-1234567890", "s-2"):
        assert secret not in text, secret
    assert document["request"]["headers"]["Authorization"] == SCRUBBED
    assert document["request"]["headers"]["X-Auth-Token"] == SCRUBBED
    assert document["request"]["query"] == f"api_key={SCRUBBED}&page=2"
    assert document["request"]["body"] == {"user": {"Password": SCRUBBED, "name": "Ada"}, "items": [{"client_secret": SCRUBBED}]}
    assert document["response"]["headers"]["Set-Cookie"] == SCRUBBED
    expected = f"accessToken={SCRUBBED}&echo=hello+{SCRUBBED}+{SCRUBBED}&refresh-TOKEN={SCRUBBED}&at=07:28:00+HttpOnly"
    assert document["response"]["body"] == expected, "a cookie's value goes; its attributes are no secret"
    assert document["violations"] == [
        {"where": "request", "problem": f"body items[0].client_secret: {SCRUBBED} is not of type 'string'"},
        {"where": "request", "problem": f"body user: '{SCRUBBED}'"},
    ]


def test_bodies_round_trip_and_numbering_goes_on(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path)
    png = bytes([0x89, 0x50, 0x4E, 0x47, 0x00, 0xFF, 0xFE])
    for body, content_type in (
        (png, "image/png"),
        (b"<p>hi</p>", "text/html"),
        (b"", None),
        (b'{"a": [1, 2.5]}', "application/json"),
    ):
        request = Request("GET", "/img", "", "/img", (), b"")
        headers = (("Content-Type", content_type),) if content_type else ()
        recorder.save(recorder.number(), exchange_document("simvoly", None, request, Response(200, "OK", headers, body), []))
    formats = [json.loads(p.read_text())["response"]["bodyFormat"] for p in sorted(tmp_path.iterdir())]
    assert formats == ["base64", "text", "none", "json"]
    assert [f.body for f in load_fixtures(tmp_path)] == [png, b"<p>hi</p>", b"", b'{"a":[1,2.5]}']
    assert Recorder(tmp_path).number() == 5, "a second run numbers after the files already there"


def test_a_file_that_is_not_a_recording_is_named(tmp_path: Path) -> None:
    (tmp_path / "0001-get-x.json").write_text('{"request": {}}')
    with pytest.raises(ValueError, match=re.escape("0001-get-x.json")):
        load_fixtures(tmp_path)
