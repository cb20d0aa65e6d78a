"""The checker's rule ``nonnegative_combination``: a polynomial is >= 0 because every one of its terms is.

A fact certificate (its state is the statement's two texts, ``["nonnegative(E)", "true"]``) with one step:
``symbols``, the names of the real symbols E uses, and ``nonnegative``, those of them declared >= 0. The
kernel reads E with its own reader (:mod:`symconv.checker.rational_expression`, no sqrt), clears a constant
denominator, expands it, and closes the statement when every term ``c * s_1**e_1 * ... * s_k**e_k`` has
``c >= 0`` and every symbol with an odd exponent ``e_i`` declared nonnegative.

**Lemma.** Such a term is >= 0 at every real value of the symbols with the declared ones >= 0: ``c >= 0``,
an even power of a real number is >= 0, any power of a number >= 0 is >= 0, and a product of numbers >= 0
is >= 0. E, the sum of its terms (the expansion is exact), is then >= 0. Nothing is claimed for an
expression whose denominator is not a constant (it is refused).

>>> close_nonnegative(["nonnegative((u - (-v)) - (u - 0))", "true"], ["u", "v"], ["u", "v"], "example")
'every real value of u, v with u, v >= 0'
>>> close_nonnegative(["nonnegative(x**2 - (0*x)**2)", "true"], ["x"], [], "example")
'every real value of x'
>>> close_nonnegative(["nonnegative((u - v)**2 - u**2)", "true"], ["u", "v"], ["u", "v"], "example")
Traceback (most recent call last):
...
symconv.errors.CertificateError: example: the term -2*u*v of -2*u*v + v**2 is not >= 0 for u, v >= 0
"""

from __future__ import annotations

from symconv.lazy_import import sympy

from symconv.checker.rational_expression import SqrtTable, read_expression
from symconv.errors import CertificateError

__all__ = ["close_nonnegative", "rule_nonnegative_combination", "nonnegative_text", "TRUE"]

TRUE = "true"


def nonnegative_text(expression: str) -> str:
    """The statement's lhs for ``expression``: ``nonnegative(E)``."""
    return f"nonnegative({expression})"


def _nonnegative_names(names: object, nonnegative: object, where: str) -> list:
    if not (isinstance(nonnegative, list) and isinstance(names, (list, tuple))
            and all(isinstance(n, str) and n in names for n in nonnegative) and len(set(nonnegative)) == len(nonnegative)):
        raise CertificateError(f"{where}: nonnegative {nonnegative!r} must be a list of distinct names among the "
                               f"symbols {names!r}")
    return nonnegative


def close_nonnegative(state: list, names: object, nonnegative: object, where: str) -> str:
    """Close ``nonnegative(E) == true`` (the state's texts) in the real ``names``, those in ``nonnegative``
    >= 0 (module lemma); CertificateError naming the first term that is not >= 0."""
    lhs, rhs = state
    if not (lhs.startswith("nonnegative(") and lhs.endswith(")")) or rhs != TRUE:
        raise CertificateError(f"{where}: the statement {lhs} == {rhs} is not 'nonnegative(E) == true'")
    declared = _nonnegative_names(names, nonnegative, where)
    roots = SqrtTable()
    try:
        value = read_expression(lhs[len("nonnegative("):-1], names, roots)
    except CertificateError as err:
        raise CertificateError(f"{where}: {err}") from None
    if roots.radicands:
        raise CertificateError(f"{where}: {lhs} holds a sqrt; nonnegative_combination reads polynomials only")
    numerator, denominator = sympy.fraction(sympy.together(value))
    if not denominator.is_Number:
        raise CertificateError(f"{where}: the denominator {denominator} of {lhs} is not a constant")
    numerator = sympy.expand(numerator * sympy.sign(denominator))
    symbols = [sympy.Symbol(name, real=True) for name in names]
    scope = (f"every real value of {', '.join(names) or 'no symbol'}"
             + (f" with {', '.join(declared)} >= 0" if declared else ""))
    if numerator == 0:
        return scope
    polynomial = sympy.Poly(numerator, *symbols) if symbols else None
    terms = polynomial.terms() if polynomial is not None else [((), numerator)]
    for exponents, coefficient in terms:
        odd = [name for name, e in zip(names, exponents) if e % 2 == 1]
        if coefficient < 0 or any(name not in declared for name in odd):
            term = coefficient * sympy.Mul(*(s ** e for s, e in zip(symbols, exponents)))
            condition = f"for {', '.join(declared)} >= 0" if declared else "for real symbols"
            raise CertificateError(f"{where}: the term {term} of {numerator} is not >= 0 {condition}")
    return scope


def rule_nonnegative_combination(state: list, step, where: str) -> str:
    """Close ``nonnegative(E) == true`` in the step's ``symbols``, those in ``nonnegative`` >= 0 (module lemma)."""
    if not all(isinstance(side, str) for side in state):
        raise CertificateError(f"{where}: nonnegative_combination closes a fact certificate, not an identity of "
                               f"chains")
    return close_nonnegative(state, step.get("symbols"), step.get("nonnegative"), where)
