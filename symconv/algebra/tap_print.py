"""Text and LaTeX of engine polynomials, exactly as SymPy prints them, without building SymPy objects.

A :class:`~symconv.algebra.tap_poly.TapPoly` with 1,500 taps of several
hundred monomials each costs tens of seconds to turn into SymPy trees and a
few milliseconds to print directly. The output is character for character
what ``str(p.as_expr())`` and ``sympy.latex(p.as_expr())`` give (a property
test holds the two against each other), so certificates, tap lists that read
back as DSL, and golden reports do not depend on which path printed them.

SymPy's order: the generators sorted by name, terms in decreasing
lexicographic order of their exponent vectors (constants last), factors of a
term in generator order, a rational coefficient as ``3*k_0/2`` or
``\\frac{3 k_{0}}{2}``; a positive constant and one negative term in one variable print as ``1 - k_0``.

>>> from symconv.algebra.tap_poly import TapRing
>>> a, b = TapRing.of_names(["a", "b"]).gens
>>> poly_text(a * a * 3 - b * Fraction(1, 2) + 1)
'3*a**2 - b/2 + 1'
>>> poly_latex_text(a * a * 3 - b * Fraction(1, 2) + 1)
'3 a^{2} - \\\\frac{b}{2} + 1'
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from typing import Callable, Sequence, Union

import sympy

__all__ = ["poly_text", "poly_latex_text", "number_text", "number_latex"]

Number = Union[int, Fraction]
_LAST = float("inf")


class _Generators:
    """Names of a ring's variables and their ranks in name order, computed once per ring."""

    _last: tuple = (None, None)

    @classmethod
    def of(cls, symbols: Sequence[sympy.Symbol]) -> tuple[tuple[str, ...], tuple | None, list]:
        """``(names, ranks, order)``: ``ranks[i]`` is variable i's place in name order (None when the
        variables are already in name order), ``order[r]`` the variable at place r."""
        cached_symbols, value = cls._last
        if cached_symbols is symbols:  # every polynomial of one ring shares its symbols tuple
            return value
        names = tuple(s.name for s in symbols)
        order = sorted(range(len(names)), key=names.__getitem__)
        ranks = None if order == list(range(len(names))) else tuple(sorted(range(len(names)), key=order.__getitem__))
        value = (names, ranks, order)
        cls._last = (symbols, value)
        return value


@lru_cache(maxsize=4096)
def _symbol_latex(name: str) -> str:
    return sympy.latex(sympy.Symbol(name))


def _factors(monomial: tuple[int, ...]) -> list[tuple[int, int]]:
    """``(variable, exponent)`` pairs of a monomial given as a sorted tuple of variables."""
    factors: list[tuple[int, int]] = []
    for i in monomial:
        if factors and factors[-1][0] == i:
            factors[-1] = (i, factors[-1][1] + 1)
        else:
            factors.append((i, 1))
    return factors


def _ordered_terms(poly) -> list[tuple[list[tuple[int, int]], Number]]:
    """``[(factors, coefficient)]`` in SymPy's print order; factors are ``(variable, exponent)``."""
    _, ranks, order = _Generators.of(poly.symbols)
    terms = []
    for monomial, coeff in poly.terms.items():
        if ranks is not None:  # rename the variables to their ranks, so sorted tuples are in name order
            monomial = tuple(sorted(ranks[i] for i in monomial))
        # decreasing lex order of exponent vectors = increasing order of the sorted ranks with a sentinel
        terms.append(((*monomial, _LAST), monomial, coeff))
    terms.sort(key=lambda t: t[0])
    if ranks is not None:
        terms = [(key, tuple(order[r] for r in monomial), coeff) for key, monomial, coeff in terms]
    terms = [(key, _factors(monomial), coeff) for key, monomial, coeff in terms]
    ordered = [(factors, coeff) for _, factors, coeff in terms]
    # SymPy's one exception (Expr.as_ordered_terms): a positive constant plus one negative term
    # in a single variable prints the constant first, ``1 - k_0**2`` (but ``-k_0*k_1 + 1``).
    if (len(ordered) == 2 and not ordered[1][0] and ordered[1][1] > 0
            and ordered[0][1] < 0 and len(ordered[0][0]) == 1):
        ordered.reverse()
    return ordered


def number_text(value: Number) -> str:
    """``3``, ``-1/2``: a rational as SymPy's ``str``."""
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def number_latex(value: Number) -> str:
    """``-3``, ``- \\frac{1}{2}``: a rational as ``sympy.latex``."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    sign = "- " if value < 0 else ""
    return f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"


def _text_body(factors: list[tuple[int, int]], coeff: Number, names: Sequence[str]) -> str:
    product = "*".join(names[i] if e == 1 else f"{names[i]}**{e}" for i, e in factors)
    p, q = abs(coeff.numerator), coeff.denominator
    if not product:
        return str(p) if q == 1 else f"{p}/{q}"
    numerator = product if p == 1 else f"{p}*{product}"
    return numerator if q == 1 else f"{numerator}/{q}"


def _latex_body(factors: list[tuple[int, int]], coeff: Number, names: Sequence[str]) -> str:
    product = " ".join(_symbol_latex(names[i]) + ("" if e == 1 else f"^{{{e}}}") for i, e in factors)
    p, q = abs(coeff.numerator), coeff.denominator
    if not product:
        return str(p) if q == 1 else f"\\frac{{{p}}}{{{q}}}"
    numerator = product if p == 1 else f"{p} {product}"
    return numerator if q == 1 else f"\\frac{{{numerator}}}{{{q}}}"


def _print(poly, body: Callable, first_minus: str) -> str:
    names, _, _ = _Generators.of(poly.symbols)
    bodies = [(coeff < 0, body(factors, coeff, names)) for factors, coeff in _ordered_terms(poly)]
    if not bodies:
        return "0"
    negative, text = bodies[0]
    text = first_minus + text if negative else text
    for negative, b in bodies[1:]:
        text += (" - " if negative else " + ") + b
    return text


def poly_text(value) -> str:
    """``str(value.as_expr())`` for a TapPoly (or an int/Fraction), computed directly."""
    if not hasattr(value, "terms"):
        return number_text(value)
    return _print(value, _text_body, "-")


def poly_latex_text(value) -> str:
    """``sympy.latex(value.as_expr())`` for a TapPoly (or an int/Fraction), computed directly."""
    if not hasattr(value, "terms"):
        return number_latex(value)
    if len(value.terms) == 1 and () in value.terms:
        return number_latex(value.terms[()])
    return _print(value, _latex_body, "- ")
