"""Generated requests: schemathesis over the provider's spec (examples, coverage, fuzzing and
stateful phases that follow the spec's links), every check on, our own checks added
(hooks.py). It runs as a child process; its NDJSON event stream becomes our findings."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mockserver.contract import hooks
from mockserver.contract.findings import Finding, Verdict
from mockserver.contract.profiles import Profile
from mockserver.engine.spec import ApiSpec
from mockserver.engine.validation import check_response

PART = "fuzzing"
_INDEX = re.compile(r"\[[0-9]+\]")
_NOT_AVAILABLE = re.compile(r"Not available with\s*:\s*`([^`]+)`")

# What each kind of schemathesis failure means, in the words of the drift summary.
KINDS = {
    "ServerError": "server error",
    "UndefinedStatusCode": "undocumented status",
    "JsonSchemaError": "schema mismatch",
    "MissingHeaders": "missing header",
    "MissingContentType": "content type",
    "MalformedMediaType": "content type",
    "UndefinedContentType": "content type",
    "AcceptedNegativeData": "accepts invalid input",
    "RejectedPositiveData": "refuses valid input",
    "IgnoredAuth": "accepts invalid credentials",
    "UseAfterFree": "deleted record still served",
    "EnsureResourceAvailability": "created record not found",
    "MissingRequiredHeader": "accepts a request without a required header",
    "UnsupportedMethodResponse": "unsupported method not refused",
    "MissingAllowHeader": "missing header",
    "native_error_body": "error shape",
    "no_body_on_no_content": "body on an empty answer",
}


@dataclass(frozen=True)
class FuzzOptions:
    max_examples: int = 25
    time_budget: int | None = None  # seconds for the generated phases; None: until max_examples
    seed: int | None = None
    workers: int = 1
    request_timeout: float = 30.0
    extra_headers: tuple[tuple[str, str], ...] = ()
    # Writes change and delete only records the run created (False: a disposable account).
    protect_existing: bool = True


def run_fuzzing(
    profile: Profile,
    spec: ApiSpec,
    base_url: str,
    api_key: str,
    verdict: Verdict,
    options: FuzzOptions,
    *,
    allow_writes: bool,
    work_dir: Path,
    ledger: Path | None,
    echo: Callable[[str], None] | None = None,
) -> int:
    """Run schemathesis and add what it found to the verdict; returns its exit status."""
    work_dir = work_dir.resolve()  # schemathesis runs in another directory
    work_dir.mkdir(parents=True, exist_ok=True)
    config = work_dir / "schemathesis.toml"
    config.write_text(_config(profile, allow_writes=allow_writes), encoding="utf-8")
    events = work_dir / "schemathesis-events.ndjson"
    events.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "run",
        str(profile.spec),
        "--url",
        base_url.rstrip("/"),
        *_headers(profile, api_key, options),
        "--checks",
        "all",
        *(["--exclude-checks", ",".join(profile.excluded_checks)] if profile.excluded_checks else []),
        *([] if allow_writes else ["--include-method", "GET"]),
        "--max-examples",
        str(options.max_examples),
        *(["--max-time", str(options.time_budget)] if options.time_budget else []),
        *(["--seed", str(options.seed)] if options.seed is not None else []),
        # One worker by default: hypothesis' lambda descriptions are not thread-safe.
        "--workers",
        str(options.workers),
        "--rate-limit",
        "auto",  # waits as a 429's Retry-After says
        "--request-timeout",
        str(options.request_timeout),
        "--no-color",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(events),
    ]
    environment = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": hooks.__name__,
        hooks.PROVIDER_VARIABLE: profile.name,
        "NO_PROXY": _host(base_url),
    }
    environment.pop(hooks.LEDGER_VARIABLE, None)
    environment.pop(hooks.READ_ONLY_VARIABLE, None)
    environment.pop(hooks.PROTECT_VARIABLE, None)
    if allow_writes and options.protect_existing:
        environment[hooks.PROTECT_VARIABLE] = "1"
    if allow_writes and ledger is not None:
        environment[hooks.LEDGER_VARIABLE] = str(ledger)
    if not allow_writes:
        environment[hooks.READ_ONLY_VARIABLE] = "1"
    # Popen as a context manager closes the pipe of schemathesis' output once it has ended.
    with (
        open(work_dir / "schemathesis.log", "w", encoding="utf-8") as log,
        subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment, cwd=tempfile.gettempdir()
        ) as process,
    ):
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            if echo is not None:
                echo(line.rstrip("\n"))
        status = process.wait()
    operations = _read_events(events, spec, verdict, profile)
    verdict.checked[PART] = sorted(operations)
    if not operations:
        verdict.incomplete.append(f"schemathesis tested no operation (exit status {status}); see {work_dir / 'schemathesis.log'}")
    return status


def _config(profile: Profile, *, allow_writes: bool) -> str:
    statuses = ["2xx", "401", "403", *profile.business_rule_statuses, "429"]
    lines = [
        "# Written by `mockserver contract` for one run.",
        "[cache]",
        "enabled = false",
        "",
        "# No example database: a run depends on its seed alone and leaves nothing behind.",
        "[generation]",
        'database = "none"',
        "",
        "# Business rules refuse some requests the schema calls valid; that is not drift.",
        "[checks.positive_data_acceptance]",
        f"expected-statuses = {json.dumps(sorted(set(statuses), key=statuses.index))}",
    ]
    if not allow_writes:
        # Probing undocumented methods would send DELETE, POST... to a live account.
        lines += ["", "[phases.coverage]", "unexpected-methods = []"]
    return "\n".join(lines) + "\n"


def _headers(profile: Profile, api_key: str, options: FuzzOptions) -> list[str]:
    headers = {**profile.headers(api_key), **dict(options.extra_headers)}
    return [item for name, value in headers.items() for item in ("--header", f"{name}: {value}")]


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def _read_events(path: Path, spec: ApiSpec, verdict: Verdict, profile: Profile) -> set[str]:
    """Findings from the NDJSON stream; returns the operations tested."""
    tested: set[str] = set()
    if not path.is_file():
        return tested
    for event in _events(path):
        kind, data = next(iter(event.items()))
        if kind == "ScenarioFinished":
            recorder = data.get("recorder") or {}
            label = recorder.get("label", "")
            if label and not label.startswith(("Stateful", "->")):
                tested.add(label)
            interactions = recorder.get("interactions") or {}
            for case_id, checks in (recorder.get("checks") or {}).items():
                for check in checks:
                    if check.get("status") == "failure":
                        failure = check["failure_info"]["failure"]
                        if _missed_by(failure) in profile.not_found_is_not_missing:
                            continue
                        verdict.add(_finding(check["name"], failure, interactions.get(failure.get("case_id") or case_id), spec))
        elif kind == "NonFatalError":
            info = data.get("info") or {}
            title = info.get("title") or "error"
            message = (info.get("message") or "").strip().splitlines()
            verdict.notes.append(
                f"schemathesis error in {data.get('label', 'the run')}: {title}: {message[0] if message else ''}"
            )
    return tested


def _missed_by(failure: dict[str, Any]) -> str | None:
    """The operation that answered 404 for a record just created (ensure_resource_availability)."""
    found = _NOT_AVAILABLE.search(failure.get("message") or "")
    return failure.get("not_available_with") or (found.group(1) if found else None)


def _events(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as file:
        for line in file:
            if line.strip():
                yield json.loads(line)


def _finding(check: str, failure: dict[str, Any], interaction: dict[str, Any] | None, spec: ApiSpec) -> Finding:
    kind = KINDS.get(failure.get("type", ""), KINDS.get(check, failure.get("title", check).lower()))
    message = (failure.get("message") or failure.get("title") or "").strip()
    detail, key = _one_line(message), ""
    if failure.get("type") == "JsonSchemaError" and interaction is not None:
        detail, key = _schema_detail(failure["operation"], interaction, spec) or (detail, "")
    return Finding(PART, failure.get("operation", ""), kind, detail, _evidence(message, interaction), key)


def _one_line(message: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if not lines:
        return ""
    items = [line[2:].strip("`") for line in lines[1:] if line.startswith("- ")]
    if items:  # "The following required headers are missing: - `A` - `B`"
        return f"{lines[0].rstrip(':')}: {', '.join(items)}"
    if lines[-1].startswith("Not available with"):  # a created record: which later request missed it
        return f"{lines[0]} {lines[-1].replace(' :', ':').replace('`', '')}"
    # "Received: 410 / Documented: 200, 404" reads best on one line.
    return "; ".join(lines[:2]) if len(lines[0]) < 40 and len(lines) > 1 else lines[0]


def _schema_detail(label: str, interaction: dict[str, Any], spec: ApiSpec) -> tuple[str, str] | None:
    """The same response checked by the engine, which names the JSON path that is wrong; and
    a key that is the same for every response wrong in the same places."""
    method, _, path = label.partition(" ")
    operation = next((op for op in spec.operations if op.method == method and op.path == path), None)
    response = interaction.get("response")
    if operation is None or not response:
        return None
    headers = {name: values[0] for name, values in (response.get("headers") or {}).items() if values}
    content = _content(response.get("content"))
    try:
        body = json.loads(content) if content else None
    except ValueError:
        return None
    media = next((value for name, value in headers.items() if name.lower() == "content-type"), None)
    status = int(response["status_code"])
    by_place: dict[str, str] = {}
    for problem in check_response(operation.response_for(status), media, body, headers):
        place = _INDEX.sub("[*]", problem.split(":", 1)[0])  # items[0].id and items[7].id are one place
        by_place.setdefault(place, problem)
    if not by_place:
        return None
    shown = list(by_place.values())[:3]
    more = f" (and {len(by_place) - 3} more)" if len(by_place) > 3 else ""
    return f"{status} response: " + "; ".join(shown) + more, f"{status} " + " ".join(sorted(by_place))


def _content(content: Any) -> bytes:
    if isinstance(content, dict) and "$base64" in content:
        return base64.b64decode(content["$base64"])
    if isinstance(content, str):
        return content.encode("utf-8")
    return b""


def _evidence(message: str, interaction: dict[str, Any] | None) -> str:
    lines = [message]
    if interaction is not None:
        request = interaction.get("request") or {}
        response = interaction.get("response") or {}
        lines.append(f"request: {request.get('method')} {request.get('uri')}")
        if response:
            body = _content(response.get("content"))[:500].decode("utf-8", "replace")
            lines.append(f"response: {response.get('status_code')} {body}")
    return "\n".join(lines)
