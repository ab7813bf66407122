"""What a contract run found: drift findings, notes, the summary a person reads and the JUnit
report a CI reads."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

# What each part of a run counts in the summary.
_UNITS = {"paging": "list(s)", "fuzzing": "operation(s)", "webhooks": "event(s)"}


@dataclass(frozen=True)
class Finding:
    """One way the server disagrees with the spec."""

    part: str  # which part of the run saw it: "fuzzing", "paging", "webhooks", "cleanup"
    operation: str  # "GET /api/contacts", or a scenario's name
    kind: str  # short and stable: "undocumented status", "schema mismatch", "missing header"...
    detail: str  # one line: what exactly, with the JSON path where there is one
    evidence: str = ""  # how to see it again (a request, a response excerpt)
    key: str = ""  # what makes two findings the same drift (default: the detail)


@dataclass
class Verdict:
    provider: str
    title: str
    base_url: str
    allow_writes: bool
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was not checked, and why
    # A part that could not run at all: the verdict is not a verdict (exit status 2).
    incomplete: list[str] = field(default_factory=list)
    checked: dict[str, list[str]] = field(default_factory=dict)  # part -> what it checked

    @property
    def drifted(self) -> bool:
        return bool(self.findings)

    def add(self, finding: Finding) -> None:
        """Keep one finding per problem: the same drift seen by many requests is one drift."""

        def identity(f: Finding) -> tuple[str, str, str, str]:
            return (f.part, f.operation, f.kind, f.key or f.detail)

        if all(identity(f) != identity(finding) for f in self.findings):
            self.findings.append(finding)

    def by_operation(self) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = defaultdict(list)
        for finding in self.findings:
            grouped[finding.operation].append(finding)
        return dict(sorted(grouped.items()))

    def summary(self, report: Path | None = None) -> str:
        mode = "reads and writes" if self.allow_writes else "read-only"
        lines = [f"Contract of {self.title} at {self.base_url} ({mode})"]
        for part, items in self.checked.items():
            lines.append(f"  {part}: {len(items)} {_UNITS.get(part, 'item(s)')} checked")
        for note in self.notes:
            lines.append(f"  note: {note}")
        for reason in self.incomplete:
            lines.append(f"  NOT CHECKED: {reason}")
        grouped = self.by_operation()
        if grouped:
            lines.append("")
            lines.append(f"DRIFT in {len(grouped)} operation(s):")
            for operation, findings in grouped.items():
                lines.append(f"  {operation}")
                for finding in findings:
                    lines.append(f"    - {finding.kind}: {finding.detail}  [{finding.part}]")
        lines.append("")
        if grouped:
            verdict = f"Verdict: {len(self.findings)} drift(s) in {len(grouped)} operation(s)"
        elif self.incomplete:
            verdict = "Verdict: none, the check did not run in full"
        else:
            verdict = "Verdict: no drift found"
        if report is not None:
            verdict += f" (JUnit report: {report})"
        lines.append(verdict)
        return "\n".join(lines)

    def write_junit(self, path: Path) -> None:
        """One test suite per part of the run, one test case per operation or scenario it
        checked; a case fails with the findings about it."""
        root = ET.Element("testsuites", name=f"mockserver contract {self.provider}")
        parts = dict.fromkeys([*self.checked, *(f.part for f in self.findings)])
        for part in parts:
            checked = self.checked.get(part, [])
            findings = [f for f in self.findings if f.part == part]
            cases = list(dict.fromkeys([*checked, *(f.operation for f in findings)]))
            failed = {f.operation for f in findings}
            suite = ET.SubElement(
                root,
                "testsuite",
                name=f"{self.provider}.{part}",
                tests=str(len(cases)),
                failures=str(len(failed)),
                errors="0",
                skipped="0",
            )
            if self.notes:
                properties = ET.SubElement(suite, "properties")
                for note in self.notes:
                    ET.SubElement(properties, "property", name="note", value=note)
            for case in cases:
                element = ET.SubElement(suite, "testcase", classname=f"{self.provider}.{part}", name=case)
                about = [f for f in findings if f.operation == case]
                if about:
                    failure = ET.SubElement(element, "failure", message="; ".join(f"{f.kind}: {f.detail}" for f in about))
                    failure.text = "\n\n".join(f"{f.kind}: {f.detail}\n{f.evidence}".rstrip() for f in about)
        tree = ET.ElementTree(root)
        ET.indent(tree)
        path.parent.mkdir(parents=True, exist_ok=True)
        tree.write(path, encoding="utf-8", xml_declaration=True)
