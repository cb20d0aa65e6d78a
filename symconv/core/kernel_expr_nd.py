"""N-D kernel expressions; each acts per spatial axis on kernels of :mod:`symconv.core.kernel_nd`:

* ``convolve(a, b)[o, i, t] = sum_m sum_{u + v = t} a[m, i, u] b[o, m, v]`` (full convolution, channels
  composed as in 1-D);
* ``dilate(k, (f1, ..., fd))[o, i, f * a] = k[o, i, a]`` (zeros between taps on each axis);
* ``flip(k)[o, i, a] = k[o, i, K - 1 - a]`` (every spatial axis reversed);
* ``padk(k, before, after)`` zeros around the taps; ``a + b`` and ``q * k`` tap-wise.

:func:`as_kernel_nd` reads a name with ``d`` sizes, a nested list or a 1-D kernel expression over such
names as an N-D kernel (expression).

>>> from symconv.core.kernel_nd import kernel_nd
>>> k = kernel_nd("k", 2, 2)
>>> ConvolveNd(k, DilateNd(k, (2, 2))).shape
(1, 1, 4, 4)
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cached_property
from typing import Optional, Sequence

from symconv.lazy_import import sympy

from symconv.core.axes import Axes, fmt_axes, is_int, per_axis
from symconv.core.exact_poly import add_product, to_sympy
from symconv.core.kernel import MAX_KERNEL_LENGTH
from symconv.core.kernel_nd import Grid, KernelNd, KernelSymbolNd, literal_nd, nesting_depth, size_within
from symconv.errors import InvalidArgument, KernelError, quote

__all__ = ["ConvolveNd", "DilateNd", "FlipNd", "ScaledNd", "SumNd", "PadKernelNd", "dilate_nd", "padk_nd",
           "as_kernel_nd", "axes_text"]


def _expanded(grid: Grid) -> Grid:
    out = {}
    for index, v in grid.items():
        v = sympy.expand(v)
        if v != 0:
            out[index] = v
    return out


@dataclass(frozen=True, repr=False)
class ConvolveNd(KernelNd):
    """``convolve(a, b)``: full N-D convolution; ``E[o, i] = sum_m a[m, i] * b[o, m]``."""

    a: KernelNd
    b: KernelNd

    def __post_init__(self) -> None:
        if self.a.ndim != self.b.ndim:
            raise KernelError(f"convolve({quote(self.a)}, {quote(self.b)}): a {self.a.ndim}-D and a "
                              f"{self.b.ndim}-D kernel")
        if self.b.in_channels != self.a.out_channels:
            raise KernelError(f"convolve({quote(self.a)}, {quote(self.b)}): {quote(self.b)} takes "
                              f"{self.b.in_channels} channel(s) but {quote(self.a)} gives {self.a.out_channels}")

    @property
    def shape(self) -> tuple[int, ...]:
        a, b = self.a.shape, self.b.shape
        return (b[0], a[1]) + tuple(x + y - 1 for x, y in zip(a[2:], b[2:]))

    @cached_property
    def _exact(self) -> dict:
        terms: dict = {}
        by_input: dict = {}  # b's taps by its input channel m
        for (o, m, *v), pb in self.b.exact_grid().items():
            by_input.setdefault(m, []).append((o, v, pb))
        for (m, i, *u), pa in self.a.exact_grid().items():
            for o, v, pb in by_input.get(m, ()):
                add_product(terms.setdefault((o, i) + tuple(x + y for x, y in zip(u, v)), {}), pa, pb)
        return {key: p for key, p in terms.items() if p}

    def exact_grid(self) -> dict:
        """``E[o, i, u + v] = sum_m a[m, i, u] b[o, m, v]`` in the exact ring (made once per object)."""
        return self._exact

    def grid(self) -> Grid:
        """:meth:`exact_grid` written in SymPy."""
        return {key: to_sympy(p) for key, p in self._exact.items()}

    def _children(self) -> tuple[KernelNd, ...]:
        return (self.a, self.b)

    def __repr__(self) -> str:
        return f"convolve({self.a!r}, {self.b!r})"


@dataclass(frozen=True, repr=False)
class DilateNd(KernelNd):
    """``dilate(k, (f1, ..., fd))``: ``f - 1`` zeros between the taps of each axis."""

    kernel: KernelNd
    factors: Axes

    def __post_init__(self) -> None:
        factors = self.factors
        if not (isinstance(factors, (tuple, list)) and len(factors) == self.kernel.ndim):
            raise KernelError(f"dilate({quote(self.kernel)}, {quote(factors)}): expected one factor or "
                              f"{self.kernel.ndim} (one per axis)")
        object.__setattr__(self, "factors", tuple(factors))
        for f in self.factors:
            size_within(f, "dilation factor", MAX_KERNEL_LENGTH)

    @property
    def shape(self) -> tuple[int, ...]:
        s = self.kernel.shape
        return s[:2] + tuple(f * (k - 1) + 1 for f, k in zip(self.factors, s[2:]))

    def grid(self) -> Grid:
        return {(o, i) + tuple(f * a for f, a in zip(self.factors, rest)): v
                for (o, i, *rest), v in self.kernel.grid().items()}

    def _children(self) -> tuple[KernelNd, ...]:
        return (self.kernel,)

    def __repr__(self) -> str:
        return f"dilate({self.kernel!r}, {fmt_axes(self.factors)})"


@dataclass(frozen=True, repr=False)
class FlipNd(KernelNd):
    """``flip(k, axes)``: the spatial axes in ``axes`` reversed (default every axis).

    ``flip(k, axes)[o, i, a] = k[o, i, a']`` with ``a'_j = K_j - 1 - a_j`` for j in axes, ``a_j`` otherwise.
    ``axes`` is stored sorted, every axis when None.
    """

    kernel: KernelNd
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
    def shape(self) -> tuple[int, ...]:
        return self.kernel.shape

    def flipped(self, axis: int) -> bool:
        """Whether spatial axis ``axis`` is reversed."""
        return axis in self.axes

    def grid(self) -> Grid:
        sizes = self.kernel.spatial
        return {(o, i) + tuple(k - 1 - a if j in self.axes else a for j, (k, a) in enumerate(zip(sizes, rest))): v
                for (o, i, *rest), v in self.kernel.grid().items()}

    def _children(self) -> tuple[KernelNd, ...]:
        return (self.kernel,)

    def __repr__(self) -> str:
        if self.axes == tuple(range(self.kernel.ndim)):
            return f"flip({self.kernel!r})"
        return f"flip({self.kernel!r}, axes={axes_text(self.axes)})"


def axes_text(axes: Sequence[int]) -> str:
    """DSL text of a tuple of axes: ``(0,)``, ``(0, 2)``."""
    return "(" + ", ".join(map(str, axes)) + ("," if len(axes) == 1 else "") + ")"


@dataclass(frozen=True, repr=False)
class ScaledNd(KernelNd):
    """``q * k``."""

    scalar: sympy.Expr
    kernel: KernelNd

    @property
    def shape(self) -> tuple[int, ...]:
        return self.kernel.shape

    def grid(self) -> Grid:
        return _expanded({index: self.scalar * v for index, v in self.kernel.grid().items()})

    def _children(self) -> tuple[KernelNd, ...]:
        return (self.kernel,)

    def __repr__(self) -> str:
        return f"{self.scalar} * {self.kernel!r}"


@dataclass(frozen=True, repr=False)
class SumNd(KernelNd):
    """``a + b`` (equal shapes)."""

    a: KernelNd
    b: KernelNd

    def __post_init__(self) -> None:
        if self.a.shape != self.b.shape:
            raise KernelError(f"{quote(self.a)} + {quote(self.b)}: shapes {self.a.shape} and {self.b.shape} differ")

    @property
    def shape(self) -> tuple[int, ...]:
        return self.a.shape

    def grid(self) -> Grid:
        out = dict(self.a.grid())
        for index, v in self.b.grid().items():
            out[index] = out.get(index, 0) + v
        return _expanded(out)

    def _children(self) -> tuple[KernelNd, ...]:
        return (self.a, self.b)

    def __repr__(self) -> str:
        return f"{self.a!r} + {self.b!r}"


@dataclass(frozen=True, repr=False)
class PadKernelNd(KernelNd):
    """``padk(k, before, after)``: per axis, ``before`` zeros ahead of the taps and ``after`` behind them."""

    kernel: KernelNd
    before: Axes
    after: Axes

    def __post_init__(self) -> None:
        for field in ("before", "after"):
            value = getattr(self, field)
            if not (isinstance(value, (tuple, list)) and len(value) == self.kernel.ndim):
                raise KernelError(f"padk({quote(self.kernel)}, ...): {quote(value)} is not one number of zeros per "
                                  f"axis")
            object.__setattr__(self, field, tuple(value))
        for p in self.before + self.after:
            if not is_int(p) or p < 0 or p > MAX_KERNEL_LENGTH:
                raise KernelError(f"padk({quote(self.kernel)}, ...): {quote(p)} is not a number of zeros (0 or more)")

    @property
    def shape(self) -> tuple[int, ...]:
        s = self.kernel.shape
        return s[:2] + tuple(k + b + a for k, b, a in zip(s[2:], self.before, self.after))

    def grid(self) -> Grid:
        return {(o, i) + tuple(a + b for a, b in zip(rest, self.before)): v
                for (o, i, *rest), v in self.kernel.grid().items()}

    def _children(self) -> tuple[KernelNd, ...]:
        return (self.kernel,)

    def __repr__(self) -> str:
        return f"padk({self.kernel!r}, {self.before}, {self.after})"


def _axes_of(value: object, ndim: int, what: str) -> Axes:
    try:
        return per_axis(value, ndim, what, "factor")
    except InvalidArgument:
        raise KernelError(f"{what}: {quote(value)} is not one number or {ndim} (one per axis)") from None


def as_kernel_nd(k: object, ndim: int, what: str = "an N-D layer") -> KernelNd:
    """``k`` read as a ``ndim``-D kernel: N-D kernels as they are; a name with 3 sizes (``k[3, 3, 3]``), a nested
    list or a 1-D kernel expression over such names is re-read with ``ndim`` spatial axes."""
    k1 = importlib.import_module("symconv.core.kernel")
    kx = importlib.import_module("symconv.core.kernel_expr")

    if isinstance(k, KernelNd):
        if k.ndim != ndim:
            raise KernelError(f"{what}: {quote(k)} is a {k.ndim}-D kernel; expected a {ndim}-D kernel")
        return k
    if isinstance(k, (list, tuple)):
        return literal_nd(k, ndim)
    if isinstance(k, k1.KernelSymbol):
        if len(k.dims) not in (ndim, ndim + 2):
            raise KernelError(f"{what}: {quote(k)} has {len(k.dims)} sizes; a {ndim}-D kernel has {ndim} "
                              f"(one channel) or {ndim + 2} (out, in, sizes)")
        return KernelSymbolNd(k.name, tuple(k.dims), ndim)
    if isinstance(k, k1.Literal):
        if nesting_depth(k.values) != ndim:  # [out][in][taps] read as one channel of a 3-D kernel
            raise KernelError(f"{what}: {quote(k)} is a 1-D kernel; expected a {ndim}-D kernel")
        return literal_nd(k.values, ndim)
    if isinstance(k, kx.Dilate):
        return DilateNd(as_kernel_nd(k.kernel, ndim, what), (k.factor,) * ndim)
    if isinstance(k, kx.Convolve):
        return ConvolveNd(as_kernel_nd(k.a, ndim, what), as_kernel_nd(k.b, ndim, what))
    if isinstance(k, kx.FlipKernel):
        return FlipNd(as_kernel_nd(k.kernel, ndim, what))
    if isinstance(k, kx.PadKernel):
        return PadKernelNd(as_kernel_nd(k.kernel, ndim, what), (k.left,) * ndim, (k.right,) * ndim)
    if isinstance(k, kx.KernelSum):
        return SumNd(as_kernel_nd(k.a, ndim, what), as_kernel_nd(k.b, ndim, what))
    if isinstance(k, kx.Scaled):
        return ScaledNd(k.scalar, as_kernel_nd(k.kernel, ndim, what))
    raise KernelError(f"{what}: {quote(k)} is not a {ndim}-D kernel; expected e.g. k[{', '.join(['3'] * ndim)}]")


def dilate_nd(k: KernelNd, factors: object) -> DilateNd:
    """``dilate(k, f)`` (every axis) or ``dilate(k, (f1, ..., fd))``."""
    return DilateNd(k, _axes_of(factors, k.ndim, f"dilate({quote(k)}, ...)"))


def padk_nd(k: KernelNd, before: object, after: object = None) -> PadKernelNd:
    """``padk(k, p)`` (p zeros on every side), ``padk(k, (p1, ..., pd))`` or ``padk(k, before, after)``."""
    first = _axes_of(before, k.ndim, f"padk({quote(k)}, ...)")
    return PadKernelNd(k, first, first if after is None else _axes_of(after, k.ndim, f"padk({quote(k)}, ...)"))
