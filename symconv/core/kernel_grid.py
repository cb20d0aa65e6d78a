"""Kernel taps as a grid: nonzero values by index ``(o, i, a1, ..., ad)``, and the nested lists they come from.

A kernel of shape ``(out, in, k1, ..., kd)`` is written as nested lists
``values[o][i][a1]...[ad]``; the core computes on the sparse grid, the dict
of its nonzero entries. This module converts between the two and refuses
empty and ragged lists.

>>> grid, shape = grid_of([[1, 0], [0, 2]], 2)
>>> grid, shape
({(0, 0): 1, (1, 1): 2}, (2, 2))
>>> nested(grid, shape)
((1, 0), (0, 2))
"""

from __future__ import annotations

import itertools
from typing import Iterator

from symconv.lazy_import import sympy

from symconv.errors import KernelError, quote

__all__ = ["Grid", "nested", "grid_of", "nesting_depth", "value_shape", "walk", "listing"]

#: Nonzero taps by index ``(o, i, a1, ..., ad)``.
Grid = dict[tuple[int, ...], "sympy.Expr"]


def nested(grid: dict, shape: tuple[int, ...], zero: object = None) -> tuple:
    """The grid as nested tuples ``[o][i][a1]...[ad]``, missing entries ``zero`` (SymPy's 0 by default)."""
    fill = zero
    if zero is None and len(grid) < _size(shape):  # SymPy's 0 only where one is missing (tap names have none)
        fill = sympy.Integer(0)

    def build(prefix: tuple[int, ...]) -> object:
        if len(prefix) == len(shape):
            return grid.get(prefix, fill)
        return tuple(build(prefix + (j,)) for j in range(shape[len(prefix)]))

    return build(())


def _size(shape: tuple[int, ...]) -> int:
    total = 1
    for n in shape:
        total *= n
    return total


def grid_of(values: object, depth: int) -> tuple[dict, tuple[int, ...]]:
    """A nested list of ``depth`` levels as ``(grid, shape)``; refuses empty and ragged lists."""
    shape: list[int] = []
    probe = values
    for _ in range(depth):
        if not isinstance(probe, (list, tuple)) or not probe:
            raise KernelError(f"kernel {quote(values)} is empty or too shallow; expected {depth} nested levels of "
                              f"numbers, e.g. [[1, 2], [3, 4]]")
        shape.append(len(probe))
        probe = probe[0]
    grid: dict = {}
    for index in itertools.product(*(range(n) for n in shape)):
        v = values
        for level, j in enumerate(index):
            if not isinstance(v, (list, tuple)):
                raise _mixed(values)
            if len(v) != shape[level]:
                raise KernelError(f"kernel {quote(values)} is ragged; expected equal sizes on each axis")
            v = v[j]
        if isinstance(v, (list, tuple)):
            raise _mixed(values)
        if v != 0:
            grid[index] = v
    return grid, tuple(shape)


def _mixed(values: object) -> KernelError:
    return KernelError(f"kernel {quote(values)} mixes numbers and lists; expected the same nesting everywhere")


def nesting_depth(values: object) -> int:
    """How many list levels ``values`` has (0 for a number), read along the first entries."""
    if isinstance(values, (list, tuple)) and not isinstance(values, str):
        return 1 + (nesting_depth(values[0]) if values else 0)
    return 0


def value_shape(values: tuple) -> tuple[int, ...]:
    """The lengths of the levels of nested tuples, read along the first entries."""
    shape = []
    while isinstance(values, tuple):
        shape.append(len(values))
        if not values:
            break
        values = values[0]
    return tuple(shape)


def walk(values: object, prefix: tuple[int, ...] = ()) -> Iterator[tuple[tuple[int, ...], object]]:
    """Every ``(index, value)`` of nested tuples, in index order."""
    if not isinstance(values, tuple):
        yield prefix, values
        return
    for j, v in enumerate(values):
        yield from walk(v, prefix + (j,))


def listing(values: object) -> str:
    """DSL text of nested values; a rational as SymPy prints it, without its printer (weights have thousands)."""
    if isinstance(values, tuple):
        return "[" + ", ".join(listing(v) for v in values) + "]"
    if isinstance(values, sympy.Rational):
        return str(values.p) if values.q == 1 else f"{values.p}/{values.q}"
    return str(values)
