"""The contract: each part of `mockserver contract` as a test per provider. A failing test
prints the drift summary: what differs from the spec, where, and how to see it again."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.targets import Target
from mockserver.contract.findings import Verdict
from mockserver.contract.fuzz import FuzzOptions
from mockserver.contract.runner import ContractOptions, run_contract
from mockserver.contract.webhooks import ReceiverOptions


def _run(target: Target, part: str, work_dir: Path) -> Verdict:
    options = ContractOptions(
        provider=target.provider,
        base_url=target.base_url,
        api_key=target.api_key,
        allow_writes=target.allow_writes,
        # A fixed seed on the emulator makes CI reproducible; a live account gets fresh data each run.
        # The emulator's account is disposable: generated deletes may hit its demo records too.
        fuzz=FuzzOptions(
            max_examples=target.max_examples, seed=20261123 if target.emulated else None, protect_existing=not target.emulated
        ),
        webhooks=ReceiverOptions(wait=10.0 if target.emulated else 30.0),
        parts=(part,),
        work_dir=work_dir,
    )
    verdict = run_contract(options)
    (work_dir / "summary.txt").write_text(verdict.summary() + "\n", encoding="utf-8")
    return verdict


def _explain(verdict: Verdict) -> str:
    """The drift summary, then how to see each drift again."""
    evidence = [f"{f.operation}: {f.kind}\n{f.evidence}" for f in verdict.findings if f.evidence]
    return "\n\n".join([verdict.summary(), *evidence])


def test_every_list_pages_cleanly(target: Target, tmp_path: Path) -> None:
    """Walking every page of every list returns each record once, with the documented paging."""
    verdict = _run(target, "paging", tmp_path)
    assert verdict.checked.get("paging"), "no list was walked"
    assert not verdict.drifted and not verdict.incomplete, _explain(verdict)


def test_generated_requests_conform(target: Target, tmp_path: Path) -> None:
    """Schemathesis' positive, negative and stateful requests (following the spec's links),
    every check on, plus native error bodies and empty 204s."""
    verdict = _run(target, "fuzzing", tmp_path)
    assert verdict.checked.get("fuzzing"), f"schemathesis tested nothing; see {tmp_path / 'schemathesis.log'}"
    assert not verdict.drifted and not verdict.incomplete, _explain(verdict)


@pytest.mark.providers_with("webhook_scenario")
def test_promised_webhooks_arrive_signed(target: Target, tmp_path: Path) -> None:
    """The events an operation promises are delivered, signed, with the documented payload
    (for the providers whose profile has a webhook scenario: Yulsn sends no webhooks)."""
    if not target.allow_writes:
        pytest.skip("webhooks need writes: give --contract-allow-writes")
    verdict = _run(target, "webhooks", tmp_path)
    assert verdict.checked.get("webhooks"), verdict.summary()
    assert not verdict.drifted and not verdict.incomplete, _explain(verdict)
