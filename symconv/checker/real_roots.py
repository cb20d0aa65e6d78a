"""The checker's rule ``no_real_root``: an integer polynomial in one variable has no real root (Sturm).

A fact certificate with one step, fields ``variable`` (the polynomial's variable) and ``sign_changes``
``[V(-oo), V(+oo)]``. The statement is ``number of real roots of P == 0`` with P a polynomial text in
the variable (read by :mod:`symconv.checker.rational_expression`; it must be a polynomial with integer
coefficients, not the zero polynomial). The kernel builds P's Sturm sequence over the rationals, counts
its sign changes at both ends, checks them against the step's, and closes the statement when they are
equal.

**Lemma (Sturm).** Let ``p_0 = P``, ``p_1 = P'``, ``p_(i+1) = -rem(p_(i-1), p_i)`` until the remainder
is 0. For a < b not roots of P, the number of distinct real roots of P in (a, b] is ``V(a) - V(b)``,
V the number of sign changes (zeros skipped) in ``p_0(x), p_1(x), ...``. Taking a, b past every root,
the sign of each p_i is that of its leading coefficient at +oo and times ``(-1)**deg`` at -oo: P has
``V(-oo) - V(+oo)`` distinct real roots, none when the two counts are equal. A nonzero constant has none.

>>> sturm_sign_changes([1, -2, 3, 0, 4])
(2, 2)
>>> sturm_sign_changes([-1, 0, 1])
(2, 0)
"""

from __future__ import annotations

from fractions import Fraction

from symconv.lazy_import import sympy

from symconv.checker.rational_expression import read_expression
from symconv.errors import CertificateError

__all__ = ["sturm_sign_changes", "roots_text", "rule_no_real_root"]

PREFIX = "number of real roots of "


def roots_text(polynomial: str) -> str:
    """The statement's lhs for ``polynomial``: ``number of real roots of P``."""
    return PREFIX + polynomial


def _remainder(a: list[Fraction], b: list[Fraction]) -> list[Fraction]:
    """``a mod b`` for coefficient lists, constant term first, ``b`` with a nonzero last entry."""
    a = list(a)
    while len(a) >= len(b) and any(a):
        factor, shift = a[-1] / b[-1], len(a) - len(b)
        for i, c in enumerate(b):
            a[shift + i] -= factor * c
        a.pop()
        while a and a[-1] == 0:
            a.pop()
    while a and a[-1] == 0:
        a.pop()
    return a


def _changes(signs: list[int]) -> int:
    nonzero = [s for s in signs if s]
    return sum(1 for s, t in zip(nonzero, nonzero[1:]) if s != t)


def sturm_sign_changes(coefficients: list[int]) -> tuple[int, int]:
    """``(V(-oo), V(+oo))`` of the Sturm sequence of ``sum c_i x**i`` (module lemma), coefficients constant first."""
    p = [Fraction(c) for c in coefficients]
    while p and p[-1] == 0:
        p.pop()
    if not p:
        raise ValueError("the zero polynomial has every real number as a root")
    sequence = [p, [i * c for i, c in enumerate(p)][1:]]
    while sequence[-1]:
        sequence.append([-c for c in _remainder(sequence[-2], sequence[-1])])
    sequence = [q for q in sequence if q]
    plus = [1 if q[-1] > 0 else -1 for q in sequence]
    minus = [s * (-1) ** (len(q) - 1) for s, q in zip(plus, sequence)]
    return _changes(minus), _changes(plus)


def rule_no_real_root(state: list, step, where: str) -> str:
    """Close ``number of real roots of P == 0`` by Sturm's count (module lemma), checked against the step's."""
    if not all(isinstance(side, str) for side in state):
        raise CertificateError(f"{where}: no_real_root closes a fact certificate, not an identity of chains")
    variable, claimed = step.get("variable"), step.get("sign_changes")
    lhs, rhs = state
    if not lhs.startswith(PREFIX) or rhs != "0":
        raise CertificateError(f"{where}: the statement {lhs} == {rhs} is not 'number of real roots of P == 0'")
    x = sympy.Symbol(variable, real=True) if isinstance(variable, str) and variable.isidentifier() else None
    if x is None:
        raise CertificateError(f"{where}: variable {variable!r} is not an identifier")
    try:
        expression = sympy.expand(read_expression(lhs[len(PREFIX):], [variable]))
    except CertificateError as err:
        raise CertificateError(f"{where}: {err}") from None
    polynomial = sympy.Poly(expression, x) if expression.is_polynomial(x) and expression.free_symbols <= {x} else None
    coefficients = polynomial.all_coeffs()[::-1] if polynomial is not None else []
    if polynomial is None or not all(c.is_Integer for c in coefficients) or polynomial.is_zero:
        raise CertificateError(f"{where}: {lhs[len(PREFIX):]} is not a nonzero polynomial in {variable} with "
                               f"integer coefficients")
    counts = sturm_sign_changes([int(c) for c in coefficients])
    if claimed != list(counts):
        raise CertificateError(f"{where}: the Sturm sequence of {lhs[len(PREFIX):]} has {counts[0]} and {counts[1]} "
                               f"sign changes at -oo and +oo, not {claimed!r}")
    if counts[0] != counts[1]:
        raise CertificateError(f"{where}: {lhs[len(PREFIX):]} has {counts[0] - counts[1]} real root(s)")
    return "every real value of " + variable
