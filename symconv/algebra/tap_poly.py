"""Sparse polynomials with rational coefficients in the kernel taps.

A monomial is the sorted tuple of the indices of its variables, with
repetition (``k_0^2 k_3`` is ``(0, 0, 3)``), so multiplying two monomials
costs their degrees, not the number of variables: the effective kernel of
two layers with 257 taps each multiplies 66,049 pairs of monomials of
degree 1. Coefficients are Python ints and Fractions, exactly.

>>> ring = TapRing.of_names(["a", "b"])
>>> a, b = ring.gens
>>> (a + b) * (a - b)
a**2 - b**2
>>> ((a + b) * (a - b)).evaluate([3, 1])
8
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterable, Mapping, Sequence, Union

from symconv.lazy_import import sympy

from symconv.algebra.tap_print import poly_latex_text, poly_text

__all__ = ["TapPoly", "TapRing", "add_product_terms"]

Number = Union[int, Fraction]


def add_product_terms(out: dict, a: Mapping[tuple[int, ...], Number], b: Mapping[tuple[int, ...], Number]) -> None:
    """``out += a * b`` on term dicts ``{monomial: coefficient}`` (a monomial: its variables' indices, sorted), in
    place; zero coefficients may remain in ``out``. Summing many products into one dict this way costs the products
    only, where adding immutable polynomials one by one copies the growing sum each time."""
    for m1, c1 in a.items():
        for m2, c2 in b.items():
            m = m1 + m2 if not m1 or not m2 or m1[-1] <= m2[0] else tuple(sorted(m1 + m2))
            out[m] = out.get(m, 0) + c1 * c2


class TapPoly:
    """An immutable sparse polynomial ``{monomial: coefficient}`` over one :class:`TapRing`."""

    __slots__ = ("terms", "ring", "_hash", "_text")

    def __init__(self, terms: Mapping[tuple[int, ...], Number], ring: "TapRing"):
        self.terms = terms
        self.ring = ring
        self._hash = None
        self._text = None

    @property
    def symbols(self) -> tuple[sympy.Symbol, ...]:
        """The ring's variables as SymPy symbols (variable ``i`` is ``symbols[i]``)."""
        return self.ring.symbols

    def _new(self, terms: dict) -> "TapPoly":
        return TapPoly(terms, self.ring)

    def __bool__(self) -> bool:
        return bool(self.terms)

    def __add__(self, other: "TapPoly | Number") -> "TapPoly":
        if not isinstance(other, TapPoly):
            other = self._new({(): other} if other else {})
        out = dict(self.terms)
        for m, c in other.terms.items():
            total = out.get(m, 0) + c
            if total:
                out[m] = total
            else:
                out.pop(m, None)
        return self._new(out)

    __radd__ = __add__

    def __neg__(self) -> "TapPoly":
        return self._new({m: -c for m, c in self.terms.items()})

    def __sub__(self, other: "TapPoly | Number") -> "TapPoly":
        return self + (-other)

    def __mul__(self, other: "TapPoly | Number") -> "TapPoly":
        if not isinstance(other, TapPoly):
            if not other:
                return self._new({})
            return self._new({m: c * other for m, c in self.terms.items()})
        out: dict[tuple[int, ...], Number] = {}
        add_product_terms(out, self.terms, other.terms)
        return self._new({m: c for m, c in out.items() if c})

    __rmul__ = __mul__

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TapPoly):
            return self.terms == other.terms
        if isinstance(other, (int, Fraction)):
            return self.terms == ({(): other} if other else {})
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            if not self.terms:
                self._hash = hash(0)
            elif len(self.terms) == 1 and () in self.terms:
                self._hash = hash(self.terms[()])  # equal to the number it equals
            else:
                self._hash = hash(frozenset(self.terms.items()))
        return self._hash

    def evaluate(self, values: Sequence[Number]) -> Number:
        """The value with ``values[i]`` substituted for variable ``i``."""
        total: Number = 0
        for m, c in self.terms.items():
            for i in m:
                c = c * values[i]
            total += c
        return total

    def __call__(self, *values: Number) -> Number:
        return self.evaluate(values)

    def as_expr(self) -> sympy.Expr:
        """The SymPy expression: one ``Mul`` per term and one ``Add``, built once (the edge of the engine)."""
        terms = []
        for m, c in self.terms.items():
            coeff = sympy.Rational(c.numerator, c.denominator) if isinstance(c, Fraction) else sympy.Integer(c)
            factors = []
            for i in m:
                if factors and factors[-1][0] == i:
                    factors[-1][1] += 1
                else:
                    factors.append([i, 1])
            powers = [self.symbols[i] if e == 1 else sympy.Pow(self.symbols[i], e) for i, e in factors]
            terms.append(sympy.Mul(coeff, *powers) if powers else coeff)
        return sympy.Add(*terms)

    def latex(self) -> str:
        """``sympy.latex(self.as_expr())``, printed directly (:mod:`symconv.algebra.tap_print`)."""
        return poly_latex_text(self)

    def __str__(self) -> str:
        """SymPy's ``str`` of :meth:`as_expr`, printed directly and kept (a derived layer prints its taps twice)."""
        if self._text is None:
            self._text = poly_text(self)
        return self._text

    __repr__ = __str__


class TapRing:
    """The polynomial ring QQ[taps]: its variables, constants and conversions.

    A ring is made from SymPy symbols, ``TapRing((k_0, k_1))``, or from the names of plain symbols,
    ``TapRing.of_names(["k_0", "k_1"])``; the second builds no SymPy object until :attr:`symbols`
    is read, so a derivation that prints its own polynomials never loads SymPy. Two rings are
    equal when their variables are.
    """

    __slots__ = ("names", "_symbols", "_positions")

    def __init__(self, symbols: Sequence[sympy.Symbol] = ()) -> None:
        self._symbols: tuple | None = tuple(symbols)
        self._positions: dict[str, int] | None = None
        #: The variables' names, variable ``i`` is ``names[i]``.
        self.names: tuple[str, ...] = tuple(s.name for s in self._symbols)

    @staticmethod
    def of_names(names: Iterable[str]) -> "TapRing":
        """The ring whose variables are the plain symbols (no assumptions) named ``names``."""
        ring = TapRing()
        ring.names = tuple(names)
        ring._symbols = None
        return ring

    def position(self, name: str) -> int | None:
        """The index of the variable named ``name`` (None when the ring has none)."""
        if self._positions is None:
            self._positions = {n: i for i, n in enumerate(self.names)}
        return self._positions.get(name)

    @property
    def symbols(self) -> tuple[sympy.Symbol, ...]:
        """The variables as SymPy symbols, built on first use for a ring made from names."""
        if self._symbols is None:
            self._symbols = tuple(sympy.Symbol(n) for n in self.names)
        return self._symbols

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TapRing):
            return NotImplemented
        if self.names != other.names:
            return False
        return (self._symbols is None and other._symbols is None) or self.symbols == other.symbols

    def __hash__(self) -> int:
        return hash(self.names)

    def __repr__(self) -> str:
        names = self.names if len(self.names) <= 6 else (*self.names[:3], "...", self.names[-1])
        count = "" if len(self.names) <= 6 else f"; {len(self.names)} variables"
        return f"TapRing({', '.join(names)}{count})"

    @property
    def gens(self) -> tuple[TapPoly, ...]:
        return tuple(TapPoly({(i,): 1}, self) for i in range(len(self.names)))

    @property
    def one(self) -> TapPoly:
        return TapPoly({(): 1}, self)

    def constant(self, value: Number) -> TapPoly:
        value = Fraction(value)
        value = value.numerator if value.denominator == 1 else value
        return TapPoly({(): value} if value else {}, self)

    def from_expr(self, expr: sympy.Expr) -> TapPoly:
        """A polynomial SymPy expression in the ring's symbols (or a rational number)."""
        expr = sympy.sympify(expr)  # safe: an expression built by symconv, never user text
        if not expr.free_symbols:
            rational = sympy.Rational(expr)
            return self.constant(Fraction(int(rational.p), int(rational.q)))
        # SymPy's polynomial over the expression's own symbols, mapped to the ring's variables: a Poly over
        # every tap of a 64-channel weight (thousands of generators) costs seconds per tap.
        placed = [(self.position(s.name), s) for s in expr.free_symbols]
        if any(i is None or s != sympy.Symbol(s.name) for i, s in placed):  # not the ring's plain symbols
            placed = list(enumerate(self.symbols))
        where, own = zip(*sorted(placed, key=lambda pair: pair[0]))
        terms: dict[tuple[int, ...], Number] = {}
        for exps, coeff in sympy.Poly(expr, *own).terms():
            m = tuple(i for i, e in zip(where, exps) for _ in range(e))
            c = Fraction(int(coeff.p), int(coeff.q))
            terms[m] = c.numerator if c.denominator == 1 else c
        return TapPoly(terms, self)

    def to_expr(self, value: TapPoly | Number) -> sympy.Expr:
        if isinstance(value, TapPoly):
            return value.as_expr()
        return sympy.Rational(Fraction(value).numerator, Fraction(value).denominator)

    def value(self, coeff: TapPoly | Number, values: Sequence[Number]) -> sympy.Rational:
        """``coeff`` at the point ``values`` as an exact SymPy rational."""
        result = coeff.evaluate(values) if isinstance(coeff, TapPoly) else coeff
        result = Fraction(result)
        return sympy.Rational(result.numerator, result.denominator)
