"""The validating proxy: a WSGI app that forwards each request to the upstream API as it
came, answers with the upstream's answer as it came, and on the side checks both against the
provider's spec, reports each violation and, when asked, records the exchange.

The exchange is never altered: checking, reporting and recording happen beside it, and a
failure there is reported, not passed on. Only a failure to reach the upstream changes the
answer: 502 (or 504 after the timeout) with `{"error": "upstream unreachable: ..."}`.
"""

from __future__ import annotations

import json
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from typing import Any, TextIO, TypeVar
from urllib.parse import quote

import requests
from urllib3.exceptions import HTTPError, ReadTimeoutError
from urllib3.util import SKIP_HEADER
from werkzeug.datastructures import EnvironHeaders
from werkzeug.wsgi import get_input_stream

from mockserver.engine.spec import Operation
from mockserver.proxy.checker import Checker
from mockserver.proxy.exchange import Request, Response, end_to_end, utc_now
from mockserver.proxy.fixtures import Recorder, exchange_document

StartResponse = Callable[..., Any]
T = TypeVar("T")
# Not forwarded: the upstream gets its own Host, its own framing, and no 100-continue dance.
_NOT_FORWARDED = frozenset({"host", "content-length", "expect"})


@dataclass(frozen=True)
class Finding:
    """One way an exchange breaks the spec."""

    time: str
    method: str
    path: str
    operation_id: str | None
    status: int
    where: str  # "request" or "response"
    problem: str

    def line(self) -> str:
        return f"proxy: {self.method} {self.path} -> {self.status}: {self.where} {self.problem}"

    def as_json(self) -> dict[str, Any]:
        return {
            "time": self.time,
            "method": self.method,
            "path": self.path,
            "operationId": self.operation_id,
            "status": self.status,
            "where": self.where,
            "problem": self.problem,
        }


class ProxyApp:
    """Forwards to `upstream` (the base URL the spec's paths are appended to)."""

    def __init__(
        self,
        provider: str,
        upstream: str,
        *,
        record: str | Path | None = None,
        log_file: str | Path | None = None,
        stream: TextIO | None = None,
        timeout: float = 60.0,
        checker: Checker | None = None,
    ) -> None:
        self.provider = provider
        self.upstream = upstream.rstrip("/")
        self.checker = checker or Checker.for_provider(provider)
        self.recorder = Recorder(record) if record is not None else None
        self.timeout = timeout
        self._stream = stream
        self._log = open(log_file, "a", encoding="utf-8") if log_file is not None else None  # noqa: SIM115 (closed by close())
        self._lock = threading.Lock()
        self._findings: list[Finding] = []
        self._local = threading.local()  # one requests session per serving thread
        self._sessions: list[requests.Session] = []

    @property
    def violations(self) -> list[Finding]:
        """Every violation found so far, in the order they were reported."""
        with self._lock:
            return list(self._findings)

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
            if self._log is not None:
                self._log.close()
                self._log = None
        for session in sessions:
            session.close()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        try:
            return self._exchange(environ, start_response)
        except Exception as exc:  # a bug of ours: say so, answer, keep serving
            self._say(f"proxy: internal error: {exc!r}\n{traceback.format_exc()}")
            return _json_answer(start_response, 502, f"proxy failed: {exc}")

    def _exchange(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        number = self.recorder.number() if self.recorder is not None else 0
        request = _incoming(environ)
        unchecked: tuple[Operation | None, list[str]] = (None, [])
        op, request_problems = self._checked(lambda: self.checker.check_request(request), unchecked)
        try:
            response = self._forward(request)
        except (requests.ReadTimeout, ReadTimeoutError) as exc:
            return self._unanswered(request, op, request_problems, start_response, 504, f"upstream timed out: {exc}")
        except (requests.RequestException, HTTPError) as exc:  # urllib3's own while the raw body is read
            return self._unanswered(request, op, request_problems, start_response, 502, f"upstream unreachable: {exc}")
        response_problems: list[str] = self._checked(lambda: self.checker.check_response(op, request.method, response), [])
        problems = [("request", p) for p in request_problems] + [("response", p) for p in response_problems]
        if self.recorder is not None or problems:
            problems = self._scrub_and_record(number, request, op, response, problems)
        self._report(request, op, response.status, problems)
        headers = end_to_end(response.headers)
        if request.method != "HEAD":  # a HEAD answer tells the length of the body it does not carry
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers.append(("Content-Length", str(len(response.body))))
        start_response(f"{response.status} {response.reason}".rstrip(), headers)
        return [response.body]

    def _forward(self, request: Request) -> Response:
        headers = {k: v for k, v in end_to_end(request.headers) if k.lower() not in _NOT_FORWARDED}
        present = {k.lower() for k in headers}
        for name in ("User-Agent", "Accept-Encoding"):
            if name.lower() not in present:
                headers[name] = SKIP_HEADER  # urllib3 would add its own otherwise
        with self._session().request(
            request.method,
            self.upstream + request.target,
            headers=headers,
            data=request.body or None,
            allow_redirects=False,  # a redirect is the upstream's answer: pass it on
            stream=True,  # the raw bytes, content coding and all
            timeout=self.timeout,
        ) as answer:
            body = answer.raw.read(decode_content=False)
            return Response(answer.status_code, answer.reason or "", tuple(answer.raw.headers.items()), body)

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # no proxy or .netrc from the environment
            session.headers.clear()  # nothing added to what the client sent
            session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # one client's cookies stay its own
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def _unanswered(
        self,
        request: Request,
        op: Operation | None,
        problems: list[str],
        start_response: StartResponse,
        status: int,
        error: str,
    ) -> list[bytes]:
        self._say(f"proxy: {request.method} {request.path} -> {status}: {error}")
        self._report(request, op, status, [("request", p) for p in problems])
        return _json_answer(start_response, status, error)

    def _scrub_and_record(
        self, number: int, request: Request, op: Operation | None, response: Response, problems: list[tuple[str, str]]
    ) -> list[tuple[str, str]]:
        """The problems with secrets scrubbed from their text; the exchange saved when recording."""
        operation_id = op.operation_id if op else None
        try:
            document = exchange_document(self.provider, operation_id, request, response, problems)
            if self.recorder is not None:
                self.recorder.save(number, document)
        except Exception as exc:  # e.g. a full disk: the client still gets its answer
            self._say(f"proxy: {request.method} {request.path}: could not record the exchange: {exc!r}")
            return problems
        return [(str(v["where"]), str(v["problem"])) for v in document["violations"]]

    def _report(self, request: Request, op: Operation | None, status: int, problems: list[tuple[str, str]]) -> None:
        if not problems:
            return
        now = utc_now()
        operation_id = op.operation_id if op else None
        findings = [Finding(now, request.method, request.path, operation_id, status, w, p) for w, p in problems]
        with self._lock:
            self._findings.extend(findings)
            if self._log is not None:
                self._log.writelines(json.dumps(f.as_json(), ensure_ascii=False) + "\n" for f in findings)
                self._log.flush()
        self._say("\n".join(f.line() for f in findings))

    def _say(self, text: str) -> None:
        stream = self._stream or sys.stderr
        with self._lock:
            print(text, file=stream, flush=True)

    def _checked(self, check: Callable[[], T], fallback: T) -> T:
        """A check's result; a check that fails is reported, never let near the exchange."""
        try:
            return check()
        except Exception as exc:
            self._say(f"proxy: internal error while checking: {exc!r}")
            return fallback


def _incoming(environ: dict[str, Any]) -> Request:
    path = str(environ.get("PATH_INFO", "")).encode("latin-1").decode("utf-8", "replace")
    query = str(environ.get("QUERY_STRING", ""))
    target = str(environ.get("REQUEST_URI", ""))  # waitress: the path and query exactly as sent
    if not target.startswith("/"):
        target = quote(path, safe="/:@!$&'()*+,;=~") + (f"?{query}" if query else "")
    return Request(
        method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
        path=path,
        query=query,
        target=target,
        headers=tuple(EnvironHeaders(environ).items()),
        body=get_input_stream(environ).read(),
    )


def _json_answer(start_response: StartResponse, status: int, error: str) -> list[bytes]:
    body = json.dumps({"error": error}).encode("utf-8")
    reason = {502: "Bad Gateway", 504: "Gateway Timeout"}.get(status, "Error")
    start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
