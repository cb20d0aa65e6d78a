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

from symconv.core.layers import Layer
from symconv.errors import InvalidArgument
from symconv.numeric.bindings import random_bindings
from symconv.numeric.check import compare_chains
from symconv.numeric.evaluate import evaluate_numeric
from symconv.prover.assumptions import InputBound, parse_assumptions
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


def bounded_counterexample(lhs: Layer, rhs: Layer, bound: InputBound, lengths=range(0, 25), trials: int = 4,
                           seed: int = 0, channels: int = 1) -> Union[Counterexample, None]:
    """An input with ``|x_i| <= B`` and kernel values on which the chains differ, in exact arithmetic."""
    rng = np.random.default_rng(seed)
    limit, fixed = _bound_values(bound)
    for n in lengths:
        for _ in range(trials):
            bindings = random_bindings([lhs, rhs], rng)
            bindings.update(fixed)
            steps = 2 * int(limit) if limit >= 1 else 2
            x = [[Fraction(int(v), steps) * 2 * limit - limit for v in rng.integers(0, steps, size=n, endpoint=True)]
                 for _ in range(channels)]
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


def prove_assuming(lhs: Union[str, Layer], rhs: Union[str, Layer], assume: Sequence[Union[str, InputBound]],
                   seed: int = 0):
    """Prove or refute ``lhs == rhs`` on every input meeting the declared bound (module docstring)."""
    from symconv.prover.proof import Proof, ProofStep, _as_layers, prove

    lhs, rhs = _as_layers(lhs, rhs)
    if lhs.ndim == 2 or rhs.ndim == 2:
        raise InvalidArgument("prove", "assume", list(map(str, assume)), "input bounds on 1-D chains (2-D chains "
                              "take no --assume yet)")
    bounds = tuple(a for a in assume if isinstance(a, InputBound)) + parse_assumptions(
        [a for a in assume if isinstance(a, str)])
    bound = bounds[0] if len({b.bound for b in bounds}) == 1 else min(bounds, key=lambda b: b.bound)
    channels = lhs.in_channels or rhs.in_channels or 1
    limit, fixed = _bound_values(bound)
    report = compare_chains(lhs, rhs, range(1, 33), trials_per_length=2, seed=seed, channels=channels,
                            input_scale=float(limit), fixed=fixed)
    left, right = eliminate_relus(lhs, bound.bound, channels), eliminate_relus(rhs, bound.bound, channels)
    steps = tuple(_relu_steps("lhs", left, bound)) + tuple(_relu_steps("rhs", right, bound))
    assumption = f"assuming {bound}"
    if not (left.complete and right.complete):
        example = bounded_counterexample(lhs, rhs, bound, seed=seed, channels=channels)
        reason = left.reason or right.reason or "a nonlinear layer remains"
        if example is not None:
            return Proof(lhs, rhs, "refuted", counterexample=example, numeric=report, assumptions=(bound,),
                         note=f"{assumption}: found by exact search on inputs within the bound ({reason})")
        verdict = "checked" if report.agrees else "unknown"
        return Proof(lhs, rhs, verdict, steps=steps, numeric=report, assumptions=(bound,),
                     note=f"{assumption}: {reason}; numeric evidence only on inputs within the bound")
    linear = prove(left.chain, right.chain, seed=seed)
    if linear.verdict == "proved":
        if not report.agrees:
            raise AssertionError(f"proved under {bound} but numerically different: {report.mismatch}")
        reduced = ProofStep("linear_reduction", f"with those relu() dropped and affine(a, t) read as conv([a], "
                                                f"bias=[t]): lhs = {left.chain!r}, rhs = {right.chain!r}")
        return Proof(lhs, rhs, "proved", steps=steps + (reduced,) + linear.steps, numeric=report,
                     certificate=linear.certificate, decision=linear.decision, assumptions=(bound,),
                     note=f"{assumption}, for every n and every such input; linear part: {linear.note}"
                          + ("; the certificate covers the linear part, the relu steps rest on the interval lemma"
                             if linear.certificate is not None else ""))
    example = bounded_counterexample(lhs, rhs, bound, seed=seed, channels=channels)
    if example is not None:
        return Proof(lhs, rhs, "refuted", counterexample=example, numeric=report, assumptions=(bound,),
                     note=f"{assumption}: the reduced linear chains are {linear.verdict} ({linear.note}); "
                          f"counterexample within the bound found by exact search")
    return Proof(lhs, rhs, "unknown", steps=steps, numeric=report, assumptions=(bound,),
                 note=f"{assumption}: the reduced linear chains are {linear.verdict} ({linear.note}), but no "
                      f"counterexample within the bound was found")
