"""Proofs of deep 1-D convolution chains by the factors of their interior kernels.

``conv(k[3]) >> conv(k) >> ... >> conv(k)`` (L layers; with channels, ``conv(W1[4, 4, 3]) >> conv(W2) >> ...``,
whose kernels are matrices of polynomials multiplied in order) against
``conv(convolve(convolve(k, k), ...))``: deciding it by eventual periodicity
evaluates both sides exactly on a symbolic input, whose samples carry
``O(L^3)`` monomials of length L at the last layer. Here both sides are
read as products of factors (:mod:`symconv.checker.factored_interior`:
the interior kernel ``prod_l K_l(z^(d_l S_(l-1)))``, each kernel expression
split through ``convolve`` and ``dilate``), which costs O(L); equal
products close the statement by the kernel's rule ``factored_interior``.
When the factors differ nothing is concluded and the caller decides.
N-D chains (``conv2d``, ``conv3d``) likewise, by factors with an exponent per
axis (:mod:`symconv.checker.factored_nd`), one Lemma B window for all axes.
"""

from __future__ import annotations

from typing import Optional

from symconv.checker import Certificate, CertificateStep, Rule
from symconv.core.layers import Layer

__all__ = ["MIN_FACTORED_LAYERS", "MIN_FACTORED_LAYERS_WITH_CHANNELS", "LARGE_WEIGHT_TAPS", "prove_by_factors",
           "refute_before_deciding", "factored_interior_certificate_nd"]

#: The deepest side must have this many layers before the factored proof is tried (shallower statements are
#: cheap to decide, and their certificates stay the eventual-periodicity ones).
MIN_FACTORED_LAYERS = 6

#: The same with channels: decided exactly, four layers of ``W[4, 4, 3]`` take half a second and eight do not
#: finish (each output is a sum over every path through the channels), so the factored proof comes sooner.
MIN_FACTORED_LAYERS_WITH_CHANNELS = 3

#: A weight with this many taps (``out * in * k1 ... kd``) makes even two layers costly to decide exactly: the
#: expansion multiplies every tap of one weight by every tap of the next (``W[16, 16, 3, 3]``: 2,304 taps,
#: 9 s decided, under a second factored; ``W[64, 64, 3, 3]``: minutes decided), so the factored proof and the
#: numeric refutation come first from two layers on.
LARGE_WEIGHT_TAPS = 1024


def _has_channels(side: Layer) -> bool:
    return any(not getattr(getattr(step, "weight", None), "is_single_channel", True) for step in side.layers())


def _weight_taps(side: Layer) -> int:
    """The most taps of one weight of ``side`` (0 without weights; a generic size counts as 1)."""
    most = 0
    for step in side.layers():
        shape = getattr(getattr(step, "weight", None), "shape", ())
        taps = 1 if shape else 0
        for size in shape:
            taps *= size if isinstance(size, int) else 1
        most = max(most, taps)
    return most


def _factored_first(lhs: Layer, rhs: Layer) -> bool:
    """Whether the factored proof (and the numeric refutation) are tried before the exact decision: deep chains
    (``MIN_FACTORED_LAYERS``), chains with channels ``MIN_FACTORED_LAYERS_WITH_CHANNELS`` deep, and two layers
    of a weight with ``LARGE_WEIGHT_TAPS`` taps or more."""
    depth = max(len(lhs.layers()), len(rhs.layers()))
    if depth >= MIN_FACTORED_LAYERS:
        return True
    if not (_has_channels(lhs) or _has_channels(rhs)):
        return False
    return depth >= MIN_FACTORED_LAYERS_WITH_CHANNELS or (
        depth >= 2 and max(_weight_taps(lhs), _weight_taps(rhs)) >= LARGE_WEIGHT_TAPS)


def prove_by_factors(lhs: Layer, rhs: Layer, seed: int = 0):
    """``proved`` by one ``factored_interior`` step (numeric evidence as for a decided proof), or None."""
    from symconv.numeric.check import compare_chains
    from symconv.prover.certify import factored_interior_certificate
    from symconv.prover.proof import ProofStep, numeric_lengths, proved_by_kernel

    channels = lhs.in_channels or 1
    if not _factored_first(lhs, rhs):
        return None
    if lhs.ndim >= 2 or rhs.ndim >= 2:
        certificate = factored_interior_certificate_nd(lhs, rhs)
    else:
        certificate = factored_interior_certificate(lhs, rhs)
    if certificate is None:
        return None
    step = certificate.steps[0]
    if lhs.ndim >= 2:
        start, limit = step.get("start"), step.get("limit")
        report = _float_check_nd(lhs, rhs, [(limit,) * lhs.ndim, (limit + 1,) + (start,) * (lhs.ndim - 1)], seed,
                                 channels)
    else:
        report = compare_chains(lhs, rhs, numeric_lengths(16), trials_per_length=1, seed=seed, channels=channels)
    if not report.agrees:
        raise AssertionError(f"proved by factors but numerically different: {report.mismatch}")
    steps = (ProofStep("factored_interior", step.statement),)
    return proved_by_kernel(lhs, rhs, certificate, steps=steps, numeric=report,
                            note="equal interior kernels as products of the same factors")


def refute_before_deciding(lhs: Layer, rhs: Layer, seed: int = 0):
    """``refuted`` by small integer kernels and inputs, tried before the exact decision of a chain with channels
    at least ``MIN_FACTORED_LAYERS_WITH_CHANNELS`` deep or with a large weight (:func:`_factored_first`; that
    decision expands every path through the channels: five layers of ``W[4, 4, 3]`` take seconds, three of
    ``W[4, 4, 3, 3]`` minutes), or None (then the caller decides). The counterexample is exact and re-verified,
    as every refutation's."""
    if not (_has_channels(lhs) or _has_channels(rhs)) or not _factored_first(lhs, rhs):
        return None
    from symconv.prover.proof import Proof

    channels = lhs.in_channels or rhs.in_channels or 1
    if lhs.ndim >= 2 or rhs.ndim >= 2:
        from symconv.prover.proof_nd import refute_numerically_nd

        if lhs.ndim != rhs.ndim or not (lhs.linear and rhs.linear):
            return None
        example = refute_numerically_nd(lhs, rhs, channels, seed)
    else:
        from symconv.numeric.check import evidence_lengths
        from symconv.prover.counterexample import find_numeric_counterexample

        example = find_numeric_counterexample(lhs, rhs, evidence_lengths(lhs, rhs)[-2:], seed=seed, trials=2)
    if example is None:
        return None
    return Proof(lhs, rhs, "refuted", counterexample=example,
                 note="found by exact numeric search before the exact decision")


def _float_check_nd(lhs: Layer, rhs: Layer, shapes: list[tuple[int, ...]], seed: int, channels: int = 1):
    """Both N-D sides in float64 on random integer kernels and normal inputs, for each shape: the worst
    difference, held to ``1e-9`` times the largest output (the exact check of :mod:`symconv.prover.proof_nd`
    in ``Fraction`` costs seconds on deep chains; the proof is the kernel's, this is evidence)."""
    import numpy as np

    from symconv.numeric.check import NumericReport
    from symconv.numeric.evaluate_nd import evaluate_nd_numeric
    from symconv.numeric.symbols_nd import random_bindings_nd

    rng = np.random.default_rng(seed)
    worst, tolerance, compared = 0.0, 0.0, 0
    for shape in shapes:
        bindings = random_bindings_nd([lhs, rhs], rng)
        x = rng.standard_normal((channels,) + tuple(shape))
        a, b = (evaluate_nd_numeric(side, x, bindings) for side in (lhs, rhs))
        if a.shape != b.shape:
            mismatch = {"n": list(shape), "reason": "output shapes differ"}
            return NumericReport(len(shapes), float("inf"), tolerance, mismatch, compared)
        if a.size:
            compared += 1
            tolerance = max(tolerance, 1e-9 * max(1.0, float(np.max(np.abs(a)))))
            worst = max(worst, float(np.max(np.abs(a - b))))
            if worst > tolerance:
                return NumericReport(len(shapes), worst, tolerance, {"n": list(shape), "seed": seed}, compared)
    return NumericReport(len(shapes), worst, tolerance, compared=compared)


def factored_interior_certificate_nd(lhs: Layer, rhs: Layer) -> Optional[Certificate]:
    """The one-step certificate ``factored_interior`` of two N-D chains, or None when the rule does not apply.

    One Lemma B window for every axis: ``period = lcm`` of the total strides per axis (a multiple of each
    moves every layer of that axis rigidly), ``start`` the largest first n at which every intermediate length
    of an axis projection is at least 1, ``limit = start + period``; None past the checker's bound.
    """
    from math import lcm

    from symconv.checker.factored_interior import factored_form
    from symconv.checker.periodicity import MAX_CHECK_LENGTH
    from symconv.core.layers_nd import axis_chain
    from symconv.prover.certify import first_positive_length
    from symconv.core.output_length import output_length
    from symconv.errors import CertificateError

    if lhs.ndim != rhs.ndim or lhs.ndim < 2:
        return None
    try:
        left, right = factored_form(lhs, "lhs"), factored_form(rhs, "rhs")
    except CertificateError:
        return None
    if left != right:
        return None
    period = lcm(*left.stride)
    projections = [(axis_chain(lhs, axis), axis_chain(rhs, axis)) for axis in range(lhs.ndim)]
    starts = [first_positive_length(pair, MAX_CHECK_LENGTH) for pair in projections]
    if None in starts or max(starts) + period > MAX_CHECK_LENGTH:
        return None
    start = max(starts)
    limit = start + period
    # a few spot checks: the kernel's own check of every n < limit on every axis is what the proof rests on
    if any(output_length(a, n) != output_length(b, n) for a, b in projections for n in (0, start - 1, start, limit)):
        return None
    step = CertificateStep(Rule.FACTORED_INTERIOR, (("limit", limit), ("period", period), ("start", start)),
                           f"both sides are {lhs.ndim}-D convolution chains whose interior kernels "
                           f"are the same product {left.describe()}, read at stride {left.stride}; on every axis "
                           f"their lengths agree for every n < {limit} and grow alike per period {period}, so they "
                           f"agree for every shape")
    return Certificate(repr(lhs), repr(rhs), (step,))
