"""Nonlinear layers: max pooling, L2 pooling, rectifiers and per-channel affine maps.

Outside the decided (linear) fragment; the prover checks them numerically,
and receptive-field arithmetic uses their windows.

>>> maxpool(2) >> relu()
maxpool(2) >> relu()
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from symconv.lazy_import import sympy

from symconv.core.kernel import exact_expression
from symconv.core.layers import Layer, Scalar, check_flag, check_rate, check_shift, fmt_args
from symconv.errors import InvalidArgument

__all__ = ["MaxPool", "L2Pool", "ReLU", "Affine", "maxpool", "l2pool", "relu", "affine"]

@dataclass(frozen=True, repr=False)
class MaxPool(Layer):
    """``maxpool(size, stride, padding, dilation, ceil_mode)``: ``y[i] = max_j xp[i*s + j*d]``, padding with ``-inf``.

    With ``ceil_mode`` a last window may run past the right padding; what lies beyond the input reads ``-inf``.
    """

    size: int
    stride: Optional[int] = None
    padding: int = 0
    dilation: int = 1
    ceil_mode: bool = False
    is_linear = False

    def __post_init__(self) -> None:
        check_rate(self.size, "maxpool", "size")
        if self.stride is None:
            object.__setattr__(self, "stride", self.size)
        check_rate(self.stride, "maxpool", "stride")
        check_rate(self.dilation, "maxpool", "dilation")
        check_shift(self.padding, "maxpool", "padding")
        if 2 * self.padding > self.size:
            raise InvalidArgument("maxpool", "padding", self.padding, f"at most size/2 = {self.size / 2:g} (as PyTorch)")
        check_flag(self.ceil_mode, "maxpool", "ceil_mode")

    def __repr__(self) -> str:
        args = fmt_args(
            str(self.size), stride=(self.stride, self.size), padding=(self.padding, 0), dilation=(self.dilation, 1),
            ceil_mode=(self.ceil_mode, False),
        )
        return f"maxpool({args})"


@dataclass(frozen=True, repr=False)
class L2Pool(Layer):
    """``l2pool(size, stride)``: ``y[i] = sqrt(sum_j x[i*s + j]^2)`` (``lp_pool1d`` with p = 2)."""

    size: int
    stride: Optional[int] = None
    is_linear = False

    def __post_init__(self) -> None:
        check_rate(self.size, "l2pool", "size")
        if self.stride is None:
            object.__setattr__(self, "stride", self.size)
        check_rate(self.stride, "l2pool", "stride")

    def __repr__(self) -> str:
        return "l2pool(" + fmt_args(str(self.size), stride=(self.stride, self.size)) + ")"


@dataclass(frozen=True, repr=False)
class ReLU(Layer):
    """``relu()``: ``y = max(x, 0)``, sample by sample (in 1-D and 2-D chains)."""

    is_linear = False
    axes_free = True

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
    return exact_expression(value, f"{what} {argument}")


@dataclass(frozen=True, repr=False)
class Affine(Layer):
    """``affine(scale, shift)``: ``y[m, i] = scale[m] x[m, i] + shift[m]`` (batch norm in eval mode; also in 2-D)."""

    axes_free = True

    scale: Scalar = 1  # made exact (a SymPy integer) by __post_init__
    shift: Scalar = 0
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


def maxpool(size: int, stride: Optional[int] = None, padding: int = 0, dilation: int = 1,
            ceil_mode: bool = False) -> MaxPool:
    """Max pooling, as ``max_pool1d``."""
    return MaxPool(size, stride, padding, dilation, ceil_mode)


def l2pool(size: int, stride: Optional[int] = None) -> L2Pool:
    """L2-norm pooling, as ``lp_pool1d`` with ``norm_type=2``."""
    return L2Pool(size, stride)


def relu() -> ReLU:
    """Rectifier ``max(x, 0)``."""
    return ReLU()


def affine(scale: object = 1, shift: object = 0) -> Affine:
    """``scale * x + shift`` per channel (batch norm in eval mode)."""
    return Affine(scale, shift)
