"""N-D kernels for any number ``d >= 2`` of spatial axes: ``k[3, 3]``, ``k[3, 3, 3]``, ``W[out, in, k1, ..., kd]``.

A kernel with one spatial axis (``ndim=1``) is the lift of a 1-D kernel (:mod:`symconv.core.lift_nd`); the DSL
reads ``k[3]`` and ``W[8, 4, 3]`` as 1-D kernels.

A kernel has shape ``(out, in, k1, ..., kd)`` (PyTorch's layout). Its taps
are a grid: a dict from index tuples ``(o, i, a1, ..., ad)`` to exact SymPy
values (zeros left out); :meth:`KernelNd.taps` gives the same as nested
tuples ``taps[o][i][a1]...[ad]``. Tap symbols are ``k_a1_..._ad`` for a
single-channel ``k[k1, ..., kd]`` and ``W_o_i_a1_..._ad`` for a weight.
This module owns the kernels themselves (named, literal, derived) and their
grids; the expressions over them (``convolve``, ``dilate``, ``flip``,
``padk``, sums and multiples) are :mod:`symconv.core.kernel_expr_nd`, whose
names are importable from here too.

>>> k = kernel_nd("k", 2, 2)
>>> k.taps()[0][0]
((k_0_0, k_0_1), (k_1_0, k_1_1))
>>> kernel_nd("k", 3, 3, 3, ndim=3).ndim
3

A spatial size may be a generic positive integer ``c`` (``k[c, 3]``,
``W[8, 4, c, c]``), as the 1-D ``k[c]``: such a kernel has a shape in ``c``
and its :meth:`KernelNd.length_symbols`, but no taps until ``c`` has a value
(:func:`symconv.core.sizes_nd.with_sizes`). Channel counts are integers.

>>> kernel_nd("k", "c", 3).spatial, sorted(map(str, kernel_nd("k", "c", 3).length_symbols()))
((c, 3), ['c'])
"""

from __future__ import annotations

import importlib
import itertools
from dataclasses import dataclass
from typing import Optional, Sequence, Union

from symconv.lazy_import import sympy

from symconv.core.axes import is_int
from symconv.core.kernel import MAX_CHANNELS, MAX_KERNEL_LENGTH, Kernel, exact_number, size_symbol
from symconv.core.numbers import exact_real
from symconv.errors import KernelError, quote

__all__ = ["KernelNd", "KernelSymbolNd", "LiteralNd", "DerivedKernelNd", "Grid", "kernel_nd", "literal_nd", "nested",
           "grid_of", "default_ndim", "size_within", "spatial_size", "nesting_depth", "is_generic", "Size"]

#: Nonzero taps by index ``(o, i, a1, ..., ad)``.
Grid = dict[tuple[int, ...], "sympy.Expr"]


def size_within(value: object, what: str, limit: int) -> int:
    """``value`` when it is an integer in ``1..limit`` (a size, a channel count, a factor); else KernelError."""
    if not is_int(value) or value < 1:
        raise KernelError(f"{what} {quote(value)} is not a positive integer")
    if value > limit:
        raise KernelError(f"{what} {value} exceeds the limit {limit}")
    return value


#: A spatial size: an int, or a SymPy expression in generic sizes (``c``, ``2*c - 1``).
Size = Union[int, "sympy.Expr"]


def is_generic(size: object) -> bool:
    """Whether a size depends on a generic length (a SymPy expression that is not an integer)."""
    return isinstance(size, sympy.Expr) and not size.is_Integer


def spatial_size(value: object, what: str) -> Size:
    """A spatial size: an int in ``1..MAX_KERNEL_LENGTH``, or a name (``'c'``, a SymPy symbol) read as the
    generic positive integer ``c``; else KernelError."""
    if isinstance(value, str) and value.isidentifier():
        return size_symbol(value)
    if isinstance(value, sympy.Symbol):
        return size_symbol(value.name)
    return size_within(value, what, MAX_KERNEL_LENGTH)


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
            raise KernelError(f"kernel {quote(values)} is empty or too shallow; expected {depth} nested levels of "
                              f"numbers, e.g. [[1, 2], [3, 4]]")
        shape.append(len(probe))
        probe = probe[0]
    grid: Grid = {}
    for index in itertools.product(*(range(n) for n in shape)):
        v = values
        for level, j in enumerate(index):
            if not isinstance(v, (list, tuple)) or len(v) != shape[level]:
                raise KernelError(f"kernel {quote(values)} is ragged; expected equal sizes on each axis")
            v = v[j]
        if isinstance(v, (list, tuple)):
            raise KernelError(f"kernel {quote(values)} is ragged; expected equal sizes on each axis")
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

    def exact_grid(self) -> dict:
        """:meth:`grid` as exact polynomials (:mod:`symconv.core.exact_poly`), the form the core computes in; a
        kernel expression that computes its taps in that ring gives them without a round trip through SymPy."""
        from symconv.core.exact_poly import from_sympy

        return {index: from_sympy(v) for index, v in self.grid().items()}

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

    def length_symbols(self) -> frozenset[sympy.Symbol]:
        """The generic sizes (``c`` in ``k[c, 3]``) this kernel's shape depends on."""
        return frozenset().union(*(child.length_symbols() for child in self._children()))

    def kernel_names(self) -> frozenset[str]:
        return frozenset(s.name for s in self.symbols())

    # The expressions subclass KernelNd, so they are looked up when an operator runs, not on import.
    def __add__(self, other: object) -> "KernelNd":
        from symconv.core.kernel_expr_nd import SumNd, as_kernel_nd

        if isinstance(other, Kernel):  # a name with 3 sizes is read with this kernel's axes
            other = as_kernel_nd(other, self.ndim, f"{quote(self)} + {quote(other)}")
        return SumNd(self, other) if isinstance(other, KernelNd) else NotImplemented

    def __radd__(self, other: object) -> "KernelNd":
        from symconv.core.kernel_expr_nd import SumNd, as_kernel_nd

        if isinstance(other, Kernel):
            return SumNd(as_kernel_nd(other, self.ndim, f"{quote(other)} + {quote(self)}"), self)
        return NotImplemented

    def __neg__(self) -> "KernelNd":
        from symconv.core.kernel_expr_nd import ScaledNd

        return ScaledNd(sympy.Integer(-1), self)

    def __mul__(self, scalar: object) -> "KernelNd":
        from symconv.core.kernel_expr_nd import ScaledNd

        return NotImplemented if isinstance(scalar, (Kernel, KernelNd)) else ScaledNd(exact_number(scalar), self)

    __rmul__ = __mul__


def _listing(values: object) -> str:
    if isinstance(values, tuple):
        return "[" + ", ".join(_listing(v) for v in values) + "]"
    if isinstance(values, sympy.Rational):  # as SymPy prints it, without its printer (weights have thousands)
        return str(values.p) if values.q == 1 else f"{values.p}/{values.q}"
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
            raise KernelError(f"kernel name {quote(self.name)} is not an identifier")
        object.__setattr__(self, "dims", tuple(self.dims))
        axes = self.axes or default_ndim(len(self.dims))  # d = 1 only when given (ndim=1): k[3] is read by 1-D
        if axes is None or axes < 1 or len(self.dims) not in (axes, axes + 2):
            raise KernelError(f"kernel {self.name}{list(self.dims)} has {len(self.dims)} sizes; an N-D kernel has "
                              f"d sizes (k[3, 3]) or d + 2 (W[out, in, 3, 3]), d >= 2"
                              + ("" if self.axes else "; with 3 sizes say which: the layer (conv3d) or ndim=3"))
        object.__setattr__(self, "axes", axes)
        channels = len(self.dims) - axes
        for d in self.dims[:channels]:
            if isinstance(d, (str, sympy.Symbol)):
                raise KernelError(f"kernel {self.name}: channel count {quote(str(d))} is a name; channel counts "
                                  f"are positive integers (a generic size is a spatial size, e.g. "
                                  f"W[8, 4, c, 3])")
            size_within(d, f"kernel {self.name}: channel count", MAX_CHANNELS)
        spatial = tuple(spatial_size(d, f"kernel {self.name}: size") for d in self.dims[channels:])
        object.__setattr__(self, "dims", self.dims[:channels] + spatial)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.dims if len(self.dims) == self.axes + 2 else (1, 1) + self.dims

    def grid(self) -> Grid:
        if self.length_symbols():
            names = sorted(str(c) for c in self.length_symbols())
            raise KernelError(f"kernel {quote(self)} has the generic size {', '.join(names)}; give it a value, "
                              f"e.g. sizes={{'{names[0]}': 3}}")
        single = len(self.dims) == self.axes
        return {index: sympy.Symbol(self.name + "".join(f"_{j}" for j in (index[2:] if single else index)))
                for index in itertools.product(*(range(n) for n in self.shape))}

    def symbols(self) -> tuple["KernelSymbolNd", ...]:
        return (self,)

    def length_symbols(self) -> frozenset[sympy.Symbol]:
        return frozenset().union(*(d.free_symbols for d in self.dims if is_generic(d)))

    def __repr__(self) -> str:
        return f"{self.name}[{', '.join(map(str, self.dims))}]"


@dataclass(frozen=True, repr=False)
class LiteralNd(KernelNd):
    """Exact numbers ``values[o][i][a1]...[ad]`` (nested tuples)."""

    values: tuple

    def __post_init__(self) -> None:
        grid, shape = grid_of(self.values, nesting_depth(self.values))
        if len(shape) < 3:
            raise KernelError(f"literal kernel {quote(self.values)}: expected [out][in] and at least one spatial axis")
        exact = {index: exact_real(v) for index, v in grid.items()}
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


def nesting_depth(values: object) -> int:
    """How many list levels ``values`` has (0 for a number), read along the first entries."""
    return 1 + nesting_depth(values[0]) if isinstance(values, (list, tuple)) and values else 0


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


def kernel_nd(name: str, *dims: int, ndim: int = 0) -> KernelSymbolNd:
    """``kernel_nd("k", 3, 3)``, ``kernel_nd("W", 8, 4, 3, 3)``; ``ndim`` settles 3 sizes (``k[3, 3, 3]``)."""
    return KernelSymbolNd(name, tuple(dims), ndim)


def literal_nd(values: Sequence, ndim: int = 0) -> LiteralNd:
    """From rows ``[[...], ...]`` of one channel (depth d) or ``[out][in][...]`` (depth d + 2).

    Without ``ndim`` a depth of 2 is one 2-D channel, 4 a 2-D weight and 5 a 3-D weight.
    """
    depth = nesting_depth(values)
    axes = ndim or default_ndim(depth)
    if axes is None or depth not in (axes, axes + 2):
        raise KernelError(f"literal kernel {quote(values)}: expected rows [[1, 2], [3, 4]] (one channel) or "
                          f"[out][in][...] with one level per spatial axis")
    if depth == axes:
        values = [[values]]
    grid, shape = grid_of(values, axes + 2)
    return LiteralNd(nested(grid, shape))


#: The names of :mod:`symconv.core.kernel_expr_nd`, importable from here too (see :func:`__getattr__`).
_EXPRESSIONS = frozenset({"ConvolveNd", "DilateNd", "FlipNd", "ScaledNd", "SumNd", "PadKernelNd", "dilate_nd",
                          "padk_nd", "as_kernel_nd", "axes_text"})


def __getattr__(name: str) -> object:
    """PEP 562: an expression's name, looked up in :mod:`symconv.core.kernel_expr_nd` when first asked for.

    That module builds on this one, so importing it here at load time would be an import circle."""
    if name in _EXPRESSIONS:
        return getattr(importlib.import_module("symconv.core.kernel_expr_nd"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
