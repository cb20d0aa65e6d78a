"""Per-axis pairs of the 2-D layers: ``(rows, columns)`` from an int or a pair, and their DSL text."""

from __future__ import annotations

from symconv.core.layers import Layer
from symconv.errors import InvalidArgument

__all__ = ["Pair", "pair", "strict_pair", "fmt_pair"]

Pair = tuple[int, int]


def pair(value: object, what: str, argument: str) -> Pair:
    """``(v, v)`` for an int ``v``, the pair itself for a pair; the layer checks the values."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, value)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return (value[0], value[1])
    raise InvalidArgument(what, argument, value, "an int or a pair (rows, columns)")


def strict_pair(layer: Layer, field: str, what: str) -> None:
    """Store ``layer.<field>`` as a tuple pair, refusing anything else (direct construction included)."""
    value = getattr(layer, field)
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        raise InvalidArgument(what, field, value, "a pair (rows, columns)")
    object.__setattr__(layer, field, tuple(value))


def fmt_pair(p: Pair) -> str:
    """The DSL text of a pair: ``2`` for ``(2, 2)``, ``(2, 3)`` otherwise."""
    return str(p[0]) if p[0] == p[1] else f"({p[0]}, {p[1]})"
