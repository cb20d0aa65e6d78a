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

from dataclasses import dataclass
from typing import Optional, Union

from symconv.lazy_import import attributes_from, sympy

from symconv.core.kernel import (
    MAX_CHANNELS,
    MAX_KERNEL_LENGTH,
    Kernel,
    Size,
    check_nonnegative_int,
    check_positive_int,
    as_kernel,
    exact_expression,
    kernel,  # noqa: F401 (used by the doctests)
)
from symconv.core.repr_args import fmt_args, fmt_value  # noqa: F401 (re-exported)
from symconv.errors import InvalidArgument

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
    "undecided_layers",
    "outside_fragment_reason",
]

#: Largest stride, padding, dilation or crop accepted (refused before any allocation).
MAX_SHIFT = MAX_KERNEL_LENGTH

Padding = Union[int, tuple[int, int], str]
Scalar = Union["sympy.Expr", tuple["sympy.Expr", ...]]


class Layer:
    """Base class of all operators; subclasses are frozen dataclasses."""

    #: Whether the layer is linear in its input (the decided fragment).
    is_linear: bool = True
    #: Spatial axes: 1 for the 1-D layers, d >= 2 for those of :mod:`symconv.core.layers_nd`.
    ndim: int = 1
    #: Fits a chain of any ``ndim``: ``relu``, ``affine`` act sample by sample, ``flip()`` reverses every axis.
    axes_free: bool = False

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
        from symconv.core.composite import Chain

        if not isinstance(other, Layer):
            return NotImplemented
        return Chain(self.layers() + other.layers())

    def __add__(self, other: object) -> "Parallel":
        from symconv.core.composite import Parallel

        if not isinstance(other, Layer):
            return NotImplemented
        left = self.branches if isinstance(self, Parallel) else (self,)
        right = other.branches if isinstance(other, Parallel) else (other,)
        return Parallel(left + right)

    @property
    def linear(self) -> bool:
        """True when every layer inside is linear."""
        return self.is_linear


def check_shift(value: object, what: str, argument: str) -> int:
    return check_nonnegative_int(value, what, argument, MAX_SHIFT)


def check_rate(value: object, what: str, argument: str) -> int:
    return check_positive_int(value, what, argument, MAX_SHIFT)


def undecided_layers(layer: "Layer") -> list["Layer"]:
    """The layers of ``layer`` (through chains and sums) outside the decided fragment (``is_linear`` False)."""
    parts = getattr(layer, "steps", None) or getattr(layer, "branches", None)
    if parts:
        return [leaf for part in parts for leaf in undecided_layers(part)]
    return [] if layer.is_linear else [layer]


def outside_fragment_reason(layer: "Layer") -> str:
    """Why ``layer``, a layer outside the decided fragment, is: nonlinear, or an average with edge windows."""
    if hasattr(layer, "count_include_pad"):  # avgpool, avgpool{d}d
        return (f"{layer!r} is linear but outside the decided fragment (with ceil_mode=True or "
                f"count_include_pad=False its edge windows divide by fewer samples)")
    return f"{layer!r} is nonlinear"


def check_flag(value: object, what: str, argument: str) -> bool:
    """A pooling flag (``ceil_mode``, ``count_include_pad``) must be a bool, as in PyTorch's signatures."""
    if not isinstance(value, bool):
        raise InvalidArgument(what, argument, value, "True or False")
    return value


def _check_groups(weight: Kernel, groups: object, what: str, transposed: bool) -> int:
    groups = check_positive_int(groups, what, "groups", MAX_CHANNELS)
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
        return (check_shift(padding[0], what, "padding"), check_shift(padding[1], what, "padding"))
    return check_shift(padding, what, "padding")


def _normalize_bias(bias: object, channels: int, what: str) -> Optional[Union[str, tuple[sympy.Expr, ...]]]:
    if bias is None:
        return None
    if isinstance(bias, str):
        if not bias.isidentifier():
            raise InvalidArgument(what, "bias", bias, "None, a name or a list of numbers")
        return bias
    if isinstance(bias, (int, float, sympy.Expr)) and not isinstance(bias, bool):
        bias = [bias] * channels
    if isinstance(bias, (list, tuple)):
        if len(bias) != channels:
            raise InvalidArgument(what, "bias", list(bias), f"{channels} number(s), one per output channel")
        return tuple(exact_expression(b, "bias") for b in bias)
    raise InvalidArgument(what, "bias", bias, "None, a name or a list of numbers")


def bias_values(bias: Optional[Union[str, tuple]], channels: int) -> Optional[tuple[sympy.Expr, ...]]:
    """Exact bias per output channel; a named bias ``b`` has entries ``b_0, b_1, ...``."""
    if bias is None:
        return None
    if isinstance(bias, str):
        return tuple(sympy.Symbol(f"{bias}_{o}") for o in range(channels))
    return bias


@dataclass(frozen=True, repr=False)
class Conv(Layer):
    """``y[o, i] = b[o] + sum_{m, j} W[o, m, j] xp[m, i*s + j*d]`` (cross-correlation, as ``conv1d``).

    ``xp`` is x zero-padded by ``(pl, pr)``, stored as that pair when the layer
    is built: an int ``p`` is ``(p, p)``, ``'valid'`` is ``(0, 0)``, and for
    ``'same'`` the total ``d (c - 1)`` is split with the extra zero on the
    right (a generic length ``k[c]`` keeps ``'same'``: its split is read in c).
    """

    weight: Kernel
    stride: int = 1
    padding: Padding = 0
    dilation: int = 1
    groups: int = 1
    bias: Optional[Union[str, tuple[sympy.Expr, ...]]] = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "weight", as_kernel(self.weight))
        check_rate(self.stride, "conv", "stride")
        check_rate(self.dilation, "conv", "dilation")
        object.__setattr__(self, "padding", _normalize_padding(self.padding, "conv"))
        if self.padding == "same" and self.stride != 1:
            raise InvalidArgument("conv", "padding", "same", "padding='same' only with stride=1 (as PyTorch)")
        if not (self.padding == "same" and not isinstance(self.weight.length, int)):  # a generic 'same' stays
            object.__setattr__(self, "padding", self.padding_pair())
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
        padding = self.padding[0] if isinstance(self.padding, tuple) and self.padding[0] == self.padding[1] else \
            self.padding
        args = fmt_args(
            repr(self.weight),
            stride=(self.stride, 1),
            padding=(padding, 0),
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
        check_rate(self.stride, "conv_transpose", "stride")
        check_rate(self.dilation, "conv_transpose", "dilation")
        check_shift(self.padding, "conv_transpose", "padding")
        check_shift(self.output_padding, "conv_transpose", "output_padding")
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
        args = fmt_args(
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


# Constructors with PyTorch's argument names and defaults.

def conv(weight: object, stride: int = 1, padding: Padding = 0, dilation: int = 1, groups: int = 1,
         bias: object = None) -> Conv:
    """Cross-correlation layer, as ``torch.nn.functional.conv1d``."""
    return Conv(as_kernel(weight), stride, padding, dilation, groups, bias)


def conv_transpose(weight: object, stride: int = 1, padding: int = 0, output_padding: int = 0,
                   dilation: int = 1, groups: int = 1, bias: object = None) -> ConvTranspose:
    """Transposed convolution, as ``torch.nn.functional.conv_transpose1d``."""
    return ConvTranspose(as_kernel(weight), stride, padding, output_padding, dilation, groups, bias)


#: Layers defined in the modules built on this one (they import :class:`Layer` from here), re-exported
#: from here on first use (PEP 562), so that the core's modules import one way: this module never
#: imports them while it loads.
_BUILT_ON_THIS = {
    **dict.fromkeys(("Chain", "Parallel"), "symconv.core.composite"),
    **dict.fromkeys(("Affine", "ReLU", "affine", "relu"), "symconv.core.nonlinear"),
    **dict.fromkeys(("AvgPool", "L2Pool", "MaxPool", "avgpool", "l2pool", "maxpool"), "symconv.core.pools_nd"),
    **dict.fromkeys(("crop", "down", "flip", "pad", "up"), "symconv.core.layers_nd"),  # they take per-axis tuples too
    **dict.fromkeys(("Crop", "Down", "Flip", "Pad", "Up"), "symconv.core.geometry"),  # one class for every d
}

__getattr__ = attributes_from(__name__, _BUILT_ON_THIS)
