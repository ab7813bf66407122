"""What the contract suite knows of the real Petstore: read from its spec here; correct it
where the real API says otherwise (its error body, the statuses of refused business rules)."""

from __future__ import annotations

from pathlib import Path

from mockserver.contract.profiles import profile_from_spec

PROFILE = profile_from_spec("petstore", "Petstore", Path(__file__).with_name("spec.yaml"))
