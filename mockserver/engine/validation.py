"""Read a request against its compiled operation: parameters, content type, body.

The result is either the typed values the handler works with, or an ApiError carrying
every violation found, in the engine's neutral form (providers phrase them natively).
"""

from __future__ import annotations

import codecs
import json
import math
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from werkzeug.datastructures import Headers, MultiDict

from mockserver.engine.errors import BadRequest, NotFound, UnsupportedMediaType, ValidationFailed, Violation
from mockserver.engine.spec import KeyMap, Operation, Parameter, ResponseSpec

# ASCII digits only: int() would also take the digits of other scripts (Arabic-Indic...).
# At most 4,300 digits: int() refuses longer text (sys.get_int_max_str_digits), so such a value
# stays text and is refused as not an integer.
_INTEGER = re.compile(r"[+-]?[0-9]{1,4300}\Z")
_PATH_INTEGER = re.compile(r"[0-9]{1,4300}\Z")
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\Z")
_DEEP_KEY = re.compile(r"([^\[\]]+)\[([^\[\]]*)\]\Z")
_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


def read_parameters(
    op: Operation,
    path_values: Mapping[str, str],
    query: MultiDict[str, str],
    headers: Headers | Mapping[str, str],
) -> dict[str, Any]:
    """Typed parameter values (defaults filled in); ValidationFailed on any violation.

    A path value that does not fit its schema names no resource at all: that is NotFound,
    as routing with typed segments answers in the real services.
    """
    values: dict[str, Any] = {}
    violations: list[Violation] = []
    for param in op.parameters:
        raw = _raw_value(param, path_values, query, headers)
        if raw is None:
            if param.required:
                violations.append(Violation(param.name, "This value is required.", "required"))
            elif param.default is not None:
                values[param.name] = param.default
            continue
        value: Any
        if isinstance(raw, dict):
            value = {name: _cast(param.member_kinds.get(name, "string"), "string", text) for name, text in raw.items()}
        elif param.location == "path" and param.kind == "integer" and isinstance(raw, str) and not _PATH_INTEGER.match(raw):
            value = raw  # a path names a record by digits alone: "+1" is no id (and stays text, refused)
        else:
            value = _cast(param.kind, param.item_kind, raw)
        found = _violations(param.validator, value, prefix=param.name)
        if found and param.location == "path":
            raise NotFound("Not found", violations=found)
        if found:
            violations.extend(found)
        elif param.format == "uuid" and isinstance(value, str):
            values[param.name] = str(uuid.UUID(value))  # UUIDs are case-insensitive: canonical form
        else:
            values[param.name] = value
    if violations:
        raise ValidationFailed("invalid parameters", violations=violations, source="parameters")
    return values


def read_body(op: Operation, content_type: str | None, data: bytes, *, fold_keys: bool = False) -> tuple[str | None, Any]:
    """The parsed, validated body and its media type (None, None when there is none).
    With `fold_keys`, property names are matched to the schema's without regard to case
    (`email` is read as `Email`)."""
    body = op.body
    if body is None:
        return None, None
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if not data and not media_type:
        if body.required:
            raise UnsupportedMediaType("", list(body.media))
        return None, None
    if media_type not in body.media or (";" in (content_type or "") and not _known_charset(content_type or "")):
        raise UnsupportedMediaType(media_type, list(body.media))
    value = parse_json(data) if _is_json(media_type) else data.decode("utf-8", "replace")
    if fold_keys:
        value = fold(value, body.key_maps.get(media_type))
    validator = body.media[media_type]
    if validator is not None:
        found = _violations(validator, value, prefix="")
        if found:
            raise ValidationFailed("invalid body", violations=found, source="body")
    return media_type, value


def _known_charset(content_type: str) -> bool:
    """Whether a Content-Type's charset (if it names one) is an encoding at all: a body in
    an unknown one is an unsupported media type, not text to guess at."""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            try:
                codecs.lookup(value.strip().strip('"'))
            except LookupError:
                return False
    return True


def fold(value: Any, keys: KeyMap | None) -> Any:
    """Rename object members to the schema's spelling of them, at every depth."""
    if keys is None:
        return value
    if isinstance(value, dict):
        folded: dict[str, Any] = {}
        for name, member in value.items():
            known = keys.properties.get(name.lower()) if isinstance(name, str) else None
            if known is not None:
                folded[known[0]] = fold(member, known[1])
            else:
                folded[name] = fold(member, keys.additional)
        return folded
    if isinstance(value, list):
        return [fold(item, keys.items) for item in value]
    return value


def parse_json(data: bytes) -> Any:
    if not data.strip():
        raise BadRequest("Syntax error")
    try:
        return json.loads(data, parse_constant=refuse_constant, parse_float=_number)
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        raise BadRequest("Syntax error") from exc


def check_response(spec: ResponseSpec | None, media_type: str | None, body: Any, headers: Mapping[str, str]) -> list[str]:
    """What is wrong with a response the emulator built (an empty list when it conforms)."""
    if spec is None:
        return ["the status code is not documented"]
    problems = []
    media_type = media_type.split(";", 1)[0].strip() if media_type else media_type
    if spec.media:
        if media_type not in spec.media:
            problems.append(f"content type {media_type!r} is not one of {sorted(spec.media)}")
        else:
            validator = spec.media[media_type]
            if validator is not None:
                problems += [f"body {v.path or '(root)'}: {v.message}" for v in _violations(validator, body, "")]
    elif body is not None:
        problems.append("a body was sent where none is documented")
    lowered = {name.lower(): value for name, value in headers.items()}
    for header in spec.headers:
        value = lowered.get(header.name.lower())
        if value is None:
            if header.required:
                problems.append(f"header {header.name} is missing")
            continue
        if header.validator is not None:
            kind = header.validator.schema.get("type", "string") if isinstance(header.validator.schema, dict) else "string"
            cast = _cast(str(kind), "string", value)
            problems += [f"header {header.name}: {v.message}" for v in _violations(header.validator, cast, "")]
    return problems


def _raw_value(
    param: Parameter, path_values: Mapping[str, str], query: MultiDict[str, str], headers: Headers | Mapping[str, str]
) -> Any:
    if param.location == "path":
        return path_values.get(param.name)
    if param.location == "header":
        return headers.get(param.name)
    if param.location != "query":
        return None
    if param.style == "deepObject":
        found = {}
        for key, value in query.items(multi=True):
            match = _DEEP_KEY.match(key)
            if match and match.group(1) == param.name:
                found[match.group(2)] = value
        return found or None
    if param.name not in query:
        return None
    if param.kind == "array":
        if param.explode:
            return query.getlist(param.name)
        text = query[param.name]
        return text.split(",") if text else []  # `tags=` is the empty list in form style
    return query[param.name]


def _cast(kind: str, item_kind: str, raw: Any) -> Any:
    """Turn query/path text into the schema's type; leave it as text when it does not fit,
    so that the schema validator reports a type violation."""
    if isinstance(raw, list):
        return [_cast(item_kind, "string", item) for item in raw]
    if isinstance(raw, dict) or not isinstance(raw, str):
        return raw
    if kind == "integer" and _INTEGER.match(raw):
        return int(raw)
    if kind == "number" and _NUMBER.match(raw):
        return float(raw)
    if kind == "boolean":
        lowered = raw.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    return raw


def _violations(validator: Validator, value: Any, prefix: str) -> list[Violation]:
    found: list[Violation] = []
    seen: set[tuple[str, str]] = set()
    for error in validator.iter_errors(value):
        for violation in _explain(error, prefix):
            ident = (violation.path, violation.rule)
            if ident not in seen:
                seen.add(ident)
                found.append(violation)
    return found


def _explain(error: ValidationError, prefix: str) -> Iterable[Violation]:
    rule = str(error.validator)
    if rule in ("oneOf", "anyOf") and error.context:
        # Name the property that is wrong, not the combinator: when exactly one branch has
        # the instance's type, its errors are the ones that explain the failure.
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        fitting = [errs for errs in branches.values() if not any(e.validator == "type" and not e.relative_path for e in errs)]
        if len(fitting) == 1:
            for sub in fitting[0]:
                yield from _explain(sub, prefix)
            return
    path = _join(prefix, error.absolute_path)
    params = {"expected": error.validator_value, "value": error.instance}
    if isinstance(error.schema, dict) and "required" in error.schema:
        params["required"] = error.schema["required"]  # e.g. the wrapper key a body lacks
    if rule == "required" and isinstance(error.instance, dict) and isinstance(error.validator_value, list):
        for name in error.validator_value:
            if name not in error.instance:
                yield Violation(_join(path, [name]), "This value is required.", "required", params)
        return
    if rule == "additionalProperties" and isinstance(error.instance, dict) and isinstance(error.schema, dict):
        known = error.schema.get("properties", {})
        params["extra"] = [name for name in error.instance if name not in known]
    if rule == "type" and error.instance is None:
        rule = "not_null"
    yield Violation(path, error.message, rule, params)


def _join(prefix: str, parts: Iterable[Any]) -> str:
    text = prefix
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text = f"{text}.{part}" if text else str(part)
    return text


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def _number(text: str) -> int | float:
    """JSON Schema counts 5.0 as an integer, so handlers must see it as one; a number too
    large to be finite (1e400) is not one we can answer with."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range")
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def refuse_constant(name: str) -> Any:
    """For json.loads(parse_constant=...): NaN and Infinity are not JSON."""
    raise ValueError(f"{name} is not JSON")
