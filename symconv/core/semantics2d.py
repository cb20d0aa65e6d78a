"""The exact reference semantics of 2-D chains, sample by sample, in SymPy.

A 2-D signal is ``x[m][r][c]`` (channel, row, column). Each layer follows
:mod:`symconv.core.layers2d` (and ``torch.nn.functional.conv2d``); an input
with an empty axis gives an output with that axis empty.

>>> from symconv.core.kernel2d import kernel2d
>>> from symconv.core.layers2d import conv2d
>>> evaluate2d(conv2d(kernel2d("k", 1, 2)), symbolic_input2d((1, 3)))[0]
((k_0_0*x_0_0_0 + k_0_1*x_0_0_1, k_0_0*x_0_0_1 + k_0_1*x_0_0_2),)
"""

from __future__ import annotations

from typing import Sequence

import sympy

from symconv.core.layers import Chain, Layer, Parallel
from symconv.core.layers2d import (
    AvgPool2d,
    Conv2d,
    ConvTranspose2d,
    Crop2d,
    Down2d,
    MaxPool2d,
    Pad2d,
    Up2d,
    output_shape,
)
from symconv.core.nonlinear import Affine, ReLU
from symconv.errors import ChannelMismatch, NotInFragment

__all__ = ["evaluate2d", "symbolic_input2d", "Signal2d"]

Signal2d = tuple[tuple[tuple[sympy.Expr, ...], ...], ...]
ZERO = sympy.Integer(0)


def symbolic_input2d(shape: Sequence[int], channels: int = 1) -> Signal2d:
    """``x_m_r_c`` for every channel, row and column."""
    rows, cols = shape
    return tuple(tuple(tuple(sympy.Symbol(f"x_{m}_{r}_{c}") for c in range(cols)) for r in range(rows))
                 for m in range(channels))


def _shape(x: Signal2d) -> tuple[int, int]:
    rows = len(x[0]) if x else 0
    return (rows, len(x[0][0]) if rows else 0)


def _empty(channels: int, shape: tuple[int, int]) -> Signal2d:
    return tuple(tuple(tuple(ZERO for _ in range(shape[1])) for _ in range(shape[0])) for _ in range(channels))


def _sample(x: Signal2d, m: int, r: int, c: int) -> sympy.Expr:
    rows, cols = _shape(x)
    return x[m][r][c] if 0 <= r < rows and 0 <= c < cols else ZERO


def _conv2d(layer: Conv2d, x: Signal2d, shape: tuple[int, int]) -> Signal2d:
    (t, _), (left, _) = layer.padding
    s1, s2 = layer.stride
    d1, d2 = layer.dilation
    taps = layer.weight.taps()
    bias = layer.bias or (ZERO,) * layer.weight.out_channels
    out = []
    for o, ch in enumerate(taps):
        rows = []
        for i1 in range(shape[0]):
            row = []
            for i2 in range(shape[1]):
                total = bias[o]
                for m, t_m in enumerate(ch):
                    for a, tap_row in enumerate(t_m):
                        for b, w in enumerate(tap_row):
                            if w != 0:
                                total += w * _sample(x, m, s1 * i1 + d1 * a - t, s2 * i2 + d2 * b - left)
                row.append(sympy.expand(total))
            rows.append(tuple(row))
        out.append(tuple(rows))
    return tuple(out)


def _conv_transpose2d(layer: ConvTranspose2d, x: Signal2d, shape: tuple[int, int]) -> Signal2d:
    """Scatter: ``y[o, s1 i1 + d1 a - p1, s2 i2 + d2 b - p2] += W[m, o, a, b] x[m, i1, i2]``, then the bias."""
    (s1, s2), (p1, p2), (d1, d2) = layer.stride, layer.padding, layer.dilation
    taps = layer.weight.taps()
    out_channels = layer.weight.in_channels
    bias = layer.bias or (ZERO,) * out_channels
    y = [[[bias[o] for _ in range(shape[1])] for _ in range(shape[0])] for o in range(out_channels)]
    rows, cols = _shape(x)
    for m, per_out in enumerate(taps):
        for o, kernel in enumerate(per_out):
            for a, tap_row in enumerate(kernel):
                for b, w in enumerate(tap_row):
                    if w == 0:
                        continue
                    for i1 in range(rows):
                        r = s1 * i1 + d1 * a - p1
                        if not 0 <= r < shape[0]:
                            continue
                        for i2 in range(cols):
                            c = s2 * i2 + d2 * b - p2
                            if 0 <= c < shape[1]:
                                y[o][r][c] += w * x[m][i1][i2]
    return tuple(tuple(tuple(sympy.expand(v) for v in row) for row in plane) for plane in y)


def _maxpool2d(layer: MaxPool2d, x: Signal2d, shape: tuple[int, int]) -> Signal2d:
    """The largest sample of each window that lies inside the input (the ``-inf`` padding never wins)."""
    (k1, k2), (s1, s2), (p1, p2), (d1, d2) = layer.size, layer.stride, layer.padding, layer.dilation
    rows, cols = _shape(x)

    def window(m: int, i1: int, i2: int) -> list:
        return [x[m][r][c] for r in (s1 * i1 + d1 * a - p1 for a in range(k1)) if 0 <= r < rows
                for c in (s2 * i2 + d2 * b - p2 for b in range(k2)) if 0 <= c < cols]

    return tuple(tuple(tuple(sympy.Max(*window(m, i1, i2)) for i2 in range(shape[1])) for i1 in range(shape[0]))
                 for m in range(len(x)))


def _apply(layer: Layer, x: Signal2d) -> Signal2d:
    shape = output_shape(layer, _shape(x))
    if isinstance(layer, Parallel):
        outputs = [evaluate2d(b, x) for b in layer.branches]
        return tuple(tuple(tuple(sympy.expand(sum(vs, ZERO)) for vs in zip(*rows)) for rows in zip(*planes))
                     for planes in zip(*outputs))
    if isinstance(layer, Conv2d):
        return _conv2d(layer, x, shape)
    if isinstance(layer, ConvTranspose2d):
        return _conv_transpose2d(layer, x, shape)
    if isinstance(layer, MaxPool2d):
        return _maxpool2d(layer, x, shape)
    if isinstance(layer, ReLU):
        return tuple(tuple(tuple(sympy.Max(ZERO, v) for v in row) for row in plane) for plane in x)
    if isinstance(layer, Affine):
        scale, shift = layer.per_channel(len(x))
        return tuple(tuple(tuple(sympy.expand(scale[m] * v + shift[m]) for v in row) for row in plane)
                     for m, plane in enumerate(x))
    if isinstance(layer, AvgPool2d):
        (k1, k2), (s1, s2), (p1, p2) = layer.size, layer.stride, layer.padding
        weight = sympy.Rational(1, k1 * k2)
        return tuple(tuple(tuple(sympy.expand(weight * sum((_sample(x, m, s1 * r + a - p1, s2 * c + b - p2)
                                                             for a in range(k1) for b in range(k2)), ZERO))
                                 for c in range(shape[1])) for r in range(shape[0])) for m in range(len(x)))
    if isinstance(layer, (Pad2d, Crop2d)):
        sign = -1 if isinstance(layer, Pad2d) else 1
        t, left = (sign * v for v in layer.before)
        return tuple(tuple(tuple(_sample(x, m, r + t, c + left) for c in range(shape[1])) for r in range(shape[0]))
                     for m in range(len(x)))
    if isinstance(layer, Down2d):
        (s1, s2), (q1, q2) = layer.factors, layer.phases
        return tuple(tuple(tuple(x[m][s1 * r + q1][s2 * c + q2] for c in range(shape[1])) for r in range(shape[0]))
                     for m in range(len(x)))
    if isinstance(layer, Up2d):
        s1, s2 = layer.factors
        return tuple(tuple(tuple(x[m][r // s1][c // s2] if r % s1 == 0 and c % s2 == 0 else ZERO
                                 for c in range(shape[1])) for r in range(shape[0])) for m in range(len(x)))
    raise NotInFragment(f"no 2-D meaning for {layer!r}")


def evaluate2d(layer: Layer, x: Signal2d) -> Signal2d:
    """``layer`` applied to ``x`` (module docstring)."""
    need = layer.in_channels
    if need is not None and need != len(x):
        raise ChannelMismatch("the input", len(x), repr(layer), need)
    for step in layer.layers() if isinstance(layer, Chain) else (layer,):
        channels = step.out_channels(len(x)) or len(x)
        if 0 in _shape(x):
            x = _empty(channels, output_shape(step, _shape(x)))
            continue
        x = _apply(step, x)
    return x
