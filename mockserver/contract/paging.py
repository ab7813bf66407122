"""The paging scenario: walk every list of a spec page by page, as an integration syncing an
account would, and report where the pages break the spec or the provider's paging promises
(records twice, a cursor that does not move, next-page signals that lie). Only GETs."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import requests

from mockserver.contract.client import ContractClient
from mockserver.contract.findings import Finding, Verdict
from mockserver.engine.spec import ApiSpec, Operation
from mockserver.engine.validation import check_response

PART = "paging"
# Small pages need fewer records to show paging; each parameter's bounds still apply.
SMALL_PAGE = 10
_LINK_NEXT = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?')


@dataclass(frozen=True)
class Style:
    """How one provider's lists page."""

    cursor: str  # the query parameter that moves to the next page
    size: str | None  # the query parameter that sets the page size
    promise: str | None  # what says more remain: "hasMore" (body), "Pagination-Next" (header); None: a full page
    first: int | None = None  # the cursor on the first page (None: left out)
    offset: bool = False  # the cursor counts records already seen instead of naming the last one
    total: str | None = None  # the body member counting every record


# Told apart by the cursor parameter a list takes (see PROVIDERS.md and the specs).
STYLES = {
    "startingAfter": Style("startingAfter", "limit", "hasMore"),  # Systeme: {items, hasMore}
    "after": Style("after", None, "Pagination-Next"),  # ClickFunnels: bare arrays, Pagination-Next and Link
    "skip": Style("skip", "limit", None, first=0, offset=True, total="totalCount"),  # Simvoly: {totalCount, limit, skip, items}
    "lastId": Style("lastId", "take", None, first=0),  # Yulsn: bare arrays after an id (take on tables)
    "offset": Style("offset", "limit", None, first=0, offset=True, total="total"),  # generic providers: {items, total}
}


def style_of(op: Operation) -> Style | None:
    names = {p.name for p in op.parameters if p.location == "query"}
    return next((style for cursor, style in STYLES.items() if cursor in names), None)


def walk_lists(client: ContractClient, spec: ApiSpec, verdict: Verdict, *, max_pages: int = 50) -> None:
    checked = verdict.checked.setdefault(PART, [])
    values = _PathValues(client, spec)
    lists = [op for op in spec.operations if op.method == "GET" and style_of(op) is not None]
    for op in sorted(lists, key=lambda op: op.path.count("{")):  # lists without ids first: they give the ids
        style = style_of(op)
        assert style is not None
        label = f"{op.method} {op.path}"
        unfilled = [
            p.name for p in op.parameters if p.location != "path" and p.required and p.name not in (style.cursor, style.size)
        ]
        if unfilled:
            verdict.notes.append(f"{label} not walked: no value known for its required {', '.join(unfilled)}")
            continue
        path, missing = values.fill(op)
        if path is None:
            verdict.notes.append(f"{label} not walked: no record to take {missing} from")
            continue
        _Walk(client, verdict, op, path, style, max_pages).run()
        checked.append(label)


def first_query(op: Operation, style: Style, size: int | None) -> dict[str, Any]:
    query: dict[str, Any] = {style.size: size} if style.size and size is not None and _param(op, style.size) else {}
    if style.first is not None:
        query[style.cursor] = style.first
    return query


def page_size(op: Operation, style: Style, hint: Any) -> tuple[int | None, bool]:
    """The page size to ask for (or the provider's own), and whether the run asked for it."""
    param = _param(op, style.size) if style.size else None
    if param is not None:
        bounds = param.validator.schema if isinstance(param.validator.schema, dict) else {}
        return min(max(SMALL_PAGE, int(bounds.get("minimum", 1))), int(bounds.get("maximum", SMALL_PAGE))), True
    media = op.responses["200"].media if "200" in op.responses else {}
    schema = next((v.schema for v in media.values() if v is not None), None)
    if isinstance(schema, dict) and isinstance(schema.get("maxItems"), int):
        return int(schema["maxItems"]), False  # the response schema holds pages to it already
    return (int(hint), True) if isinstance(hint, int) else (None, False)


def records_of(body: Any) -> list[Any] | None:
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return list(body["items"])
    return list(body) if isinstance(body, list) else None


def record_id(record: Any, name: str = "id") -> Any:
    """A record's id (its `id` member in any case), or None."""
    if isinstance(record, dict):
        return next((value for key, value in record.items() if key.lower() == name.lower()), None)
    return None


def kind_of(problem: str) -> str:
    """A short, stable kind for a problem `check_response` names."""
    if problem.startswith("the status code"):
        return "undocumented status"
    if problem.startswith("header "):
        return "missing header" if problem.endswith("is missing") else "wrong header"
    return "wrong type" if "is not of type" in problem else "schema mismatch"


class _Walk:
    def __init__(self, client: ContractClient, verdict: Verdict, op: Operation, path: str, style: Style, max_pages: int) -> None:
        self.client, self.verdict, self.op, self.path, self.style = client, verdict, op, path, style
        self.max_pages = max_pages
        self.label = f"{op.method} {op.path}"
        self.size, self.size_asked = page_size(op, style, client.profile.extra.get("page_size"))
        self.seen: set[str] = set()
        self.walked = 0
        self.totals: set[Any] = set()  # every total count the pages gave

    def report(self, kind: str, detail: str, evidence: str, *, key: str = "") -> None:
        """Findings with the same `key` (by default the detail) are one drift, however many pages show it."""
        self.verdict.add(Finding(PART, self.label, kind, detail, evidence, key=key))

    def run(self) -> None:
        style = self.style
        query = first_query(self.op, style, self.size)
        said: bool | None = None  # what the previous page said of this one: it has records (True), none (False)
        cursors: set[str] = set()
        for number in range(1, self.max_pages + 1):
            page = self.fetch(query)
            if page is None:
                return
            records, body, response = page
            evidence = f"GET {response.url} -> {response.status_code}"
            where = f"{style.cursor}={query.get(style.cursor)}"
            if not self.as_said(said, records, where, evidence):
                return
            if not self.new_records(records, f"page {number} ({where})", evidence):
                return
            self.check_counts(records, body, evidence)
            more = self.says_more(records, body, response, evidence)
            if not records:
                break
            cursor = str(self.walked) if style.offset else _text(record_id(records[-1]))
            if cursor == "" or cursor in cursors:
                problem = (
                    "records carry no id to page from"
                    if cursor == ""
                    else f"the cursor does not advance ({style.cursor}={cursor} again)"
                )
                self.report("broken paging", problem, evidence)
                return
            cursors.add(cursor)
            full = self.size is None or len(records) >= self.size
            # Ask on while the page says more remain; after a full page; and, to see that the
            # "last" page really is, after Systeme's every page and ClickFunnels' full pages.
            if not (more or full or (more is False and style.promise == "hasMore")):
                break
            said, query = more, {**query, style.cursor: cursor}
        else:
            self.verdict.notes.append(f"{self.label}: walked partly, stopped after {self.max_pages} pages")
            return
        total = next(iter(self.totals)) if len(self.totals) == 1 else None
        if isinstance(total, int) and total != self.walked:
            detail = f"{style.total} is {total} but the pages held {self.walked} records"
            self.report("broken paging", detail, f"GET {self.client.url(self.path)}")

    def as_said(self, said: bool | None, records: list[Any], where: str, evidence: str) -> bool:
        """Whether the page is what the previous one said (False: stop the walk)."""
        if said is True and not records:
            self.report("broken paging", f"{self.style.promise} said more records remain, but {where} gives none", evidence)
            return False
        if said is False and records:
            if self.style.promise == "Pagination-Next":
                detail = f"no Pagination-Next or Link on a full page, but {where} gives {len(records)} more records"
                self.report("missing header", detail, evidence, key="no next-page headers")
            else:
                detail = f"{self.style.promise} is false, but {where} gives {len(records)} more records"
                self.report("broken paging", detail, evidence, key="more after the last page")
        return True

    def check_counts(self, records: list[Any], body: Any, evidence: str) -> None:
        if self.size_asked and self.size is not None and len(records) > self.size:
            self.report("broken paging", f"a page of {len(records)} records where at most {self.size} were asked for", evidence)
        if self.style.total and isinstance(body, dict):
            self.totals.add(body.get(self.style.total))
            if len(self.totals) > 1:
                detail = f"{self.style.total} changes from page to page: {sorted(map(str, self.totals))}"
                self.report("broken paging", detail, evidence, key="total changes")

    def fetch(self, query: dict[str, Any]) -> tuple[list[Any], Any, requests.Response] | None:
        response = self.client.get(self.path, params=query)
        body: Any = None
        if response.content:
            try:
                body = response.json()
            except ValueError:
                body = response.text
        evidence = f"GET {response.url} -> {response.status_code}: {_excerpt(body)}"
        problems = check_response(
            self.op.response_for(response.status_code), response.headers.get("Content-Type"), body, response.headers
        )
        for problem in problems:
            location = re.sub(r"\[\d+\]", "[]", problem.split(":", 1)[0])  # items[0].id and items[1].id: one finding
            self.report(kind_of(problem), problem, evidence, key=location)
        records = records_of(body)
        if response.status_code != 200 or records is None:
            if not problems:
                self.verdict.notes.append(f"{self.label} not walked: {evidence}")
            return None
        return records, body, response

    def new_records(self, records: list[Any], page: str, evidence: str) -> bool:
        """Count the page's records; False (and a finding) when one was on an earlier page."""
        for record in records:
            found = record_id(record)
            ident = json.dumps(record if found is None else found, sort_keys=True, default=str)
            if ident in self.seen:
                self.report("broken paging", f"record id {ident} appears again on {page}", evidence)
                return False
            self.seen.add(ident)
        self.walked += len(records)
        return True

    def says_more(self, records: list[Any], body: Any, response: requests.Response, evidence: str) -> bool | None:
        """What the page says about more records (None: nothing); checks the ClickFunnels headers."""
        if self.style.promise == "hasMore":
            return bool(body.get("hasMore")) if isinstance(body, dict) else None
        if self.style.promise != "Pagination-Next":
            return None
        given, link = response.headers.get("Pagination-Next"), response.headers.get("Link")
        if given is None and link is None:
            return False
        last = _text(record_id(records[-1])) if records else ""
        if given is None or link is None:
            self.report(
                "missing header", f"{'Link' if link is None else 'Pagination-Next'} is missing beside the other", evidence
            )
        if given is not None and given != last:
            self.report(
                "wrong header", f"Pagination-Next is {given!r}, not the page's last id {last!r}", evidence, key="Pagination-Next"
            )
        if link is not None:
            match = _LINK_NEXT.search(link)
            target = urlsplit(match.group(1)) if match else None
            if target is None or parse_qs(target.query).get("after") != [last] or not target.path.endswith(self.path):
                self.report("wrong header", f'Link is {link!r}, not <{self.path}?after={last}>; rel="next"', evidence, key="Link")
        return True


class _PathValues:
    """Ids for list paths (`/teams/{team_id}/workspaces`), from the first record of the list
    the segment before the id names (`/teams`), or of the list a profile hint names."""

    def __init__(self, client: ContractClient, spec: ApiSpec) -> None:
        self.client, self.spec = client, spec
        self.hints: dict[str, Any] = client.profile.extra.get("path_values", {})
        self.found: dict[tuple[str, str], str | None] = {}

    def fill(self, op: Operation, depth: int = 0) -> tuple[str | None, str]:
        """The path with its ids filled in, or None and the parameter nothing could fill."""
        path = op.path
        for name in re.findall(r"\{([^}]+)\}", op.path):
            value = self.value(op.path, name, depth) if depth < 4 else None
            if value is None:
                return None, name
            path = path.replace("{" + name + "}", quote(value, safe=""))
        return path, ""

    def value(self, path: str, name: str, depth: int) -> str | None:
        collection = path.split("/{" + name + "}", maxsplit=1)[0].rsplit("/", 1)[-1].lower()
        key = (collection, name)
        if key not in self.found:
            self.found[key] = None  # a list whose path needs itself gives nothing
            self.found[key] = self.lookup(collection, name, depth)
        return self.found[key]

    def lookup(self, collection: str, name: str, depth: int) -> str | None:
        hint = self.hints.get(name)
        source_path, field = (hint[0], hint[1]) if hint else (None, "id")
        sources = [
            op
            for op in self.spec.operations
            if op.method == "GET"
            and (op.path == source_path or (hint is None and op.path.rsplit("/", 1)[-1].lower() == collection))
        ]
        for source in sorted(sources, key=lambda op: op.path.count("{")):
            path, _ = self.fill(source, depth + 1)
            style = style_of(source)
            query = first_query(source, style, page_size(source, style, None)[0]) if style else {}
            found = self.first_page(path, query) if path else None
            value = next((record_id(r, field) for r in found or [] if record_id(r, field) is not None), None)
            if value is not None:
                return _text(value)
        return None

    def first_page(self, path: str, query: dict[str, Any]) -> list[Any] | None:
        response = self.client.get(path, params=query)
        try:
            return records_of(response.json()) if response.status_code == 200 else None
        except ValueError:
            return None


def _param(op: Operation, name: str) -> Any:
    return next((p for p in op.parameters if p.name == name and p.location == "query"), None)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _excerpt(body: Any, limit: int = 160) -> str:
    text = body if isinstance(body, str) else json.dumps(body, default=str)
    return text if len(text) <= limit else text[:limit] + "..."
