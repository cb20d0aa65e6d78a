"""Exact linear forms with numeric weights in integers (:class:`symconv.prover.forms_nd.RationalRing`).

The tolerance prover reads every row of a block with numeric weights through
``RationalRing``: ints over one common denominator instead of tap-ring
polynomials. These tests check that the forms, and the row sums and gains made
from them, are the very numbers the tap ring gives.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from symconv.algebra.tap_poly import TapPoly
from symconv.dsl import parse_chain, parse_statement
from symconv.prover.forms_nd import CONSTANT, RationalRing, forms_nd, ring_nd, scaled_forms_nd
from symconv.prover.worst_case import analyse, row_sums, worst_case_gain

CHAINS = [
    "conv2d([[[[1, 1/2], [1/3, -2]]], [[[1, 0], [0, 3/7]]]], stride=(2, 1), padding=1, bias=[1/5, -3])",
    "conv2d([[[[1, 1/2]]], [[[1/3, 1]]]], dilation=(1, 2), bias=[0, 5/6])",
    "conv_transpose2d([[[[1, 1/2], [1/3, 2]]]], stride=2, padding=(1, 0), bias=[2/3])",
    "conv2d(convolve([[1, 1/2]], [[1/3], [2]])) >> avgpool2d(2, 1) >> pad((1, 0)) >> flip()",
    "(conv2d([[1/3, 1, 1/2]], padding=(0, 1), bias=[1/9]) + pad((0, 0))) >> down((2, 1)) >> up((1, 2)) "
    ">> crop((0, 1))",
    "conv2d(2 * [[1, 1/2]] + [[1/7, 0]]) >> avgpool2d((1, 3), stride=1, padding=(0, 1))",
    "conv2d([[[[1, 1/2]]], [[[0, 0]]], [[[2, 0]]], [[[0, -1/3]]]], groups=2, bias=[1, 1/4, 0, 1/2])",
    "pad((1, 0)) >> conv2d([[[[1, 1/2], [1/3, -1]]]], padding=(0, 1)) >> conv2d([[[[1/5, 1], [-1, 1/2]]]], "
    "bias=[1/3])",
]


def _tap_ring_forms(layer, shape, channels):
    """The forms in the tap ring, every coefficient as a Fraction (the reference)."""
    out_shape, forms = forms_nd(layer, shape, ring_nd(layer), channels)
    return out_shape, {key: {k: Fraction(v.terms.get((), 0)) if isinstance(v, TapPoly) else Fraction(v)
                             for k, v in form.items()} for key, form in forms.items()}


@pytest.mark.parametrize("text", CHAINS)
def test_rational_ring_forms_are_the_tap_ring_forms_at_every_small_shape(text):
    layer = parse_chain(text)
    ring = RationalRing()  # one ring for every shape, as the tolerance prover uses it
    for shape in [(1, 1), (2, 3), (3, 2), (4, 4), (5, 3)]:
        expected_shape, expected = _tap_ring_forms(layer, shape, layer.in_channels or 1)
        out_shape, forms = forms_nd(layer, shape, ring, layer.in_channels or 1)
        assert out_shape == expected_shape
        assert {key: {k: Fraction(v) for k, v in form.items()} for key, form in forms.items()} == expected, shape


def test_scaled_forms_are_integers_over_one_common_denominator():
    layer = parse_chain(CHAINS[0])
    (_, expected), (_, scaled, den) = (_tap_ring_forms(layer, (3, 3), 1),
                                       scaled_forms_nd(layer, (3, 3), RationalRing(), 1))
    assert den > 1 and all(type(v) is int for form in scaled.values() for v in form.values())
    assert {key: {k: Fraction(v, den) for k, v in form.items()} for key, form in scaled.items()} == expected
    assert any(CONSTANT in form for form in scaled.values())  # the biases, over the same denominator


def test_a_rational_ring_reads_each_kernel_once():
    layer = parse_chain(CHAINS[0])
    ring = RationalRing()
    assert ring.grid(layer.weight) is ring.grid(layer.weight)
    taps, den = ring.integer_grid(layer.weight)
    assert den == 42 and taps[(0, 0, 0, 1)] == 21 and taps[(1, 0, 1, 1)] == 18  # 1/2 and 3/7 over 42


def _reference_row_sums(sides):
    """The row sums as the tolerance prover computed them before RationalRing: tap-ring forms, Fractions."""
    from itertools import product

    sums = []
    for shape in product(*(range(b.limit) for b in sides.axes)):
        out_shape, left = _tap_ring_forms(sides.left, shape, sides.channels)
        _, right = _tap_ring_forms(sides.right, shape, sides.channels)
        outputs = sides.left.out_channels(sides.channels) or sides.channels
        for key in product(range(outputs), *(range(m) for m in out_shape)):
            a, b = dict(left.get(key, {})), dict(right.get(key, {}))
            d = {k: a.get(k, Fraction(0)) - b.get(k, Fraction(0)) for k in set(a) | set(b)}
            delta, a_0 = d.pop(CONSTANT, Fraction(0)), a.pop(CONSTANT, Fraction(0))
            b.pop(CONSTANT, None)
            sums.append((sum(map(abs, d.values()), Fraction(0)), abs(delta), sum(map(abs, a.values()), Fraction(0)),
                         abs(a_0), sum(map(abs, b.values()), Fraction(0))))
    return sums


def test_row_sums_of_a_block_with_biases_and_affine_are_those_of_the_tap_ring_forms():
    lhs, rhs = parse_statement("conv2d([[[[1, 1/2], [1/3, 1]]], [[[1, -1/4], [0, 2]]]], padding=1) "
                               ">> affine([2, 1/3], [1/3, -1/5])",
                               "conv2d([[[[2, 1], [2/3, 17/8]]], [[[1/3, -1/12], [0, 2/3]]]], padding=1, "
                               "bias=[1/3, -1/5])")
    sides = analyse(lhs, rhs)
    sums = row_sums(sides)
    assert sums == _reference_row_sums(sides)
    assert any(s[0] for s in sums) and any(s[3] for s in sums)  # nonzero differences and constants were compared
    assert all(isinstance(v, Fraction) for s in sums for v in s)


def test_the_worst_case_gain_of_a_2d_pair_is_the_largest_reference_row_gain():
    lhs, rhs = ("conv2d([[1, 1/2], [1, 1]], padding=1) >> affine(2, 1/3)",
                "conv2d([[2, 1], [2, 17/8]], padding=1, bias=[1/3])")
    worst = worst_case_gain(lhs, rhs)
    sides = analyse(*parse_statement(lhs, rhs))
    assert worst.gain == max(d + delta for d, delta, _, _, _ in _reference_row_sums(sides)) == Fraction(1, 8)


def test_the_integer_taps_of_a_literal_read_from_its_values_are_those_of_its_rational_grid():
    k = parse_chain("conv2d([[[[1, 1/2, 0], [1/3, -2, 5/12]]], [[[0, 0, 0], [7, 3/7, -1/1024]]]])").weight
    ring = RationalRing()
    taps, den = ring.integer_grid(k)  # a literal's ints come from its values, not from the Fractions of grid()
    grid = ring.grid(k)
    assert set(taps) == set(grid) and all(Fraction(v, den) == grid[index] for index, v in taps.items())
    assert den == 21504  # lcm(2, 3, 12, 7, 1024): one denominator for every tap
