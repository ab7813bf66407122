"""`mockserver new-provider NAME --spec FILE.yaml`: a working provider in a folder of its own,
made from an OpenAPI document: generic stateful CRUD (mockserver/providers/generic.py), the
spec's credentials and error shape, a contract profile, and a test of its own.

The folder is a provider package: inside mockserver/providers/ it is built in (found, not
listed); anywhere else, name it in MOCKSERVER_PROVIDERS to serve it."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

from mockserver.engine.spec import read_yaml

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")

INIT = '''"""{title}: a provider made by `mockserver new-provider` from spec.yaml. Each operation is
served by a generic handler (stateful CRUD); give one of your own in HANDLERS as you learn
how the real API behaves."""

from __future__ import annotations

from pathlib import Path

from mockserver.engine.provider import Handler
from mockserver.providers import generic

SPEC_FILE = Path(__file__).with_name("spec.yaml")

# operationId -> a handler of your own, in place of the generic one.
HANDLERS: dict[str, Handler] = {{}}

PROVIDER = generic.provider({name_literal}, {title_literal}, SPEC_FILE, handlers=HANDLERS)
'''

CONTRACT = '''"""What the contract suite knows of the real {title}: read from its spec here; correct it
where the real API says otherwise (its error body, the statuses of refused business rules)."""

from __future__ import annotations

from pathlib import Path

from mockserver.contract.profiles import profile_from_spec

PROFILE = profile_from_spec({name_literal}, {title_literal}, Path(__file__).with_name("spec.yaml"))
'''

TEST = '''"""{title}: every collection of the spec keeps what is written to it, through the
provider's own API (the generic handlers, until the provider has its own)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver.providers.generic import Operation, Spec, sample_body
from mockserver.testing import Emulator

SPEC = Spec(Path(__file__).with_name("spec.yaml"))
CREATES = [op for op in SPEC.operations() if op.method == "POST" and not op.is_item and "{{" not in op.path]


@pytest.mark.parametrize("create", CREATES, ids=[op.operation_id for op in CREATES])
def test_a_record_created_is_read_listed_and_deleted(mockserver: Emulator, create: Operation) -> None:
    api = mockserver.account({name_literal}).session()
    made = api.post(create.path, json=sample_body(SPEC, create))
    assert made.status_code == create.success, made.text
    item = f"{{create.path}}/{{made.json()['id']}}"
    assert api.get(item).json() == made.json()
    assert made.json() in SPEC.items_of(api.get(create.path).json())
    assert api.delete(item).status_code < 300
    assert api.get(item).status_code == 404
'''


def add_new_provider_command(commands: Any) -> None:
    command = commands.add_parser(
        "new-provider",
        help="write a working provider skeleton from an OpenAPI document",
        description="Write a provider package from an OpenAPI document: generic CRUD handlers, the spec's "
        "credentials and error shape, a contract profile and a test.",
    )
    command.add_argument("name", help="the provider's short name (lowercase letters, digits, _): its URL prefix")
    command.add_argument("--spec", required=True, type=Path, help="the OpenAPI 3 document (YAML or JSON)")
    command.add_argument("--title", help="the provider's title (default: the spec's info.title)")
    command.add_argument(
        "--into",
        type=Path,
        default=Path(),
        help="where to write NAME/ (default: here; into mockserver/providers, it is built in)",
    )
    command.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    try:
        folder = new_provider(args.name, args.spec, args.into, title=args.title)
    except (ValueError, OSError, yaml.YAMLError) as exc:
        print(f"mockserver new-provider: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {folder}/ (__init__.py, spec.yaml, contract.py, test_{args.name}.py)")
    print(f"serve it: MOCKSERVER_PROVIDERS={folder.resolve()} mockserver serve   (then /{args.name}/...)")
    return 0


def new_provider(name: str, spec: Path, into: Path, *, title: str | None = None) -> Path:
    """Write the provider package `into/name/`; answers the folder."""
    from mockserver.providers import all_providers

    if not _NAME.match(name):
        raise ValueError(f"the name {name!r} must be lowercase letters, digits and _, starting with a letter")
    if name in {provider.name for provider in all_providers()}:
        raise ValueError(f"a provider named {name!r} exists already")
    document = read_yaml(spec)
    if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3"):
        raise ValueError(f"{spec} is not an OpenAPI 3 document")
    folder = into / name
    if folder.exists():
        raise ValueError(f"{folder} exists already")
    folder.mkdir(parents=True)
    shutil.copyfile(spec, folder / "spec.yaml")
    title = title or str(document.get("info", {}).get("title") or name.title())
    # Python literals in double quotes, as the formatter writes them.
    values = {"name": name, "title": title, "name_literal": json.dumps(name), "title_literal": json.dumps(title)}
    for file, template in (("__init__.py", INIT), ("contract.py", CONTRACT), (f"test_{name}.py", TEST)):
        (folder / file).write_text(template.format(**values), encoding="utf-8")
    return folder
