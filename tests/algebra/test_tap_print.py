"""The engine prints its polynomials exactly as SymPy does (str and LaTeX), without building SymPy trees."""

from fractions import Fraction

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv.algebra.tap_poly import TapRing
from symconv.algebra.tap_print import number_latex, number_text, poly_latex_text, poly_text

# Names that sort differently as strings and as numbers (k_10 < k_2), upper before lower case,
# several underscores (LaTeX subscripts with spaces), and a Greek name.
NAMES = ["k_0", "k_1", "k_2", "k_10", "W_1_0_2", "W_0_1_0", "B", "b_0", "alpha", "x_0_1", "q"]

coefficients = st.fractions(min_value=-20, max_value=20, max_denominator=7)
monomials = st.lists(st.integers(0, len(NAMES) - 1), max_size=4).map(lambda m: tuple(sorted(m)))
polynomials = st.dictionaries(monomials, coefficients, max_size=6)


def _poly(ring: TapRing, terms: dict):
    poly = ring.constant(0)
    for monomial, coeff in terms.items():
        term = ring.constant(coeff)
        for i in monomial:
            term = term * ring.gens[i]
        poly = poly + term
    return poly


@settings(max_examples=300, deadline=None)
@given(polynomials, st.permutations(NAMES))
def test_poly_text_is_sympy_str_for_every_polynomial(terms, names):
    ring = TapRing.of_names(names)
    poly = _poly(ring, terms)
    assert poly_text(poly) == str(poly.as_expr())


@settings(max_examples=300, deadline=None)
@given(polynomials, st.permutations(NAMES))
def test_poly_latex_text_is_sympy_latex_for_every_polynomial(terms, names):
    ring = TapRing.of_names(names)
    poly = _poly(ring, terms)
    assert poly_latex_text(poly) == sympy.latex(poly.as_expr())


@given(coefficients)
def test_numbers_print_as_sympy_rationals(value):
    rational = sympy.Rational(value.numerator, value.denominator)
    assert number_text(value) == str(rational)
    assert number_latex(value) == sympy.latex(rational)


def test_zero_polynomial_prints_0():
    ring = TapRing.of_names(["k_0"])
    assert poly_text(ring.constant(0)) == "0" == str(ring.constant(0).as_expr())
    assert poly_latex_text(ring.constant(Fraction(0))) == "0"


def test_a_sum_of_products_of_two_taps_with_coefficient_one_prints_as_sympy_str():
    """The fast path (every coefficient 1, products of two different taps, a square and a constant among them)."""
    ring = TapRing.of_names(["k_10", "W_0_1_0", "k_2", "V_1_0_0", "b"])
    k10, w, k2, v, b = ring.gens
    for poly in (v * w + k10 * k2 + w * k2, v * w + k2 * k2 + k10 + 1, v * w, v * w * k2 + k10 * k2):
        assert poly_text(poly) == str(poly.as_expr())


def test_floor_of_an_affine_length_prints_as_sympy_evaluates_and_prints_it():
    # integer slopes leave the floor (2*n - 5), integer shifts are taken out of it (floor(n/4) - 1),
    # fractional ones stay inside (floor(n/4 - 3/4)); text for another symbol name too
    from symconv.algebra.tap_print import floor_affine_latex, floor_affine_text
    from symconv.core.output_length import length_symbol

    n, n2 = length_symbol(), length_symbol("n2")
    for a in range(0, 4):
        for b in range(1, 5):
            for c in range(-6, 7):
                expr = sympy.floor((a * n + c) / sympy.Integer(b))
                assert floor_affine_text(a, b, c) == str(expr), (a, b, c)
                assert floor_affine_text(a, b, c, "n2") == str(expr.subs(n, n2)), (a, b, c)
                assert floor_affine_latex(a, b, c) == sympy.latex(expr), (a, b, c)
    assert floor_affine_text(-1, 2, 0) is None and floor_affine_latex(1, 0, 3) is None
