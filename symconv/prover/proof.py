"""``prove(lhs, rhs)``: the verdict, its steps, a counterexample or a numeric check.

The Proof object is plain immutable data: ``verdict`` is ``proved`` (the
linear fragment, decided for every n), ``refuted`` (always with a
re-verified counterexample), ``checked`` (nonlinear chains: numeric evidence
only) or ``unknown`` (the procedure could not decide; numeric evidence is
still attached).

>>> p = prove("conv(k[3], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)")
>>> p.verdict
'proved'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence, Union

import sympy

from symconv.core.layers import Layer
from symconv.errors import CertificateError
from symconv.numeric.check import NumericReport, compare_chains
from symconv.prover.certificate import Certificate, check_certificate
from symconv.prover.certify import certificate_for
from symconv.prover.counterexample import Counterexample, find_counterexample, find_numeric_counterexample
from symconv.prover.decide import Decision, decide
from symconv.prover.describe import branch_taps, closed_length, describe_interior, length_formula, poly_latex

__all__ = ["Proof", "ProofStep", "prove", "EXIT_CODES"]

#: Exit codes of ``symconv prove`` by verdict (DESIGN §5).
EXIT_CODES = {"proved": 0, "checked": 0, "refuted": 1, "unknown": 3}


@dataclass(frozen=True)
class ProofStep:
    """One step: the rule (lemma) used and the statement it establishes."""

    rule: str
    statement: str
    latex: str = ""

    def to_json(self) -> dict:
        return {"rule": self.rule, "statement": self.statement, "latex": self.latex}


@dataclass(frozen=True)
class Proof:
    """The outcome of ``prove``; see the module docstring."""

    lhs: Layer
    rhs: Layer
    verdict: str
    steps: tuple[ProofStep, ...] = ()
    counterexample: Optional[Counterexample] = None
    numeric: Optional[NumericReport] = None
    solutions: dict = field(default_factory=dict)
    note: str = ""
    certificate: Optional["Certificate"] = None
    decision: Optional[Decision] = field(default=None, compare=False, repr=False)
    #: Declared input bounds (``--assume``) the verdict rests on; empty for unconditional verdicts.
    assumptions: tuple = ()

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    def to_json(self) -> dict:
        return {
            "verdict": self.verdict,
            "lhs": repr(self.lhs),
            "rhs": repr(self.rhs),
            "solutions": {k: [str(t) for t in v] for k, v in self.solutions.items()},
            "steps": [s.to_json() for s in self.steps],
            "counterexample": self.counterexample.to_json() if self.counterexample else None,
            "numeric": self.numeric.to_json() if self.numeric else None,
            "note": self.note,
            **({"assumptions": [a.text for a in self.assumptions]} if self.assumptions else {}),
        }

    def __str__(self) -> str:
        lines = [f"{self.verdict}: {self.lhs!r}  ==  {self.rhs!r}"]
        if self.assumptions:
            lines.append("  assuming " + ", ".join(str(a) for a in self.assumptions))
        for s in self.steps:
            lines.append(f"  [{s.rule}] {s.statement}")
        if self.counterexample:
            c = self.counterexample
            def text(v):
                return [text(u) for u in v] if isinstance(v, (list, tuple)) else str(v)
            lines.append(f"  counterexample: n={c.n}, input={text(c.input)}, kernels={c.kernels}")
            lines.append(f"    lhs -> {text(c.lhs)}")
            lines.append(f"    rhs -> {text(c.rhs)}")
            lines.append(f"    first difference at index {c.index}")
        if self.numeric:
            lines.append(
                f"  numeric: {self.numeric.trials} trials, max |error| {self.numeric.max_abs_error:.3g} "
                f"(tolerance {self.numeric.tolerance:.3g})"
            )
        if self.note:
            lines.append(f"  note: {self.note}")
        return "\n".join(lines)

    def _repr_latex_(self) -> str:
        from symconv.report.latex import proof_latex

        return proof_latex(self)


def _as_layers(lhs: Union[str, Layer], rhs: Union[str, Layer]) -> tuple[Layer, Layer]:
    if isinstance(lhs, str) or isinstance(rhs, str):
        from symconv.dsl import parse_statement

        texts = [lhs if isinstance(lhs, str) else repr(lhs), rhs if isinstance(rhs, str) else repr(rhs)]
        return parse_statement(*texts)
    return lhs, rhs


def _numeric_lengths(limit: int) -> list[int]:
    """Every length up to the bound (capped) and two past it."""
    small = list(range(1, min(limit + 2, 48) + 1))
    return small + [limit + 3, 2 * limit + 5]


#: Longer kernels are not written out inside a step's one-line formula.
MAX_INLINE_TAPS = 4


def _interior_latex(nf) -> str:
    """``K(z) = ...`` for a one-branch, one-channel interior operator ('' otherwise)."""
    op = nf.interior()
    if op.out_period != 1 or op.out_channels != 1 or op.in_channels != 1:
        return ""
    start, taps = branch_taps(op, nf.ring)
    step = "" if op.in_period == 1 else f"{op.in_period} "
    head = f"y[i] = \\sum_t K[t]\\, x[{step}i + t]"
    if len(taps) > MAX_INLINE_TAPS:
        return f"{head}, \\quad K \\text{{ with {len(taps)} taps}}"
    return f"\\begin{{gathered}} {head}, \\\\ K(z) = {poly_latex(taps, start)} \\end{{gathered}}"


def _length_latex(nf, bound) -> str:
    fitted = closed_length(nf, bound.start, bound.period)
    if fitted is None:
        return ""
    expr, n_min = fitted
    return f"m(n) = {sympy.latex(expr)} \\quad (n \\ge {n_min}),\\ m(n) = 0 \\text{{ below}}"


def _steps(decision: Decision) -> tuple[ProofStep, ...]:
    lnf, rnf, bound = decision.lhs, decision.rhs, decision.bound
    steps = []
    for side, nf in (("lhs", lnf), ("rhs", rnf)):
        if nf.input_flip or any(type(s).__name__ == "Flip" for s in nf.source.layers()):
            steps.append(ProofStep("flip_conjugation", f"{side}: every flip() moved to the input"))
        steps.append(ProofStep("normal_form", f"{side} = {nf.source!r}: interior operator {describe_interior(nf)}",
                               _interior_latex(nf)))
    steps.append(ProofStep("interior_equal", "the interior operators are equal as exact polynomials in the taps"))
    horizon = bound.limit + bound.period
    steps.append(ProofStep(
        "output_length",
        f"output length {length_formula(lnf, bound.start, bound.period)} on both sides: the lengths are equal "
        f"for every n < {horizon} and both grow by the same amount when n grows by {bound.period}, so they are "
        f"equal for every n",
        _length_latex(lnf, bound),
    ))
    if decision.brute_force:
        steps.append(ProofStep(
            "boundary_bound",
            f"the outputs are equal for every n < {bound.limit} (boundary bound n0 = {bound.start}, period "
            f"{bound.period}); by eventual periodicity they are equal for every n",
        ))
    else:
        steps.append(ProofStep("no_inner_edge", "no output reads across an inner window edge, so every output "
                                                "is the interior operator applied to the zero-extended input"))
    return tuple(steps)


def _residue_steps(decision: Decision) -> tuple[ProofStep, ...]:
    """Steps of a proof by residue classes (flips across strided layers)."""
    first = decision.residue_classes[0]
    steps = [ProofStep("flip_phase", "a flip() crosses down(s, q) as down(s, (m - 1 - q) mod s), m the length "
                                     "reaching it; strided layers are stride 1 then down"),
             ProofStep("small_lengths", f"the outputs are equal for every n < {first.start} (checked directly)")]
    for c in decision.residue_classes:
        steps.append(ProofStep(
            "residue_class",
            f"n = {c.residue} mod {c.period}, n >= {c.start}: lhs = {c.lhs!r}, rhs = {c.rhs!r}; equal interior "
            f"operators and lengths, equal outputs for every such n < {c.limit}, so for every such n "
            f"(eventual periodicity)"))
    return tuple(steps)


def prove(lhs: Union[str, Layer], rhs: Union[str, Layer], solve: Sequence[str] = (), seed: int = 0,
          assume: Sequence[str] = ()) -> Proof:
    """Prove or refute ``lhs == rhs`` for every input length.

    ``solve`` names kernels whose taps are unknowns: they are solved for
    (``Proof.solutions``) before the identity is decided. ``assume`` declares
    input bounds such as ``"abs(x) <= B"``; the verdict then holds for the
    inputs that meet them (:mod:`symconv.prover.assumed`).
    """
    if assume:
        if solve:
            from symconv.errors import InvalidArgument

            raise InvalidArgument("prove", "solve", list(solve), "no unknowns together with --assume")
        from symconv.prover.assumed import prove_assuming

        return prove_assuming(lhs, rhs, assume, seed=seed)
    if solve:
        from symconv.prover.solve import prove_with_unknowns

        return prove_with_unknowns(lhs, rhs, list(solve), seed=seed)
    lhs, rhs = _as_layers(lhs, rhs)
    if lhs.ndim == 2 or rhs.ndim == 2:
        from symconv.prover.proof2d import prove_2d

        return prove_2d(lhs, rhs, seed)
    channels = lhs.in_channels or rhs.in_channels or 1
    if not (lhs.linear and rhs.linear):
        return _prove_nonlinear(lhs, rhs, channels, seed)
    from symconv.prover.generic_proof import generic_sizes, prove_generic

    if generic_sizes(lhs, rhs):
        return prove_generic(lhs, rhs, seed)
    decision = decide(lhs, rhs)
    limit = decision.bound.limit if decision.bound else max([16] + [c.limit for c in decision.residue_classes])
    if decision.verdict == "refuted":
        example = find_counterexample(lhs, rhs, decision.lhs, decision.rhs, decision.witness_n, seed=seed)
        if example is None:
            return Proof(lhs, rhs, "unknown", note=f"{decision.reason}, but no small counterexample was found",
                         decision=decision)
        return Proof(lhs, rhs, "refuted", counterexample=example, note=decision.reason, decision=decision)
    report = compare_chains(lhs, rhs, _numeric_lengths(limit), trials_per_length=1, seed=seed, channels=channels)
    if decision.verdict == "unknown":
        example = find_numeric_counterexample(lhs, rhs, range(0, 25), seed=seed)
        if example is not None:
            return Proof(lhs, rhs, "refuted", counterexample=example, numeric=report,
                         note=f"found by exact numeric search ({decision.reason})", decision=decision)
        return Proof(lhs, rhs, "unknown", numeric=report, note=decision.reason, decision=decision)
    if not report.agrees:
        raise AssertionError(f"proved but numerically different: {report.mismatch}")
    note = decision.reason
    steps = _residue_steps(decision) if decision.residue_classes else _steps(decision)
    if not _expressible(lhs, rhs):
        return Proof(lhs, rhs, "proved", steps=steps, numeric=report, decision=decision,
                     note=note + "; no certificate: a side uses a derived closed-form kernel, which the "
                                 "DSL (and so the checker) cannot read")
    certificate = certificate_for(decision)
    if limit <= MAX_REPLAYED_LIMIT:
        try:
            check_certificate(certificate)
        except CertificateError as err:
            return Proof(lhs, rhs, "unknown", numeric=report, decision=decision,
                         note=f"the decision procedure said proved but its certificate was rejected ({err}); "
                              f"please report this")
        note += "; certificate replayed with the core semantics"
    else:
        note += f"; certificate not replayed here (it needs n < {limit}; use symconv recheck)"
    return Proof(lhs, rhs, "proved", steps=steps, numeric=report, note=note,
                 certificate=certificate, decision=decision)


def _expressible(lhs: Layer, rhs: Layer) -> bool:
    """Whether the statement's repr reads back as DSL (a closed-form kernel does when its taps are
    polynomials in the taps of kernels the statement names; 2-D ones never do)."""
    from symconv.core.kernel2d import DerivedKernel2d
    from symconv.dsl import parse_statement
    from symconv.errors import SymconvError

    def derived2d(k) -> bool:
        return isinstance(k, DerivedKernel2d) or any(
            derived2d(getattr(k, f)) for f in ("kernel", "a", "b") if hasattr(k, f))

    if any(derived2d(k) for layer in (lhs, rhs) for k in layer.kernels()):
        return False
    try:
        return tuple(map(repr, parse_statement(repr(lhs), repr(rhs)))) == (repr(lhs), repr(rhs))
    except SymconvError:
        return False


#: ``prove`` replays the certificate itself when it asks for no more lengths than this.
MAX_REPLAYED_LIMIT = 24


#: Kernel lengths at which a nonlinear statement with a generic length is checked.
NONLINEAR_GENERIC_SIZES = range(1, 7)


def _prove_nonlinear(lhs: Layer, rhs: Layer, channels: int, seed: int) -> Proof:
    """Chains with nonlinear layers: refuted by an exact numeric counterexample, else checked.

    A generic length is checked at each of :data:`NONLINEAR_GENERIC_SIZES` (numeric evidence says
    nothing about the lengths it did not try)."""
    from symconv.prover.generic_proof import generic_sizes

    names = generic_sizes(lhs, rhs)
    instances = [{name: value for name in names} for value in NONLINEAR_GENERIC_SIZES] if names else [None]
    for sizes in instances:
        example = find_numeric_counterexample(lhs, rhs, range(0, 33), seed=seed, trials=3, sizes=sizes)
        report = compare_chains(lhs, rhs, range(1, 33), trials_per_length=3, seed=seed, channels=channels,
                                sizes=sizes)
        where = f" (with {', '.join(f'{k} = {v}' for k, v in sizes.items())})" if sizes else ""
        if example is not None:
            return Proof(lhs, rhs, "refuted", counterexample=example, numeric=report,
                         note=f"found by exact numeric search{where}")
        if not report.agrees:
            return Proof(lhs, rhs, "refuted", numeric=report, note=f"numeric mismatch {report.mismatch}{where}")
    scope = f" at {', '.join(names)} = {NONLINEAR_GENERIC_SIZES.start}..{NONLINEAR_GENERIC_SIZES.stop - 1}" \
        if names else ""
    return Proof(lhs, rhs, "checked", numeric=report, note=f"nonlinear layers: numeric evidence only{scope}")
