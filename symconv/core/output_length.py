"""Output lengths of every layer: the one place these formulas live.

Lengths follow PyTorch; where PyTorch raises for a too-small input, the
length is 0. The table holds at every n >= 0, n = 0 included (clamped at 0):
``pad(l, r)`` of an empty signal has l + r samples and ``conv(k, padding=p)``
is ``pad(p) >> conv(k)`` there too, as ``torch.nn.functional.pad`` gives.
The one exception is ``maxpool``: a maximum over no sample is undefined, so
its output on an empty input is empty. For an integer ``n`` the result is an
``int``; for a SymPy ``n`` it is the closed form valid while every
intermediate length is positive.

>>> from symconv.core.layers import conv, down
>>> from symconv.core.kernel import kernel
>>> output_length(conv(kernel("k", 3), stride=2, padding=1), 10)
5
>>> output_length(down(3, phase=1), 8)
3
>>> output_length(conv(kernel("k", 3), padding=2), 0)
2
"""

from __future__ import annotations

from typing import Mapping, Optional, Union

import sympy

from symconv.core.kernel import Size, size_symbol
from symconv.core.layers import (
    Affine,
    AvgPool,
    Chain,
    Conv,
    ConvTranspose,
    Crop,
    Down,
    Flip,
    L2Pool,
    Layer,
    MaxPool,
    Pad,
    Parallel,
    ReLU,
    Up,
)
from symconv.errors import InvalidArgument

__all__ = ["output_length", "resolve_size", "length_symbol"]

Length = Union[int, sympy.Expr]


def length_symbol(name: str = "n") -> sympy.Symbol:
    """The non-negative integer symbol used for input lengths."""
    return sympy.Symbol(name, integer=True, nonnegative=True)


def resolve_size(value: Size, sizes: Optional[Mapping[str, int]]) -> Size:
    """Replace generic sizes (``c`` in ``k[c]``) by the integers in ``sizes`` where given."""
    if isinstance(value, int) or not sizes:
        return value
    value = value.subs({size_symbol(k): v for k, v in sizes.items()})
    return int(value) if value.is_Integer else value


def _is_int(*values: Length) -> bool:
    return all(isinstance(v, int) for v in values)


def _floordiv(a: Length, b: int) -> Length:
    return a // b if _is_int(a) else sympy.floor(sympy.Rational(1, b) * a)


def _ceildiv(a: Length, b: int) -> Length:
    return -((-a) // b) if _is_int(a) else sympy.ceiling(sympy.Rational(1, b) * a)


def _clamp(value: Length) -> Length:
    return max(0, value) if _is_int(value) else sympy.Max(0, value)


def _window_length(n: Length, left: Size, right: Size, extent: Size, stride: int) -> Length:
    """``floor((n + pl + pr - extent) / s) + 1``, and 0 when below 1."""
    total = n + left + right - extent
    if _is_int(total):
        return total // stride + 1 if total >= 0 else 0
    return _clamp(_floordiv(total, stride) + 1)


def _layer_length(layer: Layer, n: Length, sizes: Optional[Mapping[str, int]]) -> Length:
    if isinstance(layer, Conv):
        c = resolve_size(layer.weight.length, sizes)
        left, right = (resolve_size(p, sizes) for p in layer.padding_pair())
        return _window_length(n, left, right, layer.dilation * (c - 1) + 1, layer.stride)
    if isinstance(layer, ConvTranspose):
        c = resolve_size(layer.weight.length, sizes)
        return _clamp(
            (n - 1) * layer.stride - 2 * layer.padding + layer.dilation * (c - 1) + layer.output_padding + 1
        )
    if isinstance(layer, Pad):
        return n + layer.left + layer.right
    if isinstance(layer, Crop):
        return _clamp(n - layer.left - layer.right)
    if isinstance(layer, Down):
        return _clamp(_ceildiv(n - layer.phase, layer.factor))
    if isinstance(layer, Up):
        return _clamp((n - 1) * layer.factor + 1)
    if isinstance(layer, (Flip, ReLU, Affine)):
        return n
    if isinstance(layer, AvgPool):
        return _window_length(n, layer.padding, layer.padding, layer.size, layer.stride)
    if isinstance(layer, MaxPool):
        if _is_int(n) and n == 0:
            return 0  # a maximum over no sample is undefined
        extent = layer.dilation * (layer.size - 1) + 1
        return _window_length(n, layer.padding, layer.padding, extent, layer.stride)
    if isinstance(layer, L2Pool):
        return _window_length(n, 0, 0, layer.size, layer.stride)
    if isinstance(layer, Chain):
        for step in layer.steps:
            n = output_length(step, n, sizes)
        return n
    if isinstance(layer, Parallel):
        return output_length(layer.branches[0], n, sizes)
    raise TypeError(f"no output length for {layer!r}")


def output_length(layer: Layer, n: Length, sizes: Optional[Mapping[str, int]] = None) -> Length:
    """Length of ``layer``'s output for an input of length ``n`` (the table, at every n >= 0).

    ``sizes`` gives values to generic kernel lengths, e.g. ``{"c": 5}``.
    """
    if _is_int(n) and n < 0:
        raise InvalidArgument("output_length", "n", n, "a non-negative input length")
    result = _layer_length(layer, n, sizes)
    if isinstance(result, sympy.Expr) and result.is_Integer:
        return int(result)
    return result
