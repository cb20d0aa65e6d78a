"""Kernel expressions over kernels of any number d of spatial axes; each acts per axis:

* ``convolve(a, b)[o, i, t] = sum_m sum_{u + v = t} a[m, i, u] b[o, m, v]`` (full convolution, as
  ``numpy.convolve`` on each axis; channels composed as ``conv(a) >> conv(b)``);
* ``dilate(k, (f1, ..., fd))[o, i, f * a] = k[o, i, a]`` (``f - 1`` zeros between the taps of each axis);
* ``flip(k, axes)[o, i, a] = k[o, i, a']``, ``a'_j = K_j - 1 - a_j`` on the flipped axes (every axis by default);
* ``padk(k, before, after)``: zeros around the taps of each axis; ``a + b`` and ``q * k`` tap-wise.

Each is a frozen dataclass over other kernels whose exact taps follow from its children's (computed once per
``sizes`` in the exact ring of :mod:`symconv.core.exact_poly`) and whose ``repr`` is DSL syntax. A per-axis
argument is stored as one value per axis; a 1-D expression also answers the 1-D names (``factor``, ``left``,
``right``).

The functions users write (``dilate``, ``convolve``, ``flip``, ``padk``) and :func:`as_kernel_nd`, which
re-reads a kernel with the axes its layer has, are in :mod:`symconv.core.kernel_axes` and importable from here.

>>> from symconv.core.kernel import kernel
>>> k = kernel("k", 2)
>>> Convolve(k, Dilate(k, 2)).taps()
(((k_0**2, k_0*k_1, k_0*k_1, k_1**2),),)
>>> Convolve(kernel("k", 2, 2), Dilate(kernel("k", 2, 2), (2, 1))).shape
(1, 1, 4, 3)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Mapping, Optional, Sequence

from symconv.lazy_import import attributes_from, sympy

from symconv.core.axes import Axes, checked_axes, fmt_axes, is_int, one_axis_property, per_axis
from symconv.core.exact_poly import Poly, add_into, add_product, from_sympy, times, to_sympy
from symconv.core.kernel import (
    Kernel,
    Taps,
    _sizes_key,
    check_derived_length,
    check_nonnegative_int,
    check_positive_int,
    exact_number,
    nested,
)
from symconv.core.number_grids import numbers_of, numeric_convolution
from symconv.errors import InvalidArgument, KernelError, quote

__all__ = [
    "Dilate",
    "Convolve",
    "FlipKernel",
    "PadKernel",
    "KernelSum",
    "Scaled",
    "full_convolution",
    "exact_taps",
    "dilate",
    "convolve",
    "flipk",
    "padk",
    "as_kernel_nd",
    "axes_text",
]


def exact_taps(kernel: Kernel, sizes: Optional[Mapping[str, int]] = None) -> tuple:
    """The taps of ``kernel`` as exact polynomials, nested like :meth:`Kernel.taps` (``{}`` for a zero tap)."""
    return nested(kernel.exact_grid(sizes), kernel.shape[:2] + kernel.concrete_spatial(sizes), zero={})


class _KernelExpr(Kernel):
    """A kernel expression: :meth:`_exact_grid` from its children's, remembered per ``sizes``."""

    @cached_property
    def _exact_cache(self) -> dict:
        return {}

    @cached_property
    def _sympy_cache(self) -> dict:
        return {}

    def _exact_grid(self, sizes: Optional[Mapping[str, int]]) -> dict:
        raise NotImplementedError

    def exact_grid(self, sizes: Optional[Mapping[str, int]] = None) -> dict:
        key = _sizes_key(sizes)
        cache = self._exact_cache
        if key not in cache:
            cache[key] = self._exact_grid(sizes)
        return cache[key]

    def grid(self, sizes: Optional[Mapping[str, int]] = None):
        key = ("grid",) + _sizes_key(sizes)
        if key not in self._sympy_cache:
            self._sympy_cache[key] = {index: to_sympy(p) for index, p in self.exact_grid(sizes).items()}
        return self._sympy_cache[key]

    def taps(self, sizes: Optional[Mapping[str, int]] = None) -> Taps:
        key = ("taps",) + _sizes_key(sizes)
        if key not in self._sympy_cache:
            self._sympy_cache[key] = nested(self.grid(sizes), self.shape[:2] + self.concrete_spatial(sizes))
        return self._sympy_cache[key]


def _one_per_axis(kernel: Kernel, value: object, what: str, argument: str,
                  check: "callable") -> Axes:
    """``value`` for every axis of ``kernel`` (one value) or the tuple with one value per axis, each checked."""
    try:
        values = per_axis(value, kernel.ndim, what, argument)
    except InvalidArgument:  # a tuple of the wrong length: the kernel's error, naming the expression
        raise KernelError(f"{what}({quote(kernel)}, ...): {quote(value)} is not one {argument} or "
                          f"{kernel.ndim} (one per axis)") from None
    return checked_axes(values, check, what, argument)


@dataclass(frozen=True, repr=False)
class Dilate(_KernelExpr):
    """``dilate(k, (f1, ..., fd))``: ``f - 1`` zeros between the taps of each axis; size ``f (K - 1) + 1``."""

    kernel: Kernel
    factors: Axes

    def __post_init__(self) -> None:
        object.__setattr__(self, "factors", _one_per_axis(self.kernel, self.factors, "dilate", "d",
                                                          check_positive_int))
        check_derived_length(self)

    factor = one_axis_property("factors", "factor", "The factor of a 1-D dilation.")

    @cached_property
    def shape(self) -> tuple:
        s = self.kernel.shape
        return s[:2] + tuple(f * (k - 1) + 1 for f, k in zip(self.factors, s[2:]))

    def _exact_grid(self, sizes: Optional[Mapping[str, int]]) -> dict:
        return {(o, i) + tuple(f * a for f, a in zip(self.factors, rest)): v
                for (o, i, *rest), v in self.kernel.exact_grid(sizes).items()}

    def _children(self) -> tuple[Kernel, ...]:
        return (self.kernel,)

    def __repr__(self) -> str:
        return f"dilate({self.kernel!r}, {fmt_axes(self.factors)})"


def full_convolution(a: Sequence[sympy.Expr], b: Sequence[sympy.Expr]) -> tuple[sympy.Expr, ...]:
    """``(a * b)[m] = sum_j a[j] b[m - j]``, length ``len(a) + len(b) - 1`` (numpy.convolve)."""
    out: list[Poly] = [{} for _ in range(len(a) + len(b) - 1)]
    pa, pb = [from_sympy(v) for v in a], [from_sympy(v) for v in b]
    for i, x in enumerate(pa):
        if x:
            for j, y in enumerate(pb):
                add_product(out[i + j], x, y)
    return tuple(to_sympy(v) for v in out)


@dataclass(frozen=True, repr=False)
class Convolve(_KernelExpr):
    """``convolve(a, b)``: full convolution of the taps on every axis (``numpy.convolve`` in 1-D).

    For weights it is the kernel of ``conv(a) >> conv(b)``:
    ``E[o, i] = sum_m convolve(a[m, i], b[o, m])``, shape ``(b.out, a.in, ka + kb - 1)``.
    """

    a: Kernel
    b: Kernel

    def __post_init__(self) -> None:
        if self.a.ndim != self.b.ndim:
            raise KernelError(f"convolve({quote(self.a)}, {quote(self.b)}): a {self.a.ndim}-D and a "
                              f"{self.b.ndim}-D kernel; expected the same number of axes")
        if self.a.out_channels != self.b.in_channels:
            raise KernelError(
                f"convolve({quote(self.a)}, {quote(self.b)}): {quote(self.a)} has {self.a.out_channels} output "
                f"channel(s) but {quote(self.b)} takes {self.b.in_channels}; expected them equal"
            )
        check_derived_length(self)

    @cached_property
    def shape(self) -> tuple:
        a, b = self.a.shape, self.b.shape
        return (b[0], a[1]) + tuple(x + y - 1 for x, y in zip(a[2:], b[2:]))

    def _exact_grid(self, sizes: Optional[Mapping[str, int]]) -> dict:
        """``E[o, i, u + v] = sum_m a[m, i, u] b[o, m, v]``."""
        grid_a, grid_b = self.a.exact_grid(sizes), self.b.exact_grid(sizes)
        numbers_a, numbers_b = numbers_of(grid_a), numbers_of(grid_b)
        if numbers_a is not None and numbers_b is not None:  # two numeric weights (a model's, a counterexample's)
            return numeric_convolution(numbers_a, numbers_b, self.a.in_channels, self.a.out_channels,
                                        self.b.out_channels)
        terms: dict = {}
        by_input: dict = {}  # b's taps by its input channel m
        for (o, m, *v), pb in grid_b.items():
            by_input.setdefault(m, []).append((o, v, pb))
        for (m, i, *u), pa in grid_a.items():
            for o, v, pb in by_input.get(m, ()):
                add_product(terms.setdefault((o, i) + tuple(x + y for x, y in zip(u, v)), {}), pa, pb)
        return {key: p for key, p in terms.items() if p}

    def _children(self) -> tuple[Kernel, ...]:
        return (self.a, self.b)

    def __repr__(self) -> str:
        return f"convolve({self.a!r}, {self.b!r})"


@dataclass(frozen=True, repr=False)
class FlipKernel(_KernelExpr):
    """``flip(k, axes)``: the spatial axes in ``axes`` reversed (every axis when None; stored sorted).

    ``flip(k)[o, i, a] = k[o, i, a']`` with ``a'_j = K_j - 1 - a_j`` for j in axes, ``a_j`` otherwise.
    """

    kernel: Kernel
    axes: Optional[Axes] = None

    def __post_init__(self) -> None:
        d = self.kernel.ndim
        axes = tuple(range(d)) if self.axes is None else self.axes
        if not (isinstance(axes, (tuple, list)) and axes and all(is_int(a) and 0 <= a < d for a in axes)
                and len(set(axes)) == len(axes)):
            raise KernelError(f"flip({quote(self.kernel)}, axes={quote(self.axes)}): expected distinct axes among "
                              f"{tuple(range(d))}")
        object.__setattr__(self, "axes", tuple(sorted(axes)))

    @property
    def shape(self) -> tuple:
        return self.kernel.shape

    @property
    def is_whole(self) -> bool:
        """Whether every spatial axis is reversed (``flip(k)``)."""
        return len(self.axes) == self.kernel.ndim

    def flipped(self, axis: int) -> bool:
        """Whether spatial axis ``axis`` is reversed."""
        return axis in self.axes

    def _exact_grid(self, sizes: Optional[Mapping[str, int]]) -> dict:
        lengths = self.kernel.concrete_spatial(sizes)
        return {(o, i) + tuple(k - 1 - a if j in self.axes else a for j, (k, a) in enumerate(zip(lengths, rest))): v
                for (o, i, *rest), v in self.kernel.exact_grid(sizes).items()}

    def _children(self) -> tuple[Kernel, ...]:
        return (self.kernel,)

    def __repr__(self) -> str:
        if self.is_whole:
            return f"flip({self.kernel!r})"
        return f"flip({self.kernel!r}, axes={axes_text(self.axes)})"


def axes_text(axes: Sequence[int]) -> str:
    """DSL text of a tuple of axes: ``(0,)``, ``(0, 2)``."""
    return "(" + ", ".join(map(str, axes)) + ("," if len(axes) == 1 else "") + ")"


@dataclass(frozen=True, repr=False)
class PadKernel(_KernelExpr):
    """``padk(k, before, after)``: per axis, ``before`` zeros ahead of the taps and ``after`` behind them."""

    kernel: Kernel
    before: Axes
    after: Axes

    def __post_init__(self) -> None:
        object.__setattr__(self, "before", _one_per_axis(self.kernel, self.before, "padk", "left",
                                                         check_nonnegative_int))
        object.__setattr__(self, "after", _one_per_axis(self.kernel, self.after, "padk", "right",
                                                        check_nonnegative_int))
        check_derived_length(self)

    left = one_axis_property("before", "left", "The zeros before the taps of a 1-D kernel.")
    right = one_axis_property("after", "right", "The zeros after the taps of a 1-D kernel.")

    @cached_property
    def shape(self) -> tuple:
        s = self.kernel.shape
        return s[:2] + tuple(k + b + a for k, b, a in zip(s[2:], self.before, self.after))

    def _exact_grid(self, sizes: Optional[Mapping[str, int]]) -> dict:
        return {(o, i) + tuple(a + b for a, b in zip(rest, self.before)): v
                for (o, i, *rest), v in self.kernel.exact_grid(sizes).items()}

    def _children(self) -> tuple[Kernel, ...]:
        return (self.kernel,)

    def __repr__(self) -> str:
        return f"padk({self.kernel!r}, {fmt_axes(self.before)}, {fmt_axes(self.after)})"


def _fmt_shape(k: Kernel) -> str:
    return "(" + ", ".join(str(d) for d in k.shape) + ")"


@dataclass(frozen=True, repr=False)
class KernelSum(_KernelExpr):
    """``a + b``: tap-wise sum of two kernels of the same shape."""

    a: Kernel
    b: Kernel

    def __post_init__(self) -> None:
        a, b = self.a.shape, self.b.shape
        if len(a) != len(b) or a[:2] != b[:2] or any(sympy.simplify(x - y) != 0 for x, y in zip(a[2:], b[2:])):
            raise KernelError(
                f"{quote(self.a)} + {quote(self.b)}: shapes {_fmt_shape(self.a)} and {_fmt_shape(self.b)} differ; "
                f"expected equal shapes (use padk to align lengths)"
            )

    @property
    def shape(self) -> tuple:
        return self.a.shape

    def _exact_grid(self, sizes: Optional[Mapping[str, int]]) -> dict:
        total = {index: dict(p) for index, p in self.a.exact_grid(sizes).items()}
        for index, p in self.b.exact_grid(sizes).items():
            add_into(total.setdefault(index, {}), p)
        return {index: p for index, p in total.items() if p}

    def _children(self) -> tuple[Kernel, ...]:
        return (self.a, self.b)

    def __repr__(self) -> str:
        right = f"({self.b!r})" if isinstance(self.b, KernelSum) else repr(self.b)
        return f"{self.a!r} + {right}"


@dataclass(frozen=True, repr=False)
class Scaled(_KernelExpr):
    """``q * k``: every tap multiplied by the exact scalar ``q``."""

    scalar: sympy.Expr
    kernel: Kernel

    def __post_init__(self) -> None:
        object.__setattr__(self, "scalar", exact_number(self.scalar, "kernel scale"))

    @property
    def shape(self) -> tuple:
        return self.kernel.shape

    def _exact_grid(self, sizes: Optional[Mapping[str, int]]) -> dict:
        factor = from_sympy(self.scalar)
        scaled = {index: times(factor, p) for index, p in self.kernel.exact_grid(sizes).items()}
        return {index: p for index, p in scaled.items() if p}

    def _children(self) -> tuple[Kernel, ...]:
        return (self.kernel,)

    def __repr__(self) -> str:
        inner = repr(self.kernel)
        if isinstance(self.kernel, (KernelSum, Scaled)):
            inner = f"({inner})"
        scalar = str(self.scalar)
        if not self.scalar.is_Integer:
            scalar = f"({scalar})"
        return f"{scalar} * {inner}"


#: The functions that read the user's arguments into these expressions with the right axes, defined in
#: :mod:`symconv.core.kernel_axes` (which builds on this module), importable from here on first use (PEP 562).
__getattr__ = attributes_from(__name__, dict.fromkeys(
    ("as_kernel_nd", "convolve", "dilate", "flipk", "padk"), "symconv.core.kernel_axes"))
