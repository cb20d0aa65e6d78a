"""The outcome of running theorems: :class:`TheoremResult`, :class:`CheckReport`, their JSON and text.

A theorem *passes* when ``verdict in (expected, "skipped")``: a skipped theorem
(its evidence needs an optional package that is not installed) is not a
failure, and not a pass of its claim. :meth:`CheckReport.summary` counts the
verdicts and, among the proved claims, those with a certificate the kernel
replayed (``data["replayed"]``) and those without one, by what they rest on; a claim proved from fact
certificates (:mod:`symconv.library.facts`) lists them in ``data["replayed_facts"]`` and the steps beyond
them in ``data["rests_on"]``.
:func:`format_table` and :func:`format_failure` are the text the CLI prints.

>>> r = TheoremResult("noble", None, ("C1",), "proved", "refuted", 0.0, "", statement="a == b")
>>> r.passed, format_failure(r).splitlines()[0]
(False, 'FAILED noble (?): expected proved, got refuted')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

__all__ = ["SKIPPED", "TheoremResult", "CheckReport", "jsonable", "format_table", "format_failure"]

#: The verdict of a theorem whose evidence needs an optional package that is not installed.
SKIPPED = "skipped"


@dataclass(frozen=True)
class TheoremResult:
    """The outcome of one theorem: its verdict against the expected one, and why."""

    name: str
    file: Optional[str]
    claims: tuple[str, ...]
    expected: str
    verdict: str
    seconds: float
    note: str
    kind: str = "identity"
    statement: str = ""
    detail: str = ""
    counterexample: Optional[dict] = None
    data: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """The expected verdict, or ``skipped`` (nothing was checked, so nothing failed)."""
        return self.verdict in (self.expected, SKIPPED)

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "file": self.file,
            "claims": list(self.claims),
            "verdict": self.verdict,
            "expected": self.expected,
            "passed": self.passed,
            "seconds": round(self.seconds, 4),
            "note": self.note,
            "kind": self.kind,
            "statement": self.statement,
            "detail": self.detail,
            "counterexample": self.counterexample,
            "data": jsonable(self.data),
        }


def jsonable(value):
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return v if math.isfinite(v) else str(v)
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return int(value)
    if value is None or isinstance(value, (bool, str)):
        return value
    return str(value)


@dataclass(frozen=True)
class CheckReport:
    """The results of a run over theorem files."""

    results: tuple[TheoremResult, ...]
    seconds: float
    files: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def failures(self) -> tuple[TheoremResult, ...]:
        return tuple(r for r in self.results if not r.passed)

    def summary(self) -> dict:
        by_verdict: dict[str, int] = {}
        for r in self.results:
            by_verdict[r.verdict] = by_verdict.get(r.verdict, 0) + 1
        proved = [r for r in self.results if r.verdict == "proved"]
        uncertified = [r for r in proved if "replayed" not in r.data]
        return {"total": len(self.results), "passed": sum(r.passed for r in self.results),
                "failed": len(self.failures), "verdicts": by_verdict, "files": len(self.files),
                "seconds": round(self.seconds, 3),
                # proved claims with a certificate (identities, length formulas, check= claims whose identity
                # and length parts are certified), those the kernel replayed (every one must be), and proved
                # claims without one (expectations, other check= functions, lengths at listed n), which rest
                # on their own exact check
                "replayed": sum(r.data.get("replayed") is True for r in proved),
                "certified": sum("replayed" in r.data for r in proved),
                "proved_identities": sum("replayed" in r.data for r in proved if r.kind == "identity"),
                "proved_length_formulas": sum("replayed" in r.data for r in proved if r.kind == "shapes"),
                "proved_without_certificate": len(uncertified),
                # certified claims whose check= also establishes parts that are no identity (a minimality, a
                # closed form of a length): those parts rest on the check's exact computation
                "certified_with_custom_check": sum("replayed" in r.data for r in proved
                                                   if r.data.get("custom_check")),
                # what rests outside the kernel: proved by a check= function alone, or by a built-in exact
                # argument without a certificate (an expectation's SymPy proof, lengths at listed n); the names
                # let a user see exactly which claims
                "proved_by_custom_check": sum(bool(r.data.get("custom_check")) for r in uncertified),
                "proved_by_exact_argument": sum(not r.data.get("custom_check") for r in uncertified),
                "proved_without_certificate_names": sorted(r.name for r in uncertified),
                # certified claims whose exact facts (identities, Gaussian moments, root counts, signs) are fact
                # certificates the kernel replayed; the steps beyond them are named in each theorem's rests_on
                "proved_with_fact_certificates": sum(bool(r.data.get("replayed_facts"))
                                                     and r.data.get("replayed") is True for r in proved)}

    def to_json(self) -> dict:
        return {"theorems": [r.to_json() for r in self.results], "summary": self.summary()}


# --- text -------------------------------------------------------------------------------------

def format_table(report: CheckReport) -> str:
    """One row per theorem (name, claims, verdict, seconds) and a summary line."""
    rows = [("theorem", "claims", "verdict", "seconds")]
    for r in report.results:
        verdict = r.verdict if r.passed else f"{r.verdict} (expected {r.expected})  FAIL"
        rows.append((r.name, ",".join(r.claims) or "-", verdict, f"{r.seconds:.2f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:<{widths[2]}}  {d:>7}" for a, b, c, d in rows]
    lines.insert(1, "-" * len(lines[0]))
    s = report.summary()
    counts = ", ".join(f"{v} {k}" for k, v in sorted(s["verdicts"].items()))
    lines.append("")
    lines.append(f"{s['total']} theorem(s) in {s['files']} file(s): {counts}; "
                 f"{s['failed']} not as expected; {s['replayed']} of {s['certified']} certified proofs "
                 f"replayed by the kernel ({s['proved_identities']} identities, {s['proved_length_formulas']} "
                 f"length formulas); {s['proved_without_certificate']} proved outside the kernel "
                 f"({s['proved_by_custom_check']} by check= functions); {s['seconds']:.1f} s")
    lines += [f"skipped {r.name}: {r.detail}" for r in report.results if r.verdict == SKIPPED]
    for r in report.failures:
        lines.append("")
        lines.append(format_failure(r))
    return "\n".join(lines)


def format_failure(r: TheoremResult) -> str:
    """What a failing theorem states, what it expected, what was found and the counterexample."""
    lines = [f"FAILED {r.name} ({r.file or '?'}): expected {r.expected}, got {r.verdict}",
             f"  statement: {r.statement}"]
    if r.detail:
        lines.append(f"  found: {r.detail}")
    if r.counterexample:
        from symconv.prover.display import example_lines

        lines += ["  " + line for line in example_lines(r.counterexample)]
    if r.note:
        lines.append(f"  note: {r.note}")
    return "\n".join(lines)
