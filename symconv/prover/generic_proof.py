"""``prove`` for chains with a generic kernel length: the argument of :mod:`symconv.prover.generic`,
and a search over concrete lengths for a counterexample when it does not apply."""

from __future__ import annotations

from typing import Optional

from symconv.algebra.flip import FlipNotMovable
from symconv.checker import Certificate, CertificateStep, Rule
from symconv.checker.generic_instances import MAX_INSTANCES, MIN_INSTANCES, instantiate
from symconv.checker.periodicity import MAX_CHECK_LENGTH
from symconv.core.layers import Layer
from symconv.core.output_length import generic_sizes
from symconv.numeric.check import compare_chains
from symconv.prover.counterexample import find_counterexample
from symconv.prover.boundary import Bound, find_bound
from symconv.prover.decide import decide, normal_forms
from symconv.prover.generic import GenericDecision, OutsideGenericFragment, decide_generic
from symconv.prover.proof import Proof, ProofStep, proved_by_kernel

__all__ = ["prove_generic", "GENERIC_INSTANCES"]

#: Concrete lengths searched for a counterexample when the argument does not prove the identity.
GENERIC_INSTANCES = tuple(range(1, 9))


def _steps(decision: GenericDecision, name: str) -> tuple[ProofStep, ...]:
    left, right = decision.lengths
    period = decision.period
    residues = (f" for each residue of {name} - 1 mod {period} (a generic kernel is flipped)"
                if decision.residues else "")
    return (
        ProofStep("generic_lengths", f"both sides: {left.formula(decision.symbol)}"),
        ProofStep("output_length", f"the thresholds T({name}), slopes and offsets of the two sides are equal as "
                                   f"eventually quasi-affine functions of {name}, so the output lengths agree for "
                                   f"every n and every {name} >= 1"),
        ProofStep("zero_extension", "every padding and transposed layer reads a signal that is zero outside its "
                                    "window, so every layer's output is its bi-infinite operator on the window"),
        ProofStep("impulse_responses",
                  f"both operators commute with shifting the input by {period} (the output by {left.slope}); "
                  f"their responses to the impulses at 0..{period - 1} are equal formal series in z whose atoms "
                  f"are the polyphase components A_r(z^m) mod {period} of the generic kernels{residues}"),
    )


def _instance_bound(lhs: Layer, rhs: Layer) -> Optional[Bound]:
    """The eventual-periodicity window of a concrete instance (:func:`symconv.prover.boundary.find_bound`).

    The generic argument has proved the instance; its equality below the window's limit is what the
    kernel replays, so the interior operators are not compared again here. Flips that the normal forms
    cannot move go through :func:`decide` (residue classes), as before.
    """
    try:
        forms = normal_forms(lhs, rhs)
    except FlipNotMovable:
        decision = decide(lhs, rhs)
        return decision.bound if decision.verdict == "proved" else None
    return find_bound(list(forms))


def _argument_certificate(lhs: Layer, rhs: Layer, name: str, period: int) -> Certificate:
    """A ``generic_argument`` certificate: the kernel replays (1)-(3) of :mod:`symconv.prover.generic` for every
    c >= 1 itself, so the instances c = 1..C it would otherwise replay are redundant and left out."""
    step = CertificateStep(Rule.GENERIC_ARGUMENT, (("period", period), ("symbol", name)),
                           f"for every {name} >= 1: equal lengths, zero extension, equal impulse responses")
    return Certificate(repr(lhs), repr(rhs), (step,))


def _certificate(lhs: Layer, rhs: Layer, name: str, period: int) -> Optional[Certificate]:
    """A ``generic_instances`` certificate: eventual periodicity at c = 1..C (None when some c has no window);
    for statements outside the kernel's ``generic_argument`` rule, whose proof then rests on the argument."""
    instances = []
    for value in range(1, min(MAX_INSTANCES, max(MIN_INSTANCES, period + 1)) + 1):
        # the concrete kernels k[value], as the kernel replays them
        bound = _instance_bound(instantiate(lhs, {name: value}), instantiate(rhs, {name: value}))
        if bound is None or bound.limit > MAX_CHECK_LENGTH:
            return None
        instances.append([value, bound.start, bound.period, bound.limit])
    step = CertificateStep(Rule.GENERIC_INSTANCES, (("instances", instances), ("symbol", name)),
                           f"for {name} in 1..{len(instances)}: equal for every n by eventual periodicity")
    return Certificate(repr(lhs), repr(rhs), (step,))


def prove_generic(lhs: Layer, rhs: Layer, seed: int) -> Proof:
    """Prove ``lhs == rhs`` for every n and every generic length, or refute it at a concrete length."""
    names = generic_sizes(lhs, rhs)
    channels = lhs.in_channels or rhs.in_channels or 1
    try:
        decision = decide_generic(lhs, rhs)
    except OutsideGenericFragment as err:
        decision, reason = None, str(err)
    if decision is not None and decision.verdict == "proved":
        report = compare_chains(lhs, rhs, range(0, 40, 3), seed=seed, sizes={names[0]: 3}, channels=channels)
        if not report.agrees:
            raise AssertionError(f"proved for every {names[0]} but numerically different: {report.mismatch}")
        note = f"proved for every {names[0]} >= 1 and every n by the generic-length argument"
        argument = proved_by_kernel(lhs, rhs, _argument_certificate(lhs, rhs, names[0], decision.period),
                                    steps=_steps(decision, names[0]), numeric=report, note=note)
        if argument.verdict == "proved":
            return argument
        # outside the kernel's generic_argument rule: it replays c = 1..C, the rest rests on the argument
        certificate = _certificate(lhs, rhs, names[0], decision.period)
        if certificate is None:
            return Proof(lhs, rhs, "unknown", numeric=report,
                         note=f"{note}, but some {names[0]} <= {MIN_INSTANCES} has no eventual-periodicity window "
                              f"the kernel can replay")
        return proved_by_kernel(lhs, rhs, certificate, steps=_steps(decision, names[0]), numeric=report, note=note)
    if decision is not None:
        reason = decision.reason
    first = decision.witness_c if decision is not None else ()
    tried = []
    for value in dict.fromkeys(first + GENERIC_INSTANCES):
        sizes = {name: value for name in names}
        concrete = decide(lhs, rhs, sizes)
        if concrete.verdict == "proved":
            tried.append(value)
        if concrete.verdict == "refuted":
            example = find_counterexample(lhs, rhs, concrete.lhs, concrete.rhs, concrete.witness_n, seed=seed)
            if example is not None:
                where = ", ".join(f"{name} = {value}" for name in names)
                return Proof(lhs, rhs, "refuted", counterexample=example,
                             note=f"{concrete.reason} (with {where}); generic argument: {reason}",
                             decision=concrete)
    report = compare_chains(lhs, rhs, range(0, 40, 3), seed=seed, sizes={name: 3 for name in names},
                            channels=channels)
    return Proof(lhs, rhs, "unknown", numeric=report,
                 note=f"generic length: {reason}; proved for {', '.join(names)} in {sorted(tried)}")
