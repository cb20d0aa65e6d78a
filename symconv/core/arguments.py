"""The numbers users give and the names they stand for: limits, argument checks, tap and size symbols.

A kernel length is a positive integer up to :data:`MAX_KERNEL_LENGTH` or a
generic size symbol such as ``c`` in ``k[c]`` (a positive integer
:func:`size_symbol`); a layer argument is a positive or a non-negative
integer under a limit. Tap ``j`` of a kernel ``k`` is the symbol ``k_j``
(``W_o_i_j`` for a weight), named by :func:`tap_name`. Anything else is
refused with the error that says what was expected.

>>> tap_name("W", 1, 0, 2), size_symbol("c").is_positive
('W_1_0_2', True)
>>> check_positive_int(3, "conv", "stride")
3
>>> concrete_length(size_symbol("c") + 2, {"c": 3}, "kernel k")
5
"""

from __future__ import annotations

from typing import Mapping, Optional, Union

from symconv.lazy_import import sympy

from symconv.core.axes import is_int
from symconv.errors import InvalidArgument, KernelError, SizeLimitError, quote

__all__ = [
    "is_generic",
    "size_within",
    "default_ndim",
    "spatial_size",
    "check_derived_length",
    "MAX_KERNEL_LENGTH",
    "MAX_CHANNELS",
    "tap_name",
    "tap_symbol",
    "size_symbol",
    "check_kernel_length",
    "concrete_length",
    "check_positive_int",
    "check_nonnegative_int",
]

#: Refuse kernels longer than this before allocating anything.
MAX_KERNEL_LENGTH = 4096
#: Refuse channel counts above this.
MAX_CHANNELS = 1024

#: A length: a Python int, or a SymPy expression in generic sizes.
Size = Union[int, "sympy.Expr"]


def tap_name(name: str, *index: int) -> str:
    """The name of one tap: ``k_2`` for ``k[c]``, ``W_1_0_2`` for a weight."""
    return name + "".join(f"_{i}" for i in index)


def tap_symbol(name: str, *index: int) -> sympy.Symbol:
    """The SymPy symbol of one tap, a plain symbol named :func:`tap_name`."""
    return sympy.Symbol(tap_name(name, *index))


def size_symbol(name: str) -> sympy.Symbol:
    """The positive integer symbol of a generic length, e.g. ``c`` in ``k[c]``."""
    return sympy.Symbol(name, integer=True, positive=True)


def check_kernel_length(length: Size, what: str) -> Size:
    """A kernel length ``1 <= length <= MAX_KERNEL_LENGTH`` as an int; a generic length is kept as it is."""
    if type(length) is not int and isinstance(length, sympy.Expr) and not length.is_Integer:
        return length
    length = int(length)
    if length < 1:
        raise KernelError(f"{what} has length {length}; expected a kernel length of at least 1")
    if length > MAX_KERNEL_LENGTH:
        raise SizeLimitError(
            f"{what} has length {length}; symconv refuses kernels longer than {MAX_KERNEL_LENGTH}"
        )
    return length


def concrete_length(length: Size, sizes: Mapping[str, int], what: str) -> int:
    """Substitute generic sizes into a length and insist on an integer."""
    if isinstance(length, int):
        return length
    value = length.subs({size_symbol(s): v for s, v in sizes.items()})
    if not value.is_Integer:
        missing = ", ".join(sorted(str(s) for s in value.free_symbols))
        raise KernelError(f"{what} has generic length {length}; give a value for {missing}")
    return check_kernel_length(int(value), what)


def check_positive_int(value: object, what: str, argument: str, limit: int = MAX_KERNEL_LENGTH) -> int:
    """``value`` if it is an int with ``1 <= value <= limit`` (a bool is not an int here)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(what, argument, value, "a positive integer")
    if value < 1:
        raise InvalidArgument(what, argument, value, "a positive integer")
    if value > limit:
        raise SizeLimitError(f"{what}: {argument}={value} exceeds the limit {limit}")
    return value


def check_nonnegative_int(value: object, what: str, argument: str, limit: int = MAX_KERNEL_LENGTH) -> int:
    """``value`` if it is an int with ``0 <= value <= limit`` (a bool is not an int here)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgument(what, argument, value, "a non-negative integer")
    if value > limit:
        raise SizeLimitError(f"{what}: {argument}={value} exceeds the limit {limit}")
    return value


def is_generic(size: object) -> bool:
    """Whether a size depends on a generic length (a SymPy expression that is not an integer)."""
    return type(size) is not int and isinstance(size, sympy.Expr) and not size.is_Integer


def size_within(value: object, what: str, limit: int) -> int:
    """``value`` when it is an integer in ``1..limit`` (a size, a channel count, a factor); else KernelError."""
    if not is_int(value) or value < 1:
        raise KernelError(f"{what} {quote(value)} is not a positive integer")
    if value > limit:
        raise KernelError(f"{what} {value} exceeds the limit {limit}")
    return value


def default_ndim(sizes: int) -> Optional[int]:
    """The spatial axes of a name with this many sizes when no layer says: 1 (``k[3]``, ``W[8, 4, 3]``),
    2 (``k[3, 3]``, ``W[8, 4, 3, 3]``), 3 (``W[8, 4, 3, 3, 3]``); None past five."""
    return {1: 1, 2: 2, 3: 1, 4: 2, 5: 3}.get(sizes)


def check_derived_length(k) -> None:
    """Refuse a kernel expression with a concrete spatial size beyond the limit (before any taps exist)."""
    for length in k.spatial:
        if isinstance(length, int) and length > MAX_KERNEL_LENGTH:
            raise SizeLimitError(
                f"{quote(k)} has length {length}; symconv refuses kernels longer than {MAX_KERNEL_LENGTH}"
            )


def spatial_size(name: str, value: object) -> Size:
    """A spatial size: an int in ``1..MAX_KERNEL_LENGTH``, a name (``'c'``, a SymPy symbol) read as the generic
    positive integer ``c``, or an expression in such names."""
    if is_int(value):  # first: a concrete size needs no SymPy (``symconv derive`` of named kernels never loads it)
        return check_kernel_length(value, f"kernel {name}")
    if isinstance(value, str):
        if not value.isidentifier():
            raise KernelError(f"kernel {name}: size {quote(value)} is not a number or a name; expected e.g. 3 or 'c'")
        return size_symbol(value)
    if isinstance(value, sympy.Symbol):
        return size_symbol(value.name)
    if isinstance(value, sympy.Expr):
        return int(value) if value.is_Integer else value
    raise KernelError(f"kernel {name}: size {quote(value)} is not an integer or a name")
