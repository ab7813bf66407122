"""One contract run: reach the server, walk its lists, let schemathesis generate requests,
check the webhooks it promises, clean up what was created, and write the verdict."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

from mockserver.contract.cleanup import clean_up
from mockserver.contract.client import ContractClient
from mockserver.contract.findings import Verdict
from mockserver.contract.fuzz import FuzzOptions, run_fuzzing
from mockserver.contract.paging import walk_lists
from mockserver.contract.profiles import profile_named
from mockserver.contract.webhooks import ReceiverOptions, check_webhooks
from mockserver.engine.spec import HTTP_METHODS, ApiSpec, load_spec

PARTS = ("paging", "fuzzing", "webhooks")

# Exit statuses of `mockserver contract`.
CONFORMS, DRIFTED, NOT_CHECKED = 0, 1, 2


class CannotCheck(Exception):
    """The run could not start: the server is unreachable or refuses the key."""


@dataclass(frozen=True)
class ContractOptions:
    provider: str
    base_url: str
    api_key: str
    allow_writes: bool = False
    fuzz: FuzzOptions = field(default_factory=FuzzOptions)
    webhooks: ReceiverOptions = field(default_factory=ReceiverOptions)
    max_pages: int = 50
    parts: tuple[str, ...] = PARTS
    work_dir: Path | None = None  # schemathesis' log, its events and the ledger (default: a temporary folder)
    verbose: bool = False  # pass schemathesis' own output on to `progress`


def run_contract(options: ContractOptions, progress: Callable[[str], None] = lambda _: None) -> Verdict:
    profile = profile_named(options.provider)
    spec = load_spec(profile.spec)
    verdict = Verdict(profile.name, profile.title, options.base_url, options.allow_writes)
    client = ContractClient(
        profile,
        options.base_url,
        options.api_key,
        allow_writes=options.allow_writes,
        extra_headers=dict(options.fuzz.extra_headers),
    )
    # Absolute: schemathesis and our hooks run in another directory, and write the ledger here.
    work_dir = (options.work_dir or Path(tempfile.mkdtemp(prefix=f"contract-{profile.name}-"))).resolve()
    ledger = work_dir / "created.ndjson"
    try:
        _probe(client, spec)
        if "paging" in options.parts:
            progress("walking every list page by page...")
            walk_lists(client, spec, verdict, max_pages=options.max_pages)
        if "fuzzing" in options.parts:
            progress(f"generating requests with schemathesis (log: {work_dir / 'schemathesis.log'})...")
            ledger.unlink(missing_ok=True)
            run_fuzzing(
                profile,
                spec,
                options.base_url,
                options.api_key,
                verdict,
                options.fuzz,
                allow_writes=options.allow_writes,
                work_dir=work_dir,
                ledger=ledger,
                echo=progress if options.verbose else None,
            )
            _note_left_out(spec, verdict, options.allow_writes)
        if "webhooks" in options.parts:
            progress("checking the webhooks the API promises...")
            check_webhooks(client, spec, verdict, options.webhooks)
        if options.allow_writes and ledger.is_file():
            progress("deleting what the run created...")
            clean_up(client, spec.document, ledger, verdict)
        if client.rate_limited:
            verdict.notes.append(f"waited out {client.rate_limited} rate-limited answer(s) (429)")
    finally:
        client.close()
    return verdict


def _probe(client: ContractClient, spec: ApiSpec) -> None:
    """One read before anything else, so that a wrong URL or key reads as such, not as drift."""
    operation = next(
        (
            op
            for op in spec.operations
            if op.method == "GET" and "{" not in op.path and not any(p.required for p in op.parameters)
        ),
        None,
    )
    if operation is None:
        return
    try:
        response = client.get(operation.path)
    except requests.RequestException as exc:
        raise CannotCheck(f"cannot reach {client.url(operation.path)}: {exc}") from exc
    if response.status_code in (401, 403):
        raise CannotCheck(
            f"GET {operation.path} answered {response.status_code}: the API key was refused ({response.text[:200]})"
        )
    if response.status_code == 404:  # a list with no path parameters is never "not found"
        raise CannotCheck(f"GET {client.url(operation.path)} answered 404: is the base URL right? ({response.text[:200]})")


def _note_left_out(spec: ApiSpec, verdict: Verdict, allow_writes: bool) -> None:
    visible = [op for op in spec.operations if op.method.lower() in HTTP_METHODS]
    extra = len(spec.operations) - len(visible)
    if not allow_writes:
        writes = sum(1 for op in visible if op.method not in ("GET", "HEAD"))
        verdict.notes.append(f"{writes} write operation(s) not exercised: read-only run (--allow-writes runs them)")
    if extra:
        verdict.notes.append(f"{extra} operation(s) under a method OpenAPI cannot name (x-methods) are left to the other parts")


def write_reports(verdict: Verdict, report: Path) -> None:
    verdict.write_junit(report)
    report.with_suffix(".txt").write_text(verdict.summary(report) + "\n", encoding="utf-8")
