"""convolve() of two numeric weights is computed by integer dot products over one denominator; it must give
exactly the taps of the polynomial products it replaces, and the numeric evaluator's exact convolution the same."""

import random
from fractions import Fraction

import numpy as np
import pytest

from symconv.core.exact_poly import add_product
from symconv.core.kernel import convolve, dilate, kernel, literal
from symconv.numeric.kernels_nd import kernel_array_nd


def _by_polynomials(a, b) -> dict:
    """``E[o, i, u + v] = sum_m a[m, i, u] b[o, m, v]``, one polynomial product per pair of taps."""
    terms: dict = {}
    for (o, m, *v), pb in b.exact_grid().items():
        for (m2, i, *u), pa in a.exact_grid().items():
            if m2 == m:
                add_product(terms.setdefault((o, i) + tuple(x + y for x, y in zip(u, v)), {}), pa, pb)
    return {key: p for key, p in terms.items() if p}


def _weight(rng: random.Random, shape: tuple) -> list:
    if len(shape) == 1:
        return [Fraction(rng.randint(-3, 3), rng.choice([1, 1, 2, 3])) for _ in range(shape[0])]
    return [_weight(rng, shape[1:]) for _ in range(shape[0])]


@pytest.mark.parametrize("seed", range(25))
def test_numeric_weights_convolve_to_the_taps_of_the_polynomial_products(seed):
    rng = random.Random(seed)
    d = rng.choice([1, 2, 3])
    middle, inputs, outputs = rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 3)
    a = literal(_weight(rng, (middle, inputs) + tuple(rng.randint(1, 3) for _ in range(d))), d)
    b = literal(_weight(rng, (outputs, middle) + tuple(rng.randint(1, 3) for _ in range(d))), d)
    product = convolve(a, b)
    assert product.exact_grid() == _by_polynomials(a, b)
    exact = kernel_array_nd(product, {}, exact=True)
    assert [Fraction(v) for v in exact.flat] == [Fraction(int(v.p), int(v.q))
                                                 for v in np.array(product.taps(), dtype=object).flat]


def test_a_numeric_and_a_symbolic_weight_still_convolve_as_polynomials():
    a, b = literal([[[1, 2]], [[0, 3]]]), kernel("W", 1, 2, 2)
    assert convolve(a, b).exact_grid() == _by_polynomials(a, b)
    assert convolve(a, b).taps()[0][0][1] == 2 * b.taps()[0][0][0] + 3 * b.taps()[0][1][0] + b.taps()[0][0][1]


def test_large_integer_weights_stay_exact():
    big = 10 ** 12
    a, b = literal([[[big, -big, 1]]]), literal([[[big, 3]]])
    expected = [big * big, 3 * big - big * big, -3 * big + big, 3]
    assert [int(v) for v in convolve(a, b).taps()[0][0]] == expected
    assert [int(v) for v in kernel_array_nd(convolve(a, dilate(b, 1)), {}, exact=True)[0, 0]] == expected
