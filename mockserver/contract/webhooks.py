"""The webhook scenario: subscribe a local receiver through the provider's own API, make the
changes whose events the provider promises, and check that each delivery arrives in time,
signed with the subscription's secret, with the payload the spec's `webhooks:` describes.
Everything it creates is deleted afterwards, also when a step fails."""

from __future__ import annotations

import ipaddress
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from mockserver.contract.client import ContractClient
from mockserver.contract.findings import Finding, Verdict
from mockserver.contract.receiver import Delivery, Receiver
from mockserver.engine.spec import ApiSpec, ResponseSpec
from mockserver.engine.validation import check_response

PART = "webhooks"
# Contacts need a domain that receives mail (Systeme checks its MX record); a public
# disposable-inbox domain, so that no real person's mailbox is named.
EMAIL_DOMAIN = "mailinator.com"


@dataclass(frozen=True)
class ReceiverOptions:
    listen_host: str = "127.0.0.1"
    listen_port: int = 0
    public_url: str | None = None  # the URL the provider must call; default: the local listener's URL
    wait: float = 20.0  # seconds to wait for each expected delivery


@dataclass(frozen=True)
class Expected:
    event: str
    cause: str  # the call that fires it, as the spec names it: "POST /api/contacts"
    about: Callable[[Any], bool]  # whether a delivery's payload is about this run's records
    since: float  # when the call was made (monotonic)

    @property
    def label(self) -> str:
        return f"{self.cause} -> {self.event}"


class StepFailed(Exception):
    def __init__(self, operation: str, detail: str, evidence: str) -> None:
        super().__init__(detail)
        self.operation, self.detail, self.evidence = operation, detail, evidence


class Run:
    """One scenario's API calls: each checked for its status, each record made remembered so
    that it can be deleted afterwards."""

    def __init__(self, client: ContractClient, target: str) -> None:
        self.client, self.target = client, target
        self.name = f"mockserver-contract-{uuid.uuid4().hex[:12]}"  # unique, so a live account never collides
        self.email = f"{self.name}@{EMAIL_DOMAIN}"
        self.secret = uuid.uuid4().hex
        self.expected: list[Expected] = []
        self.created: list[tuple[str, str]] = []  # (spec operation, path) to DELETE, oldest first
        self.notes: list[str] = []

    def call(self, method: str, spec_path: str, ids: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        path = spec_path.format(**(ids or {}))
        response = self.client.request(method, path, **kwargs)
        if response.status_code >= 300:
            detail = f"answered {response.status_code}: {response.text[:200]}"
            raise StepFailed(f"{method} {spec_path}", detail, f"{method} {response.url}")
        return response.json() if response.content else None

    def made(self, spec_path: str, ids: Mapping[str, Any]) -> None:
        self.created.append((f"DELETE {spec_path}", spec_path.format(**ids)))

    def gone(self, spec_path: str, ids: Mapping[str, Any]) -> None:
        """The scenario deleted this record itself."""
        self.created = [item for item in self.created if item[1] != spec_path.format(**ids)]

    def expect(self, event: str, cause: str, about: Callable[[Any], bool]) -> None:
        self.expected.append(Expected(event, cause, about, time.monotonic()))

    def clean_up(self, verdict: Verdict) -> None:
        # The subscription (made first) goes first, so deleting the rest sends nothing to a
        # receiver about to stop; then the records, newest first.
        for operation, path in self.created[:1] + self.created[:0:-1]:
            try:
                status = self.client.request("DELETE", path).status_code
            except requests.RequestException as exc:
                status, detail = 0, f"{type(exc).__name__}: {exc}"
            else:
                detail = f"answered {status}"
            if status not in (200, 202, 204, 404):  # 404: already gone
                left = f"{path} is left behind: {detail}"
                verdict.add(Finding("cleanup", operation, "left behind", left, f"DELETE {self.client.url(path)}"))


def at(payload: Any, *keys: str) -> Any:
    for key in keys:
        payload = payload.get(key) if isinstance(payload, dict) else None
    return payload


def has(members: Mapping[tuple[str, ...], Any]) -> Callable[[Any], bool]:
    """A test of a payload: the members at these paths have these values."""
    return lambda payload: all(at(payload, *path) == value for path, value in members.items())


def check_webhooks(client: ContractClient, spec: ApiSpec, verdict: Verdict, options: ReceiverOptions) -> None:
    title = client.profile.title
    scenario, event_of = client.profile.webhook_scenario, client.profile.webhook_event
    if not spec.webhooks or scenario is None or event_of is None:
        verdict.notes.append(f"webhooks not checked: {title} sends none")
        return
    if not client.allow_writes:
        verdict.notes.append("webhooks not checked: they need --allow-writes")
        return
    if options.public_url is None and not _is_loopback(client.base_url):
        verdict.notes.append("webhooks not checked: give --webhook-url, a public URL that reaches --webhook-listen")
        return
    try:
        receiver = Receiver(options.listen_host, options.listen_port).start()
    except OSError as exc:
        verdict.notes.append(f"webhooks not checked: cannot listen on {options.listen_host}:{options.listen_port} ({exc})")
        return
    run = Run(client, options.public_url or f"{receiver.url}/{uuid.uuid4().hex}")
    try:
        try:
            scenario(run)
        except StepFailed as failed:
            verdict.add(
                Finding(PART, failed.operation, "step failed", f"the webhook scenario stopped: {failed.detail}", failed.evidence)
            )
        except (requests.RequestException, ValueError, LookupError, TypeError) as exc:  # unreachable, or bodies unlike the spec
            verdict.add(
                Finding(PART, "webhook scenario", "step failed", f"the webhook scenario stopped: {type(exc).__name__}: {exc}")
            )
        _check_deliveries(run, receiver, spec, verdict, options, event_of)
    finally:
        run.clean_up(verdict)
        receiver.stop()
        verdict.notes.extend(run.notes)


def _check_deliveries(
    run: Run, receiver: Receiver, spec: ApiSpec, verdict: Verdict, options: ReceiverOptions, event_of: Callable[[Delivery], Any]
) -> None:
    checked = verdict.checked.setdefault(PART, [])
    taken: set[int] = set()
    for expected in run.expected:
        checked.append(expected.label)

        def matches(delivery: Delivery, expected: Expected = expected) -> bool:
            return event_of(delivery) == expected.event and expected.about(delivery.payload)

        delivery = receiver.wait_for(matches, expected.since + options.wait, taken)
        if delivery is None:
            seen = sorted({str(event_of(d)) for d in receiver.deliveries})
            detail = f"no {expected.event} delivery within {options.wait:g} s of {expected.cause}"
            evidence = f"subscribed {run.target}; events received: {', '.join(seen) or 'none'}"
            verdict.add(Finding(PART, expected.label, "webhook not delivered", detail, evidence))
            continue
        evidence = f"POST {delivery.path} {delivery.body[:300].decode('utf-8', 'replace')}"
        for kind, detail in _problems(delivery, expected.event, spec, run):
            verdict.add(Finding(PART, expected.label, kind, detail, evidence))


def _problems(delivery: Delivery, event: str, spec: ApiSpec, run: Run) -> list[tuple[str, str]]:
    """(kind, detail) of what is wrong with a delivery: its signature, headers, payload."""
    profile = run.client.profile
    problems = []
    if profile.signature_check is not None and not profile.signature_check(delivery.body, delivery.headers, run.secret):
        given = _header(delivery.headers, profile.signature_header or "")
        problems.append(("bad signature", f"{profile.signature_header} {given!r} does not sign the body with the secret"))
    problems += [
        ("missing header", f"the delivery has no {name}")
        for name in _required_headers(spec, event)
        if _header(delivery.headers, name) is None
    ]
    validator = spec.webhooks.get(event)
    if delivery.payload is None:
        problems.append(("payload mismatch", "the body is not JSON"))
    elif validator is not None:
        found = check_response(ResponseSpec({"application/json": validator}, ()), "application/json", delivery.payload, {})
        problems += [("payload mismatch", problem.replace("body ", "payload ", 1)) for problem in found]
    return problems


def _required_headers(spec: ApiSpec, event: str) -> list[str]:
    """Headers the spec's `webhooks:` entry says every delivery of the event carries."""
    parameters = at(spec.document, "webhooks", event, "post", "parameters") or []
    return [p["name"] for p in parameters if isinstance(p, dict) and p.get("in") == "header" and p.get("required")]


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name.lower()), None)


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
