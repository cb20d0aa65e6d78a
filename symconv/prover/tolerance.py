"""Proofs within a tolerance: ``prove(lhs, rhs, atol=..., rtol=...)`` for linear and affine sides.

Statement. For every input shape n (a length in 1-D, ``(n1, ..., nd)`` in N-D),
every input with ``|x[m, j]| <= 1`` and every output ``(o, i)``:

    |lhs(x)[o, i] - rhs(x)[o, i]| <= atol + rtol * R[o, i](n),

with ``R[o, i](n) = sum_{m, j} |r_{o,i;m,j}| + |r_{o,i}|`` the right-hand
output's own bound (the induced infinity-norm of its row plus its |bias|).
Every output of an affine chain (linear layers, biases, ``affine``) is
``sum d_{m,j} x[m, j] + delta`` on the difference of the two sides, so its
largest absolute value on the box is exactly the row's gain

    G[o, i](n) = sum_{m, j} |d_{m,j}| + |delta|,

attained at ``x[m, j] = sign(delta) sign(d_{m,j})`` (a sign of 0 read as 1).
The proof states the worst-case gain ``G* = sup_n max_{o,i} G[o, i](n)`` (the
induced infinity-norm of the difference over all input sizes, boundary
outputs included) exactly, and where it is attained.

**Lemma (finite horizon).** Let n0 and P be the eventual-periodicity bound of
both sides together (:func:`symconv.prover.boundary.find_bound`). For
n >= n0 every output row at n + P is, on both sides at once, a left-boundary
row (the same coefficients as the row of the same index at n: it does not
depend on n), an interior row, or a right-boundary row (the coefficients of
the row Q = m(n + P) - m(n) rows earlier at n, moved by P input samples);
interior rows are rows of the same index at n or moved ones, because a run of
Q interior rows separates the two ends. Moving coefficients changes neither G
nor R. Hence every pair ``(G, R)`` met at some n >= n0 is met at some
n < n0 + P: the maximum over all n is the maximum over ``n < n0 + P``, and the
tolerance holds for every n iff it holds for every row of every ``n < n0 + P``.
In N-D the same holds along each axis with the other axes as channels (the
bounds are those of the projections on each axis, as in
:mod:`symconv.prover.decide_nd`), so the shapes with ``n_k < n0_k + P_k`` on
every axis suffice. The rows are computed exactly with the engine's linear
forms (:func:`symconv.algebra.forms.chain_forms`, :func:`symconv.prover.forms_nd.forms_nd`);
the checker's rule ``tolerance`` (:mod:`symconv.checker.tolerance`) recomputes
them from the core semantics.

Symbolic kernels cannot be bounded: a tolerance with symbolic taps is an error.

>>> p = prove_within("conv([1, 1/2])", "conv([1, 501/1000])", atol="1/1000", rtol=0)
>>> p.verdict, p.rests_on
('proved', ('tolerance: atol=1/1000, rtol=0',))
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Optional, Union

import numpy as np
import sympy

from symconv.algebra.flip import FlipNotMovable
from symconv.algebra.forms import CONSTANT, chain_forms
from symconv.algebra.normal_form import LinearChain
from symconv.checker import Certificate, CertificateStep, Rule
from symconv.checker.tolerance import MAX_CHECK_SHAPES, as_convolutions, tolerance_entry
from symconv.core.layers import Affine, Chain, Layer, Parallel, outside_fragment_reason
from symconv.errors import InvalidArgument, KernelError, NotInFragment, NumericMismatch
from symconv.numeric.check import NumericReport
from symconv.prover.boundary import MAX_BOUND, Bound, find_bound
from symconv.prover.counterexample import Counterexample
from symconv.prover.decide import normal_forms
from symconv.prover.proof import Proof, ProofStep, proved_by_kernel

__all__ = ["tolerance_value", "RowGain", "WorstCase", "worst_case_gain", "prove_within"]

Tolerance = Union[int, float, str, Fraction, Decimal, sympy.Rational]


def tolerance_value(value: Tolerance, name: str) -> Fraction:
    """``atol`` or ``rtol`` as an exact rational >= 0.

    Text is read by :class:`fractions.Fraction` (``"1e-5"``, ``"0.00001"``,
    ``"1/100000"``), never evaluated; a float by its shortest decimal
    (``1e-05`` is 1/100000, what was typed); ints, Fractions, Decimals and SymPy
    rationals exactly.

    >>> tolerance_value("1e-5", "atol"), tolerance_value(1e-05, "atol")
    (Fraction(1, 100000), Fraction(1, 100000))
    """
    number: Optional[Fraction] = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, (int, Fraction)):
        number = Fraction(value)
    elif isinstance(value, float) and math.isfinite(value):
        number = Fraction(repr(value))
    elif isinstance(value, Decimal) and value.is_finite():
        number = Fraction(value)
    elif isinstance(value, sympy.Rational):
        number = Fraction(int(value.p), int(value.q))
    elif isinstance(value, str):
        try:
            number = Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            number = None
    if number is None or number < 0:
        raise InvalidArgument("prove", name, value, "a number >= 0 such as 1e-5, 0.00001 or 1/100000")
    return number


@dataclass(frozen=True)
class RowGain:
    """Output ``(o, i1, ..., id)`` on an input of ``shape``: its gain G, the rhs bound R, the maximising input."""

    shape: tuple[int, ...]
    output: tuple[int, ...]
    gain: Fraction
    bound: Fraction
    #: ``x[m][j1]...[jd]`` in {-1, 1}: ``sign(delta) sign(d)`` (module doc).
    input: tuple

    def allowed(self, atol: Fraction, rtol: Fraction) -> Fraction:
        """``atol + rtol * R``."""
        return atol + rtol * self.bound

    def where(self) -> str:
        n = self.shape[0] if len(self.shape) == 1 else self.shape
        return f"n = {n}, output {list(self.output)}, input x = {_plain_list(self.input)}"


@dataclass(frozen=True)
class WorstCase:
    """The worst-case gain of ``lhs - rhs`` over every shape (``attained``: None when no shape has an output),
    from every row of every shape below the per-axis limits (which, by the lemma, stand for every shape)."""

    gain: Fraction
    attained: Optional[RowGain]
    rows: tuple[RowGain, ...]
    axes: tuple[Bound, ...]


@dataclass(frozen=True)
class _Sides:
    """The statement's sides, the same with ``affine`` as 1x1 convolutions, and the per-axis bounds."""

    lhs: Layer
    rhs: Layer
    left: Layer
    right: Layer
    ndim: int
    channels: int
    axes: tuple[Bound, ...]
    forms: Optional[tuple[LinearChain, LinearChain]] = None  # the normal forms, 1-D


@dataclass(frozen=True)
class _Outcome:
    """Why no rows can be compared: a shape whose output shapes differ, or a reason for unknown."""

    note: str
    shape: Optional[tuple[int, ...]] = None


def _plain_list(nested) -> list:
    return [_plain_list(v) for v in nested] if isinstance(nested, (list, tuple)) else nested


def _number(coefficient) -> Fraction:
    """A coefficient of a form over the numeric tap ring, as a Fraction."""
    terms = getattr(coefficient, "terms", None)
    if terms is None:
        return Fraction(coefficient)
    assert set(terms) <= {()}, "a numeric ring has constants only"
    return Fraction(terms.get((), 0))


def _row(shape: tuple[int, ...], output: tuple[int, ...], a: dict, b: dict, constant, channels: int) -> RowGain:
    """The row of forms ``a`` (lhs) and ``b`` (rhs): keys ``(m, j1, ..., jd)`` and ``constant``."""
    difference = {key: _number(a.get(key, 0)) - _number(b.get(key, 0)) for key in set(a) | set(b)}
    delta = difference.pop(constant, Fraction(0))
    gain = sum(map(abs, difference.values()), Fraction(0)) + abs(delta)
    own = sum((abs(_number(v)) for v in b.values()), Fraction(0))
    signs = np.full((channels, *shape), -1 if delta < 0 else 1, dtype=int)
    for key, value in difference.items():
        if value < 0:
            signs[key] = -signs[key]
    return RowGain(shape, output, gain, own, _nested(signs.tolist()))


def _nested(values) -> tuple:
    return tuple(_nested(v) for v in values) if isinstance(values, list) else values


def _leaves(layer: Layer):
    inner = layer.steps if isinstance(layer, Chain) else layer.branches if isinstance(layer, Parallel) else None
    if inner is None:
        yield layer
        return
    for step in inner:
        yield from _leaves(step)


def _check_fragment(lhs: Layer, rhs: Layer) -> None:
    """Linear layers and ``affine`` with numeric weights; anything else is a clear error."""
    statement = f"{lhs!r} == {rhs!r}"
    leaves = [*_leaves(lhs), *_leaves(rhs)]
    for layer in leaves:
        if not layer.is_linear and not isinstance(layer, Affine):
            if hasattr(layer, "count_include_pad"):  # an average with edge windows
                raise NotInFragment(f"{outside_fragment_reason(layer)}, in {statement}; a tolerance is proved for "
                                    f"the decided linear layers, biases and affine() only")
            raise NotInFragment(f"{layer!r} in {statement} is not linear or affine; a tolerance is proved for "
                                f"linear layers, biases and affine() only")
    names = {s.name for layer in (lhs, rhs) for k in layer.kernels() for s in k.symbols()}
    names |= {str(s.name) for layer in (lhs, rhs) for k in layer.kernels() for s in k.length_symbols()}
    names |= {str(s) for layer in leaves if isinstance(layer, Affine)
              for values in layer.per_channel(1) for e in values
              for s in sympy.sympify(e).free_symbols}  # safe: affine() holds exact SymPy values, never text
    names |= {layer.bias for layer in leaves if isinstance(getattr(layer, "bias", None), str)}
    names |= {str(s) for layer in leaves if isinstance(getattr(layer, "bias", None), tuple)
              for b in layer.bias for s in b.free_symbols}
    if names:
        raise NotInFragment(f"{statement} has symbolic {', '.join(sorted(names))}: a symbolic kernel cannot be "
                            f"bounded; give numeric weights for a tolerance, or prove it exactly without atol/rtol")


def _sides(lhs, rhs) -> tuple[Layer, Layer]:
    if not isinstance(lhs, (str, Layer)) or not isinstance(rhs, (str, Layer)):
        from symconv.interop import as_layer

        lhs, rhs = as_layer(lhs, "prove lhs"), as_layer(rhs, "prove rhs")
    if isinstance(lhs, str) or isinstance(rhs, str):
        from symconv.dsl import parse_statement

        return parse_statement(lhs if isinstance(lhs, str) else repr(lhs), rhs if isinstance(rhs, str) else repr(rhs))
    return lhs, rhs


def _analyse(lhs: Layer, rhs: Layer) -> Union[_Sides, _Outcome]:
    """The per-axis bounds of the lemma, or why the rows cannot be compared."""
    _check_fragment(lhs, rhs)
    ndim = max(lhs.ndim, rhs.ndim)
    channels = lhs.in_channels or rhs.in_channels or 1
    try:
        left, right = as_convolutions(lhs, channels, ndim), as_convolutions(rhs, channels, ndim)
    except KernelError as err:  # an affine coefficient that is no exact rational
        raise NotInFragment(f"{lhs!r} == {rhs!r}: a tolerance needs numeric weights ({err})") from err
    if ndim == 1:
        try:
            lnf, rnf = normal_forms(left, right)
        except FlipNotMovable:
            return _Outcome("a flip() across a strided layer: tolerances are proved for chains whose flips move "
                            "to the input")
        chains = [(lnf, rnf)]
    else:
        from symconv.core.layers_nd import axis_chain

        chains = [tuple(LinearChain.of(axis_chain(side, axis), skeleton=True) for side in (left, right))
                  for axis in range(ndim)]
    axes = []
    for axis, (a, b) in enumerate(chains):
        bound = find_bound([a, b])
        if bound is None:
            return _Outcome(f"no eventual-periodicity bound below n = {MAX_BOUND}"
                            + (f" on axis {axis + 1}" if ndim > 1 else ""))
        for n in range(bound.limit + bound.period):
            if a.output_length(n) != b.output_length(n):
                shape = (n,) if ndim == 1 else tuple(n if k == axis else 8 for k in range(ndim))
                return _Outcome(f"output lengths differ at n{'' if ndim == 1 else axis + 1} = {n}: "
                                f"{a.output_length(n)} against {b.output_length(n)}", shape)
        axes.append(bound)
    if ndim == 1 and chains[0][0].input_flip != chains[0][1].input_flip:
        return _Outcome("one side reverses its input and the other does not")
    if ndim > 1 and math.prod(b.limit for b in axes) > MAX_CHECK_SHAPES:
        return _Outcome(f"{' x '.join(str(b.limit) for b in axes)} shapes would have to be compared, more than the "
                        f"checker evaluates ({MAX_CHECK_SHAPES})")
    return _Sides(lhs, rhs, left, right, ndim, channels, tuple(axes), chains[0] if ndim == 1 else None)


def _rows(sides: _Sides) -> tuple[RowGain, ...]:
    """Every row of every shape below the per-axis limits."""
    rows = []
    if sides.ndim == 1:
        lnf, rnf = sides.forms
        for n in range(sides.axes[0].limit):
            for o, (left, right) in enumerate(zip(chain_forms(lnf, n), chain_forms(rnf, n))):
                rows += [_row((n,), (o, i), a, b, CONSTANT, sides.channels)
                         for i, (a, b) in enumerate(zip(left, right))]
        return tuple(rows)
    from symconv.prover.forms_nd import CONSTANT as CONSTANT_ND
    from symconv.prover.forms_nd import forms_nd, ring_nd

    ring = ring_nd(sides.left, sides.right)
    for shape in itertools.product(*(range(b.limit) for b in sides.axes)):
        out_shape, left = forms_nd(sides.left, shape, ring, sides.channels)
        _, right = forms_nd(sides.right, shape, ring, sides.channels)
        outputs = sides.left.out_channels(sides.channels) or sides.channels
        rows += [_row(shape, key, left.get(key, {}), right.get(key, {}), CONSTANT_ND, sides.channels)
                 for key in itertools.product(range(outputs), *(range(m) for m in out_shape))]
    return tuple(rows)


def _worst(sides: _Sides) -> WorstCase:
    rows = _rows(sides)
    attained = max(rows, key=lambda r: r.gain, default=None)  # the first row of the largest gain
    return WorstCase(attained.gain if attained else Fraction(0), attained, rows, sides.axes)


def worst_case_gain(lhs: Union[str, Layer], rhs: Union[str, Layer]) -> WorstCase:
    """``G* = max over every shape n and output (o, i) of sum |d| + |delta|`` for ``lhs - rhs``, exactly.

    Raises NotInFragment outside the fragment and ValueError when the output
    shapes differ or no periodicity bound exists (module doc).

    >>> w = worst_case_gain("pad(1) >> conv([1, 1])", "conv([1, 1], padding=1, bias=[1/4])")
    >>> w.gain, w.attained.shape, w.attained.output
    (Fraction(1, 4), (0,), (0, 0))
    """
    sides = _analyse(*_sides(lhs, rhs))
    if isinstance(sides, _Outcome):
        raise ValueError(sides.note)
    return _worst(sides)


def _exact_outputs(lhs: Layer, rhs: Layer, x: tuple, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Both sides on ``x`` (``channels x shape``) with the numeric evaluator in exact (Fraction) mode."""
    from symconv.numeric import evaluate_nd_numeric, evaluate_numeric

    channels = len(x)
    array = np.array([Fraction(v) for v in np.array(x, dtype=object).ravel()] or [], dtype=object)
    array = array.reshape((channels, *shape))
    if max(lhs.ndim, rhs.ndim) == 1:
        return evaluate_numeric(lhs, array, exact=True), evaluate_numeric(rhs, array, exact=True)
    return evaluate_nd_numeric(lhs, array, exact=True), evaluate_nd_numeric(rhs, array, exact=True)


def _rationals(array) -> tuple:
    """An exact object array as nested tuples of SymPy rationals."""
    if isinstance(array, np.ndarray):
        return tuple(_rationals(v) for v in array)
    value = Fraction(array)
    return sympy.Rational(value.numerator, value.denominator)


def _counterexample(lhs: Layer, rhs: Layer, shape: tuple, x: tuple, a: np.ndarray, b: np.ndarray, output: tuple):
    if len(shape) == 1:
        return Counterexample(shape[0], x, {}, _rationals(a), _rationals(b), output[1])
    from symconv.prover.proof_nd import CounterexampleNd

    return CounterexampleNd(shape, x, {}, _rationals(a), _rationals(b), output)


def _exceeding(lhs: Layer, rhs: Layer, row: RowGain, atol: Fraction, rtol: Fraction):
    """The maximising input of ``row``, re-verified: the outputs there differ by G > atol + rtol * R."""
    a, b = _exact_outputs(lhs, rhs, row.input, row.shape)
    difference = abs(Fraction(a[row.output]) - Fraction(b[row.output]))
    if difference != row.gain or difference <= row.allowed(atol, rtol):
        raise NumericMismatch(f"the input at {row.where()} should make {lhs!r} and {rhs!r} differ by {row.gain}; "
                              f"the numeric evaluator gives {difference}")
    return _counterexample(lhs, rhs, row.shape, row.input, a, b, row.output)


def _shape_counterexample(lhs: Layer, rhs: Layer, shape: tuple[int, ...], channels: int):
    x = _nested(np.ones((channels, *shape), dtype=int).tolist())
    a, b = _exact_outputs(lhs, rhs, x, shape)
    if a.shape == b.shape:
        raise NumericMismatch(f"the output shapes of {lhs!r} and {rhs!r} should differ at input shape {shape}")
    first = tuple(min(p, q) for p, q in zip(a.shape, b.shape))
    return _counterexample(lhs, rhs, shape, x, a, b, (0, *first[1:]))


def _numeric(sides: _Sides, worst: WorstCase, atol: Fraction, rtol: Fraction, seed: int) -> NumericReport:
    """Evidence: the maximising input (exact) and random inputs with |x| <= 1 (float64), also past the limits."""
    from symconv.numeric import evaluate_nd_numeric, evaluate_numeric

    run = evaluate_numeric if sides.ndim == 1 else evaluate_nd_numeric
    trials, compared, observed = 0, 0, 0.0
    if worst.attained is not None:
        a, b = _exact_outputs(sides.lhs, sides.rhs, worst.attained.input, worst.attained.shape)
        observed = float(abs(Fraction(a[worst.attained.output]) - Fraction(b[worst.attained.output])))
        trials, compared = 1, 1
    rng = np.random.default_rng(seed)
    limits = [b.limit for b in worst.axes]
    shapes = [tuple(min(n, limit) for limit in limits) for n in range(1, 13)]
    shapes += [tuple(limit + 3 for limit in limits), tuple(2 * limit + 5 for limit in limits)]
    for shape in dict.fromkeys(shapes):
        x = rng.uniform(-1.0, 1.0, size=(sides.channels, *shape))
        a, b = run(sides.lhs, x), run(sides.rhs, x)
        trials += 1
        if a.size:
            compared += 1
            observed = max(observed, float(np.max(np.abs(a - b))))
    gain = float(worst.gain)
    if observed > gain * (1 + 1e-9) + 1e-12:
        raise AssertionError(f"an input with |x| <= 1 gives |lhs - rhs| = {observed}, above the worst-case gain {gain}")
    at = worst.attained
    return NumericReport(trials, observed, float(at.allowed(atol, rtol) if at else atol), None, compared)


def _flip_steps(sides: _Sides) -> list[CertificateStep]:
    if sides.forms is None:
        return []
    from symconv.prover.certify import _has_flip

    lnf, rnf = sides.forms
    steps = [CertificateStep(Rule.FLIP_CONJUGATION, (("side", side),), f"{side}: every flip() moved to the input")
             for side, layer in (("lhs", sides.lhs), ("rhs", sides.rhs)) if _has_flip(layer)]
    if lnf.input_flip and rnf.input_flip:
        steps.append(CertificateStep(Rule.STRIP_INPUT_FLIP, (), "flip() >> A == flip() >> B iff A == B"))
    return steps


def _certificate(sides: _Sides, worst: WorstCase, atol: Fraction, rtol: Fraction) -> Certificate:
    at = worst.attained
    axes = [[b.start, b.period, b.limit] for b in worst.axes]
    data = (("atol", str(atol)), ("attained", [list(at.shape), list(at.output)] if at else []),
            ("axes", axes), ("gain", str(worst.gain)), ("rtol", str(rtol)))
    limits = " x ".join(str(b.limit) for b in worst.axes)
    statement = (f"every output of every shape below {limits} differs by at most atol + rtol * R on |x| <= 1; past "
                 f"the per-axis bounds the rows repeat; worst-case gain {worst.gain}")
    return Certificate(repr(sides.lhs), repr(sides.rhs),
                       tuple(_flip_steps(sides)) + (CertificateStep(Rule.TOLERANCE, data, statement),))


def _steps(worst: WorstCase, atol: Fraction, rtol: Fraction) -> tuple[ProofStep, ...]:
    at = worst.attained
    attained = f", attained at {at.where()}" if at else " (no input shape has an output)"
    if len(worst.axes) == 1:
        bound = worst.axes[0]
        periodic = (f"past n0 = {bound.start} every output row is a left-boundary, interior or right-boundary row, "
                    f"periodic with period {bound.period}: the rows of every n are those of some n < {bound.limit}")
        below = f"n < {bound.limit}"
    else:
        per_axis = ", ".join(f"axis {k + 1}: n0 = {b.start}, period {b.period}" for k, b in enumerate(worst.axes))
        limits = tuple(b.limit for b in worst.axes)
        periodic = (f"along each axis, with the other axes as channels, the rows repeat past the axis bound "
                    f"({per_axis}): the rows of every shape are those of some shape below {limits}")
        below = f"shape below {limits}"
    return (
        ProofStep("affine_difference", "every output of lhs - rhs is sum_j d_j x_j + delta; on |x| <= 1 its largest "
                                       "absolute value is G = sum_j |d_j| + |delta| (x_j = sign(delta) sign(d_j))"),
        ProofStep("boundary_bound", periodic),
        ProofStep("worst_case_gain", f"worst-case gain of lhs - rhs over every input shape (its induced "
                                     f"infinity-norm): {worst.gain} ~ {float(worst.gain):.6g}{attained}"),
        ProofStep("tolerance", f"every output of every {below} has G <= atol + rtol * R (atol = {atol}, "
                               f"rtol = {rtol}, R the rhs output's own bound), so every output of every shape does"),
    )


def prove_within(lhs: Union[str, Layer], rhs: Union[str, Layer], atol: Optional[Tolerance] = None,
                 rtol: Optional[Tolerance] = None, seed: int = 0) -> Proof:
    """``proved`` when every output differs by at most ``atol + rtol * R`` for every shape and every |x| <= 1.

    ``refuted`` carries the input (signs, |x| <= 1) of the output that exceeds
    the tolerance most, re-verified with the numeric evaluator in exact mode;
    the worst-case gain and where it is attained are in the steps either way.
    A missing ``atol`` or ``rtol`` is 0.
    """
    atol_q = tolerance_value(0 if atol is None else atol, "atol")
    rtol_q = tolerance_value(0 if rtol is None else rtol, "rtol")
    rests_on = (tolerance_entry(atol_q, rtol_q),)
    lhs, rhs = _sides(lhs, rhs)
    sides = _analyse(lhs, rhs)
    if isinstance(sides, _Outcome):
        if sides.shape is None:
            return Proof(lhs, rhs, "unknown", note=sides.note, rests_on=rests_on)
        example = _shape_counterexample(lhs, rhs, sides.shape, lhs.in_channels or rhs.in_channels or 1)
        return Proof(lhs, rhs, "refuted", counterexample=example, note=sides.note, rests_on=rests_on)
    worst = _worst(sides)
    steps = _steps(worst, atol_q, rtol_q)
    exceeding = [row for row in worst.rows if row.gain > row.allowed(atol_q, rtol_q)]
    if exceeding:
        row = max(exceeding, key=lambda r: r.gain - r.allowed(atol_q, rtol_q))
        example = _exceeding(lhs, rhs, row, atol_q, rtol_q)
        return Proof(lhs, rhs, "refuted", steps=steps[:3], counterexample=example, rests_on=rests_on,
                     note=f"at {row.where()} the sides differ by {row.gain} ~ {float(row.gain):.6g}, more than "
                          f"atol + rtol * R = {row.allowed(atol_q, rtol_q)}; worst-case gain {worst.gain}")
    report = _numeric(sides, worst, atol_q, rtol_q, seed)
    return proved_by_kernel(lhs, rhs, _certificate(sides, worst, atol_q, rtol_q), rests_on=rests_on, steps=steps,
                            numeric=report, note=f"worst-case gain {worst.gain} ~ {float(worst.gain):.6g}")
