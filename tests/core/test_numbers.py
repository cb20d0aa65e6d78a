"""Exact numbers of the core: ``rational`` and ``exact_number`` give SymPy's own rationals, without a second gcd."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
import sympy

from symconv.core.numbers import exact_real, exact_number, rational
from symconv.errors import KernelError


def test_rational_of_coprime_ints_is_sympys_rational_of_the_same_value_and_class():
    rng = random.Random(3)
    for _ in range(300):
        value = Fraction(rng.randint(-10 ** 12, 10 ** 12), rng.choice([1, 2, 3, 2 ** rng.randint(1, 60)]))
        p, q = value.numerator, value.denominator
        made, expected = rational(p, q), sympy.Rational(p, q)
        assert made == expected and type(made) is type(expected) and (made.p, made.q) == (expected.p, expected.q)


def test_exact_number_of_fractions_ints_sympy_rationals_and_floats_by_their_repr_is_exact_with_sympys_class():
    cases = [(Fraction(-3, 4), sympy.Rational(-3, 4)), (Fraction(6, 3), sympy.Integer(2)),
             (Fraction(1, 2), sympy.S.Half),
             (0.1, sympy.Rational(1, 10)), (-2.0, sympy.Integer(-2)), (7, sympy.Integer(7)),
             (sympy.Rational(5, 7), sympy.Rational(5, 7)), (sympy.Integer(0), sympy.Integer(0))]
    for value, expected in cases:
        made = exact_number(value)
        assert made == expected and type(made) is type(expected), value
        assert exact_real(value) == expected and type(exact_real(value)) is type(expected)


def test_exact_number_still_refuses_booleans_and_infinities():
    with pytest.raises(KernelError, match=r"kernel tap True is a boolean; expected a number"):
        exact_number(True)
    with pytest.raises(KernelError, match=r"kernel tap inf is not finite; expected a finite number"):
        exact_number(float("inf"))
