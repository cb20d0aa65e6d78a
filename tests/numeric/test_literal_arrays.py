"""Literal kernels read once (:func:`symconv.numeric.kernels_nd.literal_array`).

A search evaluates the same network at hundreds of inputs; its literal weights
are converted to an array once per kernel object and mode. The array must be
the one the tap-by-tap conversion (:func:`parameter_value` of each tap) gives,
bit for bit in float64 and as the same Fractions in exact mode.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np
import pytest
import sympy

from symconv.core.kernel import Dilate, literal
from symconv.errors import NotInFragment
from symconv.numeric.conversions import number, number_array
from symconv.numeric.kernels_nd import LITERAL_CACHE_SIZE, kernel_array_nd, literal_array, parameter_value


def _tap_by_tap(k, exact: bool) -> np.ndarray:
    """The conversion of every tap through parameter_value, as kernel_array_nd made it before the cache."""
    flat = np.array(k.values, dtype=object).reshape(-1)
    taps = [parameter_value(sympy.sympify(v), None, exact, "kernel tap") for v in flat]
    return number_array(np.array(taps, dtype=object).reshape(k.shape), exact)


def _trained_like_kernel(seed: int):
    """float32 weights (dyadic rationals, as from_torch reads them), a third, big and negative values."""
    rng = random.Random(seed)
    values = [[[[Fraction(float(np.float32(rng.gauss(0, 1)))) for _ in range(3)] for _ in range(3)]
               for _ in range(2)] for _ in range(3)]
    values[0][0][0][0], values[1][1][2][2], values[2][0][1][1] = Fraction(1, 3), Fraction(-10 ** 30, 7), Fraction(0)
    return literal(values)


@pytest.mark.parametrize("exact", [False, True])
def test_a_literal_array_is_the_tap_by_tap_conversion(exact):
    k = _trained_like_kernel(0)
    array, expected = literal_array(k, exact), _tap_by_tap(k, exact)
    assert array.dtype == expected.dtype and array.shape == expected.shape == (3, 2, 3, 3)
    assert array.tolist() == expected.tolist()  # float64: the same doubles; exact: the same Fractions
    assert all(type(v) is (Fraction if exact else float) for v in array.ravel().tolist())


def test_kernel_array_nd_gives_a_fresh_copy_of_the_kept_array():
    k = _trained_like_kernel(1)
    first = kernel_array_nd(k)
    first[...] = 99.0
    assert kernel_array_nd(k).tolist() == _tap_by_tap(k, False).tolist()


def test_kernel_expressions_of_a_literal_read_its_kept_array():
    k = _trained_like_kernel(2)
    dilated = kernel_array_nd(Dilate(k, (2, 1)), exact=True)
    assert dilated.shape == (3, 2, 5, 3)
    assert dilated[:, :, ::2].tolist() == _tap_by_tap(k, True).tolist() and not dilated[:, :, 1::2].any()


def test_more_kernels_than_the_cache_keeps_each_give_their_own_values():
    kernels = [literal([[i, Fraction(1, i + 2)]]) for i in range(2 * LITERAL_CACHE_SIZE + 5)]
    for _ in range(2):
        for i, k in enumerate(kernels):
            assert kernel_array_nd(k).tolist() == [[[[float(i), 1 / (i + 2)]]]]


def test_a_literal_with_an_irrational_tap_is_read_tap_by_tap():
    k = literal([[1, sympy.sqrt(2)]])
    assert literal_array(k, exact=False) is None
    assert kernel_array_nd(k).tolist() == [[[[1.0, math.sqrt(2)]]]]
    with pytest.raises(NotInFragment, match=r"^kernel tap sqrt\(2\) is not rational; exact evaluation needs "
                                            r"rational numbers$"):
        kernel_array_nd(k, exact=True)


@pytest.mark.parametrize("exact", [False, True])
def test_a_rational_parameter_is_read_as_number_reads_it(exact):
    for value in [sympy.Rational(1, 3), sympy.Integer(-7), sympy.Rational(-10 ** 30, 7), sympy.Rational(5, 2 ** 60)]:
        read = parameter_value(value, None, exact, "bias")
        assert read == number(value, exact, "bias") and type(read) is (Fraction if exact else float)
