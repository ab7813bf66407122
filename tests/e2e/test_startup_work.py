"""Spec parsing and validator construction happen at start-up, never per request."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.engine import spec as spec_module
from mockserver.testing import ApiSession


def test_requests_build_no_validator_and_read_no_spec(systeme: ApiSession, monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*_: Any, **__: Any) -> Any:
        raise AssertionError("spec work during a request")

    monkeypatch.setattr(spec_module.oas31_schema_validators_factory, "create", forbidden)
    monkeypatch.setattr(spec_module, "read_yaml", forbidden)
    monkeypatch.setattr(spec_module, "load_spec", forbidden)

    created = systeme.post("/api/contacts", json={"email": "lean@gmail.com"})
    assert created.status_code == 201
    assert systeme.get("/api/contacts", params={"limit": 10}).status_code == 200
    assert systeme.merge_patch(f"/api/contacts/{created.json()['id']}", {"locale": "fr"}).status_code == 200
    assert systeme.post("/api/contacts", json={"email": 5}).status_code == 422
