"""Petstore: a provider made by `mockserver new-provider` from spec.yaml. Each operation is
served by a generic handler (stateful CRUD); give one of your own in HANDLERS as you learn
how the real API behaves."""

from __future__ import annotations

from pathlib import Path

from mockserver.engine.provider import Handler
from mockserver.providers import generic

SPEC_FILE = Path(__file__).with_name("spec.yaml")

# operationId -> a handler of your own, in place of the generic one.
HANDLERS: dict[str, Handler] = {}

PROVIDER = generic.provider("petstore", "Petstore", SPEC_FILE, handlers=HANDLERS)
