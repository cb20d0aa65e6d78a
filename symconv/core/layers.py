"""Layers: immutable operator objects with PyTorch's arguments and defaults.

Each layer is a frozen dataclass whose ``repr`` is DSL syntax. Layers compose
with ``>>`` (run A, then B) and ``+`` (run both on the same input and add).
The meaning of every layer is given once, in :mod:`symconv.core.semantics`;
its output length once, in :mod:`symconv.core.output_length`.

>>> from symconv.core.convolution import conv
>>> k = kernel("k", 3)
>>> conv(k, stride=2) >> conv(k, stride=2)
conv(k[3], stride=2) >> conv(k[3], stride=2)
"""

from __future__ import annotations

from typing import Optional, Union

from symconv.lazy_import import attributes_from, sympy

from symconv.core.kernel import (
    MAX_KERNEL_LENGTH,
    Kernel,
    check_nonnegative_int,
    check_positive_int,
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


#: Layers defined in the modules built on this one (they import :class:`Layer` from here), re-exported
#: from here on first use (PEP 562), so that the core's modules import one way: this module never
#: imports them while it loads.
_BUILT_ON_THIS = {
    **dict.fromkeys(("Conv", "ConvTranspose", "conv", "conv_transpose", "bias_values"), "symconv.core.convolution"),
    **dict.fromkeys(("Chain", "Parallel"), "symconv.core.composite"),
    **dict.fromkeys(("Affine", "ReLU", "affine", "relu"), "symconv.core.nonlinear"),
    **dict.fromkeys(("AvgPool", "L2Pool", "MaxPool", "avgpool", "l2pool", "maxpool"), "symconv.core.pools"),
    **dict.fromkeys(("crop", "down", "flip", "pad", "up"), "symconv.core.layers_nd"),  # they take per-axis tuples too
    **dict.fromkeys(("Crop", "Down", "Flip", "Pad", "Up"), "symconv.core.geometry"),  # one class for every d
}

__getattr__ = attributes_from(__name__, _BUILT_ON_THIS)
