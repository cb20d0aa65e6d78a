"""``prove`` for N-D chains with nonlinear layers (``maxpool2d``/``3d``, ``relu``, ``affine``): numeric evidence.

As in 1-D, such chains are outside the decided fragment. Both sides are
evaluated exactly (``Fraction``) by the numpy evaluator on random integer
kernels and inputs over a grid of shapes; a difference is a counterexample,
re-verified with the core's exact N-D semantics before it is reported, and
agreement everywhere is the verdict ``checked``. Shapes at which the length
table already says the output shapes differ (an empty axis, typically) are
tried first (:func:`length_mismatch_shapes`). An ``l2pool{d}d`` takes square
roots, which ``Fraction`` cannot hold: a chain with one is evaluated in float64
and compared within :data:`RELATIVE_TOLERANCE`, and a difference beyond it is
reported only once the core's exact outputs (SymPy square roots) are shown to
differ at that input.
"""

from __future__ import annotations

import itertools

import numpy as np
from symconv.lazy_import import sympy

from symconv.core.layers import L2Pool, Layer
from symconv.core.layers_nd import axis_chain
from symconv.core.output_length import branch_length_difference
from symconv.core.semantics_nd import run_nd, signal_nd
from symconv.errors import NumericMismatch
from symconv.numeric.check import NumericReport
from symconv.numeric.evaluate_nd import evaluate_nd_numeric
from symconv.numeric.symbols_nd import random_bindings_nd

__all__ = ["prove_nonlinear_nd", "shapes_for", "length_mismatch_shapes", "takes_square_roots", "float_error",
           "exact_difference"]

#: Sizes tried on each axis; 2-D tries every pair, more axes a diagonal-heavy subset.
SIZES = ((1, 2, 3, 5, 8, 11), (1, 2, 4, 7, 10))
TRIALS = 3
#: Float64 agreement asked of chains with square roots, relative to the largest output (and at least absolute).
RELATIVE_TOLERANCE = 1e-9


def shapes_for(ndim: int) -> tuple[tuple[int, ...], ...]:
    """The input shapes tried: every pair of :data:`SIZES` in 2-D; in d axes, each size of the first list on the
    first axis with the sizes of the second list on the others."""
    if ndim == 2:
        return tuple(itertools.product(*SIZES))
    return tuple((n1,) + (n,) * (ndim - 1) for n1 in SIZES[0] for n in SIZES[1][:3])


def length_mismatch_shapes(lhs: Layer, rhs: Layer) -> tuple[tuple[int, ...], ...]:
    """Input shapes at which the sides' output shapes differ, by the length table: for each axis a, the first
    ``n_a`` where the axis projections' lengths differ (:func:`~symconv.core.output_length.
    branch_length_difference`, exact for every n), with size 1 on the other axes (an output shape is the
    per-axis lengths, so it differs whatever the other axes are). The random search tries these first: an
    empty axis (``n_a = 0``) is where such sides often part, and no random shape is empty."""
    shapes = []
    for axis in range(lhs.ndim):
        found = branch_length_difference([axis_chain(side, axis) for side in (lhs, rhs)])
        if found is not None:
            shapes.append(tuple(found.n if a == axis else 1 for a in range(lhs.ndim)))
    return tuple(shapes)


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
    worst = tolerance = 0.0
    roots = takes_square_roots(lhs) or takes_square_roots(rhs)
    shapes = length_mismatch_shapes(lhs, rhs) + shapes_for(lhs.ndim)
    for shape in shapes:
        for _ in range(TRIALS):
            bindings = random_bindings_nd([lhs, rhs], rng)
            x = rng.integers(-3, 4, size=(channels,) + shape).astype(object)
            a, b = (evaluate_nd_numeric(side, x if not roots else x.astype(float), bindings, exact=not roots)
                    for side in (lhs, rhs))
            trials += 1
            if not roots and any(isinstance(v, float) for v in (*a.flat, *b.flat)):  # -inf of a max-pool window of
                continue  # padding only, or nan where it met a zero tap: no rational counterexample from this draw
            if roots and a.shape == b.shape:
                error, allowed = float_error(a, b)
                worst, tolerance = max(worst, error), max(tolerance, allowed)
                differ = np.where(a == b, 0.0, np.abs(a - b)) > allowed
            else:
                differ = a != b if a.shape == b.shape else None
            if differ is not None and not differ.any():
                compared += 1 if a.size else 0
                continue
            index = tuple(int(i) for i in np.argwhere(differ)[0]) if differ is not None else (0,) * (len(shape) + 1)
            kernels = {k: np.asarray(v).tolist() for k, v in bindings.items()}
            if roots:  # the outputs shown are the core's exact ones, once they are seen to differ
                example = CounterexampleNd(shape, _plain(x), kernels, *exact_difference(lhs, rhs, x, bindings, index),
                                           index)
            else:
                example = CounterexampleNd(shape, _plain(x), kernels, _plain(a), _plain(b), index)
                _reverify(lhs, rhs, example, _point(bindings))
            search = "a float64 search, confirmed exactly" if roots else "exact numeric search"
            why = "the output shapes differ" if a.shape != b.shape else "the outputs differ"
            return Proof(lhs, rhs, "refuted", counterexample=example,
                         note=f"{why} at shape {shape} (found by {search}; nonlinear {lhs.ndim}-D layers)")
    report = NumericReport(trials, worst, tolerance, compared=compared)
    if not report.is_evidence:
        return Proof(lhs, rhs, "unknown", numeric=report,
                     note=f"nonlinear {lhs.ndim}-D layers: no trial gave a non-empty output to compare")
    edges = edge_window_note(lhs, rhs)
    if edges:
        return Proof(lhs, rhs, "unknown", numeric=report, note=f"{edges} ({trials} random draws over {len(shapes)} "
                                                              f"shapes)")
    agreement = "outputs equal within the float64 tolerance" if roots else "equal exact outputs"
    return Proof(lhs, rhs, "checked", numeric=report,
                 note=f"nonlinear {lhs.ndim}-D layers: {agreement} on {trials} random draws over {len(shapes)} "
                      f"shapes (numeric evidence only)")


def takes_square_roots(layer: Layer) -> bool:
    """Whether an ``l2pool`` or ``l2pool{d}d`` (square roots, outputs not rational) is among the layers, sums
    included."""
    return any(isinstance(step, L2Pool)
               or any(takes_square_roots(b) for b in getattr(step, "branches", ())) for step in layer.layers())


def float_error(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """``(max |a - b|, allowed)``: equal entries (infinities too) count 0; ``allowed`` is
    :data:`RELATIVE_TOLERANCE` times the largest finite output magnitude (at least 1)."""
    if not a.size:
        return 0.0, 0.0
    gap = np.where(a == b, 0.0, np.abs(a - b))
    finite = np.abs(np.concatenate([a[np.isfinite(a)], b[np.isfinite(b)]]))
    return float(gap.max()), RELATIVE_TOLERANCE * max(1.0, float(finite.max()) if finite.size else 1.0)


def _exact_outputs(layer: Layer, x: np.ndarray, point: dict) -> np.ndarray:
    got = run_nd(layer, signal_nd(_plain(x), x.ndim - 1))
    array = np.zeros((got.channels,) + got.shape, dtype=object)
    array[...] = sympy.Integer(0)
    for key, v in got.values.items():
        array[key] = sympy.expand(v.xreplace(point))
    return array


def exact_difference(lhs: Layer, rhs: Layer, x: np.ndarray, bindings: dict, index: tuple) -> tuple:
    """Both sides' exact outputs (nested, SymPy square roots) at a float64 mismatch, after checking with the
    core's exact semantics that the shapes, or the outputs at ``index``, really differ."""
    point = _point(bindings)
    a, b = (_exact_outputs(side, x, point) for side in (lhs, rhs))
    if a.shape == b.shape and abs(sympy.N(a[index] - b[index], 30)) < 1e-20:
        raise NumericMismatch(f"N-D counterexample at {index} not confirmed by the exact semantics for {lhs!r} "
                              f"and {rhs!r}")
    return _plain_exact(a), _plain_exact(b)


def _reverify(lhs: Layer, rhs: Layer, example, point: dict) -> None:
    """The core's exact semantics must give both outputs of the counterexample."""
    signal = signal_nd(example.input, len(example.n), example.n)  # (0, 3): the nesting cannot show the 3
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
