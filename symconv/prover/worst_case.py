"""The worst-case gain of ``lhs - rhs`` for linear and affine sides, exactly, over every input shape.

Every output of an affine chain (linear layers, biases, ``affine``) is
``sum d_{m,j} x[m, j] + delta`` on the difference of the two sides, so its
largest absolute value on the box ``|x[m, j]| <= 1`` is exactly the row's gain

    G[o, i](n) = sum_{m, j} |d_{m,j}| + |delta|,

attained at ``x[m, j] = sign(delta) sign(d_{m,j})`` (a sign of 0 read as 1),
beside the right-hand output's own bound ``R[o, i](n) = sum_{m, j} |r_{o,i;m,j}| + |r_{o,i}|``.
The worst-case gain is ``G* = sup_n max_{o,i} G[o, i](n)`` (the induced
infinity-norm of the difference over all input sizes, boundary outputs included).

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

A symbolic kernel cannot be bounded: it is an error (NotInFragment).

>>> w = worst_case_gain("conv([1, 1/2])", "conv([1, 501/1000])")
>>> w.gain
Fraction(1, 1000)
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Optional, Union

import numpy as np
from symconv.lazy_import import sympy

from symconv.algebra.flip import FlipNotMovable
from symconv.algebra.forms import CONSTANT, chain_forms
from symconv.algebra.normal_form import LinearChain
from symconv.checker.tolerance import MAX_CHECK_SHAPES, as_convolutions
from symconv.core.layers import Affine, Chain, Layer, Parallel, outside_fragment_reason
from symconv.errors import KernelError, NotInFragment, shorten
from symconv.prover.boundary import MAX_BOUND, Bound, find_bound
from symconv.prover.decide import normal_forms

__all__ = ["RowGain", "WorstCase", "worst_case_gain", "row_sums", "quote_statement", "leaf_layers"]


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
class Sides:
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
class Outcome:
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


def _row(shape: tuple[int, ...], output: tuple[int, ...], a: dict, b: dict, constant, channels: int,
         den: int = 1) -> RowGain:
    """The row of forms ``a / den`` (lhs) and ``b / den`` (rhs): keys ``(m, j1, ..., jd)`` and ``constant``, exact
    numbers (ints over the common denominator ``den``: the sums are divided by it once)."""
    difference = {key: a.get(key, 0) - b.get(key, 0) for key in set(a) | set(b)}
    delta = difference.pop(constant, 0)
    gain = Fraction(sum(map(abs, difference.values())) + abs(delta), den)
    own = Fraction(sum(map(abs, b.values())), den)
    signs = np.full((channels, *shape), -1 if delta < 0 else 1, dtype=int)
    for key, value in difference.items():
        if value < 0:
            signs[key] = -signs[key]
    return RowGain(shape, output, gain, own, nested_tuple(signs.tolist()))


def nested_tuple(values) -> tuple:
    """Nested lists as nested tuples."""
    return tuple(nested_tuple(v) for v in values) if isinstance(values, list) else values


def leaf_layers(layer: Layer):
    """The layers of ``layer`` through chains and sums."""
    inner = layer.steps if isinstance(layer, Chain) else layer.branches if isinstance(layer, Parallel) else None
    if inner is None:
        yield layer
        return
    for step in inner:
        yield from leaf_layers(step)


def _check_fragment(lhs: Layer, rhs: Layer) -> None:
    """Linear layers and ``affine`` with numeric weights; anything else is a clear error (quoting the statement,
    printed only then: a network's repr lists every weight)."""
    leaves = [*leaf_layers(lhs), *leaf_layers(rhs)]
    for layer in leaves:
        if not layer.is_linear and not isinstance(layer, Affine):
            if hasattr(layer, "count_include_pad"):  # an average with edge windows
                raise NotInFragment(f"{outside_fragment_reason(layer)}, in {quote_statement(lhs, rhs)}; a tolerance "
                                    f"is proved for the decided linear layers, biases and affine() only")
            raise NotInFragment(f"{shorten(repr(layer))} in {quote_statement(lhs, rhs)} is not linear or affine; a "
                                f"tolerance is proved for linear layers, biases and affine() (and for relu() or "
                                f"max-pool layers that both sides apply in the same order, between affine blocks)")
    names = {s.name for layer in (lhs, rhs) for k in layer.kernels() for s in k.symbols()}
    names |= {str(s.name) for layer in (lhs, rhs) for k in layer.kernels() for s in k.length_symbols()}
    names |= {str(s) for layer in leaves if isinstance(layer, Affine)
              for values in layer.per_channel(1) for e in values
              for s in sympy.sympify(e).free_symbols}  # safe: affine() holds exact SymPy values, never text
    names |= {layer.bias for layer in leaves if isinstance(getattr(layer, "bias", None), str)}
    names |= {str(s) for layer in leaves if isinstance(getattr(layer, "bias", None), tuple)
              for b in layer.bias for s in b.free_symbols}
    if names:
        raise NotInFragment(f"{quote_statement(lhs, rhs)} has symbolic {', '.join(sorted(names))}: a symbolic kernel "
                            f"cannot be bounded; give numeric weights for a tolerance, or prove it exactly without "
                            f"atol/rtol")


def quote_statement(lhs: Layer, rhs: Layer) -> str:
    """``lhs == rhs`` as an error message quotes it: each side cut to its head and tail
    (:func:`symconv.errors.shorten`), so a network's thousands of weights do not fill the message."""
    return f"{shorten(repr(lhs))} == {shorten(repr(rhs))}"


def read_sides(lhs, rhs) -> tuple[Layer, Layer]:
    """The statement's sides as layers: DSL text parsed, framework modules read (:func:`symconv.interop.as_layer`)."""
    if not isinstance(lhs, (str, Layer)) or not isinstance(rhs, (str, Layer)):
        from symconv.interop import as_layer

        lhs, rhs = as_layer(lhs, "prove lhs"), as_layer(rhs, "prove rhs")
    if isinstance(lhs, str) or isinstance(rhs, str):
        from symconv.dsl import parse_statement

        return parse_statement(lhs if isinstance(lhs, str) else repr(lhs), rhs if isinstance(rhs, str) else repr(rhs))
    return lhs, rhs


def analyse(lhs: Layer, rhs: Layer, channels: Optional[int] = None,
            ndim: Optional[int] = None) -> Union[Sides, Outcome]:
    """The per-axis bounds of the lemma, or why the rows cannot be compared (``channels``, ``ndim``: those of the
    input, when the sides do not fix them: a block inside a network)."""
    _check_fragment(lhs, rhs)
    ndim = ndim or max(lhs.ndim, rhs.ndim)
    channels = channels or lhs.in_channels or rhs.in_channels or 1
    try:
        left, right = as_convolutions(lhs, channels, ndim), as_convolutions(rhs, channels, ndim)
    except KernelError as err:  # an affine coefficient that is no exact rational
        raise NotInFragment(f"{quote_statement(lhs, rhs)}: a tolerance needs numeric weights "
                            f"({shorten(str(err))})") from err
    if ndim == 1:
        try:
            lnf, rnf = normal_forms(left, right)
        except FlipNotMovable:
            return Outcome("a flip() across a strided layer: tolerances are proved for chains whose flips move "
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
            return Outcome(f"no eventual-periodicity bound below n = {MAX_BOUND}"
                            + (f" on axis {axis + 1}" if ndim > 1 else ""))
        for n in range(bound.limit + bound.period):
            if a.output_length(n) != b.output_length(n):
                shape = (n,) if ndim == 1 else tuple(n if k == axis else 8 for k in range(ndim))
                return Outcome(f"output lengths differ at n{'' if ndim == 1 else axis + 1} = {n}: "
                                f"{a.output_length(n)} against {b.output_length(n)}", shape)
        axes.append(bound)
    if ndim == 1 and chains[0][0].input_flip != chains[0][1].input_flip:
        return Outcome("one side reverses its input and the other does not")
    if ndim > 1 and math.prod(b.limit for b in axes) > MAX_CHECK_SHAPES:
        return Outcome(f"{' x '.join(str(b.limit) for b in axes)} shapes would have to be compared, more than the "
                        f"checker evaluates ({MAX_CHECK_SHAPES})")
    return Sides(lhs, rhs, left, right, ndim, channels, tuple(axes), chains[0] if ndim == 1 else None)


def _row_forms(sides: Sides):
    """``(shape, output, lhs form, rhs form, constant key, D)`` for every row of every shape below the limits: the
    forms' coefficients are exact numbers over the common denominator D (in N-D ints, :class:`RationalRing`)."""
    if sides.ndim == 1:
        lnf, rnf = sides.forms
        for n in range(sides.axes[0].limit):
            for o, (left, right) in enumerate(zip(chain_forms(lnf, n), chain_forms(rnf, n))):
                for i, (a, b) in enumerate(zip(left, right)):
                    yield ((n,), (o, i), {key: _number(v) for key, v in a.items()},
                           {key: _number(v) for key, v in b.items()}, CONSTANT, 1)
        return
    from symconv.prover.forms_nd import CONSTANT as CONSTANT_ND
    from symconv.prover.forms_nd import RationalRing, scaled_forms_nd

    ring = RationalRing()  # numeric weights only (_check_fragment): each kernel read once, for every shape
    outputs = sides.channels
    for step in sides.left.layers():  # as forms_nd counts them (a chain's out_channels prints the chain)
        outputs = step.out_channels(outputs) or outputs
    for shape in itertools.product(*(range(b.limit) for b in sides.axes)):
        out_shape, left, left_den = scaled_forms_nd(sides.left, shape, ring, sides.channels)
        _, right, right_den = scaled_forms_nd(sides.right, shape, ring, sides.channels)
        den = math.lcm(left_den, right_den)
        to_left, to_right = den // left_den, den // right_den
        for key in itertools.product(range(outputs), *(range(m) for m in out_shape)):
            a, b = left.get(key, {}), right.get(key, {})
            if to_left != 1:
                a = {k: v * to_left for k, v in a.items()}
            if to_right != 1:
                b = {k: v * to_right for k, v in b.items()}
            yield shape, key, a, b, CONSTANT_ND, den


def _rows(sides: Sides) -> tuple[RowGain, ...]:
    """Every row of every shape below the per-axis limits."""
    return tuple(_row(shape, output, a, b, constant, sides.channels, den)
                 for shape, output, a, b, constant, den in _row_forms(sides))


def row_sums(sides: Sides) -> list[tuple[Fraction, Fraction, Fraction, Fraction, Fraction]]:
    """``(sum |d|, |delta|, sum |a|, |a_0|, sum |b|)`` of every row below the limits: d, delta the coefficients
    and constant of ``lhs - rhs``, a, a_0 those of lhs, b the coefficients of rhs."""
    sums = []
    for _, _, a, b, constant, den in _row_forms(sides):
        a_0, b_0 = a.get(constant, 0), b.get(constant, 0)
        difference = dict(a)
        for key, value in b.items():
            difference[key] = difference.get(key, 0) - value
        differences = sum(map(abs, difference.values())) - abs(a_0 - b_0)
        sums.append((Fraction(differences, den), Fraction(abs(a_0 - b_0), den),
                     Fraction(sum(map(abs, a.values())) - abs(a_0), den), Fraction(abs(a_0), den),
                     Fraction(sum(map(abs, b.values())) - abs(b_0), den)))
    return sums


def worst_of(sides: Sides) -> WorstCase:
    """The largest gain over every row of every shape below the per-axis limits, and the first row attaining it."""
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
    sides = analyse(*read_sides(lhs, rhs))
    if isinstance(sides, Outcome):
        raise ValueError(sides.note)
    return worst_of(sides)
