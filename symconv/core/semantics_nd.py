"""The exact reference semantics of N-D chains, sample by sample, in exact polynomials (SymPy at the edges).

A signal has ``C`` channels and a shape ``(n1, ..., nd)``; its samples are
``x[m, i1, ..., id]``. Each layer follows :mod:`symconv.core.layers_nd` (and
PyTorch's ``conv{d}d``); output shapes come from the length table
(:func:`symconv.core.layers_nd.output_shape`), at every shape, empty axes
included: samples outside the input read as zeros, so padding and bias supply
the outputs of an empty input. Nothing here is clever, so that it can be trusted.

>>> from symconv.core.kernel import kernel
>>> from symconv.core.layers_nd import conv2d
>>> evaluate_nd(conv2d(kernel("k", 1, 2)), symbolic_input_nd((1, 3)))[0]
((k_0_0*x_0_0_0 + k_0_1*x_0_0_1, k_0_0*x_0_0_1 + k_0_1*x_0_0_2),)
"""

from __future__ import annotations

import itertools
import math
from operator import add, mul
from fractions import Fraction
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence, Union

from symconv.lazy_import import sympy

from symconv.core.composite import Chain, Parallel
from symconv.core.exact_poly import Poly, add_into, add_product, from_sympy, times, to_sympy, variable
from symconv.core.layers import Layer
from symconv.core.layers_nd import (
    AvgPool,
    Conv,
    ConvTranspose,
    Crop,
    Down,
    L2Pool,
    MaxPool,
    Pad,
    Up,
    axis_chain,
    axis_layer,
    flipped_axes,
)
from symconv.core.nonlinear import Affine, ReLU
from symconv.core.output_length import output_length
from symconv.core.pools import avgpool_divisor
from symconv.core.tap_tables import IntegerForms, tap_tables
from symconv.errors import ChannelMismatch, InvalidArgument, NotInFragment

__all__ = ["SignalNd", "Samples", "evaluate_nd", "run_nd", "exact_level", "every_output_exact",
           "outputs_exact_forms", "outputs_at", "outputs_at_exact", "symbolic_outputs_exact", "symbolic_input_nd",
           "signal_nd"]



@dataclass(frozen=True)
class SignalNd:
    """``channels`` channels of shape ``shape``; ``values[(m, i1, ..., id)]``, zeros left out."""

    channels: int
    shape: tuple[int, ...]
    values: dict = field(default_factory=dict, hash=False)

    def at(self, m: int, index: Sequence[int]) -> sympy.Expr:
        """``x[m, index]``, and 0 outside the signal."""
        if all(0 <= i < n for i, n in zip(index, self.shape)):
            value = self.values.get((m, *index))
            if value is not None:
                return value
        return sympy.S.Zero

    def indices(self):
        return itertools.product(*(range(n) for n in self.shape))

    def nested(self) -> tuple:
        """``x[m][i1]...[id]`` as nested tuples."""
        def build(m: int, prefix: tuple[int, ...]) -> object:
            if len(prefix) == len(self.shape):
                value = self.values.get((m, *prefix))
                return sympy.S.Zero if value is None else value
            return tuple(build(m, prefix + (j,)) for j in range(self.shape[len(prefix)]))

        return tuple(build(m, ()) for m in range(self.channels))


def symbolic_input_nd(shape: Sequence[int], channels: int = 1) -> SignalNd:
    """``x_m_i1_..._id`` for every channel and index."""
    shape = tuple(shape)
    values = {(m, *i): sympy.Symbol("x_" + "_".join(map(str, (m, *i))))
              for m in range(channels) for i in itertools.product(*(range(n) for n in shape))}
    return SignalNd(channels, shape, values)


def signal_nd(x: object, ndim: int, shape: Optional[Sequence[int]] = None) -> SignalNd:
    """Nested ``x[m][i1]...[id]`` as a signal. Nesting cannot show the sizes after an empty axis: read from the
    nesting they are empty too, unless ``shape`` gives them (a shape ``(0, 3)`` has no sample either way)."""
    if isinstance(x, SignalNd):
        return x
    if shape is not None:
        shape = list(shape)
    else:
        shape = []
        probe = x[0] if x else ()
        for _ in range(ndim):
            shape.append(len(probe))
            probe = probe[0] if len(probe) else ()
    values = {}
    for m, channel in enumerate(x):
        for index in itertools.product(*(range(n) for n in shape)):
            v = channel
            for j in index:
                v = v[j]
            if v != 0:
                values[(m, *index)] = v
    return SignalNd(len(x), tuple(shape), values)


#: ``X(m, index)``: a sample of a layer's input as an exact polynomial, ``{}`` (0) outside it.
Samples = Callable[[int, Sequence[int]], Poly]


def _inside(index: Sequence[int], shape: Sequence[int]) -> bool:
    for j, n in zip(index, shape):
        if not 0 <= j < n:
            return False
    return True


def _windows(size: Sequence[int], dilation: Sequence[int]) -> list[tuple[int, ...]]:
    return list(itertools.product(*(range(0, d * k, d) for k, d in zip(size, dilation))))


def _sum(polys) -> Poly:
    total: Poly = {}
    for p in polys:
        add_into(total, p)
    return total


def _in_sympy(f: Callable[..., sympy.Expr]) -> Callable[..., Poly]:
    """A nonlinear formula, applied to the samples written in SymPy and read back expanded (opaque atoms)."""
    return lambda *samples: from_sympy(sympy.expand(f(*(to_sympy(v) for v in samples))))


def _gather(layer: Layer, X: Samples, shape: tuple[int, ...], channels: int) -> Callable[[int, tuple], Poly]:
    """The output ``y(o, i)`` of one layer as a formula in its input samples ``X`` (input ``shape``, ``channels``).

    This is the definition of every N-D layer, in the exact polynomial ring
    (:mod:`symconv.core.exact_poly`; ``relu``, ``maxpool`` and ``l2pool`` apply their SymPy
    formula); :func:`run_nd` and :func:`outputs_at` only decide which outputs to
    ask for.
    """
    if isinstance(layer, Conv):
        # y[o, i] = b[o] + sum_{m, a} W[o, m, a] xp[g(o) in/groups + m, s i + d a] (per axis; left padding pl)
        # numeric weights are summed as integers over one denominator (exact_poly.linear_combination)
        by_out, numbers_by_out, bias = tap_tables(layer)  # taps as (input channel, d a - pl, w)
        integer_forms = IntegerForms()

        def conv(o: int, i: tuple) -> Poly:
            start = [*map(mul, layer.strides, i)]
            numbers = numbers_by_out.get(o)
            total = (integer_forms.combine((w, X(m, [*map(add, start, shift)])) for m, shift, w in numbers)
                     if numbers else {})
            add_into(total, bias[o])
            for m, shift, w in by_out.get(o, ()):
                add_product(total, w, X(m, [*map(add, start, shift)]))
            return total
        return conv
    if isinstance(layer, ConvTranspose):
        # y[g out/groups + o, s i + d a - p] += W[m, o, a] x[m, i] for m in group g, then + b: gathered at r,
        # the inputs are i = (r + p - d a) / s where that is an integer inside the input (taps by output: tap_tables)
        by_out, numbers_by_out, bias = tap_tables(layer)  # taps as (m, p - d a, w)
        integer_forms = IntegerForms()

        def reads(r: tuple, m: int, shift: Sequence[int]) -> Optional[Poly]:
            index = []
            for rr, c, s in zip(r, shift, layer.strides):
                if (rr + c) % s:
                    return None
                index.append((rr + c) // s)
            return X(m, index)

        def transposed(o: int, r: tuple) -> Poly:
            numbers = numbers_by_out.get(o)
            total = (integer_forms.combine((w, x) for m, shift, w in numbers if (x := reads(r, m, shift)) is not None)
                     if numbers else {})
            add_into(total, bias[o])
            for m, shift, w in by_out.get(o, ()):
                x = reads(r, m, shift)
                if x is not None:
                    add_product(total, w, x)
            return total
        return transposed
    if isinstance(layer, MaxPool):
        offsets = _windows(layer.sizes, layer.dilations)
        largest = _in_sympy(lambda *v: sympy.Max(*v))  # no sample: -oo, as PyTorch's -inf

        def maximum(m: int, i: tuple) -> Poly:
            start = [s * ii - p for s, ii, p in zip(layer.strides, i, layer.paddings)]
            reads = ([b + o for b, o in zip(start, off)] for off in offsets)
            return largest(*(X(m, j) for j in reads if _inside(j, shape)))
        return maximum
    if isinstance(layer, AvgPool):
        offsets = _windows(layer.sizes, (1,) * len(shape))
        per_axis = [axis_layer(layer, a) for a in range(len(shape))]  # the divisor is the product of the 1-D ones
        integer_forms = IntegerForms()

        def average(m: int, i: tuple) -> Poly:
            start = [s * ii - p for s, ii, p in zip(layer.strides, i, layer.paddings)]
            weight = Fraction(1, math.prod(avgpool_divisor(p, n, ii) for p, n, ii in zip(per_axis, shape, i)))
            return integer_forms.combine((weight, X(m, [b + o for b, o in zip(start, off)])) for off in offsets)
        return average
    if isinstance(layer, L2Pool):
        # y[m, i] = sqrt((K / q_i) sum_a x[m, s i + a]^2): PyTorch's sqrt(K avg_pool(x^2)), q_i the avgpool divisor
        offsets = _windows(layer.sizes, (1,) * len(shape))
        per_axis = [AvgPool(k, s, 0, layer.ceil_mode) for k, s in zip(layer.sizes, layer.strides)]
        volume = math.prod(layer.sizes)

        def l2(m: int, i: tuple) -> Poly:
            start = [s * ii for s, ii in zip(layer.strides, i)]
            divisor = math.prod(avgpool_divisor(p, n, ii) for p, n, ii in zip(per_axis, shape, i))
            scale = sympy.Rational(volume, divisor)
            squares = sympy.Add(*(to_sympy(X(m, [b + o for b, o in zip(start, off)])) ** 2 for off in offsets))
            return from_sympy(sympy.expand(sympy.sqrt(scale * squares)))
        return l2
    if isinstance(layer, ReLU):
        relu = _in_sympy(lambda v: sympy.Max(sympy.S.Zero, v))
        return lambda m, i: relu(X(m, i))
    if isinstance(layer, Affine):
        scale, shift = (tuple(from_sympy(v) for v in vs) for vs in layer.per_channel(channels))
        return lambda m, i: _sum((times(scale[m], X(m, i)), shift[m]))
    if isinstance(layer, (Pad, Crop)):
        sign = -1 if isinstance(layer, Pad) else 1
        return lambda m, i: X(m, [ii + sign * b for ii, b in zip(i, layer.before)])
    flipped = flipped_axes(layer, len(shape))
    if flipped is not None and max(flipped, default=0) >= len(shape):
        raise NotInFragment(f"{layer!r} names an axis the {len(shape)}-D signal does not have")
    if flipped is not None:
        # y[m, i] = x[m, i'], i'_a = n_a - 1 - i_a on the flipped axes (flip(): every axis)
        return lambda m, i: X(m, [n - 1 - ii if a in flipped else ii for a, (ii, n) in enumerate(zip(i, shape))])
    if isinstance(layer, Down):
        return lambda m, i: X(m, [s * ii + q for s, ii, q in zip(layer.factors, i, layer.phases)])
    if isinstance(layer, Up):
        return lambda m, i: (X(m, [ii // s for ii, s in zip(i, layer.factors)])
                             if all(ii % s == 0 for ii, s in zip(i, layer.factors)) else {})
    raise NotInFragment(f"no N-D meaning for {layer!r}")


def _steps(layer: Layer) -> tuple[Layer, ...]:
    return layer.layers() if isinstance(layer, Chain) else (layer,)


def _check_channels(layer: Layer, channels: int) -> None:
    need = layer.in_channels
    if need is not None and need != channels:
        raise ChannelMismatch("the input", channels, repr(layer), need)


#: :func:`axis_chain` by ``(id(step), axis)``: ``(step, chain)``, the step kept so that its id is not reused.
_AXIS_CHAINS: dict[tuple[int, int], tuple] = {}
#: At most this many are kept (the whole memo is dropped past it).
_MAX_AXIS_CHAINS = 4096


def _output_shape(step: Layer, shape: tuple[int, ...]) -> tuple:
    """:func:`symconv.core.layers_nd.output_shape` of one step, its 1-D chain on each axis made once per step
    object (layers are immutable): a chain evaluated at many shapes builds them once, not once per shape."""
    lengths = []
    for axis, n in enumerate(shape):
        kept = _AXIS_CHAINS.get((id(step), axis))
        if kept is None or kept[0] is not step:
            if len(_AXIS_CHAINS) >= _MAX_AXIS_CHAINS:
                _AXIS_CHAINS.clear()
            kept = _AXIS_CHAINS[(id(step), axis)] = (step, axis_chain(step, axis))
        lengths.append(output_length(kept[1], n))
    return tuple(lengths)


class _Level:
    """The output of one step of a chain over the level below it, evaluated on demand and kept (as polynomials)."""

    def __init__(self, step: Layer, below: Samples, shape: tuple[int, ...], channels: int):
        self.channels = step.out_channels(channels) or channels
        self.shape = _output_shape(step, shape)
        self.cache: dict = {}
        if isinstance(step, Parallel):
            branches = [_levels(branch, below, shape, channels) for branch in step.branches]
            self.formula = lambda o, i: _sum(branch.sample(o, i) for branch in branches)
        else:
            self.formula = _gather(step, below, shape, channels)

    def sample(self, o: int, index: Sequence[int]) -> Poly:
        key = (o, *index)
        value = self.cache.get(key)
        if value is None:
            if not _inside(index, self.shape):
                return {}
            value = self.cache[key] = self.formula(o, tuple(index))
        return value


def _levels(layer: Layer, below: Samples, shape: tuple[int, ...], channels: int) -> _Level:
    """The last level of ``layer`` over the input samples ``below``."""
    _check_channels(layer, channels)
    level = None
    for step in _steps(layer):
        level = _Level(step, below, shape, channels)
        below, shape, channels = level.sample, level.shape, level.channels
    return level


def exact_level(layer: Layer, samples: Samples, shape: Sequence[int], channels: int) -> _Level:
    """The output of ``layer`` on the input read by ``samples`` (``channels`` channels of ``shape``) as a level:
    ``.channels``, ``.shape`` and ``.sample(o, i)``, each output an exact polynomial made on demand and kept.
    ``samples(m, i)`` must be ``{}`` (0) outside the input.

    >>> from symconv.core.layers_nd import Pad
    >>> x = [from_sympy(sympy.Symbol("x_0")), from_sympy(sympy.Symbol("x_1"))]
    >>> level = exact_level(Pad((1,), (0,)), lambda m, i: x[i[0]] if 0 <= i[0] < 2 else {}, (2,), 1)
    >>> level.shape, to_sympy(level.sample(0, (0,))), to_sympy(level.sample(0, (2,)))
    ((3,), 0, x_1)
    """
    return _levels(layer, samples, tuple(shape), channels)


def _exact_samples(x: SignalNd) -> Samples:
    """``x.at`` read as polynomials (each sample once)."""
    values = {key: from_sympy(v) for key, v in x.values.items()}

    def at(m: int, index: Sequence[int]) -> Poly:
        if all(0 <= i < n for i, n in zip(index, x.shape)):
            return values.get((m, *index), {})
        return {}
    return at


def run_nd(layer: Layer, x: SignalNd) -> SignalNd:
    """``layer`` applied to the signal ``x``, with its shape (every output)."""
    last = _levels(layer, _exact_samples(x), x.shape, x.channels)
    values = {}
    for o in range(last.channels):
        for i in itertools.product(*(range(n) for n in last.shape)):
            v = last.sample(o, i)
            if v:
                values[(o, *i)] = to_sympy(v)
    return SignalNd(last.channels, last.shape, values)


def outputs_at(layer: Layer, x: SignalNd, indices: Sequence[Sequence[int]]) -> tuple[tuple[int, ...], dict]:
    """``(output shape, {(o, i1, ..., id): y[o, i]})`` for the requested outputs only: every layer is evaluated
    where those outputs read it (their cones), by the same definitions as :func:`run_nd`.

    >>> from symconv.core.kernel import kernel
    >>> from symconv.core.layers_nd import conv2d
    >>> chain = conv2d(kernel("k", 1, 2)) >> conv2d(kernel("j", 1, 1))
    >>> outputs_at(chain, symbolic_input_nd((2, 40)), [(0, 1, 7)])
    ((2, 39), {(0, 1, 7): j_0_0*k_0_0*x_0_1_7 + j_0_0*k_0_1*x_0_1_8})
    """
    shape, exact = outputs_at_exact(layer, x, indices)
    return shape, {index: to_sympy(v) for index, v in exact.items()}


def outputs_at_exact(layer: Layer, x: SignalNd, indices: Sequence[Sequence[int]]) -> tuple[tuple[int, ...], dict]:
    """:func:`outputs_at` as exact polynomials (:mod:`symconv.core.exact_poly`), the form the checker compares."""
    last = _levels(layer, _exact_samples(x), x.shape, x.channels)
    return last.shape, {tuple(index): last.sample(index[0], index[1:]) for index in indices}


def symbolic_outputs_exact(layer: Layer, shape: Sequence[int], channels: int,
                           positions: Sequence[tuple[int, ...]]) -> tuple[int, dict]:
    """``(output channels, {(o, i): y[o, i]})`` at the given output positions, every channel, as exact polynomials,
    on the symbolic input ``x[m, j]`` of ``shape`` (the variable ``("x", m, *j)``, written ``x_m_j...`` in SymPy,
    made only where an output reads it): the checker's form of :func:`outputs_at`.
    """
    shape = tuple(shape)

    def at(m: int, index: Sequence[int]) -> Poly:
        return variable(("x", m, *index)) if m < channels and _inside(index, shape) else {}

    last = _levels(layer, at, shape, channels)
    return last.channels, {(o, tuple(i)): last.sample(o, i) for o in range(last.channels) for i in positions}


def every_output_exact(layer: Layer, shape: Sequence[int], channels: int) -> tuple[int, tuple[int, ...], dict]:
    """``(output channels, output shape, {(o, *i): y[o, i]})`` for every output of ``layer`` on the symbolic input
    ``x[m, j]`` of ``shape``, as exact polynomials (zero outputs left out): :func:`run_nd` in the form the
    checker compares, without SymPy.
    """
    shape = tuple(shape)

    def at(m: int, index: Sequence[int]) -> Poly:
        return variable(("x", m, *index)) if m < channels and _inside(index, shape) else {}

    last = _levels(layer, at, shape, channels)
    values = {}
    for o in range(last.channels):
        for i in itertools.product(*(range(n) for n in last.shape)):
            v = last.sample(o, i)
            if v:
                values[(o, *i)] = v
    return last.channels, last.shape, values


def outputs_exact_forms(layer: Layer, shape: Sequence[int], channels: int) -> tuple[tuple[int, ...], dict, frozenset]:
    """``(output shape, {(o, *i): y[o, i]}, input variables)`` for every output of ``layer`` on a symbolic input
    of ``shape`` with ``channels`` channels, as exact polynomials (zero outputs left out), without SymPy.

    The output shape is ``(channels, n'_1, ..., n'_d)``; the input variables are the numbers of the input
    samples' variables (:mod:`symconv.core.exact_poly`). One axis (``len(shape) == 1``): the 1-D semantics
    :func:`symconv.core.semantics.evaluate_exact` on :func:`symconv.core.semantics.exact_input` (the samples
    ``x_i``, or ``x_m_i`` for several channels), its shape ``(channels, *{lengths of the channels})`` (two
    entries after the channels if they were ragged), as :func:`symconv.core.semantics.evaluate` gives it;
    else :func:`every_output_exact` (the samples ``("x", m, *j)``), each input sample's polynomial made once (so
    that a sample read by many outputs is the same object: :class:`~symconv.core.tap_tables.IntegerForms` forms it once). Each output is
    the polynomial whose ``to_sympy`` is the sample of :func:`symconv.core.semantics.evaluate` / :func:`run_nd`.
    """
    shape = tuple(shape)
    if len(shape) == 1:
        from symconv.core.semantics import evaluate_exact, exact_input

        x = exact_input(shape[0], channels)
        y = evaluate_exact(layer, x)
        values = {(o, i): v for o, c in enumerate(y) for i, v in enumerate(c) if v}
        return (len(y), *{len(c) for c in y}), values, frozenset(v for c in x for sample in c for (v,) in sample)
    samples = {(m, *j): variable(("x", m, *j)) for m in range(channels)
               for j in itertools.product(*(range(n) for n in shape))}

    def at(m: int, index: Sequence[int]) -> Poly:
        sample = samples.get((m, *index))  # none outside the input: 0
        return {} if sample is None else sample

    last = _levels(layer, at, shape, channels)
    values = {(o, *i): v for o in range(last.channels) for i in itertools.product(*(range(n) for n in last.shape))
              if (v := last.sample(o, i))}
    inputs = frozenset(number for sample in samples.values() for (number,) in sample)  # each is {(number,): 1}
    return (last.channels, *last.shape), values, inputs


def evaluate_nd(layer: Layer, x: Union[SignalNd, tuple]) -> tuple:
    """``layer`` applied to ``x`` (a signal, or nested ``x[m][i1]...[id]``), as nested tuples ``y[o][i1]...[id]``."""
    given = x.shape.__len__() if isinstance(x, SignalNd) else _depth(x) - 1
    ndim = given if layer.axes_free else layer.ndim
    if given > ndim:  # fewer levels may be an empty axis, which empties the axes after it
        raise InvalidArgument("evaluate_nd", "x", f"a signal with {given} spatial axes",
                              f"x[m][i1]...[i{ndim}] for the {ndim}-D chain {layer!r}")
    return run_nd(layer, signal_nd(x, ndim)).nested()


def _depth(x: object) -> int:
    return 1 + _depth(x[0]) if isinstance(x, (list, tuple)) and x else (1 if isinstance(x, (list, tuple)) else 0)
