"""Layers: immutable operator objects with PyTorch's arguments and defaults.

Each layer is a frozen dataclass whose ``repr`` is DSL syntax. Layers compose
with ``>>`` (run A, then B) and ``+`` (run both on the same input and add).
The meaning of every layer is given once, in :mod:`symconv.core.semantics`;
its output length once, in :mod:`symconv.core.output_length`.

>>> k = kernel("k", 3)
>>> conv(k, stride=2) >> conv(k, stride=2)
conv(k[3], stride=2) >> conv(k[3], stride=2)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence, Union

import sympy

from symconv.core.kernel import (
    MAX_CHANNELS,
    MAX_KERNEL_LENGTH,
    Kernel,
    Size,
    _check_nonnegative_int,
    _check_positive_int,
    as_kernel,
    exact_number,
    kernel,
)
from symconv.errors import ChainError, ChannelMismatch, InvalidArgument, LengthMismatch

__all__ = [
    "Layer",
    "Conv",
    "ConvTranspose",
    "Pad",
    "Crop",
    "Down",
    "Up",
    "Flip",
    "AvgPool",
    "ReLU",
    "Affine",
    "MaxPool",
    "L2Pool",
    "Chain",
    "Parallel",
    "conv",
    "conv_transpose",
    "pad",
    "crop",
    "down",
    "up",
    "flip",
    "avgpool",
    "relu",
    "affine",
    "maxpool",
    "l2pool",
    "MAX_SHIFT",
]

#: Largest stride, padding, dilation or crop accepted (refused before any allocation).
MAX_SHIFT = MAX_KERNEL_LENGTH

Padding = Union[int, tuple[int, int], str]
Scalar = Union[sympy.Expr, tuple[sympy.Expr, ...]]


class Layer:
    """Base class of all operators; subclasses are frozen dataclasses."""

    #: Whether the layer is linear in its input (the decided fragment).
    is_linear: bool = True

    @property
    def in_channels(self) -> Optional[int]:
        """Channels the layer requires, or None when it works on any number."""
        return None

    def out_channels(self, in_channels: Optional[int]) -> Optional[int]:
        """Channels of the output given those of the input (None: unknown)."""
        return in_channels

    def kernels(self) -> tuple[Kernel, ...]:
        """The kernels this layer uses."""
        return ()

    def layers(self) -> tuple["Layer", ...]:
        """The layers of a chain; a single layer is a chain of one."""
        return (self,)

    def __rshift__(self, other: object) -> "Chain":
        if not isinstance(other, Layer):
            return NotImplemented
        return Chain(self.layers() + other.layers())

    def __add__(self, other: object) -> "Parallel":
        if not isinstance(other, Layer):
            return NotImplemented
        left = self.branches if isinstance(self, Parallel) else (self,)
        right = other.branches if isinstance(other, Parallel) else (other,)
        return Parallel(left + right)

    @property
    def linear(self) -> bool:
        """True when every layer inside is linear."""
        return self.is_linear


def _check_shift(value: object, what: str, argument: str) -> int:
    return _check_nonnegative_int(value, what, argument, MAX_SHIFT)


def _check_rate(value: object, what: str, argument: str) -> int:
    return _check_positive_int(value, what, argument, MAX_SHIFT)


def _check_groups(weight: Kernel, groups: object, what: str, transposed: bool) -> int:
    groups = _check_positive_int(groups, what, "groups", MAX_CHANNELS)
    # dim 0 of the weight is divided by groups in both layouts: (out, in/groups, c)
    # for conv and (in, out/groups, c) for conv_transpose.
    divided = weight.shape[0]
    if divided % groups:
        side = "in_channels (dim 0)" if transposed else "out_channels (dim 0)"
        raise InvalidArgument(
            what, "groups", groups, f"a divisor of the weight's {side} = {divided}"
        )
    return groups


def _normalize_padding(padding: object, what: str) -> Padding:
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise InvalidArgument(what, "padding", padding, "an int, a pair (left, right), 'same' or 'valid'")
        return padding
    if isinstance(padding, (tuple, list)):
        if len(padding) != 2:
            raise InvalidArgument(what, "padding", padding, "a pair (left, right)")
        return (_check_shift(padding[0], what, "padding"), _check_shift(padding[1], what, "padding"))
    return _check_shift(padding, what, "padding")


def _normalize_bias(bias: object, channels: int, what: str) -> Optional[Union[str, tuple[sympy.Expr, ...]]]:
    if bias is None:
        return None
    if isinstance(bias, str):
        if not bias.isidentifier():
            raise InvalidArgument(what, "bias", bias, "None, a name or a list of numbers")
        return bias
    if isinstance(bias, (int, float)) and not isinstance(bias, bool):
        bias = [bias] * channels
    if isinstance(bias, (list, tuple)):
        if len(bias) != channels:
            raise InvalidArgument(what, "bias", list(bias), f"{channels} number(s), one per output channel")
        return tuple(exact_number(b, "bias") for b in bias)
    raise InvalidArgument(what, "bias", bias, "None, a name or a list of numbers")


def bias_values(bias: Optional[Union[str, tuple]], channels: int) -> Optional[tuple[sympy.Expr, ...]]:
    """Exact bias per output channel; a named bias ``b`` has entries ``b_0, b_1, ...``."""
    if bias is None:
        return None
    if isinstance(bias, str):
        return tuple(sympy.Symbol(f"{bias}_{o}") for o in range(channels))
    return bias


def _fmt_args(*positional: str, **keywords: tuple[object, object]) -> str:
    """Format call arguments, leaving out keywords that equal their default."""
    parts = list(positional)
    for name, (value, default) in keywords.items():
        if value != default:
            parts.append(f"{name}={_fmt_value(value)}")
    return ", ".join(parts)


def _fmt_value(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(_fmt_value(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, sympy.Expr):
        return str(value)
    return repr(value)


@dataclass(frozen=True, repr=False)
class Conv(Layer):
    """``y[o, i] = b[o] + sum_{m, j} W[o, m, j] xp[m, i*s + j*d]`` (cross-correlation, as ``conv1d``).

    ``xp`` is x zero-padded by ``(pl, pr)``; for ``'same'`` the total
    ``d (c - 1)`` is split with the extra zero on the right.
    """

    weight: Kernel
    stride: int = 1
    padding: Padding = 0
    dilation: int = 1
    groups: int = 1
    bias: Optional[Union[str, tuple[sympy.Expr, ...]]] = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "weight", as_kernel(self.weight))
        _check_rate(self.stride, "conv", "stride")
        _check_rate(self.dilation, "conv", "dilation")
        object.__setattr__(self, "padding", _normalize_padding(self.padding, "conv"))
        if self.padding == "same" and self.stride != 1:
            raise InvalidArgument("conv", "padding", "same", "padding='same' only with stride=1 (as PyTorch)")
        _check_groups(self.weight, self.groups, "conv", transposed=False)
        object.__setattr__(self, "bias", _normalize_bias(self.bias, self.weight.out_channels, "conv"))

    @property
    def in_channels(self) -> int:
        return self.weight.in_channels * self.groups

    def out_channels(self, in_channels: Optional[int]) -> int:
        return self.weight.out_channels

    def kernels(self) -> tuple[Kernel, ...]:
        return (self.weight,)

    def padding_pair(self) -> tuple[Size, Size]:
        """``(left, right)`` zeros; for ``'same'``: ``floor(d (c-1) / 2)`` and the rest."""
        if self.padding == "valid":
            return (0, 0)
        if self.padding == "same":
            total = self.dilation * (self.weight.length - 1)
            if isinstance(total, int):
                return (total // 2, total - total // 2)
            left = sympy.floor(total / 2)
            return (left, total - left)
        if isinstance(self.padding, tuple):
            return self.padding
        return (self.padding, self.padding)

    def __repr__(self) -> str:
        bias = self.bias if not isinstance(self.bias, tuple) else list(self.bias)
        args = _fmt_args(
            repr(self.weight),
            stride=(self.stride, 1),
            padding=(self.padding, 0),
            dilation=(self.dilation, 1),
            groups=(self.groups, 1),
        )
        if bias is not None:
            args += f", bias={bias if isinstance(bias, str) else '[' + ', '.join(map(str, bias)) + ']'}"
        return f"conv({args})"


@dataclass(frozen=True, repr=False)
class ConvTranspose(Layer):
    """``y[o, i*s + j*d - p] += W[m, o, j] x[m, i]`` (as ``conv_transpose1d``; weight ``(in, out/groups, c)``)."""

    weight: Kernel
    stride: int = 1
    padding: int = 0
    output_padding: int = 0
    dilation: int = 1
    groups: int = 1
    bias: Optional[Union[str, tuple[sympy.Expr, ...]]] = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "weight", as_kernel(self.weight))
        _check_rate(self.stride, "conv_transpose", "stride")
        _check_rate(self.dilation, "conv_transpose", "dilation")
        _check_shift(self.padding, "conv_transpose", "padding")
        _check_shift(self.output_padding, "conv_transpose", "output_padding")
        if self.output_padding >= self.stride and self.output_padding >= self.dilation:
            raise InvalidArgument(
                "conv_transpose",
                "output_padding",
                self.output_padding,
                f"a value below stride={self.stride} or dilation={self.dilation} (as PyTorch)",
            )
        _check_groups(self.weight, self.groups, "conv_transpose", transposed=True)
        object.__setattr__(
            self, "bias", _normalize_bias(self.bias, self.out_channels(None), "conv_transpose")
        )

    @property
    def in_channels(self) -> int:
        return self.weight.out_channels

    def out_channels(self, in_channels: Optional[int]) -> int:
        return self.weight.in_channels * self.groups

    def kernels(self) -> tuple[Kernel, ...]:
        return (self.weight,)

    def __repr__(self) -> str:
        args = _fmt_args(
            repr(self.weight),
            stride=(self.stride, 1),
            padding=(self.padding, 0),
            output_padding=(self.output_padding, 0),
            dilation=(self.dilation, 1),
            groups=(self.groups, 1),
        )
        if self.bias is not None:
            bias = self.bias if isinstance(self.bias, str) else "[" + ", ".join(map(str, self.bias)) + "]"
            args += f", bias={bias}"
        return f"conv_transpose({args})"


@dataclass(frozen=True, repr=False)
class Pad(Layer):
    """``pad(l, r)``: ``l`` zeros before and ``r`` after; length ``n + l + r``."""

    left: int
    right: int

    def __post_init__(self) -> None:
        _check_shift(self.left, "pad", "left")
        _check_shift(self.right, "pad", "right")

    def __repr__(self) -> str:
        if self.left == self.right:
            return f"pad({self.left})"
        return f"pad({self.left}, {self.right})"


@dataclass(frozen=True, repr=False)
class Crop(Layer):
    """``crop(l, r)``: ``y[i] = x[i + l]`` for ``i < n - l - r``."""

    left: int
    right: int

    def __post_init__(self) -> None:
        _check_shift(self.left, "crop", "left")
        _check_shift(self.right, "crop", "right")

    def __repr__(self) -> str:
        if self.left == self.right:
            return f"crop({self.left})"
        return f"crop({self.left}, {self.right})"


@dataclass(frozen=True, repr=False)
class Down(Layer):
    """``down(s, phase)``: ``y[i] = x[i*s + phase]``; length ``ceil((n - phase) / s)``."""

    factor: int
    phase: int = 0

    def __post_init__(self) -> None:
        _check_rate(self.factor, "down", "s")
        _check_shift(self.phase, "down", "phase")
        if self.phase >= self.factor:
            raise InvalidArgument("down", "phase", self.phase, f"0 <= phase < s = {self.factor}")

    def __repr__(self) -> str:
        return f"down({self.factor})" if self.phase == 0 else f"down({self.factor}, phase={self.phase})"


@dataclass(frozen=True, repr=False)
class Up(Layer):
    """``up(s)``: ``y[i*s] = x[i]`` and zeros between; length ``(n - 1) s + 1``."""

    factor: int

    def __post_init__(self) -> None:
        _check_rate(self.factor, "up", "s")

    def __repr__(self) -> str:
        return f"up({self.factor})"


@dataclass(frozen=True, repr=False)
class Flip(Layer):
    """``flip()``: ``y[i] = x[n - 1 - i]``."""

    def __repr__(self) -> str:
        return "flip()"


@dataclass(frozen=True, repr=False)
class AvgPool(Layer):
    """``avgpool(size, stride, padding)``: ``y[i] = (1/size) sum_j xp[i*s + j]`` (``count_include_pad=True``)."""

    size: int
    stride: Optional[int] = None
    padding: int = 0

    def __post_init__(self) -> None:
        _check_rate(self.size, "avgpool", "size")
        if self.stride is None:
            object.__setattr__(self, "stride", self.size)
        _check_rate(self.stride, "avgpool", "stride")
        _check_shift(self.padding, "avgpool", "padding")
        if 2 * self.padding > self.size:
            raise InvalidArgument("avgpool", "padding", self.padding, f"at most size/2 = {self.size / 2:g} (as PyTorch)")

    def __repr__(self) -> str:
        return "avgpool(" + _fmt_args(str(self.size), stride=(self.stride, self.size), padding=(self.padding, 0)) + ")"


@dataclass(frozen=True, repr=False)
class MaxPool(Layer):
    """``maxpool(size, stride, padding, dilation)``: ``y[i] = max_j xp[i*s + j*d]``, padding with ``-inf``."""

    size: int
    stride: Optional[int] = None
    padding: int = 0
    dilation: int = 1
    is_linear = False

    def __post_init__(self) -> None:
        _check_rate(self.size, "maxpool", "size")
        if self.stride is None:
            object.__setattr__(self, "stride", self.size)
        _check_rate(self.stride, "maxpool", "stride")
        _check_rate(self.dilation, "maxpool", "dilation")
        _check_shift(self.padding, "maxpool", "padding")
        if 2 * self.padding > self.size:
            raise InvalidArgument("maxpool", "padding", self.padding, f"at most size/2 = {self.size / 2:g} (as PyTorch)")

    def __repr__(self) -> str:
        args = _fmt_args(
            str(self.size), stride=(self.stride, self.size), padding=(self.padding, 0), dilation=(self.dilation, 1)
        )
        return f"maxpool({args})"


@dataclass(frozen=True, repr=False)
class L2Pool(Layer):
    """``l2pool(size, stride)``: ``y[i] = sqrt(sum_j x[i*s + j]^2)`` (``lp_pool1d`` with p = 2)."""

    size: int
    stride: Optional[int] = None
    is_linear = False

    def __post_init__(self) -> None:
        _check_rate(self.size, "l2pool", "size")
        if self.stride is None:
            object.__setattr__(self, "stride", self.size)
        _check_rate(self.stride, "l2pool", "stride")

    def __repr__(self) -> str:
        return "l2pool(" + _fmt_args(str(self.size), stride=(self.stride, self.size)) + ")"


@dataclass(frozen=True, repr=False)
class ReLU(Layer):
    """``relu()``: ``y = max(x, 0)``."""

    is_linear = False

    def __repr__(self) -> str:
        return "relu()"


def _normalize_scalar(value: object, what: str, argument: str) -> Scalar:
    if isinstance(value, str):
        if not value.isidentifier():
            raise InvalidArgument(what, argument, value, "a number, a name or a list of them")
        return sympy.Symbol(value)
    if isinstance(value, sympy.Symbol):
        return value
    if isinstance(value, (list, tuple)):
        if not value:
            raise InvalidArgument(what, argument, value, "a number, a name or a non-empty list")
        return tuple(_normalize_scalar(v, what, argument) for v in value)
    return exact_number(value, f"{what} {argument}")


@dataclass(frozen=True, repr=False)
class Affine(Layer):
    """``affine(scale, shift)``: ``y[m, i] = scale[m] x[m, i] + shift[m]`` (batch norm in eval mode)."""

    scale: Scalar = sympy.Integer(1)
    shift: Scalar = sympy.Integer(0)
    is_linear = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "scale", _normalize_scalar(self.scale, "affine", "scale"))
        object.__setattr__(self, "shift", _normalize_scalar(self.shift, "affine", "shift"))
        lengths = {len(v) for v in (self.scale, self.shift) if isinstance(v, tuple)}
        if len(lengths) > 1:
            raise InvalidArgument("affine", "shift", self.shift, f"as many entries as scale ({len(self.scale)})")

    @property
    def in_channels(self) -> Optional[int]:
        for v in (self.scale, self.shift):
            if isinstance(v, tuple):
                return len(v)
        return None

    def per_channel(self, channels: int) -> tuple[tuple[sympy.Expr, ...], tuple[sympy.Expr, ...]]:
        """``(scale, shift)`` as one entry per channel."""
        def expand(v: Scalar) -> tuple[sympy.Expr, ...]:
            return v if isinstance(v, tuple) else (v,) * channels
        return expand(self.scale), expand(self.shift)

    def __repr__(self) -> str:
        def fmt(v: Scalar) -> str:
            return "[" + ", ".join(map(str, v)) + "]" if isinstance(v, tuple) else str(v)
        return f"affine({fmt(self.scale)}, {fmt(self.shift)})"


def _flatten(layers: Sequence[Layer]) -> tuple[Layer, ...]:
    flat: list[Layer] = []
    for layer in layers:
        if not isinstance(layer, Layer):
            raise ChainError(f"{layer!r} is not a layer; expected e.g. conv(k[3])")
        flat.extend(layer.layers())
    return tuple(flat)


def _propagate_channels(layers: Sequence[Layer], channels: Optional[int], context: str) -> Optional[int]:
    producer = "the input"
    for layer in layers:
        need = layer.in_channels
        if need is not None and channels is not None and need != channels:
            raise ChannelMismatch(producer, channels, repr(layer), need)
        channels = layer.out_channels(channels if channels is not None else need)
        producer = repr(layer)
    return channels


@dataclass(frozen=True, repr=False)
class Chain(Layer):
    """``A >> B >> ...``: run the layers one after the other."""

    steps: tuple[Layer, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", _flatten(self.steps))
        if not self.steps:
            raise ChainError("an empty chain has no meaning; expected at least one layer")
        _propagate_channels(self.steps, None, repr(self))

    def layers(self) -> tuple[Layer, ...]:
        return self.steps

    @property
    def in_channels(self) -> Optional[int]:
        for layer in self.steps:
            if layer.in_channels is not None:
                return layer.in_channels
            if layer.out_channels(None) is not None:
                return None
        return None

    def out_channels(self, in_channels: Optional[int]) -> Optional[int]:
        return _propagate_channels(self.steps, in_channels, repr(self))

    def kernels(self) -> tuple[Kernel, ...]:
        return tuple(k for layer in self.steps for k in layer.kernels())

    @property
    def linear(self) -> bool:
        return all(layer.linear for layer in self.steps)

    @property
    def is_linear(self) -> bool:  # type: ignore[override]
        return self.linear

    def __repr__(self) -> str:
        return " >> ".join(f"({s!r})" if isinstance(s, Parallel) else repr(s) for s in self.steps)


#: Input lengths at which the branches of a sum are compared when it is built.
BRANCH_LENGTH_CHECK = range(0, 129)


@dataclass(frozen=True, repr=False)
class Parallel(Layer):
    """``A + B``: run every branch on the same input and add the outputs."""

    branches: tuple[Layer, ...]

    def __post_init__(self) -> None:
        from symconv.core.output_length import output_length

        if len(self.branches) < 2:
            raise ChainError("a sum needs at least two branches")
        ins = {b.in_channels for b in self.branches} - {None}
        if len(ins) > 1:
            raise ChainError(f"the branches of {self!r} take different channel counts {sorted(ins)}")
        known_in = ins.pop() if ins else None
        outs = {b.out_channels(known_in) for b in self.branches} - {None}
        if len(outs) > 1:
            raise ChainError(f"the branches of {self!r} give different channel counts {sorted(outs)}")
        if all(not b.kernels() or not any(k.length_symbols() for k in b.kernels()) for b in self.branches):
            for n in BRANCH_LENGTH_CHECK:
                lengths = [output_length(b, n) for b in self.branches]
                if len(set(lengths)) > 1:
                    raise LengthMismatch(
                        f"the branches of {self!r} give different lengths {lengths} for an input of "
                        f"length {n}; expected every branch to give the same length"
                    )

    @property
    def in_channels(self) -> Optional[int]:
        for b in self.branches:
            if b.in_channels is not None:
                return b.in_channels
        return None

    def out_channels(self, in_channels: Optional[int]) -> Optional[int]:
        for b in self.branches:
            c = b.out_channels(in_channels)
            if c is not None:
                return c
        return in_channels

    def kernels(self) -> tuple[Kernel, ...]:
        return tuple(k for b in self.branches for k in b.kernels())

    @property
    def linear(self) -> bool:
        return all(b.linear for b in self.branches)

    @property
    def is_linear(self) -> bool:  # type: ignore[override]
        return self.linear

    def __repr__(self) -> str:
        return " + ".join(f"({b!r})" if isinstance(b, (Chain, Parallel)) else repr(b) for b in self.branches)


# Constructors with PyTorch's argument names and defaults.

def conv(weight: object, stride: int = 1, padding: Padding = 0, dilation: int = 1, groups: int = 1,
         bias: object = None) -> Conv:
    """Cross-correlation layer, as ``torch.nn.functional.conv1d``."""
    return Conv(as_kernel(weight), stride, padding, dilation, groups, bias)


def conv_transpose(weight: object, stride: int = 1, padding: int = 0, output_padding: int = 0,
                   dilation: int = 1, groups: int = 1, bias: object = None) -> ConvTranspose:
    """Transposed convolution, as ``torch.nn.functional.conv_transpose1d``."""
    return ConvTranspose(as_kernel(weight), stride, padding, output_padding, dilation, groups, bias)


def pad(left: int, right: Optional[int] = None) -> Pad:
    """Zero padding: ``left`` zeros before, ``right`` (default ``left``) after."""
    return Pad(left, left if right is None else right)


def crop(left: int, right: Optional[int] = None) -> Crop:
    """Drop ``left`` samples at the start and ``right`` (default ``left``) at the end."""
    return Crop(left, left if right is None else right)


def down(s: int, phase: int = 0) -> Down:
    """Subsampling: ``y[i] = x[i*s + phase]``."""
    return Down(s, phase)


def up(s: int) -> Up:
    """Up-sampling with zeros: ``y[i*s] = x[i]``."""
    return Up(s)


def flip() -> Flip:
    """Reversal: ``y[i] = x[n - 1 - i]``."""
    return Flip()


def avgpool(size: int, stride: Optional[int] = None, padding: int = 0) -> AvgPool:
    """Average pooling, as ``avg_pool1d`` with ``count_include_pad=True``."""
    return AvgPool(size, stride, padding)


def maxpool(size: int, stride: Optional[int] = None, padding: int = 0, dilation: int = 1) -> MaxPool:
    """Max pooling, as ``max_pool1d``."""
    return MaxPool(size, stride, padding, dilation)


def l2pool(size: int, stride: Optional[int] = None) -> L2Pool:
    """L2-norm pooling, as ``lp_pool1d`` with ``norm_type=2``."""
    return L2Pool(size, stride)


def relu() -> ReLU:
    """Rectifier ``max(x, 0)``."""
    return ReLU()


def affine(scale: object = 1, shift: object = 0) -> Affine:
    """``scale * x + shift`` per channel (batch norm in eval mode)."""
    return Affine(scale, shift)
