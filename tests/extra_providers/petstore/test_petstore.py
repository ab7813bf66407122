"""Petstore: every collection of the spec keeps what is written to it, through the
provider's own API (the generic handlers, until the provider has its own)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver.providers.generic import Operation, Spec, sample_body
from mockserver.testing import Emulator

SPEC = Spec(Path(__file__).with_name("spec.yaml"))
CREATES = [op for op in SPEC.operations() if op.method == "POST" and not op.is_item and "{" not in op.path]


@pytest.mark.parametrize("create", CREATES, ids=[op.operation_id for op in CREATES])
def test_a_record_created_is_read_listed_and_deleted(mockserver: Emulator, create: Operation) -> None:
    api = mockserver.account("petstore").session()
    made = api.post(create.path, json=sample_body(SPEC, create))
    assert made.status_code == create.success, made.text
    item = f"{create.path}/{made.json()['id']}"
    assert api.get(item).json() == made.json()
    assert made.json() in SPEC.items_of(api.get(create.path).json())
    assert api.delete(item).status_code < 300
    assert api.get(item).status_code == 404
