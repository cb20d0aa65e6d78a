"""The fact rule gaussian_moment: E[relu(g)**k] and E[g**k] of a standard normal, from the moment recursion."""

from __future__ import annotations

import pytest
import sympy

from symconv.checker import Certificate, CertificateStep, Rule, replay
from symconv.checker.gaussian_moment import moment
from symconv.errors import CertificateError
from symconv.library.facts import gaussian_moment


def _rejection(certificate: Certificate) -> str:
    with pytest.raises(CertificateError) as caught:
        replay(certificate)
    return str(caught.value)


@pytest.mark.parametrize("power", range(1, 7))
def test_the_recursion_gives_the_integrals_of_the_standard_normal_density(power):
    x = sympy.Symbol("x", real=True)
    density = sympy.exp(-x ** 2 / 2) / sympy.sqrt(2 * sympy.pi)
    half = sympy.integrate(x ** power * density, (x, 0, sympy.oo))
    whole = sympy.integrate(x ** power * density, (x, -sympy.oo, sympy.oo))
    for value, domain in ((half, "half_line"), (whole, "real_line")):
        text = moment(power, domain)  # c or c/sqrt(2*pi)
        c = sympy.Rational(text.split("/sqrt")[0])
        assert sympy.simplify(value - (c / sympy.sqrt(2 * sympy.pi) if "sqrt" in text else c)) == 0


def test_the_moments_of_the_library_claims_are_replayed():
    for power, value, half_line in [(1, "1/sqrt(2*pi)", True), (2, "1/2", True), (3, "2/sqrt(2*pi)", True),
                                    (2, "1", False), (4, "3", False), (3, "0", False)]:
        theorem = replay(gaussian_moment(power, value, half_line))
        assert theorem.scope == "a standard normal g"


def test_an_equal_value_written_otherwise_is_accepted():
    replay(gaussian_moment(3, "4/(2*sqrt(2*pi))"))
    replay(gaussian_moment(3, "sqrt(2*pi)/pi"))  # 2/sqrt(2 pi) = sqrt(2 pi)/pi


@pytest.mark.parametrize("power, value, half_line, message", [
    (3, "3/sqrt(2*pi)", True, "E[relu(g)**3] is 2/sqrt(2*pi), not 3/sqrt(2*pi)"),
    (2, "1/2", False, "E[g**2] is 1, not 1/2"),
    (4, "3/2*sqrt(2*pi)", True, "E[relu(g)**4] is 3/2, not 3/2*sqrt(2*pi)"),
    (1, "1/2", True, "E[relu(g)**1] is 1/sqrt(2*pi), not 1/2"),
])
def test_a_wrong_moment_is_rejected(power, value, half_line, message):
    assert _rejection(gaussian_moment(power, value, half_line)) == f"step 0 (gaussian_moment): {message}"


@pytest.mark.parametrize("power, domain, message", [
    (0, "half_line", "power 0 is not an integer in 1..64"),
    (65, "half_line", "power 65 is not an integer in 1..64"),
    (True, "half_line", "power True is not an integer in 1..64"),
    (2, "line", "domain 'line' is not one of ['half_line', 'real_line']"),
])
def test_the_power_and_the_domain_are_checked(power, domain, message):
    step = CertificateStep(Rule.GAUSSIAN_MOMENT, (("domain", domain), ("power", power)))
    assert _rejection(Certificate("E[relu(g)**2]", "1/2", (step,))) == f"step 0 (gaussian_moment): {message}"


def test_the_statement_must_name_the_moment_of_the_step():
    step = gaussian_moment(2, "1/2").steps[0]
    assert _rejection(Certificate("E[relu(h)**2]", "1/2", (step,))) == \
        "step 0 (gaussian_moment): the statement's lhs 'E[relu(h)**2]' is not 'E[relu(g)**2]'"
