"""Bad input, for every operation of every provider's spec (read here, so that an operation or
a provider added is covered without editing this file). Whatever is wrong with a request, the
answer is the provider's native refusal - its status, its error body (the contract profile's
`error_body` and the shape tests/providers/bad_input_cases.py gives), its media type - and
never a 5xx.

Requests are made on a world: an account holding a record for every path parameter, so
that a refusal comes from what the test spoils, not from a record missing. The shared world
of each provider gets only refusals and reads, which must leave it unchanged (the last
test); accepted requests run on a world of their operation's own.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple
from urllib.parse import unquote

import jsonschema
import pytest
import requests

from mockserver.contract.profiles import profile_named
from mockserver.engine.provider import Provider
from mockserver.testing import ApiSession, Emulator
from tests.providers.bad_input_cases import ACCEPTED, XFAIL, Facts, Refusal, Special, World, facts_of
from tests.spec_tools import EXTENSION, MEGABYTE, METHODS, MISSING, Operation, Spec, Where, dotted, fits, names_of, send
from tests.support import NO_USER_AGENT, STRICT_SETTINGS, providers_under_test, unregistered_key

PROVIDERS = {provider.name: provider for provider in providers_under_test()}
FACTS = {name: facts_of(provider) for name, provider in PROVIDERS.items()}
SPECS = {name: Spec.read(provider.spec_file) for name, provider in PROVIDERS.items()}
OPERATIONS = {name: spec.operations() for name, spec in SPECS.items()}
READS = ("GET", "SEARCH")  # methods that change nothing
# Each provider's native error body, as a validator built once (jsonschema.validate would check
# the schema itself again at each of the matrix's fifteen thousand refusals).
ERROR_BODY = {name: jsonschema.Draft202012Validator(profile_named(name).error_body) for name in PROVIDERS}


class Case(NamedTuple):
    """One generated request: a provider's operation (or path), and what is wrong with it."""

    provider: str
    op: Operation | None
    label: str = ""
    value: Any = None

    @property
    def id(self) -> str:
        parts = [self.provider, str(self.op or ""), self.label]
        return "-".join(part for part in parts if part)[:150]

    @property
    def facts(self) -> Facts:
        return FACTS[self.provider]


def params(test: str, cases: Iterable[Case]) -> list[Any]:
    """pytest params of `cases`, a case the emulator is known to get wrong marked xfail (strict)."""
    found = []
    for case in cases:
        reason = XFAIL.get((test, case.id))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        found.append(pytest.param(case, id=case.id, marks=marks))
    return found


def every_operation(select: Callable[[Operation], bool] = lambda op: True) -> Iterator[tuple[str, Operation]]:
    for name, operations in OPERATIONS.items():
        yield from ((name, op) for op in operations if select(op))


def every_method(spec: Spec) -> list[str]:
    """OpenAPI's methods, and those the spec declares under its extension key (SEARCH)."""
    return sorted({m.upper() for m in METHODS} | {m for path in spec["paths"] for m in spec.methods(path)})


def with_body(op: Operation) -> bool:
    return op.body_schema is not None


# -- checking ------------------------------------------------------------------------------------
def fill(template: Any, context: dict[str, str]) -> Any:
    """A body or message template with the case's "{field}", "{path}"... put in."""
    if isinstance(template, str):
        for key, value in context.items():
            template = template.replace("{" + key + "}", value)
        return template
    if isinstance(template, dict):
        return {key: fill(value, context) for key, value in template.items()}
    return template


def names(place: str, name: str) -> bool:
    """Whether an error's text names a field or parameter: as a word of it, ignoring case."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", place, re.IGNORECASE) is not None


def assert_refused(
    response: requests.Response,
    provider: str,
    expect: Refusal,
    fields: Iterable[str] = (),
    *,
    only: bool = False,
    **context: str,
) -> None:
    """The provider's refusal: the status, the media type and the native error body; an error
    that `names` the field names every part of `fields` in one place (and, `only`, in each)."""
    facts = FACTS[provider]
    assert response.status_code == expect.status, f"{response.status_code}: {response.text[:500]}"
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    assert media_type == (expect.media_type or facts.error_media_type), response.headers
    assert "internal server error" not in response.text.lower(), "a refusal, not a server error"
    for text in expect.mentions:
        assert fill(text, context).lower() in response.text.lower(), response.text[:500]
    if not media_type.endswith("json"):  # an HTML page (a CDN's), say
        return
    body = response.json()
    ERROR_BODY[provider].validate(body)
    facts.shape(response.status_code, body)
    if expect.body is not None:
        assert body == fill(expect.body, context)
    if expect.message is not None:
        assert body[facts.message_key] == fill(expect.message, context), body
    if expect.names:
        assert_named(facts.places(body), list(fields), only=only, body=body)


def assert_named(places: list[str], fields: list[str], *, only: bool, body: Any) -> None:
    assert places, body
    if fields:
        assert any(all(names(place, name) for name in fields) for place in places), (fields, body)
    if fields and only:
        assert all(names(place, fields[-1]) for place in places), (fields, body)


def assert_never_a_server_error(response: requests.Response, provider: str) -> None:
    """A 2xx, or a 4xx in the native error shape (a 409 may carry a record, as specs say)."""
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    if response.status_code == 409 and FACTS[provider].message_key not in response.json():
        return  # a record, not an error (Yulsn's latest contact, where an update came too late)
    if response.status_code >= 400:
        assert_refused(response, provider, Refusal(response.status_code))


def every(values: Iterable[Any], check: Callable[[Any], object]) -> None:
    """`check` each value (a case is named by its label); fail once, listing every value
    that failed."""
    problems = []
    for value in values:
        try:
            check(value)
        except AssertionError as exc:
            name = value.label if isinstance(value, Case) else repr(value)
            problems.append(name[:120] + f": {exc}"[:600])
    assert not problems, "\n".join(problems)


# -- worlds and clients ---------------------------------------------------------------------------
class Worlds:
    """Each provider's shared world, and the worlds of operations whose requests may be
    accepted (made on first use, kept for the module)."""

    def __init__(self, mockserver: Emulator) -> None:
        self.mockserver = mockserver
        self.made: dict[tuple[str, str], World] = {}
        self.initial: dict[str, Any] = {}
        self.first: dict[str, tuple[bytes, dict[str, Any]]] = {}  # a provider's first world, as built

    def make(self, provider: str) -> World:
        """A new account with the world's records: the first built through the API, every
        later one restored from its snapshot (the same records and ids, at one request)."""
        account = self.mockserver.account(provider)
        client = account.session()
        if provider in self.first:
            snapshot, ids = self.first[provider]
            account.restore(snapshot)
        else:
            ids = FACTS[provider].build(account, client)
            self.first[provider] = (account.snapshot(), ids)
        return World(provider, FACTS[provider], account, client, ids)

    def shared(self, provider: str) -> World:
        if (provider, "") not in self.made:
            self.made[provider, ""] = self.make(provider)
            self.initial[provider] = self.made[provider, ""].state()
        return self.made[provider, ""]

    def own(self, provider: str, op: Operation, purpose: str = "accepted") -> World:
        """The shared world for reads; for anything else, a world of the operation's own (one
        per purpose, so that one test's accepted requests are not another's start)."""
        if op.method in READS and op.operation_id not in FACTS[provider].changing_reads:
            return self.shared(provider)
        key = (provider, f"{op.operation_id} {purpose}")
        if key not in self.made:
            self.made[key] = self.make(provider)
        return self.made[key]

    def close(self) -> None:
        for world in self.made.values():
            world.client.close()


@pytest.fixture(scope="module")
def worlds(mockserver: Emulator) -> Iterator[Worlds]:
    made = Worlds(mockserver)
    yield made
    made.close()


@pytest.fixture(scope="module")
def refusing() -> Iterator[Emulator]:
    """An emulator that refuses keys no account has (the session's makes them an account)."""
    with Emulator.start(**STRICT_SETTINGS, allow_unknown_keys=False) as emulator:
        yield emulator


def keyless_headers(provider: Provider) -> dict[str, str]:
    """The headers the provider's clients send, less the key (a User-Agent where one is needed)."""
    marker = "the-key-itself"
    return {name: value for name, value in provider.client_headers(marker).items() if marker not in value}


Connect = Callable[[Emulator, str, dict[str, str]], ApiSession]


@pytest.fixture
def connect() -> Iterator[Connect]:
    """Clients of a provider sending the given headers only, closed after the test."""
    made: list[ApiSession] = []

    def make(emulator: Emulator, provider: str, headers: dict[str, str]) -> ApiSession:
        made.append(ApiSession(f"{emulator.url}/{provider}", headers))
        return made[-1]

    yield make
    for session in made:
        session.close()


def send_valid(
    world: World, op: Operation, session: ApiSession | None = None, values: dict[str, Any] | None = None
) -> requests.Response:
    """The operation's valid request on the world, with path `values` overridden."""
    query, body = world.request(op)
    return send(session or world.client, op, world.url(op, **(values or {})), body, params=query)


def send_body(world: World, op: Operation, payload: Any, **kwargs: Any) -> requests.Response:
    """`payload` as the body of the operation's otherwise valid request."""
    query, _ = world.request(op)
    return send(world.client, op, world.url(op), payload, params=query, **kwargs)


# -- values that do not fit ------------------------------------------------------------------------
def other_digits(number: Any) -> list[str]:
    """`number` in ARABIC-INDIC, EXTENDED ARABIC-INDIC, DEVANAGARI and FULLWIDTH digits: not an
    integer in a URL."""
    return ["".join(chr(zero + int(d)) for d in str(number)) for zero in (0x0660, 0x06F0, 0x0966, 0xFF10)]


def integer_misfits(schema: dict[str, Any], real: Any) -> dict[str, str]:
    """Path values that are not integer ids, some of them close to a real one, by label."""
    scripts = dict(zip(("arabic", "persian", "devanagari", "fullwidth"), other_digits(real), strict=True))
    values = {
        **{"real.0": f"{real}.0", "real.5": f"{real}.5", "minus-real": f"-{real}", "plus-real": f"+{real}"},
        **{"real-abc": f"{real}abc", "abc": "abc", "zero": "0", "1e3": "1e3", "0x1": "0x1", "space": "%20"},
        **{"above-maximum": str(schema.get("maximum", 2**31 - 1) + 1), "20-digits": "9" * 20, **scripts},
    }
    return {label: value for label, value in values.items() if not fits(schema, unquote(value))}


# Path values that do not fit a string id's pattern, format or length, for whichever
# schema they do not fit: ids that are digits or letters, prefixed ids (rh_1), names, uuids.
STRING_MISFITS = [
    *("abc", "1", "abc-def", "has-a-dash", "12ab", "abcde", "abcdefgh", "1" * 19, "a_b_c_d", "%20", "\u0661"),
    *("0", "-1", "1.5", "1e3", "x" * 256, "rh_", "rh_abc", "RH_1", "rh_1.5", "rh_-1", "rh_" + "1" * 21, "rh_\u0661"),
    *("1Things", "Th-ings", "_Things", "T" * 101, "Th.ings", "Th%20ings", "Thing\u00df"),
    *("not-a-uuid", "12345", "0f8e6a52-3c1d-4b7e-9a2f-5d6c7b8a9e0"),
]


def misfits(schema: dict[str, Any], real: Any) -> dict[str, str]:
    """Path values that cannot name a record of the schema, by label."""
    if schema.get("type") == "integer":
        return integer_misfits(schema, real)
    return {label(value): value for value in STRING_MISFITS if not fits(schema, unquote(value))}


def label(value: str) -> str:
    return value if len(value) <= 24 else f"{value[:6]}..{len(value)}"


UNKNOWN_STRINGS = [
    *("987654321", "999999999999999999", "Zzzzzzz", "QqQqQq", "rh_987654", "rh_00000000000000000000"),
    *("NoSuchTable", "no_such_record", "0f8e6a52-3c1d-4b7e-9a2f-5d6c7b8a9e01"),
]


def unknown_ids(schema: dict[str, Any]) -> list[str]:
    """Well-formed path values that name no record."""
    if schema.get("type") == "integer":
        return ["987654", str(schema.get("maximum", 2**31 - 1))]
    return [value for value in UNKNOWN_STRINGS if fits(schema, value)]


UNREADABLE_DATES = [
    *("garbage", "2024-13-45T10:00:00+00:00", "2024-02-30", "13/45/2024 10:00:00 +00:00"),
    *("05/14/2024 25:00:00 +00:00", "yesterday", "1714"),
]
READABLE_DATES = ("2024-05-14T10:00:00+00:00", "2024-05-14T10:00:00Z")


def is_date(parameter: dict[str, Any]) -> bool:
    schema = parameter["schema"]
    return schema.get("format") == "date-time" or "date and time" in schema.get("description", "")


def query_misfits(parameter: dict[str, Any]) -> list[str]:
    """Query values of the wrong type or outside the bounds of a parameter's schema."""
    schema = parameter["schema"]
    items = schema.get("items", {}) if schema.get("type") == "array" else schema
    found: list[str] = []
    if items.get("type") in ("integer", "number"):
        found += ["abc", "1.5", "1e3", "0x10", "\u0661"]
    if items.get("type") == "boolean":
        found += ["maybe", "yes"]
    if "enum" in items:
        found += ["NoSuchValue", ""] if items.get("type") == "string" else [str(max(items["enum"]) + 100)]
    if "minimum" in items:
        found += [str(items["minimum"] - 1)] + (["-1"] if items["minimum"] > 0 else [])
    if "maximum" in items:
        found.append(str(items["maximum"] + 1))
    if "maxLength" in items:
        found.append("x" * (items["maxLength"] + 1))
    if items.get("minLength", 0) >= 1:
        found.append("")
    if items.get("format") == "uuid":
        found.append("not-a-uuid")
    if items.get("format") == "email":
        found += ["not-an-address", ""]
    if is_date(parameter):
        found += UNREADABLE_DATES
    return list(dict.fromkeys(found))


# -- the matrix: one list of cases per kind of bad request ---------------------------------------
MALFORMED = {
    "truncated": '{"broken": ',
    "single-quotes": "{'single': 'quotes'}",
    "nan": '{"a": NaN}',
    "trailing": "{}}",
    "not-utf8": b"\xff\xfe{}",
    "empty-member": "{,}",
    "no-colon": '{"a" 1}',
    "trailing-comma": "[1,]",
    "blank": " ",
}
MEDIA_TYPES = [
    *("text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"),
    *("text/json", "application/json", "application/merge-patch+json"),
]


def wrong_json_types(op: Operation) -> dict[str, str]:
    """Well-formed bodies of another JSON type: an array or a scalar for an object, and the
    other way round."""
    scalars = {"string": '"text"', "number": "5", "true": "true", "null": "null"}
    sample = json.dumps(op.spec.sample(op.body_schema))
    if op.takes_array:
        return {"object": "{}", "an-item": sample[1:-1] or "{}", **scalars}
    return {"empty-array": "[]", "array-of-empty": "[{}]", "array-of-valid": f"[{sample}]", **scalars}


def required_names(op: Operation) -> list[str]:
    return [] if op.takes_array or op.body_schema is None else list(op.body_schema.get("required", []))


class Misnamed(NamedTuple):
    """A required property's value sent under another name (that the spec does not know)."""

    name: str


class Defect(NamedTuple):
    """One body property spoilt: where, how (a label) and the value put there."""

    where: Where
    how: str
    value: Any


def beyond(spec: Spec, schema: dict[str, Any]) -> list[tuple[str, Any]]:
    """Values just outside a property's bounds (length, range, enumeration, format)."""
    found: list[tuple[str, Any]] = []
    if "maxLength" in schema and schema["maxLength"] <= 200_000:
        found.append(("too-long", "x" * (schema["maxLength"] + 1)))
    if "maxLength" in schema and schema["maxLength"] < MEGABYTE and "enum" not in schema:
        found.append(("megabyte", "a" * MEGABYTE))
    if schema.get("minLength", 0) >= 1:
        found.append(("empty", ""))
    if "maximum" in schema:
        found.append(("above", int(schema["maximum"]) + 1))
    if "minimum" in schema:
        found.append(("below", int(schema["minimum"]) - 1))
    if "enum" in schema:
        numeric = bool(spec.kinds(schema) & {"integer"})
        found.append(("unknown-enum", max(v for v in schema["enum"] if v is not None) + 100 if numeric else "NoSuchValue"))
    if schema.get("format") in ("email", "uri"):
        found += [("not-an-address", "not an address"), ("blank-address", "")]
    return found


DEEP = "<deep>"  # stands in a body's text for JSON nested too deep to be made as a value


def first_typed(op: Operation) -> Where | None:
    """The first property of the body that takes a scalar (not free-form), 4 levels deep at most."""
    spec = op.spec
    return next(
        (
            w
            for w, sub in spec.members(op.body_schema)
            if len(w) <= 4 and spec.kinds(sub) and not spec.kinds(sub) & {"object", "array"}
        ),
        None,
    )


def defects(op: Operation) -> Iterator[Defect]:
    """Every way the generic matrix spoils one property of a body (4 levels deep at most)."""
    spec, schema = op.spec, op.body_schema
    typed = first_typed(op)
    for where, sub in spec.members(schema):
        if len(where) > 4:
            continue
        wrong = spec.wrong_value(sub)
        if wrong is not None:
            yield Defect(where, "wrong-type", wrong)
        if spec.kinds(sub) & {"object", "array"} == {"object"}:
            yield Defect(where, "array-for-object", [])
        for how, value in beyond(spec, sub):
            yield Defect(where, how, value)
    if typed:  # deep enough to be absurd, shallow enough to parse: the wrong type
        nested: Any = 1
        for _ in range(200):
            nested = {"a": nested}
        yield Defect(typed, "nested-200", nested)
    for where, container in spec.containers(schema):
        for name in container.get("required", []):
            if len(where) < 4:
                yield Defect((*where, name), "left-out", MISSING)
                yield Defect((*where, name), "misnamed", Misnamed(f"{name}_typo"))
                if "null" not in spec.kinds(container["properties"][name]):
                    yield Defect((*where, name), "null", None)


def whole_list_once(cases: Iterable[Case], group: Callable[[Case], Any], few: int) -> list[Case]:
    """The cases of a group (one path parameter, or the whole provider) in full for the first
    operation that has them, and the first `few` for every other operation. What they probe
    is read the same way for every operation (a path parameter by its name and schema,
    credentials, the User-Agent, JSON itself), so the whole list runs once per group while
    every operation still gets the kind of case; sending it all for each of ClickFunnels'
    180-odd operations would more than double the suite's time and find nothing more."""
    first: dict[Any, tuple[str, str]] = {}
    sent: dict[tuple[Any, tuple[str, str]], int] = {}
    chosen = []
    for case in cases:
        assert case.op is not None
        key, where = group(case), (case.op.method, case.op.path)
        turn = sent[key, where] = sent.get((key, where), 0) + 1
        if first.setdefault(key, where) == where or turn <= few:
            chosen.append(case)
    return chosen


def by_provider(case: Case) -> str:
    return case.provider


def by_path_parameter(case: Case) -> tuple[str, str]:
    return case.provider, case.value[0]


def per_operation(cases: Iterable[Case]) -> list[Case]:
    """The cases of each operation as one test, whose value is the list of them (checked
    with `every`, which names each case that fails): the matrix's biggest kinds would
    otherwise be thousands of tests, whose own cost is more than their one request's."""
    grouped: dict[tuple[str, str], list[Case]] = {}
    for case in cases:
        grouped.setdefault((case.provider, str(case.op)), []).append(case)
    return [Case(group[0].provider, group[0].op, "", group) for group in grouped.values()]


CASES: dict[str, list[Case]] = {
    "credentials": [Case(n, op) for n, op in every_operation()],
    "stranger": [Case(n, op) for n, op in every_operation()],
    "checked_first": [Case(n, op) for n, op in every_operation()],
    "bad_credentials": per_operation(
        whole_list_once(
            (
                Case(n, op, f"headers{number}", headers)
                for n, op in every_operation()
                for number, headers in enumerate(FACTS[n].bad_credentials)
            ),
            by_provider,
            few=2,
        )
    ),
    "user_agent": whole_list_once(
        (
            Case(n, op, how, how)
            for n, op in every_operation()
            if FACTS[n].user_agent is not None
            for how in ("none", "none-and-no-key", "blank")
        ),
        by_provider,
        few=1,
    ),
    "any_user_agent": [Case(n, op) for n, op in every_operation(lambda op: op.method == "GET") if FACTS[n].user_agent],
    "malformed": whole_list_once(
        (Case(n, op, label, payload) for n, op in every_operation(with_body) for label, payload in MALFORMED.items()),
        by_provider,
        few=2,
    ),
    "media_type": whole_list_once(
        (
            Case(n, op, media_type.split(";")[0], media_type)
            for n, op in every_operation(with_body)
            for media_type in MEDIA_TYPES
            if media_type not in op.media_types
        ),
        by_provider,
        few=2,
    ),
    "no_content_type": [Case(n, op) for n, op in every_operation(with_body)],
    "no_body": [Case(n, op) for n, op in every_operation(lambda op: op.body_required)],
    "wrong_json_type": per_operation(
        [Case(n, op, label, payload) for n, op in every_operation(with_body) for label, payload in wrong_json_types(op).items()]
    ),
    "defects": per_operation(
        [Case(n, op, f"{dotted(d.where)}-{d.how}", d) for n, op in every_operation(with_body) for d in defects(op)]
    ),
    "lowercase": [
        Case(n, op, dotted(d.where), d)
        for n, op in every_operation(with_body)
        if FACTS[n].case_insensitive and not op.takes_array
        for d in defects(op)
        if len(d.where) == 1 and d.how == "wrong-type"
    ],
    "all_required": [Case(n, op) for n, op in every_operation(lambda op: bool(required_names(op)))],
    "megabyte": [
        Case(n, op, label)
        for n, op in every_operation(with_body)
        for label in ("malformed", "wrong-type", *(["no-required"] if required_names(op) else []))
    ],
    "too_deep": [Case(n, op, where) for n, op in every_operation(with_body) for where in ("body", "property")],
    "too_large": [Case(n, next(op for op in operations if with_body(op))) for n, operations in OPERATIONS.items()],
    "query": per_operation(
        [
            Case(n, op, f"{p['name']}={value[:20]!r}", (p["name"], value))
            for n, op in every_operation()
            for p in op.query_parameters
            for value in query_misfits(p)
        ]
    ),
    "required_query": [
        Case(n, op, p["name"], p["name"]) for n, op in every_operation() for p in op.query_parameters if p.get("required")
    ],
    "readable_dates": [
        Case(n, op, f"{p['name']}={value}", (p["name"], value))
        for n, op in every_operation()
        for p in op.query_parameters
        if is_date(p)
        for value in (*READABLE_DATES, *FACTS[n].readable_dates)
    ],
    "junk_query": [Case(n, op, p["name"], p["name"]) for n, op in every_operation() for p in op.query_parameters],
    "junk_body": [Case(n, op) for n, op in every_operation(with_body)],
    "unknown_id": per_operation(
        whole_list_once(
            (
                Case(n, op, f"{p['name']}={value}", (p["name"], value))
                for n, op in every_operation()
                for p in op.path_parameters
                for value in unknown_ids(p["schema"])
            ),
            by_path_parameter,
            few=2,
        )
    ),
    "misfit_id": per_operation(
        whole_list_once(
            (
                Case(n, op, f"{p['name']}-{how}", (p["name"], how))
                for n, op in every_operation()
                for p in op.path_parameters
                for how in misfits(p["schema"], 1)
            ),
            by_path_parameter,
            few=3,
        )
    ),
    "valid": [Case(n, op) for n, op in every_operation()],
    "unknown_path": [
        Case(n, None, f"{method}-{path}", (method, path))
        for n in OPERATIONS
        for path in FACTS[n].unknown_paths
        for method in every_method(SPECS[n])
    ],
    "unknown_path_keyless": [Case(n, None, path, path) for n in OPERATIONS for path in FACTS[n].unknown_paths],
    "wrong_method": [
        Case(n, None, f"{method}-{path}", (method, path))
        for n, spec in SPECS.items()
        for path in spec["paths"]
        for method in every_method(spec)
        if method not in spec.methods(path)
    ],
    "wrong_method_keyless": [Case(n, None, path, path) for n, spec in SPECS.items() for path in spec["paths"]],
    "misfit_keyless": [Case(n, op, p["name"], p["name"]) for n, op in every_operation() for p in op.path_parameters],
    "specials": [
        Case(n, None, f"{s.operation}-{s.field or s.expect.status}-{i}", s)
        for n in OPERATIONS
        for i, s in enumerate(FACTS[n].specials)
    ],
    "raw_specials": [Case(n, None, f"{s.method}-{s.path}", s) for n in OPERATIONS for s in FACTS[n].raw_specials],
}


# -- coverage ------------------------------------------------------------------------------------
OPENAPI_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def declared_operations(spec: Spec) -> set[tuple[str, str]]:
    """(METHOD, path) of every operation, read from the spec's paths directly (every method
    OpenAPI has, and the extension's)."""
    found = set()
    for path, item in spec["paths"].items():
        found |= {(key.upper(), path) for key in item if key in OPENAPI_METHODS}
        found |= {(method.upper(), path) for method in item.get(EXTENSION, {})}
    return found


@pytest.mark.parametrize("provider", list(SPECS))
def test_every_operation_of_the_spec_is_in_the_matrix(provider: str) -> None:
    """Each operation the spec declares is sent without credentials, validly and with every
    kind of bad input its parameters and body allow."""
    declared = declared_operations(SPECS[provider])
    in_matrix = {
        (case.op.method, case.op.path) for cases in CASES.values() for case in cases if case.provider == provider and case.op
    }
    assert in_matrix == declared
    for kind, select in KINDS_BY_OPERATION.items():
        covered = {(case.op.method, case.op.path) for case in CASES[kind] if case.provider == provider and case.op}
        wanted = {(op.method, op.path) for op in OPERATIONS[provider] if select(op)}
        assert covered == wanted, kind


def test_every_case_marked_as_an_emulator_fault_is_in_the_matrix() -> None:
    generated = {(kind, case.id) for kind, cases in CASES.items() for case in cases}
    marked = {key for key in XFAIL if key[1].split("-", 1)[0] in PROVIDERS}
    assert marked <= generated, sorted(marked - generated)


@pytest.mark.parametrize("provider", list(SPECS))
def test_every_path_parameter_names_a_record_of_the_world(provider: str) -> None:
    facts = FACTS[provider]
    for op in OPERATIONS[provider]:
        for parameter in op.path_parameters:
            assert facts.record_of(op, parameter["name"]), (op, parameter["name"])
    assert set(facts.valid) <= {op.operation_id for op in OPERATIONS[provider]}
    assert {s.operation for s in facts.specials} <= {op.operation_id for op in OPERATIONS[provider]}


def has_body_property(op: Operation) -> bool:
    return with_body(op) and any(op.spec.members(op.body_schema))


# Which operations each kind of case must cover (all of them, where the kind applies).
KINDS_BY_OPERATION: dict[str, Callable[[Operation], bool]] = {
    "credentials": lambda op: True,
    "stranger": lambda op: True,
    "checked_first": lambda op: True,
    "valid": lambda op: True,
    "malformed": with_body,
    "media_type": with_body,
    "no_content_type": with_body,
    "no_body": lambda op: op.body_required,
    "wrong_json_type": with_body,
    "defects": has_body_property,
    "megabyte": with_body,
    "too_deep": with_body,
    "junk_body": with_body,
    "query": lambda op: any(query_misfits(p) for p in op.query_parameters),
    "junk_query": lambda op: bool(op.query_parameters),
    "unknown_id": lambda op: bool(op.path_parameters),
    "misfit_id": lambda op: bool(op.path_parameters),
    "misfit_keyless": lambda op: bool(op.path_parameters),
}


# -- the control ------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", params("valid", CASES["valid"]))
def test_the_valid_request_of_every_operation_succeeds(worlds: Worlds, case: Case) -> None:
    """The control for everything below: on a world of its own (or the shared one, for a
    read), the request the other tests spoil is accepted, so their refusals come from what
    they spoil."""
    assert case.op is not None
    response = send_valid(worlds.own(case.provider, case.op), case.op)
    assert 200 <= response.status_code < 300, f"{response.status_code}: {response.text[:500]}"


# -- credentials and the front door --------------------------------------------------------------------
@pytest.mark.parametrize("case", params("credentials", CASES["credentials"]))
def test_no_credentials_are_refused(connect: Connect, mockserver: Emulator, worlds: Worlds, case: Case) -> None:
    assert case.op is not None
    anonymous = connect(mockserver, case.provider, keyless_headers(PROVIDERS[case.provider]))
    assert_refused(send_valid(worlds.shared(case.provider), case.op, anonymous), case.provider, case.facts.unauthorized)


@pytest.mark.parametrize("batch", params("bad_credentials", CASES["bad_credentials"]))
def test_credentials_that_carry_no_key_are_refused(connect: Connect, mockserver: Emulator, worlds: Worlds, batch: Case) -> None:
    """An empty key, another scheme than the provider's, a bare value..."""
    assert batch.op is not None
    op, world = batch.op, worlds.shared(batch.provider)

    def check(case: Case) -> None:
        headers = {**keyless_headers(PROVIDERS[case.provider]), **case.value}
        response = send_valid(world, op, connect(mockserver, case.provider, headers))
        assert_refused(response, case.provider, case.facts.unauthorized)

    every(batch.value, check)


@pytest.mark.parametrize("case", params("stranger", CASES["stranger"]))
def test_a_key_no_account_has_is_refused(connect: Connect, refusing: Emulator, worlds: Worlds, case: Case) -> None:
    """Where unknown keys are refused (the session's emulator makes them an account)."""
    assert case.op is not None
    stranger = connect(refusing, case.provider, PROVIDERS[case.provider].client_headers(unregistered_key()))
    expect = case.facts.stranger or case.facts.unauthorized
    assert_refused(send_valid(worlds.shared(case.provider), case.op, stranger), case.provider, expect)


@pytest.mark.parametrize("case", params("checked_first", CASES["checked_first"]))
def test_credentials_are_checked_before_the_request_itself(connect: Connect, mockserver: Emulator, case: Case) -> None:
    """A request wrong in every other way (path values that cannot be ids, or name nothing
    where routes are typed; bad query values; broken JSON) is refused for its missing key."""
    op = case.op
    assert op is not None
    anonymous = connect(mockserver, case.provider, keyless_headers(PROVIDERS[case.provider]))
    path = op.url({p["name"]: bad_path_value(case.facts, p["schema"]) for p in op.path_parameters})
    query = {p["name"]: query_misfits(p)[0] for p in op.query_parameters if query_misfits(p)}
    response = send(anonymous, op, path, "{broken" if with_body(op) else None, params=query)
    assert_refused(response, case.provider, case.facts.unauthorized)


def routed_out(facts: Facts, schema: dict[str, Any]) -> bool:
    """Whether a path value that cannot be an id matches no route (an integer one, where routes are typed)."""
    return facts.typed_routes and schema.get("type") == "integer"


def bad_path_value(facts: Facts, schema: dict[str, Any]) -> str:
    """A path value that cannot be an id; one that names nothing where routing refuses the former."""
    return unknown_ids(schema)[0] if routed_out(facts, schema) else next(iter(misfits(schema, 1).values()))


@pytest.mark.parametrize("case", params("misfit_keyless", CASES["misfit_keyless"]))
def test_a_path_value_that_cannot_be_an_id_without_credentials_is_refused(
    connect: Connect, mockserver: Emulator, case: Case
) -> None:
    """Where routes are typed it matches none (whoever asks); else the key is checked first."""
    op = case.op
    assert op is not None
    schema = next(p["schema"] for p in op.path_parameters if p["name"] == case.value)
    anonymous = connect(mockserver, case.provider, keyless_headers(PROVIDERS[case.provider]))
    values = {p["name"]: unknown_ids(p["schema"])[0] for p in op.path_parameters}
    path = op.url({**values, case.value: next(iter(misfits(schema, 1).values()))})
    response = send(anonymous, op, path, json.dumps(op.spec.sample(op.body_schema)) if with_body(op) else None)
    assert_refused(response, case.provider, case.facts.misfit if routed_out(case.facts, schema) else case.facts.unauthorized)


@pytest.mark.parametrize("case", params("user_agent", CASES["user_agent"]))
def test_a_missing_user_agent_is_refused_first(connect: Connect, mockserver: Emulator, worlds: Worlds, case: Case) -> None:
    """Where the front door wants a User-Agent: none, or a blank one, with a key or without."""
    assert case.op is not None and case.facts.user_agent is not None
    world = worlds.shared(case.provider)
    session = world.client if case.value != "none-and-no-key" else connect(mockserver, case.provider, {})
    agent = {"User-Agent": ""} if case.value == "blank" else NO_USER_AGENT
    query, body = world.request(case.op)
    response = send(session, case.op, world.url(case.op), body, params=query, headers=agent)
    assert_refused(response, case.provider, case.facts.user_agent)


@pytest.mark.parametrize("case", params("any_user_agent", CASES["any_user_agent"]))
def test_any_user_agent_passes(worlds: Worlds, case: Case) -> None:
    assert case.op is not None
    world = worlds.shared(case.provider)
    query, _ = world.request(case.op)
    response = world.client.get(world.url(case.op), params=query, headers={"User-Agent": "x"})
    assert response.status_code == 200, response.text[:500]


# -- bodies ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", params("malformed", CASES["malformed"]))
def test_malformed_json_is_refused(worlds: Worlds, case: Case) -> None:
    assert case.op is not None
    response = send_body(worlds.shared(case.provider), case.op, case.value)
    assert_refused(response, case.provider, case.facts.malformed)


@pytest.mark.parametrize("case", params("media_type", CASES["media_type"]))
def test_a_media_type_the_operation_does_not_take_is_refused(worlds: Worlds, case: Case) -> None:
    assert case.op is not None
    world = worlds.shared(case.provider)
    _, body = world.request(case.op)
    response = send_body(world, case.op, json.dumps(body), headers={"Content-Type": case.value})
    assert_refused(response, case.provider, case.facts.unsupported_media, media_type=case.value.split(";")[0])


@pytest.mark.parametrize("case", params("no_content_type", CASES["no_content_type"]))
def test_a_body_without_a_content_type_is_refused(worlds: Worlds, case: Case) -> None:
    assert case.op is not None
    world = worlds.shared(case.provider)
    query, body = world.request(case.op)
    response = world.client.request(case.op.method, world.url(case.op), params=query, data=json.dumps(body).encode())
    assert "Content-Type" not in response.request.headers
    assert_refused(response, case.provider, case.facts.no_content_type)


@pytest.mark.parametrize("case", params("no_body", CASES["no_body"]))
def test_a_required_body_left_out_is_refused(worlds: Worlds, case: Case) -> None:
    assert case.op is not None
    world = worlds.shared(case.provider)
    query, _ = world.request(case.op)
    response = world.client.request(case.op.method, world.url(case.op), params=query)
    assert_refused(response, case.provider, case.facts.no_body, field=first(required_names(case.op)))


def first(items: list[str]) -> str:
    return items[0] if items else ""


@pytest.mark.parametrize("batch", params("wrong_json_type", CASES["wrong_json_type"]))
def test_a_body_of_the_wrong_json_type_is_refused(worlds: Worlds, batch: Case) -> None:
    """An array or a scalar where the operation takes an object, and the other way round."""
    assert batch.op is not None
    op, world = batch.op, worlds.shared(batch.provider)

    def check(case: Case) -> None:
        response = send_body(world, op, case.value)
        assert_refused(response, case.provider, case.facts.wrong_json_type, field=first(required_names(op)))

    every(batch.value, check)


def refusal_of(facts: Facts, where: Where) -> tuple[Refusal, list[str]]:
    """How the provider refuses a spoilt property, and the names its error gives it: a body
    wrapped in one key has the wrapper refused its own way, and errors name what is inside."""
    if facts.envelope is None:
        return facts.invalid, names_of(where)
    return (facts.envelope, []) if len(where) == 1 else (facts.invalid, names_of(where)[1:])


def spoilt(op: Operation, valid: Any, defect: Defect) -> Any:
    """The valid body with the defect put in."""
    if not isinstance(defect.value, Misnamed):
        return op.spec.inject(valid, op.body_schema, defect.where, defect.value)
    body = op.spec.inject(valid, op.body_schema, defect.where, MISSING)  # a copy along the path
    container = body
    for part in defect.where[:-1]:
        container = container[part]
    container[defect.value.name] = op.spec.sample(dict(op.spec.members(op.body_schema))[defect.where])
    return body


@pytest.mark.parametrize("batch", params("defects", CASES["defects"]))
def test_a_spoilt_body_property_is_refused_naming_it(worlds: Worlds, batch: Case) -> None:
    """Of the wrong type, left out or null where required, outside its bounds, its enum or
    its format: the error names that property, and only it."""
    assert batch.op is not None
    op, world = batch.op, worlds.shared(batch.provider)
    _, valid = world.request(op)

    def check(case: Case) -> None:
        defect: Defect = case.value
        expect, fields = refusal_of(case.facts, defect.where)
        response = send_body(world, op, spoilt(op, valid, defect))
        assert_refused(response, case.provider, expect, fields, only=True, field=names_of(defect.where)[0])

    every(batch.value, check)


@pytest.mark.parametrize("case", params("lowercase", CASES["lowercase"]))
def test_a_property_named_in_another_case_is_read_and_refused_alike(worlds: Worlds, case: Case) -> None:
    """Where names are read without regard to case, a wrong type under a lower-case name is
    refused as under the spec's name, and the error names it."""
    assert case.op is not None
    world = worlds.shared(case.provider)
    defect: Defect = case.value
    name = defect.where[0]
    _, valid = world.request(case.op)
    body = {key: value for key, value in valid.items() if key != name} | {name.lower(): defect.value}
    expect, fields = refusal_of(case.facts, defect.where)
    assert_refused(send_body(world, case.op, body), case.provider, expect, fields, field=name)


@pytest.mark.parametrize("case", params("all_required", CASES["all_required"]))
def test_an_empty_object_is_refused_naming_every_required_property(worlds: Worlds, case: Case) -> None:
    assert case.op is not None
    required = required_names(case.op)
    response = send_body(worlds.shared(case.provider), case.op, {})
    expect = case.facts.missing_required
    assert_refused(response, case.provider, expect, field=required[0])
    if expect.names:
        places = case.facts.places(response.json())
        assert all(any(names(place, name) for place in places) for name in required), places


@pytest.mark.parametrize("case", params("megabyte", CASES["megabyte"]))
def test_a_megabyte_of_bad_json_is_refused(worlds: Worlds, case: Case) -> None:
    """Malformed; of the wrong JSON type; or an object without its required properties."""
    op = case.op
    assert op is not None
    padding = ["x" * 1000] * (MEGABYTE // 1000 + 1)
    required = required_names(op)
    fields: list[str] = []
    if case.label == "malformed":
        payload, expect = "{" + "x" * MEGABYTE, case.facts.malformed
    elif case.label == "wrong-type":
        payload = json.dumps({"Padding": padding} if op.takes_array else padding)
        expect = case.facts.wrong_json_type
    else:
        payload, expect, fields = json.dumps({"padding": padding}), case.facts.missing_required, required[:1]
    assert len(payload) > MEGABYTE
    response = send_body(worlds.shared(case.provider), op, payload)
    assert_refused(response, case.provider, expect, fields, field=first(required))


@pytest.mark.parametrize("case", params("too_deep", CASES["too_deep"]))
def test_json_nested_too_deep_is_refused_not_a_crash(worlds: Worlds, case: Case) -> None:
    """100,000 arrays deep as the body, or 100,000 objects deep in the valid body's first
    property that takes a scalar (text: deeper than json.dumps goes)."""
    op = case.op
    assert op is not None
    world = worlds.shared(case.provider)
    depth = 100_000
    if case.label == "body":
        payload = "[" * depth + "]" * depth
    else:
        _, valid = world.request(op)
        typed = first_typed(op)
        if typed:
            text = json.dumps(op.spec.inject(valid, op.body_schema, typed, DEEP))
        else:  # nothing typed: a property of its own
            text = json.dumps([{"Deep": DEEP}] if op.takes_array else {"Deep": DEEP})
        payload = text.replace(json.dumps(DEEP), '{"a":' * depth + "1" + "}" * depth)
    assert_refused(send_body(world, op, payload), case.provider, case.facts.too_deep)


@pytest.mark.parametrize("case", params("too_large", CASES["too_large"]))
def test_a_body_over_the_size_limit_is_refused(worlds: Worlds, case: Case) -> None:
    assert case.op is not None
    payload = b"[" + b"0," * (6 * MEGABYTE) + b"0]"
    response = send_body(worlds.shared(case.provider), case.op, payload)
    assert_refused(response, case.provider, case.facts.too_large)


def junk_values() -> list[Any]:
    return [None, "", -1, 2**63, 1.5, True, "x\u0000" * 150, [], {"a": 1}]


@pytest.mark.parametrize("case", params("junk_body", CASES["junk_body"]))
def test_junk_in_any_body_property_is_never_a_server_error(worlds: Worlds, case: Case) -> None:
    op = case.op
    assert op is not None
    world = worlds.own(case.provider, op)
    query, valid = world.request(op)
    junk = [(where, value) for where, _ in op.spec.members(op.body_schema) if len(where) <= 4 for value in junk_values()]

    def check(item: tuple[Where, Any]) -> None:
        body = op.spec.inject(valid, op.body_schema, item[0], item[1])
        assert_never_a_server_error(send(world.client, op, world.url(op), body, params=query), case.provider)

    every(junk, check)


# -- query parameters -----------------------------------------------------------------------------
def query_for(world: World, op: Operation, name: str) -> tuple[dict[str, Any], Any]:
    """The valid request, with what the look-up needs for the parameter `name` to be read."""
    query, body = world.request(op)
    needs = world.facts.query_needs.get((op.operation_id, name))
    return {**query, **(needs(world) if needs else {})}, body


@pytest.mark.parametrize("batch", params("query", CASES["query"]))
def test_a_query_value_of_the_wrong_type_or_out_of_bounds_is_refused_naming_it(worlds: Worlds, batch: Case) -> None:
    assert batch.op is not None
    op, world = batch.op, worlds.shared(batch.provider)

    def check(case: Case) -> None:
        name, value = case.value
        query, body = query_for(world, op, name)
        response = send(world.client, op, world.url(op), body, params={**query, name: value})
        label_ = case.facts.query_labels.get(name, name)
        assert_refused(response, case.provider, case.facts.bad_query, [label_], only=True)

    every(batch.value, check)


@pytest.mark.parametrize("case", params("required_query", CASES["required_query"]))
def test_a_required_query_parameter_left_out_is_refused_naming_it(worlds: Worlds, case: Case) -> None:
    assert case.op is not None
    world = worlds.shared(case.provider)
    query, body = world.request(case.op)
    assert case.value in query, "the valid request gives it"
    del query[case.value]
    response = send(world.client, case.op, world.url(case.op), body, params=query)
    assert_refused(response, case.provider, case.facts.bad_query, [case.value], only=True)


@pytest.mark.parametrize("case", params("readable_dates", CASES["readable_dates"]))
def test_a_readable_date_is_accepted(worlds: Worlds, case: Case) -> None:
    """The control for the unreadable dates: the formats the provider reads."""
    assert case.op is not None
    world = worlds.own(case.provider, case.op)
    name, value = case.value
    query, body = query_for(world, case.op, name)
    response = send(world.client, case.op, world.url(case.op), body, params={**query, name: value})
    assert response.status_code == 200, response.text[:500]


JUNK = ["", " ", "\x00", "null", "-1", "0", "1e400", "NaN", "[]", "{}", "'", "%", "\u0661", "True", "x" * 600]


@pytest.mark.parametrize("case", params("junk_query", CASES["junk_query"]))
def test_junk_in_any_query_parameter_is_never_a_server_error(worlds: Worlds, case: Case) -> None:
    op = case.op
    assert op is not None
    world = worlds.own(case.provider, op)
    query, body = world.request(op)

    def check(value: str) -> None:
        response = send(world.client, op, world.url(op), body, params={**query, case.value: value})
        assert_never_a_server_error(response, case.provider)

    every(JUNK, check)


# -- path values ------------------------------------------------------------------------------------
@pytest.mark.parametrize("batch", params("unknown_id", CASES["unknown_id"]))
def test_an_id_that_names_no_record_is_refused(worlds: Worlds, batch: Case) -> None:
    """The request is valid, and every other path value names a real record."""
    assert batch.op is not None
    op, world = batch.op, worlds.shared(batch.provider)

    def check(case: Case) -> None:
        name, value = case.value
        assert_refused(send_valid(world, op, values={name: value}), case.provider, case.facts.not_found)

    every(batch.value, check)


@pytest.mark.parametrize("batch", params("misfit_id", CASES["misfit_id"]))
def test_a_path_value_that_cannot_be_an_id_is_refused(worlds: Worlds, batch: Case) -> None:
    """Every other path value names a real record, and some of these values are close to a
    real id, so that one misread as an id would reach a record (the account is the same
    after all of them)."""
    op = batch.op
    assert op is not None
    world = worlds.own(batch.provider, op, "ids")
    before = world.state() if op.method not in READS else None

    def check(case: Case) -> None:
        name, how = case.value
        schema = next(p["schema"] for p in op.path_parameters if p["name"] == name)
        value = misfits(schema, world.path_values(op)[name])[how]
        assert_refused(send_valid(world, op, values={name: value}), case.provider, case.facts.misfit)

    every(batch.value, check)
    assert before is None or world.state() == before, "no record was reached"


# -- routes ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", params("unknown_path", CASES["unknown_path"]))
def test_an_unknown_path_is_refused(worlds: Worlds, case: Case) -> None:
    method, path = case.value
    response = worlds.shared(case.provider).client.request(method, path, json={})
    assert_refused(response, case.provider, case.facts.no_route, path=path)


@pytest.mark.parametrize("case", params("unknown_path_keyless", CASES["unknown_path_keyless"]))
def test_an_unknown_path_without_credentials_is_refused(connect: Connect, mockserver: Emulator, case: Case) -> None:
    """Routes come before the key: an unknown path is that, whoever asks."""
    anonymous = connect(mockserver, case.provider, keyless_headers(PROVIDERS[case.provider]))
    assert_refused(anonymous.get(case.value), case.provider, case.facts.no_route, path=case.value)


def concrete(world: World, path: str) -> str:
    """A spec path with its parameters set to the world's records."""
    op = next(op for op in OPERATIONS[world.provider] if op.path == path)
    return world.url(op)


@pytest.mark.parametrize("case", params("wrong_method", CASES["wrong_method"]))
def test_a_method_a_known_path_does_not_have_is_refused_with_allow(worlds: Worlds, case: Case) -> None:
    method, path = case.value
    world = worlds.shared(case.provider)
    response = world.client.request(method, concrete(world, path), json={})
    assert_refused(response, case.provider, case.facts.wrong_method, method=method)
    allowed = {part.strip() for part in response.headers["Allow"].split(",") if part.strip()}
    assert allowed - {"HEAD", "OPTIONS"} == SPECS[case.provider].methods(path), response.headers


@pytest.mark.parametrize("case", params("wrong_method_keyless", CASES["wrong_method_keyless"]))
def test_a_method_a_known_path_does_not_have_without_credentials_is_refused(
    connect: Connect, mockserver: Emulator, worlds: Worlds, case: Case
) -> None:
    """Routes come before the key: refused with Allow, whoever asks."""
    spec, path = SPECS[case.provider], case.value
    method = next(m for m in ("PUT", "DELETE", "SEARCH", "PATCH", "GET", "POST") if m not in spec.methods(path))
    anonymous = connect(mockserver, case.provider, keyless_headers(PROVIDERS[case.provider]))
    response = anonymous.request(method, concrete(worlds.shared(case.provider), path))
    assert_refused(response, case.provider, case.facts.wrong_method, method=method)
    assert spec.methods(path) <= {part.strip() for part in response.headers["Allow"].split(",")}


# -- the provider's own --------------------------------------------------------------------------------
def decoded(response: requests.Response) -> Any:
    """A body as deep as the server stores, whatever stack depth this test already runs at."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(limit + 2000)
    try:
        return response.json()
    finally:
        sys.setrecursionlimit(limit)


@pytest.mark.parametrize("case", params("specials", CASES["specials"]))
def test_the_providers_own_refusals(worlds: Worlds, case: Case) -> None:
    """Requests the generic matrix cannot make (records named in queries and bodies, the
    account's own fields...), refused in the provider's way. Those that may be accepted run
    on a world of their own, and what they stored is read back."""
    special: Special = case.value
    op = next(op for op in OPERATIONS[case.provider] if op.operation_id == special.operation)
    may_change = special.expect is ACCEPTED or special.or_accepted
    world = worlds.make(case.provider) if may_change else worlds.own(case.provider, op, "refusals")
    before = world.state()
    query, body = special.make(world)
    response = send(world.client, op, world.url(op), body, params=query)
    accepted = special.or_accepted and response.status_code == 200
    if special.expect is ACCEPTED or accepted:
        assert 200 <= response.status_code < 300, response.text[:500]
    else:
        assert str(special.expect.status) in op.statuses, "a status the spec gives"
        assert_refused(response, case.provider, special.expect, [special.field] if special.field else [], field=special.field)
        assert world.state() == before, "the refused request changed nothing"
    if special.read_back:
        path, read = special.read_back
        listed = world.client.get(path, params=read)
        assert listed.status_code == 200, listed.text[:300]
        assert len(decoded(listed)) == (1 if special.expect is ACCEPTED or accepted else 0)


@pytest.mark.parametrize("case", params("raw_specials", CASES["raw_specials"]))
def test_the_providers_own_refusals_of_raw_requests(worlds: Worlds, case: Case) -> None:
    special = case.value
    response = worlds.shared(case.provider).client.request(special.method, special.path, json={})
    assert_refused(response, case.provider, special.expect, method=special.method, path=special.path)


# -- last -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("provider", list(OPERATIONS))
def test_the_shared_world_is_unchanged_by_every_refused_request(worlds: Worlds, provider: str) -> None:
    """Runs last: none of the refusals above created, changed or deleted anything."""
    world = worlds.shared(provider)
    assert world.state() == worlds.initial[provider]
