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

from symconv.lazy_import import sympy

__all__ = ["poly_text", "poly_latex_text", "number_text", "number_latex", "floor_affine_text", "floor_affine_latex"]

Number = Union[int, Fraction]
_LAST = float("inf")


class _Generators:
    """Names of a ring's variables in name order and each variable's place there, computed once per ring."""

    _last: tuple = (None, None)

    @classmethod
    def of(cls, ring) -> tuple[tuple[str, ...], tuple | None, tuple[str, ...]]:
        """``(names, ranks, starred)`` of a :class:`~symconv.algebra.tap_poly.TapRing`: ``names[r]`` is the
        r-th name in name order, ``ranks[i]`` variable i's place in that order (None when the variables are
        already in name order), ``starred[r]`` is ``names[r] + "*"``."""
        cached_ring, value = cls._last
        if cached_ring is ring:  # every polynomial of one ring shares it
            return value
        names = ring.names
        order = sorted(range(len(names)), key=names.__getitem__)
        ranks = None if order == list(range(len(names))) else tuple(sorted(range(len(names)), key=order.__getitem__))
        ranked = tuple(names[i] for i in order)
        value = (ranked, ranks, tuple(n + "*" for n in ranked))
        cls._last = (ring, value)
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


_SENTINEL = (_LAST,)


def _ordered_terms(poly) -> tuple[list[tuple[int, ...]], dict, Sequence[str]]:
    """``(monomials, coefficients, names)``: the monomials in SymPy's print order, their coefficients, and
    the variable names they index; variables are numbered in name order (so a monomial's sorted tuple is
    in name order, repeats adjacent)."""
    names, ranks, _ = _Generators.of(poly.ring)
    terms = poly.terms
    if ranks is not None:  # rename the variables to their ranks in name order
        terms = {tuple(sorted(ranks[i] for i in monomial)): coeff for monomial, coeff in terms.items()}
    # decreasing lex order of exponent vectors = increasing order of the sorted ranks with a sentinel
    # (which only matters when one monomial is a proper prefix of another: never when all have one degree)
    if len(set(map(len, terms))) == 1:
        ordered = sorted(terms)
    else:
        ordered = sorted(terms, key=lambda monomial: monomial + _SENTINEL)
    # SymPy's one exception (Expr.as_ordered_terms): a positive constant plus one negative term
    # in a single variable prints the constant first, ``1 - k_0**2`` (but ``-k_0*k_1 + 1``).
    if (len(ordered) == 2 and not ordered[1] and terms[ordered[1]] > 0
            and terms[ordered[0]] < 0 and len(set(ordered[0])) == 1):
        ordered.reverse()
    return ordered, terms, names


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


def _text_product(monomial: tuple[int, ...], names: Sequence[str]) -> str:
    """``k_0**2*k_1``: the factors of a monomial, ``*``-joined."""
    return "*".join(names[i] if e == 1 else f"{names[i]}**{e}" for i, e in _factors(monomial))


def _latex_product(monomial: tuple[int, ...], names: Sequence[str]) -> str:
    """``k_{0}^{2} k_{1}``: the factors of a monomial, space-joined."""
    return " ".join(_symbol_latex(names[i]) + ("" if e == 1 else f"^{{{e}}}") for i, e in _factors(monomial))


def _text_body(product: str, p: int, q: int) -> str:
    if not product:
        return str(p) if q == 1 else f"{p}/{q}"
    numerator = product if p == 1 else f"{p}*{product}"
    return numerator if q == 1 else f"{numerator}/{q}"


def _latex_body(product: str, p: int, q: int) -> str:
    if not product:
        return str(p) if q == 1 else f"\\frac{{{p}}}{{{q}}}"
    numerator = product if p == 1 else f"{p} {product}"
    return numerator if q == 1 else f"\\frac{{{numerator}}}{{{q}}}"


def _print(poly, product: Callable, body: Callable, first_minus: str) -> str:
    """The terms in SymPy's order, each ``body(product, |numerator|, denominator)``, joined by their signs."""
    ordered, terms, names = _ordered_terms(poly)
    if not ordered:
        return "0"
    name = names.__getitem__
    join = "*".join if product is _text_product else None
    if join is not None and set(terms.values()) == {1}:  # every coefficient 1 (products of weights): no signs
        starred = _Generators.of(poly.ring)[2]
        return " + ".join([starred[monomial[0]] + names[monomial[1]]
                           if len(monomial) == 2 and monomial[0] != monomial[1]  # a product of two taps
                           else (join(map(name, monomial)) if len(set(monomial)) == len(monomial)
                                 else product(monomial, names)) or "1" for monomial in ordered])
    parts = []
    for monomial in ordered:
        coeff = terms[monomial]
        if join is not None and len(set(monomial)) == len(monomial):  # text without powers: the common case
            text = join(map(name, monomial))
        else:
            text = product(monomial, names)
        if coeff == 1 and text:  # no coefficient to write
            parts.append(" + ")
            parts.append(text)
            continue
        parts.append(" - " if coeff < 0 else " + ")
        parts.append(body(text, abs(coeff.numerator), coeff.denominator))
    parts[0] = first_minus if parts[0] == " - " else ""
    return "".join(parts)


def poly_text(value) -> str:
    """``str(value.as_expr())`` for a TapPoly (or an int/Fraction), computed directly."""
    if not hasattr(value, "terms"):
        return number_text(value)
    return _print(value, _text_product, _text_body, "-")


def poly_latex_text(value) -> str:
    """``sympy.latex(value.as_expr())`` for a TapPoly (or an int/Fraction), computed directly."""
    if not hasattr(value, "terms"):
        return number_latex(value)
    if len(value.terms) == 1 and () in value.terms:
        return number_latex(value.terms[()])
    return _print(value, _latex_product, _latex_body, "- ")


def _floor_affine(a: int, b: int, c: int, name: str, latex: bool) -> str | None:
    """``floor((a n + c) / b)`` for an integer ``n >= 0`` as SymPy evaluates and prints it (None unless
    ``a >= 0``, ``b >= 1``): an integer slope ``a / b`` gives ``(a / b) n + floor(c / b)``; otherwise an
    integer ``c / b`` is taken out of the floor, a fraction stays inside."""
    if a < 0 or b < 1:
        return None
    slope, shift = Fraction(a, b), Fraction(c, b)
    p, q = slope.numerator, slope.denominator
    if latex:
        numerator = name if p == 1 else f"{p} {name}"
        term = numerator if q == 1 else f"\\frac{{{numerator}}}{{{q}}}"
    else:
        term = (name if p == 1 else f"{p}*{name}") if q == 1 else (f"{name}/{q}" if p == 1 else f"{p}*{name}/{q}")
    if q == 1 or shift.denominator == 1:
        outside = shift.numerator // shift.denominator  # floor(c / b), or c / b itself
        if q != 1:
            term = f"\\left\\lfloor{{{term}}}\\right\\rfloor" if latex else f"floor({term})"
        if p == 0:
            return str(outside)
        return term if outside == 0 else f"{term} {'-' if outside < 0 else '+'} {abs(outside)}"
    fraction = (f"\\frac{{{abs(shift.numerator)}}}{{{shift.denominator}}}" if latex
                else f"{abs(shift.numerator)}/{shift.denominator}")
    inner = f"{term} {'-' if shift < 0 else '+'} {fraction}"
    return f"\\left\\lfloor{{{inner}}}\\right\\rfloor" if latex else f"floor({inner})"


def floor_affine_text(a: int, b: int, c: int, name: str = "n") -> str | None:
    """``str(sympy.floor((a*n + c) / b))`` for the non-negative integer symbol ``name``, computed directly
    (None unless ``a >= 0`` and ``b >= 1``).

    >>> floor_affine_text(1, 4, -3), floor_affine_text(1, 4, -4), floor_affine_text(4, 2, 2)
    ('floor(n/4 - 3/4)', 'floor(n/4) - 1', '2*n + 1')
    """
    return _floor_affine(a, b, c, name, latex=False)


def floor_affine_latex(a: int, b: int, c: int) -> str | None:
    """``sympy.latex(sympy.floor((a*n + c) / b))`` for the non-negative integer symbol ``n``, computed directly
    (None unless ``a >= 0`` and ``b >= 1``).

    >>> print(floor_affine_latex(3, 4, 1))
    \\left\\lfloor{\\frac{3 n}{4} + \\frac{1}{4}}\\right\\rfloor
    """
    return _floor_affine(a, b, c, "n", latex=True)
