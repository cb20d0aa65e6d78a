"""The fact rule rational_sign: the sign of an expression of integers, in exact rational arithmetic."""

from __future__ import annotations

from fractions import Fraction

import pytest

from symconv.checker import Certificate, CertificateStep, Rule, replay
from symconv.errors import CertificateError
from symconv.library.facts import rational_sign, rational_text


def _rejection(certificate: Certificate) -> str:
    with pytest.raises(CertificateError) as caught:
        replay(certificate)
    return str(caught.value)


def test_a_determinant_of_exact_rationals_is_positive():
    a, d, b = Fraction(3, 4), Fraction(5, 8), Fraction(-1, 16)
    expression = f"{rational_text(a)}*{rational_text(d)} - {rational_text(b)}**2"
    assert expression == "(3/4)*(5/8) - (-1/16)**2"
    theorem = replay(rational_sign(expression, a * d - b ** 2))
    assert theorem.statement == "sign((3/4)*(5/8) - (-1/16)**2) == 1"
    assert theorem.scope == "exact rational arithmetic"


def test_zero_and_negative_signs_are_stated_as_such():
    replay(rational_sign("2**64 - 18446744073709551616", Fraction(0)))
    replay(rational_sign("1/3 - 1/2", Fraction(-1, 6)))


def _step(value: object) -> CertificateStep:
    return CertificateStep(Rule.RATIONAL_SIGN, (("value", value),))


@pytest.mark.parametrize("lhs, rhs, value, message", [
    ("sign(1/3 - 1/2)", "1", "-1/6", "-1/6 has the sign -1, not 1"),
    ("sign(1/3 - 1/2)", "-1", "1/6", "the expression is -1/6, not the claimed value 1/6"),
    ("sign(sqrt(2) - 1)", "1", "1", "sqrt(2) - 1 is not a rational number (a sqrt is not read here)"),
    ("sign(a - 1)", "1", "1", "'a - 1': expected a number, one of the symbols [], sqrt(...) or '(' at token 0 ('a')"),
    ("sign(1/3)", "positive", "1/3", "the statement sign(1/3) == positive is not 'sign(E) == s' with s in 1, 0, -1"),
    ("1/3", "1", "1/3", "the statement 1/3 == 1 is not 'sign(E) == s' with s in 1, 0, -1"),
    ("sign(1/3)", "1", "0.33", "value '0.33' is not a rational p/q"),
    ("sign(1/3)", "1", "1/0", "value '1/0' is not a rational p/q"),
    ("sign(1/3)", "1", 1, "value 1 is not a rational p/q"),
])
def test_the_statement_the_value_and_the_sign_are_checked(lhs, rhs, value, message):
    assert _rejection(Certificate(lhs, rhs, (_step(value),))) == f"step 0 (rational_sign): {message}"
