"""Taps computed by the engine, turned into SymPy only when someone reads them as SymPy.

``derive`` of two layers with 513 taps has 1,537 taps and 263,169 monomials:
printing them from the engine's polynomials takes a fraction of a second,
building SymPy trees for them several seconds. A :class:`LazyTaps` is a
nested sequence (lists, or tuples as in :data:`~symconv.core.kernel.Taps`)
that behaves like the SymPy one it stands for (indexing, iteration, ``len``,
equality), builds it on first such use, and prints and gives its shape
without building it.

>>> from symconv.algebra.tap_poly import TapRing
>>> a, b = TapRing.of_names(["a", "b"]).gens
>>> taps = LazyTaps([a * a, a * b, 0], kind=list)
>>> str(taps), taps.text_list(), len(taps)
('[a**2, a*b, 0]', ['a**2', 'a*b', '0'], 3)
>>> taps[0]
a**2
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from symconv.lazy_import import sympy

from symconv.algebra.tap_print import poly_text

__all__ = ["LazyTaps"]


def _to_sympy(value: Any) -> sympy.Expr:
    if hasattr(value, "as_expr"):
        return value.as_expr()
    value = Fraction(value)
    return sympy.Rational(value.numerator, value.denominator)


def _text(value: Any) -> str:
    """A tap's SymPy string: a TapPoly keeps its own (printed once), a number is printed here."""
    return str(value) if hasattr(value, "terms") else poly_text(value)


class LazyTaps(Sequence):
    """A nested list of engine coefficients standing for the same nesting of SymPy expressions."""

    __slots__ = ("_values", "_kind", "_built")

    def __init__(self, values: list, kind: type = tuple):
        self._values = values
        self._kind = kind
        self._built = None

    def _build(self, values: Any):
        if isinstance(values, list):
            return self._kind(self._build(v) for v in values)
        return _to_sympy(values)

    @property
    def built(self):
        """The SymPy nesting this stands for (built once)."""
        if self._built is None:
            self._built = self._build(self._values)
        return self._built

    @property
    def nested_shape(self) -> tuple[int, ...]:
        """Lengths along the first element of each level, without building anything."""
        shape, level = [], self._values
        while isinstance(level, list):
            shape.append(len(level))
            if not level:
                break
            level = level[0]
        return tuple(shape)

    def text_list(self, values: Any = None) -> Any:
        """The same nesting (as lists) of each tap's SymPy string, printed by the engine."""
        values = self._values if values is None else values
        if isinstance(values, list):
            return [self.text_list(v) for v in values]
        return _text(values)

    def __str__(self) -> str:
        def text(values: Any) -> str:
            if isinstance(values, list):
                return "[" + ", ".join(text(v) for v in values) + "]"
            return _text(values)

        return text(self._values)

    def dsl_text(self) -> str:
        """The DSL tap list (``[k_0**2, k_0*k_1]``, or ``[[[...]]]`` for weights): what ``repr`` of the taps prints."""
        return str(self)

    __repr__ = __str__

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, index):
        return self.built[index]

    def __iter__(self):
        return iter(self.built)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyTaps):
            other = other.built
        return self.built == other

    def __hash__(self) -> int:
        return hash(self.built)
