"""Output lengths of every layer: the one place these formulas live.

Lengths follow PyTorch; where PyTorch raises for a too-small input, the
length is 0. The table holds at every n >= 0, n = 0 included (clamped at 0):
``pad(l, r)`` of an empty signal has l + r samples and ``conv(k, padding=p)``
is ``pad(p) >> conv(k)`` there too, as ``torch.nn.functional.pad`` gives.
The exceptions are ``maxpool`` and ``avgpool(..., count_include_pad=False)``:
a maximum or an average over no sample is undefined, so their output on an
empty input is empty. Every layer states its length as one
:class:`LengthStep` (:func:`length_step`), which the generic-length prover
reads too. For an integer ``n`` the result is an
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

from dataclasses import dataclass
from typing import Mapping, Optional, Union

from symconv.lazy_import import sympy

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

__all__ = ["output_length", "resolve_size", "length_symbol", "generic_sizes", "LengthStep", "length_step",
           "pool_window_offset"]

Length = Union[int, "sympy.Expr"]


def length_symbol(name: str = "n") -> sympy.Symbol:
    """The non-negative integer symbol used for input lengths."""
    return sympy.Symbol(name, integer=True, nonnegative=True)


def resolve_size(value: Size, sizes: Optional[Mapping[str, int]]) -> Size:
    """Replace generic sizes (``c`` in ``k[c]``) by the integers in ``sizes`` where given."""
    if isinstance(value, int) or not sizes:
        return value
    value = value.subs({size_symbol(k): v for k, v in sizes.items()})
    return int(value) if value.is_Integer else value


def generic_sizes(*layers: Layer) -> list[str]:
    """The names of the generic kernel lengths (``c`` in ``k[c]``) the layers use, sorted.

    >>> from symconv.core.kernel import kernel
    >>> from symconv.core.layers import conv
    >>> generic_sizes(conv(kernel("k", "c")), conv(kernel("w", 3)))
    ['c']
    """
    return sorted({s.name for layer in layers for k in layer.kernels() for s in k.length_symbols()})


def _is_int(*values: Length) -> bool:
    return all(isinstance(v, int) for v in values)


def _clamp(value: Length) -> Length:
    return max(0, value) if _is_int(value) else sympy.Max(0, value)


@dataclass(frozen=True)
class LengthStep:
    """One layer's length rule: ``L' = max(0, floor((scale L + offset) / divisor))`` at every ``L >= 0``.

    ``offset`` is an int, or a SymPy expression in generic kernel lengths. ``empty_stays_empty``: the
    output of an empty input is empty whatever the formula gives (a maximum, or an average without the
    padding, over no sample is undefined). A ceiling is the floor ``ceil(x / s) = floor((x + s - 1) / s)``.

    >>> LengthStep(1, 2, 1).apply(7)
    4
    """

    scale: int
    divisor: int
    offset: Length
    empty_stays_empty: bool = False

    def apply(self, n: Length) -> Length:
        """The length after this step for an input of length ``n`` (an int, or a SymPy expression)."""
        if _is_int(n) and n == 0 and self.empty_stays_empty:
            return 0
        total = self.scale * n + self.offset
        if _is_int(total):
            return max(0, total // self.divisor)
        if self.divisor == 1:
            return _clamp(total)
        # written floor((x - D) / D) + 1: the form of the window lengths, ``floor((n + pl + pr - E) / s) + 1``
        return _clamp(sympy.floor(sympy.Rational(1, self.divisor) * (total - self.divisor)) + 1)


def pool_window_offset(left: int, right: int, extent: Length, stride: int, ceil_mode: bool = False) -> Length:
    """``offset`` of a window layer (``divisor`` = stride): ``floor((n + pl + pr - E) / s) + 1`` windows.

    With ``ceil_mode`` (PyTorch's pooling) the last window may run past the right padding by up to
    ``s - 1`` samples but must start inside the input or the left padding, so the count is
    ``floor((n + min(pl + pr - E + s - 1, pl - 1)) / s) + 1``.

    >>> pool_window_offset(0, 0, 2, 2), pool_window_offset(0, 0, 2, 2, ceil_mode=True)
    (0, 1)
    """
    fitted = left + right - extent
    if ceil_mode:
        fitted = min(fitted + stride - 1, left - 1)
    return fitted + stride


def length_step(layer: Layer, sizes: Optional[Mapping[str, int]] = None) -> LengthStep:
    """The :class:`LengthStep` of a single layer (not a chain or a sum): the one length table."""
    if isinstance(layer, Conv):
        c = resolve_size(layer.weight.length, sizes)
        left, right = (resolve_size(p, sizes) for p in layer.padding_pair())
        return LengthStep(1, layer.stride, pool_window_offset(left, right, layer.dilation * (c - 1) + 1, layer.stride))
    if isinstance(layer, ConvTranspose):
        c = resolve_size(layer.weight.length, sizes)
        extent = layer.dilation * (c - 1) + 1
        return LengthStep(layer.stride, 1, extent + layer.output_padding - 2 * layer.padding - layer.stride)
    if isinstance(layer, Pad):
        return LengthStep(1, 1, layer.left + layer.right)
    if isinstance(layer, Crop):
        return LengthStep(1, 1, -layer.left - layer.right)
    if isinstance(layer, Down):
        return LengthStep(1, layer.factor, layer.factor - 1 - layer.phase)
    if isinstance(layer, Up):
        return LengthStep(layer.factor, 1, 1 - layer.factor)
    if isinstance(layer, (Flip, ReLU, Affine)):
        return LengthStep(1, 1, 0)
    if isinstance(layer, AvgPool):
        offset = pool_window_offset(layer.padding, layer.padding, layer.size, layer.stride, layer.ceil_mode)
        return LengthStep(1, layer.stride, offset, empty_stays_empty=not layer.count_include_pad)
    if isinstance(layer, MaxPool):
        extent = layer.dilation * (layer.size - 1) + 1
        offset = pool_window_offset(layer.padding, layer.padding, extent, layer.stride, layer.ceil_mode)
        return LengthStep(1, layer.stride, offset, empty_stays_empty=True)
    if isinstance(layer, L2Pool):
        return LengthStep(1, layer.stride, pool_window_offset(0, 0, layer.size, layer.stride))
    raise TypeError(f"no output length for {layer!r}")


def _layer_length(layer: Layer, n: Length, sizes: Optional[Mapping[str, int]]) -> Length:
    if isinstance(layer, Chain):
        for step in layer.steps:
            n = output_length(step, n, sizes)
        return n
    if isinstance(layer, Parallel):
        return output_length(layer.branches[0], n, sizes)
    return length_step(layer, sizes).apply(n)


def output_length(layer: Layer, n: Length, sizes: Optional[Mapping[str, int]] = None) -> Length:
    """Length of ``layer``'s output for an input of length ``n`` (the table, at every n >= 0).

    ``sizes`` gives values to generic kernel lengths, e.g. ``{"c": 5}``.
    """
    if _is_int(n) and n < 0:
        raise InvalidArgument("output_length", "n", n, "a non-negative input length")
    result = _layer_length(layer, n, sizes)
    if type(result) is not int and isinstance(result, sympy.Expr) and result.is_Integer:
        return int(result)
    return result
