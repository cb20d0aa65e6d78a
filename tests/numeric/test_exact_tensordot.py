"""exact_tensordot: np.tensordot of exact Fraction arrays, computed on integers over one denominator."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from symconv.numeric.conversions import exact_tensordot


def _fractions(rng, shape, big=False):
    values = [Fraction(int(rng.integers(-9, 10)) * (10 ** 30 if big else 1), int(rng.integers(1, 7)))
              for _ in range(int(np.prod(shape)))]
    out = np.empty(shape, dtype=object)
    out.flat[:] = values
    return out


@pytest.mark.parametrize("big", [False, True])  # int64 arithmetic, and Python ints where int64 would overflow
@pytest.mark.parametrize("shapes, axes", [(((3, 4, 2), (4, 5)), ([1], [0])), (((2, 3), (3,)), 1),
                                          (((4, 2, 3), (2, 3, 5)), ([1, 2], [0, 1]))])
def test_exact_tensordot_equals_tensordot_of_the_fractions(shapes, axes, big):
    rng = np.random.default_rng(7)
    a, b = _fractions(rng, shapes[0], big), _fractions(rng, shapes[1])
    got, want = exact_tensordot(a, b, axes), np.tensordot(a, b, axes)
    assert got.shape == want.shape and all(isinstance(v, Fraction) for v in got.flat)
    assert got.tolist() == want.tolist()


def test_a_full_contraction_is_one_fraction():
    a = np.array([Fraction(1, 2), Fraction(-1, 3)], dtype=object)
    assert exact_tensordot(a, a, 1) == Fraction(13, 36)
