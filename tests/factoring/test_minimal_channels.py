"""The fewest channels, against an independent computation on polynomials with known real factors.

A test polynomial is built as a product of chosen real irreducible factors:
linear ``(z - r)`` with integer r (r = 0 gives leading zero taps), pairs
``(z - sqrt d)(z + sqrt d)`` (two linear real factors with irrational roots),
and quadratics ``z^2 + b z + c`` with ``b^2 < 4c`` (no real root), then padded
with trailing zero taps. One channel works iff some sub-multiset of these real
irreducible factors has a degree the first layer can take,
``a in [max(0, D - M + 1), min(N - 1, D)]``: the brute force below knows the
factors from the construction and never counts roots.
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv.errors import TooFewChannels
from symconv.factoring import factor, minimal_channels
from symconv.factoring.minimal_channels import first_degree_range, has_real_factor

Z = sympy.Symbol("z")

# (polynomial, [degrees of its real irreducible factors])
LINEAR = [(Z - r, [1]) for r in (-2, -1, 0, 1, 3)]
IRRATIONAL_PAIRS = [(Z**2 - d, [1, 1]) for d in (2, 3, 5)]
QUADRATICS = [(Z**2 + b * Z + c, [2]) for b, c in ((0, 1), (1, 1), (2, 5), (-1, 3), (0, 2))]
PIECES = LINEAR + IRRATIONAL_PAIRS + QUADRATICS


def build(pieces, trailing_zeros: int = 0, scale: int = 1):
    """The taps of ``scale * prod pieces``, with trailing zero taps, and its real factor degrees."""
    poly = sympy.Poly(scale * sympy.Mul(*(p for p, _ in pieces)), Z)
    taps = [int(c) for c in poly.all_coeffs()[::-1]] + [0] * trailing_zeros
    degrees = [d for _, ds in pieces for d in ds]
    return taps, degrees


def expected_channels(degrees, n: int, m: int) -> int:
    """1 if a sub-multiset of the real irreducible factors fits the first layer, else 2 (brute force)."""
    total = sum(degrees)
    lo, hi = max(0, total - m + 1), min(n - 1, total)
    sums = {sum(c) for k in range(len(degrees) + 1) for c in itertools.combinations(degrees, k)}
    return 1 if any(lo <= s <= hi for s in sums) else 2


def check_against_brute_force(pieces, trailing_zeros: int = 0, scale: int = 1) -> int:
    taps, degrees = build(pieces, trailing_zeros, scale)
    length = len(taps)
    checked = 0
    for n in range(1, length + 1):
        m = length - n + 1
        want = expected_channels(degrees, n, m)
        got = minimal_channels(taps, (n, m))
        assert got.count == want, (taps, n, m, got.reason)
        checked += 1
    return checked


@pytest.mark.parametrize("seed", range(40))
def test_minimal_channels_match_the_known_real_factors(seed):
    rng = random.Random(seed)
    pieces = [rng.choice(PIECES) for _ in range(rng.randint(1, 4))]
    assert check_against_brute_force(pieces, rng.choice([0, 0, 1, 2]), rng.choice([1, -2, 3])) >= 1


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(range(len(PIECES))), min_size=1, max_size=4), st.integers(0, 2))
def test_minimal_channels_match_the_known_real_factors_property(indices, trailing_zeros):
    check_against_brute_force([PIECES[i] for i in indices], trailing_zeros)


@pytest.mark.parametrize("quadratics", [1, 2, 3])
def test_no_real_root_and_odd_first_degree_needs_two_channels(quadratics):
    taps, _ = build([QUADRATICS[i % len(QUADRATICS)] for i in range(quadratics)])
    length = len(taps)  # 2k + 1, so N - 1 and M - 1 have the same parity
    for n in range(1, length + 1):
        m = length - n + 1
        want = 2 if (n - 1) % 2 == 1 else 1
        assert minimal_channels(taps, (n, m)).count == want


@pytest.mark.parametrize("seed", range(10))
def test_one_channel_construction_multiplies_back_to_q(seed):
    rng = random.Random(100 + seed)
    pieces = [rng.choice(PIECES) for _ in range(rng.randint(1, 3))]
    taps, degrees = build(pieces, rng.choice([0, 1]))
    length = len(taps)
    for n in range(1, length + 1):
        m = length - n + 1
        if expected_channels(degrees, n, m) != 1:
            with pytest.raises(TooFewChannels, match="at least 2 are needed"):
                factor(taps, (n, m), channels=1)
            continue
        f = factor(taps, (n, m), channels=1)
        a, b = f.first[0][0], f.second[0][0]
        assert len(a) == n and len(b) == m
        product = np.convolve(np.array([float(v) for v in a]), np.array([float(v) for v in b]))
        np.testing.assert_allclose(product, np.array(taps, dtype=float), atol=1e-9)
        if f.minimal.rational:
            assert all(isinstance(v, sympy.Rational) for v in a + b)
            assert [sympy.expand(v) for v in np.convolve(np.array(a, dtype=object), np.array(b, dtype=object))] \
                == [sympy.Integer(t) for t in taps]


def test_real_factor_degrees_follow_from_the_root_count():
    # r real roots, p pairs: degree a iff some j <= p with 0 <= a - 2j <= r.
    assert [has_real_factor(a, 1, 1) for a in range(4)] == [True, True, True, True]
    assert [has_real_factor(a, 0, 2) for a in range(5)] == [True, False, True, False, True]
    assert [has_real_factor(a, 2, 0) for a in range(4)] == [True, True, True, False]


def test_first_degree_range_widens_with_trailing_zeros():
    assert first_degree_range(2, 4, 4) == (1, 1)
    assert first_degree_range(3, 3, 3) == (1, 2)
    assert first_degree_range(3, 3, 0) == (0, 0)


def test_leading_zeros_give_a_real_root_at_zero():
    # Q = z (z^2 + 1): the root 0 lets one channel take the odd degree 1.
    assert minimal_channels([0, 1, 0, 1], (2, 3)).count == 1
    assert minimal_channels([1, 0, 1, 0], (2, 3)).count == 1  # trailing zero: deg Q = 2 < L - 1
    assert minimal_channels([1, 0, 1], (2, 2)).count == 2


@pytest.mark.parametrize("length", range(1, 8))
def test_symbolic_kernel_needs_two_channels_unless_a_layer_has_size_1(length):
    for n in range(1, length + 1):
        m = length - n + 1
        result = minimal_channels(f"q[{length}]", (n, m))
        assert result.count == (1 if n == 1 or m == 1 else 2), result.reason
        if result.count == 2:
            assert "Gauss's lemma" in result.reason and "two channels always suffice" in result.reason


@pytest.mark.parametrize("n,m,pointwise", [(2, 4, "need two channels"), (3, 3, "every real value"),
                                           (2, 3, "every real value"), (4, 2, "need two channels")])
def test_symbolic_reason_explains_the_pointwise_minimum(n, m, pointwise):
    # Over the reals one channel always does unless N and M are both even.
    assert pointwise in minimal_channels(f"q[{n + m - 1}]", (n, m)).reason


def test_a_symbolic_product_kernel_needs_one_channel():
    result = minimal_channels("convolve(a[2], b[3])", (2, 3))
    assert result.count == 1 and result.rational
    f = factor("convolve(a[2], b[3])", (2, 3), channels=1)
    assert f.proof.verdict == "proved"
    assert set(f.first[0][0]) == set(sympy.symbols("a_0 a_1"))


def test_every_real_quartic_splits_into_two_real_quadratics():
    # N = M = 3: a 5-tap kernel is always one channel over the reals, even z^4 + 1.
    f = factor([1, 0, 0, 0, 1], (3, 3), channels=1)
    assert not f.minimal.rational
    assert f.first[0][0] == (1, sympy.sqrt(2), 1) or f.first[0][0] == (1, -sympy.sqrt(2), 1)
    assert f.proof.verdict == "proved"
