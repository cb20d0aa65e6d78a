"""``prove`` for N-D chains with nonlinear layers (``maxpool2d``/``3d``, ``relu``, ``affine``): numeric evidence.

As in 1-D, such chains are outside the decided fragment. Both sides are
evaluated exactly (``Fraction``) by the numpy evaluator on random integer
kernels and inputs over a grid of shapes; a difference is a counterexample,
re-verified with the core's exact N-D semantics before it is reported, and
agreement everywhere is the verdict ``checked``.
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy

from symconv.core.layers import Layer
from symconv.core.semantics_nd import run_nd, signal_nd
from symconv.errors import NumericMismatch
from symconv.numeric.check import NumericReport
from symconv.numeric.evaluate_nd import evaluate_nd_numeric, random_bindings_nd

__all__ = ["prove_nonlinear_nd", "shapes_for"]

#: Sizes tried on each axis; 2-D tries every pair, more axes a diagonal-heavy subset.
SIZES = ((1, 2, 3, 5, 8, 11), (1, 2, 4, 7, 10))
TRIALS = 3


def shapes_for(ndim: int) -> tuple[tuple[int, ...], ...]:
    """The input shapes tried: every pair of :data:`SIZES` in 2-D; in d axes, each size of the first list on the
    first axis with the sizes of the second list on the others."""
    if ndim == 2:
        return tuple(itertools.product(*SIZES))
    return tuple((n1,) + (n,) * (ndim - 1) for n1 in SIZES[0] for n in SIZES[1][:3])


def _point(bindings: dict) -> dict:
    """Tap and parameter symbols at the bound values, for the core's symbolic semantics."""
    point = {}
    for name, value in bindings.items():
        array = np.asarray(value)
        if array.ndim == 0:
            point[sympy.Symbol(name)] = sympy.Rational(str(array.item()))
            continue
        for index, v in np.ndenumerate(array):
            point[sympy.Symbol(name + "".join(f"_{i}" for i in index))] = sympy.Rational(str(v))
    return point


def _plain(array: object) -> object:
    if isinstance(array, np.ndarray):
        return tuple(_plain(v) for v in array) if array.ndim else _plain(array.item())
    return sympy.Rational(str(array))


def prove_nonlinear_nd(lhs: Layer, rhs: Layer, channels: int, seed: int = 0):
    """``refuted`` with a re-verified counterexample, else ``checked`` (module docstring)."""
    from symconv.prover.proof import Proof, edge_window_note
    from symconv.prover.proof_nd import CounterexampleNd

    rng = np.random.default_rng(seed)
    trials = compared = 0
    shapes = shapes_for(lhs.ndim)
    for shape in shapes:
        for _ in range(TRIALS):
            bindings = random_bindings_nd([lhs, rhs], rng)
            x = rng.integers(-3, 4, size=(channels,) + shape).astype(object)
            a, b = (evaluate_nd_numeric(side, x, bindings, exact=True) for side in (lhs, rhs))
            trials += 1
            if a.shape == b.shape and (a == b).all():
                compared += 1 if a.size else 0
                continue
            index = tuple(int(i) for i in np.argwhere(a != b)[0]) if a.shape == b.shape else (0,) * (len(shape) + 1)
            example = CounterexampleNd(shape, _plain(x), {k: np.asarray(v).tolist() for k, v in bindings.items()},
                                       _plain(a), _plain(b), index)
            _reverify(lhs, rhs, example, _point(bindings))
            why = "the output shapes differ" if a.shape != b.shape else "the outputs differ"
            return Proof(lhs, rhs, "refuted", counterexample=example,
                         note=f"{why} at shape {shape} (found by exact numeric search; nonlinear {lhs.ndim}-D layers)")
    report = NumericReport(trials, 0.0, 0.0, compared=compared)
    if not report.is_evidence:
        return Proof(lhs, rhs, "unknown", numeric=report,
                     note=f"nonlinear {lhs.ndim}-D layers: no trial gave a non-empty output to compare")
    edges = edge_window_note(lhs, rhs)
    if edges:
        return Proof(lhs, rhs, "unknown", numeric=report, note=f"{edges} ({trials} random draws over {len(shapes)} "
                                                              f"shapes)")
    return Proof(lhs, rhs, "checked", numeric=report,
                 note=f"nonlinear {lhs.ndim}-D layers: equal exact outputs on {trials} random draws over {len(shapes)} "
                      f"shapes (numeric evidence only)")


def _reverify(lhs: Layer, rhs: Layer, example, point: dict) -> None:
    """The core's exact semantics must give both outputs of the counterexample."""
    signal = signal_nd(example.input, len(example.n))
    for layer, expected in ((lhs, example.lhs), (rhs, example.rhs)):
        got = run_nd(layer, signal)
        if 0 in got.shape:
            continue
        array = np.zeros((got.channels,) + got.shape, dtype=object)
        array[...] = sympy.Integer(0)
        for key, v in got.values.items():
            array[key] = sympy.expand(v.xreplace(point))
        if _plain_exact(array) != expected:
            raise NumericMismatch(f"N-D counterexample not confirmed by the exact semantics for {layer!r}")


def _plain_exact(array: object) -> object:
    if isinstance(array, np.ndarray):
        return tuple(_plain_exact(v) for v in array) if array.ndim else array.item()
    return array
