"""N-D chains on bounded inputs (``--assume 'abs(x) <= B'``): numeric evidence and counterexamples in the box.

Both sides are evaluated exactly (``Fraction``) by the numpy evaluator
(:func:`symconv.numeric.evaluate_nd.evaluate_nd_numeric`) on inputs with
``|x| <= B``: at corners of the box (every sample ``+-B``, where the least
value of a relu() input is reached) and on a grid inside it, with random
integer kernels and a named ``B`` fixed to a number. The shapes reach past
the receptive field on every axis (:func:`bounded_shapes`). A difference is a
counterexample, re-verified with the core's exact N-D semantics
(:func:`symconv.core.semantics_nd.run_nd`) before it is reported.

An ``l2pool{d}d`` takes square roots, which ``Fraction`` cannot hold: with one
on either side the same inputs are evaluated in float64 and compared within
:data:`~symconv.prover.nonlinear_nd.RELATIVE_TOLERANCE` (evidence only), and a
difference beyond it is a counterexample only once the core's exact outputs
(SymPy square roots) differ at that input.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
from symconv.lazy_import import sympy

from symconv.core.layers import Layer
from symconv.core.output_length import output_length
from symconv.core.semantics_nd import run_nd, signal_nd
from symconv.errors import NumericMismatch
from symconv.numeric.check import NumericReport
from symconv.numeric.evaluate_nd import evaluate_nd_numeric
from symconv.numeric.symbols_nd import random_bindings_nd
from symconv.prover.nonlinear_nd import exact_difference, float_error, takes_square_roots
from symconv.prover.proof_nd import report_of

__all__ = ["bounded_shapes", "bounded_evidence_nd", "bounded_counterexample_nd"]

#: The receptive field is looked for up to this size per axis.
MAX_START = 40


def _start(lhs: Layer, rhs: Layer, axis: int) -> int:
    """The shortest size on ``axis`` at which both sides give a non-empty output (1 when none below the cap)."""
    from symconv.core.layers_nd import axis_chain

    projections = [axis_chain(side, axis) for side in (lhs, rhs) if not side.axes_free]
    return next((n for n in range(1, MAX_START + 1) if all(output_length(p, n) > 0 for p in projections)), 1)


def bounded_shapes(lhs: Layer, rhs: Layer, ndim: int) -> list[tuple[int, ...]]:
    """Per axis the sizes ``1, n0, n0 + 1, 2 n0 + 3`` (``n0``: the receptive field on that axis); every
    combination in 2-D, in more axes each size of the first axis with the diagonal of the others."""
    sizes = [sorted({1, n0, n0 + 1, 2 * n0 + 3}) for n0 in (_start(lhs, rhs, a) for a in range(ndim))]
    if ndim == 2:
        return list(itertools.product(*sizes))
    return [(first,) + tuple(s[min(j, len(s) - 1)] for s in sizes[1:]) for first in sizes[0] for j in range(2, 4)]


def _inputs(rng: np.random.Generator, shape: tuple[int, ...], channels: int, bound: Fraction, corner: bool):
    """An exact input in the box: every sample ``+-B`` (a corner), or on the grid of step ``B / steps`` inside."""
    size = (channels,) + shape
    if corner:
        signs = rng.integers(0, 1, size=size, endpoint=True)
        return np.vectorize(lambda v: bound if v else -bound, otypes=[object])(signs)
    steps = max(2, 2 * int(bound))
    grid = rng.integers(-steps, steps, size=size, endpoint=True)
    return np.vectorize(lambda v: Fraction(int(v), steps) * bound, otypes=[object])(grid)


def _draws(lhs: Layer, rhs: Layer, bound: Fraction, fixed: dict, ndim: int, channels: int, seed: int,
           per_shape: int, exact: bool = True):
    """``(shape, bindings, x, lhs(x), rhs(x))`` for each draw: half at corners, half inside the box; ``x`` exact,
    the outputs in float64 when ``exact`` is False."""
    rng = np.random.default_rng(seed)
    for shape in bounded_shapes(lhs, rhs, ndim):
        for trial in range(per_shape):
            bindings = random_bindings_nd([lhs, rhs], rng)
            bindings.update(fixed)
            x = _inputs(rng, shape, channels, bound, corner=trial % 2 == 0)
            given = x if exact else x.astype(float)
            yield shape, bindings, x, *(evaluate_nd_numeric(side, given, bindings, exact=exact) for side in (lhs, rhs))


def _float_report(draws, seed: int) -> NumericReport:
    """The report of float64 draws: a difference beyond the tolerance (:func:`float_error`) is the mismatch."""
    worst, tolerance, trials, compared = 0.0, 0.0, 0, 0
    for shape, _, _, a, b in draws:
        trials += 1
        if a.shape != b.shape:
            return NumericReport(trials, float("inf"), tolerance, {"n": list(shape), "reason": "output shapes differ"},
                                 compared)
        if not a.size:
            continue
        compared += 1
        error, allowed = float_error(a, b)
        worst, tolerance = max(worst, error), max(tolerance, allowed)
        if error > allowed:
            index = [int(i) for i in np.argwhere(np.where(a == b, 0.0, np.abs(a - b)) > allowed)[0]]
            return NumericReport(trials, worst, tolerance, {"n": list(shape), "index": index, "seed": seed}, compared)
    return NumericReport(trials, worst, tolerance, compared=compared)


def bounded_evidence_nd(lhs: Layer, rhs: Layer, bound: Fraction, fixed: dict, ndim: int, channels: int,
                        seed: int = 0, per_shape: int = 2) -> NumericReport:
    """Exact comparison on inputs within the bound (module docstring); the first difference is the mismatch.
    With square roots (``l2pool``) the comparison is in float64, within a tolerance."""
    if takes_square_roots(lhs) or takes_square_roots(rhs):
        return _float_report(_draws(lhs, rhs, bound, fixed, ndim, channels, seed, per_shape, exact=False), seed)
    return report_of(((shape, a, b) for shape, _, _, a, b in _draws(lhs, rhs, bound, fixed, ndim, channels, seed,
                                                                    per_shape)), seed)


def _nested(values: object) -> object:
    if isinstance(values, np.ndarray):
        return tuple(_nested(v) for v in values) if values.ndim else _nested(values.item())
    return sympy.Rational(values.numerator, values.denominator) if isinstance(values, Fraction) else \
        sympy.Rational(str(values))


def _by_name(bindings: dict) -> dict:
    """Every tap ``k_i_j`` and parameter by its SymPy name, as an exact rational."""
    table = {}
    for name, value in bindings.items():
        array = np.asarray(value)
        if array.ndim == 0:
            table[name] = sympy.Rational(str(array.item()))
            continue
        for index, v in np.ndenumerate(array):
            table[name + "".join(f"_{i}" for i in index)] = sympy.Rational(str(v))
    return table


def _confirm(lhs: Layer, rhs: Layer, example, bindings: dict) -> None:
    """The core's exact semantics must give both outputs of the counterexample."""
    signal = signal_nd(example.input, len(example.n), example.n)
    table = _by_name(bindings)
    for layer, expected in ((lhs, example.lhs), (rhs, example.rhs)):
        got = run_nd(layer, signal)
        array = np.zeros((got.channels,) + got.shape, dtype=object)
        array[...] = sympy.Integer(0)
        for key, v in got.values.items():
            array[key] = sympy.expand(v.xreplace({s: table[s.name] for s in v.free_symbols if s.name in table}))
        if _nested(array) != expected:
            raise NumericMismatch(f"N-D counterexample within the bound not confirmed by the exact semantics for "
                                  f"{layer!r}")


def bounded_counterexample_nd(lhs: Layer, rhs: Layer, bound: Fraction, fixed: dict, ndim: int, channels: int,
                              seed: int = 0, per_shape: int = 6):
    """A re-verified :class:`~symconv.prover.proof_nd.CounterexampleNd` with ``|x| <= B``, or None."""
    from symconv.prover.proof_nd import CounterexampleNd

    roots = takes_square_roots(lhs) or takes_square_roots(rhs)
    for shape, bindings, x, a, b in _draws(lhs, rhs, bound, fixed, ndim, channels, seed, per_shape, exact=not roots):
        if a.shape == b.shape:
            differ = np.where(a == b, 0.0, np.abs(a - b)) > float_error(a, b)[1] if roots else a != b
            if not differ.any():
                continue
        index = tuple(int(i) for i in np.argwhere(differ)[0]) if a.shape == b.shape else (0,) * (ndim + 1)
        kernels = {k: (np.asarray(v).tolist() if np.ndim(v) else v) for k, v in bindings.items()}
        if roots:  # the outputs shown are the core's exact ones (SymPy square roots), once they are seen to differ
            return CounterexampleNd(shape, _nested(x), kernels, *exact_difference(lhs, rhs, x, bindings, index),
                                    index)
        example = CounterexampleNd(shape, _nested(x), kernels, _nested(a), _nested(b), index)
        _confirm(lhs, rhs, example, bindings)
        return example
    return None
