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

:func:`as_kernel_nd` re-reads a kernel with the axes its layer has: a name with 3 sizes (``k[3, 3, 3]``), a
nested list, or an expression over such names, read first as a 1-D weight.

>>> from symconv.core.kernel import kernel
>>> k = kernel("k", 2)
>>> convolve(k, dilate(k, 2)).taps()
(((k_0**2, k_0*k_1, k_0*k_1, k_1**2),),)
>>> convolve(kernel("k", 2, 2), dilate(kernel("k", 2, 2), (2, 1))).shape
(1, 1, 4, 3)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from math import lcm
from operator import mul
from typing import Mapping, Optional, Sequence

from symconv.lazy_import import sympy

from symconv.core.axes import Axes, fmt_axes, is_int, one_axis_property, per_axis
from symconv.core.exact_poly import Poly, add_into, add_product, from_sympy, times, to_sympy
from symconv.core.kernel import (
    Kernel,
    KernelSymbol,
    Literal,
    Taps,
    _sizes_key,
    as_kernel,
    check_derived_length,
    check_nonnegative_int,
    check_positive_int,
    exact_number,
    literal,
    nested,
    nesting_depth,
)
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
    """``value`` for every axis of ``kernel`` (an int) or the tuple with one value per axis, each checked."""
    if not isinstance(value, (tuple, list)):  # one value for every axis; the check says what it must be
        value = (value,) * kernel.ndim
    if not (isinstance(value, (tuple, list)) and len(value) == kernel.ndim):
        raise KernelError(f"{what}({quote(kernel)}, ...): {quote(value)} is not one {argument} or "
                          f"{kernel.ndim} (one per axis)")
    for v in value:
        check(v, what, argument)
    return tuple(value)


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


def _numbers(grid: dict) -> Optional[dict]:
    """``{index: number}`` when every tap of an exact grid is a number (``{(): c}``), else None."""
    values = {}
    for index, p in grid.items():
        if len(p) != 1 or () not in p:
            return None
        values[index] = p[()]
    return values


def _over_one_denominator(values: dict) -> tuple[dict, int]:
    """``({index: integer}, D)`` with ``value = integer / D`` (D the lcm of the denominators)."""
    den = lcm(*(v.denominator for v in values.values())) if values else 1
    return {index: int(v * den) for index, v in values.items()}, den


def _numeric_convolution(a: dict, b: dict, inputs: int, middle: int, outputs: int) -> dict:
    """:meth:`Convolve._exact_grid` of two numeric weights: for every pair of spatial offsets ``(u, v)``,
    ``E[o, i, u + v] += <b[o, :, v], a[:, i, u]>``, dot products of integers over one denominator (the same
    exact numbers as the polynomial products, without a polynomial per product)."""
    a, den_a = _over_one_denominator(a)
    b, den_b = _over_one_denominator(b)
    columns: dict = {}  # a's offset u -> for each input i, the vector a[:, i, u]
    for (m, i, *u), value in a.items():
        columns.setdefault(tuple(u), [[0] * middle for _ in range(inputs)])[i][m] = value
    rows: dict = {}  # b's offset v -> for each output o, the vector b[o, :, v]
    for (o, m, *v), value in b.items():
        rows.setdefault(tuple(v), [[0] * middle for _ in range(outputs)])[o][m] = value
    sums: dict = {}
    for u, by_input in columns.items():
        for v, by_output in rows.items():
            t = tuple(x + y for x, y in zip(u, v))
            for o, row in enumerate(by_output):
                for i, column in enumerate(by_input):
                    total = sum(map(mul, row, column))
                    if total:
                        key = (o, i) + t
                        sums[key] = sums.get(key, 0) + total
    den = den_a * den_b
    return {key: {(): total // den if total % den == 0 else Fraction(total, den)}
            for key, total in sums.items() if total}


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
        numbers_a, numbers_b = _numbers(grid_a), _numbers(grid_b)
        if numbers_a is not None and numbers_b is not None:  # two numeric weights (a model's, a counterexample's)
            return _numeric_convolution(numbers_a, numbers_b, self.a.in_channels, self.a.out_channels,
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


def _axes_asked(*kernels: object, factors: tuple = ()) -> int:
    """The spatial axes an expression is written with: a kernel of 2+ axes, or a per-axis tuple of 2+ factors
    (0: read as 1-D)."""
    for k in kernels:
        if isinstance(k, Kernel) and k.ndim >= 2:
            return k.ndim
    for f in factors:
        if isinstance(f, (tuple, list)) and len(f) >= 2:
            return len(f)
    return 0


def _axes_of(value: object, ndim: int, what: str) -> Axes:
    try:
        return per_axis(value, ndim, what, "factor")
    except InvalidArgument:
        raise KernelError(f"{what}: {quote(value)} is not one number or {ndim} (one per axis)") from None


def dilate(k: object, d: object) -> Dilate:
    """``dilate(k, d)``: ``d - 1`` zeros between taps; a kernel of d axes takes ``d`` or ``(d1, ..., dd)``."""
    axes = _axes_asked(k, factors=(d,))
    if axes:
        k = as_kernel_nd(k, axes, "dilate")
        return Dilate(k, _axes_of(d, axes, f"dilate({quote(k)}, ...)"))
    return Dilate(as_kernel(k), d)


def convolve(a: object, b: object) -> Convolve:
    """``convolve(a, b)``: full convolution of tap sequences, as ``numpy.convolve`` (per axis for N-D kernels)."""
    axes = _axes_asked(a, b)
    if axes:
        return Convolve(as_kernel_nd(a, axes, "convolve"), as_kernel_nd(b, axes, "convolve"))
    return Convolve(as_kernel(a), as_kernel(b))


def flipk(k: object, axes: object = None) -> FlipKernel:
    """``flip(k)``: reversed taps (every axis); ``flip(k, axes=(0,))`` reverses the given axes of an N-D kernel."""
    if axes is not None:
        if not (isinstance(k, Kernel) and k.ndim >= 2):
            raise KernelError(f"flip({quote(k)}, axes={quote(axes)}): per-axis flips are for N-D kernels (k[3, 3] "
                              f"inside conv2d); flip a 1-D kernel with flip(k)")
        return FlipKernel(k, axes)
    axes_asked = _axes_asked(k)
    return FlipKernel(as_kernel_nd(k, axes_asked, "flip") if axes_asked else as_kernel(k))


def padk(k: object, left: object, right: object = None) -> PadKernel:
    """``padk(k, left, right)``: zeros around the taps (``right`` defaults to ``left``); per-axis tuples for N-D."""
    axes = _axes_asked(k, factors=(left, right))
    if axes:
        k = as_kernel_nd(k, axes, "padk")
        first = _axes_of(left, axes, f"padk({quote(k)}, ...)")
        return PadKernel(k, first, first if right is None else _axes_of(right, axes, f"padk({quote(k)}, ...)"))
    return PadKernel(as_kernel(k), left, left if right is None else right)


def as_kernel_nd(k: object, ndim: int, what: str = "an N-D layer") -> Kernel:
    """``k`` read as a kernel of ``ndim`` spatial axes: a kernel of ``ndim`` axes as it is; a name with 3 sizes
    (``k[3, 3, 3]``), a nested list or an expression over such names, read first as 1-D, is re-read."""
    if isinstance(k, (list, tuple)):
        return literal(k, ndim)
    if not isinstance(k, Kernel):
        raise KernelError(f"{what}: {quote(k)} is not a {ndim}-D kernel; expected e.g. "
                          f"k[{', '.join(['3'] * ndim)}]")
    if k.ndim == ndim:
        return k
    if k.ndim != 1:
        raise KernelError(f"{what}: {quote(k)} is a {k.ndim}-D kernel; expected a {ndim}-D kernel")
    if isinstance(k, KernelSymbol):
        if len(k.dims) not in (ndim, ndim + 2):
            raise KernelError(f"{what}: {quote(k)} has {len(k.dims)} sizes; a {ndim}-D kernel has {ndim} "
                              f"(one channel) or {ndim + 2} (out, in, sizes)")
        return KernelSymbol(k.name, tuple(k.dims), ndim)
    if isinstance(k, Literal):
        if nesting_depth(k.values) != ndim:  # [out][in][taps] read as one channel of a 3-D kernel
            raise KernelError(f"{what}: {quote(k)} is a 1-D kernel; expected a {ndim}-D kernel")
        return literal(k.values, ndim)
    if isinstance(k, Dilate):
        return Dilate(as_kernel_nd(k.kernel, ndim, what), (k.factor,) * ndim)
    if isinstance(k, Convolve):
        return Convolve(as_kernel_nd(k.a, ndim, what), as_kernel_nd(k.b, ndim, what))
    if isinstance(k, FlipKernel):
        return FlipKernel(as_kernel_nd(k.kernel, ndim, what))
    if isinstance(k, PadKernel):
        return PadKernel(as_kernel_nd(k.kernel, ndim, what), (k.left,) * ndim, (k.right,) * ndim)
    if isinstance(k, KernelSum):
        return KernelSum(as_kernel_nd(k.a, ndim, what), as_kernel_nd(k.b, ndim, what))
    if isinstance(k, Scaled):
        return Scaled(k.scalar, as_kernel_nd(k.kernel, ndim, what))
    raise KernelError(f"{what}: {quote(k)} is a 1-D kernel; expected a {ndim}-D kernel such as "
                      f"k[{', '.join(['3'] * ndim)}]")
