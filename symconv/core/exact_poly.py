"""Exact sparse polynomials: ``{monomial: coefficient}``, with only ``+`` and ``*``.

The ring the exact semantics computes in (SymPy objects are built at the
edges: :func:`from_sympy` reads taps and samples in, :func:`to_sympy` writes
results out). A variable is named by a tuple of strings and ints:
``("t", name, srepr)`` for a SymPy symbol (a tap, a bias parameter or an input
sample; the ``srepr`` keeps two symbols of one name but different assumptions
apart), ``("x", m, j1, ..., jd)`` for an input sample named by its index,
``("a", srepr)`` for any other SymPy expression (an irrational constant such
as ``sqrt(2)``, a ``Max``): it is read as an independent variable, so two
polynomials equal as polynomials stay equal once it is given its value, while
two that differ only through an identity of the atom (say ``sqrt(2)**2 == 2``)
compare as different: an opaque atom can make a comparison fail, never pass wrongly. The zero polynomial is ``{}``; no stored
coefficient is 0; a coefficient is an ``int`` or a ``Fraction`` (both exact,
ints kept as ints because Fraction arithmetic is slow). Each variable gets a
number the first time it is seen (in this process, :data:`_NAMES`); a monomial
is the sorted tuple of the numbers of its variables, one repeated ``e`` times
for the power ``e`` (so ``a**2 b`` is ``(ia, ia, ib)`` and a product of
monomials is ``sorted(m1 + m2)``). Written so that it can be read in one sitting; the checker imports it (it
does not use :mod:`symconv.algebra`).

>>> import sympy
>>> a, b = sympy.symbols("a b")
>>> p = from_sympy(a + 2 * b)
>>> times(p, p) == from_sympy(sympy.expand((a + 2 * b) ** 2))
True
>>> to_sympy(times(p, p))
a**2 + 4*a*b + 4*b**2
"""

from __future__ import annotations

from bisect import bisect_right
from fractions import Fraction
from math import lcm
from typing import Container, Iterable, Optional

from symconv.lazy_import import sympy

__all__ = ["Poly", "ONE", "constant", "variable", "variable_name", "add_into", "add_product", "times", "integer_form",
           "linear_combination", "affine_integer_form", "from_sympy", "to_sympy", "has_opaque_atom"]

#: ``{monomial: coefficient}``; a monomial is a sorted tuple of variable numbers (with repeats).
Poly = dict

ONE: Poly = {(): 1}

#: The name of variable number i is ``_NAMES[i]``; ``_NUMBERS`` is the inverse.
_NAMES: list[tuple] = []
_NUMBERS: dict[tuple, int] = {}

#: The SymPy object of each ``"t"``/``"a"`` variable :func:`from_sympy` has read (its name says which).
_ATOMS: dict[tuple, sympy.Expr] = {}

#: The variable name of each SymPy symbol :func:`from_sympy` has read (``srepr`` is printed once per symbol).
_SYMBOL_NAMES: dict[sympy.Symbol, tuple] = {}


def constant(value: Fraction | int) -> Poly:
    """The constant polynomial ``value`` (an int when it is one)."""
    value = Fraction(value)
    return {(): value.numerator if value.denominator == 1 else value} if value else {}


def variable(name: tuple) -> Poly:
    """The polynomial ``name`` (one variable, exponent 1)."""
    number = _NUMBERS.get(name)
    if number is None:
        number = _NUMBERS[name] = len(_NAMES)
        _NAMES.append(name)
    return {(number,): 1}


def variable_name(number: int) -> tuple:
    """The name of variable ``number`` (the tuple :func:`variable` was given)."""
    return _NAMES[number]


def add_into(total: Poly, p: Poly, scale: Fraction | int = 1) -> None:
    """``total += scale * p``, in place (entries that cancel are removed)."""
    if type(scale) is int and scale == 1:  # a plain sum: an entry new to total is p's own (non-zero) coefficient
        for monomial, c in p.items():
            old = total.get(monomial)
            if old is None:
                total[monomial] = c
                continue
            value = old + c
            if value:
                total[monomial] = value
            else:
                del total[monomial]
        return
    for monomial, c in p.items():
        value = total.get(monomial, 0) + scale * c
        if value:
            total[monomial] = value
        else:
            del total[monomial]


def _insert(monomial: tuple, v: int) -> tuple:
    """The sorted tuple ``monomial`` with one more ``v``."""
    at = bisect_right(monomial, v)
    return monomial[:at] + (v,) + monomial[at:]


def add_product(total: Poly, p: Poly, q: Poly) -> None:
    """``total += p * q``, in place (entries that cancel are removed).

    One term ``c1 m1`` of p at a time (the shorter factor outside): its products
    with q have different monomials (``m1`` sorted into each monomial of q) and
    are built in one comprehension, then added in one ``update`` when none is in
    ``total`` yet, else one by one.
    """
    if len(p) == 1 == len(q):  # one term times one term (two taps): one entry, no comprehension
        ((m1, c1),), ((m2, c2),) = p.items(), q.items()
        monomial = (m1 + m2 if not m1 or not m2 or m1[-1] <= m2[0] else m2 + m1 if m2[-1] <= m1[0]
                    else tuple(sorted(m1 + m2)))
        value = total.get(monomial, 0) + c1 * c2
        if value:
            total[monomial] = value
        else:
            del total[monomial]
        return
    if len(q) < len(p):
        p, q = q, p
    for m1, c1 in p.items():
        if len(m1) == 1:  # one variable: it goes at the end or the front, or is inserted in place
            v = m1[0]
            product = {(m2 + m1 if not m2 or m2[-1] <= v else m1 + m2 if v <= m2[0]
                        else (m2[0], v, m2[1]) if len(m2) == 2 else _insert(m2, v)): c1 * c2
                       for m2, c2 in q.items()}
        elif not m1:
            product = {m2: c1 * c2 for m2, c2 in q.items()}
        else:
            product = {tuple(sorted(m1 + m2)): c1 * c2 for m2, c2 in q.items()}
        if total.keys().isdisjoint(product):
            total.update(product)  # nothing to add up (each c1 * c2 is non-zero)
        else:
            add_into(total, product)


def times(p: Poly, q: Poly) -> Poly:
    """``p * q``."""
    out: Poly = {}
    add_product(out, p, q)
    return out


def integer_form(p: Poly) -> tuple[Poly, int]:
    """``(P, d)`` with ``p = P / d``: every coefficient of P an int, d >= 1 the lcm of the denominators of p.

    ``p`` itself (not a copy) when its coefficients are ints already (``d = 1``).
    """
    d = 1
    for c in p.values():
        if type(c) is not int:
            d = lcm(d, c.denominator)
    if d == 1:
        return p, 1
    return {m: c * d if type(c) is int else c.numerator * (d // c.denominator) for m, c in p.items()}, d


def linear_combination(terms: Iterable[tuple[Fraction | int, Poly, int]]) -> Poly:
    """``sum_j a_j P_j / d_j`` for rational numbers ``a_j`` and integer forms ``(P_j, d_j)`` (:func:`integer_form`).

    Computed over the integers with one common denominator ``D = lcm_j(den(a_j) d_j)``:
    ``sum_j num(a_j) (D / (den(a_j) d_j)) P_j``, then each coefficient divided by D once. This is
    :func:`add_product` of constants, without a ``Fraction`` operation per product (the weights of
    a trained model are dyadic rationals with denominators up to ``2^40``; the products of three
    layers' weights have ~100-bit denominators, and ``Fraction`` takes a gcd at every step). Where a
    coefficient's integer sum is the one term ``num(a_j) (D / (den(a_j) d_j)) d_j`` of a sample ``P_j = d_j m``
    (a weight times one input sample, the usual case), it is ``a_j`` itself: no Fraction is made for it.

    >>> linear_combination([(Fraction(3, 4), {(0,): 1}, 1), (Fraction(1, 2), {(0,): 2, (1,): 1}, 3)])
    {(0,): Fraction(13, 12), (1,): Fraction(1, 6)}
    >>> linear_combination([(Fraction(3, 4), {(0,): 1}, 1), (Fraction(-1, 8), {(1,): 3}, 3)])
    {(0,): Fraction(3, 4), (1,): Fraction(-1, 8)}
    """
    scaled, common = [], 1
    for a, P, d in terms:
        if not P:
            continue
        if type(a) is int:
            if not a:
                continue
            numerator, denominator, itself = a, d, a
        else:
            numerator, denominator = a.numerator, a.denominator
            if not numerator:
                continue
            itself = numerator if denominator == 1 else a if type(a) is Fraction else None
            denominator *= d
        scaled.append((numerator, denominator, P, d, itself))
        if denominator != common:
            common = lcm(common, denominator)
    total: Poly = {}
    alone: dict[tuple, tuple[int, Fraction | int]] = {}  # m -> (the integer term of a_j at m, a_j) for P_j = d_j m
    get = total.get
    for numerator, denominator, P, d, itself in scaled:
        factor = numerator * (common // denominator)
        if itself is not None and len(P) == 1:  # a_j times one monomial (a sample): the usual term of a layer
            ((m, c),) = P.items()
            part = factor * c
            if c == d:
                alone[m] = (part, itself)
            total[m] = get(m, 0) + part
            continue
        for m, c in P.items():
            total[m] = get(m, 0) + factor * c
    if common == 1:
        return {m: v for m, v in total.items() if v}
    out: Poly = {}
    for m, v in total.items():
        if v:
            term = alone.get(m)
            if term is not None and term[0] == v:  # v / D = a_j: the number given, not a new Fraction
                out[m] = term[1]
            else:
                value = Fraction(v, common)
                out[m] = value.numerator if value.denominator == 1 else value
    return out


def affine_integer_form(p: Poly, inputs: Container[int]) -> Optional[tuple[Poly, int]]:
    """``(P, d)`` with ``p = (sum_v P[(v,)] x_v + P[()]) / d`` (:func:`integer_form`) when ``p`` is affine in the
    variables numbered ``inputs`` with rational coefficients, else None (a monomial of degree >= 2, or a
    variable not in ``inputs``: a tap, a bias parameter, an opaque atom).

    The coefficient of ``x_v`` is ``P.get((v,), 0) / d`` and the constant ``P.get((), 0) / d``, exactly; so
    ``sum_v |coefficient of x_v| = sum_{m != ()} |P[m]| / d`` with the sum taken over the integers.
    """
    for monomial in p:
        if len(monomial) > 1 or (monomial and monomial[0] not in inputs):
            return None
    return integer_form(p)


def from_sympy(expr: sympy.Expr) -> Poly:
    """The polynomial of a SymPy expression built from symbols, rationals, ``+``, ``*`` and powers ``>= 1``.

    Any other subexpression becomes an opaque variable (see the module docstring).
    """
    if isinstance(expr, sympy.Rational):
        return constant(Fraction(int(expr.p), int(expr.q)))
    if type(expr) is sympy.Symbol:
        name = _SYMBOL_NAMES.get(expr)  # SymPy symbols are equal only with equal names and assumptions
        if name is None:
            name = _SYMBOL_NAMES[expr] = _remember(("t", expr.name, sympy.srepr(expr)), expr)
        return variable(name)
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
    return variable(_remember(("a", sympy.srepr(expr)), expr))


def _remember(name: tuple, expr: sympy.Expr) -> tuple:
    _ATOMS.setdefault(name, expr)
    return name


def has_opaque_atom(p: Poly) -> bool:
    """Whether a variable ``("a", ...)`` (an opaque SymPy atom) occurs in ``p``."""
    return any(_NAMES[v][0] == "a" for monomial in p for v in monomial)


def _atom(number: int) -> sympy.Expr:
    name = _NAMES[number]
    if name[0] == "t" or name[0] == "a":
        return _ATOMS[name]
    return sympy.Symbol("_".join(map(str, name)))  # ("x", m, j...) -> x_m_j...


def to_sympy(p: Poly) -> sympy.Expr:
    """The SymPy expression of ``p``: an expanded sum of monomials (what ``sympy.expand`` gives)."""
    terms = []
    for monomial, c in p.items():
        coeff = sympy.Integer(c) if isinstance(c, int) else sympy.Rational(c.numerator, c.denominator)
        powers: dict[int, int] = {}
        for number in monomial:
            powers[number] = powers.get(number, 0) + 1
        factors = [_atom(v) if e == 1 else sympy.Pow(_atom(v), e) for v, e in powers.items()]
        terms.append(sympy.Mul(coeff, *factors) if factors else coeff)
    return sympy.Add(*terms) if terms else sympy.Integer(0)
