"""The fact rule no_real_root: Sturm's count of the real roots of an integer polynomial."""

from __future__ import annotations

import itertools

import pytest
import sympy

from symconv.checker import Certificate, CertificateStep, Rule, replay
from symconv.checker.real_roots import sturm_sign_changes
from symconv.errors import CertificateError
from symconv.library.facts import no_real_root, polynomial_text


def _rejection(certificate: Certificate) -> str:
    with pytest.raises(CertificateError) as caught:
        replay(certificate)
    return str(caught.value)


def test_sturm_counts_the_distinct_real_roots_of_every_small_polynomial():
    z = sympy.Symbol("z")
    for coefficients in itertools.product((-2, 0, 1, 3), repeat=4):
        if not any(coefficients):
            continue
        minus, plus = sturm_sign_changes(list(coefficients))
        roots = sympy.real_roots(sympy.Poly(list(reversed(coefficients)), z))
        assert minus - plus == len(set(roots)), coefficients


def test_the_note_polynomial_has_no_real_root():
    theorem = replay(no_real_root([1, -2, 3, 0, 4], "z"))
    assert theorem.statement == "number of real roots of 1 - 2*z + 3*z**2 + 4*z**4 == 0"
    assert theorem.scope == "every real value of z"


def test_a_polynomial_with_a_real_root_is_rejected():
    assert _rejection(no_real_root([1, 3, 5, 7, 4], "z")) == \
        "step 0 (no_real_root): 1 + 3*z + 5*z**2 + 7*z**3 + 4*z**4 has 2 real root(s)"
    assert polynomial_text([0, -1, 0, 2], "x") == "-x + 2*x**3"


def _step(changes: list, variable: str = "z") -> CertificateStep:
    return CertificateStep(Rule.NO_REAL_ROOT, (("sign_changes", changes), ("variable", variable)))


@pytest.mark.parametrize("lhs, rhs, changes, message", [
    ("number of real roots of z**2 + 1", "0", [1, 2], "the Sturm sequence of z**2 + 1 has 1 and 1 sign changes at "
                                                      "-oo and +oo, not [1, 2]"),
    ("number of real roots of z/2 + 1", "0", [1, 1], "z/2 + 1 is not a nonzero polynomial in z with integer "
                                                     "coefficients"),
    ("number of real roots of z - z", "0", [0, 0], "z - z is not a nonzero polynomial in z with integer "
                                                   "coefficients"),
    ("number of real roots of z**2 + 1", "1", [1, 1], "the statement number of real roots of z**2 + 1 == 1 is not "
                                                      "'number of real roots of P == 0'"),
    ("real roots of z**2 + 1", "0", [1, 1], "the statement real roots of z**2 + 1 == 0 is not 'number of real roots "
                                            "of P == 0'"),
])
def test_the_statement_and_the_sign_changes_are_checked(lhs, rhs, changes, message):
    assert _rejection(Certificate(lhs, rhs, (_step(changes),))) == f"step 0 (no_real_root): {message}"
