"""2-D kernels: ``k[3, 3]`` (one channel), ``W[out, in, kh, kw]`` (PyTorch's conv2d layout), literals and expressions.

Taps are ``taps[o][i][a][b]`` (row a, column b): ``k_a_b`` for ``k[kh, kw]``
and ``W_o_i_a_b`` for a weight. Sizes are concrete integers. Kernel
expressions act per axis: ``dilate(k, (2, 1))`` inserts zeros between rows,
``convolve(a, b)`` is the full 2-D convolution of the tap arrays (channels
composed as for 1-D: ``E[o, i] = sum_m a[m, i] * b[o, m]``), ``flip(k)``
reverses both axes.

>>> k = kernel2d("k", 2, 2)
>>> k.taps()[0][0]
((k_0_0, k_0_1), (k_1_0, k_1_1))
>>> convolve2d(k, k).shape
(1, 1, 3, 3)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import sympy

from symconv.core.kernel import MAX_CHANNELS, MAX_KERNEL_LENGTH, Kernel, _exact_real, exact_number
from symconv.errors import KernelError

__all__ = ["Kernel2d", "KernelSymbol2d", "Literal2d", "DerivedKernel2d", "Convolve2d", "Dilate2d", "Flip2d",
           "Scaled2d", "Sum2d", "Pad2dKernel", "padk2d", "kernel2d", "literal2d", "convolve2d", "dilate2d", "Taps2d"]

#: ``taps[o][i][a][b]``.
Taps2d = tuple[tuple[tuple[tuple[sympy.Expr, ...], ...], ...], ...]


def _size(value: object, what: str, limit: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise KernelError(f"{what} {value!r} is not a positive integer")
    if value > limit:
        raise KernelError(f"{what} {value} exceeds the limit {limit}")
    return value


class Kernel2d:
    """Base class of 2-D kernels (frozen dataclasses)."""

    ndim = 2

    @property
    def shape(self) -> tuple[int, int, int, int]:
        """``(out, in, kh, kw)``."""
        raise NotImplementedError

    @property
    def out_channels(self) -> int:
        return self.shape[0]

    @property
    def in_channels(self) -> int:
        return self.shape[1]

    @property
    def is_single_channel(self) -> bool:
        return self.shape[0] == 1 and self.shape[1] == 1

    def taps(self) -> Taps2d:
        raise NotImplementedError

    def symbols(self) -> tuple["KernelSymbol2d", ...]:
        """The named kernels used, each once."""
        seen: dict[str, KernelSymbol2d] = {}
        for child in self._children():
            for s in child.symbols():
                seen.setdefault(s.name, s)
        return tuple(seen.values())

    def _children(self) -> tuple["Kernel2d", ...]:
        return ()

    def length_symbols(self) -> frozenset:
        """2-D kernels have concrete sizes: no generic length."""
        return frozenset()

    def kernel_names(self) -> frozenset[str]:
        return frozenset(s.name for s in self.symbols())

    def __add__(self, other: object) -> "Kernel2d":
        return Sum2d(self, other) if isinstance(other, Kernel2d) else NotImplemented

    def __mul__(self, scalar: object) -> "Kernel2d":
        return NotImplemented if isinstance(scalar, (Kernel, Kernel2d)) else Scaled2d(exact_number(scalar), self)

    __rmul__ = __mul__


def _rows(values: Taps2d) -> str:
    def listing(items) -> str:
        return "[" + ", ".join(items) + "]"

    grid = [[listing(listing(map(str, row)) for row in taps) for taps in ch] for ch in values]
    if len(values) == 1 and len(values[0]) == 1:
        return grid[0][0]
    return listing(listing(ch) for ch in grid)


@dataclass(frozen=True, repr=False)
class KernelSymbol2d(Kernel2d):
    """A named 2-D kernel ``k[kh, kw]`` or weight ``W[out, in, kh, kw]``."""

    name: str
    dims: tuple[int, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise KernelError(f"kernel name {self.name!r} is not an identifier")
        object.__setattr__(self, "dims", tuple(self.dims))
        if len(self.dims) not in (2, 4):
            raise KernelError(f"kernel {self.name}{list(self.dims)} has {len(self.dims)} sizes; a 2-D kernel has 2 "
                              f"(k[3, 3]) or 4 (W[out, in, 3, 3])")
        for d in self.dims[:-2]:
            _size(d, f"kernel {self.name}: channel count", MAX_CHANNELS)
        for d in self.dims[-2:]:
            _size(d, f"kernel {self.name}: size", MAX_KERNEL_LENGTH)

    @property
    def shape(self) -> tuple[int, int, int, int]:
        return tuple(self.dims) if len(self.dims) == 4 else (1, 1) + tuple(self.dims)

    def taps(self) -> Taps2d:
        out, inp, kh, kw = self.shape
        if len(self.dims) == 2:
            return ((tuple(tuple(sympy.Symbol(f"{self.name}_{a}_{b}") for b in range(kw)) for a in range(kh)),),)
        return tuple(tuple(tuple(tuple(sympy.Symbol(f"{self.name}_{o}_{i}_{a}_{b}") for b in range(kw))
                                 for a in range(kh)) for i in range(inp)) for o in range(out))

    def symbols(self) -> tuple["KernelSymbol2d", ...]:
        return (self,)

    def __repr__(self) -> str:
        return f"{self.name}[{', '.join(map(str, self.dims))}]"


def _check_grid(values: Taps2d, what: str) -> Taps2d:
    if not values or not values[0] or not values[0][0] or not values[0][0][0]:
        raise KernelError(f"{what} is empty; expected at least one tap, e.g. [[1, 2], [3, 4]]")
    shape = (len(values[0]), len(values[0][0]), len(values[0][0][0]))
    for ch in values:
        if len(ch) != shape[0] or any(len(t) != shape[1] or any(len(r) != shape[2] for r in t) for t in ch):
            raise KernelError(f"{what} is ragged; expected equal sizes")
    return values


@dataclass(frozen=True, repr=False)
class Literal2d(Kernel2d):
    """Exact numbers ``values[o][i][a][b]``; ``[[1, 2], [3, 4]]`` is one channel."""

    values: Taps2d

    def __post_init__(self) -> None:
        values = _check_grid(self.values, "literal 2-D kernel")
        object.__setattr__(self, "values", tuple(tuple(tuple(tuple(_exact_real(v) for v in row) for row in t)
                                                       for t in ch) for ch in values))

    @property
    def shape(self) -> tuple[int, int, int, int]:
        v = self.values
        return (len(v), len(v[0]), len(v[0][0]), len(v[0][0][0]))

    def taps(self) -> Taps2d:
        return self.values

    def __repr__(self) -> str:
        return _rows(self.values)


@dataclass(frozen=True, repr=False)
class DerivedKernel2d(Kernel2d):
    """Closed-form taps (expressions in the taps of ``sources``); an output, not DSL input."""

    values: Taps2d
    sources: tuple[KernelSymbol2d, ...] = ()

    def __post_init__(self) -> None:
        _check_grid(self.values, "derived 2-D kernel")

    @property
    def shape(self) -> tuple[int, int, int, int]:
        v = self.values
        return (len(v), len(v[0]), len(v[0][0]), len(v[0][0][0]))

    def taps(self) -> Taps2d:
        return self.values

    def symbols(self) -> tuple[KernelSymbol2d, ...]:
        return self.sources

    def __repr__(self) -> str:
        return _rows(self.values)


def _zeros(out: int, inp: int, kh: int, kw: int) -> list:
    return [[[[sympy.Integer(0)] * kw for _ in range(kh)] for _ in range(inp)] for _ in range(out)]


def _placed(kernel: "Kernel2d", shape: tuple[int, int, int, int], where) -> "Taps2d":
    """A zero grid of ``shape`` with tap ``(a, b)`` of every channel pair of ``kernel`` moved to ``where(a, b)``."""
    grid = _zeros(*shape)
    for o, ch in enumerate(kernel.taps()):
        for i, taps in enumerate(ch):
            for a, row in enumerate(taps):
                for b, v in enumerate(row):
                    r, c = where(a, b)
                    grid[o][i][r][c] = v
    return _frozen(grid)


def _frozen(grid: list) -> Taps2d:
    return tuple(tuple(tuple(tuple(sympy.expand(v) for v in row) for row in t) for t in ch) for ch in grid)


@dataclass(frozen=True, repr=False)
class Convolve2d(Kernel2d):
    """``convolve(a, b)``: full 2-D convolution; ``E[o, i] = sum_m a[m, i] * b[o, m]``."""

    a: Kernel2d
    b: Kernel2d

    def __post_init__(self) -> None:
        if self.b.in_channels != self.a.out_channels:
            raise KernelError(f"convolve({self.a!r}, {self.b!r}): {self.b!r} takes {self.b.in_channels} channel(s) "
                              f"but {self.a!r} gives {self.a.out_channels}")

    @property
    def shape(self) -> tuple[int, int, int, int]:
        a, b = self.a.shape, self.b.shape
        return (b[0], a[1], a[2] + b[2] - 1, a[3] + b[3] - 1)

    def taps(self) -> Taps2d:
        ta, tb = self.a.taps(), self.b.taps()
        out, inp, kh, kw = self.shape
        grid = _zeros(out, inp, kh, kw)
        for o in range(out):
            for i in range(inp):
                for m in range(self.a.out_channels):
                    for a1, row_a in enumerate(ta[m][i]):
                        for b1, va in enumerate(row_a):
                            for a2, row_b in enumerate(tb[o][m]):
                                for b2, vb in enumerate(row_b):
                                    grid[o][i][a1 + a2][b1 + b2] += va * vb
        return _frozen(grid)

    def _children(self) -> tuple[Kernel2d, ...]:
        return (self.a, self.b)

    def __repr__(self) -> str:
        return f"convolve({self.a!r}, {self.b!r})"


@dataclass(frozen=True, repr=False)
class Dilate2d(Kernel2d):
    """``dilate(k, (d1, d2))``: ``d1 - 1`` zero rows between rows, ``d2 - 1`` zero columns between columns."""

    kernel: Kernel2d
    factors: tuple[int, int]

    def __post_init__(self) -> None:
        if not (isinstance(self.factors, (tuple, list)) and len(self.factors) == 2):
            raise KernelError(f"dilate({self.kernel!r}, {self.factors!r}): expected a pair of factors (rows, columns)")
        object.__setattr__(self, "factors", tuple(self.factors))
        for d in self.factors:
            _size(d, "dilation factor", MAX_KERNEL_LENGTH)

    @property
    def shape(self) -> tuple[int, int, int, int]:
        out, inp, kh, kw = self.kernel.shape
        return (out, inp, self.factors[0] * (kh - 1) + 1, self.factors[1] * (kw - 1) + 1)

    def taps(self) -> Taps2d:
        d1, d2 = self.factors
        return _placed(self.kernel, self.shape, lambda a, b: (a * d1, b * d2))

    def _children(self) -> tuple[Kernel2d, ...]:
        return (self.kernel,)

    def __repr__(self) -> str:
        return f"dilate({self.kernel!r}, {self.factors})"


@dataclass(frozen=True, repr=False)
class Flip2d(Kernel2d):
    """``flip(k)``: both axes reversed."""

    kernel: Kernel2d

    @property
    def shape(self) -> tuple[int, int, int, int]:
        return self.kernel.shape

    def taps(self) -> Taps2d:
        return tuple(tuple(tuple(tuple(reversed(row)) for row in reversed(t)) for t in ch) for ch in self.kernel.taps())

    def _children(self) -> tuple[Kernel2d, ...]:
        return (self.kernel,)

    def __repr__(self) -> str:
        return f"flip({self.kernel!r})"


@dataclass(frozen=True, repr=False)
class Scaled2d(Kernel2d):
    """``q * k``."""

    scalar: sympy.Expr
    kernel: Kernel2d

    @property
    def shape(self) -> tuple[int, int, int, int]:
        return self.kernel.shape

    def taps(self) -> Taps2d:
        return _frozen([[[[self.scalar * v for v in row] for row in t] for t in ch] for ch in self.kernel.taps()])

    def _children(self) -> tuple[Kernel2d, ...]:
        return (self.kernel,)

    def __repr__(self) -> str:
        return f"{self.scalar} * {self.kernel!r}"


@dataclass(frozen=True, repr=False)
class Sum2d(Kernel2d):
    """``a + b`` (equal shapes)."""

    a: Kernel2d
    b: Kernel2d

    def __post_init__(self) -> None:
        if self.a.shape != self.b.shape:
            raise KernelError(f"{self.a!r} + {self.b!r}: shapes {self.a.shape} and {self.b.shape} differ")

    @property
    def shape(self) -> tuple[int, int, int, int]:
        return self.a.shape

    def taps(self) -> Taps2d:
        ta, tb = self.a.taps(), self.b.taps()
        return _frozen([[[[x + y for x, y in zip(ra, rb)] for ra, rb in zip(a, b)] for a, b in zip(ca, cb)]
                        for ca, cb in zip(ta, tb)])

    def _children(self) -> tuple[Kernel2d, ...]:
        return (self.a, self.b)

    def __repr__(self) -> str:
        return f"{self.a!r} + {self.b!r}"


@dataclass(frozen=True, repr=False)
class Pad2dKernel(Kernel2d):
    """``padk(k, (t, l), (b, r))``: zero rows above and below, zero columns left and right of the taps."""

    kernel: Kernel2d
    before: tuple[int, int]
    after: tuple[int, int]

    def __post_init__(self) -> None:
        for p in self.before + self.after:
            if isinstance(p, bool) or not isinstance(p, int) or p < 0 or p > MAX_KERNEL_LENGTH:
                raise KernelError(f"padk({self.kernel!r}, ...): {p!r} is not a number of zeros (0 or more)")

    @property
    def shape(self) -> tuple[int, int, int, int]:
        out, inp, kh, kw = self.kernel.shape
        return (out, inp, kh + self.before[0] + self.after[0], kw + self.before[1] + self.after[1])

    def taps(self) -> Taps2d:
        t, left = self.before
        return _placed(self.kernel, self.shape, lambda a, b: (a + t, b + left))

    def _children(self) -> tuple[Kernel2d, ...]:
        return (self.kernel,)

    def __repr__(self) -> str:
        return f"padk({self.kernel!r}, {self.before}, {self.after})"


def padk2d(k: Kernel2d, before: object, after: object = None) -> Pad2dKernel:
    """``padk(k, p)`` (p zeros on every side), ``padk(k, (t, l))`` or ``padk(k, (t, l), (b, r))``."""
    def pair(v: object) -> tuple[int, int]:
        if isinstance(v, int) and not isinstance(v, bool):
            return (v, v)
        if isinstance(v, (tuple, list)) and len(v) == 2:
            return (v[0], v[1])
        raise KernelError(f"padk({k!r}, {before!r}, {after!r}): expected a number of zeros or a pair (rows, columns)")

    first = pair(before)
    return Pad2dKernel(k, first, first if after is None else pair(after))


def kernel2d(name: str, *dims: int) -> KernelSymbol2d:
    """``kernel2d("k", 3, 3)`` or ``kernel2d("W", 8, 4, 3, 3)``."""
    return KernelSymbol2d(name, tuple(dims))


def literal2d(values: Sequence) -> Literal2d:
    """From ``[[...], ...]`` (rows of one channel) or ``[out][in][rows][cols]``."""
    def depth(v) -> int:
        return 1 + depth(v[0]) if isinstance(v, (list, tuple)) and v else 0

    if depth(values) == 2:
        values = [[values]]
    if depth(values) != 4:
        raise KernelError(f"literal 2-D kernel {values!r}: expected rows [[1, 2], [3, 4]] or [out][in][rows][cols]")
    return Literal2d(tuple(tuple(tuple(tuple(row) for row in t) for t in ch) for ch in values))


def convolve2d(a: Kernel2d, b: Kernel2d) -> Convolve2d:
    return Convolve2d(a, b)


def dilate2d(k: Kernel2d, factors: object) -> Dilate2d:
    if isinstance(factors, int):
        factors = (factors, factors)
    if not isinstance(factors, tuple) or len(factors) != 2:
        raise KernelError(f"dilate({k!r}, {factors!r}): expected one factor or a pair (rows, columns)")
    return Dilate2d(k, factors)
