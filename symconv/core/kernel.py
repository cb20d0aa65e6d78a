"""Kernels: named symbolic kernels, literal kernels and kernel expressions.

A kernel is a weight of shape ``(out, in, c)`` in PyTorch's layout. A
single-channel kernel ``k[3]`` has shape ``(1, 1, 3)`` and taps
``k_0, k_1, k_2``; a weight ``W[8, 4, 3]`` has taps ``W_o_i_j``. The length
``c`` may be a generic positive integer symbol (``k[c]``); channel counts are
always concrete. Every kernel is an immutable value whose ``repr`` is DSL
syntax.

The kernel expressions (``convolve``, ``dilate``, ...) are defined in
:mod:`symconv.core.kernel_expr`, which builds on this module, and are
re-exported here; so are the limits, the argument checks and the tap and
size names of :mod:`symconv.core.arguments`, on which it builds.

>>> k = kernel("k", 3)
>>> k.shape, k.taps()
((1, 1, 3), (((k_0, k_1, k_2),),))
>>> from symconv.core.kernel import convolve, dilate
>>> convolve(k, dilate(k, 2)).length
7
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping, Sequence

from symconv.lazy_import import attributes_from, sympy

from symconv.core.arguments import (
    MAX_CHANNELS,
    MAX_KERNEL_LENGTH,
    Size,
    check_kernel_length,
    concrete_length,
    size_symbol,
    tap_name,
    tap_symbol,
)
from symconv.core.arguments import check_nonnegative_int, check_positive_int  # noqa: F401 (re-exported)
from symconv.core.numbers import exact_real, exact_expression, exact_number  # noqa: F401 (re-exported)
from symconv.errors import InvalidArgument, KernelError, SizeLimitError, quote

__all__ = [
    "MAX_KERNEL_LENGTH",
    "MAX_CHANNELS",
    "Kernel",
    "KernelSymbol",
    "Literal",
    "Dilate",
    "Convolve",
    "FlipKernel",
    "PadKernel",
    "KernelSum",
    "Scaled",
    "DerivedKernel",
    "Taps",
    "kernel",
    "literal",
    "dilate",
    "convolve",
    "flipk",
    "padk",
    "tap_name",
    "tap_symbol",
    "size_symbol",
    "as_kernel",
    "exact_number",
    "exact_expression",
]

#: Taps of a kernel: ``taps[o][i][j]`` for output channel o, input channel i, tap j.
Taps = tuple[tuple[tuple["sympy.Expr", ...], ...], ...]


def check_derived_length(k: "Kernel") -> None:
    """Refuse a kernel expression whose concrete length is beyond the limit (before any taps exist)."""
    length = k.length
    if isinstance(length, int) and length > MAX_KERNEL_LENGTH:
        raise SizeLimitError(
            f"{quote(k)} has length {length}; symconv refuses kernels longer than {MAX_KERNEL_LENGTH}"
        )


class Kernel:
    """Base class of kernels; subclasses are frozen dataclasses."""

    @property
    def shape(self) -> tuple[int, int, Size]:
        """``(out, in, c)``; ``c`` may be a SymPy expression in generic sizes."""
        raise NotImplementedError

    @property
    def out_channels(self) -> int:
        return self.shape[0]

    @property
    def in_channels(self) -> int:
        return self.shape[1]

    @property
    def length(self) -> Size:
        return self.shape[2]

    @property
    def is_single_channel(self) -> bool:
        return self.shape[0] == 1 and self.shape[1] == 1

    def taps(self, sizes: Mapping[str, int] | None = None) -> Taps:
        """Exact taps ``taps[o][i][j]`` with generic lengths replaced by ``sizes``."""
        raise NotImplementedError

    def kernel_names(self) -> frozenset[str]:
        """Names of the symbolic kernels this expression uses."""
        return frozenset().union(*(c.kernel_names() for c in self._children()))

    def length_symbols(self) -> frozenset[sympy.Symbol]:
        """Generic length symbols (``c`` in ``k[c]``) this expression depends on."""
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
        from symconv.core.kernel_expr import KernelSum

        if isinstance(other, Kernel):
            return KernelSum(self, other)
        return NotImplemented

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
    """A named kernel: ``k[3]``, a generic ``k[c]`` or a weight ``W[out, in, c]``."""

    name: str
    dims: tuple[Size, ...]

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise KernelError(f"kernel name {quote(self.name)} is not an identifier; expected e.g. 'k'")
        if len(self.dims) not in (1, 3):
            raise KernelError(
                f"kernel {self.name}{list(self.dims)} has {len(self.dims)} sizes; expected "
                f"k[c] (one channel) or W[out, in, c] (N-D kernels are not supported yet)"
            )
        for d in self.dims[:-1]:
            if not isinstance(d, int) or isinstance(d, bool) or d < 1:
                raise KernelError(
                    f"kernel {self.name}{list(self.dims)}: channel count {quote(d)} must be a positive integer"
                )
            if d > MAX_CHANNELS:
                raise SizeLimitError(
                    f"kernel {self.name}{list(self.dims)}: {d} channels; symconv refuses more than {MAX_CHANNELS}"
                )
        check_kernel_length(self.dims[-1], f"kernel {self.name}")

    @property
    def shape(self) -> tuple[int, int, Size]:
        if len(self.dims) == 1:
            return (1, 1, self.dims[0])
        return (self.dims[0], self.dims[1], self.dims[2])

    def taps(self, sizes: Mapping[str, int] | None = None) -> Taps:
        return tuple(tuple(tuple(sympy.Symbol(n) for n in row) for row in out) for out in self.tap_names(sizes))

    def tap_names(self, sizes: Mapping[str, int] | None = None) -> tuple[tuple[tuple[str, ...], ...], ...]:
        """The names of :meth:`taps`, ``names[o][i][j]`` (``k_j`` for one channel, else ``W_o_i_j``)."""
        out, inp, length = self.shape
        c = concrete_length(length, sizes or {}, f"kernel {self.name}")
        if len(self.dims) == 1:
            return ((tuple(tap_name(self.name, j) for j in range(c)),),)
        return tuple(
            tuple(tuple(tap_name(self.name, o, i, j) for j in range(c)) for i in range(inp))
            for o in range(out)
        )

    def kernel_names(self) -> frozenset[str]:
        return frozenset({self.name})

    def length_symbols(self) -> frozenset[sympy.Symbol]:
        length = self.dims[-1]
        return frozenset() if type(length) is int else frozenset(length.free_symbols)

    def symbols(self) -> tuple["KernelSymbol", ...]:
        return (self,)

    def __repr__(self) -> str:
        return f"{self.name}[{', '.join(str(d) for d in self.dims)}]"


@dataclass(frozen=True, repr=False)
class Literal(Kernel):
    """A kernel of exact numbers; ``values[o][i][j]`` (a flat list is one channel).

    Entries are exact real numbers: Python numbers go through
    :func:`exact_number` (rationals); exact SymPy reals such as ``sqrt(2)``
    (from factorizations with irrational roots) are kept. Symbols, floats
    with no exact value, NaN and infinities are refused: a kernel with
    symbolic taps is a :class:`KernelSymbol` or a :class:`DerivedKernel`.
    """

    values: Taps

    def __post_init__(self) -> None:
        if not self.values or not self.values[0] or not self.values[0][0]:
            raise KernelError("literal kernel [] is empty; expected at least one tap, e.g. [1, 2, 1]")
        object.__setattr__(self, "values", tuple(tuple(tuple(exact_real(v) for v in taps) for taps in row)
                                                 for row in self.values))
        length = len(self.values[0][0])
        check_kernel_length(length, f"literal kernel {quote(self)}")
        if any(len(row) != len(self.values[0]) for row in self.values) or any(
            len(taps) != length for row in self.values for taps in row
        ):
            raise KernelError(f"literal kernel {quote(self)} is ragged; expected equal lengths")

    @property
    def shape(self) -> tuple[int, int, Size]:
        return (len(self.values), len(self.values[0]), len(self.values[0][0]))

    def taps(self, sizes: Mapping[str, int] | None = None) -> Taps:
        return self.values

    def __repr__(self) -> str:
        def fmt(v: sympy.Expr) -> str:  # a rational as SymPy prints it, without its printer
            if isinstance(v, sympy.Rational):
                return str(v.p) if v.q == 1 else f"{v.p}/{v.q}"
            return str(v)

        if self.is_single_channel:
            return "[" + ", ".join(fmt(v) for v in self.values[0][0]) + "]"
        return (
            "["
            + ", ".join(
                "[" + ", ".join("[" + ", ".join(fmt(v) for v in t) + "]" for t in row) + "]"
                for row in self.values
            )
            + "]"
        )


def literal(values: Sequence) -> Literal:
    """A literal kernel from a flat list (one channel) or a nested ``[out][in][c]`` list.

    >>> literal([1, 0.5, "1/3"])
    [1, 1/2, 1/3]
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise KernelError(f"literal kernel {quote(values)} is not a list; expected e.g. [1, 2, 1]")
    if len(values) == 0:
        raise KernelError("literal kernel [] is empty; expected at least one tap, e.g. [1, 2, 1]")

    def number(v: object) -> sympy.Rational:
        if isinstance(v, str):
            try:
                v = Fraction(v)
            except ValueError:
                raise KernelError(f"kernel tap {quote(v)} is not a number; expected e.g. 1/2") from None
        return exact_number(v)

    if all(not isinstance(v, Sequence) or isinstance(v, str) for v in values):
        return Literal(((tuple(number(v) for v in values),),))
    if _depth(values) in (2, 4, 5):  # rows of a 2-D kernel, a 2-D weight [out][in][rows][cols], a 3-D weight
        from symconv.core.kernel_nd import literal_nd

        return literal_nd(_map_numbers(values, number))
    try:
        nested = tuple(tuple(tuple(number(v) for v in taps) for taps in row) for row in values)
    except TypeError:
        raise KernelError(
            f"literal kernel {quote(values)} mixes numbers and lists; expected a flat list or [out][in][c]"
        ) from None
    return Literal(nested)


def _depth(values: object) -> int:
    """Nesting depth of a list of lists (0 for a number)."""
    if isinstance(values, Sequence) and not isinstance(values, str):
        return 1 + (_depth(values[0]) if values else 0)
    return 0


def _map_numbers(values: object, number) -> object:
    if isinstance(values, Sequence) and not isinstance(values, str):
        return [_map_numbers(v, number) for v in values]
    return number(values)


@dataclass(frozen=True, repr=False)
class DerivedKernel(Kernel):
    """A kernel given by explicit tap expressions in other kernels' taps (a derived closed form).

    ``sources`` are the named kernels whose taps the expressions use. Its
    ``repr`` lists the expressions; it is an output of ``derive``, not DSL input.
    ``values`` is the nested tuple ``[out][in][c]``, or a lazy stand-in for it
    (the engine's :class:`~symconv.algebra.lazy_taps.LazyTaps`: a sequence
    with ``nested_shape`` and ``dsl_text()`` that builds the SymPy taps when
    they are read), so a large derived kernel is printed without SymPy.
    """

    values: Taps
    sources: tuple[KernelSymbol, ...] = ()

    def __post_init__(self) -> None:
        if len(self.shape) != 3 or 0 in self.shape:
            raise KernelError("a derived kernel needs at least one tap")

    @property
    def shape(self) -> tuple[int, int, Size]:
        nested = getattr(self.values, "nested_shape", None)  # a lazy stand-in knows its shape unbuilt
        if nested is None:
            v = self.values
            nested = (len(v), len(v[0]) if v else 0, len(v[0][0]) if v and v[0] else 0)
        return tuple(nested)

    def taps(self, sizes: Mapping[str, int] | None = None) -> Taps:
        return self.values

    def kernel_names(self) -> frozenset[str]:
        return frozenset(s.name for s in self.sources)

    def symbols(self) -> tuple["KernelSymbol", ...]:
        return self.sources

    def __repr__(self) -> str:
        lazy_text = getattr(self.values, "dsl_text", None)
        if lazy_text is not None:
            text = lazy_text()
            return text[2:-2] if self.is_single_channel and text.startswith("[[[") else text
        if self.is_single_channel:
            return "[" + ", ".join(str(v) for v in self.values[0][0]) + "]"
        def listing(items) -> str:
            return "[" + ", ".join(items) + "]"

        return listing(listing(listing(map(str, t)) for t in row) for row in self.values)


def kernel(name: str, *dims: int | str) -> KernelSymbol:
    """A named symbolic kernel: ``kernel("k", 3)``, ``kernel("k", "c")``, ``kernel("W", 8, 4, 3)``.

    >>> kernel("k", 3).taps()
    (((k_0, k_1, k_2),),)
    """
    resolved: list[Size] = []
    for d in dims:
        if isinstance(d, str):
            if not d.isidentifier():
                raise KernelError(f"kernel {name}: size {quote(d)} is not a number or a name; expected e.g. 3 or 'c'")
            resolved.append(size_symbol(d))
        elif isinstance(d, int) and not isinstance(d, bool):
            resolved.append(d)
        elif isinstance(d, sympy.Symbol):
            resolved.append(size_symbol(d.name))
        else:
            raise KernelError(f"kernel {name}: size {quote(d)} is not an integer or a name")
    return KernelSymbol(name, tuple(resolved))


def as_kernel(value: object) -> Kernel:
    """Accept a Kernel or a list of numbers (a literal kernel)."""
    if isinstance(value, Kernel):
        return value
    if isinstance(value, (list, tuple)):
        kernel = literal(value)
        if getattr(kernel, "ndim", 1) == 1:
            return kernel
        value = kernel
    if getattr(value, "ndim", 1) >= 2:
        raise InvalidArgument("a 1-D layer", "weight", value,
                              f"a 1-D kernel such as k[3]: this is a {value.ndim}-D kernel, "
                              f"use conv{value.ndim}d for it")
    raise KernelError(f"{quote(value)} is not a kernel; expected e.g. kernel('k', 3) or [1, 2, 1]")


#: The kernel expressions, defined in :mod:`symconv.core.kernel_expr` (which builds on this module),
#: re-exported from here on first use (PEP 562), so that the core's modules import one way.
__getattr__ = attributes_from(__name__, dict.fromkeys(
    ("Convolve", "Dilate", "FlipKernel", "KernelSum", "PadKernel", "Scaled", "convolve", "dilate", "flipk",
     "full_convolution", "padk"), "symconv.core.kernel_expr"))
