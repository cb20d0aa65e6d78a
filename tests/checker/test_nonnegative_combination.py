"""The fact rule nonnegative_combination: a polynomial whose every term is >= 0 (coefficients >= 0, odd powers only
of symbols declared >= 0) is >= 0; exhaustive over small polynomials, each accepted one checked on a grid."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest

from symconv.checker import Certificate, CertificateStep, Rule, replay
from symconv.checker.nonnegative_combination import close_nonnegative
from symconv.errors import CertificateError
from symconv.library.facts import nonnegative

#: Monomials of degree <= 2 in u (declared >= 0) and x (real): (exponent of u, exponent of x).
MONOMIALS = [(0, 0), (1, 0), (0, 1), (2, 0), (1, 1), (0, 2)]
GRID_U = [Fraction(v, 2) for v in range(0, 7)]
GRID_X = [Fraction(v, 2) for v in range(-6, 7)]


def _text(coefficients: tuple) -> str:
    return " + ".join(f"({c})*u**{a}*x**{b}" for c, (a, b) in zip(coefficients, MONOMIALS)) or "0"


def _accepted(coefficients: tuple) -> bool:
    try:
        close_nonnegative([f"nonnegative({_text(coefficients)})", "true"], ["u", "x"], ["u"], "test")
    except CertificateError:
        return False
    return True


def test_every_polynomial_of_degree_two_is_accepted_exactly_when_every_term_is_nonnegative():
    for coefficients in itertools.product((-1, 0, 1), repeat=len(MONOMIALS)):
        odd_in_x = any(c and b % 2 for c, (a, b) in zip(coefficients, MONOMIALS))
        expected = min(coefficients) >= 0 and not odd_in_x
        assert _accepted(coefficients) == expected, coefficients
        if expected:  # the lemma: accepted means >= 0 wherever u >= 0
            assert all(sum(c * u ** a * x ** b for c, (a, b) in zip(coefficients, MONOMIALS)) >= 0
                       for u in GRID_U for x in GRID_X), coefficients


def test_a_nonnegative_polynomial_with_a_negative_term_is_refused_the_rule_is_only_sufficient():
    with pytest.raises(CertificateError, match=r"^t: the term -2\*u\*x of u\*\*2 - 2\*u\*x \+ x\*\*2 is not >= 0 "
                                              r"for u >= 0$"):
        close_nonnegative(["nonnegative((u - x)**2)", "true"], ["u", "x"], ["u"], "t")


def test_a_constant_denominator_is_cleared_and_a_symbolic_one_is_refused():
    assert close_nonnegative(["nonnegative((u - 1)/(-2) + u)", "true"], ["u"], ["u"], "t") == \
        "every real value of u with u >= 0"
    with pytest.raises(CertificateError, match=r"^t: the term -1 of u - 1 is not >= 0 for u >= 0$"):
        close_nonnegative(["nonnegative((u + 1)/(-2) + u)", "true"], ["u"], ["u"], "t")
    with pytest.raises(CertificateError, match=r"^t: the denominator u of nonnegative\(1/u\) is not a constant$"):
        close_nonnegative(["nonnegative(1/u)", "true"], ["u"], ["u"], "t")


def test_a_fact_replays_and_states_its_scope():
    theorem = replay(nonnegative("(u - (-v)) - (u - 0)", ["u", "v"], ["u", "v"]))
    assert theorem.statement == "nonnegative((u - (-v)) - (u - 0)) == true"
    assert theorem.scope == "every real value of u, v with u, v >= 0"


def _step(symbols: object, declared: object) -> CertificateStep:
    return CertificateStep(Rule.NONNEGATIVE_COMBINATION, (("nonnegative", declared), ("symbols", symbols)))


@pytest.mark.parametrize("lhs, rhs, symbols, declared, message", [
    ("nonnegative(u)", "false", ["u"], ["u"], "the statement nonnegative(u) == false is not 'nonnegative(E) == true'"),
    ("u", "true", ["u"], ["u"], "the statement u == true is not 'nonnegative(E) == true'"),
    ("nonnegative(u)", "true", ["u"], [], "the term u of u is not >= 0 for real symbols"),
    ("nonnegative(u)", "true", ["u"], ["v"], "nonnegative ['v'] must be a list of distinct names among the symbols "
                                             "['u']"),
    ("nonnegative(u)", "true", ["u"], ["u", "u"], "nonnegative ['u', 'u'] must be a list of distinct names among the "
                                                  "symbols ['u']"),
    ("nonnegative(sqrt(u))", "true", ["u"], ["u"], "nonnegative(sqrt(u)) holds a sqrt; nonnegative_combination reads "
                                                   "polynomials only"),
    ("nonnegative(-1/3)", "true", [], [], "the term -1 of -1 is not >= 0 for real symbols"),
])
def test_the_statement_the_declared_symbols_and_every_term_are_checked(lhs, rhs, symbols, declared, message):
    with pytest.raises(CertificateError) as caught:
        replay(Certificate(lhs, rhs, (_step(symbols, declared),)))
    assert str(caught.value) == f"step 0 (nonnegative_combination): {message}"
