"""``prove(lhs, rhs)``: the verdict, its steps, a counterexample or a numeric check.

The Proof object (:mod:`symconv.prover.proof_result`) is plain immutable data:
``verdict`` (a :class:`Verdict`) is ``proved`` (the linear fragment, decided for every n, and made only from a
:class:`~symconv.checker.Theorem` of the kernel, which replayed the search's
certificate: :func:`proved_by_kernel`), ``refuted`` (always with a
re-verified counterexample), ``checked`` (nonlinear chains: numeric evidence
only) or ``unknown`` (the procedure could not decide; numeric evidence is
still attached).

>>> p = prove("conv(k[3], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)")
>>> p.verdict
'proved'
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

from symconv.checker import Certificate, Verdict, replay
from symconv.core.layers import Layer
from symconv.core.output_length import generic_sizes
from symconv.errors import CertificateError
from symconv.numeric.check import compare_chains, evidence_lengths
from symconv.prover.certify import certificate_for
from symconv.prover.decide import Decision, decide
from symconv.prover.describe import (branch_coefficients, closed_length_latex, describe_interior, length_formula,
                                     poly_latex)
from symconv.prover.proof_result import EXIT_CODES, Proof, ProofStep, ToleranceBound  # noqa: F401 (re-exported)

__all__ = ["Proof", "ProofStep", "ToleranceBound", "prove", "proved_by_kernel", "Verdict", "EXIT_CODES"]

def as_layers(lhs: Union[str, Layer], rhs: Union[str, Layer]) -> tuple[Layer, Layer]:
    if isinstance(lhs, str) or isinstance(rhs, str):
        from symconv.dsl import parse_statement

        texts = [lhs if isinstance(lhs, str) else repr(lhs), rhs if isinstance(rhs, str) else repr(rhs)]
        return parse_statement(*texts)
    from symconv.core.composite import on_statement_axes

    return on_statement_axes((lhs, rhs))


def numeric_lengths(limit: int) -> list[int]:
    """Every length up to the bound (capped) and two past it."""
    small = list(range(0, min(limit + 2, 48) + 1))
    return small + [limit + 3, 2 * limit + 5]


#: Longer kernels are not written out inside a step's one-line formula.
MAX_INLINE_TAPS = 4


def _interior_latex(nf) -> str:
    """``K(z) = ...`` for a one-branch, one-channel interior operator ('' otherwise)."""
    op = nf.interior()
    if op.out_period != 1 or op.out_channels != 1 or op.in_channels != 1:
        return ""
    start, taps = branch_coefficients(op)
    step = "" if op.in_period == 1 else f"{op.in_period} "
    head = f"y[i] = \\sum_t K[t]\\, x[{step}i + t]"
    if len(taps) > MAX_INLINE_TAPS:
        return f"{head}, \\quad K \\text{{ with {len(taps)} taps}}"
    return f"\\begin{{gathered}} {head}, \\\\ K(z) = {poly_latex(taps, start)} \\end{{gathered}}"


def _length_latex(nf, bound) -> str:
    fitted = closed_length_latex(nf, bound.start, bound.period)
    if fitted is None:
        return ""
    latex, n_min = fitted
    return f"m(n) = {latex} \\quad (n \\ge {n_min}),\\ m(n) = 0 \\text{{ below}}"


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
          assume: Sequence[str] = (), atol=None, rtol=None) -> Proof:
    """Prove or refute ``lhs == rhs`` for every input length.

    ``solve`` names kernels whose taps are unknowns: they are solved for
    (``Proof.solutions``) before the identity is decided. ``assume`` declares
    input bounds such as ``"abs(x) <= B"``; the verdict then holds for the
    inputs that meet them (:mod:`symconv.prover.assumed`). A side may be a
    ``torch.nn.Module``: it is read with :func:`symconv.from_torch`.
    ``atol``/``rtol`` (numbers or text such as ``"1e-5"``, ``"1/100000"``):
    ``proved`` then means every output differs by at most ``atol + rtol * R``
    for every n and every input with ``|x| <= 1``, with the exact worst-case
    gain in the steps (:mod:`symconv.prover.tolerance`).
    """
    if not isinstance(lhs, (str, Layer)) or not isinstance(rhs, (str, Layer)):
        from symconv.interop import as_layer

        lhs, rhs = as_layer(lhs, "prove lhs"), as_layer(rhs, "prove rhs")
    if atol is not None or rtol is not None:
        if solve or assume:
            from symconv.errors import InvalidArgument

            given = "solve" if solve else "assume"
            raise InvalidArgument("prove", given, list(solve or assume), "nothing together with atol/rtol")
        from symconv.prover.tolerance import prove_within

        return prove_within(lhs, rhs, atol, rtol, seed=seed)
    if assume:
        if solve:
            from symconv.errors import InvalidArgument

            raise InvalidArgument("prove", "solve", list(solve), "no unknowns together with --assume")
        from symconv.prover.assumed import prove_assuming

        return prove_assuming(lhs, rhs, assume, seed=seed)
    if solve:
        from symconv.prover.solve import prove_with_unknowns

        return prove_with_unknowns(lhs, rhs, list(solve), seed=seed)
    lhs, rhs = as_layers(lhs, rhs)
    from symconv.prover.rewrites import prove_after_rewrites
    from symconv.prover.shared_layers import prove_by_shared_layers, worth_splitting

    generic_nd = (lhs.ndim >= 2 or rhs.ndim >= 2) and bool(generic_sizes(lhs, rhs))
    if generic_nd:  # as the 1-D splits do: LengthMismatch where a sum's branches differ at some size
        from symconv.prover.shared_layers import check_sum_lengths

        check_sum_lengths(lhs, rhs)
    large = worth_splitting(lhs, rhs)
    if generic_nd or large:  # identity layers left out, sums of convolutions merged: first, where they save most
        simpler = prove_after_rewrites(lhs, rhs, seed)
        if simpler is not None:
            return simpler
    split_first = not generic_nd and (lhs == rhs or large)
    if split_first:
        shared = prove_by_shared_layers(lhs, rhs, seed)
        if shared is not None:
            return shared
    proof = _prove_layers(lhs, rhs, seed, generic_nd)
    if proof.verdict == Verdict.UNKNOWN:  # a simpler statement, or what differs between shared layers, may be decided
        simpler = None if generic_nd or large else prove_after_rewrites(lhs, rhs, seed)
        if simpler is not None:
            return simpler
        # generic N-D: prove_generic_nd tried shared layers before deciding value by value
        shared = None if split_first or generic_nd else prove_by_shared_layers(lhs, rhs, seed)
        if shared is not None and shared.verdict == Verdict.PROVED:
            return shared
    return proof


def _prove_layers(lhs: Layer, rhs: Layer, seed: int, generic_nd: bool) -> Proof:
    """:func:`prove` of two core layers (no unknowns, assumptions or tolerance), by the first route that applies."""
    if generic_nd:  # k[c, 3]: for every c by the kernel's generic_interior_nd, else decided at each c = 1..8
        from symconv.prover.generic_nd import prove_generic_nd

        return prove_generic_nd(lhs, rhs, seed)
    if not (lhs.linear and rhs.linear):
        from symconv.prover.congruence import prove_by_congruence

        congruent = prove_by_congruence(lhs, rhs, seed)
        if congruent is not None:
            return congruent
    from symconv.prover.affine import has_affine, prove_with_affine_as_convolution

    if has_affine(lhs) or has_affine(rhs):
        rewritten = prove_with_affine_as_convolution(lhs, rhs, seed)
        if rewritten is not None:
            return rewritten
    if lhs.ndim >= 2 or rhs.ndim >= 2:
        from symconv.prover.factored import prove_by_factors
        from symconv.prover.proof_nd import prove_nd

        factored = prove_by_factors(lhs, rhs, seed)  # deep N-D conv chains: O(L) per axis, no exact expansion
        if factored is None:
            from symconv.prover.factored import refute_before_deciding

            factored = refute_before_deciding(lhs, rhs, seed)  # deep chains with channels: a difference shows fast
        return factored if factored is not None else prove_nd(lhs, rhs, seed)
    channels = lhs.in_channels or rhs.in_channels or 1
    if not (lhs.linear and rhs.linear):
        from symconv.prover.relu_pairs import prove_by_relu_pairing

        paired = prove_by_relu_pairing(lhs, rhs, seed)
        return paired if paired is not None else _prove_nonlinear(lhs, rhs, channels, seed)
    if generic_sizes(lhs, rhs):
        from symconv.prover.generic_proof import prove_generic

        return prove_generic(lhs, rhs, seed)
    from symconv.prover.factored import prove_by_factors, refute_before_deciding

    factored = prove_by_factors(lhs, rhs, seed)  # deep conv chains: O(L), no exact expansion
    if factored is None:
        factored = refute_before_deciding(lhs, rhs, seed)  # deep chains with channels: a difference shows fast
    if factored is not None:
        return factored
    decision = decide(lhs, rhs)
    limit = decision.bound.limit if decision.bound else max([16] + [c.limit for c in decision.residue_classes])
    if decision.verdict == "refuted":
        from symconv.prover.counterexample import find_counterexample

        example = find_counterexample(lhs, rhs, decision.lhs, decision.rhs, decision.witness_n, seed=seed)
        if example is None:
            return Proof(lhs, rhs, "unknown", note=f"{decision.reason}, but no small counterexample was found",
                         decision=decision)
        return Proof(lhs, rhs, "refuted", counterexample=example, note=decision.reason, decision=decision)
    report = compare_chains(lhs, rhs, numeric_lengths(limit), trials_per_length=1, seed=seed, channels=channels)
    if decision.verdict == "unknown":
        from symconv.prover.counterexample import find_numeric_counterexample

        example = find_numeric_counterexample(lhs, rhs, evidence_lengths(lhs, rhs), seed=seed)
        if example is not None:
            return Proof(lhs, rhs, "refuted", counterexample=example, numeric=report,
                         note=f"found by exact numeric search ({decision.reason})", decision=decision)
        return Proof(lhs, rhs, "unknown", numeric=report, note=decision.reason, decision=decision)
    if not report.agrees:
        raise AssertionError(f"proved but numerically different: {report.mismatch}")
    steps = _residue_steps(decision) if decision.residue_classes else _steps(decision)
    return proved_by_kernel(lhs, rhs, certificate_for(decision), steps=steps, numeric=report, note=decision.reason,
                            decision=decision)


def proved_by_kernel(lhs: Layer, rhs: Layer, certificate: Certificate, rests_on: Sequence[str] = (),
                     sides: Optional[tuple[Layer, Layer]] = None, **fields) -> Proof:
    """The kernel replays the search's ``certificate`` of ``lhs == rhs``: ``proved``, or ``unknown`` naming the
    step it rejected (then the search and the kernel disagree: a bug to report).

    The certificate states ``lhs == rhs`` itself, or (with solved names or
    assumptions) the statement the search reduced them to, whose core objects
    ``sides`` may give; ``fields`` are the Proof's other fields (steps,
    numeric, note, ...)."""
    sides = sides or (lhs, rhs)
    sides = sides if (repr(sides[0]), repr(sides[1])) == (certificate.lhs, certificate.rhs) else None
    try:
        theorem = replay(certificate, sides, rests_on)
    except CertificateError as err:
        note = fields.pop("note", "")
        fields.pop("steps", None)
        return Proof(lhs, rhs, Verdict.UNKNOWN, rests_on=tuple(rests_on),
                     note=f"{note}; the search said proved but the kernel rejected its certificate ({err}); "
                          f"please report this", **fields)
    return Proof(lhs, rhs, Verdict.PROVED, theorem=theorem, **fields)


def _expressible(lhs: Layer, rhs: Layer) -> bool:
    """Whether the statement's repr reads back as DSL (a closed-form kernel does when its taps are
    polynomials in the taps of kernels the statement names; N-D ones never do)."""
    from symconv.core.kernel import DerivedKernel
    from symconv.dsl import parse_statement
    from symconv.errors import SymconvError

    def derived_nd(k) -> bool:
        return isinstance(k, DerivedKernel) or any(
            derived_nd(getattr(k, f)) for f in ("kernel", "a", "b") if hasattr(k, f))

    if any(derived_nd(k) for layer in (lhs, rhs) for k in layer.kernels()):
        return False
    try:
        return tuple(map(repr, parse_statement(repr(lhs), repr(rhs)))) == (repr(lhs), repr(rhs))
    except SymconvError:
        return False


def edge_window_note(lhs: Layer, rhs: Layer) -> Optional[str]:
    """Why a statement outside the decided fragment is ``unknown`` rather than ``checked``: every layer of it
    outside the fragment is a (linear) average with ``ceil_mode`` or ``count_include_pad=False``; None otherwise."""
    from symconv.core.layers import outside_fragment_reason, undecided_layers

    found = undecided_layers(lhs) + undecided_layers(rhs)
    if not found or any(not hasattr(layer, "count_include_pad") for layer in found):
        return None
    return f"{outside_fragment_reason(found[0])}, so equal outputs are numeric evidence only"


#: Kernel lengths at which a nonlinear statement with a generic length is checked.
NONLINEAR_GENERIC_SIZES = range(1, 7)


def _prove_nonlinear(lhs: Layer, rhs: Layer, channels: int, seed: int) -> Proof:
    """Chains with nonlinear layers: refuted by an exact numeric counterexample, else checked.

    A generic length is checked at each of :data:`NONLINEAR_GENERIC_SIZES` (numeric evidence says
    nothing about the lengths it did not try)."""
    from symconv.prover.counterexample import find_numeric_counterexample

    names = generic_sizes(lhs, rhs)
    instances = [{name: value for name in names} for value in NONLINEAR_GENERIC_SIZES] if names else [None]
    for sizes in instances:
        lengths = evidence_lengths(lhs, rhs, sizes=sizes)  # well past the receptive fields
        example = find_numeric_counterexample(lhs, rhs, lengths, seed=seed, trials=3, sizes=sizes)
        report = compare_chains(lhs, rhs, lengths, trials_per_length=3, seed=seed, channels=channels,
                                sizes=sizes)
        where = f" (with {', '.join(f'{k} = {v}' for k, v in sizes.items())})" if sizes else ""
        if example is not None:
            return Proof(lhs, rhs, "refuted", counterexample=example, numeric=report,
                         note=f"found by exact numeric search{where}")
        if not report.agrees:
            return Proof(lhs, rhs, "refuted", numeric=report, note=f"numeric mismatch {report.mismatch}{where}")
        if not report.is_evidence:
            return Proof(lhs, rhs, "unknown", numeric=report,
                         note=f"nonlinear layers: no trial gave a non-empty output to compare{where}")
    scope = f" at {', '.join(names)} = {NONLINEAR_GENERIC_SIZES.start}..{NONLINEAR_GENERIC_SIZES.stop - 1}" \
        if names else ""
    edges = edge_window_note(lhs, rhs)
    if edges:
        return Proof(lhs, rhs, "unknown", numeric=report, note=f"{edges}{scope}")
    return Proof(lhs, rhs, "checked", numeric=report, note=f"nonlinear layers: numeric evidence only{scope}")
