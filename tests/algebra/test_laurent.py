"""Laurent polynomials ``sum_t c_t z^t``: arithmetic, up-sampling, polyphase components, reversal, shifts.

Every operation is checked against its definition on the coefficient
sequence (a dict exponent -> coefficient), with plain integers as
coefficients and with elements of a SymPy polynomial ring over QQ (how the
prover uses them).
"""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import QQ
from sympy.polys.rings import ring

from symconv.algebra.laurent import (
    Laurent,
    mat_add,
    mat_identity,
    mat_is_zero,
    mat_map,
    mat_mul,
    mat_zero,
)

R, a, b = ring("a b", QQ)

#: Properties are cheap; no deadline so that a loaded machine does not fail them.
relaxed = settings(deadline=None, max_examples=60)

coefficients = st.integers(-4, 4)
laurents = st.dictionaries(st.integers(-6, 6), coefficients, max_size=6).map(Laurent)
factors = st.integers(1, 4)
shifts = st.integers(-7, 7)


def dense(h: Laurent) -> dict[int, int]:
    return dict(h.terms)


def convolve_dicts(f: dict, g: dict) -> dict:
    out: dict[int, int] = {}
    for s, x in f.items():
        for t, y in g.items():
            out[s + t] = out.get(s + t, 0) + x * y
    return {t: c for t, c in out.items() if c}


# --- construction ---------------------------------------------------------------------------

def test_zero_coefficients_are_dropped_and_terms_sorted():
    h = Laurent({3: 1, -2: 0, 0: 5, -1: 2})
    assert list(h.terms.items()) == [(-1, 2), (0, 5), (3, 1)]


def test_zero_polynomial_has_no_support():
    assert Laurent().is_zero()
    assert Laurent({4: 0}).is_zero()
    assert Laurent().support() is None


def test_support_is_the_lowest_and_highest_nonzero_exponent():
    assert Laurent({-3: 1, 0: 0, 5: 2}).support() == (-3, 5)


def test_monomial_is_c_times_z_to_the_t():
    assert Laurent.monomial(-2, 7).terms == {-2: 7}


def test_construction_accepts_pairs():
    assert Laurent([(1, 2), (0, 3)]) == Laurent({0: 3, 1: 2})


def test_ring_coefficients_that_cancel_are_dropped():
    h = Laurent({0: a + b}) + Laurent({0: -a - b, 1: a})
    assert h.terms == {1: a}


# --- arithmetic -----------------------------------------------------------------------------

@relaxed
@given(laurents, laurents)
def test_sum_adds_coefficients_exponent_by_exponent(f, g):
    expected = {t: f.terms.get(t, 0) + g.terms.get(t, 0) for t in set(f.terms) | set(g.terms)}
    assert dense(f + g) == {t: c for t, c in expected.items() if c}


@relaxed
@given(laurents, laurents)
def test_difference_is_sum_with_negation(f, g):
    assert f - g == f + (-g)
    assert (f - f).is_zero()


@relaxed
@given(laurents, laurents)
def test_product_is_the_full_convolution_of_coefficients(f, g):
    assert dense(f * g) == convolve_dicts(f.terms, g.terms)


@relaxed
@given(laurents, laurents, laurents)
def test_product_is_commutative_associative_and_distributes(f, g, h):
    assert f * g == g * f
    assert (f * g) * h == f * (g * h)
    assert f * (g + h) == f * g + f * h


@relaxed
@given(laurents, st.integers(-3, 3))
def test_product_with_a_scalar_scales_every_coefficient(f, c):
    assert dense(f * c) == {t: v * c for t, v in f.terms.items() if v * c}


def test_product_of_ring_polynomials_matches_the_docstring_example():
    k = Laurent({0: a, 1: b})
    assert k * k.upsample(2) == Laurent({0: a**2, 1: a * b, 2: a * b, 3: b**2})


# --- shift, up-sampling, components, reversal ------------------------------------------------

@relaxed
@given(laurents, shifts)
def test_shift_by_m_multiplies_by_z_to_the_m(f, m):
    assert dense(f.shift(m)) == {t + m: c for t, c in f.terms.items()}
    assert f.shift(m) == f * Laurent.monomial(m, 1)


@relaxed
@given(laurents, shifts, shifts)
def test_shifts_compose_additively_and_undo(f, m, k):
    assert f.shift(m).shift(k) == f.shift(m + k)
    assert f.shift(m).shift(-m) == f


@relaxed
@given(laurents, factors)
def test_upsample_puts_d_minus_1_zeros_between_coefficients(f, d):
    assert dense(f.upsample(d)) == {t * d: c for t, c in f.terms.items()}


def test_upsample_of_a_kernel_is_its_dilation():
    k = Laurent({0: 1, 1: 2, 2: 3})
    assert k.upsample(3).coefficients(0, 7) == [1, 0, 0, 2, 0, 0, 3]


@relaxed
@given(laurents, laurents, factors, factors)
def test_upsample_is_a_ring_homomorphism_and_composes(f, g, d, e):
    assert (f * g).upsample(d) == f.upsample(d) * g.upsample(d)
    assert (f + g).upsample(d) == f.upsample(d) + g.upsample(d)
    assert f.upsample(d).upsample(e) == f.upsample(d * e)


@relaxed
@given(laurents, factors)
def test_polyphase_components_reassemble_the_polynomial(f, period):
    total = Laurent()
    for r in range(period):
        total = total + f.component(r, period).upsample(period).shift(r)
    assert total == f


@relaxed
@given(laurents, factors, st.data())
def test_component_r_holds_the_coefficients_at_period_t_plus_r(f, period, data):
    r = data.draw(st.integers(0, period - 1))
    comp = f.component(r, period)
    for t in range(-8, 8):
        assert comp.terms.get(t, 0) == f.terms.get(period * t + r, 0)


def test_component_of_negative_exponents_uses_floor_division():
    f = Laurent({-3: 1, -1: 2, 2: 5})
    assert f.component(1, 2).terms == {-2: 1, -1: 2}
    assert f.component(0, 2).terms == {1: 5}


@relaxed
@given(laurents, factors, st.data())
def test_component_of_an_upsampled_polynomial_is_the_polynomial_or_zero(f, d, data):
    r = data.draw(st.integers(0, d - 1))
    expected = f if r == 0 else Laurent()
    assert f.upsample(d).component(r, d) == expected


@relaxed
@given(laurents)
def test_reverse_maps_t_to_minus_t_and_is_an_involution(f):
    assert dense(f.reverse()) == {-t: c for t, c in f.terms.items()}
    assert f.reverse().reverse() == f


@relaxed
@given(laurents, laurents, shifts)
def test_reverse_is_multiplicative_and_turns_shifts_around(f, g, m):
    assert (f * g).reverse() == f.reverse() * g.reverse()
    assert f.shift(m).reverse() == f.reverse().shift(-m)


def test_reversed_kernel_shifted_by_c_minus_1_is_the_flipped_kernel():
    k = Laurent({0: 1, 1: 2, 2: 3})
    assert k.reverse().shift(2).coefficients(0, 3) == [3, 2, 1]


# --- evaluation and dense coefficients ------------------------------------------------------

@relaxed
@given(laurents, laurents)
def test_value_at_one_is_the_sum_of_coefficients_and_multiplicative(f, g):
    assert f.at_one() == sum(f.terms.values())
    assert (f * g).at_one() == f.at_one() * g.at_one()


def test_value_at_one_of_ring_coefficients():
    assert Laurent({0: a, 3: b, -1: 2 * a}).at_one() == 3 * a + b


@relaxed
@given(laurents, st.integers(-8, 0), st.integers(0, 8))
def test_coefficients_are_dense_with_zeros(f, start, length):
    assert f.coefficients(start, start + length) == [f.terms.get(t, 0) for t in range(start, start + length)]


# --- equality and hashing -------------------------------------------------------------------

@relaxed
@given(laurents, laurents)
def test_equal_polynomials_hash_equal(f, g):
    if f == g:
        assert hash(f) == hash(g)
    assert hash(Laurent(dict(f.terms))) == hash(f)


def test_equality_with_other_types_is_not_implemented():
    assert Laurent({0: 1}).__eq__(1) is NotImplemented
    assert Laurent({0: 1}) != "1"


def test_repr_lists_exponents_and_coefficients():
    assert repr(Laurent({-1: 2, 0: 1})) == "Laurent({-1: 2, 0: 1})"


# --- matrices of Laurent polynomials --------------------------------------------------------

matrices = st.integers(1, 3).flatmap(
    lambda rows: st.integers(1, 3).flatmap(
        lambda cols: st.lists(st.lists(laurents, min_size=cols, max_size=cols), min_size=rows, max_size=rows)
    )
).map(lambda m: tuple(tuple(r) for r in m))


@relaxed
@given(matrices, st.data())
def test_matrix_product_is_sum_of_entry_products(m, data):
    inner = len(m[0])
    cols = data.draw(st.integers(1, 3))
    n = tuple(tuple(data.draw(laurents) for _ in range(cols)) for _ in range(inner))
    product = mat_mul(m, n)
    for o in range(len(m)):
        for i in range(cols):
            expected = Laurent()
            for k in range(inner):
                expected = expected + m[o][k] * n[k][i]
            assert product[o][i] == expected


@relaxed
@given(matrices)
def test_identity_is_neutral_and_zero_absorbs(m):
    rows, cols = len(m), len(m[0])
    assert mat_mul(mat_identity(rows), m) == m
    assert mat_mul(m, mat_identity(cols)) == m
    assert mat_is_zero(mat_mul(m, mat_zero(cols, 2)))
    assert mat_add(m, mat_zero(rows, cols)) == m


def test_identity_with_an_entry_puts_it_on_the_diagonal():
    z = Laurent({1: 1})
    assert mat_identity(2, z) == ((z, Laurent()), (Laurent(), z))


@relaxed
@given(matrices, shifts)
def test_mat_map_applies_to_every_entry(m, s):
    shifted = mat_map(m, lambda e: e.shift(s))
    assert all(shifted[o][i] == m[o][i].shift(s) for o in range(len(m)) for i in range(len(m[0])))


def test_mat_is_zero_only_for_all_zero_entries():
    assert mat_is_zero(mat_zero(2, 3))
    assert not mat_is_zero(((Laurent(), Laurent({0: 1})),))


@relaxed
@given(laurents, laurents)
def test_sympy_expression_of_a_product_matches(f, g):
    z = sympy.Symbol("z")
    expr = lambda h: sum((c * z**t for t, c in h.terms.items()), sympy.Integer(0))  # noqa: E731
    assert sympy.expand(expr(f) * expr(g) - expr(f * g)) == 0


@pytest.mark.parametrize("period", [1, 2, 5])
def test_component_of_zero_is_zero(period):
    assert Laurent().component(0, period).is_zero()


def test_matrix_product_with_equal_rows_and_columns_is_the_sum_of_entry_products():
    """Equal rows of the left factor and equal columns of the right one are multiplied once; every entry is still
    ``sum_m a[o][m] b[m][i]`` (here with ring coefficients and with the all-ones windows of a skeleton)."""
    window = Laurent({0: 1, 1: 1, 2: 1})
    ones = ((window, window), (window, window), (window, window))
    f, g = Laurent({0: a, 2: b}), Laurent({-1: a * b, 1: 1})
    left = ((f, g), (f, g), (g, Laurent()))
    right = ((g, g, f), (f, f, Laurent()))
    for x, y in ((left, right), (ones, ((window,) * 3,) * 2)):
        product = mat_mul(x, y)
        for o, row in enumerate(x):
            for i in range(len(y[0])):
                expected = Laurent()
                for m, entry in enumerate(row):
                    expected = expected + entry * y[m][i]
                assert product[o][i] == expected
