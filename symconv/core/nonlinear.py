"""Nonlinear layers that act sample by sample: rectifiers and per-channel affine maps.

Outside the decided (linear) fragment; the prover checks them numerically.
The nonlinear pools (max and L2) live with the average in
:mod:`symconv.core.pools`, one class each for every number of axes, and
are re-exported here.

>>> relu(), affine(2, 1)
(relu(), affine(2, 1))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from symconv.lazy_import import attributes_from, sympy

from symconv.core.kernel import exact_expression
from symconv.core.layers import Layer, Scalar
from symconv.errors import InvalidArgument

__all__ = ["MaxPool", "L2Pool", "ReLU", "Affine", "maxpool", "l2pool", "relu", "affine"]

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


def relu() -> ReLU:
    """Rectifier ``max(x, 0)``."""
    return ReLU()


def affine(scale: object = 1, shift: object = 0) -> Affine:
    """``scale * x + shift`` per channel (batch norm in eval mode)."""
    return Affine(scale, shift)


#: The pools, defined on :mod:`symconv.core.pools` (built on this module's level), served on first use (PEP 562).
__getattr__ = attributes_from(__name__, dict.fromkeys(("L2Pool", "MaxPool", "l2pool", "maxpool"),
                                                      "symconv.core.pools"))
