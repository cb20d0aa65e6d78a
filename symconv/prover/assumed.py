"""``prove(lhs, rhs, assume=["abs(x) <= B"])``: identities that hold on bounded inputs.

The argument has two parts. First the ReLU lemma of
:mod:`symconv.prover.interval` drops every ``relu()`` whose inputs stay
non-negative under the bound (with ``affine`` read as a 1x1 convolution with
bias); then the linear chains that remain are decided for every n, as any
other identity. The statement proved is: for every n and every input with
``|x_i| <= B`` both sides agree (for every positive ``B`` when ``B`` is a
name).

A refutation needs an input that meets the bound: it is searched for on the
original chains (exact rational arithmetic, inputs in ``[-B, B]``, ``B`` set
to a small positive number when it is a name) and re-verified there.

>>> p = prove_assuming("conv([1, -2]) >> affine(1, B) >> relu() >> conv([1, 1], bias=[-2 * B])",
...                    "conv([1, -1, -2])", ["abs(x) <= B"]) # doctest: +SKIP
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence, Union

import numpy as np
import sympy

from symconv.core.layers import Chain, Layer, ReLU, pad
from symconv.errors import InvalidArgument
from symconv.numeric.bindings import random_bindings
from symconv.numeric.check import compare_chains, evidence_lengths
from symconv.numeric.evaluate import evaluate_numeric
from symconv.dsl_assumptions import InputBound, parse_assumptions
from symconv.prover.counterexample import Counterexample
from symconv.prover.interval import Elimination, eliminate_relus

__all__ = ["prove_assuming", "bounded_counterexample"]

#: The value a named bound takes in numeric checks and counterexample searches.
NAMED_BOUND_VALUE = 2


def _bound_values(bound: InputBound) -> tuple[Fraction, dict]:
    """``(B as a number, bindings that fix a named B)``."""
    if bound.bound.is_number:
        value = Fraction(int(bound.bound.p), int(bound.bound.q))
        return value, {}
    return Fraction(NAMED_BOUND_VALUE), {s.name: NAMED_BOUND_VALUE for s in bound.bound.free_symbols}


def bounded_counterexample(lhs: Layer, rhs: Layer, bound: InputBound, lengths=None, trials: int = 4,
                           seed: int = 0, channels: int = 1, corners: int = 4) -> Union[Counterexample, None]:
    """An input with ``|x_i| <= B`` and kernel values on which the chains differ, in exact arithmetic.

    Per length, ``corners`` inputs at corners of the box (every sample ``+-B``, where a bound such as
    a relu() input's is reached) and ``trials`` on a grid inside it; lengths default to
    :func:`~symconv.numeric.check.evidence_lengths` (past the receptive fields).
    """
    rng = np.random.default_rng(seed)
    limit, fixed = _bound_values(bound)
    for n in evidence_lengths(lhs, rhs) if lengths is None else lengths:
        for trial in range(corners + trials):
            bindings = random_bindings([lhs, rhs], rng)
            bindings.update(fixed)
            steps = 2 * int(limit) if limit >= 1 else 2
            if trial < corners:
                x = [[limit if v else -limit for v in rng.integers(0, 1, size=n, endpoint=True)]
                     for _ in range(channels)]
            else:
                x = [[Fraction(int(v), steps) * 2 * limit - limit
                      for v in rng.integers(0, steps, size=n, endpoint=True)] for _ in range(channels)]
            try:
                a = evaluate_numeric(lhs, np.array([x], dtype=object), bindings, exact=True)[0]
                b = evaluate_numeric(rhs, np.array([x], dtype=object), bindings, exact=True)[0]
            except ValueError:
                continue
            if a.shape != b.shape:
                return Counterexample(n, tuple(map(tuple, x)), _plain(bindings), _rows(a), _rows(b), 0)
            differ = np.argwhere(a != b)
            if differ.size:
                return Counterexample(n, tuple(map(tuple, x)), _plain(bindings), _rows(a), _rows(b),
                                      int(differ[0][1]))
    return None


def _rows(y: np.ndarray) -> tuple:
    return tuple(tuple(row) for row in y)


def _plain(bindings: dict) -> dict:
    return {k: (np.asarray(v).tolist() if np.ndim(v) else v) for k, v in bindings.items()}


def _relu_steps(side: str, elimination: Elimination, bound: InputBound):
    from symconv.prover.proof import ProofStep

    for step in elimination.steps:
        lower = step.lower
        chain = ">= 0" if lower == 0 else f">= {lower} >= 0"
        yield ProofStep(
            "relu_identity_under_bound",
            f"{side}: under {bound} every input of the relu() at {step.position} is {chain} "
            f"(interval bounds through the layers before it), so that relu() is the identity",
            f"{bound.latex()} \\implies v \\ge {sympy.latex(lower)} \\ge 0 \\implies \\max(v, 0) = v",
        )


def _relu_certificate(lhs: Layer, rhs: Layer, bound: InputBound, linear, channels: int):
    """The statement with its bound, one ``relu_identity`` step per top-level relu() (left to right, each with
    the eventual-periodicity window of the linear layers before it), then the linear certificate's steps."""
    from symconv.checker import Certificate, CertificateStep, Rule
    from symconv.prover.decide import decide

    steps = []
    for side, layer in (("lhs", lhs), ("rhs", rhs)):
        layers = list(layer.layers())
        index = 0
        while index < len(layers):
            if not isinstance(layers[index], ReLU):
                index += 1
                continue
            prefix = eliminate_relus(Chain(tuple(layers[:index])) if index else pad(0), bound.bound, channels)
            window = decide(prefix.chain, prefix.chain).bound if prefix.complete else None
            if window is None:
                return None
            steps.append(CertificateStep(Rule.RELU_IDENTITY, (
                ("index", index), ("limit", window.limit), ("period", window.period), ("side", side),
                ("start", window.start)), f"{side}: the relu() at {index} is the identity under {bound.text}"))
            del layers[index]
    if not steps or linear is None:
        return None
    return Certificate(repr(lhs), repr(rhs), tuple(steps) + linear.steps, assumptions=(bound.text,))


def prove_assuming(lhs: Union[str, Layer], rhs: Union[str, Layer], assume: Sequence[Union[str, InputBound]],
                   seed: int = 0):
    """Prove or refute ``lhs == rhs`` on every input meeting the declared bound (module docstring)."""
    from symconv.checker import INTERVAL_LEMMA, assumption as assumption_entry, weaken
    from symconv.prover.proof import Proof, ProofStep, _as_layers, prove, proved_by_kernel

    lhs, rhs = _as_layers(lhs, rhs)
    if lhs.ndim >= 2 or rhs.ndim >= 2:
        raise InvalidArgument("prove", "assume", list(map(str, assume)), "input bounds on 1-D chains (N-D chains "
                              "take no --assume yet)")
    bounds = tuple(a for a in assume if isinstance(a, InputBound)) + parse_assumptions(
        [a for a in assume if isinstance(a, str)])
    bound = bounds[0] if len({b.bound for b in bounds}) == 1 else min(bounds, key=lambda b: b.bound)
    channels = lhs.in_channels or rhs.in_channels or 1
    limit, fixed = _bound_values(bound)
    report = compare_chains(lhs, rhs, evidence_lengths(lhs, rhs), trials_per_length=2, seed=seed, channels=channels,
                            input_scale=float(limit), fixed=fixed, corners=2)
    left, right = eliminate_relus(lhs, bound.bound, channels), eliminate_relus(rhs, bound.bound, channels)
    steps = tuple(_relu_steps("lhs", left, bound)) + tuple(_relu_steps("rhs", right, bound))
    assumption = f"assuming {bound}"
    rests_on = (assumption_entry(bound.text),)
    if not (left.complete and right.complete):
        example = bounded_counterexample(lhs, rhs, bound, seed=seed, channels=channels)
        reason = left.reason or right.reason or "a nonlinear layer remains"
        if example is not None:
            return Proof(lhs, rhs, "refuted", counterexample=example, numeric=report, assumptions=(bound,),
                         rests_on=rests_on,
                         note=f"{assumption}: found by exact search on inputs within the bound ({reason})")
        verdict = "checked" if report.is_evidence else "unknown"
        return Proof(lhs, rhs, verdict, steps=steps, numeric=report, assumptions=(bound,), rests_on=rests_on,
                     note=f"{assumption}: {reason}; numeric evidence only on inputs within the bound")
    linear = prove(left.chain, right.chain, seed=seed)
    if linear.verdict == "proved":
        if not report.agrees:
            raise AssertionError(f"proved under {bound} but numerically different: {report.mismatch}")
        reduced = ProofStep("linear_reduction", f"with those relu() dropped and affine(a, t) read as conv([a], "
                                                f"bias=[t]): lhs = {left.chain!r}, rhs = {right.chain!r}")
        fields = dict(steps=steps + (reduced,) + linear.steps, numeric=report, decision=linear.decision,
                      assumptions=(bound,), note=f"{assumption}, for every n and every such input; linear part: "
                                                 f"{linear.note}")
        certificate = _relu_certificate(lhs, rhs, bound, linear.certificate, channels)
        if certificate is not None:  # the kernel replays the relu() steps too
            proof = proved_by_kernel(lhs, rhs, certificate, linear.rests_on, **fields)
            if proof.verdict == "proved":
                return proof
        # the kernel could not replay the relu() steps: the certificate covers the linear chains left
        dropped = (INTERVAL_LEMMA,) if steps else ()
        return Proof(lhs, rhs, "proved", theorem=weaken(linear.theorem, rests_on + dropped), **fields)
    example = bounded_counterexample(lhs, rhs, bound, seed=seed, channels=channels)
    if example is not None:
        return Proof(lhs, rhs, "refuted", counterexample=example, numeric=report, assumptions=(bound,),
                     rests_on=rests_on,
                     note=f"{assumption}: the reduced linear chains are {linear.verdict} ({linear.note}); "
                          f"counterexample within the bound found by exact search")
    return Proof(lhs, rhs, "unknown", steps=steps, numeric=report, assumptions=(bound,), rests_on=rests_on,
                 note=f"{assumption}: the reduced linear chains are {linear.verdict} ({linear.note}), but no "
                      f"counterexample within the bound was found")
