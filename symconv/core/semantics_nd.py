"""The exact reference semantics of N-D chains, sample by sample, in SymPy.

A signal has ``C`` channels and a shape ``(n1, ..., nd)``; its samples are
``x[m, i1, ..., id]``. Each layer follows :mod:`symconv.core.layers_nd` (and
PyTorch's ``conv{d}d``); output shapes come from the length table
(:func:`symconv.core.layers_nd.output_shape`), at every shape, empty axes
included: samples outside the input read as zeros, so padding and bias supply
the outputs of an empty input. Nothing here is clever, so that it can be trusted.

>>> from symconv.core.kernel_nd import kernel_nd
>>> from symconv.core.layers_nd import conv2d
>>> evaluate_nd(conv2d(kernel_nd("k", 1, 2)), symbolic_input_nd((1, 3)))[0]
((k_0_0*x_0_0_0 + k_0_1*x_0_0_1, k_0_0*x_0_0_1 + k_0_1*x_0_0_2),)
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Callable, Sequence, Union

import sympy

from symconv.core.composite import Chain, Parallel
from symconv.core.layers import Layer
from symconv.core.layers_nd import (
    AvgPoolNd,
    ConvNd,
    ConvTransposeNd,
    CropNd,
    DownNd,
    MaxPoolNd,
    PadNd,
    UpNd,
    output_shape,
)
from symconv.core.nonlinear import Affine, ReLU
from symconv.errors import ChannelMismatch, NotInFragment

__all__ = ["SignalNd", "evaluate_nd", "run_nd", "outputs_at", "symbolic_input_nd", "signal_nd"]

ZERO = sympy.Integer(0)


@dataclass(frozen=True)
class SignalNd:
    """``channels`` channels of shape ``shape``; ``values[(m, i1, ..., id)]``, zeros left out."""

    channels: int
    shape: tuple[int, ...]
    values: dict = field(default_factory=dict, hash=False)

    def at(self, m: int, index: Sequence[int]) -> sympy.Expr:
        """``x[m, index]``, and 0 outside the signal."""
        if all(0 <= i < n for i, n in zip(index, self.shape)):
            return self.values.get((m, *index), ZERO)
        return ZERO

    def indices(self):
        return itertools.product(*(range(n) for n in self.shape))

    def nested(self) -> tuple:
        """``x[m][i1]...[id]`` as nested tuples."""
        def build(m: int, prefix: tuple[int, ...]) -> object:
            if len(prefix) == len(self.shape):
                return self.values.get((m, *prefix), ZERO)
            return tuple(build(m, prefix + (j,)) for j in range(self.shape[len(prefix)]))

        return tuple(build(m, ()) for m in range(self.channels))


def symbolic_input_nd(shape: Sequence[int], channels: int = 1) -> SignalNd:
    """``x_m_i1_..._id`` for every channel and index."""
    shape = tuple(shape)
    values = {(m, *i): sympy.Symbol("x_" + "_".join(map(str, (m, *i))))
              for m in range(channels) for i in itertools.product(*(range(n) for n in shape))}
    return SignalNd(channels, shape, values)


def signal_nd(x: object, ndim: int) -> SignalNd:
    """Nested ``x[m][i1]...[id]`` as a signal (an empty axis makes the axes after it empty)."""
    if isinstance(x, SignalNd):
        return x
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


#: ``X(m, index)``: a sample of a layer's input, 0 outside it.
Samples = Callable[[int, Sequence[int]], sympy.Expr]


def _inside(index: Sequence[int], shape: Sequence[int]) -> bool:
    return all(0 <= j < n for j, n in zip(index, shape))


def _windows(size: Sequence[int], dilation: Sequence[int]) -> list[tuple[int, ...]]:
    return list(itertools.product(*(range(0, d * k, d) for k, d in zip(size, dilation))))


def _gather(layer: Layer, X: Samples, shape: tuple[int, ...], channels: int) -> Callable[[int, tuple], sympy.Expr]:
    """The output ``y(o, i)`` of one layer as a formula in its input samples ``X`` (input ``shape``, ``channels``).

    This is the definition of every N-D layer; :func:`run_nd` and :func:`outputs_at` only decide which outputs
    to ask for.
    """
    if isinstance(layer, ConvNd):
        # y[o, i] = b[o] + sum_{m, a} W[o, m, a] xp[g(o) in/groups + m, s i + d a] (per axis; left padding pl)
        lefts = tuple(p for p, _ in layer.padding)
        opg, ipg = layer.weight.out_channels // layer.groups, layer.weight.in_channels
        by_out: dict = {}
        for (o, m, *a), w in layer.weight.grid().items():
            by_out.setdefault(o, []).append((m, a, w))
        bias = layer.bias or (ZERO,) * layer.weight.out_channels

        def conv(o: int, i: tuple) -> sympy.Expr:
            first = (o // opg) * ipg
            return sympy.Add(bias[o], *(w * X(first + m, [s * ii + d * aa - p for s, ii, d, aa, p in
                                                           zip(layer.stride, i, layer.dilation, a, lefts)])
                                        for m, a, w in by_out.get(o, ())))
        return conv
    if isinstance(layer, ConvTransposeNd):
        # y[g out/groups + o, s i + d a - p] += W[m, o, a] x[m, i] for m in group g, then + b: gathered at r,
        # the inputs are i = (r + p - d a) / s where that is an integer inside the input
        ipg, opg = layer.weight.shape[0] // layer.groups, layer.weight.shape[1]
        by_out = {}
        for (m, o, *a), w in layer.weight.grid().items():
            by_out.setdefault((m // ipg) * opg + o, []).append((m, a, w))
        bias = layer.bias or (ZERO,) * layer.out_channels(None)

        def transposed(o: int, r: tuple) -> sympy.Expr:
            terms = [bias[o]]
            for m, a, w in by_out.get(o, ()):
                t = [rr + p - d * aa for rr, p, d, aa in zip(r, layer.padding, layer.dilation, a)]
                if all(tt % s == 0 for tt, s in zip(t, layer.stride)):
                    terms.append(w * X(m, [tt // s for tt, s in zip(t, layer.stride)]))
            return sympy.Add(*terms)
        return transposed
    if isinstance(layer, MaxPoolNd):
        offsets = _windows(layer.size, layer.dilation)

        def maximum(m: int, i: tuple) -> sympy.Expr:
            start = [s * ii - p for s, ii, p in zip(layer.stride, i, layer.padding)]
            reads = ([b + o for b, o in zip(start, off)] for off in offsets)
            return sympy.Max(*(X(m, j) for j in reads if _inside(j, shape)))  # no sample: -oo, as PyTorch's -inf
        return maximum
    if isinstance(layer, AvgPoolNd):
        offsets = _windows(layer.size, (1,) * len(shape))
        weight = sympy.Rational(1, math.prod(layer.size))

        def average(m: int, i: tuple) -> sympy.Expr:
            start = [s * ii - p for s, ii, p in zip(layer.stride, i, layer.padding)]
            return weight * sympy.Add(*(X(m, [b + o for b, o in zip(start, off)]) for off in offsets))
        return average
    if isinstance(layer, ReLU):
        return lambda m, i: sympy.Max(ZERO, X(m, i))
    if isinstance(layer, Affine):
        scale, shift = layer.per_channel(channels)
        return lambda m, i: scale[m] * X(m, i) + shift[m]
    if isinstance(layer, (PadNd, CropNd)):
        sign = -1 if isinstance(layer, PadNd) else 1
        return lambda m, i: X(m, [ii + sign * b for ii, b in zip(i, layer.before)])
    if isinstance(layer, DownNd):
        return lambda m, i: X(m, [s * ii + q for s, ii, q in zip(layer.factors, i, layer.phases)])
    if isinstance(layer, UpNd):
        return lambda m, i: (X(m, [ii // s for ii, s in zip(i, layer.factors)])
                             if all(ii % s == 0 for ii, s in zip(i, layer.factors)) else ZERO)
    raise NotInFragment(f"no N-D meaning for {layer!r}")


def _steps(layer: Layer) -> tuple[Layer, ...]:
    return layer.layers() if isinstance(layer, Chain) else (layer,)


def _check_channels(layer: Layer, channels: int) -> None:
    need = layer.in_channels
    if need is not None and need != channels:
        raise ChannelMismatch("the input", channels, repr(layer), need)


class _Level:
    """The output of one step of a chain over the level below it, evaluated on demand and kept."""

    def __init__(self, step: Layer, below: Samples, shape: tuple[int, ...], channels: int):
        self.channels = step.out_channels(channels) or channels
        self.shape = output_shape(step, shape)
        self.cache: dict = {}
        if isinstance(step, Parallel):
            branches = [_levels(branch, below, shape, channels) for branch in step.branches]
            self.formula = lambda o, i: sympy.Add(*(branch.sample(o, i) for branch in branches))
        else:
            self.formula = _gather(step, below, shape, channels)

    def sample(self, o: int, index: Sequence[int]) -> sympy.Expr:
        index = tuple(index)
        if not _inside(index, self.shape):
            return ZERO
        key = (o, *index)
        if key not in self.cache:
            self.cache[key] = sympy.expand(self.formula(o, index))
        return self.cache[key]


def _levels(layer: Layer, below: Samples, shape: tuple[int, ...], channels: int) -> _Level:
    """The last level of ``layer`` over the input samples ``below``."""
    _check_channels(layer, channels)
    level = None
    for step in _steps(layer):
        level = _Level(step, below, shape, channels)
        below, shape, channels = level.sample, level.shape, level.channels
    return level


def run_nd(layer: Layer, x: SignalNd) -> SignalNd:
    """``layer`` applied to the signal ``x``, with its shape (every output)."""
    last = _levels(layer, x.at, x.shape, x.channels)
    values = {}
    for o in range(last.channels):
        for i in itertools.product(*(range(n) for n in last.shape)):
            v = last.sample(o, i)
            if v != 0:
                values[(o, *i)] = v
    return SignalNd(last.channels, last.shape, values)


def outputs_at(layer: Layer, x: SignalNd, indices: Sequence[Sequence[int]]) -> tuple[tuple[int, ...], dict]:
    """``(output shape, {(o, i1, ..., id): y[o, i]})`` for the requested outputs only: every layer is evaluated
    where those outputs read it (their cones), by the same definitions as :func:`run_nd`.

    >>> from symconv.core.kernel_nd import kernel_nd
    >>> from symconv.core.layers_nd import conv2d
    >>> chain = conv2d(kernel_nd("k", 1, 2)) >> conv2d(kernel_nd("j", 1, 1))
    >>> outputs_at(chain, symbolic_input_nd((2, 40)), [(0, 1, 7)])
    ((2, 39), {(0, 1, 7): j_0_0*k_0_0*x_0_1_7 + j_0_0*k_0_1*x_0_1_8})
    """
    last = _levels(layer, x.at, x.shape, x.channels)
    return last.shape, {tuple(index): last.sample(index[0], index[1:]) for index in indices}


def evaluate_nd(layer: Layer, x: Union[SignalNd, tuple]) -> tuple:
    """``layer`` applied to ``x`` (a signal, or nested ``x[m][i1]...[id]``), as nested tuples ``y[o][i1]...[id]``."""
    ndim = layer.ndim if layer.ndim >= 2 else (x.shape.__len__() if isinstance(x, SignalNd) else _depth(x) - 1)
    return run_nd(layer, signal_nd(x, ndim)).nested()


def _depth(x: object) -> int:
    return 1 + _depth(x[0]) if isinstance(x, (list, tuple)) and x else (1 if isinstance(x, (list, tuple)) else 0)
