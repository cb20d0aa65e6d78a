"""TapRing.from_expr reads a SymPy polynomial through its own symbols, not a Poly over every tap of the ring.

A 2-D weight W[16, 16, 3, 3] and its partner give a ring of 4,608 taps: a SymPy Poly over all of them recursed
past Python's limit (an internal error), and over the 8,768 taps of a 64-channel depthwise block cost a second
per tap (30 s for `prove`)."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy

from symconv import prove
from symconv.algebra.tap_poly import TapRing

NAMES = [f"W_{o}_{i}_{a}_{b}" for o in range(16) for i in range(16) for a in range(3) for b in range(3)] * 2
NAMES = [f"{'V' if n >= 2304 else 'W'}{name[1:]}" for n, name in enumerate(NAMES)]


def test_a_polynomial_in_a_few_taps_of_a_large_ring_has_its_monomials_on_the_ring_s_variables():
    ring = TapRing.of_names(NAMES)
    w, v = sympy.Symbol("W_15_0_2_1"), sympy.Symbol("V_0_3_1_1")
    poly = ring.from_expr(3 * v * w**2 + sympy.Rational(1, 2) * w - 7)
    iw, iv = ring.position("W_15_0_2_1"), ring.position("V_0_3_1_1")
    assert iw < iv
    assert poly.terms == {(iw, iw, iv): 3, (iw,): Fraction(1, 2), (): -7}


def test_the_same_polynomial_in_a_small_ring_has_the_same_terms_up_to_the_variables_positions():
    small = TapRing(sympy.symbols("a b c"))
    a, b, c = small.symbols
    assert small.from_expr(a * c**2 - 2 * b * c + 5).terms == {(0, 2, 2): 1, (1, 2): -2, (): 5}


def test_a_symbol_with_assumptions_is_not_taken_for_the_ring_variable_of_its_name():
    ring = TapRing.of_names(["k_0", "k_1"])
    assert ring.from_expr(sympy.Symbol("k_1") * 2).terms == {(1,): 2}
    with pytest.raises(Exception):  # as before the fast path: not a polynomial in the ring's variables
        ring.from_expr(sympy.Symbol("k_1", positive=True) * 2)


def test_taps_of_a_ring_of_thousands_of_taps_are_read_without_recursing_past_the_limit():
    ring = TapRing.of_names(NAMES)
    polys = [ring.from_expr(sympy.Symbol(name)) for name in NAMES[:200]]
    assert [p.terms for p in polys] == [{(i,): 1} for i in range(200)]


def test_a_64_channel_depthwise_block_is_decided_both_ways():
    lhs = "conv2d(W[64, 1, 3, 3], groups=64, stride=2, padding=1) >> conv2d(V[128, 64, 1, 1])"
    assert prove(lhs, "conv2d(W, groups=64, padding=1) >> down((2, 2)) >> conv2d(V)").verdict == "proved"
    assert prove(lhs, "conv2d(W, groups=64, padding=1) >> down((2, 2), (1, 0)) >> conv2d(V)").verdict == "refuted"
