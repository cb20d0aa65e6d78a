"""The kernel's own reader of exact facts: rational expressions in named real symbols, with square roots.

Grammar (no floats, no function other than ``sqrt``, no name outside the declared symbols)::

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := ("+" | "-") unary | power
    power      := atom ("**" exponent)?         exponent: an integer, or "(" "-" integer ")", |e| <= 64
    atom       := integer | symbol | "sqrt(" expression ")" | "(" expression ")"

Each ``sqrt(R)`` is read as a fresh symbol ``y`` with the one relation ``y**2 = R`` (the same radicand,
compared as an expanded expression, gives the same ``y``; a radicand may not hold a sqrt). Nothing is
evaluated from the text: the reader builds SymPy objects from tokens (never ``sympify``).

**Lemma (identity with square roots).** Let ``lhs - rhs = N / D`` with ``N``, ``D`` polynomials in the
symbols and the ``y_i``. If the remainder of ``N`` on division by the monic ``y_i**2 - R_i`` (one ``y_i``
after another; the ``R_i`` hold no ``y``) is the zero polynomial, then ``N = 0`` wherever every
``y_i = sqrt(R_i)`` (``N`` is a combination of the ``y_i**2 - R_i``), so ``lhs = rhs`` at every value of
the symbols where both sides are defined (``R_i >= 0``, no denominator 0). A divisor whose reduced
numerator is 0 (0 wherever defined, e.g. ``sqrt(2)**2 - 2``) is refused, so no side is nowhere defined.

>>> identity_residue("(1/2 - (1/sqrt(2*pi))**2) / (1/sqrt(2*pi))**2", "pi - 1", ("pi",))
0
>>> identity_residue("(a + b)**2", "a**2 + b**2", ("a", "b"))
2*a*b
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from symconv.lazy_import import sympy

from symconv.errors import CertificateError

__all__ = ["read_expression", "identity_residue", "SqrtTable", "MAX_TEXT", "MAX_EXPONENT"]

MAX_TEXT = 4000
MAX_EXPONENT = 64
_TOKEN = re.compile(r"\s*(?:(\d+)|([A-Za-z_][A-Za-z0-9_]*)|(\*\*|[-+*/()]))")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass
class SqrtTable:
    """The square roots read so far: ``radicands[y] = R`` for the fresh symbol ``y`` of ``sqrt(R)``."""

    radicands: dict = field(default_factory=dict)

    def root(self, radicand: sympy.Expr) -> sympy.Symbol:
        expanded = sympy.expand(radicand)
        for symbol, known in self.radicands.items():
            if sympy.expand(known - expanded) == 0:
                return symbol
        symbol = sympy.Symbol(f"sqrt({expanded})")  # a name no declared identifier can take
        self.radicands[symbol] = expanded
        return symbol


    def reduced(self, value: sympy.Expr) -> sympy.Expr:
        """The numerator of ``value``, every ``sqrt(R)**2`` replaced by ``R`` (0: ``value`` is 0 wherever defined)."""
        numerator = sympy.expand(sympy.numer(sympy.together(value)))
        for root, radicand in self.radicands.items():
            terms = sympy.Poly(numerator, root).as_dict()
            numerator = sympy.expand(sum(c * radicand ** (k // 2) * root ** (k % 2) for (k,), c in terms.items()))
        return numerator


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    stripped = text.rstrip()
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if match is None:
            raise CertificateError(f"{text!r}: unexpected {stripped[position:position + 10]!r} at column {position}; "
                                   f"expected integers, symbols, sqrt(...), + - * / ** and parentheses")
        tokens.append(match.group(match.lastindex))
        position = match.end()
    return tokens


class _Reader:
    def __init__(self, text: str, symbols: dict, roots: SqrtTable) -> None:
        self.text, self.symbols, self.roots = text, symbols, roots
        self.tokens, self.at = _tokens(text), 0

    def fail(self, expected: str) -> CertificateError:
        found = self.tokens[self.at] if self.at < len(self.tokens) else "the end"
        return CertificateError(f"{self.text!r}: expected {expected} at token {self.at} ({found!r})")

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, token: str) -> bool:
        if self.peek() == token:
            self.at += 1
            return True
        return False

    def expression(self, inside_sqrt: bool = False) -> sympy.Expr:
        value = self.term(inside_sqrt)
        while self.peek() in ("+", "-"):
            sign = self.tokens[self.at]
            self.at += 1
            right = self.term(inside_sqrt)
            value = value + right if sign == "+" else value - right
        return value

    def term(self, inside_sqrt: bool) -> sympy.Expr:
        value = self.unary(inside_sqrt)
        while self.peek() in ("*", "/"):
            operator = self.tokens[self.at]
            self.at += 1
            right = self.unary(inside_sqrt)
            if operator == "*":
                value = value * right
            elif self.roots.reduced(right) == 0:
                raise CertificateError(f"{self.text!r}: division by an expression that is identically 0")
            else:
                value = value / right
        return value

    def unary(self, inside_sqrt: bool) -> sympy.Expr:
        if self.take("-"):
            return -self.unary(inside_sqrt)
        if self.take("+"):
            return self.unary(inside_sqrt)
        return self.power(inside_sqrt)

    def power(self, inside_sqrt: bool) -> sympy.Expr:
        base = self.atom(inside_sqrt)
        if not self.take("**"):
            return base
        negative = False
        if self.take("("):
            negative = self.take("-")
            exponent = self.integer()
            if not self.take(")"):
                raise self.fail("')' after the exponent")
        else:
            exponent = self.integer()
        if exponent > MAX_EXPONENT:
            raise CertificateError(f"{self.text!r}: exponent {exponent} above {MAX_EXPONENT}")
        if negative and self.roots.reduced(base) == 0:
            raise CertificateError(f"{self.text!r}: a negative power of an expression that is identically 0")
        return base ** (-exponent if negative else exponent)

    def integer(self) -> int:
        token = self.peek()
        if token is None or not token.isdigit():
            raise self.fail("an integer exponent")
        self.at += 1
        return int(token)

    def atom(self, inside_sqrt: bool) -> sympy.Expr:
        token = self.peek()
        if token is None:
            raise self.fail("a number, a symbol, sqrt(...) or '('")
        if token.isdigit():
            self.at += 1
            return sympy.Integer(int(token))
        if token == "(":
            self.at += 1
            value = self.expression(inside_sqrt)
            if not self.take(")"):
                raise self.fail("')'")
            return value
        if token == "sqrt" and "sqrt" not in self.symbols:
            self.at += 1
            if inside_sqrt:
                raise CertificateError(f"{self.text!r}: a sqrt inside a sqrt is not read")
            if not self.take("("):
                raise self.fail("'(' after sqrt")
            radicand = self.expression(inside_sqrt=True)
            if not self.take(")"):
                raise self.fail("')' closing sqrt(")
            return self.roots.root(radicand)
        if token in self.symbols:
            self.at += 1
            return self.symbols[token]
        raise self.fail(f"a number, one of the symbols {sorted(self.symbols)}, sqrt(...) or '('")


def _symbol_table(names: object) -> dict:
    if not (isinstance(names, (list, tuple)) and all(isinstance(n, str) and _IDENTIFIER.match(n) for n in names)
            and len(set(names)) == len(names) and "sqrt" not in names):
        raise CertificateError(f"symbols {names!r} must be a list of distinct identifiers other than sqrt")
    return {name: sympy.Symbol(name, real=True) for name in names}


def read_expression(text: object, names: object, roots: SqrtTable | None = None) -> sympy.Expr:
    """The SymPy expression of ``text`` (module grammar) in the real symbols ``names``; each sqrt is a symbol of
    ``roots`` (a new table when None). CertificateError for anything outside the grammar."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        raise CertificateError(f"{text!r} is not an expression text (a non-empty string of at most {MAX_TEXT} "
                               f"characters)")
    reader = _Reader(text, _symbol_table(names), roots if roots is not None else SqrtTable())
    value = reader.expression()
    if reader.at != len(reader.tokens):
        raise reader.fail("an operator or the end")
    return value


def identity_residue(lhs: str, rhs: str, names: object) -> sympy.Expr:
    """What is left of ``lhs - rhs`` after clearing denominators and reducing every ``sqrt(R)**2`` to ``R``
    (module lemma): 0 exactly when the reader proves ``lhs == rhs``."""
    roots = SqrtTable()
    difference = read_expression(lhs, names, roots) - read_expression(rhs, names, roots)
    return roots.reduced(difference)
