"""Instances of a statement with generic lengths: ``k[c]`` with ``c = 3, 4, 5, ...``.

The decision procedure needs concrete kernel lengths, so a theorem about
``k[c]`` is, for now, proved one instance at a time. :func:`instantiate`
rebuilds a layer (or kernel) with every generic size replaced by its value,
through the public constructors of the core objects (all frozen
dataclasses), so every instance is validated like any user input.

>>> from symconv.dsl import parse_chain
>>> instantiate(parse_chain("conv(k[c], stride=2) >> conv(k, stride=2)"), {"c": 4})
conv(k[4], stride=2) >> conv(k[4], stride=2)
>>> list(size_grid((("c", (3, 4)), ("d", (1,)))))
[{'c': 3, 'd': 1}, {'c': 4, 'd': 1}]
"""

from __future__ import annotations

import itertools
from dataclasses import fields, is_dataclass, replace
from typing import Iterator, Mapping, Sequence

from symconv.lazy_import import sympy

from symconv.core.kernel import Kernel, KernelSymbol
from symconv.core.layers import Layer
from symconv.core.output_length import resolve_size

__all__ = ["instantiate", "size_grid", "generic_sizes"]


def size_grid(sizes: Sequence[tuple[str, Sequence[int]]]) -> Iterator[dict[str, int]]:
    """Every combination of the listed values, as ``{name: value}`` mappings."""
    names = [name for name, _ in sizes]
    for values in itertools.product(*(vals for _, vals in sizes)):
        yield dict(zip(names, values))


def generic_sizes(*layers: Layer) -> set[str]:
    """Names of the generic lengths the layers' kernels use."""
    return {s.name for layer in layers for k in layer.kernels() for s in k.length_symbols()}


def _substitute(value: object, sizes: Mapping[str, int]) -> object:
    if isinstance(value, KernelSymbol):
        dims = tuple(resolve_size(d, sizes) for d in value.dims)
        return value if dims == value.dims else KernelSymbol(value.name, dims)
    if isinstance(value, (Layer, Kernel)) and is_dataclass(value):
        changes = {}
        for f in fields(value):
            if not f.init:
                continue
            old = getattr(value, f.name)
            new = _substitute(old, sizes)
            if new is not old:
                changes[f.name] = new
        return replace(value, **changes) if changes else value
    if isinstance(value, tuple):
        items = tuple(_substitute(v, sizes) for v in value)
        return value if all(a is b for a, b in zip(items, value)) else items
    if isinstance(value, sympy.Expr) and value.free_symbols:
        return resolve_size(value, sizes)
    return value


def instantiate(obj: Layer, sizes: Mapping[str, int]) -> Layer:
    """``obj`` with every generic size named in ``sizes`` replaced by its value."""
    return _substitute(obj, sizes)  # type: ignore[return-value]
