"""The core's exact polynomial ring, and the exact semantics computed in it, against plain SymPy expansion."""

from __future__ import annotations

import random
from fractions import Fraction

import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symconv.core.exact_poly import (
    add_into,
    add_product,
    constant,
    from_sympy,
    has_opaque_atom,
    integer_form,
    linear_combination,
    times,
    to_sympy,
)
from symconv.core.kernel import as_kernel, kernel
from symconv.core.kernel_expr import convolve, dilate
from symconv.core.layers import Down, Pad, Up, conv
from symconv.core.semantics import evaluate, evaluate_exact, exact_input, symbolic_input

SYMBOLS = sympy.symbols("a b c")


def _random_sympy_polynomial(rng: random.Random) -> sympy.Expr:
    terms = []
    for _ in range(rng.randint(0, 4)):
        coeff = sympy.Rational(rng.randint(-3, 3), rng.randint(1, 3))
        terms.append(coeff * sympy.Mul(*(s ** rng.randint(0, 2) for s in SYMBOLS)))
    return sympy.Add(*terms)


def test_sum_and_product_agree_with_sympy_expand_on_random_polynomials():
    rng = random.Random(12)
    for _ in range(200):
        p, q = _random_sympy_polynomial(rng), _random_sympy_polynomial(rng)
        total = from_sympy(p)
        add_into(total, from_sympy(q))
        assert total == from_sympy(sympy.expand(p + q))
        assert to_sympy(total) == sympy.expand(p + q)
        assert times(from_sympy(p), from_sympy(q)) == from_sympy(sympy.expand(p * q))
        assert to_sympy(times(from_sympy(p), from_sympy(q))) == sympy.expand(p * q)


def test_cancelling_terms_leave_no_zero_coefficient():
    a, b = SYMBOLS[:2]
    p = times(from_sympy(a - b), from_sympy(a + b))
    assert p == from_sympy(a ** 2 - b ** 2) and len(p) == 2
    add_into(p, from_sympy(a ** 2 - b ** 2), -1)
    assert p == {} and to_sympy(p) == 0


def test_sparse_polynomials_cancel_multiply_and_read_sympy_exactly():
    a, b = sympy.symbols("a b")
    p = from_sympy(a - sympy.Rational(1, 3) * b)
    q = from_sympy(a + sympy.Rational(1, 3) * b)
    assert times(p, q) == from_sympy(a ** 2 - b ** 2 / 9)
    total = dict(p)
    add_into(total, p, -1)
    assert total == {}
    assert from_sympy(sympy.sqrt(2) * a) != from_sympy(a) and from_sympy(sympy.Integer(0)) == {}
    assert from_sympy(sympy.Rational(6, 3)) == {(): 2} and from_sympy(sympy.Rational(1, 2)) == {(): Fraction(1, 2)}


def test_rationals_are_exact_and_ints_stay_ints():
    assert constant(Fraction(4, 2)) == {(): 2} and type(constant(Fraction(4, 2))[()]) is int
    assert from_sympy(sympy.Rational(1, 3)) == {(): Fraction(1, 3)}
    assert to_sympy(from_sympy(sympy.Rational(-5, 6) * SYMBOLS[0])) == sympy.Rational(-5, 6) * SYMBOLS[0]


def test_symbols_of_one_name_but_different_assumptions_are_different_variables():
    assert from_sympy(sympy.Symbol("k")) != from_sympy(sympy.Symbol("k", positive=True))


def test_an_opaque_atom_is_an_independent_variable_so_it_can_only_separate():
    root = from_sympy(sympy.sqrt(2))
    assert has_opaque_atom(root) and not has_opaque_atom(from_sympy(SYMBOLS[0]))
    assert times(root, root) != constant(2)  # sqrt(2)**2 == 2 is not known to the ring
    assert to_sympy(times(root, root)) == 2  # but its SymPy edge knows it


def _reference(layer_steps, x):
    """The chain written out with SymPy expand, as the semantics was before the ring: conv, pad, down, up."""
    for kind, arg in layer_steps:
        if kind == "conv":
            (w,), = arg.taps()
            c, channel = len(w), x[0]
            x = (tuple(sympy.expand(sum((w[j] * channel[i + j] for j in range(c)), sympy.Integer(0)))
                       for i in range(len(channel) - c + 1)),)
        elif kind == "pad":
            x = ((0,) * arg + x[0] + (0,) * arg,)
        elif kind == "down":
            x = (x[0][::arg],)
        elif kind == "up":
            x = (tuple(v for s in x[0] for v in (s,) + (0,) * (arg - 1))[:(len(x[0]) - 1) * arg + 1] if x[0] else (),)
    return tuple(tuple(sympy.Integer(v) if isinstance(v, int) else v for v in ch) for ch in x)


def _layer(kind, arg):
    return {"conv": lambda: conv(arg), "pad": lambda: Pad(arg, arg), "down": lambda: Down(arg),
            "up": lambda: Up(arg)}[kind]()


KERNELS = [kernel("k", 2), kernel("k", 3), convolve(kernel("k", 2), dilate(kernel("k", 2), 2)), as_kernel([1, Fraction(1, 2), -2])]
STEP = st.one_of(
    st.tuples(st.just("conv"), st.sampled_from(KERNELS)),
    st.tuples(st.sampled_from(["pad", "down", "up"]), st.integers(1, 2)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(STEP, min_size=1, max_size=4), n=st.integers(0, 9))
def test_evaluate_exact_written_in_sympy_is_evaluate_and_plain_expansion(steps, n):
    chain = _layer(*steps[0])
    for step in steps[1:]:
        chain = chain >> _layer(*step)
    x = symbolic_input(n)
    expected = _reference(steps, x)
    exact = tuple(tuple(to_sympy(v) for v in ch) for ch in evaluate_exact(chain, exact_input(n)))
    assert exact == expected
    assert evaluate(chain, x) == expected


def test_the_checkers_equality_knows_sqrt2_squared_is_2_and_still_separates_different_kernels():
    from symconv.checker.periodicity import equal_at
    from symconv.core.kernel import DerivedKernel

    root = sympy.sqrt(2)
    k = DerivedKernel((((root, 1),),))
    assert equal_at(conv(convolve(k, k)), conv(k) >> conv(k), 5)
    assert equal_at(conv(convolve(k, k)), conv(DerivedKernel((((2, 2 * root, 1),),))), 5)
    assert not equal_at(conv(convolve(k, k)), conv(DerivedKernel((((2, 2 * root, 2),),))), 5)


def test_a_variable_times_a_polynomial_goes_to_the_end_the_front_or_between_and_sums_cancel():
    """``add_product`` with one one-variable factor: the variable sorts after, before and between the others, and
    products already in the total are added up (to 0 where they cancel)."""
    from symconv.core.exact_poly import add_product

    a, b, c = (from_sympy(s) for s in SYMBOLS)
    q = from_sympy(SYMBOLS[0] * SYMBOLS[2] + SYMBOLS[1] ** 2 + 3 * SYMBOLS[2] - 1)
    for v in (a, b, c):
        total = from_sympy(-to_sympy(v) * SYMBOLS[1] ** 2 + 5)
        add_product(total, v, q)
        expected = sympy.expand(-to_sympy(v) * SYMBOLS[1] ** 2 + 5 + to_sympy(v) * to_sympy(q))
        assert total == from_sympy(expected) and all(total.values())
        assert all(list(monomial) == sorted(monomial) for monomial in total)


def _dyadic(rng: random.Random) -> Fraction | int:
    value = Fraction(rng.randint(-2**24, 2**24), 2 ** rng.randint(0, 40))
    return value.numerator if value.denominator == 1 else value


def test_the_integer_form_times_its_denominator_is_the_polynomial_with_int_coefficients_only():
    rng = random.Random(3)
    for _ in range(100):
        p = from_sympy(_random_sympy_polynomial(rng))
        P, d = integer_form(p)
        assert all(type(c) is int for c in P.values()) and d >= 1
        assert {m: Fraction(c, d) for m, c in P.items()} == p
        assert all(Fraction(c).denominator == 1 for c in p.values()) == (d == 1)


def test_an_integer_polynomial_is_its_own_integer_form_with_denominator_one():
    p = from_sympy(3 * SYMBOLS[0] - 2 * SYMBOLS[1])
    assert integer_form(p) == (p, 1) and integer_form(p)[0] is p


def test_a_linear_combination_is_the_sum_of_its_products_with_constants_on_dyadic_and_other_rationals():
    rng = random.Random(5)
    for trial in range(200):
        polys = [from_sympy(_random_sympy_polynomial(rng)) for _ in range(rng.randint(0, 5))]
        scales = [_dyadic(rng) if trial % 2 else Fraction(rng.randint(-5, 5), rng.randint(1, 7)) for _ in polys]
        expected: dict = {}
        for a, p in zip(scales, polys):
            add_product(expected, constant(a), p)
        combined = linear_combination((a, *integer_form(p)) for a, p in zip(scales, polys))
        assert combined == expected
        assert all(type(c) is int or Fraction(c).denominator > 1 for c in combined.values())  # ints stay ints
        assert all(c != 0 for c in combined.values())


def test_a_linear_combination_that_cancels_is_zero_and_an_integral_result_has_int_coefficients():
    a, b = SYMBOLS[:2]
    p, q = from_sympy(a / 4 + b / 2), from_sympy(a / 2 + b)
    assert linear_combination([(2, *integer_form(p)), (-1, *integer_form(q))]) == {}
    total = linear_combination([(Fraction(4), *integer_form(p)), (Fraction(1, 2), *integer_form(q))])
    assert total == from_sympy(sympy.Rational(5, 4) * a + sympy.Rational(5, 2) * b)
    whole = linear_combination([(Fraction(8, 2), *integer_form(p))])
    assert whole == {m: c for m, c in from_sympy(a + 2 * b).items()} and all(type(c) is int for c in whole.values())


def _direct_linear_combination(terms: list) -> dict:
    """``sum_j a_j P_j / d_j`` term by term in Fractions, ints where integral (the order of first appearance)."""
    total: dict = {}
    for a, P, d in terms:
        if a and P:
            for m, c in P.items():
                total[m] = total.get(m, 0) + Fraction(a) * c / d
    return {m: int(v) if v.denominator == 1 else v for m, v in total.items() if v}


def test_a_linear_combination_of_weights_times_single_samples_is_the_direct_sum_with_the_same_types_and_order():
    rng = random.Random(11)
    for trial in range(400):
        terms = []
        for _ in range(rng.randint(0, 12)):
            kind = rng.randrange(5)
            a = (rng.randint(-3, 3) if kind == 0 else Fraction(rng.randint(-4, 4)) if kind == 1
                 else Fraction(rng.randint(-5, 5), rng.randint(1, 9)) if kind == 2 else _dyadic(rng))
            monomial = rng.choice([(), (0,), (1,), (2,), (0, 1), (3, 3)])  # samples repeat: sums and cancellations
            d = rng.choice([1, 1, 2, 3, 2 ** 40])
            c = rng.choice([d, d, -d, 2 * d, 1, rng.randint(1, 50)])
            terms.append((a, {monomial: c}, d))
            if trial % 3 == 0 and rng.random() < 0.3:  # the same term negated: the sum at that monomial cancels
                terms.append((-a, {monomial: c}, d))
        combined = linear_combination(terms)
        expected = _direct_linear_combination(terms)
        assert list(combined.items()) == list(expected.items())
        assert [type(c) for c in combined.values()] == [type(c) for c in expected.values()]


def test_a_coefficient_that_is_one_weight_times_one_sample_is_that_weight_and_an_integral_weight_is_an_int():
    w, v = Fraction(-5359275, 8589934592), Fraction(9, 8)
    combined = linear_combination([(w, {(0,): 1}, 1), (v, {(1,): 3}, 3), (Fraction(6, 3), {(2,): 1}, 1),
                                   (w, {(3,): 1}, 1), (-w, {(3,): 1}, 1), (v, {(4,): 1}, 2)])
    assert combined == {(0,): w, (1,): v, (2,): 2, (4,): Fraction(9, 16)}
    assert type(combined[(2,)]) is int
