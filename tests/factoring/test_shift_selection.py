"""The note's construction (C0.1): shift selection, anti-diagonal sums, simplest and minimum-norm solutions."""

from __future__ import annotations

import itertools
import random

import pytest
import sympy

from symconv.core.kernel import full_convolution
from symconv.factoring.two_layer import (
    anti_diagonal_count,
    merged,
    shift_selection,
    shift_selection_family,
    with_zero_channels,
)


def taps_of(length: int):
    return sympy.symbols(f"q_0:{length}")


def layer_product(weights, length: int):
    """sum_c convolve(F_c, S_c): the kernel of conv(F) >> conv(S) (DESIGN §1)."""
    out = [sympy.Integer(0)] * length
    for c in range(weights.channels):
        for l, v in enumerate(full_convolution(weights.first[c][0], weights.second[0][c])):
            out[l] += v
    return [sympy.expand(v) for v in out]


SIZES = [(n, length - n + 1) for length in range(1, 9) for n in range(1, length + 1)]


@pytest.mark.parametrize("n,m", SIZES)
@pytest.mark.parametrize("solution", ["simplest", "min_norm"])
def test_shift_selection_anti_diagonals_sum_to_the_taps(n, m, solution):
    q = taps_of(n + m - 1)
    w = shift_selection(q, n, m, solution)
    second = w.second[0]
    for l in range(n + m - 1):
        assert sympy.expand(sum(second[i][l - i] for i in range(n) if 0 <= l - i < m) - q[l]) == 0
    assert layer_product(w, n + m - 1) == list(q)


@pytest.mark.parametrize("n,m", SIZES)
def test_first_layer_selects_shift_n_in_channel_n(n, m):
    w = shift_selection(taps_of(n + m - 1), n, m)
    assert w.channels == n
    for c in range(n):
        assert w.first[c][0] == tuple(1 if j == c else 0 for j in range(n))


@pytest.mark.parametrize("n,m", SIZES)
def test_simplest_solution_puts_each_tap_on_exactly_one_entry(n, m):
    q = taps_of(n + m - 1)
    second = shift_selection(q, n, m, "simplest").second[0]
    entries = [v for row in second for v in row if v != 0]
    assert sorted(entries, key=str) == sorted(q, key=str)
    assert [second[i][0] for i in range(n)] == list(q[:n])  # column 0 holds q_0 .. q_{N-1}
    assert list(second[n - 1]) == list(q[n - 1:])  # the last row holds q_{N-1} .. q_{L-1}


@pytest.mark.parametrize("n,m", SIZES)
def test_min_norm_solution_is_the_least_squares_solution_of_eq_10(n, m):
    # Independent: the pseudo-inverse of the anti-diagonal-sum map A (vec(w) -> taps).
    length = n + m - 1
    q = sympy.Matrix([random.Random(n * 31 + m).randint(-5, 5) for _ in range(length)])
    a = sympy.zeros(length, n * m)
    for i, j in itertools.product(range(n), range(m)):
        a[i + j, i * m + j] = 1
    expected = a.pinv() * q
    second = shift_selection(list(q), n, m, "min_norm").second[0]
    assert [second[i][j] for i in range(n) for j in range(m)] == list(expected)


def test_anti_diagonal_counts_of_a_2_by_4_matrix():
    assert [anti_diagonal_count(l, 2, 4) for l in range(5)] == [1, 2, 2, 2, 1]
    assert [anti_diagonal_count(l, 3, 3) for l in range(5)] == [1, 2, 3, 2, 1]


@pytest.mark.parametrize("n,m", SIZES)
def test_family_has_n_minus_1_times_m_minus_1_parameters_and_always_solves_eq_10(n, m):
    q = taps_of(n + m - 1)
    family = shift_selection_family(q, n, m)
    assert family.dimension == (n - 1) * (m - 1)
    second = family.second[0]
    for l in range(n + m - 1):
        assert sympy.expand(sum(second[i][l - i] for i in range(n) if 0 <= l - i < m) - q[l]) == 0
    zero = {p: 0 for p in family.parameters}
    simplest = shift_selection(q, n, m, "simplest").second[0]
    assert tuple(tuple(v.subs(zero) for v in row) for row in second) == simplest


@pytest.mark.parametrize("n,m", [(2, 4), (3, 3), (4, 2), (3, 5)])
def test_family_contains_the_min_norm_solution(n, m):
    q = taps_of(n + m - 1)
    family = shift_selection_family(q, n, m)
    min_norm = shift_selection(q, n, m, "min_norm").second[0]
    values = {sympy.Symbol(f"t_{i}_{j}"): min_norm[i][j] for i in range(n - 1) for j in range(1, m)}
    got = tuple(tuple(sympy.expand(v.subs(values)) for v in row) for row in family.second[0])
    assert got == min_norm


@pytest.mark.parametrize("n,m", [(n, m) for n, m in SIZES if n >= 2])
def test_merged_construction_with_every_channel_count_from_2_to_n(n, m):
    q = taps_of(n + m - 1)
    for channels in range(2, n + 1):
        w = merged(q, n, m, channels)
        assert w.channels == channels
        assert len(w.first[0][0]) == n and len(w.second[0][0]) == m
        assert layer_product(w, n + m - 1) == list(q)


def test_two_channels_split_q_into_low_part_and_shifted_high_part():
    q = taps_of(5)
    w = merged(q, 3, 3, 2)
    assert w.first == ((q[:2] + (0,),), ((0, 0, 1),))
    assert w.second == (((1, 0, 0), q[2:]),)


def test_zero_channels_change_nothing():
    q = taps_of(4)
    w = with_zero_channels(shift_selection(q, 2, 3), 5)
    assert w.channels == 5 and layer_product(w, 4) == list(q)
    assert all(v == 0 for row in w.first[2:] for v in row[0])
