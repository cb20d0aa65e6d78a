"""The checker's rule ``polynomial_identity``: two rational expressions in named real symbols are equal.

A fact certificate (its state is the statement's two texts, ``[lhs, rhs]``) with one step:
``symbols``, the names of the real symbols the texts use. The kernel reads both texts with its own
reader (:mod:`symconv.checker.rational_expression`: integers, the symbols, ``sqrt``, ``+ - * / **``),
never with ``sympify``, and closes the statement when the numerator of ``lhs - rhs``, each
``sqrt(R)**2`` reduced to ``R``, expands to the zero polynomial.

**Lemma.** A rational function whose numerator is the zero polynomial is 0 wherever it is defined;
with square roots, the numerator is a combination of the ``y**2 - R`` (the reader's lemma), which
vanish at ``y = sqrt(R)``. So ``lhs = rhs`` for every real value of the symbols at which both sides
are defined. The symbols are indeterminates: an identity in ``pi`` holds in particular at pi.

>>> close_polynomial_identity(["k*(a**2 + b**2) - (a + b)**2", "(a - b)**2"], ["a", "b", "k"], "example")
Traceback (most recent call last):
...
symconv.errors.CertificateError: example: lhs - rhs is a**2*k - 2*a**2 + b**2*k - 2*b**2 after clearing denominators, not 0
>>> close_polynomial_identity(["2*(a**2 + b**2) - (a + b)**2", "(a - b)**2"], ["a", "b"], "example")
'every value of a, b where both sides are defined'
"""

from __future__ import annotations

from symconv.checker.rational_expression import identity_residue
from symconv.errors import CertificateError

__all__ = ["close_polynomial_identity", "rule_polynomial_identity"]


def close_polynomial_identity(state: list, names: object, where: str) -> str:
    """The scope of ``state[0] == state[1]`` (texts) as an identity in ``names``; CertificateError when the
    residue (module lemma) is not 0."""
    lhs, rhs = state
    try:
        residue = identity_residue(lhs, rhs, names)
    except CertificateError as err:
        raise CertificateError(f"{where}: {err}") from None
    if residue != 0:
        raise CertificateError(f"{where}: lhs - rhs is {residue} after clearing denominators, not 0")
    return f"every value of {', '.join(names) or 'no symbol'} where both sides are defined"


def rule_polynomial_identity(state: list, step, where: str) -> str:
    """Close the fact ``lhs == rhs`` (the state's texts) in the step's ``symbols`` (module lemma)."""
    if not all(isinstance(side, str) for side in state):
        raise CertificateError(f"{where}: polynomial_identity closes a fact certificate, not an identity of chains")
    return close_polynomial_identity(state, step.get("symbols"), where)
