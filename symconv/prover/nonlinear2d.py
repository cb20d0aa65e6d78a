"""``prove`` for 2-D chains with nonlinear layers (``maxpool2d``, ``relu``, ``affine``): numeric evidence.

As in 1-D, such chains are outside the decided fragment. Both sides are
evaluated exactly (``Fraction``) by the numpy evaluator on random integer
kernels and inputs over a grid of shapes; a difference is a counterexample,
re-verified with the core's exact 2-D semantics before it is reported, and
agreement everywhere is the verdict ``checked``.
"""

from __future__ import annotations

import numpy as np
import sympy

from symconv.core.layers import Layer
from symconv.core.semantics2d import evaluate2d
from symconv.errors import NumericMismatch
from symconv.numeric.check import NumericReport
from symconv.numeric.evaluate2d import evaluate2d_numeric, random_bindings2d

__all__ = ["prove_nonlinear_2d", "SHAPES"]

#: The input shapes tried, each with several random draws.
SHAPES = tuple((n1, n2) for n1 in (1, 2, 3, 5, 8, 11) for n2 in (1, 2, 4, 7, 10))
TRIALS = 3


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


def _plain(array: np.ndarray) -> tuple:
    return tuple(tuple(tuple(sympy.Rational(str(v)) for v in row) for row in plane) for plane in array)


def prove_nonlinear_2d(lhs: Layer, rhs: Layer, channels: int, seed: int = 0):
    """``refuted`` with a re-verified counterexample, else ``checked`` (module docstring)."""
    from symconv.prover.proof import Proof
    from symconv.prover.proof2d import Counterexample2d

    rng = np.random.default_rng(seed)
    trials = 0
    for shape in SHAPES:
        for _ in range(TRIALS):
            bindings = random_bindings2d([lhs, rhs], rng)
            x = rng.integers(-3, 4, size=(channels,) + shape).astype(object)
            a, b = (evaluate2d_numeric(side, x, bindings, exact=True) for side in (lhs, rhs))
            trials += 1
            if a.shape == b.shape and (a == b).all():
                continue
            index = tuple(int(i) for i in np.argwhere(a != b)[0]) if a.shape == b.shape else (0, 0, 0)
            example = Counterexample2d(shape, tuple(tuple(map(tuple, ch)) for ch in x),
                                       {k: np.asarray(v).tolist() for k, v in bindings.items()},
                                       _plain(a), _plain(b), index)
            _reverify(lhs, rhs, example, _point(bindings))
            why = "the output shapes differ" if a.shape != b.shape else "the outputs differ"
            return Proof(lhs, rhs, "refuted", counterexample=example,
                         note=f"{why} at shape {shape} (found by exact numeric search; nonlinear 2-D layers)")
    report = NumericReport(trials, 0.0, 0.0)
    return Proof(lhs, rhs, "checked", numeric=report,
                 note=f"nonlinear 2-D layers: equal exact outputs on {trials} random draws over {len(SHAPES)} shapes "
                      f"(numeric evidence only)")


def _reverify(lhs: Layer, rhs: Layer, example, point: dict) -> None:
    """The core's exact semantics must give both outputs of the counterexample."""
    x = tuple(tuple(tuple(sympy.Integer(int(v)) for v in row) for row in ch) for ch in example.input)
    for layer, expected in ((lhs, example.lhs), (rhs, example.rhs)):
        got = evaluate2d(layer, x)
        got = tuple(tuple(tuple(sympy.expand(v.xreplace(point)) for v in row) for row in plane) for plane in got)
        if sum(len(row) for plane in got for row in plane) and got != expected:
            raise NumericMismatch(f"2-D counterexample not confirmed by the exact semantics for {layer!r}")
