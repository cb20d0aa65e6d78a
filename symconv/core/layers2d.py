"""2-D layers: ``conv2d`` (as ``torch.nn.functional.conv2d``), and ``pad``, ``crop``, ``down``, ``up`` with a pair per axis.

Signals are ``x[m][r][c]`` (channel, row, column), 0-indexed, of shape
``(n1, n2)``. Every 2-D layer acts on each axis as a 1-D layer does:
``conv2d(W, stride=(s1, s2), padding=(p1, p2), dilation=(d1, d2))`` computes

    y[o, i1, i2] = b[o] + sum_{m, a, b} W[o, m, a, b] xp[m, s1 i1 + d1 a, s2 i2 + d2 b]

and its output shape is the 1-D output length of each axis
(:func:`axis_layer` gives that 1-D layer). ``pad((t, l), (b, r))`` pads t rows
on top, b below, l columns on the left and r on the right.

>>> from symconv.core.kernel2d import kernel2d
>>> from symconv.core.layers import down
>>> output_shape(conv2d(kernel2d("k", 3, 3), stride=2) >> down((1, 2)), (9, 9))
(4, 2)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

import sympy

from symconv.core.kernel import Literal
from symconv.core.kernel2d import Kernel2d
from symconv.core.layers import AvgPool, Conv, ConvTranspose, Crop, Down, Layer, Pad, Up, _check_rate, _check_shift
from symconv.core.nonlinear import MaxPool, ReLU
from symconv.core.output_length import output_length
from symconv.core.pairs import Pair, fmt_pair, pair, strict_pair
from symconv.core.pool2d import AvgPool2d, MaxPool2d, avgpool2d, maxpool2d
from symconv.errors import InvalidArgument

__all__ = ["Conv2d", "ConvTranspose2d", "conv_transpose2d", "MaxPool2d", "maxpool2d", "AvgPool2d", "Pad2d", "Crop2d", "Down2d", "Up2d", "conv2d", "avgpool2d", "pad", "crop", "down", "up", "axis_layer", "axis_chain", "output_shape",
           "is_2d"]

def _bias(bias: object, channels: int, what: str) -> Optional[tuple[sympy.Expr, ...]]:
    """Exact bias entries, one per output channel; a name ``b`` has the entries ``b_0, b_1, ...`` (as in 1-D)."""
    if bias is None:
        return None
    from symconv.core.kernel import exact_expression

    if isinstance(bias, str):
        if not bias.isidentifier():
            raise InvalidArgument(what, "bias", bias, "None, a name or a list of numbers")
        values = [sympy.Symbol(f"{bias}_{o}") for o in range(channels)]
    else:
        values = list(bias) if isinstance(bias, (list, tuple)) else [bias] * channels
    if len(values) != channels:
        raise InvalidArgument(what, "bias", bias, f"{channels} number(s), one per output channel")
    return tuple(exact_expression(b, "bias") for b in values)


@dataclass(frozen=True, repr=False)
class Conv2d(Layer):
    """``conv2d(W, stride, padding, dilation, bias)``: module docstring; padding is ``((top, bottom), (left, right))``."""

    weight: Kernel2d
    stride: Pair = (1, 1)
    padding: tuple[Pair, Pair] = ((0, 0), (0, 0))
    dilation: Pair = (1, 1)
    bias: Optional[tuple[sympy.Expr, ...]] = None
    ndim = 2

    def __post_init__(self) -> None:
        if not isinstance(self.weight, Kernel2d):
            raise InvalidArgument("conv2d", "weight", self.weight, "a 2-D kernel such as k[3, 3] or W[8, 4, 3, 3]")
        stride, dilation = pair(self.stride, "conv2d", "stride"), pair(self.dilation, "conv2d", "dilation")
        for s in stride:
            _check_rate(s, "conv2d", "stride")
        for d in dilation:
            _check_rate(d, "conv2d", "dilation")
        object.__setattr__(self, "stride", stride)
        object.__setattr__(self, "dilation", dilation)
        object.__setattr__(self, "padding", self._padding())
        object.__setattr__(self, "bias", _bias(self.bias, self.weight.out_channels, "conv2d"))

    def _padding(self) -> tuple[Pair, Pair]:
        """``((top, bottom), (left, right))`` from an int, a pair, a pair of pairs, ``'valid'`` or ``'same'``."""
        padding = self.padding
        if padding == "valid":
            padding = 0
        if padding == "same":
            if self.stride != (1, 1):
                raise InvalidArgument("conv2d", "padding", "same", "padding='same' only with stride=1 (as PyTorch)")
            totals = [d * (k - 1) for d, k in zip(self.dilation, self.weight.shape[2:])]
            return tuple((t // 2, t - t // 2) for t in totals)
        if isinstance(padding, (tuple, list)) and len(padding) == 2 and all(
                isinstance(p, (tuple, list)) for p in padding):
            if any(len(p) != 2 for p in padding):
                raise InvalidArgument("conv2d", "padding", padding, "((top, bottom), (left, right))")
            padding = tuple(tuple(p) for p in padding)
        else:
            padding = tuple((p, p) for p in pair(padding, "conv2d", "padding"))
        for side in padding:
            for p in side:
                _check_shift(p, "conv2d", "padding")
        return padding

    @property
    def in_channels(self) -> int:
        return self.weight.in_channels

    def out_channels(self, in_channels: Optional[int]) -> int:
        return self.weight.out_channels

    def kernels(self) -> tuple:
        return (self.weight,)

    def __repr__(self) -> str:
        args = [repr(self.weight)]
        if self.stride != (1, 1):
            args.append(f"stride={fmt_pair(self.stride)}")
        if self.padding != ((0, 0), (0, 0)):
            symmetric = all(a == b for a, b in self.padding)
            args.append("padding=" + (fmt_pair(tuple(a for a, _ in self.padding)) if symmetric
                                      else str(self.padding)))
        if self.dilation != (1, 1):
            args.append(f"dilation={fmt_pair(self.dilation)}")
        if self.bias is not None:
            args.append("bias=[" + ", ".join(map(str, self.bias)) + "]")
        return f"conv2d({', '.join(args)})"


@dataclass(frozen=True, repr=False)
class ConvTranspose2d(Layer):
    """``conv_transpose2d(W, stride, padding, output_padding, dilation, bias)``, as ``torch.nn.functional.conv_transpose2d``.

    ``y[o, s1 i1 + d1 a - p1, s2 i2 + d2 b - p2] += W[m, o, a, b] x[m, i1, i2]`` (weight ``(in, out, kh, kw)``),
    then ``b[o]`` is added; each axis has the 1-D length ``(n - 1) s - 2p + d (k - 1) + op + 1``.
    """

    weight: Kernel2d
    stride: Pair = (1, 1)
    padding: Pair = (0, 0)
    output_padding: Pair = (0, 0)
    dilation: Pair = (1, 1)
    bias: Optional[tuple[sympy.Expr, ...]] = None
    ndim = 2

    def __post_init__(self) -> None:
        what = "conv_transpose2d"
        if not isinstance(self.weight, Kernel2d):
            raise InvalidArgument(what, "weight", self.weight, "a 2-D kernel such as k[3, 3] or W[4, 8, 3, 3]")
        values = {}
        for field, check in (("stride", _check_rate), ("padding", _check_shift), ("output_padding", _check_shift),
                             ("dilation", _check_rate)):
            values[field] = pair(getattr(self, field), what, field)
            for v in values[field]:
                check(v, what, field)
            object.__setattr__(self, field, values[field])
        for op, s, d in zip(self.output_padding, self.stride, self.dilation):
            if op >= s and op >= d:
                raise InvalidArgument(what, "output_padding", self.output_padding,
                                      "below the stride or the dilation on each axis (as PyTorch)")
        object.__setattr__(self, "bias", _bias(self.bias, self.weight.in_channels, what))

    @property
    def in_channels(self) -> int:
        return self.weight.out_channels  # dim 0 of the (in, out, kh, kw) weight

    def out_channels(self, in_channels: Optional[int]) -> int:
        return self.weight.in_channels

    def kernels(self) -> tuple:
        return (self.weight,)

    def __repr__(self) -> str:
        args = [repr(self.weight)]
        for field, default in (("stride", (1, 1)), ("padding", (0, 0)), ("output_padding", (0, 0)),
                               ("dilation", (1, 1))):
            if getattr(self, field) != default:
                args.append(f"{field}={fmt_pair(getattr(self, field))}")
        if self.bias is not None:
            args.append("bias=[" + ", ".join(map(str, self.bias)) + "]")
        return f"conv_transpose2d({', '.join(args)})"


@dataclass(frozen=True, repr=False)
class Pad2d(Layer):
    """``pad((t, l), (b, r))``: zeros, per axis ``(before, after)``."""

    before: Pair
    after: Pair
    ndim = 2

    def __post_init__(self) -> None:
        strict_pair(self, "before", "pad")
        strict_pair(self, "after", "pad")
        for p in self.before + self.after:
            _check_shift(p, "pad", "padding")

    def __repr__(self) -> str:
        return f"pad({self.before})" if self.before == self.after else f"pad({self.before}, {self.after})"


@dataclass(frozen=True, repr=False)
class Crop2d(Layer):
    """``crop((t, l), (b, r))``: drop samples, per axis ``(before, after)``."""

    before: Pair
    after: Pair
    ndim = 2

    def __post_init__(self) -> None:
        strict_pair(self, "before", "crop")
        strict_pair(self, "after", "crop")
        for p in self.before + self.after:
            _check_shift(p, "crop", "crop")

    def __repr__(self) -> str:
        return f"crop({self.before})" if self.before == self.after else f"crop({self.before}, {self.after})"


@dataclass(frozen=True, repr=False)
class Down2d(Layer):
    """``down((s1, s2), phase=(q1, q2))``: ``y[i1, i2] = x[s1 i1 + q1, s2 i2 + q2]``."""

    factors: Pair
    phases: Pair = (0, 0)
    ndim = 2

    def __post_init__(self) -> None:
        strict_pair(self, "factors", "down")
        strict_pair(self, "phases", "down")
        for s, q in zip(self.factors, self.phases):
            _check_rate(s, "down", "s")
            _check_shift(q, "down", "phase")
            if q >= s:
                raise InvalidArgument("down", "phase", self.phases, "0 <= phase < s on each axis")

    def __repr__(self) -> str:
        return f"down({self.factors})" if self.phases == (0, 0) else f"down({self.factors}, {self.phases})"


@dataclass(frozen=True, repr=False)
class Up2d(Layer):
    """``up((s1, s2))``: ``y[s1 i1, s2 i2] = x[i1, i2]``, zeros between."""

    factors: Pair
    ndim = 2

    def __post_init__(self) -> None:
        strict_pair(self, "factors", "up")
        for s in self.factors:
            _check_rate(s, "up", "s")

    def __repr__(self) -> str:
        return f"up({self.factors})"


def _pairs(*values: object) -> bool:
    """Whether the arguments are per-axis pairs (a 2-D layer)."""
    return any(isinstance(v, (tuple, list)) for v in values)


def _as_pair(value: object, what: str, argument: str) -> tuple[int, int]:
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return (value[0], value[1])
    raise InvalidArgument(what, argument, value, "a pair (rows, columns) like the other arguments")


def pad(left: object, right: object = None) -> Layer:
    """Zero padding: ``left`` zeros before, ``right`` (default ``left``) after; pairs pad rows and columns."""
    if _pairs(left, right):
        before = _as_pair(left, "pad", "left")
        return Pad2d(before, before if right is None else _as_pair(right, "pad", "right"))
    return Pad(left, left if right is None else right)


def crop(left: object, right: object = None) -> Layer:
    """Drop ``left`` samples at the start and ``right`` (default ``left``) at the end; pairs per axis."""
    if _pairs(left, right):
        before = _as_pair(left, "crop", "left")
        return Crop2d(before, before if right is None else _as_pair(right, "crop", "right"))
    return Crop(left, left if right is None else right)


def down(s: object, phase: object = 0) -> Layer:
    """Subsampling: ``y[i] = x[i*s + phase]``; ``down((s1, s2), (q1, q2))`` in 2-D."""
    if _pairs(s, phase):
        return Down2d(_as_pair(s, "down", "s"), (0, 0) if phase == 0 else _as_pair(phase, "down", "phase"))
    return Down(s, phase)


def up(s: object) -> Layer:
    """Up-sampling with zeros: ``y[i*s] = x[i]``; ``up((s1, s2))`` in 2-D."""
    if _pairs(s):
        return Up2d(_as_pair(s, "up", "s"))
    return Up(s)


def conv2d(weight: Kernel2d, stride: object = 1, padding: object = 0, dilation: object = 1,
           bias: object = None) -> Conv2d:
    """A 2-D convolution layer, as ``torch.nn.functional.conv2d`` (groups = 1)."""
    return Conv2d(weight, stride, padding, dilation, bias)


def conv_transpose2d(weight: Kernel2d, stride: object = 1, padding: object = 0, output_padding: object = 0,
                     dilation: object = 1, bias: object = None) -> ConvTranspose2d:
    """A 2-D transposed convolution, as ``torch.nn.functional.conv_transpose2d`` (groups = 1)."""
    return ConvTranspose2d(weight, stride, padding, output_padding, dilation, bias)


def is_2d(layer: Layer) -> bool:
    """Whether ``layer`` (or a layer of its chain) is a 2-D layer."""
    return any(getattr(s, "ndim", 1) == 2 for s in layer.layers())


def axis_layer(layer: Layer, axis: int) -> Layer:
    """The 1-D layer with ``layer``'s window arithmetic on one axis (all-ones taps for a convolution)."""
    if isinstance(layer, Conv2d):
        size = layer.weight.shape[2 + axis]
        return Conv(Literal((((1,) * size,),)), layer.stride[axis], layer.padding[axis], layer.dilation[axis])
    if isinstance(layer, Pad2d):
        return Pad(layer.before[axis], layer.after[axis])
    if isinstance(layer, Crop2d):
        return Crop(layer.before[axis], layer.after[axis])
    if isinstance(layer, Down2d):
        return Down(layer.factors[axis], layer.phases[axis])
    if isinstance(layer, Up2d):
        return Up(layer.factors[axis])
    if isinstance(layer, AvgPool2d):
        return AvgPool(layer.size[axis], layer.stride[axis], layer.padding[axis])
    if isinstance(layer, MaxPool2d):
        return MaxPool(layer.size[axis], layer.stride[axis], layer.padding[axis], layer.dilation[axis])
    if layer.axes_free:
        return ReLU()  # relu and affine act sample by sample: a channel-free stand-in with the same lengths
    if isinstance(layer, ConvTranspose2d):
        size = layer.weight.shape[2 + axis]
        return ConvTranspose(Literal((((1,) * size,),)), layer.stride[axis], layer.padding[axis],
                             layer.output_padding[axis], layer.dilation[axis])
    raise InvalidArgument("axis_layer", "layer", layer, "a 2-D layer (conv2d, conv_transpose2d, avgpool2d, "
                                                          "maxpool2d, pad, crop, down, up, relu, affine)")


def axis_chain(layer: Layer, axis: int) -> Layer:
    """``layer``'s chain projected on one axis (a sum projects branch by branch)."""
    from symconv.core.composite import Parallel

    if isinstance(layer, Parallel):
        return Parallel(tuple(axis_chain(b, axis) for b in layer.branches))
    steps = [axis_chain(s, axis) if isinstance(s, Parallel) else axis_layer(s, axis) for s in layer.layers()]
    out = steps[0]
    for s in steps[1:]:
        out = out >> s
    return out


def output_shape(layer: Layer, shape: Union[tuple[int, int], list]) -> tuple[int, int]:
    """The output shape ``(m1, m2)`` for an input of shape ``(n1, n2)``, axis by axis."""
    return tuple(output_length(axis_chain(layer, a), shape[a]) for a in range(2))
