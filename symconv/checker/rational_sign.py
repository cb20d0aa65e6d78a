"""The checker's rule ``rational_sign``: the sign of an exact rational number written as an expression.

A fact certificate with one step, field ``value`` (the number, ``p/q`` or ``p``). The statement is
``sign(E) == s`` with E an expression of integers (read by :mod:`symconv.checker.rational_expression`
with no symbol and no sqrt: ``+ - * / **`` of integers) and s one of ``1``, ``0``, ``-1``. The kernel
evaluates E in exact rational arithmetic, checks that it is ``value``, and closes the statement when
the sign of ``value`` is s.

**Lemma.** Integers are closed under ``+ - *`` and the rationals under ``/`` by a nonzero number and
integer powers, and the operations on SymPy's ``Rational`` are exact: E is the rational ``value``, and
its sign is that of its numerator (the denominator is positive). This is how a bound of a library
claim (an inequality between exact rationals: ``a < b`` as ``sign(b - a) == 1``) is replayed.

>>> close_rational_sign(["sign(3/4 - (1/2)**2)", "1"], "1/2", "example")
'exact rational arithmetic'
"""

from __future__ import annotations

import re

from symconv.lazy_import import sympy

from symconv.checker.rational_expression import SqrtTable, read_expression
from symconv.errors import CertificateError

__all__ = ["close_rational_sign", "rule_rational_sign", "sign_text"]

_RATIONAL = re.compile(r"^-?[0-9]+(/[0-9]*[1-9][0-9]*)?$")
SIGNS = {"1": 1, "0": 0, "-1": -1}


def sign_text(expression: str) -> str:
    """The statement's lhs for ``expression``: ``sign(E)``."""
    return f"sign({expression})"


def close_rational_sign(state: list, value: object, where: str) -> str:
    """Close ``sign(E) == s`` (the state's texts) when E is exactly ``value`` and ``value`` has the sign s."""
    lhs, rhs = state
    if not (lhs.startswith("sign(") and lhs.endswith(")")) or rhs not in SIGNS:
        raise CertificateError(f"{where}: the statement {lhs} == {rhs} is not 'sign(E) == s' with s in 1, 0, -1")
    if not (isinstance(value, str) and _RATIONAL.match(value)):
        raise CertificateError(f"{where}: value {value!r} is not a rational p/q")
    roots = SqrtTable()
    try:
        exact = read_expression(lhs[len("sign("):-1], [], roots)
    except CertificateError as err:
        raise CertificateError(f"{where}: {err}") from None
    if roots.radicands or not exact.is_Rational:
        raise CertificateError(f"{where}: {lhs[len('sign('):-1]} is not a rational number (a sqrt is not read here)")
    if exact != sympy.Rational(value):
        raise CertificateError(f"{where}: the expression is {exact}, not the claimed value {value}")
    if sympy.sign(exact) != SIGNS[rhs]:
        raise CertificateError(f"{where}: {value} has the sign {sympy.sign(exact)}, not {rhs}")
    return "exact rational arithmetic"


def rule_rational_sign(state: list, step, where: str) -> str:
    """Close ``sign(E) == s`` by exact rational arithmetic (module lemma)."""
    if not all(isinstance(side, str) for side in state):
        raise CertificateError(f"{where}: rational_sign closes a fact certificate, not an identity of chains")
    return close_rational_sign(state, step.get("value"), where)
