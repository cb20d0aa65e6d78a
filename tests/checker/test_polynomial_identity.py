"""The fact rule polynomial_identity and the kernel's expression reader: exact identities in named real symbols."""

from __future__ import annotations

import pytest

from symconv.checker import Certificate, CertificateStep, Rule, replay
from symconv.checker.rational_expression import identity_residue
from symconv.errors import CertificateError
from symconv.library.facts import identity


def _rejection(certificate: Certificate) -> str:
    with pytest.raises(CertificateError) as caught:
        replay(certificate)
    return str(caught.value)


def test_the_lagrange_identity_for_three_terms_is_replayed_for_every_value():
    theorem = replay(identity("3*(a**2 + b**2 + c**2) - (a + b + c)**2", "(a - b)**2 + (a - c)**2 + (b - c)**2",
                              ["a", "b", "c"]))
    assert theorem.scope == "every value of a, b, c where both sides are defined"
    assert theorem.statement == "3*(a**2 + b**2 + c**2) - (a + b + c)**2 == (a - b)**2 + (a - c)**2 + (b - c)**2"
    assert theorem.rests_on == ()


def test_a_square_root_squared_is_its_radicand_so_the_variance_ratio_is_pi_minus_one():
    replay(identity("(1/2 - (1/sqrt(2*pi))**2) / (1/sqrt(2*pi))**2", "pi - 1", ["pi"]))
    assert identity_residue("sqrt(pi*2) * sqrt(2*pi)", "2*pi", ["pi"]) == 0  # one root per expanded radicand


def test_the_square_root_of_a_square_is_not_the_symbol():
    assert _rejection(identity("sqrt(a**2)", "a", ["a"])) == \
        "step 0 (polynomial_identity): lhs - rhs is -a + sqrt(a**2) after clearing denominators, not 0"


def test_a_false_identity_is_rejected_with_its_residue():
    assert _rejection(identity("(a + b)**2", "a**2 + b**2", ["a", "b"])) == \
        "step 0 (polynomial_identity): lhs - rhs is 2*a*b after clearing denominators, not 0"


@pytest.mark.parametrize("text, message", [
    ("1.5", "'1.5': unexpected '.5' at column 1; expected integers, symbols, sqrt(...), + - * / ** and parentheses"),
    ("eval(1)", "'eval(1)': expected a number, one of the symbols ['a'], sqrt(...) or '(' at token 0 ('eval')"),
    ("b + 1", "'b + 1': expected a number, one of the symbols ['a'], sqrt(...) or '(' at token 0 ('b')"),
    ("a**65", "'a**65': exponent 65 above 64"),
    ("a**a", "'a**a': expected an integer exponent at token 2 ('a')"),
    ("sqrt(sqrt(2))", "'sqrt(sqrt(2))': a sqrt inside a sqrt is not read"),
    ("1/(a - a)", "'1/(a - a)': division by an expression that is identically 0"),
    ("5*(sqrt(2)**2 - 2)/(sqrt(2)**2 - 2)", "'5*(sqrt(2)**2 - 2)/(sqrt(2)**2 - 2)': division by an expression that is "
                                            "identically 0"),
    ("(a", "'(a': expected ')' at token 2 ('the end')"),
    ("a a", "'a a': expected an operator or the end at token 1 ('a')"),
])
def test_the_reader_refuses_text_outside_its_grammar(text, message):
    assert _rejection(identity(text, "5", ["a"])) == f"step 0 (polynomial_identity): {message}"


@pytest.mark.parametrize("symbols", [["a", "a"], ["sqrt"], ["1a"], "a"])
def test_the_symbols_are_distinct_identifiers(symbols):
    step = CertificateStep(Rule.POLYNOMIAL_IDENTITY, (("symbols", symbols),))
    assert _rejection(Certificate("a", "a", (step,))) == \
        f"step 0 (polynomial_identity): symbols {symbols!r} must be a list of distinct identifiers other than sqrt"


def test_a_fact_certificate_has_one_step():
    fact = identity("a", "a", ["a"])
    assert _rejection(Certificate("a", "a", fact.steps * 2)) == \
        "step 1 (polynomial_identity): a fact certificate has one step"


def test_a_fact_rule_cannot_close_an_identity_of_chains():
    flip = CertificateStep(Rule.FLIP_CONJUGATION, (("side", "lhs"),))
    fact = identity("a", "a", ["a"]).steps[0]
    assert _rejection(Certificate("flip() >> flip()", "conv([1])", (flip, fact))) == \
        "step 1 (polynomial_identity): a fact rule closes a fact certificate, whose only step it is"


def test_a_fact_certificate_cannot_stand_for_an_identity_of_chains():
    from symconv.dsl import parse_chain

    sides = (parse_chain("conv([1])"), parse_chain("conv([2])"))
    with pytest.raises(CertificateError) as caught:
        replay(identity("a", "a", ["a"]), sides)
    assert str(caught.value) == "a fact certificate (polynomial_identity) states no chains; it cannot prove " \
                                "conv([1]) == conv([2])"
