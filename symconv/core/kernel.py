"""Kernels: named symbolic kernels, literal kernels and derived closed forms, for any number d of spatial axes.

A kernel is a weight of shape ``(out, in, k1, ..., kd)`` in PyTorch's layout.
A single-channel ``k[3]`` has shape ``(1, 1, 3)`` and taps ``k_0, k_1,
k_2``; ``k[3, 3]`` is one 2-D channel with taps ``k_a_b``; a weight
``W[8, 4, 3]`` has taps ``W_o_i_j`` (``W_o_i_a_b`` for ``W[8, 4, 3, 3]``).
A spatial size may be a generic positive integer symbol (``k[c]``,
``k[c, 3]``); channel counts are always concrete. Every kernel is an
immutable value whose ``repr`` is DSL syntax.

The number of spatial axes is read from the sizes: one size or three
(``k[3]``, ``W[8, 4, 3]``) are 1-D, two or four 2-D, five 3-D; a layer that
knows its axes says so (``kernel("k", 3, 3, 3, ndim=3)``, or ``conv3d``
re-reading its kernel with :func:`~symconv.core.kernel_axes.as_kernel_nd`).

A kernel's taps are computed in the exact ring (:meth:`Kernel.exact_grid`,
:mod:`symconv.core.exact_poly`); :meth:`Kernel.grid` and :meth:`Kernel.taps`
write them in SymPy. A generic size gets its value from ``sizes``.

The kernel expressions (``convolve``, ``dilate``, ...) are defined in
:mod:`symconv.core.kernel_expr`, which builds on this module, and are
importable from here; so are the limits, the argument checks and the tap and
size names of :mod:`symconv.core.arguments`, on which it builds.

>>> k = kernel("k", 3)
>>> k.shape, k.taps()
((1, 1, 3), (((k_0, k_1, k_2),),))
>>> kernel("k", 2, 2).taps()[0][0]
((k_0_0, k_0_1), (k_1_0, k_1_1))
>>> from symconv.core.kernel import convolve, dilate
>>> convolve(k, dilate(k, 2)).length
7
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property
from typing import Mapping, Optional, Sequence, Union

from symconv.lazy_import import attributes_from, sympy

from symconv.core.arguments import (
    MAX_CHANNELS,
    MAX_KERNEL_LENGTH,
    check_kernel_length,
    concrete_length,
    size_symbol,
    spatial_size,
    tap_name,
    tap_symbol,
)
from symconv.core.arguments import (  # noqa: F401 (re-exported: the sizes a kernel is read with)
    check_derived_length, check_nonnegative_int, check_positive_int, default_ndim, is_generic, size_within)
from symconv.core.axes import is_int
from symconv.core.kernel_grid import Grid, grid_of, listing, nested, nesting_depth, value_shape, walk
from symconv.core.numbers import exact_real, exact_expression, exact_number  # noqa: F401 (re-exported)
from symconv.core.numbers import tap_values
from symconv.errors import InvalidArgument, KernelError, SizeLimitError, quote

__all__ = ["MAX_KERNEL_LENGTH", "MAX_CHANNELS", "Kernel", "KernelSymbol", "Literal", "Dilate", "Convolve",
           "FlipKernel", "PadKernel", "KernelSum", "Scaled", "DerivedKernel", "Grid", "Size", "Taps", "kernel",
           "literal", "dilate", "convolve", "flipk", "padk", "tap_name", "tap_symbol", "size_symbol", "as_kernel",
           "exact_number", "exact_expression", "is_generic", "default_ndim", "nesting_depth", "nested",
           "size_within"]

#: Taps of a kernel: nested tuples ``taps[o][i][a1]...[ad]`` (``taps[o][i][j]`` in 1-D).
Taps = tuple

#: A spatial size: an int, or a SymPy expression in generic sizes (``c``, ``2*c - 1``).
Size = Union[int, "sympy.Expr"]


def _sizes_key(sizes: Optional[Mapping[str, int]]) -> tuple:
    return tuple(sorted(sizes.items())) if sizes else ()


class Kernel:
    """Base class of kernels; subclasses are frozen dataclasses.

    A subclass gives :attr:`shape` and :meth:`exact_grid`; the rest follows.
    """

    @property
    def shape(self) -> tuple:
        """``(out, in, k1, ..., kd)``; a spatial size may be a SymPy expression in generic sizes."""
        raise NotImplementedError

    @property
    def ndim(self) -> int:
        """The number d of spatial axes."""
        return len(self.shape) - 2

    @property
    def spatial(self) -> tuple:
        """``(k1, ..., kd)``."""
        return self.shape[2:]

    @property
    def out_channels(self) -> int:
        return self.shape[0]

    @property
    def in_channels(self) -> int:
        return self.shape[1]

    @property
    def length(self) -> Size:
        """The length ``c`` of a 1-D kernel; a kernel of ``d >= 2`` axes has :attr:`spatial` instead."""
        spatial = self.spatial
        if len(spatial) != 1:
            raise AttributeError(f"{self!r} has {len(spatial)} spatial axes: `length` is the one size of a 1-D "
                                 f"kernel (read `spatial[a]` per axis)")
        return spatial[0]

    @property
    def is_single_channel(self) -> bool:
        return self.shape[0] == 1 and self.shape[1] == 1

    def concrete_spatial(self, sizes: Optional[Mapping[str, int]] = None) -> tuple[int, ...]:
        """The spatial sizes with every generic size given its value from ``sizes``; KernelError if one has none."""
        spatial = self.spatial
        if all(type(n) is int for n in spatial):  # no generic size: nothing to say (the message quotes the kernel)
            return spatial
        what = self._what()
        return tuple(concrete_length(n, sizes or {}, what) for n in spatial)

    def _what(self) -> str:
        return f"kernel {quote(self)}"

    def exact_grid(self, sizes: Optional[Mapping[str, int]] = None) -> dict:
        """Nonzero taps by ``(o, i, a1, ..., ad)`` as exact polynomials (:mod:`symconv.core.exact_poly`), generic
        sizes given by ``sizes``. Shared: do not change the dict."""
        raise NotImplementedError

    def grid(self, sizes: Optional[Mapping[str, int]] = None) -> Grid:
        """:meth:`exact_grid` written in SymPy."""
        from symconv.core.exact_poly import to_sympy

        return {index: to_sympy(p) for index, p in self.exact_grid(sizes).items()}

    def taps(self, sizes: Optional[Mapping[str, int]] = None) -> Taps:
        """Exact taps as nested tuples ``taps[o][i][a1]...[ad]`` (zeros included)."""
        return nested(self.grid(sizes), self.shape[:2] + self.concrete_spatial(sizes))

    def kernel_names(self) -> frozenset[str]:
        """Names of the symbolic kernels this expression uses."""
        return frozenset(s.name for s in self.symbols())

    def length_symbols(self) -> frozenset:
        """Generic size symbols (``c`` in ``k[c]``) this expression depends on."""
        return frozenset().union(*(c.length_symbols() for c in self._children()))

    def symbols(self) -> tuple["KernelSymbol", ...]:
        """The named kernels used, each once, in order of first use."""
        seen: dict[str, KernelSymbol] = {}
        for child in self._children():
            for s in child.symbols():
                seen.setdefault(s.name, s)
        return tuple(seen.values())

    def _children(self) -> tuple["Kernel", ...]:
        return ()

    # The operators build kernel expressions, defined in a module that builds on this one.
    def __add__(self, other: object) -> "Kernel":
        from symconv.core.kernel_axes import as_kernel_nd
        from symconv.core.kernel_expr import KernelSum

        if not isinstance(other, Kernel):
            return NotImplemented
        a, b = self, other
        if a.ndim != b.ndim:  # a name with 3 sizes (a 1-D weight) is read with the other's axes
            what = f"{quote(a)} + {quote(b)}"
            a, b = (a, as_kernel_nd(b, a.ndim, what)) if b.ndim == 1 else (as_kernel_nd(a, b.ndim, what), b)
        return KernelSum(a, b)

    def __mul__(self, scalar: object) -> "Kernel":
        from symconv.core.kernel_expr import Scaled

        if isinstance(scalar, Kernel):
            return NotImplemented
        return Scaled(scalar, self)

    __rmul__ = __mul__

    def __neg__(self) -> "Kernel":
        from symconv.core.kernel_expr import Scaled

        return Scaled(sympy.Integer(-1), self)


@dataclass(frozen=True, repr=False)
class KernelSymbol(Kernel):
    """A named kernel: ``k[3]``, ``k[c]``, ``k[3, 3]`` (one channel) or a weight ``W[out, in, k1, ..., kd]``.

    ``axes`` is the number d of spatial axes; 0 reads it from the number of sizes (:func:`default_ndim`).
    """

    name: str
    dims: tuple
    axes: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise KernelError(f"kernel name {quote(self.name)} is not an identifier; expected e.g. 'k'")
        dims = tuple(self.dims)
        axes = self.axes or default_ndim(len(dims))
        if axes is None or axes < 1 or len(dims) not in (axes, axes + 2):
            raise KernelError(
                f"kernel {self.name}{list(dims)} has {len(dims)} sizes; expected one per spatial axis (k[3], "
                f"k[3, 3]) or out, in and one per axis (W[8, 4, 3, 3])"
                + ("" if self.axes else "; a name with more sizes needs its layer (conv3d) or ndim="))
        channels = len(dims) - axes
        for d in dims[:channels]:
            if isinstance(d, str) or not is_int(d) and isinstance(d, sympy.Symbol):
                raise KernelError(f"kernel {self.name}: channel count {quote(str(d))} is a name; channel counts "
                                  f"are positive integers (a generic size is a spatial size, e.g. "
                                  f"W[8, 4, {', '.join(['c'] + ['3'] * (axes - 1))}])")
            if not is_int(d) or d < 1:
                raise KernelError(f"kernel {self.name}{list(dims)}: channel count {quote(d)} must be a positive "
                                  f"integer")
            if d > MAX_CHANNELS:
                raise SizeLimitError(f"kernel {self.name}{list(dims)}: {d} channels; symconv refuses more than "
                                     f"{MAX_CHANNELS}")
        spatial = tuple(spatial_size(self.name, d) for d in dims[channels:])
        object.__setattr__(self, "dims", tuple(dims[:channels]) + spatial)
        object.__setattr__(self, "axes", axes)

    @property
    def shape(self) -> tuple:
        return self.dims if len(self.dims) == self.axes + 2 else (1, 1) + self.dims

    def _names(self, sizes: Optional[Mapping[str, int]]) -> tuple[dict, tuple[int, ...]]:
        """``({index: tap name}, shape)``: ``k_a1_..._ad`` for one channel, ``W_o_i_a1_..._ad`` for a weight."""
        shape = self.shape[:2] + self.concrete_spatial(sizes)
        single = len(self.dims) == self.axes
        return {index: tap_name(self.name, *(index[2:] if single else index))
                for index in itertools.product(*(range(n) for n in shape))}, shape

    def tap_names(self, sizes: Optional[Mapping[str, int]] = None) -> tuple:
        """The names of :meth:`taps`, nested like them."""
        return nested(*self._names(sizes))

    def grid(self, sizes: Optional[Mapping[str, int]] = None) -> Grid:
        return {index: sympy.Symbol(name) for index, name in self._names(sizes)[0].items()}

    def exact_grid(self, sizes: Optional[Mapping[str, int]] = None) -> dict:
        key = _sizes_key(sizes)
        cache = self._exact_cache
        if key not in cache:
            from symconv.core.exact_poly import from_sympy

            cache[key] = {index: from_sympy(v) for index, v in self.grid(sizes).items()}
        return cache[key]

    @cached_property
    def _exact_cache(self) -> dict:
        return {}

    def _what(self) -> str:
        return f"kernel {self.name}"

    def kernel_names(self) -> frozenset[str]:
        return frozenset({self.name})

    def length_symbols(self) -> frozenset:
        return frozenset().union(*(d.free_symbols for d in self.spatial if is_generic(d)))

    def symbols(self) -> tuple["KernelSymbol", ...]:
        return (self,)

    def __repr__(self) -> str:
        return f"{self.name}[{', '.join(str(d) for d in self.dims)}]"


class _Values(Kernel):
    """A kernel given by its values ``values[o][i][a1]...[ad]`` (literal numbers or closed-form expressions)."""

    values: Taps

    @property
    def shape(self) -> tuple:
        lazy = getattr(self.values, "nested_shape", None)  # a lazy stand-in knows its shape unbuilt
        return tuple(lazy) if lazy is not None else value_shape(self.values)

    def nested_values(self) -> tuple:
        """``values`` as nested tuples of SymPy expressions (a lazy stand-in built)."""
        return getattr(self.values, "built", self.values)

    def grid(self, sizes: Optional[Mapping[str, int]] = None) -> Grid:
        return {index: v for index, v in walk(self.nested_values()) if v != 0}

    @cached_property
    def _exact(self) -> dict:
        from symconv.core.exact_poly import from_sympy

        return {index: from_sympy(v) for index, v in self.grid().items()}

    def exact_grid(self, sizes: Optional[Mapping[str, int]] = None) -> dict:
        return self._exact

    def taps(self, sizes: Optional[Mapping[str, int]] = None) -> Taps:
        return self.values


@dataclass(frozen=True, repr=False)
class Literal(_Values):
    """A kernel of exact numbers ``values[o][i][a1]...[ad]`` (see :func:`literal` for the lists it reads).

    Entries are exact real numbers: Python numbers go through :func:`exact_number` (rationals); exact SymPy
    reals such as ``sqrt(2)`` (from factorizations with irrational roots) are kept. Symbols, floats with no
    exact value, NaN and infinities are refused: a kernel with symbolic taps is a :class:`KernelSymbol` or a
    :class:`DerivedKernel`.
    """

    values: Taps

    def __post_init__(self) -> None:
        probe = self.values
        while isinstance(probe, (list, tuple)):
            if not probe:
                raise KernelError("literal kernel [] is empty; expected at least one tap, e.g. [1, 2, 1]")
            probe = probe[0]
        depth = nesting_depth(self.values)
        if depth < 3:
            raise KernelError(f"literal kernel {quote(self.values)}: expected [out][in] and at least one spatial "
                              f"axis; a one-channel kernel is written literal([1, 2, 1])")
        grid, shape = grid_of(self.values, depth)
        if max(shape[2:]) > MAX_KERNEL_LENGTH:  # the message quotes the values: built only when it is said
            check_kernel_length(max(shape[2:]), f"literal kernel {quote(self.values)}")
        exact = {index: exact_real(v) for index, v in grid.items()}
        object.__setattr__(self, "values", nested(exact, shape))

    def __repr__(self) -> str:
        return listing(self.values[0][0]) if self.is_single_channel else listing(self.values)


@dataclass(frozen=True, repr=False)
class DerivedKernel(_Values):
    """A kernel given by explicit tap expressions in other kernels' taps (a derived closed form).

    ``sources`` are the named kernels whose taps the expressions use. Its ``repr`` lists the expressions; it is
    an output of ``derive``, not DSL input. ``values`` is the nested tuple ``[o][i][a1]...[ad]``, or a lazy
    stand-in for it (the engine's :class:`~symconv.algebra.lazy_taps.LazyTaps`: a sequence with
    ``nested_shape`` and ``dsl_text()`` that builds the SymPy taps when they are read), so a large derived
    kernel is printed without SymPy.
    """

    values: Taps
    sources: tuple = ()

    def __post_init__(self) -> None:
        if len(self.shape) < 3 or 0 in self.shape:
            raise KernelError("a derived kernel needs at least one tap")

    def symbols(self) -> tuple[KernelSymbol, ...]:
        return tuple(self.sources)

    def __repr__(self) -> str:
        lazy_text = getattr(self.values, "dsl_text", None)
        if lazy_text is not None:
            text = lazy_text()
            return text[2:-2] if self.is_single_channel and text.startswith("[[[") else text
        return listing(self.values[0][0]) if self.is_single_channel else listing(self.values)


def kernel(name: str, *dims: Union[int, str], ndim: int = 0) -> KernelSymbol:
    """A named symbolic kernel: ``kernel("k", 3)``, ``kernel("k", "c")``, ``kernel("W", 8, 4, 3)``,
    ``kernel("k", 3, 3)``; ``ndim`` settles a name whose sizes could be read either way (``k[3, 3, 3]``).

    >>> kernel("k", 3).taps()
    (((k_0, k_1, k_2),),)
    >>> kernel("k", 3, 3, 3, ndim=3).ndim
    3
    """
    return KernelSymbol(name, tuple(dims), ndim)


def literal(values: Sequence, ndim: int = 0) -> Literal:
    """A literal kernel from nested lists: one channel (one level per spatial axis) or ``[out][in][...]``.

    Without ``ndim``, a flat list is one 1-D channel, 2 levels one 2-D channel, 3 a 1-D weight ``[out][in][c]``,
    4 a 2-D weight and 5 a 3-D weight.

    >>> literal([1, 0.5, "1/3"])
    [1, 1/2, 1/3]
    >>> literal([[1, 2], [3, 4]]).shape
    (1, 1, 2, 2)
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise KernelError(f"literal kernel {quote(values)} is not a list; expected e.g. [1, 2, 1]")
    if len(values) == 0:
        raise KernelError("literal kernel [] is empty; expected at least one tap, e.g. [1, 2, 1]")
    depth = nesting_depth(values)
    axes = ndim or default_ndim(depth)
    if axes is None or depth not in (axes, axes + 2):
        raise KernelError(f"literal kernel {quote(values)}: expected a flat list [1, 2, 1], rows [[1, 2], [3, 4]] "
                          f"(one channel) or [out][in][...] with one level per spatial axis")
    try:
        exact = tap_values(values)
    except TypeError:
        raise KernelError(f"literal kernel {quote(values)} mixes numbers and lists; expected equal nesting") from None
    return Literal([[exact]] if depth == axes else exact)


def as_kernel(value: object) -> Kernel:
    """A 1-D layer's kernel: a kernel with one spatial axis, or a list of numbers (a literal kernel)."""
    if isinstance(value, (list, tuple)):
        value = literal(value)
    if isinstance(value, Kernel):
        if value.ndim == 1:
            return value
        raise InvalidArgument("a 1-D layer", "weight", value,
                              f"a 1-D kernel such as k[3]: this is a {value.ndim}-D kernel, "
                              f"use conv{value.ndim}d for it")
    raise KernelError(f"{quote(value)} is not a kernel; expected e.g. kernel('k', 3) or [1, 2, 1]")


#: The kernel expressions, defined in :mod:`symconv.core.kernel_expr` (which builds on this module),
#: re-exported from here on first use (PEP 562), so that the core's modules import one way.
__getattr__ = attributes_from(__name__, {
    **dict.fromkeys(("Convolve", "Dilate", "FlipKernel", "KernelSum", "PadKernel", "Scaled", "full_convolution",
                     "axes_text", "exact_taps"), "symconv.core.kernel_expr"),
    **dict.fromkeys(("convolve", "dilate", "flipk", "padk", "as_kernel_nd"), "symconv.core.kernel_axes")})
