"""The bounded request journal: newest first, filters, per-account clearing, size bound, and
how a recorded exchange reads (redacted credentials, bodies cut with a marker)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from mockserver.engine.journal import (
    BODY_LIMIT,
    Exchange,
    Journal,
    JournalFilter,
    cut,
    environ_headers,
    redact,
    redact_query,
)
from mockserver.engine.logs import RequestLog


def _entry(
    number: int,
    provider: str = "systeme",
    key: str | None = "k",
    *,
    request: bytes = b"",
    response: bytes = b"",
    **fields: Any,
) -> Exchange:
    """An exchange; `fields` overrides Exchange's own (method, path_info, route, status...)."""
    made: dict[str, Any] = {
        "at": 1_700_000_000.0 + number,
        "provider": provider,
        "api_key": key,
        "operation_id": f"op{number}",
        "route": "/api/tags/{id}",
        "method": "GET",
        "path_info": f"/{provider}/api/tags/{number}",
        "query": "",
        "request_headers": [],
        "status": 200,
        "duration_ms": 1.5,
        "request_body": cut(request),
        "request_size": len(request),
        "response_headers": {"Content-Type": "application/json"},
        "response_body": cut(response),
        "response_size": len(response),
    }
    return Exchange(**{**made, **fields})


def _numbers(entries: list[Exchange]) -> list[int]:
    return [int(entry.operation_id[2:]) for entry in entries]


def test_entries_come_newest_first() -> None:
    journal = Journal()
    for number in range(1, 6):
        journal.record(_entry(number))
    assert _numbers(journal.entries()) == [5, 4, 3, 2, 1]


def test_each_entry_gets_an_increasing_sequence_number() -> None:
    journal = Journal()
    for number in range(1, 4):
        journal.record(_entry(number))
    seqs = [entry.seq for entry in journal.entries()]
    assert seqs == sorted(seqs, reverse=True)
    assert len(set(seqs)) == 3


def test_a_full_journal_keeps_the_newest_entries() -> None:
    journal = Journal(size=3)
    for number in range(1, 8):
        journal.record(_entry(number))
    assert _numbers(journal.entries()) == [7, 6, 5]


def test_a_journal_keeps_at_least_one_entry() -> None:
    journal = Journal(size=0)
    journal.record(_entry(1))
    journal.record(_entry(2))
    assert _numbers(journal.entries()) == [2]


def test_filter_by_provider_and_key() -> None:
    journal = Journal()
    journal.record(_entry(1, "systeme", "a"))
    journal.record(_entry(2, "other", "a"))
    journal.record(_entry(3, "systeme", "b"))
    journal.record(_entry(4, "systeme", "a"))
    assert _numbers(journal.entries(JournalFilter(provider="systeme"))) == [4, 3, 1]
    assert _numbers(journal.entries(JournalFilter(key="a"))) == [4, 2, 1]
    assert _numbers(journal.entries(JournalFilter(provider="systeme", key="a"))) == [4, 1]
    assert journal.entries(JournalFilter(provider="nobody")) == []


def test_filter_by_method_status_and_since() -> None:
    journal = Journal()
    journal.record(_entry(1, method="GET", status=200))
    journal.record(_entry(2, method="POST", status=201))
    journal.record(_entry(3, method="POST", status=422))
    journal.record(_entry(4, method="DELETE", status=404))
    assert _numbers(journal.entries(JournalFilter(method="post"))) == [3, 2]
    assert _numbers(journal.entries(JournalFilter(status="4xx"))) == [4, 3]
    assert _numbers(journal.entries(JournalFilter(status="201"))) == [2]
    first_two = journal.entries()[2].seq
    assert _numbers(journal.entries(JournalFilter(since=first_two))) == [4, 3]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("/systeme/api/tags/2", [2]),  # the full path
        ("/api/tags/2", [2]),  # below the provider's prefix
        ("/api/tags/{id}", [3, 2]),  # the spec's template
        ("/api/tags/*", [3, 2]),  # a glob
        ("/systeme/api/*", [3, 2, 1]),
        ("/api/tags", [1]),
        ("/api/tag", []),
    ],
)
def test_filter_by_path_takes_paths_templates_and_globs(pattern: str, expected: list[int]) -> None:
    journal = Journal()
    journal.record(_entry(1, path_info="/systeme/api/tags", route="/api/tags"))
    journal.record(_entry(2, path_info="/systeme/api/tags/2"))
    journal.record(_entry(3, path_info="/systeme/api/tags/3"))
    assert _numbers(journal.entries(JournalFilter(path=pattern))) == expected


def test_limit_keeps_the_newest_matching_entries() -> None:
    journal = Journal()
    for number in range(1, 11):
        journal.record(_entry(number, key="even" if number % 2 == 0 else "odd"))
    assert _numbers(journal.entries(limit=3)) == [10, 9, 8]
    assert _numbers(journal.entries(JournalFilter(key="odd"), limit=2)) == [9, 7]
    assert journal.entries(limit=0) == []


def test_the_size_bound_applies_before_filters() -> None:
    """Old entries of a quiet tenant are pushed out by a busy one: the bound is global."""
    journal = Journal(size=4)
    journal.record(_entry(1, key="quiet"))
    for number in range(2, 6):
        journal.record(_entry(number, key="busy"))
    assert journal.entries(JournalFilter(key="quiet")) == []
    assert _numbers(journal.entries(JournalFilter(key="busy"))) == [5, 4, 3, 2]


def test_clear_empties_the_journal() -> None:
    journal = Journal()
    journal.record(_entry(1))
    assert journal.clear() == 1
    assert journal.entries() == []
    journal.record(_entry(2))
    assert _numbers(journal.entries()) == [2]


def test_clear_of_one_account_keeps_every_other() -> None:
    journal = Journal()
    journal.record(_entry(1, "systeme", "a"))
    journal.record(_entry(2, "systeme", "b"))
    journal.record(_entry(3, "simvoly", "a"))
    journal.record(_entry(4, "systeme", "a"))
    assert journal.clear("systeme", "a") == 2
    assert _numbers(journal.entries()) == [3, 2]


def test_each_recorded_entry_is_handed_to_the_listener() -> None:
    seen: list[int] = []
    journal = Journal(on_record=lambda entry: seen.append(entry.seq))
    journal.record(_entry(1))
    journal.record(_entry(2))
    assert seen == [1, 2]


def test_an_exchange_reads_as_json_with_credentials_redacted() -> None:
    headers = [
        ("HTTP_X_API_KEY", "sk-live-1234567890abcd"),
        ("HTTP_AUTHORIZATION", "Bearer tok-0987654321wxyz"),
        ("CONTENT_TYPE", "application/json"),
        ("x-request-id", "r1"),
    ]
    entry = _entry(
        7,
        key="sk-live-1234567890abcd",
        method="POST",
        query="limit=10&apiKey=secret-value-9999&tag=a&tag=b",
        request_headers=headers,
        request=b'{"email": "ada@gmail.com"}',
        response=b'{"id": 7}',
    )
    entry.events.append({"event": "CONTACT_CREATED", "messageIds": ["m1"]})

    view = entry.to_json()

    assert view["requestHeaders"] == {
        "X-Api-Key": "***abcd",
        "Authorization": "Bearer ***wxyz",
        "Content-Type": "application/json",
        "X-Request-Id": "r1",
    }
    assert view["query"] == {"limit": "10", "apiKey": "***9999", "tag": ["a", "b"]}
    assert view["requestBody"] == {"email": "ada@gmail.com"}
    assert view["responseBody"] == {"id": 7}
    assert view["keyHint"] == "…abcd"
    assert view["events"] == [{"event": "CONTACT_CREATED", "messageIds": ["m1"]}]
    assert (view["method"], view["path"], view["route"], view["status"]) == ("POST", "/systeme/api/tags/7", "/api/tags/{id}", 200)
    assert "apiKey" not in view  # the key itself is never shown, only its fingerprint
    assert "sk-live-1234567890abcd" not in json.dumps(view)


def test_credential_fields_of_json_bodies_are_redacted_at_any_depth() -> None:
    sent = {
        "email": "ada@gmail.com",
        "password": "hunter2-correct-horse",
        "webhook": {"url": "https://x.test/in", "secret": "whsec_abcdefgh12345678", "secretRotatedAt": 3},
        "fields": [{"slug": "api_key", "value": 1}, {"client_secret": "cs-aaaaaaaa-bbbb"}],
        "tokenId": "tok-not-a-secret",  # an id naming a token is no credential
    }
    answered = {"id": 7, "accessToken": "at-0123456789zz"}
    view = _entry(1, request=json.dumps(sent).encode(), response=json.dumps(answered).encode()).to_json()
    assert view["requestBody"] == {
        "email": "ada@gmail.com",
        "password": "***orse",
        "webhook": {"url": "https://x.test/in", "secret": "***5678", "secretRotatedAt": 3},
        "fields": [{"slug": "api_key", "value": 1}, {"client_secret": "***bbbb"}],
        "tokenId": "tok-not-a-secret",
    }
    assert view["responseBody"] == {"id": 7, "accessToken": "***89zz"}


def test_credential_fields_of_form_bodies_and_queries_are_redacted() -> None:
    form = b"username=ada&password=hunter2-correct-horse&remember=1"
    assert _entry(1, request=form).to_json()["requestBody"] == "username=ada&password=***orse&remember=1"
    assert redact_query("limit=10&apiKey=secret-value-9999&q=a+b") == "limit=10&apiKey=***9999&q=a+b"
    assert redact_query("limit=10&page=2") == "limit=10&page=2"
    assert redact_query("access_token=abcdefghijkl&key=") == "access_token=***ijkl&key="
    assert _entry(1, request=b"plain text with a = sign").to_json()["requestBody"] == "plain text with a = sign"


def test_a_request_line_in_the_log_redacts_query_credentials() -> None:
    stream = io.StringIO()
    log = RequestLog("text", stream)
    log.write(_entry(1, key="sk-live-1234567890abcd", query="limit=5&token=tok-0987654321wxyz"))
    log.flush()
    line = stream.getvalue()
    assert "limit=5&token=***wxyz" in line and "key=…abcd" in line
    assert "tok-0987654321wxyz" not in line and "sk-live-1234567890abcd" not in line
    stream = io.StringIO()
    log = RequestLog("json", stream)
    log.write(_entry(1, key="sk-live-1234567890abcd", query="limit=5&token=tok-0987654321wxyz"))
    log.flush()
    record = json.loads(stream.getvalue())
    assert (record["query"], record["key"]) == ("limit=5&token=***wxyz", "…abcd")


def test_a_long_body_is_kept_cut_and_says_so() -> None:
    body = json.dumps({"items": ["x" * 100] * 1000}).encode()
    assert len(body) > BODY_LIMIT
    view: Any = _entry(1, response=body).to_json()["responseBody"]
    assert isinstance(view, str)
    assert view.endswith(f"…[truncated: {len(body)} bytes in all]")
    assert len(view) < BODY_LIMIT + 100


def test_an_empty_body_is_none_and_text_stays_text() -> None:
    assert _entry(1).to_json()["requestBody"] is None
    assert _entry(1, request=b"not json").to_json()["requestBody"] == "not json"


def test_a_utf8_path_reads_back_as_sent() -> None:
    wsgi_path = "/systeme/api/tags/é".encode().decode("latin-1")  # how WSGI carries it
    assert _entry(1, path_info=wsgi_path).to_json()["path"] == "/systeme/api/tags/é"


def test_redact_keeps_a_fingerprint_only() -> None:
    assert redact("abcdefghijkl") == "***ijkl"
    assert redact("short") == "***"
    assert redact("Basic dXNlcjpwYXNzd29yZA==") == "Basic ***ZA=="


def test_environ_headers_pick_the_headers_only() -> None:
    environ = {"HTTP_HOST": "h", "CONTENT_LENGTH": "2", "PATH_INFO": "/x", "wsgi.input": object()}
    assert environ_headers(environ) == [("HTTP_HOST", "h"), ("CONTENT_LENGTH", "2")]
