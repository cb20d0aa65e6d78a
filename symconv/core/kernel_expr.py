"""Kernel expressions: dilation, full convolution, flips, zero padding, sums and scalings.

Each is a frozen dataclass over other kernels whose ``taps`` follow from its
children's (the meaning) and whose ``repr`` is DSL syntax.

>>> from symconv.core.kernel import kernel
>>> k = kernel("k", 2)
>>> convolve(k, dilate(k, 2)).taps()
(((k_0**2, k_0*k_1, k_0*k_1, k_1**2),),)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Mapping, Sequence

from symconv.lazy_import import sympy

from symconv.core.kernel import (
    Kernel,
    Size,
    Taps,
    check_derived_length,
    check_nonnegative_int,
    check_positive_int,
    as_kernel,
    exact_number,
)
from symconv.core.exact_poly import Poly, add_into, add_product, from_sympy, times, to_sympy
from symconv.errors import KernelError, quote

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
]

#: Taps as exact polynomials (:mod:`symconv.core.exact_poly`), indexed like :data:`Taps`.
ExactTaps = tuple[tuple[tuple[Poly, ...], ...], ...]


def _map_taps(taps, f):
    return tuple(tuple(f(t) for t in row) for row in taps)


def exact_taps(kernel: Kernel, sizes: Mapping[str, int] | None = None) -> ExactTaps:
    """The taps of ``kernel`` as exact polynomials.

    A kernel expression computes them in the polynomial ring from its
    children's (``_exact_taps``, remembered per ``sizes``); any other kernel's
    SymPy taps are read once, tap by tap (:func:`symconv.core.exact_poly.from_sympy`).
    """
    if not isinstance(kernel, _KernelExpr):
        return _map_taps(kernel.taps(sizes), lambda t: tuple(from_sympy(v) for v in t))
    key = tuple(sorted(sizes.items())) if sizes else ()
    cache = kernel._exact_cache
    if key not in cache:
        cache[key] = kernel._exact_taps(sizes)
    return cache[key]


class _KernelExpr(Kernel):
    """A kernel expression: ``taps`` is :meth:`_exact_taps` written once in SymPy."""

    @cached_property
    def _exact_cache(self) -> dict:
        return {}

    @cached_property
    def _sympy_cache(self) -> dict:
        return {}

    def _exact_taps(self, sizes: Mapping[str, int] | None) -> ExactTaps:
        raise NotImplementedError

    def taps(self, sizes: Mapping[str, int] | None = None) -> Taps:
        key = tuple(sorted(sizes.items())) if sizes else ()
        if key not in self._sympy_cache:
            self._sympy_cache[key] = _map_taps(exact_taps(self, sizes), lambda t: tuple(to_sympy(v) for v in t))
        return self._sympy_cache[key]


@dataclass(frozen=True, repr=False)
class Dilate(_KernelExpr):
    """``dilate(k, d)``: insert ``d - 1`` zeros between taps; length ``d (c - 1) + 1``."""

    kernel: Kernel
    factor: int

    def __post_init__(self) -> None:
        check_positive_int(self.factor, "dilate", "d")
        check_derived_length(self)

    @cached_property
    def shape(self) -> tuple[int, int, Size]:
        out, inp, c = self.kernel.shape
        return (out, inp, self.factor * (c - 1) + 1)

    def _exact_taps(self, sizes: Mapping[str, int] | None) -> ExactTaps:
        d = self.factor

        def dilated(t: tuple) -> tuple:
            out: list[Poly] = [{} for _ in range(d * (len(t) - 1) + 1)]
            for j, v in enumerate(t):
                out[d * j] = v
            return tuple(out)

        return _map_taps(exact_taps(self.kernel, sizes), dilated)

    def _children(self) -> tuple[Kernel, ...]:
        return (self.kernel,)

    def __repr__(self) -> str:
        return f"dilate({self.kernel!r}, {self.factor})"


def full_convolution(a: Sequence[sympy.Expr], b: Sequence[sympy.Expr]) -> tuple[sympy.Expr, ...]:
    """``(a * b)[m] = sum_j a[j] b[m - j]``, length ``len(a) + len(b) - 1`` (numpy.convolve)."""
    product = _full_convolution([from_sympy(v) for v in a], [from_sympy(v) for v in b])
    return tuple(to_sympy(v) for v in product)


def _full_convolution(a: Sequence[Poly], b: Sequence[Poly]) -> list[Poly]:
    """:func:`full_convolution` of exact polynomials."""
    out: list[Poly] = [{} for _ in range(len(a) + len(b) - 1)]
    for i, x in enumerate(a):
        if x:
            for j, y in enumerate(b):
                add_product(out[i + j], x, y)
    return out


@dataclass(frozen=True, repr=False)
class Convolve(_KernelExpr):
    """``convolve(a, b)``: full convolution of the taps (``numpy.convolve``).

    For weights it is the kernel of ``conv(a) >> conv(b)``:
    ``E[o, i] = sum_m convolve(a[m, i], b[o, m])``, shape ``(b.out, a.in, ca + cb - 1)``.
    """

    a: Kernel
    b: Kernel

    def __post_init__(self) -> None:
        if self.a.out_channels != self.b.in_channels:
            raise KernelError(
                f"convolve({quote(self.a)}, {quote(self.b)}): {quote(self.a)} has {self.a.out_channels} output "
                f"channel(s) but {quote(self.b)} takes {self.b.in_channels}; expected them equal"
            )
        check_derived_length(self)

    @cached_property
    def shape(self) -> tuple[int, int, Size]:
        return (self.b.out_channels, self.a.in_channels, self.a.length + self.b.length - 1)

    def _exact_taps(self, sizes: Mapping[str, int] | None) -> ExactTaps:
        ta, tb = exact_taps(self.a, sizes), exact_taps(self.b, sizes)
        out, inp, mid = len(tb), len(ta[0]), len(ta)
        length = len(ta[0][0]) + len(tb[0][0]) - 1
        result = []
        for o in range(out):
            row = []
            for i in range(inp):
                acc: list[Poly] = [{} for _ in range(length)]
                for m in range(mid):  # acc += full_convolution(ta[m][i], tb[o][m])
                    for j, x in enumerate(ta[m][i]):
                        if x:
                            for k, y in enumerate(tb[o][m]):
                                if y:
                                    add_product(acc[j + k], x, y)
                row.append(tuple(acc))
            result.append(tuple(row))
        return tuple(result)

    def _children(self) -> tuple[Kernel, ...]:
        return (self.a, self.b)

    def __repr__(self) -> str:
        return f"convolve({self.a!r}, {self.b!r})"


@dataclass(frozen=True, repr=False)
class FlipKernel(_KernelExpr):
    """``flip(k)``: ``flip(k)[j] = k[c - 1 - j]``."""

    kernel: Kernel

    @cached_property
    def shape(self) -> tuple[int, int, Size]:
        return self.kernel.shape

    def _exact_taps(self, sizes: Mapping[str, int] | None) -> ExactTaps:
        return _map_taps(exact_taps(self.kernel, sizes), lambda t: tuple(reversed(t)))

    def _children(self) -> tuple[Kernel, ...]:
        return (self.kernel,)

    def __repr__(self) -> str:
        return f"flip({self.kernel!r})"


@dataclass(frozen=True, repr=False)
class PadKernel(_KernelExpr):
    """``padk(k, left, right)``: ``left`` zeros before the taps and ``right`` after."""

    kernel: Kernel
    left: int
    right: int

    def __post_init__(self) -> None:
        check_nonnegative_int(self.left, "padk", "left")
        check_nonnegative_int(self.right, "padk", "right")
        check_derived_length(self)

    @cached_property
    def shape(self) -> tuple[int, int, Size]:
        out, inp, c = self.kernel.shape
        return (out, inp, c + self.left + self.right)

    def _exact_taps(self, sizes: Mapping[str, int] | None) -> ExactTaps:
        return _map_taps(
            exact_taps(self.kernel, sizes), lambda t: ({},) * self.left + tuple(t) + ({},) * self.right
        )

    def _children(self) -> tuple[Kernel, ...]:
        return (self.kernel,)

    def __repr__(self) -> str:
        return f"padk({self.kernel!r}, {self.left}, {self.right})"


@dataclass(frozen=True, repr=False)
class KernelSum(_KernelExpr):
    """``a + b``: tap-wise sum of two kernels of the same shape."""

    a: Kernel
    b: Kernel

    def __post_init__(self) -> None:
        if self.a.shape[:2] != self.b.shape[:2] or sympy.simplify(self.a.length - self.b.length) != 0:
            raise KernelError(
                f"{quote(self.a)} + {quote(self.b)}: shapes {_fmt_shape(self.a)} and {_fmt_shape(self.b)} differ; "
                f"expected equal shapes (use padk to align lengths)"
            )

    @cached_property
    def shape(self) -> tuple[int, int, Size]:
        return self.a.shape

    def _exact_taps(self, sizes: Mapping[str, int] | None) -> ExactTaps:
        ta, tb = exact_taps(self.a, sizes), exact_taps(self.b, sizes)

        def plus(x: Poly, y: Poly) -> Poly:
            total = dict(x)
            add_into(total, y)
            return total

        return tuple(
            tuple(tuple(plus(x, y) for x, y in zip(ta[o][i], tb[o][i])) for i in range(len(ta[o])))
            for o in range(len(ta))
        )

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

    @cached_property
    def shape(self) -> tuple[int, int, Size]:
        return self.kernel.shape

    def _exact_taps(self, sizes: Mapping[str, int] | None) -> ExactTaps:
        factor = from_sympy(self.scalar)
        return _map_taps(exact_taps(self.kernel, sizes), lambda t: tuple(times(factor, v) for v in t))

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


def _fmt_shape(k: Kernel) -> str:
    return "(" + ", ".join(str(d) for d in k.shape) + ")"


def _axes_asked(*kernels: object, factors: tuple = ()) -> int:
    """The spatial axes of an N-D kernel expression (0 for 1-D): an N-D operand, or a per-axis tuple of 2+ factors."""
    for k in kernels:
        if getattr(k, "ndim", 1) >= 2 and not isinstance(k, Kernel):
            return k.ndim
    for f in factors:
        if isinstance(f, (tuple, list)) and len(f) >= 2:
            return len(f)
    return 0


def dilate(k: object, d: object) -> Dilate:
    """``dilate(k, d)``: ``d - 1`` zeros between taps; an N-D kernel takes ``d`` or ``(d1, ..., dd)``."""
    axes = _axes_asked(k, factors=(d,))
    if axes:
        from symconv.core.kernel_expr_nd import as_kernel_nd, dilate_nd

        return dilate_nd(as_kernel_nd(k, axes, "dilate"), d)
    return Dilate(as_kernel(k), d)


def convolve(a: object, b: object) -> Convolve:
    """``convolve(a, b)``: full convolution of tap sequences, as ``numpy.convolve`` (per axis for N-D kernels)."""
    axes = _axes_asked(a, b)
    if axes:
        from symconv.core.kernel_expr_nd import ConvolveNd, as_kernel_nd

        return ConvolveNd(as_kernel_nd(a, axes, "convolve"), as_kernel_nd(b, axes, "convolve"))
    return Convolve(as_kernel(a), as_kernel(b))


def flipk(k: object, axes: object = None) -> FlipKernel:
    """``flip(k)``: reversed taps (every axis of an N-D kernel); ``flip(k, axes=(0,))`` reverses the given axes
    of an N-D kernel only."""
    ndim = _axes_asked(k)
    if ndim or axes is not None:
        from symconv.core.kernel_expr_nd import FlipNd
        from symconv.core.kernel_nd import KernelNd

        if not isinstance(k, KernelNd):
            raise KernelError(f"flip({quote(k)}, axes={quote(axes)}): per-axis flips are for N-D kernels (k[3, 3] "
                              f"inside conv2d); flip a 1-D kernel with flip(k)")
        return FlipNd(k, axes)
    return FlipKernel(as_kernel(k))


def padk(k: object, left: object, right: object = None) -> PadKernel:
    """``padk(k, left, right)``: zeros around the taps (``right`` defaults to ``left``); per-axis tuples for N-D."""
    axes = _axes_asked(k, factors=(left, right))
    if axes:
        from symconv.core.kernel_expr_nd import as_kernel_nd, padk_nd

        return padk_nd(as_kernel_nd(k, axes, "padk"), left, right)
    return PadKernel(as_kernel(k), left, left if right is None else right)
