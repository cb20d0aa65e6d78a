"""Per-axis arguments of the N-D layers, normalised once (as PyTorch's ``_ntuple``).

An int applies to every axis; a tuple gives one value per axis. Padding is
stored as per-axis ``(left, right)`` pairs. Nothing below the constructors
asks "int or tuple?".

>>> per_axis(2, 3, "conv3d", "stride")
(2, 2, 2)
>>> padding_pairs((1, (0, 2)), 2, "conv2d")
((1, 1), (0, 2))
>>> fmt_axes((2, 2)), fmt_axes((2, 1))
('2', '(2, 1)')
"""

from __future__ import annotations

from typing import Callable

from symconv.errors import InvalidArgument

__all__ = ["Axes", "Pairs", "per_axis", "padding_pairs", "checked_axes", "fmt_axes", "fmt_pairs", "is_int",
           "nd_name", "one_axis", "one_axis_property"]

#: One int per spatial axis.
Axes = tuple[int, ...]
#: One ``(left, right)`` pair per spatial axis.
Pairs = tuple[tuple[int, int], ...]


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def per_axis(value: object, ndim: int, what: str, argument: str) -> Axes:
    """``(v,) * ndim`` for one value ``v``, the tuple itself when it has one entry per axis (the caller's check
    then says what each value must be)."""
    if not isinstance(value, (tuple, list)):
        return (value,) * ndim
    if isinstance(value, (tuple, list)) and len(value) == ndim:
        return tuple(value)
    raise InvalidArgument(what, argument, value, f"an int or a tuple of {ndim} values (one per axis)")


def checked_axes(values: Axes, check: Callable[[int, str, str], None], what: str, argument: str) -> Axes:
    """``values`` after ``check(v, what, argument)`` has accepted each axis's value (it raises otherwise)."""
    for v in values:
        check(v, what, argument)
    return values


def one_axis(owner: object, values: Axes, name: str, per_axis: str) -> int:
    """The value of the one axis of a 1-D layer or kernel (``left``, ``stride``, ``factor``, ...); one with
    ``d >= 2`` axes has no such name: AttributeError, naming the per-axis field to read instead."""
    if len(values) != 1:
        raise AttributeError(f"{owner!r} has {len(values)} axes: `{name}` names the one axis of a 1-D layer "
                             f"(read `{per_axis}[a]` per axis)")
    return values[0]


def one_axis_property(field: str, name: str, doc: str) -> property:
    """A read-only property ``name`` giving :func:`one_axis` of the per-axis field ``field`` (``stride`` of
    ``strides``): the 1-D name of a layer or kernel that stores its arguments per axis."""
    return property(lambda owner: one_axis(owner, getattr(owner, field), name, field), doc=doc)


def nd_name(base: str, ndim: int) -> str:
    """The PyTorch-style name of a layer with ``ndim`` spatial axes: ``nd_name("conv", 2) == "conv2d"``."""
    return f"{base}{ndim}d"


def padding_pairs(value: object, ndim: int, what: str) -> Pairs:
    """``((l1, r1), ..., (ld, rd))`` from an int, a tuple with an int or a ``(left, right)`` pair per axis."""
    if is_int(value):
        return ((value, value),) * ndim
    if isinstance(value, (tuple, list)) and len(value) == ndim:
        pairs = []
        for p in value:
            if is_int(p):
                pairs.append((p, p))
            elif isinstance(p, (tuple, list)) and len(p) == 2:
                pairs.append((p[0], p[1]))
            else:
                break
        else:
            return tuple(pairs)
    raise InvalidArgument(what, "padding", value, f"an int, 'same', 'valid' or a tuple of {ndim} entries, each an "
                                                  f"int or a pair (left, right)")


def fmt_axes(values: Axes) -> str:
    """DSL text: ``2`` when every axis has 2, ``(2, 1)`` otherwise."""
    if len(set(values)) == 1:
        return str(values[0])
    return "(" + ", ".join(map(str, values)) + ("," if len(values) == 1 else "") + ")"


def fmt_pairs(pairs: Pairs) -> str:
    """DSL text of per-axis padding: ``1``, ``(1, 0)`` (symmetric per axis) or ``((1, 2), (0, 0))``."""
    if all(a == b for a, b in pairs):
        return fmt_axes(tuple(a for a, _ in pairs))
    return "(" + ", ".join(f"({a}, {b})" for a, b in pairs) + ("," if len(pairs) == 1 else "") + ")"
