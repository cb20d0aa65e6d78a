"""N-D kernels for any number ``d >= 2`` of spatial axes: ``k[3, 3]``, ``k[3, 3, 3]``, ``W[out, in, k1, ..., kd]``.

A kernel has shape ``(out, in, k1, ..., kd)`` (PyTorch's layout). Its taps
are a grid: a dict from index tuples ``(o, i, a1, ..., ad)`` to exact SymPy
values (zeros left out); :meth:`KernelNd.taps` gives the same as nested
tuples ``taps[o][i][a1]...[ad]``. Tap symbols are ``k_a1_..._ad`` for a
single-channel ``k[k1, ..., kd]`` and ``W_o_i_a1_..._ad`` for a weight.
Expressions act per axis:

* ``convolve(a, b)[o, i, t] = sum_m sum_{u + v = t} a[m, i, u] b[o, m, v]`` (full convolution, channels
  composed as in 1-D);
* ``dilate(k, (f1, ..., fd))[o, i, f * a] = k[o, i, a]`` (zeros between taps on each axis);
* ``flip(k)[o, i, a] = k[o, i, K - 1 - a]`` (every spatial axis reversed);
* ``padk(k, before, after)`` zeros around the taps; ``a + b`` and ``q * k`` tap-wise.

>>> k = kernel_nd("k", 2, 2)
>>> k.taps()[0][0]
((k_0_0, k_0_1), (k_1_0, k_1_1))
>>> ConvolveNd(k, DilateNd(k, (2, 2))).shape
(1, 1, 4, 4)
>>> kernel_nd("k", 3, 3, 3, ndim=3).ndim
3
"""

from __future__ import annotations

import importlib
import itertools
from dataclasses import dataclass
from typing import Optional, Sequence

import sympy

from symconv.core.axes import Axes, fmt_axes, is_int, per_axis
from symconv.core.exact_poly import add_product, from_sympy, to_sympy
from symconv.core.kernel import MAX_CHANNELS, MAX_KERNEL_LENGTH, Kernel, exact_number
from symconv.core.numbers import _exact_real
from symconv.errors import InvalidArgument, KernelError

__all__ = ["KernelNd", "KernelSymbolNd", "LiteralNd", "DerivedKernelNd", "ConvolveNd", "DilateNd", "FlipNd",
           "dilate_nd", "padk_nd", "ScaledNd", "SumNd", "PadKernelNd", "Grid", "kernel_nd", "literal_nd", "as_kernel_nd", "nested",
           "grid_of", "default_ndim", "axes_text"]

#: Nonzero taps by index ``(o, i, a1, ..., ad)``.
Grid = dict[tuple[int, ...], sympy.Expr]


def _size(value: object, what: str, limit: int) -> int:
    if not is_int(value) or value < 1:
        raise KernelError(f"{what} {value!r} is not a positive integer")
    if value > limit:
        raise KernelError(f"{what} {value} exceeds the limit {limit}")
    return value


def nested(grid: Grid, shape: tuple[int, ...]) -> tuple:
    """The grid as nested tuples ``[o][i][a1]...[ad]`` with zeros filled in."""
    zero = sympy.Integer(0)

    def build(prefix: tuple[int, ...]) -> object:
        if len(prefix) == len(shape):
            return grid.get(prefix, zero)
        return tuple(build(prefix + (j,)) for j in range(shape[len(prefix)]))

    return build(())


def grid_of(values: object, depth: int) -> tuple[Grid, tuple[int, ...]]:
    """A nested list of ``depth`` levels as ``(grid, shape)``; refuses empty and ragged lists."""
    shape: list[int] = []
    probe = values
    for _ in range(depth):
        if not isinstance(probe, (list, tuple)) or not probe:
            raise KernelError(f"kernel {values!r} is empty or too shallow; expected {depth} nested levels of "
                              f"numbers, e.g. [[1, 2], [3, 4]]")
        shape.append(len(probe))
        probe = probe[0]
    grid: Grid = {}
    for index in itertools.product(*(range(n) for n in shape)):
        v = values
        for level, j in enumerate(index):
            if not isinstance(v, (list, tuple)) or len(v) != shape[level]:
                raise KernelError(f"kernel {values!r} is ragged; expected equal sizes on each axis")
            v = v[j]
        if isinstance(v, (list, tuple)):
            raise KernelError(f"kernel {values!r} is ragged; expected equal sizes on each axis")
        if v != 0:
            grid[index] = v
    return grid, tuple(shape)


def default_ndim(sizes: int) -> Optional[int]:
    """The axes of a name with this many sizes when the layer does not say: 2 (``k[3, 3]``, ``W[8, 4, 3, 3]``),
    3 (``W[8, 4, 3, 3, 3]``); None for 1 and 3 sizes, which the 1-D core reads (``k[3]``, ``W[8, 4, 3]``)."""
    return {2: 2, 4: 2, 5: 3}.get(sizes)


class KernelNd:
    """Base class of N-D kernels (frozen dataclasses)."""

    @property
    def shape(self) -> tuple[int, ...]:
        """``(out, in, k1, ..., kd)``."""
        raise NotImplementedError

    @property
    def ndim(self) -> int:
        return len(self.shape) - 2

    @property
    def spatial(self) -> tuple[int, ...]:
        return self.shape[2:]

    @property
    def out_channels(self) -> int:
        return self.shape[0]

    @property
    def in_channels(self) -> int:
        return self.shape[1]

    @property
    def is_single_channel(self) -> bool:
        return self.shape[0] == 1 and self.shape[1] == 1

    def grid(self) -> Grid:
        """Nonzero taps by ``(o, i, a1, ..., ad)``."""
        raise NotImplementedError

    def taps(self) -> tuple:
        """Nested tuples ``taps[o][i][a1]...[ad]``."""
        return nested(self.grid(), self.shape)

    def symbols(self) -> tuple["KernelSymbolNd", ...]:
        """The named kernels used, each once."""
        seen: dict[str, KernelSymbolNd] = {}
        for child in self._children():
            for s in child.symbols():
                seen.setdefault(s.name, s)
        return tuple(seen.values())

    def _children(self) -> tuple["KernelNd", ...]:
        return ()

    def length_symbols(self) -> frozenset:
        """N-D kernels have concrete sizes: no generic length."""
        return frozenset()

    def kernel_names(self) -> frozenset[str]:
        return frozenset(s.name for s in self.symbols())

    def __add__(self, other: object) -> "KernelNd":
        if isinstance(other, Kernel):  # a name with 3 sizes is read with this kernel's axes
            other = as_kernel_nd(other, self.ndim, f"{self!r} + {other!r}")
        return SumNd(self, other) if isinstance(other, KernelNd) else NotImplemented

    def __radd__(self, other: object) -> "KernelNd":
        if isinstance(other, Kernel):
            return SumNd(as_kernel_nd(other, self.ndim, f"{other!r} + {self!r}"), self)
        return NotImplemented

    def __neg__(self) -> "KernelNd":
        return ScaledNd(sympy.Integer(-1), self)

    def __mul__(self, scalar: object) -> "KernelNd":
        return NotImplemented if isinstance(scalar, (Kernel, KernelNd)) else ScaledNd(exact_number(scalar), self)

    __rmul__ = __mul__


def _listing(values: object) -> str:
    if isinstance(values, tuple):
        return "[" + ", ".join(_listing(v) for v in values) + "]"
    return str(values)


def _values_repr(values: tuple) -> str:
    """One channel prints as its spatial grid, several as ``[out][in][...]``."""
    if len(values) == 1 and len(values[0]) == 1:
        return _listing(values[0][0])
    return _listing(values)


@dataclass(frozen=True, repr=False)
class KernelSymbolNd(KernelNd):
    """A named kernel ``k[k1, ..., kd]`` (one channel) or weight ``W[out, in, k1, ..., kd]``."""

    name: str
    dims: tuple[int, ...]
    axes: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise KernelError(f"kernel name {self.name!r} is not an identifier")
        object.__setattr__(self, "dims", tuple(self.dims))
        axes = self.axes or default_ndim(len(self.dims))
        if axes is None or axes < 2 or len(self.dims) not in (axes, axes + 2):
            raise KernelError(f"kernel {self.name}{list(self.dims)} has {len(self.dims)} sizes; an N-D kernel has "
                              f"d sizes (k[3, 3]) or d + 2 (W[out, in, 3, 3]), d >= 2"
                              + ("" if self.axes else "; with 3 sizes say which: the layer (conv3d) or ndim=3"))
        object.__setattr__(self, "axes", axes)
        for d in self.dims[:len(self.dims) - axes]:
            _size(d, f"kernel {self.name}: channel count", MAX_CHANNELS)
        for d in self.dims[len(self.dims) - axes:]:
            _size(d, f"kernel {self.name}: size", MAX_KERNEL_LENGTH)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.dims if len(self.dims) == self.axes + 2 else (1, 1) + self.dims

    def grid(self) -> Grid:
        single = len(self.dims) == self.axes
        return {index: sympy.Symbol(self.name + "".join(f"_{j}" for j in (index[2:] if single else index)))
                for index in itertools.product(*(range(n) for n in self.shape))}

    def symbols(self) -> tuple["KernelSymbolNd", ...]:
        return (self,)

    def __repr__(self) -> str:
        return f"{self.name}[{', '.join(map(str, self.dims))}]"


@dataclass(frozen=True, repr=False)
class LiteralNd(KernelNd):
    """Exact numbers ``values[o][i][a1]...[ad]`` (nested tuples)."""

    values: tuple

    def __post_init__(self) -> None:
        grid, shape = grid_of(self.values, _depth(self.values))
        if len(shape) < 4:
            raise KernelError(f"literal kernel {self.values!r}: expected [out][in] and at least two spatial axes")
        exact = {index: _exact_real(v) for index, v in grid.items()}
        object.__setattr__(self, "values", nested(exact, shape))

    @property
    def shape(self) -> tuple[int, ...]:
        return _shape(self.values)

    def grid(self) -> Grid:
        return {index: v for index, v in _walk(self.values) if v != 0}

    def __repr__(self) -> str:
        return _values_repr(self.values)


@dataclass(frozen=True, repr=False)
class DerivedKernelNd(KernelNd):
    """Closed-form taps (expressions in the taps of ``sources``); an output, not DSL input."""

    values: tuple
    sources: tuple[KernelSymbolNd, ...] = ()

    @property
    def shape(self) -> tuple[int, ...]:
        return _shape(self.values)

    def grid(self) -> Grid:
        return {index: v for index, v in _walk(self.values) if v != 0}

    def symbols(self) -> tuple[KernelSymbolNd, ...]:
        return self.sources

    def __repr__(self) -> str:
        return _values_repr(self.values)


def _depth(values: object) -> int:
    return 1 + _depth(values[0]) if isinstance(values, (list, tuple)) and values else 0


def _shape(values: tuple) -> tuple[int, ...]:
    shape = []
    while isinstance(values, tuple):
        shape.append(len(values))
        values = values[0]
    return tuple(shape)


def _walk(values: object, prefix: tuple[int, ...] = ()):
    if not isinstance(values, tuple):
        yield prefix, values
        return
    for j, v in enumerate(values):
        yield from _walk(v, prefix + (j,))


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
            raise KernelError(f"convolve({self.a!r}, {self.b!r}): a {self.a.ndim}-D and a {self.b.ndim}-D kernel")
        if self.b.in_channels != self.a.out_channels:
            raise KernelError(f"convolve({self.a!r}, {self.b!r}): {self.b!r} takes {self.b.in_channels} channel(s) "
                              f"but {self.a!r} gives {self.a.out_channels}")

    @property
    def shape(self) -> tuple[int, ...]:
        a, b = self.a.shape, self.b.shape
        return (b[0], a[1]) + tuple(x + y - 1 for x, y in zip(a[2:], b[2:]))

    def grid(self) -> Grid:
        """``E[o, i, u + v] = sum_m a[m, i, u] b[o, m, v]``, computed in the exact ring, written in SymPy once."""
        terms: dict = {}
        gb = [(o, m2, v, from_sympy(vb)) for (o, m2, *v), vb in self.b.grid().items()]
        for (m, i, *u), va in self.a.grid().items():
            pa = from_sympy(va)
            for o, m2, v, pb in gb:
                if m2 == m:
                    add_product(terms.setdefault((o, i) + tuple(x + y for x, y in zip(u, v)), {}), pa, pb)
        return {key: to_sympy(p) for key, p in terms.items() if p}

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
            raise KernelError(f"dilate({self.kernel!r}, {factors!r}): expected one factor or {self.kernel.ndim} "
                              f"(one per axis)")
        object.__setattr__(self, "factors", tuple(factors))
        for f in self.factors:
            _size(f, "dilation factor", MAX_KERNEL_LENGTH)

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
            raise KernelError(f"flip({self.kernel!r}, axes={self.axes!r}): expected distinct axes among "
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
            raise KernelError(f"{self.a!r} + {self.b!r}: shapes {self.a.shape} and {self.b.shape} differ")

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
                raise KernelError(f"padk({self.kernel!r}, ...): {value!r} is not one number of zeros per axis")
            object.__setattr__(self, field, tuple(value))
        for p in self.before + self.after:
            if not is_int(p) or p < 0 or p > MAX_KERNEL_LENGTH:
                raise KernelError(f"padk({self.kernel!r}, ...): {p!r} is not a number of zeros (0 or more)")

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


def kernel_nd(name: str, *dims: int, ndim: int = 0) -> KernelSymbolNd:
    """``kernel_nd("k", 3, 3)``, ``kernel_nd("W", 8, 4, 3, 3)``; ``ndim`` settles 3 sizes (``k[3, 3, 3]``)."""
    return KernelSymbolNd(name, tuple(dims), ndim)


def literal_nd(values: Sequence, ndim: int = 0) -> LiteralNd:
    """From rows ``[[...], ...]`` of one channel (depth d) or ``[out][in][...]`` (depth d + 2).

    Without ``ndim`` a depth of 2 is one 2-D channel, 4 a 2-D weight and 5 a 3-D weight.
    """
    depth = _depth(values)
    axes = ndim or default_ndim(depth)
    if axes is None or depth not in (axes, axes + 2):
        raise KernelError(f"literal kernel {values!r}: expected rows [[1, 2], [3, 4]] (one channel) or "
                          f"[out][in][...] with one level per spatial axis")
    if depth == axes:
        values = [[values]]
    grid, shape = grid_of(values, axes + 2)
    return LiteralNd(nested(grid, shape))


def _axes_of(value: object, ndim: int, what: str) -> Axes:
    try:
        return per_axis(value, ndim, what, "factor")
    except InvalidArgument:
        raise KernelError(f"{what}: {value!r} is not one number or {ndim} (one per axis)") from None


def as_kernel_nd(k: object, ndim: int, what: str = "an N-D layer") -> KernelNd:
    """``k`` read as a ``ndim``-D kernel: N-D kernels as they are; a name with 3 sizes (``k[3, 3, 3]``), a nested
    list or a 1-D kernel expression over such names is re-read with ``ndim`` spatial axes."""
    k1 = importlib.import_module("symconv.core.kernel")
    kx = importlib.import_module("symconv.core.kernel_expr")

    if isinstance(k, KernelNd):
        if k.ndim != ndim:
            raise KernelError(f"{what}: {k!r} is a {k.ndim}-D kernel; expected a {ndim}-D kernel")
        return k
    if isinstance(k, (list, tuple)):
        return literal_nd(k, ndim)
    if isinstance(k, k1.KernelSymbol):
        if any(not is_int(d) for d in k.dims):
            raise KernelError(f"{what}: {k!r} has a generic size; N-D kernels have concrete sizes so far")
        if len(k.dims) not in (ndim, ndim + 2):
            raise KernelError(f"{what}: {k!r} has {len(k.dims)} sizes; a {ndim}-D kernel has {ndim} "
                              f"(one channel) or {ndim + 2} (out, in, sizes)")
        return KernelSymbolNd(k.name, tuple(k.dims), ndim)
    if isinstance(k, k1.Literal):
        if _depth(k.values) != ndim:  # [out][in][taps] read as one channel of a 3-D kernel
            raise KernelError(f"{what}: {k!r} is a 1-D kernel; expected a {ndim}-D kernel")
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
    raise KernelError(f"{what}: {k!r} is not a {ndim}-D kernel; expected e.g. k[{', '.join(['3'] * ndim)}]")


def dilate_nd(k: KernelNd, factors: object) -> DilateNd:
    """``dilate(k, f)`` (every axis) or ``dilate(k, (f1, ..., fd))``."""
    return DilateNd(k, _axes_of(factors, k.ndim, f"dilate({k!r}, ...)"))


def padk_nd(k: KernelNd, before: object, after: object = None) -> PadKernelNd:
    """``padk(k, p)`` (p zeros on every side), ``padk(k, (p1, ..., pd))`` or ``padk(k, before, after)``."""
    first = _axes_of(before, k.ndim, f"padk({k!r}, ...)")
    return PadKernelNd(k, first, first if after is None else _axes_of(after, k.ndim, f"padk({k!r}, ...)"))
