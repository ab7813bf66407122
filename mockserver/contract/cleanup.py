"""Deleting what a run that may write created: every successful write schemathesis sent is in
the ledger (hooks.py); the spec's links from that operation to a DELETE operation say how to
delete what it made. Records the API cannot delete are listed, so a person can."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from mockserver.contract.client import ContractClient
from mockserver.contract.findings import Verdict

MISSING = object()


@dataclass
class CleanupReport:
    deleted: int = 0
    already_gone: int = 0
    failed: list[str] = field(default_factory=list)
    left_behind: Counter[str] = field(default_factory=Counter)  # operationId -> records with no way to delete


def clean_up(client: ContractClient, document: dict[str, Any], ledger: Path, verdict: Verdict) -> CleanupReport:
    """Delete, newest first, every record the ledger says was created; notes say what was left."""
    report = CleanupReport()
    if not ledger.is_file():
        return report
    operations = _operations(document)
    entries = [json.loads(line) for line in ledger.read_text(encoding="utf-8").splitlines() if line.strip()]
    done: set[str] = set()
    for entry in reversed(entries):
        found = operations.get(entry.get("operationId") or "")
        if found is None:
            continue
        links, made_something = _links(document, found[2], entry["status"], operations)
        if not links:
            # A 201, or an answer the spec links onwards, made a record; other writes are actions.
            if entry["method"] == "POST" and (entry["status"] == 201 or made_something):
                report.left_behind[entry["operationId"]] += 1
            continue
        for target_path, parameters in links:
            path = _fill(target_path, parameters, entry)
            if path is None or path in done:
                continue
            done.add(path)
            response = client.request("DELETE", path)
            if response.status_code in (404, 410):
                report.already_gone += 1
            elif response.ok:
                report.deleted += 1
            else:
                report.failed.append(f"DELETE {path} -> {response.status_code}")
    _note(report, verdict)
    return report


def _note(report: CleanupReport, verdict: Verdict) -> None:
    verdict.notes.append(f"clean-up: deleted {report.deleted} record(s) the run created ({report.already_gone} already gone)")
    if report.failed:
        verdict.notes.append(f"clean-up: {len(report.failed)} delete(s) failed: {'; '.join(report.failed[:5])}")
    if report.left_behind:
        made = ", ".join(f"{name} x{count}" for name, count in sorted(report.left_behind.items()))
        verdict.notes.append(f"clean-up: the API has no delete for records made by {made}; they are still there")


def _operations(document: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId -> (method, path, operation)."""
    found: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for path, item in document.get("paths", {}).items():
        methods = {**{m: op for m, op in item.items() if isinstance(op, dict)}, **(item.get("x-methods") or {})}
        for method, operation in methods.items():
            if isinstance(operation, dict) and "operationId" in operation:
                found[operation["operationId"]] = (method.upper(), path, operation)
    return found


def _links(
    document: dict[str, Any], operation: dict[str, Any], status: int, operations: dict[str, tuple[str, str, dict[str, Any]]]
) -> tuple[list[tuple[str, dict[str, Any]]], bool]:
    """The DELETE operations the answer links to (path, parameters), and whether it links anywhere."""
    response = operation.get("responses", {}).get(str(status)) or {}
    while "$ref" in response:
        response = _pointer(document, response["$ref"].lstrip("#"))
    links = (response.get("links") or {}).values()
    deletes = []
    for link in links:
        target = operations.get(link.get("operationId", ""))
        if target is not None and target[0] == "DELETE":
            deletes.append((target[1], link.get("parameters") or {}))
    return deletes, bool(links)


def _fill(template: str, parameters: dict[str, Any], entry: dict[str, Any]) -> str | None:
    path = template
    for name, expression in parameters.items():
        value = _evaluate(expression, entry)
        if value is MISSING or value is None:
            return None
        path = path.replace("{" + name.split(".")[-1] + "}", quote(str(value), safe=""))
    return None if "{" in path else path


def _evaluate(expression: Any, entry: dict[str, Any]) -> Any:
    """An OpenAPI runtime expression over a ledger entry ($response.body#/id, $request.path.id...)."""
    if not isinstance(expression, str) or not expression.startswith("$"):
        return expression
    source, _, pointer = expression.partition("#")
    if source == "$response.body":
        return _pointer(entry.get("response"), pointer)
    if source == "$request.body":
        return _pointer(entry.get("body"), pointer)
    for prefix, key in (("$request.path.", "pathParameters"), ("$request.query.", "query")):
        if source.startswith(prefix):
            return (entry.get(key) or {}).get(source[len(prefix) :], MISSING)
    return MISSING


def _pointer(value: Any, pointer: str) -> Any:
    for part in [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
    return value
