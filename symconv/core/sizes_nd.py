"""Generic sizes given values: ``k[c, 3]`` becomes ``k[5, 3]`` when ``c = 5``, through the core constructors.

A layer (1-D or N-D, a chain, a sum) or a kernel is rebuilt field by field
with every generic size in ``sizes`` replaced by its value, so the result
is validated as if it had been written with that value (``'same'`` padding,
``floor(d (c - 1) / 2)`` on the left, becomes the integers it stands for).
The checker's rule ``generic_instances`` instantiates 1-D statements with it too.

>>> from symconv.core.kernel import kernel
>>> from symconv.core.convolution import conv2d
>>> with_sizes(conv2d(kernel("k", "c", 3), padding="same"), {"c": 4})
conv2d(k[4, 3], padding=((1, 2), (1, 1)))
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from typing import Mapping, TypeVar

from symconv.lazy_import import sympy

from symconv.core.kernel import Kernel, KernelSymbol
from symconv.core.layers import Layer
from symconv.core.output_length import resolve_size

__all__ = ["with_sizes"]

T = TypeVar("T")


def _substitute(value: object, sizes: Mapping[str, int]) -> object:
    if isinstance(value, KernelSymbol):
        return KernelSymbol(value.name, tuple(resolve_size(d, sizes) for d in value.dims), value.axes)
    if isinstance(value, Kernel) and not value.length_symbols():
        return value  # no generic size inside: the kernel as it is (its taps are not sizes)
    if isinstance(value, (Layer, Kernel)) and is_dataclass(value):
        changes = {f.name: _substitute(getattr(value, f.name), sizes) for f in fields(value) if f.init}
        return replace(value, **changes)
    if isinstance(value, tuple):
        return tuple(_substitute(v, sizes) for v in value)
    if isinstance(value, sympy.Expr) and value.free_symbols:
        return resolve_size(value, sizes)
    return value


def with_sizes(value: T, sizes: Mapping[str, int]) -> T:
    """``value`` (a layer or a kernel) rebuilt with each generic size named in ``sizes`` given its value."""
    return _substitute(value, sizes)  # type: ignore[return-value]
