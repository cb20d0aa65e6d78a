"""Exact sparse polynomials for the checker: ``{monomial: coefficient}``, with only ``+`` and ``*``.

A monomial is a sorted tuple of ``(variable, exponent)`` pairs, a variable a
tuple: ``("t", name, srepr)`` for a SymPy symbol (a tap or a bias parameter; the
``srepr`` keeps two symbols of one name but different assumptions apart),
``("x", m, j1, ..., jd)`` for an input sample, ``("a", srepr)`` for any other
SymPy atom (an irrational constant, read as an independent variable: equal
polynomials in it stay equal after it is given its value, so this can make a
comparison fail, never pass wrongly). The zero polynomial is ``{}``; no
coefficient stored is 0; a coefficient is an ``int`` or a ``Fraction`` (both exact,
ints kept as ints because Fraction arithmetic is slow). This is the checker's own ring, written so that it
can be read in one sitting (it does not use :mod:`symconv.algebra`).

>>> import sympy
>>> a, b = sympy.symbols("a b")
>>> p = from_sympy(a + 2 * b)
>>> times(p, p) == from_sympy(sympy.expand((a + 2 * b) ** 2))
True
"""

from __future__ import annotations

from fractions import Fraction

import sympy

__all__ = ["Poly", "ONE", "constant", "variable", "add_into", "times", "from_sympy"]

#: ``{monomial: coefficient}``; a monomial is a sorted tuple of ``(variable, exponent)``.
Poly = dict

ONE: Poly = {(): 1}


def constant(value: Fraction) -> Poly:
    """The constant polynomial ``value`` (an int when it is one)."""
    value = Fraction(value)
    return {(): value.numerator if value.denominator == 1 else value} if value else {}


def variable(name: tuple) -> Poly:
    """The polynomial ``name`` (one variable, exponent 1)."""
    return {((name, 1),): 1}


def add_into(total: Poly, p: Poly, scale: Fraction | int = 1) -> None:
    """``total += scale * p``, in place (entries that cancel are removed)."""
    for monomial, c in p.items():
        value = total.get(monomial, 0) + scale * c
        if value:
            total[monomial] = value
        else:
            total.pop(monomial, None)


def _product(m1: tuple, m2: tuple) -> tuple:
    if not m1 or not m2:
        return m1 or m2
    powers = dict(m1)
    for name, e in m2:
        powers[name] = powers.get(name, 0) + e
    return tuple(sorted(powers.items()))


def times(p: Poly, q: Poly) -> Poly:
    """``p * q``."""
    out: Poly = {}
    for m1, c1 in p.items():
        for m2, c2 in q.items():
            monomial = _product(m1, m2)
            value = out.get(monomial, 0) + c1 * c2
            if value:
                out[monomial] = value
            else:
                out.pop(monomial, None)
    return out


def from_sympy(expr: sympy.Expr) -> Poly:
    """The polynomial of a SymPy expression built from symbols, rationals, ``+``, ``*`` and powers ``>= 1``."""
    if isinstance(expr, sympy.Rational):
        return constant(Fraction(int(expr.p), int(expr.q)))
    if isinstance(expr, sympy.Symbol):
        return variable(("t", expr.name, sympy.srepr(expr)))
    if isinstance(expr, sympy.Add):
        total: Poly = {}
        for term in expr.args:
            add_into(total, from_sympy(term))
        return total
    if isinstance(expr, sympy.Mul):
        out = ONE
        for factor in expr.args:
            out = times(out, from_sympy(factor))
        return out
    if isinstance(expr, sympy.Pow) and isinstance(expr.exp, sympy.Integer) and expr.exp >= 1:
        base, out = from_sympy(expr.base), ONE
        for _ in range(int(expr.exp)):
            out = times(out, base)
        return out
    return variable(("a", sympy.srepr(expr)))
